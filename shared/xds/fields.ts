/**
 * Which Slot, Classification scheme and ExternalIdentifier scheme feeds which model field, per object type.
 * Shared by fromEbxml.ts and toEbxml.ts so both directions agree; the table order is the emission order.
 */
import type { DocumentEntry, Folder, SubmissionSet, XdsAssociation } from './model';
import { CLASSIFICATION_SCHEME as CS, IDENTIFICATION_SCHEME as IS, NODE, SLOT } from './constants';

/** Keys of T whose type is `string[] | undefined` (slot-valued fields). */
type SlotField<T> = { [K in keyof T]-?: NonNullable<T[K]> extends string[] ? (undefined extends T[K] ? K : never) : never }[keyof T];

export const DE_SLOTS: ReadonlyArray<readonly [string, SlotField<DocumentEntry>]> = [
  [SLOT.creationTime, 'creationTime'],
  [SLOT.languageCode, 'languageCode'],
  [SLOT.serviceStartTime, 'serviceStartTime'],
  [SLOT.serviceStopTime, 'serviceStopTime'],
  [SLOT.sourcePatientId, 'sourcePatientId'],
  [SLOT.sourcePatientInfo, 'sourcePatientInfo'],
  [SLOT.legalAuthenticator, 'legalAuthenticator'],
  [SLOT.hash, 'hash'],
  [SLOT.size, 'size'],
  [SLOT.URI, 'uri'],
  [SLOT.repositoryUniqueId, 'repositoryUniqueId'],
  [SLOT.documentAvailability, 'documentAvailability'],
  [SLOT.referenceIdList, 'referenceIds'],
];

export const SS_SLOTS: ReadonlyArray<readonly [string, SlotField<SubmissionSet>]> = [
  [SLOT.submissionTime, 'submissionTime'],
  [SLOT.intendedRecipient, 'intendedRecipients'],
];

export const FOLDER_SLOTS: ReadonlyArray<readonly [string, SlotField<Folder>]> = [[SLOT.lastUpdateTime, 'lastUpdateTime']];

export const ASSOCIATION_SLOTS: ReadonlyArray<readonly [string, SlotField<XdsAssociation>]> = [
  [SLOT.submissionSetStatus, 'submissionSetStatus'],
  [SLOT.previousVersion, 'previousVersion'],
];

/** DocumentEntry codes held in a single field. */
export const DE_SINGLE_CODES = [
  [CS.classCode, 'classCode'],
  [CS.typeCode, 'typeCode'],
  [CS.formatCode, 'formatCode'],
  [CS.healthcareFacilityTypeCode, 'healthcareFacilityTypeCode'],
  [CS.practiceSettingCode, 'practiceSettingCode'],
] as const;

/** DocumentEntry codes held in a list. */
export const DE_CODE_LISTS = [
  [CS.confidentialityCode, 'confidentialityCodes'],
  [CS.eventCode, 'eventCodes'],
] as const;

export const DE_IDENTIFIERS = [
  [IS.docPatientId, 'patientId'],
  [IS.docUniqueId, 'uniqueId'],
] as const;

export const SS_IDENTIFIERS = [
  [IS.ssPatientId, 'patientId'],
  [IS.ssUniqueId, 'uniqueId'],
  [IS.ssSourceId, 'sourceId'],
] as const;

export const FOLDER_IDENTIFIERS = [
  [IS.folderPatientId, 'patientId'],
  [IS.folderUniqueId, 'uniqueId'],
] as const;

/** classificationNode of the type marker and of limitedMetadata, per package type. */
export const PACKAGE_NODES = {
  SubmissionSet: { marker: NODE.submissionSet, limited: NODE.limitedSubmissionSet },
  Folder: { marker: NODE.folder, limited: NODE.limitedFolder },
} as const;
