#!/usr/bin/env node
// Runs the jest suite and ends with a plain "N passed, M failed" line (what CI reads).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const out = path.join(os.tmpdir(), `jest-results-${process.pid}.json`);
const args = ['--json', `--outputFile=${out}`, ...process.argv.slice(2)];
if (process.env.CI) args.push('--ci');
const jestBin = require.resolve('jest/bin/jest');
const res = spawnSync(process.execPath, [jestBin, ...args], { stdio: 'inherit' });
let passed = 0;
let failed = 0;
let suitesFailed = 0;
try {
  const r = JSON.parse(fs.readFileSync(out, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests;
  suitesFailed = r.numFailedTestSuites;
  fs.unlinkSync(out);
} catch {
  failed = failed || 1;
}
// A suite that fails to load counts as a failure even if it ran no test.
if (suitesFailed > 0 && failed === 0) failed = suitesFailed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(res.status === 0 && failed === 0 ? 0 : 1);
