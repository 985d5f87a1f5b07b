/**
 * The BlobStore contract (repository/store/BlobStore.ts) as a reusable jest suite, the behaviour the file store's
 * own tests pin, stated without files:
 *
 *   runBlobStoreContract('my backend', async () => ({ store, leftovers, dispose }));
 *
 * `leftovers()` counts what the backend holds that no committed document owns (staging files, staged GridFS
 * files, their bookkeeping): after every finished, failed or discarded upload it must come back to 0.
 * `dispose()` removes whatever the test setup created (directory, database); the suite closes the store first.
 */
import { createHash } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LimitError, XdsError } from '../../../../shared/errors';
import type { BlobStore, StagedDocument } from '../../BlobStore';

export interface BlobStoreUnderTest {
  store: BlobStore;
  leftovers(): Promise<number>;
  dispose(): Promise<void>;
}

const sha1 = (b: Buffer | string): string => createHash('sha1').update(b).digest('hex');

async function writeAll(sink: Writable, data: Buffer | string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    sink.once('error', reject);
    sink.end(data, () => resolve());
  });
}

export function runBlobStoreContract(name: string, open: () => Promise<BlobStoreUnderTest>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let under: BlobStoreUnderTest;
    let store: BlobStore;

    beforeEach(async () => {
      under = await open();
      store = under.store;
    });
    afterEach(async () => {
      await store.close();
      await under.dispose();
    });

    async function stageBytes(data: Buffer | string, maxBytes?: number): Promise<StagedDocument> {
      const { sink, staged } = await store.stage(maxBytes === undefined ? {} : { maxBytes });
      await writeAll(sink, data);
      await staged.done;
      return staged;
    }

    async function readAll(uniqueId: string): Promise<Buffer> {
      const chunks: Buffer[] = [];
      for await (const c of await store.open(uniqueId)) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    }

    async function commitOne(data: string, uniqueId: string, mimeType = 'text/plain'): Promise<string[]> {
      return (await store.commit([{ staged: await stageBytes(data), uniqueId, mimeType }])).created;
    }

    it('computes SHA-1 and size while streaming; commit makes the document readable and leaves nothing staged', async () => {
      const text = 'This is my document.\nIt is great!\n';
      const staged = await stageBytes(text);
      await expect(staged.done).resolves.toEqual({ size: Buffer.byteLength(text), hash: sha1(text) });
      expect(await under.leftovers()).toBeGreaterThan(0);
      expect(await store.info('1.2.3.4')).toBeUndefined();

      const { created } = await store.commit([{ staged, uniqueId: '1.2.3.4', mimeType: 'text/plain' }]);
      expect(created).toEqual(['1.2.3.4']);
      const info = await store.info('1.2.3.4');
      expect(info).toMatchObject({ uniqueId: '1.2.3.4', mimeType: 'text/plain', size: Buffer.byteLength(text), hash: sha1(text) });
      expect(Number.isNaN(Date.parse(info?.storedAt ?? ''))).toBe(false);
      expect((await readAll('1.2.3.4')).toString()).toBe(text);
      expect(await under.leftovers()).toBe(0);
    });

    it('stores an empty document', async () => {
      expect(await commitOne('', 'empty.1')).toEqual(['empty.1']);
      expect(await store.info('empty.1')).toMatchObject({ size: 0, hash: sha1('') });
      expect(await readAll('empty.1')).toEqual(Buffer.alloc(0));
    });

    it('answers an unknown uniqueId with undefined info, and open rejects', async () => {
      expect(await store.info('9.9.9')).toBeUndefined();
      await expect(store.open('9.9.9')).rejects.toThrow();
    });

    it.each(['../../etc/passwd', '/etc/passwd', 'a/../../b', '..\\..\\windows', 'x\u0000y', 'CON', '.', '', '$where', 'ünïcødé-ʘ'])(
      'keeps the odd uniqueId %j as a key only',
      async (uniqueId) => {
        await commitOne('payload', uniqueId);
        expect((await store.info(uniqueId))?.uniqueId).toBe(uniqueId);
        expect((await readAll(uniqueId)).toString()).toBe('payload');
        expect(await store.remove(uniqueId)).toBe(true);
        expect(await store.info(uniqueId)).toBeUndefined();
        expect(await under.leftovers()).toBe(0);
      },
    );

    it('aborts a write past maxBytes with a LimitError, keeps nothing of it and refuses to commit it', async () => {
      const { sink, staged } = await store.stage({ maxBytes: 10 });
      const sinkError = new Promise<Error>((resolve) => sink.once('error', resolve));
      sink.write(Buffer.alloc(8));
      sink.write(Buffer.alloc(8));
      await expect(staged.done).rejects.toBeInstanceOf(LimitError);
      await expect(staged.done).rejects.toThrow('exceeds the limit of 10 bytes');
      expect(await sinkError).toBeInstanceOf(LimitError);
      expect(await under.leftovers()).toBe(0);
      await expect(store.commit([{ staged, uniqueId: '1.1', mimeType: 'text/plain' }])).rejects.toThrow();
      expect(await store.info('1.1')).toBeUndefined();
    });

    it('accepts exactly maxBytes', async () => {
      const staged = await stageBytes(Buffer.alloc(10, 1), 10);
      await expect(staged.done).resolves.toMatchObject({ size: 10 });
    });

    it('keeps nothing of an upload its writer destroys (broken connection)', async () => {
      const { sink, staged } = await store.stage();
      sink.write(Buffer.alloc(100));
      sink.destroy(new Error('client went away'));
      await expect(staged.done).rejects.toThrow('client went away');
      expect(await under.leftovers()).toBe(0);
    });

    it('discards a staged document; discarding again or after commit changes nothing', async () => {
      const a = await stageBytes('a');
      await store.discard(a);
      expect(await under.leftovers()).toBe(0);
      await store.discard(a);
      await expect(store.commit([{ staged: a, uniqueId: 'a.1', mimeType: 'text/plain' }])).rejects.toThrow();

      const b = await stageBytes('b');
      await store.commit([{ staged: b, uniqueId: '2.2', mimeType: 'text/plain' }]);
      await store.discard(b);
      expect((await readAll('2.2')).toString()).toBe('b');
    });

    it('discards a document still being received', async () => {
      const { sink, staged } = await store.stage();
      sink.on('error', () => undefined);
      sink.write(Buffer.alloc(1000));
      await store.discard(staged);
      await expect(staged.done).rejects.toThrow();
      expect(await under.leftovers()).toBe(0);
    });

    it('does not create identical bytes under an existing uniqueId again', async () => {
      await commitOne('same', '3.3');
      const before = await store.info('3.3');
      const { created } = await store.commit([{ staged: await stageBytes('same'), uniqueId: '3.3', mimeType: 'text/html' }]);
      expect(created).toEqual([]);
      expect(await store.info('3.3')).toEqual(before);
      expect(await under.leftovers()).toBe(0);
    });

    it('fails different bytes under an existing uniqueId with XDSNonIdenticalHash/Size and changes nothing', async () => {
      await commitOne('original', '4.4');
      const sameSize = await stageBytes('ORIGINAL');
      const err = (await store.commit([{ staged: sameSize, uniqueId: '4.4', mimeType: 'text/plain' }]).catch((e: unknown) => e)) as XdsError;
      expect(err).toBeInstanceOf(XdsError);
      expect(err.errors.map((e) => e.errorCode)).toEqual(['XDSNonIdenticalHash']);
      expect(err.errors[0]?.codeContext).toContain('4.4');

      const longer = await stageBytes('original plus');
      const err2 = (await store.commit([{ staged: longer, uniqueId: '4.4', mimeType: 'text/plain' }]).catch((e: unknown) => e)) as XdsError;
      expect(err2.errors.map((e) => e.errorCode).sort()).toEqual(['XDSNonIdenticalHash', 'XDSNonIdenticalSize']);
      expect((await readAll('4.4')).toString()).toBe('original');
      await store.discard(sameSize);
      await store.discard(longer);
      expect(await under.leftovers()).toBe(0);
    });

    it('is all or nothing: a conflict in a later item creates none of the earlier ones', async () => {
      await commitOne('x', '5.2');
      const first = await stageBytes('first');
      const second = await stageBytes('not x');
      await expect(
        store.commit([
          { staged: first, uniqueId: '5.1', mimeType: 'text/plain' },
          { staged: second, uniqueId: '5.2', mimeType: 'text/plain' },
        ]),
      ).rejects.toBeInstanceOf(XdsError);
      expect(await store.info('5.1')).toBeUndefined();
      // Both stay staged: the caller may still commit or discard them.
      expect((await store.commit([{ staged: first, uniqueId: '5.1', mimeType: 'text/plain' }])).created).toEqual(['5.1']);
      await store.discard(second);
      expect(await under.leftovers()).toBe(0);
    });

    it('refuses a uniqueId twice in one commit', async () => {
      const a = await stageBytes('a');
      const b = await stageBytes('b');
      const err = (await store
        .commit([
          { staged: a, uniqueId: '7.7', mimeType: 'text/plain' },
          { staged: b, uniqueId: '7.7', mimeType: 'text/plain' },
        ])
        .catch((e: unknown) => e)) as XdsError;
      expect(err.errors[0]?.errorCode).toBe('XDSRepositoryDuplicateUniqueIdInMessage');
      expect(await store.info('7.7')).toBeUndefined();
    });

    it('removes a committed document and reports whether it existed', async () => {
      await commitOne('gone soon', '8.8');
      expect(await store.remove('8.8')).toBe(true);
      expect(await store.info('8.8')).toBeUndefined();
      await expect(store.open('8.8')).rejects.toThrow();
      expect(await store.remove('8.8')).toBe(false);
      expect(await under.leftovers()).toBe(0);
      expect(await commitOne('back again', '8.8')).toEqual(['8.8']);
      expect((await readAll('8.8')).toString()).toBe('back again');
    });

    it('lets one of two concurrent commits of identical bytes create the document', async () => {
      const a = await stageBytes('same bytes');
      const b = await stageBytes('same bytes');
      const results = await Promise.all([
        store.commit([{ staged: a, uniqueId: '10.1', mimeType: 'text/plain' }]),
        store.commit([{ staged: b, uniqueId: '10.1', mimeType: 'text/plain' }]),
      ]);
      expect(results.map((r) => r.created.length).sort()).toEqual([0, 1]);
      expect(await under.leftovers()).toBe(0);
    });

    it('discards what is still staged when the store closes', async () => {
      await stageBytes('never committed');
      const { sink } = await store.stage();
      sink.on('error', () => undefined);
      sink.write(Buffer.alloc(100));
      await store.close();
      expect(await under.leftovers()).toBe(0);
      await expect(store.stage()).rejects.toThrow('closed');
    });

    it('streams a 20 MiB document through and back, in chunks of at most 1 MiB', async () => {
      const total = 20 * 1024 * 1024;
      const chunkSize = 64 * 1024;
      const expected = createHash('sha1');
      let produced = 0;
      const { sink, staged } = await store.stage({ maxBytes: total });
      const source = new Readable({
        read() {
          if (produced >= total) {
            this.push(null);
            return;
          }
          const chunk = Buffer.alloc(chunkSize, produced / chunkSize);
          expected.update(chunk);
          produced += chunk.length;
          this.push(chunk);
        },
      });
      await pipeline(source, sink);
      const expectedHash = expected.digest('hex');
      expect(await staged.done).toEqual({ size: total, hash: expectedHash });

      await store.commit([{ staged, uniqueId: '20.mib', mimeType: 'application/octet-stream' }]);
      const back = createHash('sha1');
      let read = 0;
      let largestChunk = 0;
      for await (const c of await store.open('20.mib')) {
        const b = c as Buffer;
        read += b.length;
        largestChunk = Math.max(largestChunk, b.length);
        back.update(b);
      }
      expect(read).toBe(total);
      expect(back.digest('hex')).toBe(expectedHash);
      expect(largestChunk).toBeLessThanOrEqual(1024 * 1024);
      expect(await under.leftovers()).toBe(0);
    });
  });
}
