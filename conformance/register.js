'use strict';
/**
 * Lets `node --require ./conformance/register.js conformance/run.ts` run the conformance runner straight from
 * TypeScript: each .ts file is compiled in memory by @swc/core, the same compiler (and the same options) that
 * jest uses in this repository (jest.config.js). No build step, no output folder. Type checking stays with tsc.
 */
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

process.setSourceMapsEnabled(true);

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, {
    filename,
    sourceMaps: 'inline',
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
