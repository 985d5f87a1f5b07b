/**
 * Test support only: a complete XDS submission built in code (as the registry or a test client would),
 * with sub-object ids left out so toEbxml has to generate them.
 */
import type { Code, DocumentEntry, Folder, Submission, SubmissionSet, XdsAssociation } from '../model';
import { ASSOCIATION_TYPE, OBJECT_TYPE } from '../constants';

const PID = 'P-1001^^^&1.2.3.4.100&ISO';

function code(code: string, scheme: string, display: string): Code {
  return { code, scheme, displayName: [{ value: display }] };
}

export function sampleDocumentEntry(entryUuid = 'Document01'): DocumentEntry {
  return {
    type: 'DocumentEntry',
    entryUuid,
    objectType: OBJECT_TYPE.stableDocumentEntry,
    mimeType: 'text/plain',
    title: [{ value: 'Discharge summary', lang: 'en-US' }],
    patientId: { value: PID, name: [{ value: 'XDSDocumentEntry.patientId' }] },
    uniqueId: { value: '1.2.3.4.5.6.7^ext', name: [{ value: 'XDSDocumentEntry.uniqueId' }] },
    classCode: code('11490-0', '2.16.840.1.113883.6.1', 'Discharge'),
    typeCode: code('18842-5', '2.16.840.1.113883.6.1', 'Discharge summary'),
    formatCode: code('urn:ihe:pcc:xphr:2007', '1.3.6.1.4.1.19376.1.2.3', 'PHR'),
    healthcareFacilityTypeCode: code('hosp', '1.2.3', 'Hospital'),
    practiceSettingCode: code('gen', '1.2.3', 'General'),
    confidentialityCodes: [code('N', '2.16.840.1.113883.5.25', 'Normal')],
    eventCodes: [code('e1', '1.2.3', 'Event one'), code('e2', '1.2.3', 'Event two')],
    authors: [{ person: '^Welby^Marcus^^^Dr', institutions: ['Some Hospital^^^^^^^^^1.2.3.9.1789.45'], roles: ['Attending'], specialties: [], telecoms: ['^^Internet^mwel@example.org'] }],
    creationTime: ['20240131120000'],
    languageCode: ['en-US'],
    sourcePatientId: [PID],
    sourcePatientInfo: ['PID-3|P-1001^^^&1.2.3.4.100&ISO', 'PID-5|Doe^Jane^^^'],
    hash: ['da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    size: ['0'],
    repositoryUniqueId: ['1.2.3.4'],
    referenceIds: ['ref1^^^&1.2.3&ISO^urn:ihe:iti:xds:2013:order'],
    extraSlots: [{ name: 'urn:example:extra', values: ['a', 'b'] }],
  };
}

export function sampleSubmission(): Submission {
  const ss: SubmissionSet = {
    type: 'SubmissionSet',
    entryUuid: 'SubmissionSet01',
    patientId: { value: PID },
    uniqueId: { value: '1.2.3.4.5.99' },
    sourceId: { value: '1.2.3.4.5' },
    contentTypeCode: code('ct', '1.2.3', 'Content'),
    authors: [{ institutions: ['Some Hospital'], roles: [], specialties: [], telecoms: [] }],
    submissionTime: ['20240131120000'],
    intendedRecipients: ['Some Hospital^^^^^^^^^1.2.3.9.1789.45|^Wel^Marcus^^^Dr^MD|^^Internet^mwel@example.org'],
    marker: { nested: false },
    extraSlots: [],
  };
  const folder: Folder = {
    type: 'Folder',
    entryUuid: 'urn:uuid:7d9e1f5c-7d8b-4a7a-9f3e-7e6b2b1c0a01',
    title: [{ value: 'Folder' }],
    patientId: { value: PID },
    uniqueId: { value: '1.2.3.4.5.100' },
    codes: [code('f1', '1.2.3', 'Folder code')],
    marker: { nested: true },
    extraSlots: [],
  };
  const member = (id: string, target: string, status?: string): XdsAssociation => ({
    type: 'Association',
    entryUuid: id,
    associationType: ASSOCIATION_TYPE.HasMember,
    sourceObject: 'SubmissionSet01',
    targetObject: target,
    ...(status ? { submissionSetStatus: [status] } : {}),
    extraSlots: [],
  });
  return {
    submissionSets: [ss],
    documentEntries: [sampleDocumentEntry()],
    folders: [folder],
    associations: [member('as01', 'Document01', 'Original'), member('as02', folder.entryUuid)],
    unclassified: [],
  };
}
