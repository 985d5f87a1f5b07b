/**
 * The indexes of the MongoDB registry, one per query path (registry/storedQueries README lists the queries):
 *
 *   Find* / GetAll           patientId + status (+ seq, so results come back in insertion order without a sort)
 *   Get* by entryUUID        entryUuidKey          (GetDocuments, GetFolders, GetSubmissionSetAndContents, ...)
 *   Get* by uniqueId         uniqueId
 *   Get* by logical id       lid
 *   GetAssociations,         associations by sourceKey / targetKey (+ associationType: HasMember lookups of
 *   GetFolder(s)For..., ...  GetFoldersForDocument, GetSubmissionSets, GetRelatedDocuments)
 *   {} (stats, migrations)   seq
 *
 * Codes, authors, reference ids and times are not indexed: every stored query that filters on them also names
 * the patient (and statuses), so the (patientId, status) index narrows to one patient's objects and the rest is
 * checked on those few documents. (The SQLite backend needs child-table indexes for the same job because its
 * multi-valued attributes live in other tables.)
 *
 * Identity rules: `entry_uuids._id` makes an entryUUID unique across the four kinds and `unique_ids._id` makes an
 * SS or Folder uniqueId unique per kind, in every topology. In a replica set the kind collections also carry
 * unique indexes on entryUuidKey and on the SS/Folder uniqueId; a sharded collection cannot (a unique index there
 * must contain the shard key), so the 'sharded' profile makes them plain indexes and the claims collections,
 * sharded on their own _id, do the work alone (docs/MONGODB.md).
 */
import type { RegistryCollectionName } from './documents';
import type { QueryDocument } from './queries';

export type RegistryTopology = 'replicaSet' | 'sharded';

export interface IndexSpec {
  collection: RegistryCollectionName;
  name: string;
  key: Record<string, 1 | -1>;
  unique?: boolean;
  /** A unique index that ignores documents without the value (an SS/Folder without uniqueId is not a duplicate). */
  partialFilterExpression?: QueryDocument;
}

/** Names the duplicate-key mapping (MongoRegistryStore) recognises. */
export const INDEX_NAME = {
  id: '_id_',
  entryUuidKey: 'entryUuidKey',
  uniqueId: 'uniqueId',
} as const;

const HAS_UNIQUE_ID: QueryDocument = { uniqueId: { $type: 'string' } };

/** Collections that hold only `_id` and need no index of their own; they are created explicitly. */
export const ID_ONLY_COLLECTIONS: readonly RegistryCollectionName[] = ['entry_uuids', 'unique_ids', 'known_patients', 'counters'];

export function registryIndexes(topology: RegistryTopology = 'replicaSet'): IndexSpec[] {
  const uniqueHere = topology === 'replicaSet';
  const entryUuidIndex = (collection: RegistryCollectionName): IndexSpec => ({
    collection,
    name: INDEX_NAME.entryUuidKey,
    key: { entryUuidKey: 1 },
    ...(uniqueHere ? { unique: true } : {}),
  });
  const uniqueIdIndex = (collection: RegistryCollectionName, unique: boolean): IndexSpec =>
    unique ? { collection, name: INDEX_NAME.uniqueId, key: { uniqueId: 1 }, unique: true, partialFilterExpression: HAS_UNIQUE_ID } : { collection, name: INDEX_NAME.uniqueId, key: { uniqueId: 1 } };
  const patientStatus = (collection: RegistryCollectionName): IndexSpec => ({ collection, name: 'patientId_status_seq', key: { patientId: 1, status: 1, seq: 1 } });
  const bySeq = (collection: RegistryCollectionName): IndexSpec => ({ collection, name: 'seq', key: { seq: 1 } });
  const byLid = (collection: RegistryCollectionName): IndexSpec => ({ collection, name: 'lid', key: { lid: 1 } });

  return [
    entryUuidIndex('document_entries'),
    patientStatus('document_entries'),
    // FindDocuments with a creationTime range (the common "documents of the last N years" query): the range is
    // checked in the index, so only matching documents are fetched. The SQLite store measured this as the
    // difference between 1,600 and 2,000 queries/s at 1,000,000 entries (docs/BENCHMARKS.md).
    { collection: 'document_entries', name: 'patientId_status_creationTime', key: { patientId: 1, status: 1, creationTime: 1 } },
    // DocumentEntry uniqueIds repeat (versions, identical re-registration): never unique.
    uniqueIdIndex('document_entries', false),
    byLid('document_entries'),
    bySeq('document_entries'),

    entryUuidIndex('submission_sets'),
    patientStatus('submission_sets'),
    uniqueIdIndex('submission_sets', uniqueHere),
    bySeq('submission_sets'),

    entryUuidIndex('folders'),
    patientStatus('folders'),
    uniqueIdIndex('folders', uniqueHere),
    byLid('folders'),
    bySeq('folders'),

    entryUuidIndex('associations'),
    { collection: 'associations', name: 'sourceKey_type', key: { sourceKey: 1, associationType: 1 } },
    { collection: 'associations', name: 'targetKey_type', key: { targetKey: 1, associationType: 1 } },
    bySeq('associations'),
  ];
}

/** Shard keys for a sharded cluster (docs/MONGODB.md); not applied by the store, which never shards anything. */
export const SHARD_KEYS: Readonly<Partial<Record<RegistryCollectionName, Record<string, 'hashed'>>>> = {
  document_entries: { patientId: 'hashed' },
  submission_sets: { patientId: 'hashed' },
  folders: { patientId: 'hashed' },
  associations: { sourceKey: 'hashed' },
  entry_uuids: { _id: 'hashed' },
  unique_ids: { _id: 'hashed' },
};
