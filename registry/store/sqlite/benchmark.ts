/**
 * Throwaway measurement of the SQLite registry store (not a test; numbers in registry/store/README.md).
 *
 *   npx tsc --outDir .tmp/bench --rootDir . --module commonjs --target es2022 --esModuleInterop --skipLibCheck \
 *     registry/store/sqlite/benchmark.ts && node .tmp/bench/registry/store/sqlite/benchmark.js [FULL|NORMAL] [entries]
 *
 * (tsconfig.build.json leaves this file out of dist; .tmp/ is git-ignored.)
 *
 * Loads N DocumentEntries (default 100,000) over 5,000 patients as submissions of 10 entries (one SS and ten
 * HasMembers each, one transaction per submission, as ITI-42 does), then times FindDocuments-shaped queries
 * (patient + Approved + classCode + creationTime range) and prints the query plan.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AVAILABILITY_STATUS } from '../../../shared/xds/constants';
import type { DocumentEntryFilter } from '../RegistryStore';
import { code, makeDocumentEntry, makeSubmission, makeSubmissionSet, identifier, author } from '../testFixtures';
import { openSqliteRegistryStore, type SqliteSynchronous } from './SqliteRegistryStore';
import { documentEntryWhere, selectObjects } from './sql';

const CLASS_SCHEME = '1.3.6.1.4.1.19376.1.2.6.1';
const CLASS_CODES = ['class-0', 'class-1', 'class-2', 'class-3', 'class-4'];
const TYPE_CODES = Array.from({ length: 10 }, (_, i) => `type-${i}`);
const FORMAT_CODES = ['urn:ihe:pcc:xphr:2007', 'urn:ihe:iti:xds-sd:pdf:2008', 'urn:ihe:iti:xds-sd:text:2008', 'urn:hl7-org:sdwg:ccda-structuredBody:2.1'];
const PATIENTS = 5000;

/** Deterministic pseudo-random numbers (mulberry32) so runs compare. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: () => number, list: T[]): T {
  return list[Math.floor(r() * list.length)] as T;
}

function patient(i: number): string {
  return `P${i}^^^&1.2.3.4.100&ISO`;
}

/** A DTM somewhere in 2010–2024 at a random precision (mostly full seconds). */
function dtm(r: () => number): string {
  const d = new Date(Date.UTC(2010, 0, 1) + Math.floor(r() * 15 * 365 * 86400_000));
  const full = d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return full.slice(0, pick(r, [14, 14, 14, 14, 12, 8]));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

async function main(): Promise<void> {
  const synchronous = (process.argv[2] ?? 'FULL') as SqliteSynchronous;
  const total = Number(process.argv[3] ?? 100_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xds-registry-bench-'));
  const file = path.join(dir, 'registry.sqlite');
  const store = openSqliteRegistryStore(file, { synchronous });
  const r = rng(42);

  const t0 = process.hrtime.bigint();
  const perSubmission = 10;
  const commitTimes: number[] = [];
  for (let n = 0; n < total; n += perSubmission) {
    const pid = patient(Math.floor(r() * PATIENTS));
    const entries = Array.from({ length: Math.min(perSubmission, total - n) }, () =>
      makeDocumentEntry({
        patientId: identifier(pid, 'x'),
        classCode: code(pick(r, CLASS_CODES), CLASS_SCHEME),
        typeCode: code(pick(r, TYPE_CODES), '2.16.840.1.113883.6.1'),
        formatCode: code(pick(r, FORMAT_CODES), '1.3.6.1.4.1.19376.1.2.3'),
        eventCodes: r() < 0.3 ? [code(`event-${Math.floor(r() * 20)}`, '2.16.840.1.113883.6.96')] : [],
        authors: [author(`^Author${Math.floor(r() * 500)}^Given^^^Dr`)],
        creationTime: [dtm(r)],
      }),
    );
    const submission = makeSubmission(entries, makeSubmissionSet({ patientId: identifier(pid, 'x') }));
    const s = process.hrtime.bigint();
    await store.applySubmission(submission);
    commitTimes.push(Number(process.hrtime.bigint() - s) / 1e3);
  }
  commitTimes.sort((a, b) => a - b);
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const stats = await store.stats();
  console.log(`synchronous=${synchronous}: loaded ${stats.documentEntries} DocumentEntries (+${stats.submissionSets} SS, ${stats.associations} associations) in ${(loadMs / 1000).toFixed(1)} s = ${((loadMs * 1000) / (total / perSubmission)).toFixed(0)} µs per 10-entry submission`);
  console.log(`applySubmission (10 entries, 1 SS, 10 HasMember): p50 ${percentile(commitTimes, 0.5).toFixed(0)} µs, p99 ${percentile(commitTimes, 0.99).toFixed(0)} µs, max ${(percentile(commitTimes, 1) / 1000).toFixed(1)} ms`);
  console.log(`file size ${(fs.statSync(file).size / 1e6).toFixed(1)} MB (+ WAL ${(fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size / 1e6 : 0).toFixed(1)} MB)`);

  const filterFor = (): DocumentEntryFilter => {
    const from = 2010 + Math.floor(r() * 12);
    return {
      patientId: patient(Math.floor(r() * PATIENTS)),
      statuses: [AVAILABILITY_STATUS.Approved],
      classCodes: [{ code: pick(r, CLASS_CODES), scheme: CLASS_SCHEME }, { code: pick(r, CLASS_CODES), scheme: CLASS_SCHEME }],
      creationTime: { from: String(from), to: String(from + 3 + Math.floor(r() * 4)) },
    };
  };

  for (let i = 0; i < 200; i++) await store.findDocumentEntries(filterFor()); // warm-up
  const times: number[] = [];
  let hits = 0;
  for (let i = 0; i < 5000; i++) {
    const f = filterFor();
    const s = process.hrtime.bigint();
    hits += (await store.findDocumentEntries(f)).length;
    times.push(Number(process.hrtime.bigint() - s) / 1e3);
  }
  times.sort((a, b) => a - b);
  console.log(`FindDocuments-shaped x${times.length}: p50 ${percentile(times, 0.5).toFixed(0)} µs, p99 ${percentile(times, 0.99).toFixed(0)} µs, max ${percentile(times, 1).toFixed(0)} µs; avg ${(hits / times.length).toFixed(2)} entries returned`);

  const uidTimes: number[] = [];
  const sample = await store.findDocumentEntries({ statuses: [AVAILABILITY_STATUS.Approved] }, 1000);
  for (let i = 0; i < 2000; i++) {
    const s = process.hrtime.bigint();
    await store.getObjects([pick(r, sample).entryUuid.toUpperCase()]);
    uidTimes.push(Number(process.hrtime.bigint() - s) / 1e3);
  }
  uidTimes.sort((a, b) => a - b);
  console.log(`getObjects(1 id) x${uidTimes.length}: p50 ${percentile(uidTimes, 0.5).toFixed(0)} µs, p99 ${percentile(uidTimes, 0.99).toFixed(0)} µs`);
  await store.close();

  const db = new Database(file, { readonly: true });
  const q = selectObjects('document_entries', documentEntryWhere(filterFor()));
  console.log('EXPLAIN QUERY PLAN', q.sql);
  for (const row of db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[]) console.log('  ', row.detail);
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
