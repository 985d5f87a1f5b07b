/**
 * Test support for the suites that need a real MongoDB: they run only when MONGODB_URL is set (a replica set,
 * e.g. mongodb://localhost:27017/xds_test?replicaSet=rs0; docs/MONGODB.md). Otherwise each such file registers
 * exactly one test, named "... NOT RUN: MONGODB_URL not set", that says so in the output and checks that the
 * variable really is unset: the suite is reported as not run, never skipped and never passed.
 */
import { randomBytes } from 'node:crypto';

/** The URL of the MongoDB to test against, or undefined. */
export function liveMongoUrl(): string | undefined {
  const url = process.env.MONGODB_URL?.trim();
  return url === undefined || url === '' ? undefined : url;
}

/** The one test a live suite registers when there is no server. */
export function reportLiveSuiteNotRun(suite: string): void {
  const reason = `${suite} NOT RUN: MONGODB_URL not set`;
  it(reason, () => {
    console.warn(`${reason} (set MONGODB_URL to a replica set to run it; docs/MONGODB.md)`);
    expect(process.env.MONGODB_URL?.trim() ?? '').toBe('');
  });
}

/** A database name no other test run uses (dropped by the test when done). */
export function freshDatabaseName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}
