import fs from 'node:fs';
import path from 'node:path';
import { parseXml } from '../shared/xml/parse';
import { IDENTIFICATION_SCHEME } from '../shared/xds/constants';
import { convertEbrim21 } from './ebrim21';
import { prepareSubmission, uniqueIdFactory } from './metadataPrep';
import { allElements } from './xmlTree';

const CORPUS = path.resolve(__dirname, '../../shared/conformance/corpus');

function submission(rel: string) {
  const text = fs.readFileSync(path.join(CORPUS, rel), 'utf8').replace(/\$rplc_doc_uuid\$/g, 'urn:uuid:11111111-2222-4333-8444-555555555555');
  return convertEbrim21(parseXml(text));
}

const valueOf = (root: ReturnType<typeof submission>, scheme: string): string[] =>
  allElements(root)
    .filter((e) => e.local === 'ExternalIdentifier' && e.attrs.identificationScheme === scheme)
    .map((e) => e.attrs.value ?? '');

describe('toolkit-style metadata preparation', () => {
  it('rewrites patient ids, uniqueIds and sourceId and records them per symbol', () => {
    const sor = submission('iti42/nist-testkit/11992/rplc/metadata.xml');
    const next = uniqueIdFactory(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)));
    const a = prepareSubmission(sor, { patientId: 'P^^^&1.2&ISO', assignUids: 'all', newUniqueId: next, sourceId: '1.2.42.1', assignUuids: false });
    expect(valueOf(sor, IDENTIFICATION_SCHEME.docPatientId)).toEqual(['P^^^&1.2&ISO']);
    expect(valueOf(sor, IDENTIFICATION_SCHEME.ssPatientId)).toEqual(['P^^^&1.2&ISO']);
    expect(valueOf(sor, IDENTIFICATION_SCHEME.ssSourceId)).toEqual(['1.2.42.1']);
    expect([...a.uids]).toEqual([
      ['Document01', '1.2.42.20240102030405.1'],
      ['SubmissionSet01', '1.2.42.20240102030405.2'],
    ]);
    expect(a.patientIds.get('SubmissionSet01')).toBe('P^^^&1.2&ISO');
    expect(a.uuids.size).toBe(0);
    expect(allElements(sor).find((e) => e.local === 'ExtrinsicObject')?.attrs.id).toBe('Document01');
  });

  it('keeps patient ids with NoPatientId and the listed uniqueIds with NoAssignUids', () => {
    const sor = submission('iti42/nist-testkit/11992/rplc/metadata.xml');
    const a = prepareSubmission(sor, { assignUids: { except: new Set(['Document01']) }, newUniqueId: () => 'NEW', assignUuids: false });
    expect(valueOf(sor, IDENTIFICATION_SCHEME.docPatientId)).toEqual(['$patientid$']);
    expect(a.uids.get('Document01')).toBe('Document01');
    expect(a.uids.get('SubmissionSet01')).toBe('NEW');
  });

  it('with AssignUuids turns symbolic ids into urn:uuid and rewrites every reference to them', () => {
    const sor = submission('iti42/nist-testkit/11992/rplc/metadata.xml');
    let n = 0;
    const a = prepareSubmission(sor, { assignUids: 'none', newUniqueId: () => 'x', assignUuids: true, newUuid: () => `urn:uuid:00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` });
    const doc = a.uuids.get('Document01');
    const ss = a.uuids.get('SubmissionSet01');
    expect(doc).toMatch(/^urn:uuid:/);
    const all = allElements(sor);
    expect(all.every((e) => e.attrs.id === undefined || e.attrs.id.startsWith('urn:uuid:'))).toBe(true);
    const hasMember = all.find((e) => e.local === 'Association' && e.attrs.associationType?.endsWith('HasMember'));
    expect([hasMember?.attrs.sourceObject, hasMember?.attrs.targetObject]).toEqual([ss, doc]);
    const rplc = all.find((e) => e.local === 'Association' && e.attrs.associationType?.endsWith('RPLC'));
    expect([rplc?.attrs.sourceObject, rplc?.attrs.targetObject]).toEqual([doc, 'urn:uuid:11111111-2222-4333-8444-555555555555']);
    for (const ei of all.filter((e) => e.local === 'ExternalIdentifier')) expect([doc, ss]).toContain(ei.attrs.registryObject);
    // the uniqueId value is not an id: it keeps its (symbolic) value when uniqueIds are not assigned
    expect(a.uids.get('Document01')).toBe('Document01');
  });
});
