/**
 * Complete XDS model objects for store tests: every attribute a registered object normally carries, with final
 * urn:uuid: ids, lid = entryUUID, version 1 and status Approved. Override any field per test.
 */
import { randomUUID } from 'node:crypto';
import {
  ASSOCIATION_TYPE,
  AVAILABILITY_STATUS,
  DOCUMENT_AVAILABILITY,
  IDENTIFICATION_SCHEME,
  OBJECT_TYPE,
} from '../../shared/xds/constants';
import type { Author, Code, DocumentEntry, Folder, Identifier, SubmissionSet, XdsAssociation } from '../../shared/xds/model';
import type { CodeMatch, SubmissionChanges } from './RegistryStore';

export const PATIENT_A = 'PA-1^^^&1.2.3.4.100&ISO';
export const PATIENT_B = 'PB-2^^^&1.2.3.4.100&ISO';

export function uuid(): string {
  return `urn:uuid:${randomUUID()}`;
}

let oidCounter = 0;
/** A fresh OID, for uniqueIds. */
export function oid(): string {
  oidCounter += 1;
  return `1.2.3.4.5.${process.pid}.${Date.now() % 100000}.${oidCounter}`;
}

/** A coded value with a display name and a Classification id, like one read from the wire. */
export function code(value: string, scheme: string, display = `${value} display`): Code {
  return { code: value, scheme, displayName: [{ value: display, lang: 'en-US' }], id: uuid() };
}

/** The CodeMatch a filter uses for a Code. */
export function matchOf(c: Code): CodeMatch {
  return { code: c.code, scheme: c.scheme };
}

export function identifier(value: string, scheme: string): Identifier {
  return { value, id: uuid(), name: [{ value: scheme }] };
}

export function author(person: string | undefined, extra: Partial<Author> = {}): Author {
  return {
    ...(person === undefined ? {} : { person }),
    institutions: ['Some Hospital^^^^^^^^^1.2.3.9.1789.45'],
    roles: ['Attending'],
    specialties: ['Orthopedic'],
    telecoms: ['^^Internet^doc@example.org'],
    id: uuid(),
    ...extra,
  };
}

export function makeDocumentEntry(overrides: Partial<DocumentEntry> = {}): DocumentEntry {
  const entryUuid = overrides.entryUuid ?? uuid();
  return {
    type: 'DocumentEntry',
    entryUuid,
    lid: entryUuid,
    version: '1',
    status: AVAILABILITY_STATUS.Approved,
    title: [{ value: 'Discharge summary', lang: 'en-US' }],
    comments: [{ value: 'fixture' }],
    extraSlots: [{ name: 'urn:example:extra', values: ['kept'] }],
    objectType: OBJECT_TYPE.stableDocumentEntry,
    mimeType: 'text/xml',
    patientId: identifier(PATIENT_A, IDENTIFICATION_SCHEME.docPatientId),
    uniqueId: identifier(oid(), IDENTIFICATION_SCHEME.docUniqueId),
    classCode: code('class-A', '1.3.6.1.4.1.19376.1.2.6.1'),
    typeCode: code('type-A', '2.16.840.1.113883.6.1'),
    formatCode: code('urn:ihe:pcc:xphr:2007', '1.3.6.1.4.1.19376.1.2.3'),
    healthcareFacilityTypeCode: code('hcft-A', '2.16.840.1.113883.5.11'),
    practiceSettingCode: code('practice-A', '2.16.840.1.113883.6.96'),
    confidentialityCodes: [code('N', '2.16.840.1.113883.5.25')],
    eventCodes: [],
    authors: [author('^Welby^Marcus^^^Dr')],
    creationTime: ['20240131120000'],
    serviceStartTime: ['20240130'],
    serviceStopTime: ['20240131'],
    languageCode: ['en-US'],
    sourcePatientId: ['SP-1^^^&1.2.3.4.200&ISO'],
    sourcePatientInfo: ['PID-3|SP-1^^^&1.2.3.4.200&ISO', 'PID-5|Doe^Jane^^^'],
    legalAuthenticator: ['^Legal^Lisa^^^Dr'],
    hash: ['da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    size: ['0'],
    repositoryUniqueId: ['1.2.3.4.5.6.7'],
    documentAvailability: [DOCUMENT_AVAILABILITY.Online],
    ...overrides,
  };
}

export function makeSubmissionSet(overrides: Partial<SubmissionSet> = {}): SubmissionSet {
  const entryUuid = overrides.entryUuid ?? uuid();
  return {
    type: 'SubmissionSet',
    entryUuid,
    lid: entryUuid,
    version: '1',
    status: AVAILABILITY_STATUS.Approved,
    title: [{ value: 'Submission' }],
    extraSlots: [],
    patientId: identifier(PATIENT_A, IDENTIFICATION_SCHEME.ssPatientId),
    uniqueId: identifier(oid(), IDENTIFICATION_SCHEME.ssUniqueId),
    sourceId: identifier('1.2.3.4.99', IDENTIFICATION_SCHEME.ssSourceId),
    contentTypeCode: code('content-A', '2.16.840.1.113883.6.96'),
    authors: [author('^Source^Sam^^^')],
    submissionTime: ['20240201093000'],
    intendedRecipients: ['Some Hospital^^^^^^^^^1.2.3.9.1789.45|^Welby^Marcus^^^Dr'],
    marker: { id: uuid(), nested: true },
    ...overrides,
  };
}

export function makeFolder(overrides: Partial<Folder> = {}): Folder {
  const entryUuid = overrides.entryUuid ?? uuid();
  return {
    type: 'Folder',
    entryUuid,
    lid: entryUuid,
    version: '1',
    status: AVAILABILITY_STATUS.Approved,
    title: [{ value: 'Folder' }],
    extraSlots: [],
    patientId: identifier(PATIENT_A, IDENTIFICATION_SCHEME.folderPatientId),
    uniqueId: identifier(oid(), IDENTIFICATION_SCHEME.folderUniqueId),
    codes: [code('folder-A', '1.2.3.4.77')],
    lastUpdateTime: ['20240201093000'],
    marker: { id: uuid(), nested: false },
    ...overrides,
  };
}

export function makeAssociation(sourceObject: string, targetObject: string, overrides: Partial<XdsAssociation> = {}): XdsAssociation {
  const entryUuid = overrides.entryUuid ?? uuid();
  return {
    type: 'Association',
    entryUuid,
    lid: entryUuid,
    version: '1',
    status: AVAILABILITY_STATUS.Approved,
    extraSlots: [],
    associationType: ASSOCIATION_TYPE.HasMember,
    sourceObject,
    targetObject,
    submissionSetStatus: ['Original'],
    ...overrides,
  };
}

/** A SubmissionChanges with empty lists, overridden per test. */
export function makeChanges(parts: Partial<SubmissionChanges> = {}): SubmissionChanges {
  return { documentEntries: [], submissionSets: [], folders: [], associations: [], statusChanges: [], folderUpdates: [], ...parts };
}

/** A realistic submission: one SS, its DocumentEntries, and the SS→DE HasMember associations. */
export function makeSubmission(entries: DocumentEntry[], ss: SubmissionSet = makeSubmissionSet()): SubmissionChanges {
  return makeChanges({
    submissionSets: [ss],
    documentEntries: entries,
    associations: entries.map((de) => makeAssociation(ss.entryUuid, de.entryUuid)),
  });
}
