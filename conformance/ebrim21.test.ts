import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseXml } from '../shared/xml/parse';
import type { XmlElement } from '../shared/xml/tree';
import { NS } from '../shared/xml/namespaces';
import { convertEbrim21, isEbrim21, repairEbrim30Schema } from './ebrim21';
import { allElements, serializeXml } from './xmlTree';

const CORPUS = path.resolve(__dirname, '../../shared/conformance/corpus');
const SCHEMAS = path.resolve(__dirname, '../../shared/schemas');

function xmlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? xmlFiles(p) : d.name.endsWith('.xml') ? [p] : [];
  });
}

/** Structure of a submission without the values that differ between runs and testkit revisions. */
function shape(el: XmlElement, depth = 0): string[] {
  const volatile = new Set(['id', 'registryObject', 'value', 'classifiedObject', 'sourceObject', 'targetObject', 'nodeRepresentation', 'mimeType']);
  const attrs = Object.keys(el.attrs)
    .filter((k) => !volatile.has(k))
    .sort()
    .map((k) => `${k}=${el.attrs[k] ?? ''}`)
    .join(' ');
  return [`${'  '.repeat(depth)}{${el.ns}}${el.local} ${attrs}`, ...el.children.flatMap((c) => shape(c, depth + 1))];
}

function xmllintValidates(files: string[], schema: string): string {
  try {
    execFileSync('xmllint', ['--noout', '--nonet', '--schema', schema, ...files], { stdio: 'pipe' });
    return '';
  } catch (e) {
    return String((e as { stderr?: Buffer }).stderr ?? e);
  }
}

describe('ebRIM 2.1 → 3.0', () => {
  it('produces what the toolkit sent for the same two-document submission (pnr-log.xml oracle)', () => {
    const log = parseXml(fs.readFileSync(path.join(CORPUS, 'iti41/nist-wire/messagevalidator/pnr-log.xml')));
    const oracle = allElements(log).find((e) => e.local === 'SubmitObjectsRequest');
    if (!oracle) throw new Error('oracle has no SubmitObjectsRequest');
    const input = parseXml(fs.readFileSync(path.join(CORPUS, 'iti41/nist-testkit/11979/submit/two_doc.xml')));
    expect(isEbrim21(input)).toBe(true);
    const converted = convertEbrim21(input);
    expect(shape(converted)).toEqual(shape(oracle));
  });

  it('gives ids, registryObject and the standard objectTypes, and drops ObjectRefs', () => {
    const input = parseXml(fs.readFileSync(path.join(CORPUS, 'iti42/nist-testkit/11992/rplc/metadata.xml')));
    const out = convertEbrim21(input);
    const all = allElements(out);
    expect(all.some((e) => e.local === 'ObjectRef')).toBe(false);
    expect(all.every((e) => e.ns === NS.lcm || e.ns === NS.rim)).toBe(true);
    for (const e of all.filter((x) => ['Classification', 'Association', 'ExternalIdentifier'].includes(x.local))) expect(e.attrs.id).toMatch(/^id_\d+$/);
    const eo = all.find((e) => e.local === 'ExtrinsicObject');
    for (const ei of eo?.children.filter((c) => c.local === 'ExternalIdentifier') ?? []) expect(ei.attrs.registryObject).toBe('Document01');
    expect(eo?.children.map((c) => c.local).indexOf('Name')).toBeGreaterThan(eo?.children.map((c) => c.local).lastIndexOf('Slot') ?? 99);
    const rplc = all.find((e) => e.local === 'Association' && e.attrs.targetObject === '$rplc_doc_uuid$');
    expect(rplc?.attrs.associationType).toBe('urn:ihe:iti:2007:AssociationType:RPLC');
    expect(rplc?.attrs.objectType).toBe('urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Association');
  });

  it('turns every ebRIM 2.1 file of the corpus into a schema-valid lcm:SubmitObjectsRequest', () => {
    const files = xmlFiles(CORPUS).filter((f) => fs.readFileSync(f, 'utf8').includes('urn:oasis:names:tc:ebxml-regrep:rim:xsd:2.1'));
    expect(files.length).toBe(120);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebrim21-'));
    try {
      const written = files.map((f, i) => {
        const text = fs.readFileSync(f, 'utf8').replace(/\$[A-Za-z_][A-Za-z0-9_.]*\$/g, 'urn:uuid:00000000-0000-4000-8000-000000000000');
        const out = path.join(dir, `${i}.xml`);
        fs.writeFileSync(out, serializeXml(convertEbrim21(parseXml(text))));
        return out;
      });
      expect(xmllintValidates(written, path.join(SCHEMAS, 'lcm.xsd'))).toBe('');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('repairs hand-written ebRIM 3.0 (dcm4chee sq/) into schema order with registryObject', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'repair-'));
    try {
      const sq = path.join(CORPUS, 'iti42/dcm4chee-xds2/sq');
      const files = fs.readdirSync(sq).map((f) => path.join(sq, f));
      expect(xmllintValidates(files, path.join(SCHEMAS, 'lcm.xsd'))).not.toBe('');
      const repaired = files.map((f, i) => {
        const root = parseXml(fs.readFileSync(f));
        expect(repairEbrim30Schema(root)).toBeGreaterThan(0);
        const out = path.join(dir, `${i}.xml`);
        fs.writeFileSync(out, serializeXml(root));
        return out;
      });
      expect(xmllintValidates(repaired, path.join(SCHEMAS, 'lcm.xsd'))).toBe('');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses what is not a 2.1 SubmitObjectsRequest', () => {
    expect(() => convertEbrim21(parseXml('<x xmlns="urn:oasis:names:tc:ebxml-regrep:rim:xsd:2.1"/>'))).toThrow(/LeafRegistryObjectList/);
    expect(isEbrim21(parseXml(`<lcm:SubmitObjectsRequest xmlns:lcm="${NS.lcm}"/>`))).toBe(false);
  });
});
