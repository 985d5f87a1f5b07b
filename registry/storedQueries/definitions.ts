/**
 * The ITI-18 stored queries as data (digest 6.3): id, what they return, and each parameter's kind and
 * cardinality. parse.ts validates any request against these; one family module per query runs it.
 */
import type { ParameterKind } from './params';

/** Parameter names exactly as on the wire. */
export const P = {
  dePatientId: '$XDSDocumentEntryPatientId',
  deClassCode: '$XDSDocumentEntryClassCode',
  deTypeCode: '$XDSDocumentEntryTypeCode',
  dePracticeSettingCode: '$XDSDocumentEntryPracticeSettingCode',
  deCreationTimeFrom: '$XDSDocumentEntryCreationTimeFrom',
  deCreationTimeTo: '$XDSDocumentEntryCreationTimeTo',
  deServiceStartTimeFrom: '$XDSDocumentEntryServiceStartTimeFrom',
  deServiceStartTimeTo: '$XDSDocumentEntryServiceStartTimeTo',
  deServiceStopTimeFrom: '$XDSDocumentEntryServiceStopTimeFrom',
  deServiceStopTimeTo: '$XDSDocumentEntryServiceStopTimeTo',
  deHealthcareFacilityTypeCode: '$XDSDocumentEntryHealthcareFacilityTypeCode',
  deEventCodeList: '$XDSDocumentEntryEventCodeList',
  deConfidentialityCode: '$XDSDocumentEntryConfidentialityCode',
  deAuthorPerson: '$XDSDocumentEntryAuthorPerson',
  deFormatCode: '$XDSDocumentEntryFormatCode',
  deStatus: '$XDSDocumentEntryStatus',
  deType: '$XDSDocumentEntryType',
  deReferenceIdList: '$XDSDocumentEntryReferenceIdList',
  deEntryUuid: '$XDSDocumentEntryEntryUUID',
  deUniqueId: '$XDSDocumentEntryUniqueId',
  deLogicalId: '$XDSDocumentEntryLogicalID',
  ssPatientId: '$XDSSubmissionSetPatientId',
  ssSourceId: '$XDSSubmissionSetSourceId',
  ssSubmissionTimeFrom: '$XDSSubmissionSetSubmissionTimeFrom',
  ssSubmissionTimeTo: '$XDSSubmissionSetSubmissionTimeTo',
  ssAuthorPerson: '$XDSSubmissionSetAuthorPerson',
  ssContentType: '$XDSSubmissionSetContentType',
  ssStatus: '$XDSSubmissionSetStatus',
  ssEntryUuid: '$XDSSubmissionSetEntryUUID',
  ssUniqueId: '$XDSSubmissionSetUniqueId',
  folderPatientId: '$XDSFolderPatientId',
  folderLastUpdateTimeFrom: '$XDSFolderLastUpdateTimeFrom',
  folderLastUpdateTimeTo: '$XDSFolderLastUpdateTimeTo',
  folderCodeList: '$XDSFolderCodeList',
  folderStatus: '$XDSFolderStatus',
  folderEntryUuid: '$XDSFolderEntryUUID',
  folderUniqueId: '$XDSFolderUniqueId',
  folderLogicalId: '$XDSFolderLogicalID',
  patientId: '$patientId',
  uuid: '$uuid',
  associationTypes: '$AssociationTypes',
  associationStatus: '$XDSAssociationStatus',
  metadataLevel: '$MetadataLevel',
} as const;

export type StoredQueryName =
  | 'FindDocuments'
  | 'FindDocumentsByReferenceId'
  | 'FindSubmissionSets'
  | 'FindFolders'
  | 'GetAll'
  | 'GetDocuments'
  | 'GetFolders'
  | 'GetAssociations'
  | 'GetDocumentsAndAssociations'
  | 'GetSubmissionSets'
  | 'GetSubmissionSetAndContents'
  | 'GetFolderAndContents'
  | 'GetFoldersForDocument'
  | 'GetRelatedDocuments';

export interface ParameterDefinition {
  name: string;
  kind: ParameterKind;
  /** Must be present (alternatives are expressed with alternativeGroup instead). */
  required: boolean;
  /** Several values (an OR-list) allowed. */
  multiple: boolean;
  /** The slot may be repeated; each slot is an OR-list and the slots are ANDed. */
  andOr: boolean;
  /** Exactly one parameter of the group must be present. */
  alternativeGroup?: string;
}

export type ReturnedObjects = 'DocumentEntries' | 'SubmissionSets' | 'Folders' | 'Associations';

export interface StoredQueryDefinition {
  name: StoredQueryName;
  /** AdhocQuery/@id. */
  id: string;
  returns: ReturnedObjects[];
  parameters: ParameterDefinition[];
}

// ---- small builders so each table row reads like the digest ----

type Flags = Partial<Pick<ParameterDefinition, 'required' | 'multiple' | 'andOr' | 'alternativeGroup'>>;

function param(name: string, kind: ParameterKind, flags: Flags = {}): ParameterDefinition {
  const { required = false, multiple = false, andOr = false, alternativeGroup } = flags;
  return alternativeGroup === undefined
    ? { name, kind, required, multiple, andOr }
    : { name, kind, required, multiple, andOr, alternativeGroup };
}
const R = { required: true };
const M = { multiple: true };
const RM = { required: true, multiple: true };
const MAO = { multiple: true, andOr: true };

/** Accepted by every query; only level 1 is supported until ITI-57 (Metadata Update) exists. */
const METADATA_LEVEL = param(P.metadataLevel, 'metadataLevel');

/** DocumentEntry content filters shared by GetAll, GetSubmissionSetAndContents and GetFolderAndContents. */
const DE_CONTENT_FILTERS = [param(P.deFormatCode, 'code', M), param(P.deConfidentialityCode, 'code', MAO), param(P.deType, 'objectType', M)];

const FIND_DOCUMENTS_PARAMETERS: ParameterDefinition[] = [
  param(P.dePatientId, 'string', R),
  param(P.deClassCode, 'code', M),
  param(P.deTypeCode, 'code', M),
  param(P.dePracticeSettingCode, 'code', M),
  param(P.deCreationTimeFrom, 'time'),
  param(P.deCreationTimeTo, 'time'),
  param(P.deServiceStartTimeFrom, 'time'),
  param(P.deServiceStartTimeTo, 'time'),
  param(P.deServiceStopTimeFrom, 'time'),
  param(P.deServiceStopTimeTo, 'time'),
  param(P.deHealthcareFacilityTypeCode, 'code', M),
  param(P.deEventCodeList, 'code', MAO),
  param(P.deConfidentialityCode, 'code', MAO),
  param(P.deAuthorPerson, 'authorPerson', M),
  param(P.deFormatCode, 'code', M),
  param(P.deStatus, 'status', RM),
  param(P.deType, 'objectType', M),
  METADATA_LEVEL,
];

/** Either the entryUUID or the uniqueId of one DocumentEntry (single value). */
function oneDocumentEntry(): ParameterDefinition[] {
  const g = { alternativeGroup: 'DocumentEntry' };
  return [param(P.deEntryUuid, 'uuid', g), param(P.deUniqueId, 'string', g)];
}

export const STORED_QUERIES: readonly StoredQueryDefinition[] = [
  {
    name: 'FindDocuments',
    id: 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d',
    returns: ['DocumentEntries'],
    parameters: FIND_DOCUMENTS_PARAMETERS,
  },
  {
    name: 'FindDocumentsByReferenceId',
    id: 'urn:uuid:12941a89-e02e-4be5-967c-ce4bfc8fe492',
    returns: ['DocumentEntries'],
    // IPF allows several slots (AND/OR); NIST reads one OR-list. AND/OR covers both.
    parameters: [...FIND_DOCUMENTS_PARAMETERS, param(P.deReferenceIdList, 'referenceId', { required: true, multiple: true, andOr: true })],
  },
  {
    name: 'FindSubmissionSets',
    id: 'urn:uuid:f26abbcb-ac74-4422-8a30-edb644bbc1a9',
    returns: ['SubmissionSets'],
    parameters: [
      param(P.ssPatientId, 'string', R),
      param(P.ssSourceId, 'string', M),
      param(P.ssSubmissionTimeFrom, 'time'),
      param(P.ssSubmissionTimeTo, 'time'),
      param(P.ssAuthorPerson, 'authorPerson'),
      param(P.ssContentType, 'code', M),
      param(P.ssStatus, 'status', RM),
      METADATA_LEVEL,
    ],
  },
  {
    name: 'FindFolders',
    id: 'urn:uuid:958f3006-baad-4929-a4de-ff1114824431',
    returns: ['Folders'],
    parameters: [
      param(P.folderPatientId, 'string', R),
      param(P.folderLastUpdateTimeFrom, 'time'),
      param(P.folderLastUpdateTimeTo, 'time'),
      param(P.folderCodeList, 'code', MAO),
      param(P.folderStatus, 'status', RM),
      METADATA_LEVEL,
    ],
  },
  {
    name: 'GetAll',
    id: 'urn:uuid:10b545ea-725c-446d-9b95-8aeb444eddf3',
    returns: ['SubmissionSets', 'DocumentEntries', 'Folders', 'Associations'],
    parameters: [
      param(P.patientId, 'string', R),
      param(P.deStatus, 'status', RM),
      param(P.ssStatus, 'status', RM),
      param(P.folderStatus, 'status', RM),
      ...DE_CONTENT_FILTERS,
      METADATA_LEVEL,
    ],
  },
  {
    name: 'GetDocuments',
    id: 'urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4',
    returns: ['DocumentEntries'],
    parameters: [
      param(P.deEntryUuid, 'uuid', { multiple: true, alternativeGroup: 'DocumentEntry' }),
      param(P.deUniqueId, 'string', { multiple: true, alternativeGroup: 'DocumentEntry' }),
      param(P.deLogicalId, 'uuid', { multiple: true, alternativeGroup: 'DocumentEntry' }),
      METADATA_LEVEL,
    ],
  },
  {
    name: 'GetFolders',
    id: 'urn:uuid:5737b14c-8a1a-4539-b659-e03a34a5e1e4',
    returns: ['Folders'],
    parameters: [
      param(P.folderEntryUuid, 'uuid', { multiple: true, alternativeGroup: 'Folder' }),
      param(P.folderUniqueId, 'string', { multiple: true, alternativeGroup: 'Folder' }),
      param(P.folderLogicalId, 'uuid', { multiple: true, alternativeGroup: 'Folder' }),
      METADATA_LEVEL,
    ],
  },
  {
    name: 'GetAssociations',
    id: 'urn:uuid:a7ae438b-4bc2-4642-93e9-be891f7bb155',
    returns: ['Associations'],
    parameters: [param(P.uuid, 'uuid', RM), METADATA_LEVEL],
  },
  {
    name: 'GetDocumentsAndAssociations',
    id: 'urn:uuid:bab9529a-4a10-40b3-a01f-f68a615d247a',
    returns: ['DocumentEntries', 'Associations'],
    parameters: [
      param(P.deEntryUuid, 'uuid', { multiple: true, alternativeGroup: 'DocumentEntry' }),
      param(P.deUniqueId, 'string', { multiple: true, alternativeGroup: 'DocumentEntry' }),
      METADATA_LEVEL,
    ],
  },
  {
    name: 'GetSubmissionSets',
    id: 'urn:uuid:51224314-5390-4169-9b91-b1980040715a',
    returns: ['SubmissionSets', 'Associations'],
    parameters: [param(P.uuid, 'uuid', RM), METADATA_LEVEL],
  },
  {
    name: 'GetSubmissionSetAndContents',
    id: 'urn:uuid:e8e3cb2c-e39c-46b9-99e4-c12f57260b83',
    returns: ['SubmissionSets', 'DocumentEntries', 'Folders', 'Associations'],
    parameters: [
      param(P.ssEntryUuid, 'uuid', { alternativeGroup: 'SubmissionSet' }),
      param(P.ssUniqueId, 'string', { alternativeGroup: 'SubmissionSet' }),
      ...DE_CONTENT_FILTERS,
      METADATA_LEVEL,
    ],
  },
  {
    name: 'GetFolderAndContents',
    id: 'urn:uuid:b909a503-523d-4517-8acf-8e5834dfc4c7',
    returns: ['Folders', 'DocumentEntries', 'Associations'],
    parameters: [
      param(P.folderEntryUuid, 'uuid', { alternativeGroup: 'Folder' }),
      param(P.folderUniqueId, 'string', { alternativeGroup: 'Folder' }),
      ...DE_CONTENT_FILTERS,
      param(P.associationStatus, 'status', M),
      METADATA_LEVEL,
    ],
  },
  {
    name: 'GetFoldersForDocument',
    id: 'urn:uuid:10cae35a-c7f9-4cf5-b61e-fc3278ffb578',
    returns: ['Folders'],
    parameters: [...oneDocumentEntry(), METADATA_LEVEL],
  },
  {
    name: 'GetRelatedDocuments',
    id: 'urn:uuid:d90e5407-b356-4d91-a89f-873917b4b0e6',
    returns: ['DocumentEntries', 'Associations'],
    parameters: [...oneDocumentEntry(), param(P.associationTypes, 'associationType', RM), param(P.deType, 'objectType', M), METADATA_LEVEL],
  },
];

const BY_ID = new Map(STORED_QUERIES.map((q) => [q.id.toLowerCase(), q]));

/** The definition for an AdhocQuery/@id (case-insensitive), or undefined when we do not support it. */
export function findStoredQuery(queryId: string): StoredQueryDefinition | undefined {
  return BY_ID.get(queryId.trim().toLowerCase());
}

/** The definition by name (always present: the name type lists exactly the defined queries). */
export function storedQueryByName(name: StoredQueryName): StoredQueryDefinition {
  const def = STORED_QUERIES.find((q) => q.name === name);
  if (!def) throw new Error(`stored query ${name} has no definition`);
  return def;
}
