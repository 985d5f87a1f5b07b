/**
 * BlobStore (repository/store/BlobStore.ts) on MongoDB GridFS, for repository instances that share no disk.
 *
 *   documents.files / documents.chunks   the GridFS bucket 'documents' (bytes in chunks, 255 KiB by default)
 *   documents                            {_id: uniqueId, fileId, mimeType, size, hash, storedAt}: a stored document
 *   staged_documents                     {_id: fileId, since, reason}: GridFS files not (or no longer) owned by
 *                                        a document, to be deleted; the sweep's work list
 *
 * Two phases, as the file store:
 *  - stage(): a `staged_documents` entry is written first, then the bytes stream through a HashingCounter (SHA-1,
 *    size, maxBytes) into `openUploadStreamWithId` under a temporary filename. If the writer fails, the counter
 *    refuses a byte too many or the upload is discarded, the upload is ended (so no chunk insert is still in
 *    flight) and its file deleted; a crash leaves the staged entry, and `sweepStaged` deletes the file later.
 *  - commit(): one transaction: for each item look the uniqueId up in `documents`; a different size or SHA-1 →
 *    XdsError XDSNonIdenticalSize / XDSNonIdenticalHash and nothing changes; identical → left as it is (the staged
 *    file is deleted afterwards); new → insert the `documents` entry, rename the GridFS file to the uniqueId
 *    (which also proves its files document still exists with the expected length) and delete its staged entry.
 *  - remove(): one transaction deletes the `documents` entry and records the file as staged ('removed'); then the
 *    file is deleted. A crash in between leaves work for the sweep, never a document without bytes.
 *
 * Several repository instances may share the database: commits of one uniqueId are serialised by the unique
 * `documents._id` (a racing transaction conflicts, is retried by the driver and then sees the other's document).
 * The start-up sweep only deletes staged files older than `sweepStagedOlderThanMs`, so it never takes an upload
 * another instance is still receiving.
 */
import { nonIdenticalErrors, stagedRecordsFor } from '../stagingRecords';
import { randomUUID } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import {
  GridFSBucket,
  MongoServerError,
  ObjectId,
  type ClientSession,
  type Collection,
  type Db,
  type GridFSBucketWriteStream,
  type MongoClient,
} from 'mongodb';
import { XdsError, type RegistryError } from '../../../shared/errors';
import { connectMongo, type MongoConnectionOptions } from '../../../shared/mongo/connection';
import type { BlobStore, StagedDocument, StoredDocumentInfo } from '../BlobStore';
import { HashingCounter } from '../fs/hashingCounter';

export const DEFAULT_CHUNK_SIZE_BYTES = 255 * 1024;
/** A chunk is one BSON document (at most 16 MiB with its fields); stay well below. */
export const MAX_CHUNK_SIZE_BYTES = 8 * 1024 * 1024;
export const DEFAULT_SWEEP_STAGED_OLDER_THAN_MS = 60 * 60 * 1000;
export const BUCKET_NAME = 'documents';
export const DOCUMENTS_COLLECTION = 'documents';
export const STAGED_COLLECTION = 'staged_documents';

export interface GridFsBlobStoreOptions {
  /** GridFS chunk size in bytes; default 255 KiB. */
  chunkSizeBytes?: number;
  /** At start, delete staged files older than this (ms); default 1 h. Must exceed the longest upload. */
  sweepStagedOlderThanMs?: number;
}

export interface OpenGridFsBlobStoreOptions extends GridFsBlobStoreOptions, MongoConnectionOptions {}

/** A stored document's entry. */
export interface DocumentRecord {
  _id: string;
  fileId: ObjectId;
  mimeType: string;
  size: number;
  hash: string;
  storedAt: string;
}

/** A GridFS file that no document owns (being received, failed, identical duplicate, removed). */
export interface StagedRecord {
  _id: ObjectId;
  since: Date;
  reason: 'upload' | 'removed';
}

interface GridFsFileDocument {
  _id: ObjectId;
  length: number;
  filename: string;
  metadata?: Record<string, unknown>;
}

interface GridFsChunkDocument {
  _id: ObjectId;
  files_id: ObjectId;
  n: number;
}

interface Staging {
  stagingId: string;
  fileId: ObjectId;
  state: 'receiving' | 'staged' | 'discarded' | 'committed';
  counter: HashingCounter;
  done: Promise<{ size: number; hash: string }>;
}

const TRANSACTION_OPTIONS = {
  readConcern: { level: 'snapshot' as const },
  writeConcern: { w: 'majority' as const, journal: true },
  readPreference: 'primary' as const,
};

const DUPLICATE_KEY = 11000;
const COMMIT_ATTEMPTS = 3;

export function checkChunkSize(bytes: number): number {
  if (!Number.isSafeInteger(bytes) || bytes < 1024 || bytes > MAX_CHUNK_SIZE_BYTES) {
    throw new RangeError(`GridFS chunkSizeBytes must be a whole number in 1024..${MAX_CHUNK_SIZE_BYTES}, got ${bytes}`);
  }
  return bytes;
}

/** The GridFS filename of a staged upload: never a uniqueId, so a half-written file is never mistaken for one. */
export function stagedFilename(fileId: ObjectId): string {
  return `staged/${fileId.toHexString()}`;
}

/**
 * writer → counter (SHA-1, size, limit) → upload. Resolves with size and SHA-1 once the upload finished (for
 * GridFS: the files document is written). On any failure (the writer destroys the sink, the counter refuses a
 * byte too many, the upload fails) the counter is destroyed so the writer sees the error, the upload is ended
 * rather than destroyed so that once it settles no write of it is still in flight, then `cleanUp` runs and the
 * failure is rethrown. (Destroying a GridFS upload stream would return while a chunk insert may still land.)
 */
export async function streamIntoUpload(counter: HashingCounter, upload: Writable, cleanUp: () => Promise<void>): Promise<{ size: number; hash: string }> {
  counter.pipe(upload);
  const uploaded = finished(upload);
  try {
    await Promise.all([finished(counter), uploaded]);
    return counter.result();
  } catch (err) {
    counter.unpipe(upload);
    if (!counter.destroyed) counter.destroy(err instanceof Error ? err : new Error(String(err)));
    if (!upload.writableEnded && !upload.destroyed) upload.end();
    await uploaded.catch(() => undefined);
    await cleanUp();
    throw err;
  }
}

function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === DUPLICATE_KEY;
}

export class GridFsBlobStore implements BlobStore {
  private readonly bucket: GridFSBucket;
  private readonly documents: Collection<DocumentRecord>;
  private readonly staged: Collection<StagedRecord>;
  private readonly files: Collection<GridFsFileDocument>;
  private readonly chunks: Collection<GridFsChunkDocument>;
  private readonly staging = new Map<string, Staging>();
  private readonly chunkSizeBytes: number;
  private closed = false;

  private constructor(
    private readonly client: MongoClient,
    readonly database: Db,
    opts: GridFsBlobStoreOptions,
    private readonly ownsClient: boolean,
  ) {
    this.chunkSizeBytes = checkChunkSize(opts.chunkSizeBytes ?? DEFAULT_CHUNK_SIZE_BYTES);
    this.bucket = new GridFSBucket(database, { bucketName: BUCKET_NAME, chunkSizeBytes: this.chunkSizeBytes });
    this.documents = database.collection<DocumentRecord>(DOCUMENTS_COLLECTION);
    this.staged = database.collection<StagedRecord>(STAGED_COLLECTION);
    this.files = database.collection<GridFsFileDocument>(`${BUCKET_NAME}.files`);
    this.chunks = database.collection<GridFsChunkDocument>(`${BUCKET_NAME}.chunks`);
  }

  /**
   * A store on an already connected client (which must reach a replica set or mongos): creates the indexes and
   * sweeps staged files older than `sweepStagedOlderThanMs`. `ownsClient`: close the client with the store.
   */
  static async create(client: MongoClient, database: Db, opts: GridFsBlobStoreOptions = {}, ownsClient = false): Promise<GridFsBlobStore> {
    const store = new GridFsBlobStore(client, database, opts, ownsClient);
    await store.ensureIndexes();
    await store.sweepStaged(opts.sweepStagedOlderThanMs ?? DEFAULT_SWEEP_STAGED_OLDER_THAN_MS);
    return store;
  }

  async stage(opts: { maxBytes?: number } = {}): Promise<{ sink: Writable; staged: StagedDocument }> {
    this.assertOpen();
    const fileId = new ObjectId();
    await this.staged.insertOne({ _id: fileId, since: new Date(), reason: 'upload' });
    const counter = new HashingCounter(opts.maxBytes);
    const upload = this.bucket.openUploadStreamWithId(fileId, stagedFilename(fileId), { chunkSizeBytes: this.chunkSizeBytes, metadata: { staged: true } });
    const stagingId = randomUUID();
    const record: Staging = { stagingId, fileId, state: 'receiving', counter, done: Promise.resolve({ size: 0, hash: '' }) };
    record.done = this.receive(record, upload);
    // Whoever awaits `done` sees its rejection; this only keeps an unawaited one from being unhandled.
    record.done.catch(() => undefined);
    this.staging.set(stagingId, record);
    return { sink: counter, staged: { stagingId, done: record.done } };
  }

  async commit(items: { staged: StagedDocument; uniqueId: string; mimeType: string }[]): Promise<{ created: string[] }> {
    this.assertOpen();
    const records = stagedRecordsFor(items, this.staging);
    const computed = await Promise.all(records.map((r) => r.done));
    const plan = items.map((item, i) => ({ ...item, record: records[i] as Staging, computed: computed[i] as { size: number; hash: string } }));

    let outcome: { created: string[]; identical: Staging[] } | undefined;
    for (let attempt = 1; outcome === undefined; attempt++) {
      try {
        outcome = await this.inTransaction((session) => this.commitInTransaction(plan, session));
      } catch (err) {
        // Another instance committed the same uniqueId between our read and our insert: look again.
        if (!isDuplicateKey(err) || attempt >= COMMIT_ATTEMPTS) throw err;
      }
    }
    for (const item of plan) if (outcome.created.includes(item.uniqueId)) this.markCommitted(item.record);
    for (const record of outcome.identical) await this.discardRecord(record);
    return { created: outcome.created };
  }

  async discard(staged: StagedDocument): Promise<void> {
    const record = this.staging.get(staged.stagingId);
    if (record) await this.discardRecord(record);
  }

  async info(uniqueId: string): Promise<StoredDocumentInfo | undefined> {
    const doc = await this.documents.findOne({ _id: { $eq: uniqueId } });
    if (!doc) return undefined;
    return { uniqueId: doc._id, mimeType: doc.mimeType, size: doc.size, hash: doc.hash, storedAt: doc.storedAt };
  }

  async open(uniqueId: string): Promise<Readable> {
    const doc = await this.documents.findOne({ _id: { $eq: uniqueId } });
    if (!doc) throw new Error(`document ${uniqueId} is not stored`);
    return this.bucket.openDownloadStream(doc.fileId);
  }

  async remove(uniqueId: string): Promise<boolean> {
    this.assertOpen();
    const fileId = await this.inTransaction(async (session) => {
      const doc = await this.documents.findOneAndDelete({ _id: { $eq: uniqueId } }, { session });
      if (!doc) return undefined;
      await this.staged.updateOne({ _id: doc.fileId }, { $set: { since: new Date(), reason: 'removed' } }, { upsert: true, session });
      return doc.fileId;
    });
    if (fileId === undefined) return false;
    await this.deleteStagedFile(fileId);
    return true;
  }

  /**
   * Delete staged files (and their staged entries) older than `olderThanMs`: uploads a crashed process left, files
   * a crash left between remove's transaction and the deletion. Files a document owns are never deleted.
   * Returns how many staged entries were cleared.
   */
  async sweepStaged(olderThanMs: number): Promise<number> {
    if (!Number.isFinite(olderThanMs) || olderThanMs < 0) throw new RangeError(`olderThanMs must be >= 0, got ${olderThanMs}`);
    const cutoff = new Date(Date.now() - olderThanMs);
    const receivingHere = new Set([...this.staging.values()].map((r) => r.fileId.toHexString()));
    let swept = 0;
    for await (const entry of this.staged.find({ since: { $lt: cutoff } })) {
      if (receivingHere.has(entry._id.toHexString())) continue;
      if ((await this.documents.countDocuments({ fileId: entry._id }, { limit: 1 })) > 0) {
        await this.staged.deleteOne({ _id: entry._id });
      } else {
        await this.deleteStagedFile(entry._id);
      }
      swept += 1;
    }
    return swept;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const record of [...this.staging.values()]) await this.discardRecord(record).catch(() => undefined);
    if (this.ownsClient) await this.client.close();
  }

  // ---- internals ----

  private assertOpen(): void {
    if (this.closed) throw new Error('the document store is closed');
  }

  private async ensureIndexes(): Promise<void> {
    await this.documents.createIndex({ fileId: 1 }, { name: 'fileId' });
    await this.staged.createIndex({ since: 1 }, { name: 'since' });
    // What the driver would otherwise check and create on the first upload (GridFS spec indexes).
    await this.files.createIndex({ filename: 1, uploadDate: 1 });
    await this.chunks.createIndex({ files_id: 1, n: 1 }, { unique: true });
  }

  private async inTransaction<T>(work: (session: ClientSession) => Promise<T>): Promise<T> {
    const session = this.client.startSession();
    try {
      return await session.withTransaction(() => work(session), TRANSACTION_OPTIONS);
    } finally {
      await session.endSession();
    }
  }

  /** Bytes of one staged upload; on failure the record is dropped and its file deleted (streamIntoUpload). */
  private async receive(record: Staging, upload: GridFSBucketWriteStream): Promise<{ size: number; hash: string }> {
    const result = await streamIntoUpload(record.counter, upload, async () => {
      record.state = 'discarded';
      this.staging.delete(record.stagingId);
      await this.deleteStagedFile(record.fileId).catch(() => undefined);
    });
    if (record.state === 'receiving') record.state = 'staged';
    return result;
  }

  private async commitInTransaction(
    plan: { uniqueId: string; mimeType: string; record: Staging; computed: { size: number; hash: string } }[],
    session: ClientSession,
  ): Promise<{ created: string[]; identical: Staging[] }> {
    const conflicts: RegistryError[] = [];
    const fresh: typeof plan = [];
    const identical: Staging[] = [];
    for (const item of plan) {
      const existing = await this.documents.findOne({ _id: { $eq: item.uniqueId } }, { session });
      if (!existing) fresh.push(item);
      else {
        const errors = nonIdenticalErrors(item.uniqueId, existing, item.computed);
        if (errors.length === 0) identical.push(item.record);
        conflicts.push(...errors);
      }
    }
    if (conflicts.length > 0) throw new XdsError(conflicts);
    const storedAt = new Date().toISOString();
    for (const item of fresh) {
      const { fileId } = item.record;
      await this.documents.insertOne({ _id: item.uniqueId, fileId, mimeType: item.mimeType, size: item.computed.size, hash: item.computed.hash, storedAt }, { session });
      const renamed = await this.files.updateOne(
        { _id: fileId, length: item.computed.size },
        { $set: { filename: item.uniqueId, metadata: { uniqueId: item.uniqueId, mimeType: item.mimeType, sha1: item.computed.hash } } },
        { session },
      );
      if (renamed.matchedCount !== 1) throw new Error(`staged document ${item.record.stagingId} is no longer in GridFS (file ${fileId.toHexString()})`);
      await this.staged.deleteOne({ _id: fileId }, { session });
    }
    return { created: fresh.map((i) => i.uniqueId), identical };
  }

  private markCommitted(record: Staging): void {
    record.state = 'committed';
    this.staging.delete(record.stagingId);
  }

  private async discardRecord(record: Staging): Promise<void> {
    if (record.state === 'committed' || record.state === 'discarded') {
      this.staging.delete(record.stagingId);
      return;
    }
    const wasReceiving = record.state === 'receiving';
    record.state = 'discarded';
    this.staging.delete(record.stagingId);
    if (wasReceiving && !record.counter.writableFinished) record.counter.destroy(new Error('staged document discarded'));
    // A failed receive deletes its own file; a finished one is deleted here.
    const failed = await record.done.then(
      () => false,
      () => true,
    );
    if (!failed) await this.deleteStagedFile(record.fileId);
  }

  /** The GridFS file (files document first, then the chunks), then its staged entry. */
  private async deleteStagedFile(fileId: ObjectId): Promise<void> {
    await this.files.deleteOne({ _id: fileId });
    await this.chunks.deleteMany({ files_id: fileId });
    await this.staged.deleteOne({ _id: fileId });
  }
}

/**
 * Connect to MongoDB (refusing a standalone server), create the indexes, sweep old staged files, and return the
 * store. Rejects with an Error naming MongoDB and the URL without credentials when the server cannot be used.
 */
export async function openGridFsBlobStore(url: string, opts: OpenGridFsBlobStoreOptions = {}): Promise<GridFsBlobStore> {
  checkChunkSize(opts.chunkSizeBytes ?? DEFAULT_CHUNK_SIZE_BYTES);
  const { client, db, redactedUrl } = await connectMongo(url, { appName: 'xds-repository', ...opts });
  try {
    return await GridFsBlobStore.create(client, db, opts, true);
  } catch (err) {
    await client.close().catch(() => undefined);
    throw new Error(`MongoDB at ${redactedUrl}: cannot prepare the document store: ${err instanceof Error ? err.message : String(err)}`);
  }
}
