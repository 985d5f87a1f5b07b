import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable, Writable } from 'node:stream';
import { parseContentType } from './contentType';
import { readMultipartRelated } from './reader';
import { CollectingSink, TEST_LIMITS, chunked, readCollecting } from './testing';
import { mtomContentType, newBoundary, newContentId, writeMultipartRelated, type ChunkSource, type MtomMessage } from './writer';

const ENVELOPE = '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>ø</s:Body></s:Envelope>';

/** Deterministic bytes generated on demand; `produced` counts what has been handed out. */
class Generator extends Readable {
  produced = 0;
  private readonly hash = createHash('sha1');
  constructor(
    private readonly total: number,
    private readonly piece = 65536,
  ) {
    super({ highWaterMark: piece });
  }
  override _read(): void {
    if (this.produced >= this.total) {
      this.push(null);
      return;
    }
    const n = Math.min(this.piece, this.total - this.produced);
    const chunk = Buffer.alloc(n);
    for (let i = 0; i < n; i += 4) chunk.writeUInt32LE(((this.produced + i) * 2654435761) >>> 0, i);
    chunk[0] = 0x0d; // CR LF "--" inside the content too
    chunk[n - 1] = 0x0a;
    this.hash.update(chunk);
    this.produced += n;
    this.push(chunk);
  }
  get sha1(): string {
    return this.hash.copy().digest('hex');
  }
}

const oneAttachment = (open: () => Readable): MtomMessage => ({
  boundary: 'b',
  root: { contentId: 'r', xml: ENVELOPE },
  parts: [{ contentId: 'd', contentType: 'x/y', open }],
});

async function render(msg: MtomMessage): Promise<Buffer> {
  const out = new CollectingSink();
  await writeMultipartRelated(out, msg);
  return out.data;
}

describe('MTOM writer', () => {
  it('builds the outer Content-Type', () => {
    const action = 'urn:ihe:iti:2007:RetrieveDocumentSetResponse';
    const ct = mtomContentType({ boundary: 'MIMEBoundary_x', startId: '<root@example.org>', action });
    expect(ct).toBe(
      'multipart/related; type="application/xop+xml"; boundary="MIMEBoundary_x"; start="<root@example.org>"; ' +
        'start-info="application/soap+xml"; action="urn:ihe:iti:2007:RetrieveDocumentSetResponse"',
    );
    expect(parseContentType(mtomContentType({ boundary: 'b', startId: 'r@x' })).params).toEqual({
      type: 'application/xop+xml',
      boundary: 'b',
      start: '<r@x>',
      'start-info': 'application/soap+xml',
    });
  });

  it('makes valid, unique boundaries and Content-IDs', () => {
    const b = newBoundary();
    expect(b).toMatch(/^MIMEBoundary_[0-9a-f]{48}$/);
    expect(b.length).toBeLessThanOrEqual(70);
    expect(newBoundary()).not.toBe(b);
    expect(newContentId('xds.example.org')).toMatch(/^[0-9a-f-]{36}@xds\.example\.org$/);
  });

  it('refuses boundaries and ids that would break the framing', async () => {
    expect(() => mtomContentType({ boundary: 'a\r\nb', startId: 'r' })).toThrow(/Invalid MIME boundary/);
    expect(() => mtomContentType({ boundary: 'x'.repeat(71), startId: 'r' })).toThrow(/Invalid MIME boundary/);
    expect(() => mtomContentType({ boundary: 'ok', startId: 'r\r\nX-Evil: 1' })).toThrow(/Invalid start Content-ID/);
    expect(() => newContentId('a\nb')).toThrow();
    const badPart = { contentId: 'd', contentType: 'text/plain\r\nX: y', open: () => Readable.from([]) };
    const bad = { boundary: 'b', root: { contentId: 'r', xml: '' }, parts: [badPart] };
    await expect(writeMultipartRelated(new CollectingSink(), bad)).rejects.toThrow(/Invalid Content-Type/);
  });

  it('writes the documented framing with CRLF line endings', async () => {
    const msg: MtomMessage = {
      boundary: 'BND',
      root: { contentId: '<root@x>', xml: ENVELOPE },
      parts: [{ contentId: 'doc@x', contentType: 'application/pdf', open: () => Readable.from([Buffer.from('%PDF')]) }],
    };
    expect((await render(msg)).toString('utf8')).toBe(
      '--BND\r\nContent-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"\r\n' +
        'Content-Transfer-Encoding: binary\r\nContent-ID: <root@x>\r\n\r\n' +
        `${ENVELOPE}\r\n--BND\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <doc@x>\r\n\r\n` +
        '%PDF\r\n--BND--\r\n',
    );
  });

  it('opens a part asynchronously only when it is reached, and passes an open failure on as a rejection', async () => {
    const opened: string[] = [];
    const later = (id: string, body: string) => async () => {
      opened.push(id);
      await new Promise((r) => setImmediate(r));
      return Readable.from([Buffer.from(body)]);
    };
    const out = new CollectingSink();
    await writeMultipartRelated(out, {
      boundary: 'B',
      root: { contentId: 'r', xml: '<x/>' },
      parts: [
        { contentId: 'a', contentType: 'text/plain', open: later('a', 'AAA') },
        { contentId: 'b', contentType: 'text/plain', open: later('b', 'BBB') },
      ],
    });
    expect(opened).toEqual(['a', 'b']);
    expect(out.data.toString()).toContain('Content-ID: <a>\r\n\r\nAAA\r\n--B\r\n');
    expect(out.data.toString()).toContain('Content-ID: <b>\r\n\r\nBBB\r\n--B--\r\n');
    await expect(render({ boundary: 'B', root: { contentId: 'r', xml: '<x/>' }, parts: [{ contentId: 'd', contentType: 'x/y', open: () => Promise.reject(new Error('document file gone')) }] })).rejects.toThrow('document file gone');
  });

  it('round-trips through the reader with identical bytes, in any chunking', async () => {
    const boundary = newBoundary();
    const docs = [
      Buffer.alloc(0),
      Buffer.from(`\r\n--${boundary.slice(0, 20)}\r\n--not-the-boundary\r\n`),
      Buffer.from(Array.from({ length: 2000 }, (_, i) => (i * 7) & 0xff)),
    ];
    const ids = docs.map(() => newContentId('example.org'));
    const msg: MtomMessage = {
      boundary,
      root: { contentId: newContentId('example.org'), xml: Buffer.from(ENVELOPE) },
      parts: docs.map((d, i) => ({
        contentId: ids[i],
        contentType: 'application/octet-stream',
        open: () => Readable.from(chunked(d, 333)),
      })),
    };
    const wire = await render(msg);
    const ct = mtomContentType({ boundary, startId: msg.root.contentId });
    for (const size of [1, 13, 97, wire.length]) {
      const { result, data } = await readCollecting(chunked(wire, size), ct);
      expect(result.root.toString('utf8')).toBe(ENVELOPE);
      expect(result.rootInfo.contentId).toBe(msg.root.contentId);
      expect(result.attachments.map((a) => a.contentId)).toEqual(ids);
      docs.forEach((d, i) => expect(data[i].equals(d)).toBe(true));
    }
  });

  it('streams a 20 MiB attachment from writer to reader without buffering it', async () => {
    const size = 20 << 20;
    const source = new Generator(size);
    const boundary = newBoundary();
    const wire = new PassThrough({ highWaterMark: 65536 });
    const written = writeMultipartRelated(wire, {
      boundary,
      root: { contentId: 'root@x', xml: ENVELOPE },
      parts: [{ contentId: 'big@x', contentType: 'application/octet-stream', open: () => source }],
    });
    let received = 0;
    let maxLag = 0;
    const hash = createHash('sha1');
    const counting = new Writable({
      highWaterMark: 65536,
      write(chunk: Buffer, _enc, cb): void {
        received += chunk.length;
        maxLag = Math.max(maxLag, source.produced - received);
        hash.update(chunk);
        setImmediate(cb);
      },
    });
    const ct = mtomContentType({ boundary, startId: 'root@x' });
    const [result] = await Promise.all([readMultipartRelated(wire, ct, TEST_LIMITS, () => counting), written]);
    expect(result.root.toString('utf8')).toBe(ENVELOPE);
    expect(result.attachments).toMatchObject([{ contentId: 'big@x', size }]);
    expect(received).toBe(size);
    expect(hash.digest('hex')).toBe(source.sha1);
    expect(maxLag).toBeLessThan(1 << 20); // never more than a few 64 KiB buffers in flight
  });

  it('respects back-pressure of the output (never writes while it needs draining) and ends it', async () => {
    const source = new Generator(1 << 20, 8192);
    let writes = 0;
    let writesWhileFull = 0;
    const out = new Writable({
      highWaterMark: 4096,
      write(_c: Buffer, _e, cb): void {
        setImmediate(cb);
      },
    });
    const origWrite = out.write.bind(out);
    out.write = ((chunk: Buffer): boolean => {
      writes++;
      if (out.writableNeedDrain) writesWhileFull++;
      return origWrite(chunk);
    }) as typeof out.write;
    await writeMultipartRelated(out, oneAttachment(() => source));
    expect(out.writableFinished).toBe(true);
    expect(writes).toBeGreaterThan(60);
    expect(writesWhileFull).toBe(0);
  });

  it('rejects when an attachment source fails, leaving the output to the caller', async () => {
    const failing = new Readable({
      read(): void {
        this.destroy(new Error('file vanished'));
      },
    });
    const out = new CollectingSink();
    const msg = oneAttachment(() => failing);
    await expect(writeMultipartRelated(out, msg)).rejects.toThrow('file vanished');
    expect(out.writableEnded).toBe(false);
    expect(out.data.toString()).not.toContain('--b--');
  });

  it('rejects (and does not crash) when the output fails, closing the source', async () => {
    const source = new Generator(1 << 20, 8192);
    let seen = 0;
    const out = new Writable({
      write(c: Buffer, _e, cb): void {
        seen += c.length;
        if (seen > 50_000) cb(new Error('connection reset'));
        else setImmediate(cb);
      },
    });
    const msg = oneAttachment(() => source);
    await expect(writeMultipartRelated(out, msg)).rejects.toThrow('connection reset');
    expect(source.destroyed).toBe(true);
    expect(source.produced).toBeLessThan(200_000);
  });

  it('can leave the output open (end: false)', async () => {
    const out = new CollectingSink();
    await writeMultipartRelated(out, { boundary: 'b', root: { contentId: 'r', xml: '<x/>' }, parts: [] }, { end: false });
    expect(out.writableEnded).toBe(false);
    expect(out.data.toString()).toMatch(/<x\/>\r\n--b--\r\n$/);
  });
});

/** A ChunkSource of `size` position-dependent bytes (so a reused buffer sent too early shows as wrong bytes). */
class VirtualFile implements ChunkSource {
  bytesRead = 0;
  closed = false;
  readonly buffersSeen = new Set<ArrayBufferLike>();
  constructor(
    readonly size: number,
    private readonly opts: { shortReads?: boolean; endsAt?: number } = {},
  ) {}
  static byteAt(i: number): number {
    return ((i * 2654435761) >>> 24) & 0xff;
  }
  async read(buffer: Buffer, length: number, position: number): Promise<number> {
    await new Promise((r) => setImmediate(r));
    this.buffersSeen.add(buffer.buffer);
    const end = Math.min(position + (this.opts.shortReads ? Math.ceil(length / 3) : length), this.opts.endsAt ?? this.size);
    for (let i = position; i < end; i++) buffer[i - position] = VirtualFile.byteAt(i);
    this.bytesRead += Math.max(0, end - position);
    return Math.max(0, end - position);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
  sha1(): string {
    const h = createHash('sha1');
    const chunk = Buffer.alloc(1 << 16);
    for (let p = 0; p < this.size; p += chunk.length) {
      const n = Math.min(chunk.length, this.size - p);
      for (let i = 0; i < n; i++) chunk[i] = VirtualFile.byteAt(p + i);
      h.update(chunk.subarray(0, n));
    }
    return h.digest('hex');
  }
}

/** Serves one MTOM answer with `reuseBuffers` over real HTTP; the client reads it through the product's reader. */
async function serveOverHttp(source: ChunkSource, client: (res: http.IncomingMessage) => Promise<void>): Promise<{ written: Promise<void> }> {
  let written: Promise<void> = Promise.resolve();
  const server = http.createServer((_req, res) => {
    const boundary = 'bnd';
    res.writeHead(200, { 'Content-Type': mtomContentType({ boundary, startId: 'root@x' }) });
    written = writeMultipartRelated(res, { boundary, root: { contentId: 'root@x', xml: ENVELOPE }, parts: [{ contentId: 'd@x', contentType: 'application/octet-stream', open: () => source }] }, { reuseBuffers: true });
    written.catch(() => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, agent: false }, (res) => client(res).then(resolve, reject)).on('error', reject);
    });
  } finally {
    server.closeAllConnections();
    server.close();
  }
  return { written };
}

describe('MTOM writer: ChunkSource parts (files read into the writer\'s own buffers)', () => {
  it('without reuseBuffers every chunk is a new buffer, so an output that keeps chunks gets the right bytes; short reads are completed', async () => {
    const source = new VirtualFile(2.5 * 1024 * 1024 + 7, { shortReads: true });
    const out = new CollectingSink();
    await writeMultipartRelated(out, { boundary: 'b', root: { contentId: 'r', xml: ENVELOPE }, parts: [{ contentId: 'd', contentType: 'x/y', open: () => source }] });
    const { data } = await readCollecting(Readable.from([out.data]), mtomContentType({ boundary: 'b', startId: 'r' }));
    const body = data[0] ?? Buffer.alloc(0);
    expect(body.length).toBe(source.size);
    expect(createHash('sha1').update(body).digest('hex')).toBe(source.sha1());
    expect(source.buffersSeen.size).toBe(3); // one per 1 MiB chunk
    expect(source.closed).toBe(true);
  });

  it('with reuseBuffers over HTTP: two buffers for the whole part, and a slow reader still gets exactly the bytes', async () => {
    const source = new VirtualFile(6.5 * 1024 * 1024 + 3);
    const hash = createHash('sha1');
    let size = 0;
    const { written } = await serveOverHttp(source, async (res) => {
      const slow = new Writable({
        write(chunk: Buffer, _e, cb): void {
          hash.update(chunk);
          size += chunk.length;
          setTimeout(cb, 1);
        },
      });
      const result = await readMultipartRelated(res, res.headers['content-type'] ?? '', TEST_LIMITS, () => slow);
      expect(result.root.toString('utf8')).toBe(ENVELOPE);
    });
    await written;
    expect(size).toBe(source.size);
    expect(hash.digest('hex')).toBe(source.sha1());
    expect(source.buffersSeen.size).toBe(2);
    expect(source.closed).toBe(true);
  });

  it('with reuseBuffers stops reading while the client does not read, and rejects (closing the source) when the client goes away', async () => {
    const source = new VirtualFile(512 * 1024 * 1024);
    const { written } = await serveOverHttp(source, async (res) => {
      res.pause();
      await new Promise((r) => setTimeout(r, 300));
      const stalledAt = source.bytesRead;
      await new Promise((r) => setTimeout(r, 200));
      expect(source.bytesRead).toBe(stalledAt); // waiting for the socket, not reading ahead
      expect(stalledAt).toBeLessThan(64 * 1024 * 1024); // socket buffers + two 1 MiB buffers, not the file
      res.destroy();
    });
    await expect(written).rejects.toThrow();
    expect(source.closed).toBe(true);
  });

  it('rejects when the source ends before its size (the file changed), closing it', async () => {
    const source = new VirtualFile(3 * 1024 * 1024, { endsAt: 1.5 * 1024 * 1024 });
    const out = new CollectingSink();
    await expect(writeMultipartRelated(out, { boundary: 'b', root: { contentId: 'r', xml: ENVELOPE }, parts: [{ contentId: 'd', contentType: 'x/y', open: () => source }] })).rejects.toThrow(
      'attachment source ended at byte 1572864 of 3145728',
    );
    expect(source.closed).toBe(true);
    expect(out.data.toString('latin1')).not.toContain('--b--');
  });

  it('writes an empty source as an empty part', async () => {
    const source = new VirtualFile(0);
    const out = new CollectingSink();
    await writeMultipartRelated(out, { boundary: 'b', root: { contentId: 'r', xml: ENVELOPE }, parts: [{ contentId: 'd', contentType: 'x/y', open: () => source }] });
    const { result, data } = await readCollecting(Readable.from([out.data]), mtomContentType({ boundary: 'b', startId: 'r' }));
    expect(result.attachments).toMatchObject([{ contentId: 'd', size: 0 }]);
    expect(data[0]?.length).toBe(0);
    expect(source.closed).toBe(true);
  });
});
