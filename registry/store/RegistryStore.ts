/**
 * The registry's storage interface. Transaction logic (registry/transactions) and the stored queries
 * (registry/storedQueries) talk only to this; SQL (registry/store/sqlite) and MongoDB (registry/store/mongo)
 * live behind it. All methods are async so that both backends fit.
 *
 * Objects are stored as XDS model objects (shared/xds/model.ts) with their final urn:uuid: ids; the store
 * keeps the whole object (lossless) plus the index columns each query path needs.
 */
import type { DocumentEntry, Folder, SubmissionSet, XdsAssociation, XdsObject } from '../../shared/xds/model';

/** A code to match: code and codingScheme both equal. */
export interface CodeMatch {
  code: string;
  scheme: string;
}

/** An inclusive-From / exclusive-To range on a DTM attribute; values are compared after right-padding with '0' to 14 digits. */
export interface TimeRange {
  from?: string;
  to?: string;
}

/**
 * Filter for DocumentEntries. Every present field must match (AND). Inside a list: OR.
 * `...AndOr` fields are lists of OR-groups that are ANDed: [[a,b],[c]] = (a OR b) AND c.
 * An absent field does not filter. An empty list matches nothing.
 */
export interface DocumentEntryFilter {
  patientId?: string;
  statuses?: string[];
  entryUuids?: string[];
  uniqueIds?: string[];
  lids?: string[];
  objectTypes?: string[];
  classCodes?: CodeMatch[];
  typeCodes?: CodeMatch[];
  practiceSettingCodes?: CodeMatch[];
  healthcareFacilityTypeCodes?: CodeMatch[];
  formatCodes?: CodeMatch[];
  eventCodes?: CodeMatch[][];
  confidentialityCodes?: CodeMatch[][];
  /** SQL-LIKE patterns (% any string, _ one char) matched against every authorPerson value; OR. */
  authorPersons?: string[];
  /** referenceIdList values; outer AND, inner OR. */
  referenceIds?: string[][];
  creationTime?: TimeRange;
  serviceStartTime?: TimeRange;
  serviceStopTime?: TimeRange;
}

export interface SubmissionSetFilter {
  patientId?: string;
  statuses?: string[];
  entryUuids?: string[];
  uniqueIds?: string[];
  sourceIds?: string[];
  contentTypeCodes?: CodeMatch[];
  authorPersons?: string[];
  submissionTime?: TimeRange;
}

export interface FolderFilter {
  patientId?: string;
  statuses?: string[];
  entryUuids?: string[];
  uniqueIds?: string[];
  lids?: string[];
  codes?: CodeMatch[][];
  lastUpdateTime?: TimeRange;
}

export interface AssociationFilter {
  entryUuids?: string[];
  /** source OR target is one of these. */
  sourceOrTarget?: string[];
  sourceObjects?: string[];
  targetObjects?: string[];
  types?: string[];
  statuses?: string[];
}

/** Everything one ITI-42 submission changes, applied atomically by `applySubmission`. */
export interface SubmissionChanges {
  /** New objects with final urn:uuid: ids, lid, version and status already set. */
  documentEntries: DocumentEntry[];
  submissionSets: SubmissionSet[];
  folders: Folder[];
  associations: XdsAssociation[];
  /** Existing objects whose availabilityStatus changes; `expected` is the status they must still have (else conflict). */
  statusChanges: { entryUuid: string; expected: string; status: string }[];
  /** Existing folders whose lastUpdateTime is set. */
  folderUpdates: { entryUuid: string; lastUpdateTime: string }[];
}

export interface RegistryStore {
  /** Any object (DocumentEntry, SubmissionSet, Folder, Association) by entryUUID (case-insensitive). Unknown ids are omitted. */
  getObjects(entryUuids: string[]): Promise<XdsObject[]>;
  findDocumentEntries(filter: DocumentEntryFilter, limit?: number): Promise<DocumentEntry[]>;
  findSubmissionSets(filter: SubmissionSetFilter, limit?: number): Promise<SubmissionSet[]>;
  findFolders(filter: FolderFilter, limit?: number): Promise<Folder[]>;
  findAssociations(filter: AssociationFilter, limit?: number): Promise<XdsAssociation[]>;
  /** Count without loading (for XDSTooManyResults); same semantics as findDocumentEntries. */
  countDocumentEntries(filter: DocumentEntryFilter): Promise<number>;

  /**
   * Apply one submission atomically: all of it or nothing. Throws XdsError (e.g. XDSDuplicateUniqueIdInRegistry,
   * XDSRegistryDeprecatedDocumentError on a status conflict) and leaves the store unchanged on any failure.
   */
  applySubmission(changes: SubmissionChanges): Promise<void>;

  /** Known patients (known-patients mode). */
  addKnownPatients(patientIds: string[]): Promise<void>;
  isKnownPatient(patientId: string): Promise<boolean>;

  /**
   * Resolves when the store can answer (rejects when it cannot): what GET /health asks. Constant time, unlike
   * stats(), which counts every object (about half a second at 1,000,000 entries on SQLite).
   */
  ping(): Promise<void>;
  /** Object counts, for tests, tools and benchmarks; its cost grows with the store. */
  stats(): Promise<{ documentEntries: number; submissionSets: number; folders: number; associations: number }>;
  close(): Promise<void>;
}
