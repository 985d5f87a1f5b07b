import type { Classification, ExtrinsicObject, RegistryObjectListItem, RegistryPackage } from '../ebxml/types';
import { CLASSIFICATION_SCHEME as CS, IDENTIFICATION_SCHEME as IS, NODE, OBJECT_TYPE } from './constants';
import { isUuidUrn } from './datatypes';
import { submissionFromEbxml } from './fromEbxml';
import type { DocumentEntry } from './model';
import { subObjectId } from './subObjectId';
import { sampleDocumentEntry, sampleSubmission } from './testSupport/samples';
import { submissionToEbxml, xdsObjectToEbxml } from './toEbxml';

/** A copy without any `id` key (sub-object ids), to compare a code-built model with its parsed form. */
function withoutIds(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutIds);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'id').map(([k, x]) => [k, withoutIds(x)]));
  return v;
}

function byScheme(o: { classifications: Classification[] }, scheme: string): Classification[] {
  return o.classifications.filter((c) => c.classificationScheme === scheme);
}

describe('subObjectId', () => {
  it('derives a stable name-based UUID from a urn:uuid: owner (case-insensitive) and the role', () => {
    const owner = 'urn:uuid:7d9e1f5c-7d8b-4a7a-9f3e-7e6b2b1c0a01';
    const id = subObjectId(owner, 'classCode');
    expect(isUuidUrn(id)).toBe(true);
    expect(id[23]).toBe('5'); // version nibble: urn:uuid:xxxxxxxx-xxxx-5xxx
    expect(subObjectId(owner.toUpperCase().replace('URN:UUID:', 'urn:uuid:'), 'classCode')).toBe(id);
    expect(subObjectId(owner, 'typeCode')).not.toBe(id);
    expect(subObjectId('urn:uuid:00000000-0000-4000-8000-000000000000', 'classCode')).not.toBe(id);
  });

  it('keeps symbolic owners symbolic', () => {
    expect(subObjectId('Document01', 'author.0')).toBe('Document01.author.0');
  });
});

describe('xdsObjectToEbxml', () => {
  it('writes a code-built DocumentEntry with generated sub-object ids, owner references and standard objectTypes', () => {
    const eo = xdsObjectToEbxml(sampleDocumentEntry()) as ExtrinsicObject;
    expect(eo).toMatchObject({ kind: 'ExtrinsicObject', id: 'Document01', mimeType: 'text/plain', objectType: OBJECT_TYPE.stableDocumentEntry });
    expect(eo.slots.map((s) => s.name)).toEqual([
      'creationTime',
      'languageCode',
      'sourcePatientId',
      'sourcePatientInfo',
      'hash',
      'size',
      'repositoryUniqueId',
      'urn:ihe:iti:xds:2013:referenceIdList',
      'urn:example:extra',
    ]);
    const [classCode] = byScheme(eo, CS.classCode);
    expect(classCode).toEqual({
      kind: 'Classification',
      id: 'Document01.classCode',
      objectType: OBJECT_TYPE.classification,
      classifiedObject: 'Document01',
      classificationScheme: CS.classCode,
      nodeRepresentation: '11490-0',
      slots: [{ name: 'codingScheme', values: ['2.16.840.1.113883.6.1'] }],
      name: [{ value: 'Discharge' }],
      classifications: [],
      externalIdentifiers: [],
    });
    expect(byScheme(eo, CS.eventCode).map((c) => c.id)).toEqual(['Document01.eventCodes.0', 'Document01.eventCodes.1']);
    const [author] = byScheme(eo, CS.docAuthor);
    expect(author).toMatchObject({ id: 'Document01.author.0', nodeRepresentation: '' });
    expect(author.slots.map((s) => s.name)).toEqual(['authorPerson', 'authorInstitution', 'authorRole', 'authorTelecommunication']);
    expect(eo.externalIdentifiers).toEqual([
      expect.objectContaining({ id: 'Document01.patientId', registryObject: 'Document01', identificationScheme: IS.docPatientId, objectType: OBJECT_TYPE.externalIdentifier }),
      expect.objectContaining({ id: 'Document01.uniqueId', identificationScheme: IS.docUniqueId, value: '1.2.3.4.5.6.7^ext' }),
    ]);
  });

  it('keeps recorded sub-object ids and follows a changed entryUuid (e.g. after the registry assigned UUIDs)', () => {
    const [parsed] = submissionFromEbxml(submissionToEbxml({ ...sampleSubmission(), submissionSets: [], folders: [], associations: [] })).documentEntries;
    const renamed: DocumentEntry = { ...parsed, entryUuid: 'urn:uuid:11111111-2222-4333-8444-555555555555' };
    const eo = xdsObjectToEbxml(renamed) as ExtrinsicObject;
    expect(eo.classifications.every((c) => c.classifiedObject === renamed.entryUuid)).toBe(true);
    expect(eo.externalIdentifiers.every((e) => e.registryObject === renamed.entryUuid)).toBe(true);
    expect(byScheme(eo, CS.classCode)[0].id).toBe('Document01.classCode');
  });

  it('always nests the type marker of a standalone SubmissionSet / Folder', () => {
    const { submissionSets, folders } = sampleSubmission();
    const ss = xdsObjectToEbxml(submissionSets[0]) as RegistryPackage; // recorded as a sibling marker
    expect(ss.objectType).toBe(OBJECT_TYPE.registryPackage);
    expect(ss.classifications[0]).toMatchObject({ id: 'SubmissionSet01.marker', classificationNode: NODE.submissionSet, classifiedObject: 'SubmissionSet01' });
    const folder = xdsObjectToEbxml(folders[0]) as RegistryPackage;
    expect(folder.classifications[0]).toMatchObject({ id: subObjectId(folders[0].entryUuid, 'marker'), classificationNode: NODE.folder });
  });

  it('gives a package built without a marker a nested one, which reads back as recorded', () => {
    const { marker: _, ...unmarked } = sampleSubmission().folders[0];
    const [back] = submissionFromEbxml([xdsObjectToEbxml(unmarked)]).folders;
    expect(back.marker).toEqual({ id: subObjectId(unmarked.entryUuid, 'marker'), nested: true });
  });

  it('writes an association with its objectType, slots and documentation code', () => {
    const a = xdsObjectToEbxml({
      type: 'Association',
      entryUuid: 'as',
      associationType: 'urn:ihe:iti:2007:AssociationType:RPLC',
      sourceObject: 'a',
      targetObject: 'b',
      submissionSetStatus: ['Original'],
      documentation: { code: 'c', scheme: 's' },
      extraSlots: [{ name: 'urn:x', values: [] }],
    });
    expect(a).toMatchObject({ kind: 'Association', objectType: OBJECT_TYPE.association, sourceObject: 'a', targetObject: 'b' });
    expect(a.slots).toEqual([
      { name: 'SubmissionSetStatus', values: ['Original'] },
      { name: 'urn:x', values: [] },
    ]);
    expect(a.classifications[0]).toMatchObject({ id: 'as.documentation', classificationScheme: CS.associationDocumentation, nodeRepresentation: 'c' });
  });
});

describe('submissionToEbxml', () => {
  it('emits a recorded sibling marker right after its package, and a nested one inside', () => {
    const out = submissionToEbxml(sampleSubmission());
    const ids = out.map((o: RegistryObjectListItem) => `${o.kind}:${o.id}`);
    const ssAt = ids.indexOf('RegistryPackage:SubmissionSet01');
    expect(ids[ssAt + 1]).toBe('Classification:SubmissionSet01.marker');
    const folder = out.find((o) => o.kind === 'RegistryPackage' && o.id !== 'SubmissionSet01') as RegistryPackage;
    expect(folder.classifications.some((c) => c.classificationNode === NODE.folder)).toBe(true);
    const ss = out[ssAt] as RegistryPackage;
    expect(ss.classifications.some((c) => c.classificationNode === NODE.submissionSet)).toBe(false);
  });

  it('model → ebXML → model keeps everything; only the generated sub-object ids are new, and they are stable', () => {
    const sample = sampleSubmission();
    const once = submissionFromEbxml(submissionToEbxml(sample));
    expect(withoutIds(once)).toEqual(withoutIds(sample));
    expect(submissionFromEbxml(submissionToEbxml(once))).toEqual(once);
    expect(once.submissionSets[0].marker).toEqual({ id: 'SubmissionSet01.marker', nested: false });
  });
});
