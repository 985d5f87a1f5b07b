import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CoalescingFileWriter } from './coalescingFileWriter';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coalesce-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Deterministic bytes cut into chunks of varying sizes (1 byte to several buffers). */
function chunksOf(total: number, seed = 7): { data: Buffer; chunks: Buffer[] } {
  const data = Buffer.from(Array.from({ length: total }, (_, i) => (i * 2654435761 + seed) >>> 24));
  const chunks: Buffer[] = [];
  for (let at = 0, k = 0; at < total; k++) {
    const size = [1, 999, 1000, 1001, 4096, 3, 2500][k % 7] ?? 1;
    chunks.push(data.subarray(at, at + size));
    at += size;
  }
  return { data, chunks };
}

describe('CoalescingFileWriter', () => {
  test('writes exactly what it received, after startAt, for any chunking around the buffer size', async () => {
    for (const total of [0, 1, 999, 1000, 1001, 20_017]) {
      const file = path.join(dir, `f${total}`);
      const { data, chunks } = chunksOf(total);
      await pipeline(Readable.from(chunks), new CoalescingFileWriter(file, { startAt: 64, bufferBytes: 1000 }));
      const written = fs.readFileSync(file);
      expect(written.length).toBe(total === 0 ? 0 : 64 + total); // nothing written, nothing allocated
      expect(written.subarray(64).equals(data)).toBe(true);
      expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
    }
  });

  test('a small first buffer, then full-size buffers once the file outgrows it: still exactly the bytes', async () => {
    for (const total of [99, 100, 101, 1099, 20_017]) {
      const file = path.join(dir, `g${total}`);
      const { data, chunks } = chunksOf(total, 3);
      await pipeline(Readable.from(chunks), new CoalescingFileWriter(file, { startAt: 10, firstBufferBytes: 100, bufferBytes: 1000 }));
      expect(fs.readFileSync(file).subarray(10).equals(data)).toBe(true);
    }
  });

  test('writers one after another and side by side reuse pooled buffers without mixing their bytes', async () => {
    for (let round = 0; round < 3; round++) {
      const jobs = [17, 5_000, 150, 2_345, 99].map(async (total, k) => {
        const file = path.join(dir, `p${round}-${k}`);
        const { data, chunks } = chunksOf(total, round * 10 + k);
        await pipeline(Readable.from(chunks), new CoalescingFileWriter(file, { firstBufferBytes: 100, bufferBytes: 1000 }));
        return fs.readFileSync(file).equals(data);
      });
      expect(await Promise.all(jobs)).toEqual([true, true, true, true, true]);
    }
    // a destroyed writer gives its buffers back too, and the next writer still writes the right bytes
    const aborted = new CoalescingFileWriter(path.join(dir, 'aborted-pool'), { firstBufferBytes: 100, bufferBytes: 1000 });
    aborted.on('error', () => undefined);
    aborted.write(Buffer.alloc(2500, 1));
    aborted.destroy(new Error('gone'));
    await new Promise((r) => aborted.once('close', r));
    const { data, chunks } = chunksOf(7_777, 42);
    await pipeline(Readable.from(chunks), new CoalescingFileWriter(path.join(dir, 'after'), { firstBufferBytes: 100, bufferBytes: 1000 }));
    expect(fs.readFileSync(path.join(dir, 'after')).equals(data)).toBe(true);
  });

  test('copies chunks, so a producer may reuse a chunk as soon as its write callback ran', async () => {
    const file = path.join(dir, 'reuse');
    const writer = new CoalescingFileWriter(file, { bufferBytes: 1000 });
    const chunk = Buffer.alloc(300);
    for (let i = 0; i < 10; i++) {
      chunk.fill(65 + i);
      await new Promise<void>((resolve, reject) => writer.write(chunk, (e) => (e ? reject(e) : resolve())));
    }
    await new Promise<void>((resolve) => writer.end(resolve));
    const text = fs.readFileSync(file, 'latin1');
    expect(text).toBe(Array.from({ length: 10 }, (_, i) => String.fromCharCode(65 + i).repeat(300)).join(''));
  });

  test('never overwrites an existing file', async () => {
    const file = path.join(dir, 'exists');
    fs.writeFileSync(file, 'keep me');
    await expect(pipeline(Readable.from([Buffer.from('x')]), new CoalescingFileWriter(file))).rejects.toMatchObject({ code: 'EEXIST' });
    expect(fs.readFileSync(file, 'utf8')).toBe('keep me');
  });

  test('destroyed half-way: closes the file (after any write in flight) and emits close, so it can be removed', async () => {
    const file = path.join(dir, 'aborted');
    const writer = new CoalescingFileWriter(file, { bufferBytes: 1000 });
    const errors: Error[] = [];
    writer.on('error', (e) => errors.push(e));
    const { chunks } = chunksOf(10_000);
    for (const c of chunks.slice(0, 12)) writer.write(c);
    await new Promise((r) => setImmediate(r));
    writer.destroy(new Error('client went away'));
    await new Promise<void>((resolve) => writer.once('close', () => resolve()));
    expect(writer.closed).toBe(true);
    expect(errors.map((e) => e.message)).toEqual(['client went away']);
    fs.rmSync(file);
    expect(fs.existsSync(file)).toBe(false);
    // the descriptor is closed: no open handle of the process still points at the removed file
    const open = fs.readdirSync('/proc/self/fd').map((fd) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return '';
      }
    });
    expect(open.filter((target) => target.startsWith(file))).toEqual([]);
  });

  test('a failing write fails the stream instead of being lost', async () => {
    const probe = await fs.promises.open(path.join(dir, 'probe'), 'w');
    const fileHandlePrototype = Object.getPrototypeOf(probe) as { write: () => Promise<unknown> };
    await probe.close();
    const file = path.join(dir, 'failing');
    const writer = new CoalescingFileWriter(file, { bufferBytes: 100 });
    const write = jest.spyOn(fileHandlePrototype, 'write');
    write.mockRejectedValue(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    try {
      await expect(pipeline(Readable.from([Buffer.alloc(1000)]), writer)).rejects.toMatchObject({ code: 'ENOSPC' });
    } finally {
      write.mockRestore();
    }
  });
});
