#!/usr/bin/env node
// `npm test` after the type check: the jest suite, then the NIST/IPF/OpenXDS/dcm4chee conformance replay
// (npm run conformance), ending with one plain "N passed, M failed" line over both (what CI reads).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const out = path.join(os.tmpdir(), `jest-results-${process.pid}.json`);
const args = ['--json', `--outputFile=${out}`, ...process.argv.slice(2)];
if (process.env.CI) args.push('--ci');
const jestBin = require.resolve('jest/bin/jest');
const jest = spawnSync(process.execPath, [jestBin, ...args], { stdio: 'inherit', cwd: root });
let passed = 0;
let failed = 0;
try {
  const r = JSON.parse(fs.readFileSync(out, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests;
  // A suite that fails to load counts as a failure even if it ran no test.
  if (r.numFailedTestSuites > 0 && failed === 0) failed = r.numFailedTestSuites;
  fs.unlinkSync(out);
} catch {
  failed = failed || 1;
}
console.log(`jest: ${passed} passed, ${failed} failed`);

// Focused runs (`npm test -- some/path`) skip the conformance replay.
let conformanceOk = true;
if (process.argv.length <= 2 && !process.env.SKIP_CONFORMANCE) {
  const conf = spawnSync(process.execPath, ['--require', './conformance/register.js', 'conformance/run.ts', '--no-report'], { cwd: root, encoding: 'utf8' });
  process.stdout.write(conf.stdout);
  process.stderr.write(conf.stderr);
  const m = /^(\d+) passed, (\d+) failed\s*$/m.exec(conf.stdout.trim().split('\n').pop() || '');
  if (m) {
    passed += Number(m[1]);
    failed += Number(m[2]);
  } else {
    failed += 1;
  }
  conformanceOk = conf.status === 0;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(jest.status === 0 && failed === 0 && conformanceOk ? 0 : 1);
