import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { LimitError, XdsError } from '../../../shared/errors';
import { decodeHeader, encodeHeader, FileBlobStore, HEADER_BYTES, storageKey } from './FileBlobStore';

const sha1 = (b: Buffer | string): string => createHash('sha1').update(b).digest('hex');

let root: string;
let store: FileBlobStore;

beforeEach(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'blobstore-'));
  store = await FileBlobStore.open(path.join(root, 'repository'));
});

afterEach(async () => {
  await store.close();
  fs.rmSync(root, { recursive: true, force: true });
});

async function writeAll(sink: Writable, data: Buffer | string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    sink.once('error', reject);
    sink.end(data, () => resolve());
  });
}

async function stageBytes(data: Buffer | string, maxBytes?: number) {
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

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

const tmpFiles = (): string[] => fs.readdirSync(path.join(root, 'repository', 'tmp'));

describe('FileBlobStore', () => {
  test('stage computes SHA-1 and size while streaming; commit makes the document readable', async () => {
    const text = 'This is my document.\nIt is great!\n';
    const staged = await stageBytes(text);
    await expect(staged.done).resolves.toEqual({ size: Buffer.byteLength(text), hash: sha1(text) });

    const { created } = await store.commit([{ staged, uniqueId: '1.2.3.4', mimeType: 'text/plain' }]);
    expect(created).toEqual(['1.2.3.4']);
    const info = await store.info('1.2.3.4');
    expect(info).toMatchObject({ uniqueId: '1.2.3.4', mimeType: 'text/plain', size: Buffer.byteLength(text), hash: sha1(text) });
    expect(Number.isNaN(Date.parse(info?.storedAt ?? ''))).toBe(false);
    expect((await readAll('1.2.3.4')).toString()).toBe(text);
    expect(tmpFiles()).toEqual([]);
  });

  test('one file per document, named by sha256(uniqueId): a 4 KiB header with the JSON info, then the bytes', async () => {
    const staged = await stageBytes('abc');
    await store.commit([{ staged, uniqueId: '1.2.3', mimeType: 'text/x-goofy' }]);
    const p = store.pathsOf('1.2.3');
    expect(path.basename(p.file)).toBe(`${storageKey('1.2.3')}.doc`);
    expect(fs.readdirSync(p.dir)).toEqual([path.basename(p.file)]);
    const raw = fs.readFileSync(p.file);
    expect(raw.length).toBe(HEADER_BYTES + 3);
    const [magic, json] = raw.subarray(0, HEADER_BYTES).toString('utf8').split('\n');
    expect(magic).toBe('xds-document 1');
    expect(JSON.parse(json ?? '')).toMatchObject({ uniqueId: '1.2.3', mimeType: 'text/x-goofy', size: 3, hash: sha1('abc') });
    expect(raw.subarray(HEADER_BYTES).toString('utf8')).toBe('abc');
  });

  test('a header that does not fit is refused with XDSRepositoryError naming the document, and nothing is stored', async () => {
    const staged = await stageBytes('abc');
    const err = await store.commit([{ staged, uniqueId: '1.2.5', mimeType: `text/${'x'.repeat(HEADER_BYTES)}` }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(XdsError);
    expect((err as XdsError).errors[0]).toMatchObject({ errorCode: 'XDSRepositoryError', location: '1.2.5' });
    expect(await store.info('1.2.5')).toBeUndefined();
    expect(tmpFiles()).toHaveLength(1); // still staged: the caller discards it, as after any failed commit
    await store.discard(staged);
    expect(tmpFiles()).toEqual([]);
    expect(filesUnder(path.join(root, 'repository', 'documents'))).toEqual([]);
  });

  test('header encoding round-trips, and a file without a valid header is not a document', async () => {
    const info = { uniqueId: '1.2^x', mimeType: 'text/plain; charset=UTF-8', size: 7, hash: sha1('x'), storedAt: '2026-11-27T00:00:00.000Z' };
    const header = encodeHeader(info);
    expect(header?.length).toBe(HEADER_BYTES);
    expect(decodeHeader(header ?? Buffer.alloc(0))).toEqual(info);
    expect(decodeHeader(Buffer.alloc(HEADER_BYTES))).toBeUndefined();
    const p = store.pathsOf('1.2.6');
    fs.mkdirSync(p.dir, { recursive: true });
    fs.writeFileSync(p.file, Buffer.concat([Buffer.alloc(HEADER_BYTES), Buffer.from('zeros where the header belongs')]));
    expect(await store.info('1.2.6')).toBeUndefined();
  });

  test('unknown uniqueId: info is undefined and open rejects', async () => {
    expect(await store.info('9.9.9')).toBeUndefined();
    await expect(store.open('9.9.9')).rejects.toThrow();
  });

  test.each(['../../etc/passwd', '/etc/passwd', 'a/../../b', '..\\..\\windows', 'x\u0000y', 'CON', '.', ''])(
    'a traversal-shaped uniqueId %j never becomes a path',
    async (uniqueId) => {
      const staged = await stageBytes('payload');
      await store.commit([{ staged, uniqueId, mimeType: 'text/plain' }]);
      const files = filesUnder(root).filter((f) => path.basename(f) !== 'run-state.json');
      expect(files).toHaveLength(1);
      for (const f of files) {
        expect(f.startsWith(path.join(root, 'repository', 'documents') + path.sep)).toBe(true);
        expect(path.basename(f)).toMatch(/^[0-9a-f]{64}\.doc$/);
      }
      expect((await store.info(uniqueId))?.uniqueId).toBe(uniqueId);
      expect((await readAll(uniqueId)).toString()).toBe('payload');
      expect(await store.remove(uniqueId)).toBe(true);
      expect(filesUnder(root).map((f) => path.relative(root, f))).toEqual([path.join('repository', 'run-state.json')]);
    },
  );

  test('maxBytes aborts the write with a LimitError and removes the staged file', async () => {
    const { sink, staged } = await store.stage({ maxBytes: 10 });
    const sinkError = new Promise<Error>((resolve) => sink.once('error', resolve));
    sink.write(Buffer.alloc(8));
    sink.write(Buffer.alloc(8));
    await expect(staged.done).rejects.toBeInstanceOf(LimitError);
    await expect(staged.done).rejects.toThrow('exceeds the limit of 10 bytes');
    expect(await sinkError).toBeInstanceOf(LimitError);
    expect(tmpFiles()).toEqual([]);
    await expect(store.commit([{ staged, uniqueId: '1.1', mimeType: 'text/plain' }])).rejects.toThrow();
    expect(await store.info('1.1')).toBeUndefined();
  });

  test('exactly maxBytes is accepted', async () => {
    const staged = await stageBytes(Buffer.alloc(10, 1), 10);
    await expect(staged.done).resolves.toMatchObject({ size: 10 });
  });

  test('a sink destroyed by its writer (broken upload) removes the staged file', async () => {
    const { sink, staged } = await store.stage();
    sink.write(Buffer.alloc(100));
    sink.destroy(new Error('client went away'));
    await expect(staged.done).rejects.toThrow('client went away');
    expect(tmpFiles()).toEqual([]);
  });

  test('discard removes a staged document; discard after commit is a no-op', async () => {
    const a = await stageBytes('a');
    expect(tmpFiles()).toHaveLength(1);
    await store.discard(a);
    expect(tmpFiles()).toEqual([]);
    await store.discard(a);

    const b = await stageBytes('b');
    await store.commit([{ staged: b, uniqueId: '2.2', mimeType: 'text/plain' }]);
    await store.discard(b);
    expect((await readAll('2.2')).toString()).toBe('b');
  });

  test('discard of a document still being received stops it and removes its file', async () => {
    const { sink, staged } = await store.stage();
    sink.on('error', () => undefined);
    sink.write(Buffer.alloc(1000));
    await store.discard(staged);
    await expect(staged.done).rejects.toThrow();
    expect(tmpFiles()).toEqual([]);
  });

  test('identical bytes under an existing uniqueId are not created again', async () => {
    await store.commit([{ staged: await stageBytes('same'), uniqueId: '3.3', mimeType: 'text/plain' }]);
    const before = await store.info('3.3');
    const again = await stageBytes('same');
    const { created } = await store.commit([{ staged: again, uniqueId: '3.3', mimeType: 'text/html' }]);
    expect(created).toEqual([]);
    expect(await store.info('3.3')).toEqual(before);
    expect(tmpFiles()).toEqual([]);
  });

  test('different bytes under an existing uniqueId fail with XDSNonIdenticalHash/Size and change nothing', async () => {
    await store.commit([{ staged: await stageBytes('original'), uniqueId: '4.4', mimeType: 'text/plain' }]);
    const sameSize = await stageBytes('ORIGINAL');
    const err = await store.commit([{ staged: sameSize, uniqueId: '4.4', mimeType: 'text/plain' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(XdsError);
    expect((err as XdsError).errors.map((e) => e.errorCode)).toEqual(['XDSNonIdenticalHash']);
    expect((err as XdsError).errors[0].codeContext).toContain('4.4');

    const longer = await stageBytes('original plus');
    const err2 = (await store.commit([{ staged: longer, uniqueId: '4.4', mimeType: 'text/plain' }]).catch((e: unknown) => e)) as XdsError;
    expect(err2.errors.map((e) => e.errorCode).sort()).toEqual(['XDSNonIdenticalHash', 'XDSNonIdenticalSize']);
    expect((await readAll('4.4')).toString()).toBe('original');
    await store.discard(sameSize);
    await store.discard(longer);
    expect(tmpFiles()).toEqual([]);
  });

  test('all or nothing: a conflict in a later item creates none of the earlier ones', async () => {
    await store.commit([{ staged: await stageBytes('x'), uniqueId: '5.2', mimeType: 'text/plain' }]);
    const first = await stageBytes('first');
    const second = await stageBytes('not x');
    await expect(
      store.commit([
        { staged: first, uniqueId: '5.1', mimeType: 'text/plain' },
        { staged: second, uniqueId: '5.2', mimeType: 'text/plain' },
      ]),
    ).rejects.toBeInstanceOf(XdsError);
    expect(await store.info('5.1')).toBeUndefined();
  });

  test('all or nothing: an I/O failure on a later item undoes the ones already created', async () => {
    const first = await stageBytes('first');
    const second = await stageBytes('second');
    // Pull the second staged file away underneath the store: its fsync/rename fails.
    for (const f of tmpFiles()) {
      const full = path.join(root, 'repository', 'tmp', f);
      if (fs.readFileSync(full).subarray(HEADER_BYTES).toString('utf8') === 'second') fs.rmSync(full);
    }
    await expect(
      store.commit([
        { staged: first, uniqueId: '6.1', mimeType: 'text/plain' },
        { staged: second, uniqueId: '6.2', mimeType: 'text/plain' },
      ]),
    ).rejects.toThrow();
    expect(await store.info('6.1')).toBeUndefined();
    expect(await store.info('6.2')).toBeUndefined();
    expect(filesUnder(path.join(root, 'repository', 'documents'))).toEqual([]);
  });

  test('a uniqueId twice in one commit is refused', async () => {
    const a = await stageBytes('a');
    const b = await stageBytes('b');
    const err = (await store
      .commit([
        { staged: a, uniqueId: '7.7', mimeType: 'text/plain' },
        { staged: b, uniqueId: '7.7', mimeType: 'text/plain' },
      ])
      .catch((e: unknown) => e)) as XdsError;
    expect(err.errors[0].errorCode).toBe('XDSRepositoryDuplicateUniqueIdInMessage');
    expect(await store.info('7.7')).toBeUndefined();
  });

  test('remove deletes a committed document and reports whether it existed', async () => {
    await store.commit([{ staged: await stageBytes('gone soon'), uniqueId: '8.8', mimeType: 'text/plain' }]);
    expect(await store.remove('8.8')).toBe(true);
    expect(await store.info('8.8')).toBeUndefined();
    expect(await store.remove('8.8')).toBe(false);
    expect(filesUnder(path.join(root, 'repository', 'documents'))).toEqual([]);
  });

  test('opening the store clears what a crash left in tmp/ and keeps committed documents', async () => {
    await store.commit([{ staged: await stageBytes('kept'), uniqueId: '9.1', mimeType: 'text/plain' }]);
    await stageBytes('never committed');
    await store.close();
    fs.writeFileSync(path.join(root, 'repository', 'tmp', 'crashed.part'), 'half a document');
    store = await FileBlobStore.open(path.join(root, 'repository'));
    expect(tmpFiles()).toEqual([]);
    expect((await readAll('9.1')).toString()).toBe('kept');
  });

  test('a document is never visible before its header and bytes are durable: a staged file is not in documents/', async () => {
    const { sink, staged } = await store.stage();
    sink.write('partial');
    expect(await store.info('9.5')).toBeUndefined();
    sink.end(' and the rest');
    await staged.done;
    expect(filesUnder(path.join(root, 'repository', 'documents'))).toEqual([]);
    await store.commit([{ staged, uniqueId: '9.5', mimeType: 'text/plain' }]);
    expect((await readAll('9.5')).toString()).toBe('partial and the rest');
    expect(await store.info('9.5')).toMatchObject({ size: 20, hash: sha1('partial and the rest') });
  });

  test('a commit fsyncs each document once and each shard folder once, and leaves nothing in tmp/', async () => {
    const items = [];
    for (let i = 0; i < 12; i++) items.push({ staged: await stageBytes(`doc ${i}`), uniqueId: `11.${i}`, mimeType: 'text/plain' });
    const shards = new Set(items.map((i) => store.pathsOf(i.uniqueId).dir));
    const probe = await fs.promises.open(path.join(root, 'probe'), 'w');
    const fileHandleProto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
    await probe.close();
    const syncedDirs: string[] = [];
    const sync = jest.spyOn(fileHandleProto, 'sync');
    const open = jest.spyOn(fs.promises, 'open');
    try {
      await store.commit(items);
      const dirHandles = new Set<unknown>();
      for (const [n, call] of open.mock.calls.entries()) {
        if (!shards.has(String(call[0]))) continue;
        syncedDirs.push(String(call[0]));
        dirHandles.add(await open.mock.results[n]?.value);
      }
      expect(syncedDirs.sort()).toEqual([...shards].sort()); // each folder opened once, kept open for later commits
      // (each document file is fsynced too; only the folders' fsyncs are counted)
      expect(sync.mock.contexts.filter((h) => dirHandles.has(h))).toHaveLength(shards.size);
      expect(sync.mock.contexts.filter((h) => !dirHandles.has(h))).toHaveLength(items.length); // one per document file
      open.mockClear();
      sync.mockClear();
      const again = store.pathsOf('11.0x').dir;
      await store.commit([{ staged: await stageBytes('again'), uniqueId: '11.0x', mimeType: 'text/plain' }]);
      expect(open.mock.calls.filter((c) => String(c[0]) === again)).toHaveLength(shards.has(again) ? 0 : 1);
    } finally {
      sync.mockRestore();
      open.mockRestore();
    }
    for (const [i, item] of items.entries()) expect((await readAll(item.uniqueId)).toString()).toBe(`doc ${i}`);
    expect(tmpFiles()).toEqual([]);
  });

  test('openSource reads the stored bytes (not the header) at any position, with its size', async () => {
    const data = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff));
    await store.commit([{ staged: await stageBytes(data), uniqueId: '13.1', mimeType: 'application/octet-stream' }]);
    const source = await store.openSource('13.1');
    expect(source.size).toBe(data.length);
    const buffer = Buffer.alloc(1000);
    expect(await source.read(buffer, 1000, 0)).toBe(1000);
    expect(buffer.equals(data.subarray(0, 1000))).toBe(true);
    expect(await source.read(buffer, 1000, 69_500)).toBe(500);
    expect(buffer.subarray(0, 500).equals(data.subarray(69_500))).toBe(true);
    await source.close();
    await source.close(); // twice is harmless
    await expect(source.read(buffer, 10, 0)).rejects.toThrow();
    await expect(store.openSource('13.404')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('after an unclean stop it lists the documents written since the crashed run started, until told they are handled', async () => {
    const repo = path.join(root, 'repository');
    await store.commit([{ staged: await stageBytes('old and registered'), uniqueId: '12.1', mimeType: 'text/plain' }]);
    await store.close(); // a clean stop
    const old = new Date(Date.now() - 2 * 3600_000);
    fs.utimesSync(store.pathsOf('12.1').file, old, old);
    store = await FileBlobStore.open(repo);
    expect(await store.documentsSinceUncleanStop()).toEqual([]); // the previous stop was clean

    await store.commit([{ staged: await stageBytes('committed, then the process died'), uniqueId: '12.2', mimeType: 'text/plain' }]);
    const crashed = store; // never closed: the crash
    store = await FileBlobStore.open(repo);
    expect(await store.documentsSinceUncleanStop()).toEqual(['12.2']);

    const crashedAgain = store; // crashes again before the check: the window is kept
    store = await FileBlobStore.open(repo);
    expect(await store.documentsSinceUncleanStop()).toEqual(['12.2']);

    await store.uncleanStopHandled();
    await store.close();
    store = await FileBlobStore.open(repo);
    expect(await store.documentsSinceUncleanStop()).toEqual([]);
    // Only now release the "crashed" stores' folder handles, so they are not left to the garbage collector.
    await crashed.close();
    await crashedAgain.close();
  });

  test('concurrent commits of one uniqueId: one creates, the identical other is left as it is', async () => {
    const a = await stageBytes('same bytes');
    const b = await stageBytes('same bytes');
    const results = await Promise.all([
      store.commit([{ staged: a, uniqueId: '10.1', mimeType: 'text/plain' }]),
      store.commit([{ staged: b, uniqueId: '10.1', mimeType: 'text/plain' }]),
    ]);
    expect(results.map((r) => r.created.length).sort()).toEqual([0, 1]);
    expect(tmpFiles()).toEqual([]);
  });

  test('a 50 MiB document streams through with bounded memory (counting check)', async () => {
    const total = 50 * 1024 * 1024;
    const chunkSize = 64 * 1024;
    const expected = createHash('sha1');
    let produced = 0;
    let maxAhead = 0;
    const { sink, staged } = await store.stage({ maxBytes: total });
    // Bytes on disk so far (0 while the staging file is still being opened).
    const onDisk = (): number => {
      const name = tmpFiles()[0];
      return name ? fs.statSync(path.join(root, 'repository', 'tmp', name)).size : 0;
    };
    const source = new Readable({
      read() {
        if (produced >= total) {
          this.push(null);
          return;
        }
        const chunk = Buffer.alloc(chunkSize, produced / chunkSize);
        expected.update(chunk);
        produced += chunk.length;
        if (produced % (1024 * 1024) === 0) {
          // How far the producer is ahead of what reached the disk: back-pressure must bound it.
          maxAhead = Math.max(maxAhead, produced - onDisk());
        }
        this.push(chunk);
      },
    });
    await pipeline(source, sink);
    const done = await staged.done;
    const expectedHash = expected.digest('hex');
    expect(done).toEqual({ size: total, hash: expectedHash });
    expect(maxAhead).toBeLessThan(4 * 1024 * 1024);

    await store.commit([{ staged, uniqueId: '50.mib', mimeType: 'application/octet-stream' }]);
    const back = createHash('sha1');
    let read = 0;
    let largestChunk = 0;
    for await (const c of await store.open('50.mib')) {
      const b = c as Buffer;
      read += b.length;
      largestChunk = Math.max(largestChunk, b.length);
      back.update(b);
    }
    expect(read).toBe(total);
    expect(back.digest('hex')).toBe(expectedHash);
    expect(largestChunk).toBeLessThanOrEqual(1024 * 1024);
  });
});
