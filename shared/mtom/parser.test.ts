/**
 * The parser's chunk seams: a delimiter (or something that only starts like one) split across chunks at any
 * position, and the zero-copy promise (body bytes of a chunk are passed on as views of that chunk).
 */
import { createHash } from 'node:crypto';
import { readMultipartRelated } from './reader';
import { CollectingSink, buildMultipart, readCollecting, type TestPart } from './testing';

const B = 'seam_boundary_42';
const CT = `multipart/related; type="application/xop+xml"; boundary="${B}"; start="<root@test>"`;
const ROOT: TestPart = { headers: ['Content-Type: application/xop+xml', 'Content-ID: <root@test>'], body: '<Envelope/>' };
const doc = (id: string, body: Buffer | string): TestPart => ({
  headers: ['Content-Type: application/octet-stream', 'Content-Transfer-Encoding: binary', `Content-ID: <${id}>`],
  body,
});

/** Deterministic PRNG (mulberry32): the same splits on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic pseudo-random bytes. */
function bytes(n: number, seed: string): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0, k = 0; i < n; i += 32, k++) createHash('sha256').update(`${seed}${k}`).digest().copy(out, i);
  return out;
}

/** Every proper prefix of CR LF "--" boundary and of LF "--" boundary, and near misses of the whole delimiter. */
function nearMisses(): Buffer {
  const full = `\r\n--${B}`;
  const pieces: string[] = [];
  for (let n = 1; n < full.length; n++) pieces.push(full.slice(0, n), 'x', full.slice(1, n), 'y');
  pieces.push(`${full}X`, `${full}-X`, `${full}${' '.repeat(300)}\r\n`, `${full} \t\rZ`, `\r\r\n--${B.slice(0, 5)}`);
  pieces.push(`--${B}\r\n`, '\r', '\n', '\r\n', '\r\r', '\n\n-', `\n--${B.slice(0, -1)}`, 'end\r');
  return Buffer.from(pieces.join(''), 'latin1');
}

/** Splits `buf` at the given sorted offsets (copies, so that every chunk has memory of its own). */
function splitAt(buf: Buffer, cuts: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (const c of [...cuts, buf.length]) {
    if (c > from) out.push(Buffer.from(buf.subarray(from, c)));
    from = Math.max(from, c);
  }
  return out;
}

const TRICKY = nearMisses();

describe.each([
  ['CRLF', '\r\n'],
  ['bare LF', '\n'],
])('MultipartParser seams (%s framing)', (_name, eol) => {
  // TRICKY ends in a CR. In a bare-LF message a CR that ends a part's content is taken as part of the delimiter
  // (README), so there the content ends in something else.
  const content = eol === '\n' ? Buffer.concat([TRICKY, Buffer.from('.')]) : TRICKY;
  const body = buildMultipart(B, [ROOT, doc('a@test', content), doc('b@test', content), doc('empty@test', '')], { eol });

  /** Throws (rather than expect) in the loops below so that a failure names the split. */
  async function expectParts(chunks: Iterable<Buffer>, what: string): Promise<void> {
    const { result, data } = await readCollecting(chunks, CT);
    const ok = result.root.toString() === '<Envelope/>' && data.length === 3 && data[2].length === 0;
    if (!(ok && data[0].equals(content) && data[1].equals(content))) throw new Error(`wrong parts for ${what}`);
    const sizes = result.attachments.map((a) => a.size).join();
    if (sizes !== `${content.length},${content.length},0`) throw new Error(`wrong sizes ${sizes} for ${what}`);
  }

  it('gives the exact part bytes for a split at every single position', async () => {
    for (let cut = 1; cut < body.length; cut++) await expectParts(splitAt(body, [cut]), `cut ${cut}`);
  });

  it('gives the exact part bytes when two cuts close together put a short chunk on a near miss', async () => {
    // Every start position, every chunk length up to past a delimiter plus padding: the held tail meets a chunk
    // shorter than the seam, and the seam itself ends inside a delimiter.
    const span = `\r\n--${B}--\r\n`.length + 2;
    for (let a = 1; a < body.length; a++) {
      for (let len = 1; len <= span && a + len < body.length; len += a % 3 === 0 ? 1 : 5) {
        await expectParts(splitAt(body, [a, a + len]), `cuts ${a}, ${a + len}`);
      }
    }
  });

  it('gives the exact part bytes for seeded random chunkings', async () => {
    const rnd = prng(eol.length * 7919);
    for (let round = 0; round < 400; round++) {
      const maxLen = [3, 20, 40, 300][round % 4];
      const cuts: number[] = [];
      for (let at = 1 + Math.floor(rnd() * maxLen); at < body.length; at += 1 + Math.floor(rnd() * maxLen)) cuts.push(at);
      await expectParts(splitAt(body, cuts), `round ${round}: ${cuts.join(',')}`);
    }
  });
});

describe('MultipartParser zero copy', () => {
  const CHUNK = 64 << 10;

  /** Reads `body` in fresh 64 KiB chunks; the sink records what it was given. */
  async function readIn64k(body: Buffer): Promise<{ inputs: Buffer[]; sink: CollectingSink; size: number }> {
    const inputs: Buffer[] = [];
    for (let i = 0; i < body.length; i += CHUNK) {
      const c = Buffer.alloc(Math.min(CHUNK, body.length - i)); // Buffer.alloc never uses the shared pool
      body.copy(c, 0, i, i + c.length);
      inputs.push(c);
    }
    const sink = new CollectingSink();
    const limits = { maxParts: 4, maxHeaderBytes: 4096, maxRootBytes: 1 << 20 };
    const result = await readMultipartRelated(inputs, CT, limits, () => sink);
    return { inputs, sink, size: result.attachments[0].size };
  }

  it('passes body bytes on as views of the input chunks, copying only seams of a few bytes', async () => {
    const head = buildMultipart(B, [ROOT, doc('big@test', '')]);
    const bodyStart = head.indexOf(`\r\n--${B}--`);
    const doc0 = bytes(4 << 20, 'zero-copy');
    // Make half of the chunk edges fall inside a delimiter prefix (or right after a CR), so that seams happen.
    const full = Buffer.from(`\r\n--${B}`, 'latin1');
    for (let k = 1; k < doc0.length / CHUNK; k += 2) {
      const edge = k * CHUNK - bodyStart;
      const n = 1 + (k % (full.length - 1)); // a proper prefix: never a whole delimiter
      full.copy(doc0, edge - n, 0, n);
    }
    const body = Buffer.concat([head.subarray(0, bodyStart), doc0, head.subarray(bodyStart)]);
    const { inputs, sink, size } = await readIn64k(body);
    expect(size).toBe(doc0.length);
    expect(sink.data.equals(doc0)).toBe(true); // also: nothing handed out was changed afterwards

    const own = new Set(inputs.map((c) => c.buffer));
    const copies = sink.chunks.filter((c) => !own.has(c.buffer));
    const copied = copies.reduce((n, c) => n + c.length, 0);
    // One seam per held tail: at most the tail plus the seam's new bytes each.
    expect(copies.length).toBeGreaterThan(inputs.length / 3);
    expect(Math.max(...copies.map((c) => c.length))).toBeLessThanOrEqual(2 * full.length + 8);
    expect(copied).toBeLessThan(inputs.length * (2 * full.length + 8));
    // Every chunk that lies wholly within the attachment reaches the sink as a view of that very chunk.
    const last = Math.floor((bodyStart + doc0.length) / CHUNK);
    for (let k = 1; k < last; k++) {
      const views = sink.chunks.filter((c) => c.buffer === inputs[k].buffer);
      expect(views.length).toBe(1);
      expect(views[0].length).toBeGreaterThan(CHUNK - 2 * full.length - 8);
    }
  });

  it('copies nothing when no chunk ends in something that could start a delimiter', async () => {
    const doc0 = Buffer.alloc(1 << 20, 'abcdefgh');
    const { inputs, sink } = await readIn64k(buildMultipart(B, [ROOT, doc('big@test', doc0)]));
    const own = new Set(inputs.map((c) => c.buffer));
    expect(sink.chunks.every((c) => own.has(c.buffer))).toBe(true);
    expect(sink.chunks).toHaveLength(inputs.length);
    expect(sink.data.equals(doc0)).toBe(true);
  });

  it('reads part headers that straddle chunks, with more bytes held than one seam takes', async () => {
    const long: TestPart = doc('second@test', 'after');
    long.headers.push(`X-Long: ${'h'.repeat(3000)}`);
    const first = bytes((64 << 10) - 1500, 'pad');
    const message = buildMultipart(B, [ROOT, doc('first@test', first), long]);
    for (const size of [64 << 10, 1000, 100]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < message.length; i += size) chunks.push(Buffer.from(message.subarray(i, i + size)));
      const { result, data } = await readCollecting(chunks, CT);
      expect(data[0].equals(first)).toBe(true);
      expect(data[1].toString()).toBe('after');
      expect(result.attachments[1].headers['x-long']).toHaveLength(3000);
    }
  });
});
