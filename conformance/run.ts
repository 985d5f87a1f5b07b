/**
 * `npm run conformance`: start the registry and repository (fresh temp data folder, loopback, free ports,
 * known-patients mode), replay the NIST testkit collections and the corpus fixtures over HTTP, validate every
 * answer against the XSDs, write docs/CONFORMANCE.md, print the failures and `N passed, M failed`, exit 1 on any
 * failure.
 *
 * Options: --only=<testId,...> (NIST tests to run; fixtures are skipped unless --fixtures is given too),
 *          --fixtures=<prefix,...> (only fixture cases whose id starts with a prefix), --no-report (keep the doc),
 *          --keep (keep the temp data folders), --verbose (service logs at info).
 */
import fs from 'node:fs';
import path from 'node:path';
import { corpusRoot, REPO_ROOT, schemasDir } from './corpus';
import { RunContext, type Environment } from './context';
import { fixtureCases } from './fixtures';
import { notApplicableCase, runFixtureCase } from './fixtureRunner';
import { uniqueIdFactory } from './metadataPrep';
import { renderConsoleFailures, renderMarkdown } from './report';
import { loadErrorCodeTable } from './responseRules';
import { fail, totals, type TestResult } from './results';
import { SchemaBatch, xmllintAvailable } from './schemaCheck';
import { feedPatients, startEnvironment, tempRoot } from './services';
import { patientsInVerbatimBodies, planSuite } from './suite';
import { buildTestkitIndex } from './testkitIndex';
import { runTestkitTest } from './testRunner';

interface Options {
  only?: Set<string>;
  fixtures?: string[];
  report: boolean;
  keep: boolean;
  verbose: boolean;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { report: true, keep: false, verbose: false };
  for (const arg of argv) {
    const [name, value] = arg.split('=', 2);
    if (name === '--only' && value) opts.only = new Set(value.split(','));
    else if (name === '--fixtures') opts.fixtures = (value ?? '').split(',').filter(Boolean);
    else if (name === '--no-report') opts.report = false;
    else if (name === '--keep') opts.keep = true;
    else if (name === '--verbose') opts.verbose = true;
    else throw new Error(`unknown option ${arg}`);
  }
  return opts;
}

async function withEnvironment<T>(name: string, root: string, logLevel: string, body: (env: Environment) => Promise<T>): Promise<T> {
  const env = await startEnvironment(name, root, logLevel);
  try {
    return await body(env);
  } finally {
    await env.close();
  }
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const startedAt = new Date();
  const logLevel = opts.verbose ? 'info' : 'error';
  const corpus = corpusRoot();
  const index = buildTestkitIndex(corpus);
  const root = tempRoot();
  const schemas = new SchemaBatch(path.join(root, 'schema-check'), schemasDir());
  const ctx = new RunContext(
    index,
    { sourceId: '1.2.42.1', homeCommunityId: 'urn:oid:1.2.42.2', now: startedAt, newUniqueId: uniqueIdFactory(startedAt) },
    loadErrorCodeTable(path.join(corpus, 'negative/nist-reference/TransactionDefinedErrorCodes.txt')),
    schemas,
    feedPatients,
  );
  const results: TestResult[] = [];
  const plan = planSuite(index, opts.only);

  const main = await startEnvironment('main', root, logLevel);
  try {
    for (const t of plan.tests) {
      const started = Date.now();
      const result = t.isolated
        ? await withEnvironment(t.entry.id, root, logLevel, async (env) => {
            await ctx.feedPatients(env, patientsInVerbatimBodies(t.entry, t.sections));
            return runTestkitTest(ctx, env, t.entry, t.sections);
          })
        : await runTestkitTest(ctx, main, t.entry, t.sections);
      results.push(result);
      const tt = totals([result]);
      process.stdout.write(`${t.entry.id.padEnd(28)} ${String(tt.passed).padStart(3)} passed ${String(tt.failed).padStart(3)} failed  ${Date.now() - started} ms\n`);
    }
  } finally {
    await main.close();
  }
  results.push(...plan.notRun);

  const runFixtures = opts.only === undefined || opts.fixtures !== undefined;
  if (runFixtures) {
    for (const fc of fixtureCases()) {
      if (opts.fixtures && opts.fixtures.length > 0 && !opts.fixtures.some((p) => fc.id.startsWith(p))) continue;
      if (fc.notApplicable !== undefined) {
        results.push(notApplicableCase(fc));
        continue;
      }
      const result = await withEnvironment(fc.id, root, logLevel, (env) => runFixtureCase(ctx, env, fc));
      results.push(result);
      const tt = totals([result]);
      process.stdout.write(`${fc.id.padEnd(44)} ${String(tt.passed).padStart(3)} passed ${String(tt.failed).padStart(3)} failed\n`);
    }
  }

  let schemaCheck: string;
  if (await xmllintAvailable()) {
    const problems = await schemas.validate();
    let invalid = 0;
    for (const r of results) {
      for (const s of r.steps) {
        const p = s.schemaKey === undefined ? undefined : problems.get(s.schemaKey);
        if (p && p.length > 0) {
          invalid++;
          fail(s, `answer is not schema-valid: ${p.slice(0, 3).join(' / ')}`);
        }
      }
    }
    schemaCheck = `xmllint, ${schemas.size} answers validated, ${invalid} invalid`;
  } else {
    schemaCheck = 'NOT RUN (xmllint not installed)';
    process.stdout.write('warning: xmllint not found, answers were not schema-checked\n');
  }

  const durationMs = Date.now() - startedAt.getTime();
  if (opts.report && opts.only === undefined && opts.fixtures === undefined) {
    const doc = renderMarkdown(results, { startedAt, durationMs, schemaCheck, command: 'npm run conformance' });
    fs.mkdirSync(path.join(REPO_ROOT, 'docs'), { recursive: true });
    fs.writeFileSync(path.join(REPO_ROOT, 'docs', 'CONFORMANCE.md'), doc);
  }
  if (process.env.CONFORMANCE_DUMP) fs.writeFileSync(process.env.CONFORMANCE_DUMP, JSON.stringify(results, null, 1));
  if (!opts.keep) fs.rmSync(root, { recursive: true, force: true });
  else process.stdout.write(`data kept in ${root}\n`);

  const failures = renderConsoleFailures(results);
  if (failures) process.stdout.write(`\n${failures}\n\n`);
  const t = totals(results);
  process.stdout.write(`${t.notApplicable} not applicable, ${(durationMs / 1000).toFixed(1)} s\n`);
  process.stdout.write(`${t.passed} passed, ${t.failed} failed\n`);
  return t.failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`conformance runner crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.stdout.write('0 passed, 1 failed\n');
    process.exit(1);
  },
);
