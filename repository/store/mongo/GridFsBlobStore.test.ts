/**
 * The GridFS document store without a server: start-up errors and the pure rules. The store itself runs against
 * a real replica set in GridFsBlobStore.live.test.ts (MONGODB_URL); its contract is validated on the file store
 * in blobStoreContract.test.ts.
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { ObjectId } from 'mongodb';
import { LimitError } from '../../../shared/errors';
import { HashingCounter } from '../fs/hashingCounter';
import { checkChunkSize, DEFAULT_CHUNK_SIZE_BYTES, openGridFsBlobStore, stagedFilename, streamIntoUpload } from './GridFsBlobStore';
import { nonIdenticalErrors } from '../stagingRecords';

describe('openGridFsBlobStore when MongoDB cannot be used', () => {
  it('rejects within about 2 s naming MongoDB and the URL without credentials', async () => {
    const started = Date.now();
    const err = (await openGridFsBlobStore('mongodb://repo:topsecret@127.0.0.1:1/xds_docs', { serverSelectionTimeoutMS: 500 }).catch((e: unknown) => e)) as Error;
    expect(Date.now() - started).toBeLessThan(2500);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain('MongoDB');
    expect(err.message).toContain('mongodb://127.0.0.1:1/xds_docs');
    expect(err.message).not.toContain('topsecret');
  });

  it('checks the chunk size before connecting', async () => {
    const started = Date.now();
    await expect(openGridFsBlobStore('mongodb://127.0.0.1:1/x', { chunkSizeBytes: 100, serverSelectionTimeoutMS: 5000 })).rejects.toThrow(RangeError);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('GridFS store rules', () => {
  it('takes chunk sizes from 1 KiB to 8 MiB, 255 KiB by default', () => {
    expect(DEFAULT_CHUNK_SIZE_BYTES).toBe(261120);
    expect(checkChunkSize(1024)).toBe(1024);
    expect(checkChunkSize(8 * 1024 * 1024)).toBe(8 * 1024 * 1024);
    expect(() => checkChunkSize(1023)).toThrow(RangeError);
    expect(() => checkChunkSize(8 * 1024 * 1024 + 1)).toThrow(RangeError);
    expect(() => checkChunkSize(2048.5)).toThrow(RangeError);
  });

  it('names staged uploads by file id, never by a uniqueId', () => {
    const id = new ObjectId('65a0f0f0f0f0f0f0f0f0f0f0');
    expect(stagedFilename(id)).toBe('staged/65a0f0f0f0f0f0f0f0f0f0f0');
  });

  it('reports size and hash differences separately, hash compared case-insensitively', () => {
    const stored = { size: 8, hash: 'ABCDEF' };
    expect(nonIdenticalErrors('1.2', stored, { size: 8, hash: 'abcdef' })).toEqual([]);
    expect(nonIdenticalErrors('1.2', stored, { size: 8, hash: '000000' }).map((e) => e.errorCode)).toEqual(['XDSNonIdenticalHash']);
    const both = nonIdenticalErrors('1.2', stored, { size: 9, hash: '000000' });
    expect(both.map((e) => e.errorCode)).toEqual(['XDSNonIdenticalSize', 'XDSNonIdenticalHash']);
    expect(both.every((e) => e.codeContext.includes('1.2') && e.location === '1.2')).toBe(true);
  });
});

/**
 * A stand-in for a GridFS upload stream: every write is an asynchronous "chunk insert" that takes a while, and
 * `final` writes the "files document". It records what was stored and how many inserts were in flight.
 */
class SlowUpload extends Writable {
  inFlight = 0;
  stored = 0;
  filesDocument = false;
  constructor(
    private readonly delayMs: number,
    private readonly failAfterBytes = Infinity,
  ) {
    super({ highWaterMark: 1024 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error) => void): void {
    this.inFlight += 1;
    setTimeout(() => {
      this.inFlight -= 1;
      if (this.stored + chunk.length > this.failAfterBytes) return cb(new Error('insert failed: not primary'));
      this.stored += chunk.length;
      cb();
    }, this.delayMs);
  }
  override _final(cb: (e?: Error) => void): void {
    setTimeout(() => {
      this.filesDocument = true;
      cb();
    }, this.delayMs);
  }
}

describe('streamIntoUpload: bytes into the upload, failures cleaned up only once nothing is in flight', () => {
  function run(upload: SlowUpload, maxBytes?: number) {
    const counter = new HashingCounter(maxBytes);
    const cleanUp = jest.fn(async () => {
      expect(upload.inFlight).toBe(0);
    });
    const done = streamIntoUpload(counter, upload, cleanUp);
    done.catch(() => undefined);
    return { counter, cleanUp, done };
  }

  it('resolves with size and SHA-1 after the upload finished, without cleaning up', async () => {
    const upload = new SlowUpload(2);
    const { counter, cleanUp, done } = run(upload);
    const data = Buffer.alloc(10_000, 5);
    counter.end(data);
    expect(await done).toEqual({ size: 10_000, hash: createHash('sha1').update(data).digest('hex') });
    expect(upload.filesDocument).toBe(true);
    expect(upload.stored).toBe(10_000);
    expect(cleanUp).not.toHaveBeenCalled();
  });

  it('on a byte too many: the writer gets the LimitError, cleanup runs after the last insert settled', async () => {
    const upload = new SlowUpload(20);
    const { counter, cleanUp, done } = run(upload, 3000);
    const writerError = new Promise<unknown>((resolve) => counter.once('error', resolve));
    counter.write(Buffer.alloc(2000));
    counter.write(Buffer.alloc(2000));
    await expect(done).rejects.toBeInstanceOf(LimitError);
    expect(await writerError).toBeInstanceOf(LimitError);
    expect(cleanUp).toHaveBeenCalledTimes(1);
    expect(upload.inFlight).toBe(0);
  });

  it('on a writer that goes away (with or without an error), cleans up after the upload settled', async () => {
    for (const reason of [new Error('client went away'), undefined]) {
      const upload = new SlowUpload(20);
      const { counter, cleanUp, done } = run(upload);
      counter.on('error', () => undefined);
      counter.write(Buffer.alloc(5000));
      await new Promise((r) => setTimeout(r, 5));
      counter.destroy(reason);
      await expect(done).rejects.toThrow(reason ? 'client went away' : /premature close/i);
      expect(cleanUp).toHaveBeenCalledTimes(1);
      expect(upload.inFlight).toBe(0);
    }
  });

  it('on a failing upload: the writer gets its error and cleanup runs', async () => {
    const upload = new SlowUpload(2, 1500);
    const { counter, cleanUp, done } = run(upload);
    const writerError = new Promise<unknown>((resolve) => counter.once('error', resolve));
    counter.write(Buffer.alloc(1000));
    counter.write(Buffer.alloc(1000));
    await expect(done).rejects.toThrow('not primary');
    expect(String(await writerError)).toContain('not primary');
    expect(cleanUp).toHaveBeenCalledTimes(1);
  });
});
