import { createHash } from 'node:crypto';
import { PassThrough, Readable, Writable } from 'node:stream';
import { parseContentType } from './contentType';
import { readMultipartRelated } from './reader';
import { CollectingSink, TEST_LIMITS, chunked, readCollecting } from './testing';
import { mtomContentType, newBoundary, newContentId, writeMultipartRelated, type MtomMessage } from './writer';

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
