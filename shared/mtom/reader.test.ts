import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { contentIdFromHref } from './contentType';
import { readMultipartRelated } from './reader';
import { CollectingSink, TEST_LIMITS, buildMultipart, chunked, readCollecting, type TestPart } from './testing';

const B = 'MIMEBoundary_0123456789abcdef';
const CT = `multipart/related; type="application/xop+xml"; boundary="${B}"; start="<root@test>"; start-info="application/soap+xml"`;
const ROOT_HEADERS = [
  'Content-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"',
  'Content-Transfer-Encoding: binary',
  'Content-ID: <root@test>',
];
const ENVELOPE = '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body/></soap:Envelope>';

/** Deterministic pseudo-random bytes. */
function bytes(n: number, seed = 'x'): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0, k = 0; i < n; i += 32, k++) createHash('sha256').update(`${seed}${k}`).digest().copy(out, i);
  return out;
}

/** Every byte value, line breaks, dashes, near-delimiters: all of it is content. */
const TRICKY = Buffer.concat([
  Buffer.from(Array.from({ length: 512 }, (_, i) => i & 0xff)),
  Buffer.from(`\r\n--not-the-boundary\r\n--${B.slice(0, 12)}\r\n-\r\n--\r\n`, 'latin1'),
  Buffer.from(`\n--${B}X not a delimiter: the boundary is followed by other characters\r\n`, 'latin1'),
  Buffer.from(`--${B.slice(0, -1)}\r\n\r\n\n\n--\n`, 'latin1'),
  bytes(700),
  Buffer.from('end'),
]);

const part = (id: string, body: Buffer | string, more: string[] = []): TestPart => ({
  headers: ['Content-Type: application/octet-stream', 'Content-Transfer-Encoding: binary', `Content-ID: <${id}>`, ...more],
  body,
});

function base64Lines(data: Buffer, eol: string): string {
  return (data.toString('base64').match(/.{1,76}/g) ?? []).join(eol);
}

describe('readMultipartRelated', () => {
  it.each([
    ['CRLF', '\r\n'],
    ['bare LF', '\n'],
  ])('returns identical bytes for every chunk size 1..97 (%s)', async (_name, eol) => {
    const doc2 = bytes(3000, 'doc2');
    const b64Part = { headers: ['Content-Transfer-Encoding: base64', 'Content-ID: <doc2@test>'], body: base64Lines(doc2, eol) };
    const body = buildMultipart(B, [{ headers: ROOT_HEADERS, body: ENVELOPE }, part('doc1@test', TRICKY), b64Part], { eol });
    for (let size = 1; size <= 97; size++) {
      const { result, data } = await readCollecting(chunked(body, size), CT);
      expect(result.root.toString()).toBe(ENVELOPE);
      expect(data).toHaveLength(2);
      expect(data[0].equals(TRICKY)).toBe(true);
      expect(data[1].equals(doc2)).toBe(true);
      expect(result.attachments.map((a) => a.size)).toEqual([TRICKY.length, doc2.length]);
      expect(result.attachments[1].transferEncoding).toBe('base64');
    }
  });

  it('accepts quoted and unquoted boundaries and parameters in any order and case', async () => {
    for (const boundary of ['simple_boundary-1', 'uuid:376733a6-6a2d-4583+id=17', "a'()+_,-./:=?b"]) {
      const body = buildMultipart(boundary, [{ headers: ROOT_HEADERS, body: ENVELOPE }, part('d@test', 'doc')]);
      const headers = [
        `multipart/related; boundary="${boundary}"`,
        `Multipart/Related;START="<root@test>";Boundary=${boundary};type="application/xop+xml"`,
        `multipart/related; type=application/xop+xml; boundary = "${boundary}" ; start=<root@test>`,
      ];
      for (const ct of headers) {
        const { result, data } = await readCollecting([body], ct);
        expect(result.root.toString()).toBe(ENVELOPE);
        expect(data.map(String)).toEqual(['doc']);
      }
    }
  });

  it('takes the part named by start as the root wherever it is, with or without <>', async () => {
    const parts = [part('a@test', 'A'), { headers: [...ROOT_HEADERS.slice(0, 2), 'Content-ID: root@test'], body: ENVELOPE }];
    const body = buildMultipart(B, [...parts, part('b@test', 'B')]);
    for (const start of ['<root@test>', 'root@test', ' <root@test> ']) {
      const { result, data } = await readCollecting(chunked(body, 5), `multipart/related; boundary=${B}; start="${start}"`);
      expect(result.root.toString()).toBe(ENVELOPE);
      expect(result.rootInfo).toMatchObject({ contentId: 'root@test', index: 1, size: ENVELOPE.length });
      expect(result.attachments.map((a) => [a.contentId, a.index])).toEqual([
        ['a@test', 0],
        ['b@test', 2],
      ]);
      expect(data.map(String)).toEqual(['A', 'B']);
    }
    const rootLast = buildMultipart(B, [part('a@test', 'A'), { headers: ROOT_HEADERS, body: ENVELOPE }]);
    expect((await readCollecting([rootLast], CT)).result.root.toString()).toBe(ENVELOPE);
  });

  it('takes the first part as the root when there is no start parameter', async () => {
    const body = buildMultipart(B, [part('first@test', 'FIRST'), part('second@test', 'SECOND')]);
    const { result, data } = await readCollecting([body], `multipart/related; boundary=${B}`);
    expect(result.root.toString()).toBe('FIRST');
    expect(result.rootInfo.contentId).toBe('first@test');
    expect(data.map(String)).toEqual(['SECOND']);
  });

  it('normalizes Content-IDs so that URL-encoded cid: hrefs match them', async () => {
    const id = 'doc 1/ü@urn:ihe:iti:xds-b:2007';
    const body = buildMultipart(B, [{ headers: ROOT_HEADERS, body: ENVELOPE }, part(id, 'x'), part('plain@test', 'y')]);
    const { result } = await readCollecting([body], CT);
    expect(result.attachments[0].contentId).toBe(id);
    expect(contentIdFromHref('cid:doc%201%2F%C3%BC%40urn%3Aihe%3Aiti%3Axds-b%3A2007')).toBe(id);
    expect(contentIdFromHref('CID:plain@test')).toBe(result.attachments[1].contentId);
  });

  it('decodes base64 parts (root too) with line breaks, blanks and padding split across chunks', async () => {
    const doc = bytes(10_001, 'b64');
    const b64 = (eol: string): string => base64Lines(doc, eol).replace(/(.{40})/, '$1 \t');
    const body = buildMultipart(B, [
      { headers: [ROOT_HEADERS[0], 'Content-Transfer-Encoding: BASE64', ROOT_HEADERS[2]], body: Buffer.from(ENVELOPE).toString('base64') },
      { headers: ['Content-ID: <crlf@test>', 'Content-Transfer-Encoding: base64'], body: b64('\r\n') },
      { headers: ['Content-ID: <lf@test>', 'Content-Transfer-Encoding: base64'], body: `${b64('\n')}\n` },
      { headers: ['Content-ID: <unpadded@test>', 'Content-Transfer-Encoding: base64'], body: 'QUJDRA' },
    ]);
    for (const size of [1, 3, 4, 7, 76, 77, 1000]) {
      const { result, data } = await readCollecting(chunked(body, size), CT);
      expect(result.root.toString()).toBe(ENVELOPE);
      expect(data[0].equals(doc)).toBe(true);
      expect(data[1].equals(doc)).toBe(true);
      expect(data[2].toString()).toBe('ABCD');
      expect(result.attachments.map((a) => a.size)).toEqual([doc.length, doc.length, 4]);
    }
  });

  it('ignores preamble and epilogue and accepts transport padding after a boundary', async () => {
    const inner = buildMultipart(B, [{ headers: ROOT_HEADERS, body: ENVELOPE }, part('d@test', 'doc')], {
      preamble: `This is a preamble.\r\n--${B}X is not a delimiter\r\n`,
      epilogue: `\r\nepilogue --${B}\r\n--${B}--\r\ntrailing junk`,
    });
    const padded = Buffer.from(inner.toString('latin1').replace(new RegExp(`(--${B})\\r\\n`, 'g'), '$1 \t \r\n'), 'latin1');
    for (const body of [inner, padded]) {
      for (const size of [1, 9, 1 << 16]) {
        const { result, data } = await readCollecting(chunked(body, size), CT);
        expect(result.root.toString()).toBe(ENVELOPE);
        expect(data.map(String)).toEqual(['doc']);
      }
    }
  });

  it('reads empty parts and parts without headers', async () => {
    for (const eol of ['\r\n', '\n']) {
      const raw = [`--${B}`, ...ROOT_HEADERS, '', ENVELOPE];
      raw.push(`--${B}`, 'Content-ID: <empty@test>', '', `--${B}`, '', 'no headers', `--${B}--`);
      const short = Buffer.from(raw.join(eol));
      for (const size of [1, 2, 1000]) {
        const { result, data } = await readCollecting(chunked(short, size), CT);
        expect(result.root.toString()).toBe(ENVELOPE);
        expect(result.attachments.map((a) => [a.contentId, a.size, a.headers])).toEqual([
          ['empty@test', 0, { 'content-id': '<empty@test>' }],
          [undefined, 10, {}],
        ]);
        expect(data.map(String)).toEqual(['', 'no headers']);
      }
    }
  });

  it('reads header names case-insensitively, joins folded lines and passes 7bit/8bit through', async () => {
    const body = buildMultipart(B, [
      { headers: ['content-id:<root@test>', 'CONTENT-TYPE: application/xop+xml;', '  type="application/soap+xml"'], body: ENVELOPE },
      { headers: ['Content-Id:   <d1@test>   ', 'Content-Transfer-Encoding: 8BIT', 'X-Custom: 1'], body: 'é8' },
      { headers: ['CONTENT-ID: <d2@test>', 'content-transfer-encoding: 7bit'], body: 'seven' },
    ]);
    const { result, data } = await readCollecting([body], CT);
    expect(result.rootInfo.contentType).toBe('application/xop+xml; type="application/soap+xml"');
    expect(result.attachments[0]).toMatchObject({ contentId: 'd1@test', transferEncoding: '8bit', headers: { 'x-custom': '1' } });
    expect(data.map(String)).toEqual(['é8', 'seven']);
  });

  it('keeps a CR that ends the content when the delimiter is CRLF', async () => {
    const body = buildMultipart(B, [{ headers: ROOT_HEADERS, body: ENVELOPE }, part('d@test', 'ends in CR\r')]);
    for (const size of [1, 2, 3]) expect((await readCollecting(chunked(body, size), CT)).data[0].toString()).toBe('ends in CR\r');
  });

  it('accepts a Readable and Uint8Array chunks, and refuses string chunks', async () => {
    const body = buildMultipart(B, [{ headers: ROOT_HEADERS, body: ENVELOPE }, part('d@test', TRICKY)]);
    const stream = Readable.from(chunked(body, 100));
    expect((await readCollecting(stream, CT)).data[0].equals(TRICKY)).toBe(true);
    const u8 = [new Uint8Array(body.buffer, body.byteOffset, body.length)];
    expect((await readCollecting(u8, CT)).data[0].equals(TRICKY)).toBe(true);
    await expect(readCollecting(Readable.from([body.toString('latin1')]), CT)).rejects.toThrow(TypeError);
  });

  it('applies back-pressure: never reads far ahead of a slow sink', async () => {
    const size = 4 << 20;
    const doc = bytes(size, 'bp');
    const body = buildMultipart(B, [{ headers: ROOT_HEADERS, body: ENVELOPE }, part('d@test', doc)]);
    let produced = 0;
    async function* source(): AsyncGenerator<Buffer> {
      for (let i = 0; i < body.length; i += 65536) {
        const c = body.subarray(i, i + 65536);
        produced += c.length;
        yield c;
      }
    }
    let received = 0;
    let maxLag = 0;
    const hash = createHash('sha1');
    const sink = new Writable({
      highWaterMark: 16384,
      write(chunk: Buffer, _enc, cb): void {
        received += chunk.length;
        maxLag = Math.max(maxLag, produced - received);
        hash.update(chunk);
        setImmediate(cb);
      },
    });
    const result = await readMultipartRelated(source(), CT, TEST_LIMITS, () => sink);
    expect(result.attachments[0].size).toBe(size);
    expect(hash.digest('hex')).toBe(createHash('sha1').update(doc).digest('hex'));
    expect(maxLag).toBeLessThan(256 * 1024);
  });

  it('resolves only after every sink has emitted finish', async () => {
    const body = buildMultipart(B, [{ headers: ROOT_HEADERS, body: ENVELOPE }, part('a@test', 'A'), part('b@test', 'B')]);
    const finished: string[] = [];
    const sinkFor = (p: { contentId?: string }): Writable =>
      new Writable({
        write: (_c, _e, cb) => cb(),
        final: (cb) =>
          setTimeout(() => {
            finished.push(p.contentId ?? '');
            cb();
          }, 20),
      });
    const result = await readMultipartRelated([body], CT, TEST_LIMITS, sinkFor);
    expect(finished).toEqual(['a@test', 'b@test']);
    expect(result.attachments).toHaveLength(2);
  });

  it('awaits an asynchronous sink factory and hands it the part headers', async () => {
    const body = buildMultipart(B, [{ headers: ROOT_HEADERS, body: ENVELOPE }, part('a@test', 'A')]);
    const seen: unknown[] = [];
    const sink = new CollectingSink();
    await readMultipartRelated([body], CT, TEST_LIMITS, async (p) => {
      seen.push({ ...p, headers: { ...p.headers } });
      await new Promise((r) => setTimeout(r, 5));
      return sink;
    });
    expect(seen).toEqual([
      {
        contentId: 'a@test',
        contentType: 'application/octet-stream',
        transferEncoding: 'binary',
        index: 1,
        headers: { 'content-type': 'application/octet-stream', 'content-transfer-encoding': 'binary', 'content-id': '<a@test>' },
      },
    ]);
    expect(sink.data.toString()).toBe('A');
  });
});
