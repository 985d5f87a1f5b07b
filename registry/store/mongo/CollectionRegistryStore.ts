/**
 * RegistryStore (registry/store/RegistryStore.ts) over a document database (database.ts): the query documents of
 * queries.ts, the stored shape of documents.ts, and applySubmission as one transaction. MongoRegistryStore runs
 * it on MongoDB; the tests run the very same class on an in-memory mingo database.
 *
 * applySubmission, inside one transaction:
 *  1. claim every new entryUUID in `entry_uuids` (unique _id: unique across kinds; a clash is
 *     XDSRegistryMetadataError naming the entryUUID as submitted);
 *  2. claim every SS/Folder uniqueId in `unique_ids` (clash: XDSDuplicateUniqueIdInRegistry naming it);
 *  3. insert the kind documents (their own unique indexes, where present, map to the same two errors);
 *  4. status changes, each conditional: `updateOne({entryUuidKey, status: expected})`; nothing matched →
 *     XDSRegistryDeprecatedDocumentError naming the UUID (unknown object, or its status moved on);
 *  5. Folder lastUpdateTime updates (not a stored Folder: XDSRegistryError).
 * Any throw aborts the transaction, so a failed submission leaves nothing behind. The insertion-sequence numbers
 * are reserved before the transaction (a failed submission leaves a gap, which is harmless).
 */
import { registryError, XdsError } from '../../../shared/errors';
import type { DocumentEntry, Folder, SubmissionSet, XdsAssociation, XdsObject } from '../../../shared/xds/model';
import type {
  AssociationFilter,
  DocumentEntryFilter,
  FolderFilter,
  RegistryStore,
  SubmissionChanges,
  SubmissionSetFilter,
} from '../RegistryStore';
import { DuplicateKeyError, refusedDocument, type RegistryCollections, type RegistryDatabase } from './database';
import {
  countNewObjects,
  entryUuidSelector,
  folderLastUpdateTimeUpdate,
  KIND_COLLECTION,
  KIND_COLLECTIONS,
  planSubmissionInserts,
  statusChangeSelector,
  statusChangeUpdate,
  uuidKey,
  type KindCollectionName,
  type RegistryCollectionName,
  type RegistryDocuments,
  type StoredObject,
  type SubmissionInserts,
} from './documents';
import { INDEX_NAME } from './indexes';
import {
  associationQuery,
  checkLimit,
  documentEntryQuery,
  entryUuidQuery,
  folderQuery,
  matchesNothing,
  submissionSetQuery,
  type QueryDocument,
} from './queries';

function entryUuidTaken(obj: XdsObject): XdsError {
  return new XdsError(registryError('XDSRegistryMetadataError', `${obj.type} entryUUID ${obj.entryUuid} already exists in the registry`, obj.entryUuid));
}

function uniqueIdTaken(obj: XdsObject): XdsError {
  const uid = obj.type === 'SubmissionSet' || obj.type === 'Folder' ? obj.uniqueId?.value : undefined;
  return new XdsError(registryError('XDSDuplicateUniqueIdInRegistry', `${obj.type} uniqueId ${uid} already exists in the registry`, obj.entryUuid));
}

/** The object that made the refused claim: claims[i] was made by claimants[i]. */
function claimantOf<C extends object>(e: DuplicateKeyError, claims: readonly C[], claimants: readonly XdsObject[]): XdsObject | undefined {
  const claim = refusedDocument(e, claims);
  return claim === undefined ? undefined : claimants[claims.indexOf(claim)];
}

/** A refused claim (entry_uuids / unique_ids, keyed by _id) as the identity rule it enforces. */
function claimRefused(e: DuplicateKeyError, claimant: XdsObject | undefined, taken: (obj: XdsObject) => XdsError): XdsError | undefined {
  return claimant !== undefined && e.indexName === INDEX_NAME.id ? taken(claimant) : undefined;
}

/** A refused insert into a kind collection, by the index that refused it; undefined: not an identity rule. */
export function kindIndexViolation(indexName: string | undefined, obj: XdsObject | undefined): XdsError | undefined {
  if (obj === undefined) return undefined;
  if (indexName === INDEX_NAME.entryUuidKey) return entryUuidTaken(obj);
  if (indexName === INDEX_NAME.uniqueId && (obj.type === 'SubmissionSet' || obj.type === 'Folder')) return uniqueIdTaken(obj);
  return undefined;
}

export class CollectionRegistryStore implements RegistryStore {
  constructor(private readonly db: RegistryDatabase) {}

  async getObjects(entryUuids: string[]): Promise<XdsObject[]> {
    if (entryUuids.length === 0) return [];
    const query = entryUuidQuery([...new Set(entryUuids.map(uuidKey))]);
    const perKind = await Promise.all(KIND_COLLECTIONS.map((c) => this.db.collections.find(c, query)));
    const found: StoredObject[] = perKind.flat();
    return found.sort((a, b) => a.seq - b.seq).map((d) => d.object);
  }

  async findDocumentEntries(filter: DocumentEntryFilter, limit?: number): Promise<DocumentEntry[]> {
    return (await this.find('document_entries', documentEntryQuery(filter), limit)).map((d) => d.object);
  }

  async findSubmissionSets(filter: SubmissionSetFilter, limit?: number): Promise<SubmissionSet[]> {
    return (await this.find('submission_sets', submissionSetQuery(filter), limit)).map((d) => d.object);
  }

  async findFolders(filter: FolderFilter, limit?: number): Promise<Folder[]> {
    return (await this.find('folders', folderQuery(filter), limit)).map((d) => d.object);
  }

  async findAssociations(filter: AssociationFilter, limit?: number): Promise<XdsAssociation[]> {
    return (await this.find('associations', associationQuery(filter), limit)).map((d) => d.object);
  }

  async countDocumentEntries(filter: DocumentEntryFilter): Promise<number> {
    const query = documentEntryQuery(filter);
    return matchesNothing(query) ? 0 : this.db.collections.count('document_entries', query);
  }

  async applySubmission(changes: SubmissionChanges): Promise<void> {
    const total = countNewObjects(changes);
    const firstSeq = total === 0 ? 0 : await this.db.reserveSequence(total);
    const plan = planSubmissionInserts(changes, firstSeq);
    await this.db.inTransaction(async (tx) => {
      await this.insertNewObjects(tx, plan);
      for (const c of changes.statusChanges) await this.changeStatus(tx, c.entryUuid, c.expected, c.status);
      for (const u of changes.folderUpdates) await this.updateFolderLastUpdateTime(tx, u.entryUuid, u.lastUpdateTime);
    });
  }

  async addKnownPatients(patientIds: string[]): Promise<void> {
    const unique = [...new Set(patientIds)];
    if (unique.length > 0) await this.db.collections.insertMissing('known_patients', unique.map((id) => ({ _id: id })));
  }

  async isKnownPatient(patientId: string): Promise<boolean> {
    return (await this.db.collections.findOne('known_patients', { _id: { $eq: patientId } })) !== undefined;
  }

  async ping(): Promise<void> {
    await this.db.ping();
  }

  async stats(): Promise<{ documentEntries: number; submissionSets: number; folders: number; associations: number }> {
    const [documentEntries, submissionSets, folders, associations] = await Promise.all(KIND_COLLECTIONS.map((c) => this.db.collections.count(c, {})));
    return { documentEntries: documentEntries ?? 0, submissionSets: submissionSets ?? 0, folders: folders ?? 0, associations: associations ?? 0 };
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  // ---- internals ----

  private async find<C extends KindCollectionName>(collection: C, query: QueryDocument, limit?: number): Promise<RegistryDocuments[C][]> {
    if (limit !== undefined && checkLimit(limit) === 0) return [];
    if (matchesNothing(query)) return [];
    return this.db.collections.find(collection, query, limit);
  }

  private async insertNewObjects(tx: RegistryCollections, plan: SubmissionInserts): Promise<void> {
    const owners = plan.objects.map((p) => p.object);
    await insertOrExplain(tx, 'entry_uuids', plan.entryUuidClaims, (e) => claimRefused(e, claimantOf(e, plan.entryUuidClaims, owners), entryUuidTaken));
    await insertOrExplain(tx, 'unique_ids', plan.uniqueIdClaims, (e) => claimRefused(e, claimantOf(e, plan.uniqueIdClaims, plan.claimants), uniqueIdTaken));
    await insertOrExplain(tx, 'submission_sets', plan.submissionSets, (e) => kindIndexViolation(e.indexName, refusedDocument(e, plan.submissionSets)?.object));
    await insertOrExplain(tx, 'document_entries', plan.documentEntries, (e) => kindIndexViolation(e.indexName, refusedDocument(e, plan.documentEntries)?.object));
    await insertOrExplain(tx, 'folders', plan.folders, (e) => kindIndexViolation(e.indexName, refusedDocument(e, plan.folders)?.object));
    await insertOrExplain(tx, 'associations', plan.associations, (e) => kindIndexViolation(e.indexName, refusedDocument(e, plan.associations)?.object));
  }

  /** Conditional: only an object that still has `expected` changes; otherwise the submission fails. */
  private async changeStatus(tx: RegistryCollections, entryUuid: string, expected: string, status: string): Promise<void> {
    const claim = await tx.findOne('entry_uuids', { _id: { $eq: uuidKey(entryUuid) } });
    if (claim !== undefined) {
      const collection = KIND_COLLECTION[claim.kind];
      const { matchedCount } = await tx.updateOne(collection, statusChangeSelector(entryUuid, expected), statusChangeUpdate(status));
      if (matchedCount === 1) return;
      const current = await tx.findOne(collection, entryUuidSelector(entryUuid));
      const why = `${claim.kind} ${entryUuid} has status ${current?.status ?? '(none)'}, expected ${expected}`;
      throw new XdsError(registryError('XDSRegistryDeprecatedDocumentError', `cannot set status ${status}: ${why}`, entryUuid));
    }
    throw new XdsError(registryError('XDSRegistryDeprecatedDocumentError', `cannot set status ${status}: ${entryUuid} is not in the registry`, entryUuid));
  }

  private async updateFolderLastUpdateTime(tx: RegistryCollections, entryUuid: string, lastUpdateTime: string): Promise<void> {
    const { matchedCount } = await tx.updateOne('folders', entryUuidSelector(entryUuid), folderLastUpdateTimeUpdate(lastUpdateTime));
    if (matchedCount === 0) {
      throw new XdsError(registryError('XDSRegistryError', `Folder ${entryUuid} whose lastUpdateTime is to be set is not in the registry`, entryUuid));
    }
  }
}

/** insertMany; a refused document becomes the XdsError `explain` gives for it (or the original error). */
async function insertOrExplain<C extends RegistryCollectionName>(
  tx: RegistryCollections,
  collection: C,
  documents: RegistryDocuments[C][],
  explain: (e: DuplicateKeyError) => XdsError | undefined,
): Promise<void> {
  if (documents.length === 0) return;
  try {
    await tx.insertMany(collection, documents);
  } catch (err) {
    if (err instanceof DuplicateKeyError) throw explain(err) ?? err;
    throw err;
  }
}
