/**
 * The registry store on MongoDB (official driver): CollectionRegistryStore's logic over the collections of
 * documents.ts, with the indexes of indexes.ts.
 *
 *  - applySubmission runs in `session.withTransaction` (snapshot reads, majority + journaled commit), so a
 *    submission is all or nothing and an acknowledged one survives a primary failover. Transactions need a
 *    replica set or a sharded cluster: a standalone server is refused at start (connection.ts).
 *  - Duplicate-key errors (11000) become DuplicateKeyError naming the collection, the refused document's
 *    position in the batch and the index, which CollectionRegistryStore maps to the same XdsErrors as SQLite.
 *    Write conflicts between concurrent submissions are retried by withTransaction (TransientTransactionError).
 *  - The insertion sequence is a counter document incremented atomically outside the transaction, so that
 *    concurrent submissions never conflict on it.
 *  - Reads go to the primary with the default read concern, so a client reads its own acknowledged writes.
 */
import { MongoBulkWriteError, MongoServerError, type ClientSession, type Db, type Document, type Filter, type MongoClient, type UpdateFilter } from 'mongodb';
import { CollectionRegistryStore } from './CollectionRegistryStore';
import { connectMongo, type MongoConnectionOptions } from '../../../shared/mongo/connection';
import { DuplicateKeyError, type RegistryCollections, type RegistryDatabase } from './database';
import {
  SEQUENCE_COUNTER_ID,
  type KindCollectionName,
  type RegistryCollectionName,
  type RegistryDocuments,
  type UpdateDocument,
} from './documents';
import { ID_ONLY_COLLECTIONS, registryIndexes, type RegistryTopology } from './indexes';
import type { QueryDocument } from './queries';

export interface MongoRegistryStoreOptions extends MongoConnectionOptions {
  /** Which index profile to create (indexes.ts); 'sharded' when the kind collections are sharded. Default 'replicaSet'. */
  topology?: RegistryTopology;
}

const DUPLICATE_KEY = 11000;
const NAMESPACE_EXISTS = 48;

const TRANSACTION_OPTIONS = {
  readConcern: { level: 'snapshot' as const },
  writeConcern: { w: 'majority' as const, journal: true },
  readPreference: 'primary' as const,
};

/** Reads never return the driver's _id; callers get the stored shape of documents.ts. */
const WITHOUT_ID = { projection: { _id: 0 } };

interface WriteErrorLike {
  index?: unknown;
  code?: unknown;
  errmsg?: unknown;
}

/** The index a duplicate-key error names ("... index: uniqueId dup key: ..."). */
export function duplicateKeyIndexName(message: string): string | undefined {
  return /index: (\S+) dup key/.exec(message)?.[1];
}

/**
 * A driver duplicate-key error on an insert as DuplicateKeyError; anything else undefined. Bulk errors report
 * the refused document's position; a plain server error carries the refused key (`keyValue`) instead.
 */
export function asDuplicateKeyError(err: unknown, collection: RegistryCollectionName): DuplicateKeyError | undefined {
  if (!(err instanceof MongoServerError) || err.code !== DUPLICATE_KEY) return undefined;
  const raw: unknown = (err as { writeErrors?: unknown }).writeErrors;
  const first: WriteErrorLike | undefined = Array.isArray(raw) ? (raw[0] as WriteErrorLike | undefined) : (raw as WriteErrorLike | undefined);
  const position = typeof first?.index === 'number' ? first.index : undefined;
  const message = typeof first?.errmsg === 'string' ? first.errmsg : err.message;
  const keyValue: unknown = err.keyValue;
  const key = typeof keyValue === 'object' && keyValue !== null ? (keyValue as Record<string, unknown>) : undefined;
  return new DuplicateKeyError(collection, position, duplicateKeyIndexName(message), key);
}

/** Whether every write error of a failed bulk insert is a duplicate key. */
export function onlyDuplicateKeys(err: unknown): boolean {
  if (!(err instanceof MongoBulkWriteError) || err.err !== undefined || err.writeConcernError !== undefined) return false;
  const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
  return errors.length > 0 && errors.every((e) => e.code === DUPLICATE_KEY);
}

class MongoRegistryCollections implements RegistryCollections {
  constructor(
    private readonly db: Db,
    private readonly session?: ClientSession,
  ) {}

  private collection<C extends RegistryCollectionName>(name: C) {
    return this.db.collection<RegistryDocuments[C] & Document>(name);
  }

  private get sessionOption(): { session?: ClientSession } {
    return this.session ? { session: this.session } : {};
  }

  async find<C extends KindCollectionName>(collection: C, query: QueryDocument, limit?: number): Promise<RegistryDocuments[C][]> {
    let cursor = this.collection(collection)
      .find(query as Filter<RegistryDocuments[C] & Document>, { ...WITHOUT_ID, ...this.sessionOption })
      .sort({ seq: 1 });
    if (limit !== undefined) cursor = cursor.limit(limit);
    return (await cursor.toArray()) as RegistryDocuments[C][];
  }

  async findOne<C extends RegistryCollectionName>(collection: C, query: QueryDocument): Promise<RegistryDocuments[C] | undefined> {
    const found = await this.collection(collection).findOne(query as Filter<RegistryDocuments[C] & Document>, this.sessionOption);
    return (found ?? undefined) as RegistryDocuments[C] | undefined;
  }

  async count(collection: RegistryCollectionName, query: QueryDocument): Promise<number> {
    return this.db.collection(collection).countDocuments(query as Filter<Document>, this.sessionOption);
  }

  async insertMany<C extends RegistryCollectionName>(collection: C, documents: RegistryDocuments[C][]): Promise<void> {
    if (documents.length === 0) return;
    try {
      // Copies: the driver adds an _id to what it inserts.
      await this.db.collection(collection).insertMany(documents.map((d): Document => ({ ...d })), { ordered: true, ...this.sessionOption });
    } catch (err) {
      throw asDuplicateKeyError(err, collection) ?? err;
    }
  }

  /** Outside transactions only: an unordered insert whose duplicate-key refusals are the point, not errors. */
  async insertMissing<C extends RegistryCollectionName>(collection: C, documents: RegistryDocuments[C][]): Promise<void> {
    if (documents.length === 0) return;
    try {
      await this.db.collection(collection).insertMany(documents.map((d): Document => ({ ...d })), { ordered: false, ...this.sessionOption });
    } catch (err) {
      if (!onlyDuplicateKeys(err)) throw err;
    }
  }

  async updateOne(collection: RegistryCollectionName, selector: QueryDocument, update: UpdateDocument): Promise<{ matchedCount: number }> {
    const result = await this.db.collection(collection).updateOne(selector as Filter<Document>, update as UpdateFilter<Document>, this.sessionOption);
    return { matchedCount: result.matchedCount };
  }
}

class MongoRegistryDatabase implements RegistryDatabase {
  readonly collections: RegistryCollections;

  constructor(
    private readonly client: MongoClient,
    readonly db: Db,
  ) {
    this.collections = new MongoRegistryCollections(db);
  }

  async inTransaction<T>(work: (tx: RegistryCollections) => Promise<T>): Promise<T> {
    const session = this.client.startSession();
    try {
      return await session.withTransaction(() => work(new MongoRegistryCollections(this.db, session)), TRANSACTION_OPTIONS);
    } finally {
      await session.endSession();
    }
  }

  async reserveSequence(count: number): Promise<number> {
    const counter = await this.db
      .collection<RegistryDocuments['counters']>('counters')
      .findOneAndUpdate({ _id: SEQUENCE_COUNTER_ID }, { $inc: { value: count } }, { upsert: true, returnDocument: 'after' });
    if (counter === null) throw new Error('MongoDB returned no sequence counter after an upsert');
    return counter.value - count + 1;
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** Create the id-only collections and every index of the profile (idempotent; safe while other instances run). */
export async function ensureRegistryCollections(db: Db, topology: RegistryTopology = 'replicaSet'): Promise<void> {
  for (const name of ID_ONLY_COLLECTIONS) {
    await db.createCollection(name).catch((err: unknown) => {
      if (!(err instanceof MongoServerError && err.code === NAMESPACE_EXISTS)) throw err;
    });
  }
  const specs = registryIndexes(topology);
  for (const collection of new Set(specs.map((s) => s.collection))) {
    await db.collection(collection).createIndexes(
      specs
        .filter((s) => s.collection === collection)
        .map((s) => ({
          key: s.key,
          name: s.name,
          ...(s.unique ? { unique: true } : {}),
          ...(s.partialFilterExpression ? { partialFilterExpression: s.partialFilterExpression } : {}),
        })),
    );
  }
}

/** The MongoDB RegistryStore; `database` is exposed for administration and tests. */
export class MongoRegistryStore extends CollectionRegistryStore {
  readonly database: Db;
  constructor(database: MongoRegistryDatabase) {
    super(database);
    this.database = database.db;
  }
}

/**
 * Connect to MongoDB, refuse a standalone server, create the collections and indexes, and return the store.
 * Rejects with an Error naming MongoDB and the URL without credentials when the server cannot be used.
 */
export async function openMongoRegistryStore(url: string, opts: MongoRegistryStoreOptions = {}): Promise<MongoRegistryStore> {
  const { client, db, redactedUrl } = await connectMongo(url, { appName: 'xds-registry', ...opts });
  try {
    await ensureRegistryCollections(db, opts.topology ?? 'replicaSet');
  } catch (err) {
    await client.close().catch(() => undefined);
    throw new Error(`MongoDB at ${redactedUrl}: cannot create the registry collections and indexes: ${err instanceof Error ? err.message : String(err)}`);
  }
  return new MongoRegistryStore(new MongoRegistryDatabase(client, db));
}
