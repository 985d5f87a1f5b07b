/**
 * The GridFS document store against a real server (MONGODB_URL, a replica set): the BlobStore contract, then
 * what only GridFS has: the start-up sweep of crashed uploads, a staged file lost under a commit, the chunk
 * size, two instances sharing one database. Without MONGODB_URL: one test reports
 * "GridFS BlobStore contract suite NOT RUN: MONGODB_URL not set".
 */
import { GridFSBucket, MongoClient, ObjectId, type Db } from 'mongodb';
import { freshDatabaseName, liveMongoUrl, reportLiveSuiteNotRun } from '../../../registry/store/mongo/testing/liveMongo';
import type { StagedDocument } from '../BlobStore';
import {
  BUCKET_NAME,
  DOCUMENTS_COLLECTION,
  GridFsBlobStore,
  openGridFsBlobStore,
  STAGED_COLLECTION,
  stagedFilename,
  type DocumentRecord,
  type GridFsBlobStoreOptions,
  type StagedRecord,
} from './GridFsBlobStore';
import { runBlobStoreContract } from './testing/blobStoreContract';

const url = liveMongoUrl();

/** GridFS files, chunk sets and staged entries that no committed document owns. */
async function leftoversIn(db: Db): Promise<number> {
  const owned: ObjectId[] = (await db.collection(DOCUMENTS_COLLECTION).find({}, { projection: { fileId: 1 } }).toArray()).map((d) => d.fileId as ObjectId);
  const files = await db.collection(`${BUCKET_NAME}.files`).countDocuments({ _id: { $nin: owned } });
  const chunkSets = (await db.collection(`${BUCKET_NAME}.chunks`).distinct('files_id', { files_id: { $nin: owned } })).length;
  const staged = await db.collection(STAGED_COLLECTION).countDocuments({});
  return files + chunkSets + staged;
}

if (url === undefined) {
  reportLiveSuiteNotRun('GridFS BlobStore contract suite');
} else {
  let admin: MongoClient;
  beforeAll(async () => {
    admin = await new MongoClient(url, { serverSelectionTimeoutMS: 10_000 }).connect();
  });
  afterAll(async () => {
    await admin.close();
  });

  async function openFresh(opts: GridFsBlobStoreOptions = {}): Promise<{ store: GridFsBlobStore; db: Db; name: string }> {
    const name = freshDatabaseName('xds_documents_test');
    const store = await openGridFsBlobStore(url as string, { ...opts, database: name, serverSelectionTimeoutMS: 10_000 });
    return { store, db: admin.db(name), name };
  }

  runBlobStoreContract('GridFS (64 KiB chunks)', async () => {
    const { store, db } = await openFresh({ chunkSizeBytes: 64 * 1024 });
    return { store, leftovers: () => leftoversIn(db), dispose: async () => void (await db.dropDatabase()) };
  });

  describe('GridFS specifics', () => {
    let store: GridFsBlobStore;
    let db: Db;
    let name: string;
    beforeEach(async () => {
      ({ store, db, name } = await openFresh({ chunkSizeBytes: 16 * 1024 }));
    });
    afterEach(async () => {
      await store.close();
      await db.dropDatabase();
    });

    async function stageBytes(s: GridFsBlobStore, data: Buffer | string): Promise<StagedDocument> {
      const { sink, staged } = await s.stage();
      sink.end(data);
      await staged.done;
      return staged;
    }

    /** What a process that died mid-upload leaves: a staged entry and some chunks, no files document. */
    async function crashedUpload(since: Date): Promise<ObjectId> {
      const fileId = new ObjectId();
      await db.collection<StagedRecord>(STAGED_COLLECTION).insertOne({ _id: fileId, since, reason: 'upload' });
      const upload = new GridFSBucket(db, { bucketName: BUCKET_NAME, chunkSizeBytes: 1024 }).openUploadStreamWithId(fileId, stagedFilename(fileId));
      await new Promise<void>((resolve, reject) => upload.write(Buffer.alloc(5000, 7), (e) => (e ? reject(e) : resolve())));
      upload.destroy();
      return fileId;
    }

    it('keeps chunks of the configured size', async () => {
      await store.commit([{ staged: await stageBytes(store, Buffer.alloc(100 * 1024, 3)), uniqueId: 'c.1', mimeType: 'application/octet-stream' }]);
      const file = await db.collection(`${BUCKET_NAME}.files`).findOne({ filename: 'c.1' });
      expect(file).toMatchObject({ chunkSize: 16 * 1024, length: 100 * 1024 });
      expect(await db.collection(`${BUCKET_NAME}.chunks`).countDocuments({ files_id: file?._id })).toBe(7);
    });

    it('sweeps, at start, uploads a crashed process left, but not recent ones another instance may still be receiving', async () => {
      const old = await crashedUpload(new Date(Date.now() - 2 * 60 * 60 * 1000));
      const recent = await crashedUpload(new Date());
      expect(await db.collection(`${BUCKET_NAME}.chunks`).countDocuments({ files_id: old })).toBeGreaterThan(0);
      const second = await openGridFsBlobStore(url as string, { database: name, serverSelectionTimeoutMS: 10_000 });
      await second.close();
      expect(await db.collection(`${BUCKET_NAME}.chunks`).countDocuments({ files_id: old })).toBe(0);
      expect(await db.collection(STAGED_COLLECTION).countDocuments({ _id: old })).toBe(0);
      expect(await db.collection(`${BUCKET_NAME}.chunks`).countDocuments({ files_id: recent })).toBeGreaterThan(0);
      expect(await store.sweepStaged(0)).toBe(1);
      expect(await leftoversIn(db)).toBe(0);
    });

    it('never sweeps the file of a committed document, even if a stale staged entry names it', async () => {
      await store.commit([{ staged: await stageBytes(store, 'kept'), uniqueId: 'k.1', mimeType: 'text/plain' }]);
      const doc = await db.collection<DocumentRecord>(DOCUMENTS_COLLECTION).findOne({ _id: 'k.1' });
      await db.collection<StagedRecord>(STAGED_COLLECTION).insertOne({ _id: doc?.fileId ?? new ObjectId(), since: new Date(0), reason: 'upload' });
      expect(await store.sweepStaged(0)).toBe(1);
      const chunks: Buffer[] = [];
      for await (const c of await store.open('k.1')) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe('kept');
    });

    it('finishes a removal a crash interrupted', async () => {
      await store.commit([{ staged: await stageBytes(store, 'to go'), uniqueId: 'r.1', mimeType: 'text/plain' }]);
      const doc = await db.collection<DocumentRecord>(DOCUMENTS_COLLECTION).findOneAndDelete({ _id: 'r.1' });
      await db.collection<StagedRecord>(STAGED_COLLECTION).insertOne({ _id: doc?.fileId ?? new ObjectId(), since: new Date(0), reason: 'removed' });
      expect(await store.sweepStaged(0)).toBe(1);
      expect(await leftoversIn(db)).toBe(0);
      expect(await db.collection(`${BUCKET_NAME}.files`).countDocuments({})).toBe(0);
    });

    it('fails a commit whose staged file vanished, creating none of its documents', async () => {
      const first = await stageBytes(store, 'first');
      const second = await stageBytes(store, 'second');
      const files = await db.collection(`${BUCKET_NAME}.files`).find({}).toArray();
      const secondFile = files.find((f) => f.length === 6);
      await db.collection(`${BUCKET_NAME}.files`).deleteOne({ _id: secondFile?._id });
      await expect(
        store.commit([
          { staged: first, uniqueId: 'v.1', mimeType: 'text/plain' },
          { staged: second, uniqueId: 'v.2', mimeType: 'text/plain' },
        ]),
      ).rejects.toThrow('no longer in GridFS');
      expect(await store.info('v.1')).toBeUndefined();
      expect(await store.info('v.2')).toBeUndefined();
    });

    it('lets two instances on one database race for a uniqueId: one creates, the other finds identical bytes or a conflict', async () => {
      const other = await openGridFsBlobStore(url as string, { database: name, serverSelectionTimeoutMS: 10_000 });
      try {
        const [a, b] = [await stageBytes(store, 'same'), await stageBytes(other, 'same')];
        const results = await Promise.all([
          store.commit([{ staged: a, uniqueId: 'race.1', mimeType: 'text/plain' }]),
          other.commit([{ staged: b, uniqueId: 'race.1', mimeType: 'text/plain' }]),
        ]);
        expect(results.map((r) => r.created.length).sort()).toEqual([0, 1]);
        const c = await stageBytes(other, 'different');
        await expect(other.commit([{ staged: c, uniqueId: 'race.1', mimeType: 'text/plain' }])).rejects.toThrow('XDSNonIdenticalHash');
        await other.discard(c);
      } finally {
        await other.close();
      }
      expect(await leftoversIn(db)).toBe(0);
    });
  });
}
