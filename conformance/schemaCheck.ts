/**
 * XSD validation of every answer, as the toolkit does: each SOAP envelope (MTOM roots reconstituted: xop:Include
 * replaced by the base64 of its part) is written to a temp file, and xmllint validates them in batches against a
 * driver schema that imports the SOAP 1.2 envelope and the ebRS/XDS.b schemas from the shared folder. The
 * envelope's Body is `lax`, so the body element is validated by its own schema.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { MimePart } from './mime';
import { contentIdFromHref } from './mime';

const run = promisify(execFile);

export function driverSchema(schemas: string): string {
  const imp = (ns: string, file: string): string => `  <xs:import namespace="${ns}" schemaLocation="${path.join(schemas, file)}"/>\n`;
  return (
    `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:xds-node:conformance:driver">\n` +
    imp('http://www.w3.org/2003/05/soap-envelope', 'soap-1.2-envelope.xsd') +
    imp('urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0', 'rs.xsd') +
    imp('urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0', 'query.xsd') +
    imp('urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0', 'lcm.xsd') +
    imp('urn:ihe:iti:xds-b:2007', 'XDS.b_DocumentRepository.xsd') +
    `</xs:schema>\n`
  );
}

const XOP_INCLUDE = /<([A-Za-z_][\w.-]*:)?Include\b[^>]*?\bhref\s*=\s*["']([^"']*)["'][^>]*?(?:\/>|>\s*<\/(?:[A-Za-z_][\w.-]*:)?Include\s*>)/g;

/** The envelope with each xop:Include replaced by the base64 of the MIME part it names. */
export function reconstituteXop(envelope: Buffer, attachments: ReadonlyMap<string, MimePart>): Buffer {
  if (attachments.size === 0) return envelope;
  const text = envelope.toString('utf8');
  const out = text.replace(XOP_INCLUDE, (whole, _prefix: string | undefined, href: string) => {
    const part = attachments.get(contentIdFromHref(href));
    return part ? part.body.toString('base64') : whole;
  });
  return Buffer.from(out, 'utf8');
}

export async function xmllintAvailable(): Promise<boolean> {
  try {
    await run('xmllint', ['--version']);
    return true;
  } catch {
    return false;
  }
}

/** Parse xmllint's stderr: problems per file (files that validate get an empty list). */
export function parseXmllintOutput(stderr: string, files: string[]): Map<string, string[]> {
  const result = new Map<string, string[]>(files.map((f) => [f, []]));
  const byLength = [...files].sort((a, b) => b.length - a.length);
  for (const line of stderr.split(/\r?\n/)) {
    const file = byLength.find((f) => line.startsWith(`${f}:`) || line.startsWith(`${f} `));
    if (!file) continue;
    if (line === `${file} validates`) continue;
    if (line === `${file} fails to validate`) {
      const list = result.get(file) ?? [];
      if (list.length === 0) list.push('fails to validate');
      result.set(file, list);
      continue;
    }
    const list = result.get(file) ?? [];
    const message = line.slice(file.length + 1).replace(/^\d+:\s*/, '');
    if (list[0] === 'fails to validate') list.shift();
    list.push(message);
    result.set(file, list);
  }
  return result;
}

export class SchemaBatch {
  private readonly files = new Map<string, string>();
  private seq = 0;

  constructor(
    private readonly dir: string,
    private readonly schemas: string,
  ) {
    fs.mkdirSync(dir, { recursive: true });
  }

  /** Queue an envelope for validation under a key; returns the file written. */
  add(key: string, envelope: Buffer): string {
    const file = path.join(this.dir, `${String(++this.seq).padStart(4, '0')}.xml`);
    fs.writeFileSync(file, envelope);
    this.files.set(key, file);
    return file;
  }

  get size(): number {
    return this.files.size;
  }

  /** Validate everything queued: problems per key (empty list = valid). */
  async validate(batchSize = 150): Promise<Map<string, string[]>> {
    const driver = path.join(this.dir, 'driver.xsd');
    fs.writeFileSync(driver, driverSchema(this.schemas));
    const entries = [...this.files];
    const problems = new Map<string, string[]>();
    for (let i = 0; i < entries.length; i += batchSize) {
      const batch = entries.slice(i, i + batchSize);
      const files = batch.map(([, f]) => f);
      let stderr = '';
      try {
        const res = await run('xmllint', ['--noout', '--nonet', '--schema', driver, ...files], { maxBuffer: 64 * 1024 * 1024 });
        stderr = res.stderr;
      } catch (e) {
        // exit code 3 = some file failed to validate; the details are on stderr.
        stderr = (e as { stderr?: string }).stderr ?? String(e);
      }
      const perFile = parseXmllintOutput(stderr, files);
      for (const [key, file] of batch) problems.set(key, perFile.get(file) ?? ['no verdict from xmllint']);
    }
    return problems;
  }
}
