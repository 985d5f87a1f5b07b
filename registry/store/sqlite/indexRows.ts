/**
 * The index rows the SQLite registry store keeps next to each stored XDS object: pure functions from a model
 * object (shared/xds/model.ts) to the column values and child rows that the query paths search.
 *
 * The whole object is stored as JSON as well, so nothing here has to be lossless; these are search keys only.
 */
import type { Code, DocumentEntry, Folder, SubmissionSet, XdsAssociation, XdsObject } from '../../../shared/xds/model';

/** The `kind` of a row in the `codes` table: which coded attribute the code came from. */
export type CodeKind =
  | 'class'
  | 'type'
  | 'practice'
  | 'hcft'
  | 'format'
  | 'event'
  | 'confidentiality'
  | 'contentType'
  | 'folderCode';

export interface CodeRow {
  kind: CodeKind;
  code: string;
  scheme: string;
}

/** The child rows of one object: multi-valued codes, author persons, referenceIdList values. */
export interface ChildRows {
  codes: CodeRow[];
  authorPersons: string[];
  referenceIds: string[];
}

export interface DocumentEntryColumns {
  unique_id: string | null;
  lid: string | null;
  patient_id: string | null;
  status: string | null;
  object_type: string | null;
  creation_time: string | null;
  service_start_time: string | null;
  service_stop_time: string | null;
}

export interface SubmissionSetColumns {
  unique_id: string | null;
  lid: string | null;
  patient_id: string | null;
  status: string | null;
  source_id: string | null;
  submission_time: string | null;
}

export interface FolderColumns {
  unique_id: string | null;
  lid: string | null;
  patient_id: string | null;
  status: string | null;
  last_update_time: string | null;
}

export interface AssociationColumns {
  association_type: string;
  source_uuid: string;
  target_uuid: string;
  status: string | null;
}

/** entryUUIDs (and lids, association ends) are compared case-insensitively: the store keys them lowercased. */
export function uuidKey(id: string): string {
  return id.toLowerCase();
}

/**
 * A DTM right-padded with '0' to 14 digits (YYYYMMDDhhmmss), so that values of different precision compare
 * as strings: '2024' → '20240000000000'. Longer values are kept as they are (validation rejects them earlier).
 */
export function padDtm(value: string): string {
  return value.padEnd(14, '0');
}

/** The padded first value of a single-valued DTM slot, or null when the attribute is absent. */
export function dtmColumn(values: string[] | undefined): string | null {
  const first = values?.[0];
  return first === undefined || first === '' ? null : padDtm(first);
}

function nullable(value: string | undefined): string | null {
  return value === undefined ? null : value;
}

function lidKey(lid: string | undefined): string | null {
  return lid === undefined ? null : uuidKey(lid);
}

export function documentEntryColumns(de: DocumentEntry): DocumentEntryColumns {
  return {
    unique_id: nullable(de.uniqueId?.value),
    lid: lidKey(de.lid),
    patient_id: nullable(de.patientId?.value),
    status: nullable(de.status),
    object_type: nullable(de.objectType),
    creation_time: dtmColumn(de.creationTime),
    service_start_time: dtmColumn(de.serviceStartTime),
    service_stop_time: dtmColumn(de.serviceStopTime),
  };
}

export function submissionSetColumns(ss: SubmissionSet): SubmissionSetColumns {
  return {
    unique_id: nullable(ss.uniqueId?.value),
    lid: lidKey(ss.lid),
    patient_id: nullable(ss.patientId?.value),
    status: nullable(ss.status),
    source_id: nullable(ss.sourceId?.value),
    submission_time: dtmColumn(ss.submissionTime),
  };
}

export function folderColumns(folder: Folder): FolderColumns {
  return {
    unique_id: nullable(folder.uniqueId?.value),
    lid: lidKey(folder.lid),
    patient_id: nullable(folder.patientId?.value),
    status: nullable(folder.status),
    last_update_time: dtmColumn(folder.lastUpdateTime),
  };
}

export function associationColumns(assoc: XdsAssociation): AssociationColumns {
  return {
    association_type: assoc.associationType,
    source_uuid: uuidKey(assoc.sourceObject),
    target_uuid: uuidKey(assoc.targetObject),
    status: nullable(assoc.status),
  };
}

function codeRows(kind: CodeKind, codes: (Code | undefined)[]): CodeRow[] {
  return codes.filter((c): c is Code => c !== undefined).map((c) => ({ kind, code: c.code, scheme: c.scheme }));
}

function authorPersonsOf(authors: { person?: string }[]): string[] {
  return authors.map((a) => a.person).filter((p): p is string => p !== undefined);
}

/** The child rows of any stored object; Associations have none. */
export function childRows(obj: XdsObject): ChildRows {
  switch (obj.type) {
    case 'DocumentEntry':
      return {
        codes: [
          ...codeRows('class', [obj.classCode]),
          ...codeRows('type', [obj.typeCode]),
          ...codeRows('practice', [obj.practiceSettingCode]),
          ...codeRows('hcft', [obj.healthcareFacilityTypeCode]),
          ...codeRows('format', [obj.formatCode]),
          ...codeRows('event', obj.eventCodes),
          ...codeRows('confidentiality', obj.confidentialityCodes),
        ],
        authorPersons: authorPersonsOf(obj.authors),
        referenceIds: obj.referenceIds ?? [],
      };
    case 'SubmissionSet':
      return { codes: codeRows('contentType', [obj.contentTypeCode]), authorPersons: authorPersonsOf(obj.authors), referenceIds: [] };
    case 'Folder':
      return { codes: codeRows('folderCode', obj.codes), authorPersons: [], referenceIds: [] };
    case 'Association':
      return { codes: [], authorPersons: [], referenceIds: [] };
  }
}
