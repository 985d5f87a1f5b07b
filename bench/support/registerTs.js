// Bench/test-only: `node -r bench/support/registerTs.js some/file.ts` runs TypeScript sources directly, transpiled
// by @swc/core (the same transform jest uses). Lets bench/quick.test.ts start the services and the ceiling servers
// in their own processes without a prior `npm run build`. Type checking is `npm run typecheck`'s job.
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const options = {
  jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

Module._extensions['.ts'] = function compileTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, { ...options, filename });
  module._compile(code, filename);
};
