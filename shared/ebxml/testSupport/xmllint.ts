/**
 * Test support only: validate many XML strings against one XSD with a single xmllint process.
 * xmllint must be installed (CI installs libxml2-utils); a missing binary fails the calling test.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SCHEMA_DIR } from './corpus';

export interface SchemaResult {
  valid: boolean;
  /** xmllint's error lines for this document (empty when valid). */
  errors: string[];
}

export function validateAgainst(schemaFile: string, documents: string[]): SchemaResult[] {
  if (documents.length === 0) return [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xds-xsd-'));
  try {
    const files = documents.map((xml, i) => {
      const f = path.join(dir, `doc${i}.xml`);
      fs.writeFileSync(f, xml);
      return f;
    });
    const run = spawnSync('xmllint', ['--noout', '--nonet', '--schema', path.join(SCHEMA_DIR, schemaFile), ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.error) throw new Error(`xmllint could not run (install libxml2-utils): ${run.error.message}`);
    const lines = run.stderr.split('\n');
    return files.map((f) => ({
      valid: lines.includes(`${f} validates`),
      errors: lines.filter((l) => l.startsWith(`${f}:`)),
    }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
