/**
 * What the registry logic (CollectionRegistryStore) needs from a document database: a handful of operations on
 * the named collections of documents.ts, a transaction, and an insertion sequence. MongoRegistryStore.ts
 * implements it on the official driver; testing/memoryDatabase.ts implements it in memory with mingo, so the
 * same logic and the same query documents are tested without a server.
 */
import type { RegistryCollectionName, RegistryDocuments, KindCollectionName } from './documents';
import type { UpdateDocument } from './documents';
import type { QueryDocument } from './queries';

/**
 * An insert broke a unique index: which collection, which index (if known), and which document: its position
 * in the inserted batch when the server reports it, else the refused key (e.g. {_id: '...'}).
 */
export class DuplicateKeyError extends Error {
  constructor(
    readonly collection: RegistryCollectionName,
    readonly position: number | undefined,
    readonly indexName: string | undefined,
    readonly key?: Readonly<Record<string, unknown>>,
  ) {
    super(`duplicate key in ${collection} (index ${indexName ?? 'unknown'})${position === undefined ? '' : ` for document ${position} of the batch`}`);
    this.name = 'DuplicateKeyError';
  }
}

/** The document of `batch` a DuplicateKeyError refers to: by position, else the first whose fields equal the key. */
export function refusedDocument<T extends object>(e: DuplicateKeyError, batch: readonly T[]): T | undefined {
  if (e.position !== undefined) return batch[e.position];
  const key = e.key;
  if (key === undefined || Object.keys(key).length === 0) return undefined;
  return batch.find((doc) => Object.entries(key).every(([field, value]) => (doc as Record<string, unknown>)[field] === value));
}

export interface RegistryCollections {
  /** Documents of a kind collection matching `query`, by ascending seq, at most `limit` (undefined: all). */
  find<C extends KindCollectionName>(collection: C, query: QueryDocument, limit?: number): Promise<RegistryDocuments[C][]>;
  findOne<C extends RegistryCollectionName>(collection: C, query: QueryDocument): Promise<RegistryDocuments[C] | undefined>;
  count(collection: RegistryCollectionName, query: QueryDocument): Promise<number>;
  /** Insert in order; the first refused document throws DuplicateKeyError (inside a transaction: nothing stays). */
  insertMany<C extends RegistryCollectionName>(collection: C, documents: RegistryDocuments[C][]): Promise<void>;
  /** Insert what is not there yet, by _id; duplicates are skipped silently. */
  insertMissing<C extends RegistryCollectionName>(collection: C, documents: RegistryDocuments[C][]): Promise<void>;
  updateOne(collection: RegistryCollectionName, selector: QueryDocument, update: UpdateDocument): Promise<{ matchedCount: number }>;
}

export interface RegistryDatabase {
  /** Operations outside any transaction (reads, known patients). */
  readonly collections: RegistryCollections;
  /** Run `work` in one all-or-nothing transaction; a throw undoes everything it wrote and is rethrown. */
  inTransaction<T>(work: (tx: RegistryCollections) => Promise<T>): Promise<T>;
  /** Reserve `count` consecutive insertion-sequence numbers; returns the first. */
  reserveSequence(count: number): Promise<number>;
  /** Resolves when the database answers (health checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
