/** Streaming MTOM/XOP (multipart/related) writer for responses, e.g. ITI-43 (digest section 1.5). */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { normalizeContentId } from './contentType';
import { endAndWait, writeChunk } from './streams';

export interface MtomContentTypeOptions {
  boundary: string;
  /** Content-ID of the root part, with or without `<>`. */
  startId: string;
  /** SOAP action (wsa:Action), added as the `action` parameter when given. */
  action?: string;
}

/**
 * A part's bytes that the writer reads into buffers of its own (a stored file), instead of a stream that
 * allocates a new buffer for every chunk. With `reuseBuffers` the writer then needs two buffers per part, whatever
 * the size: a 1 GiB ITI-43 answer read as a stream allocated 1,024 buffers of 1 MiB, which outlived the young
 * generation and made the repository spend a third of its CPU in garbage collection (docs/BENCHMARKS.md).
 */
export interface ChunkSource {
  /** Number of bytes the part has. */
  readonly size: number;
  /** Reads up to `length` bytes at `position` into the start of `buffer`; resolves with the count read. */
  read(buffer: Buffer, length: number, position: number): Promise<number>;
  close(): Promise<void>;
}

export interface MtomAttachment {
  contentId: string;
  contentType: string;
  /**
   * Called when the part is about to be written; the stream is consumed with back-pressure. A promise lets a
   * store open its file only then, with no PassThrough in between (that extra hop cost ITI-43 ~10 % in the bench).
   */
  open: () => Readable | ChunkSource | Promise<Readable | ChunkSource>;
}

export interface MtomMessage {
  boundary: string;
  root: { contentId: string; xml: string | Buffer };
  parts: readonly MtomAttachment[];
}

export interface WriteOptions {
  /** End `out` after the close delimiter (default true). */
  end?: boolean;
  /**
   * `out` is finished with a chunk once that write's callback has run, as a socket or an HTTP response is (a
   * PassThrough is not: it still holds the chunk). ChunkSource parts are then read into two reused buffers;
   * otherwise every chunk gets a new buffer. Default false.
   */
  reuseBuffers?: boolean;
}

/** Largest read from a ChunkSource (ITI-43 bench: 1 MiB reads were 2.35× faster than 64 KiB ones). */
export const SOURCE_CHUNK_BYTES = 1024 * 1024;

const BCHARS = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
const ROOT_TYPE = 'application/xop+xml; charset=UTF-8; type="application/soap+xml"';

function checkBoundary(boundary: string): void {
  if (!BCHARS.test(boundary)) throw new Error(`Invalid MIME boundary ${JSON.stringify(boundary)} (RFC 2046 bchars, 1-70)`);
}

function headerSafe(value: string, what: string): string {
  if (/[\r\n<>]/.test(value) || value === '') throw new Error(`Invalid ${what} ${JSON.stringify(value)}`);
  return value;
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** `MIMEBoundary_` + 48 random hex digits (61 characters). */
export function newBoundary(): string {
  return `MIMEBoundary_${randomBytes(24).toString('hex')}`;
}

/** `<uuid>@<domain>`, without angle brackets. */
export function newContentId(domain: string): string {
  return `${randomUUID()}@${headerSafe(domain, 'Content-ID domain')}`;
}

/** The outer Content-Type header value of an MTOM message. */
export function mtomContentType(opts: MtomContentTypeOptions): string {
  checkBoundary(opts.boundary);
  const start = headerSafe(normalizeContentId(opts.startId), 'start Content-ID');
  let value =
    `multipart/related; type="application/xop+xml"; boundary=${quote(opts.boundary)}; ` +
    `start=${quote(`<${start}>`)}; start-info="application/soap+xml"`;
  if (opts.action !== undefined) value += `; action=${quote(headerSafe(opts.action, 'action'))}`;
  return value;
}

function partHead(boundary: string, contentType: string, contentId: string, first: boolean): Buffer {
  const id = headerSafe(normalizeContentId(contentId), 'Content-ID');
  return Buffer.from(
    `${first ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${headerSafe(contentType, 'Content-Type')}\r\n` +
      `Content-Transfer-Encoding: binary\r\nContent-ID: <${id}>\r\n\r\n`,
    'utf8',
  );
}

function isChunkSource(src: Readable | ChunkSource): src is ChunkSource {
  return typeof (src as Partial<ChunkSource>).size === 'number' && typeof (src as Partial<ChunkSource>).read === 'function';
}

async function copyStream(src: Readable, out: Writable): Promise<void> {
  try {
    for await (const chunk of src) {
      await writeChunk(out, Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
    }
  } finally {
    if (!src.destroyed) src.destroy();
  }
}

/** Fills `length` bytes of `buffer` from `position`; a source that ends early is an error (the file changed). */
async function readFully(src: ChunkSource, buffer: Buffer, length: number, position: number): Promise<void> {
  let filled = 0;
  while (filled < length) {
    const n = await src.read(filled === 0 ? buffer : buffer.subarray(filled), length - filled, position + filled);
    if (n <= 0) throw new Error(`attachment source ended at byte ${position + filled} of ${src.size}`);
    filled += n;
  }
}

/**
 * Buffers handed to `out` come back when their write's callback runs. Waiting for one also ends when `out` fails
 * or closes, since an HTTP response whose socket is gone never calls the callbacks of its pending writes.
 */
class BufferPool {
  private readonly free: Buffer[];
  private wake: (() => void) | undefined;

  constructor(
    private readonly out: Writable,
    size: number,
    count: number,
  ) {
    this.free = Array.from({ length: count }, () => Buffer.allocUnsafeSlow(size));
  }

  async take(): Promise<Buffer> {
    for (;;) {
      const buffer = this.free.pop();
      if (buffer) return buffer;
      if (this.out.destroyed || this.out.errored) throw this.out.errored ?? new Error('output closed while writing an attachment');
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.out.off('close', wake);
          this.wake = undefined;
          resolve();
        };
        this.wake = wake;
        this.out.once('close', wake);
      });
    }
  }

  /** The write of `buffer` finished; after a failed write the buffer is not reused, but a waiting take() re-checks `out`. */
  give(buffer: Buffer, failed: boolean): void {
    if (!failed) this.free.push(buffer);
    this.wake?.();
  }
}

async function copySource(src: ChunkSource, out: Writable, reuseBuffers: boolean): Promise<void> {
  try {
    const chunkBytes = Math.max(1, Math.min(src.size, SOURCE_CHUNK_BYTES));
    // A part that fits one buffer needs only one.
    const pool = reuseBuffers ? new BufferPool(out, chunkBytes, src.size > chunkBytes ? 2 : 1) : undefined;
    for (let position = 0; position < src.size; ) {
      const length = Math.min(chunkBytes, src.size - position);
      const buffer = pool ? await pool.take() : Buffer.allocUnsafeSlow(length);
      await readFully(src, buffer, length, position);
      position += length;
      const chunk = length === buffer.length ? buffer : buffer.subarray(0, length);
      if (out.destroyed || out.writableEnded || out.errored) throw out.errored ?? new Error('stream was closed before all data was written');
      if (pool) {
        // Two buffers in flight bound the memory; the next read overlaps this write.
        out.write(chunk, (err) => pool.give(buffer, Boolean(err)));
      } else {
        await writeChunk(out, chunk);
      }
    }
  } finally {
    await src.close();
  }
}

/**
 * Writes root part, attachments (opened one at a time, streamed with back-pressure) and the close delimiter, CRLF
 * line endings. Resolves when everything is written (and, with end: true, when `out` has finished). On a source or
 * output error it rejects and leaves `out` as it is: destroy it, since the message is incomplete.
 */
export async function writeMultipartRelated(out: Writable, msg: MtomMessage, opts: WriteOptions = {}): Promise<void> {
  checkBoundary(msg.boundary);
  const xml = typeof msg.root.xml === 'string' ? Buffer.from(msg.root.xml, 'utf8') : msg.root.xml;
  // An output error between two writes must not crash the process: it is seen as out.errored by the next write.
  const ignore = (): void => undefined;
  out.on('error', ignore);
  try {
    await writeChunk(out, partHead(msg.boundary, ROOT_TYPE, msg.root.contentId, true));
    await writeChunk(out, xml);
    for (const part of msg.parts) {
      await writeChunk(out, partHead(msg.boundary, part.contentType, part.contentId, false));
      const src = await part.open();
      if (isChunkSource(src)) await copySource(src, out, opts.reuseBuffers ?? false);
      else await copyStream(src, out);
    }
    await writeChunk(out, Buffer.from(`\r\n--${msg.boundary}--\r\n`, 'latin1'));
    if (opts.end ?? true) await endAndWait(out);
  } finally {
    out.off('error', ignore);
  }
}
