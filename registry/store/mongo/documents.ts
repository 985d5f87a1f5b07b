/**
 * The stored form of the registry in MongoDB: one collection per object kind, each document holding the whole
 * XDS model object (`object`, what reads return: lossless) next to the index fields the queries search
 * (queries.ts) and the indexes cover (indexes.ts). Everything here is a pure function of the model objects.
 *
 *   document_entries  StoredDocumentEntry   submission_sets  StoredSubmissionSet
 *   folders           StoredFolder          associations     StoredAssociation
 *   entry_uuids       EntryUuidClaim        {_id: lowercased entryUUID}: an entryUUID is unique across all kinds
 *   unique_ids        UniqueIdClaim         {_id: 'SubmissionSet|<uid>' or 'Folder|<uid>'}: SS/Folder uniqueIds
 *   known_patients    KnownPatient          {_id: patient id}
 *   counters          SequenceCounter       {_id: 'objects', value}: the insertion-order sequence
 *
 * Index-field rules (the same as the SQLite backend's index columns, registry/store/README.md):
 *  - entryUUIDs, lids and association ends are kept lowercased (`...Key`), so equality is case-insensitive;
 *  - DTMs are kept right-padded with '0' to 14 digits, so string comparison is the range rule; an absent
 *    attribute (or an empty first value) is null, which no range bound matches;
 *  - codes are arrays of {code, scheme} per coded attribute, so a code never matches through another attribute;
 *  - absent single values are null (never a missing field), so every document of a kind has the same shape.
 */
import type { Author, Code, DocumentEntry, Folder, SubmissionSet, XdsAssociation, XdsObject } from '../../../shared/xds/model';
import type { SubmissionChanges } from '../RegistryStore';

export type ObjectKind = XdsObject['type'];

export const KIND_COLLECTION = {
  DocumentEntry: 'document_entries',
  SubmissionSet: 'submission_sets',
  Folder: 'folders',
  Association: 'associations',
} as const satisfies Record<ObjectKind, string>;

export type KindCollectionName = (typeof KIND_COLLECTION)[ObjectKind];
export const KIND_COLLECTIONS: readonly KindCollectionName[] = Object.values(KIND_COLLECTION);

/** A code as the index keeps it: code and codingScheme only. Field order is fixed (code, scheme). */
export interface CodeKey {
  code: string;
  scheme: string;
}

/** Fields every kind's document has. `seq` is the global insertion order (results are sorted by it). */
interface StoredObjectBase {
  seq: number;
  /** The entryUUID lowercased. */
  entryUuidKey: string;
  status: string | null;
}

export interface StoredDocumentEntry extends StoredObjectBase {
  uniqueId: string | null;
  lid: string | null;
  patientId: string | null;
  objectType: string | null;
  creationTime: string | null;
  serviceStartTime: string | null;
  serviceStopTime: string | null;
  classCodes: CodeKey[];
  typeCodes: CodeKey[];
  practiceSettingCodes: CodeKey[];
  healthcareFacilityTypeCodes: CodeKey[];
  formatCodes: CodeKey[];
  eventCodes: CodeKey[];
  confidentialityCodes: CodeKey[];
  authorPersons: string[];
  referenceIds: string[];
  object: DocumentEntry;
}

export interface StoredSubmissionSet extends StoredObjectBase {
  uniqueId: string | null;
  lid: string | null;
  patientId: string | null;
  sourceId: string | null;
  submissionTime: string | null;
  contentTypeCodes: CodeKey[];
  authorPersons: string[];
  object: SubmissionSet;
}

export interface StoredFolder extends StoredObjectBase {
  uniqueId: string | null;
  lid: string | null;
  patientId: string | null;
  lastUpdateTime: string | null;
  codes: CodeKey[];
  object: Folder;
}

export interface StoredAssociation extends StoredObjectBase {
  associationType: string;
  /** sourceObject / targetObject lowercased. */
  sourceKey: string;
  targetKey: string;
  object: XdsAssociation;
}

/** Claims an entryUUID for one object of any kind (the _id index makes it unique across kinds). */
export interface EntryUuidClaim {
  _id: string;
  kind: ObjectKind;
  seq: number;
}

/** Claims a SubmissionSet or Folder uniqueId within its kind. */
export interface UniqueIdClaim {
  _id: string;
  entryUuidKey: string;
}

export interface KnownPatient {
  _id: string;
}

export interface SequenceCounter {
  _id: string;
  value: number;
}

/** The document type of every collection the registry uses. */
export interface RegistryDocuments {
  document_entries: StoredDocumentEntry;
  submission_sets: StoredSubmissionSet;
  folders: StoredFolder;
  associations: StoredAssociation;
  entry_uuids: EntryUuidClaim;
  unique_ids: UniqueIdClaim;
  known_patients: KnownPatient;
  counters: SequenceCounter;
}

export type RegistryCollectionName = keyof RegistryDocuments;
export type StoredObject = RegistryDocuments[KindCollectionName];

export const SEQUENCE_COUNTER_ID = 'objects';

// ---- index-field values ----

/** entryUUIDs, lids and association ends are compared case-insensitively: kept and looked up lowercased. */
export function uuidKey(id: string): string {
  return id.toLowerCase();
}

/** '2024' → '20240000000000': values of different precision then compare as strings. */
export function padDtm(value: string): string {
  return value.padEnd(14, '0');
}

/** The padded first value of a single-valued DTM slot; null when the attribute is absent or its value empty. */
export function dtmKey(values: readonly string[] | undefined): string | null {
  const first = values?.[0];
  return first === undefined || first === '' ? null : padDtm(first);
}

function orNull(value: string | undefined): string | null {
  return value === undefined ? null : value;
}

function lidKey(lid: string | undefined): string | null {
  return lid === undefined ? null : uuidKey(lid);
}

export function codeKeys(codes: readonly (Code | undefined)[]): CodeKey[] {
  return codes.filter((c): c is Code => c !== undefined).map((c) => ({ code: c.code, scheme: c.scheme }));
}

function authorPersonsOf(authors: readonly Author[]): string[] {
  return authors.map((a) => a.person).filter((p): p is string => p !== undefined);
}

// ---- model object → stored document ----

export function storedDocumentEntry(de: DocumentEntry, seq: number): StoredDocumentEntry {
  return {
    seq,
    entryUuidKey: uuidKey(de.entryUuid),
    status: orNull(de.status),
    uniqueId: orNull(de.uniqueId?.value),
    lid: lidKey(de.lid),
    patientId: orNull(de.patientId?.value),
    objectType: orNull(de.objectType),
    creationTime: dtmKey(de.creationTime),
    serviceStartTime: dtmKey(de.serviceStartTime),
    serviceStopTime: dtmKey(de.serviceStopTime),
    classCodes: codeKeys([de.classCode]),
    typeCodes: codeKeys([de.typeCode]),
    practiceSettingCodes: codeKeys([de.practiceSettingCode]),
    healthcareFacilityTypeCodes: codeKeys([de.healthcareFacilityTypeCode]),
    formatCodes: codeKeys([de.formatCode]),
    eventCodes: codeKeys(de.eventCodes),
    confidentialityCodes: codeKeys(de.confidentialityCodes),
    authorPersons: authorPersonsOf(de.authors),
    referenceIds: [...(de.referenceIds ?? [])],
    object: de,
  };
}

export function storedSubmissionSet(ss: SubmissionSet, seq: number): StoredSubmissionSet {
  return {
    seq,
    entryUuidKey: uuidKey(ss.entryUuid),
    status: orNull(ss.status),
    uniqueId: orNull(ss.uniqueId?.value),
    lid: lidKey(ss.lid),
    patientId: orNull(ss.patientId?.value),
    sourceId: orNull(ss.sourceId?.value),
    submissionTime: dtmKey(ss.submissionTime),
    contentTypeCodes: codeKeys([ss.contentTypeCode]),
    authorPersons: authorPersonsOf(ss.authors),
    object: ss,
  };
}

export function storedFolder(folder: Folder, seq: number): StoredFolder {
  return {
    seq,
    entryUuidKey: uuidKey(folder.entryUuid),
    status: orNull(folder.status),
    uniqueId: orNull(folder.uniqueId?.value),
    lid: lidKey(folder.lid),
    patientId: orNull(folder.patientId?.value),
    lastUpdateTime: dtmKey(folder.lastUpdateTime),
    codes: codeKeys(folder.codes),
    object: folder,
  };
}

export function storedAssociation(assoc: XdsAssociation, seq: number): StoredAssociation {
  return {
    seq,
    entryUuidKey: uuidKey(assoc.entryUuid),
    status: orNull(assoc.status),
    associationType: assoc.associationType,
    sourceKey: uuidKey(assoc.sourceObject),
    targetKey: uuidKey(assoc.targetObject),
    object: assoc,
  };
}

/** The claim key of an SS or Folder uniqueId: the kind and the value, so the same value may serve both kinds. */
export function uniqueIdClaimKey(kind: 'SubmissionSet' | 'Folder', uniqueId: string): string {
  return `${kind}|${uniqueId}`;
}

// ---- a submission → the documents to insert ----

/** One new object with its place in the insertion order. */
export interface PlannedObject {
  object: XdsObject;
  seq: number;
}

export interface SubmissionInserts {
  /** Every new object, in insertion order: SubmissionSets, DocumentEntries, Folders, Associations. */
  objects: PlannedObject[];
  /** entryUUID claims, parallel to `objects` (claim i belongs to objects[i]). */
  entryUuidClaims: EntryUuidClaim[];
  /** uniqueId claims of the SubmissionSets and Folders that have a uniqueId; `claimants[i]` made claim i. */
  uniqueIdClaims: UniqueIdClaim[];
  claimants: (SubmissionSet | Folder)[];
  documentEntries: StoredDocumentEntry[];
  submissionSets: StoredSubmissionSet[];
  folders: StoredFolder[];
  associations: StoredAssociation[];
}

export function countNewObjects(changes: SubmissionChanges): number {
  return changes.submissionSets.length + changes.documentEntries.length + changes.folders.length + changes.associations.length;
}

/** The documents one submission inserts, numbered from `firstSeq` (same order as the SQLite backend). */
export function planSubmissionInserts(changes: SubmissionChanges, firstSeq: number): SubmissionInserts {
  const ordered: XdsObject[] = [...changes.submissionSets, ...changes.documentEntries, ...changes.folders, ...changes.associations];
  const plan: SubmissionInserts = {
    objects: ordered.map((object, i) => ({ object, seq: firstSeq + i })),
    entryUuidClaims: [],
    uniqueIdClaims: [],
    claimants: [],
    documentEntries: [],
    submissionSets: [],
    folders: [],
    associations: [],
  };
  for (const { object, seq } of plan.objects) {
    plan.entryUuidClaims.push({ _id: uuidKey(object.entryUuid), kind: object.type, seq });
    switch (object.type) {
      case 'DocumentEntry':
        plan.documentEntries.push(storedDocumentEntry(object, seq));
        break;
      case 'SubmissionSet':
      case 'Folder': {
        if (object.type === 'SubmissionSet') plan.submissionSets.push(storedSubmissionSet(object, seq));
        else plan.folders.push(storedFolder(object, seq));
        const uid = object.uniqueId?.value;
        if (uid !== undefined) {
          plan.uniqueIdClaims.push({ _id: uniqueIdClaimKey(object.type, uid), entryUuidKey: uuidKey(object.entryUuid) });
          plan.claimants.push(object);
        }
        break;
      }
      case 'Association':
        plan.associations.push(storedAssociation(object, seq));
        break;
    }
  }
  return plan;
}

// ---- updates of stored objects (the index field and the returned object change together) ----

export interface UpdateDocument {
  $set: Record<string, string | string[] | null>;
}

export function statusChangeSelector(entryUuid: string, expected: string): Record<string, unknown> {
  return { entryUuidKey: { $eq: uuidKey(entryUuid) }, status: { $eq: expected } };
}

export function statusChangeUpdate(status: string): UpdateDocument {
  return { $set: { status, 'object.status': status } };
}

export function entryUuidSelector(entryUuid: string): Record<string, unknown> {
  return { entryUuidKey: { $eq: uuidKey(entryUuid) } };
}

export function folderLastUpdateTimeUpdate(lastUpdateTime: string): UpdateDocument {
  return { $set: { lastUpdateTime: dtmKey([lastUpdateTime]), 'object.lastUpdateTime': [lastUpdateTime] } };
}
