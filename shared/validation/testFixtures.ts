/**
 * A complete, valid XDS submission in model form for tests: one SubmissionSet, two DocumentEntries, one Folder,
 * and the HasMember associations SS->DE (x2, Original), SS->Folder, Folder->DE1 and SS->(Folder->DE1).
 * Valid for ITI-41 and ITI-42 (hash, size and repositoryUniqueId are filled in).
 * Every call returns fresh objects, so a test may mutate them freely.
 */
import { ASSOCIATION_TYPE, OBJECT_TYPE } from '../xds/constants';
import type { Author, Code, DocumentEntry, Folder, Submission, SubmissionSet, XdsAssociation } from '../xds/model';

export const FIXTURE_PATIENT_ID = 'P-1001^^^&1.2.3.4.100&ISO';

export const FIXTURE_IDS = {
  submissionSet: 'SubmissionSet01',
  document1: 'Document01',
  document2: 'Document02',
  folder: 'Folder01',
  ssToDoc1: 'urn:uuid:0b8d3a5e-6a0c-4d54-9a55-7c3c2f1e0001',
  ssToDoc2: 'urn:uuid:0b8d3a5e-6a0c-4d54-9a55-7c3c2f1e0002',
  ssToFolder: 'urn:uuid:0b8d3a5e-6a0c-4d54-9a55-7c3c2f1e0003',
  folderToDoc1: 'urn:uuid:0b8d3a5e-6a0c-4d54-9a55-7c3c2f1e0004',
  ssToFolderMembership: 'urn:uuid:0b8d3a5e-6a0c-4d54-9a55-7c3c2f1e0005',
} as const;

function code(codeValue: string, scheme: string, display: string, id: string): Code {
  return { code: codeValue, scheme, displayName: [{ value: display }], id };
}

function author(id: string): Author {
  return {
    id,
    person: '^Welby^Marcus^^^Dr^MD',
    institutions: ['Some Hospital^^^^^^^^^1.2.3.9.1789.45'],
    roles: ['Attending'],
    specialties: ['Orthopedic'],
    telecoms: ['^^Internet^mwel@healthcare.example.org'],
  };
}

function documentEntry(n: 1 | 2): DocumentEntry {
  const id = n === 1 ? FIXTURE_IDS.document1 : FIXTURE_IDS.document2;
  return {
    type: 'DocumentEntry',
    entryUuid: id,
    objectType: OBJECT_TYPE.stableDocumentEntry,
    mimeType: n === 1 ? 'text/xml' : 'application/pdf',
    title: [{ value: `Document ${n}` }],
    extraSlots: [],
    patientId: { value: FIXTURE_PATIENT_ID, id: `${id}-patientId` },
    uniqueId: { value: `1.2.3.4.5.6.${n}`, id: `${id}-uniqueId` },
    classCode: code('Communication', '1.3.6.1.4.1.19376.1.2.6.1', 'Communication', `${id}-classCode`),
    typeCode: code('34108-1', '2.16.840.1.113883.6.1', 'Outpatient Note', `${id}-typeCode`),
    formatCode: code('urn:ihe:iti:xds-sd:text:2008', '1.3.6.1.4.1.19376.1.2.3', 'XDS-SD Text', `${id}-formatCode`),
    healthcareFacilityTypeCode: code('Outpatient', '1.3.6.1.4.1.21367.2017.3', 'Outpatient', `${id}-hcft`),
    practiceSettingCode: code('General Medicine', '1.3.6.1.4.1.21367.2017.3', 'General Medicine', `${id}-practice`),
    confidentialityCodes: [code('N', '2.16.840.1.113883.5.25', 'Normal', `${id}-conf`)],
    eventCodes: [code('ANNUAL', '1.3.6.1.4.1.21367.2017.3', 'Annual visit', `${id}-event`)],
    authors: [author(`${id}-author`)],
    creationTime: ['20240131120000'],
    serviceStartTime: ['202401311000'],
    serviceStopTime: ['202401311100'],
    languageCode: ['en-US'],
    sourcePatientId: ['89765a87b^^^&3.4.5&ISO'],
    sourcePatientInfo: ['PID-3|89765a87b^^^&3.4.5&ISO', 'PID-5|Doe^Jane^^^', 'PID-7|19700101', 'PID-8|F'],
    legalAuthenticator: ['^Welby^Marcus^^^Dr^MD'],
    hash: [n === 1 ? 'da39a3ee5e6b4b0d3255bfef95601890afd80709' : 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    size: [n === 1 ? '0' : '3'],
    repositoryUniqueId: ['1.3.6.1.4.1.21367.2010.1.2.1125'],
    referenceIds: ['ref-77^^^&1.2.3.4.77&ISO^urn:ihe:iti:xds:2013:order'],
  };
}

function submissionSet(): SubmissionSet {
  const id = FIXTURE_IDS.submissionSet;
  return {
    type: 'SubmissionSet',
    entryUuid: id,
    title: [{ value: 'Annual physical' }],
    extraSlots: [],
    patientId: { value: FIXTURE_PATIENT_ID, id: `${id}-patientId` },
    uniqueId: { value: '1.2.3.4.5.6.100', id: `${id}-uniqueId` },
    sourceId: { value: '1.3.6.1.4.1.21367.2010.1.2', id: `${id}-sourceId` },
    contentTypeCode: code('History and Physical', '1.3.6.1.4.1.21367.100.1', 'History and Physical', `${id}-contentType`),
    authors: [author(`${id}-author`)],
    submissionTime: ['20240131123000'],
    intendedRecipients: ['Some Hospital^^^^^^^^^1.2.3.9.1789.45|^Wel^Marcus^^^Dr^MD'],
    marker: { id: `${id}-marker`, nested: false },
  };
}

function folder(): Folder {
  const id = FIXTURE_IDS.folder;
  return {
    type: 'Folder',
    entryUuid: id,
    title: [{ value: 'Referrals' }],
    comments: [{ value: 'Folder for the referral documents' }],
    extraSlots: [],
    patientId: { value: FIXTURE_PATIENT_ID, id: `${id}-patientId` },
    uniqueId: { value: '1.2.3.4.5.6.200', id: `${id}-uniqueId` },
    codes: [code('Referrals', '1.3.6.1.4.1.21367.100.1', 'Referrals', `${id}-code`)],
    marker: { id: `${id}-marker`, nested: false },
  };
}

function hasMember(id: string, source: string, target: string, submissionSetStatus?: string): XdsAssociation {
  const a: XdsAssociation = {
    type: 'Association',
    entryUuid: id,
    associationType: ASSOCIATION_TYPE.HasMember,
    sourceObject: source,
    targetObject: target,
    extraSlots: [],
  };
  if (submissionSetStatus !== undefined) a.submissionSetStatus = [submissionSetStatus];
  return a;
}

export function buildValidSubmission(): Submission {
  const ids = FIXTURE_IDS;
  return {
    submissionSets: [submissionSet()],
    documentEntries: [documentEntry(1), documentEntry(2)],
    folders: [folder()],
    associations: [
      hasMember(ids.ssToDoc1, ids.submissionSet, ids.document1, 'Original'),
      hasMember(ids.ssToDoc2, ids.submissionSet, ids.document2, 'Original'),
      hasMember(ids.ssToFolder, ids.submissionSet, ids.folder),
      hasMember(ids.folderToDoc1, ids.folder, ids.document1),
      hasMember(ids.ssToFolderMembership, ids.submissionSet, ids.folderToDoc1),
    ],
    unclassified: [],
  };
}

// ---- helpers for mutations ----

export function firstDocumentEntry(s: Submission): DocumentEntry {
  const de = s.documentEntries[0];
  if (de === undefined) throw new Error('fixture has no DocumentEntry');
  return de;
}

export function secondDocumentEntry(s: Submission): DocumentEntry {
  const de = s.documentEntries[1];
  if (de === undefined) throw new Error('fixture has no second DocumentEntry');
  return de;
}

export function theSubmissionSet(s: Submission): SubmissionSet {
  const ss = s.submissionSets[0];
  if (ss === undefined) throw new Error('fixture has no SubmissionSet');
  return ss;
}

export function theFolder(s: Submission): Folder {
  const f = s.folders[0];
  if (f === undefined) throw new Error('fixture has no Folder');
  return f;
}

export function associationById(s: Submission, id: string): XdsAssociation {
  const a = s.associations.find((x) => x.entryUuid === id);
  if (a === undefined) throw new Error(`fixture has no association ${id}`);
  return a;
}

/** The first author of an object, for author mutations. */
export function firstAuthor(obj: DocumentEntry | SubmissionSet): Author {
  const a = obj.authors[0];
  if (a === undefined) throw new Error(`${obj.entryUuid} has no author`);
  return a;
}

/** Renames an object's id and every association end that points at it. */
export function renameObject(s: Submission, oldId: string, newId: string): Submission {
  for (const o of [...s.submissionSets, ...s.documentEntries, ...s.folders, ...s.associations]) {
    if (o.entryUuid === oldId) o.entryUuid = newId;
  }
  for (const a of s.associations) {
    if (a.sourceObject === oldId) a.sourceObject = newId;
    if (a.targetObject === oldId) a.targetObject = newId;
  }
  return s;
}

/** Sets the same patientId on the SubmissionSet, every DocumentEntry and every Folder. */
export function setPatientIdEverywhere(s: Submission, cx: string): Submission {
  for (const o of [...s.submissionSets, ...s.documentEntries, ...s.folders]) {
    o.patientId = { ...(o.patientId ?? {}), value: cx };
  }
  return s;
}
