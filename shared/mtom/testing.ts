/** Helpers for tests that feed MTOM bodies (also usable by other modules' tests). No jest dependency. */
import { Writable } from 'node:stream';
import { readMultipartRelated, type MultipartBody, type MultipartLimits, type MultipartResult, type PartInfo } from './reader';

/** Yields `buf` in slices of `size` bytes (copies, so nothing can alias the source). */
export async function* chunked(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield Buffer.from(buf.subarray(i, i + size));
}

export interface CollectingSinkOptions {
  highWaterMark?: number;
  /** Delay each write callback (a slow disk). */
  delayMs?: number;
  /** Default true, as for fs streams; false keeps a finished sink undestroyed so destroy(err) stays observable. */
  autoDestroy?: boolean;
  /** Fail the write that would take the total past this many bytes (a full disk). */
  failAfter?: number;
}

/** A Writable that keeps what it receives; `destroyedWith` records the error passed to destroy(). */
export class CollectingSink extends Writable {
  readonly chunks: Buffer[] = [];
  destroyedWith?: Error | null;
  private received = 0;
  private readonly opts: CollectingSinkOptions;

  constructor(opts: CollectingSinkOptions = {}) {
    super({ highWaterMark: opts.highWaterMark ?? 16384, autoDestroy: opts.autoDestroy ?? true });
    this.opts = opts;
  }

  get data(): Buffer {
    return Buffer.concat(this.chunks);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.received += chunk.length;
    if (this.opts.failAfter !== undefined && this.received > this.opts.failAfter) {
      cb(new Error('disk full'));
      return;
    }
    this.chunks.push(chunk);
    if (this.opts.delayMs) setTimeout(cb, this.opts.delayMs);
    else cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.destroyedWith = err;
    cb(err);
  }
}

export interface TestPart {
  /** Header lines without line endings, e.g. `Content-ID: <a@b>`. */
  headers: string[];
  body: Buffer | string;
}

export interface BuildOptions {
  /** Line ending of the framing (default CRLF). */
  eol?: string;
  /** Text before the first delimiter (followed by eol). */
  preamble?: string;
  /** Bytes after the close delimiter (default eol). */
  epilogue?: string;
}

/** Builds a multipart body by hand (independent of writer.ts). */
export function buildMultipart(boundary: string, parts: readonly TestPart[], opts: BuildOptions = {}): Buffer {
  const eol = opts.eol ?? '\r\n';
  const pieces: Buffer[] = [];
  if (opts.preamble !== undefined) pieces.push(Buffer.from(opts.preamble + eol, 'latin1'));
  parts.forEach((p, i) => {
    const head = `${i > 0 ? eol : ''}--${boundary}${eol}${p.headers.map((h) => h + eol).join('')}${eol}`;
    pieces.push(Buffer.from(head, 'utf8'), typeof p.body === 'string' ? Buffer.from(p.body, 'utf8') : p.body);
  });
  pieces.push(Buffer.from(`${eol}--${boundary}--${opts.epilogue ?? eol}`, 'latin1'));
  return Buffer.concat(pieces);
}

export const TEST_LIMITS: MultipartLimits = { maxParts: 20, maxHeaderBytes: 4096, maxRootBytes: 1 << 20, maxPartBytes: 64 << 20 };

/** Reads a body with a CollectingSink per attachment. */
export async function readCollecting(
  body: MultipartBody,
  contentType: string,
  limits: MultipartLimits = TEST_LIMITS,
  makeSink: (part: PartInfo) => CollectingSink = () => new CollectingSink(),
): Promise<{ result: MultipartResult; sinks: CollectingSink[]; data: Buffer[] }> {
  const sinks: CollectingSink[] = [];
  const result = await readMultipartRelated(body, contentType, limits, (part) => {
    const sink = makeSink(part);
    sinks.push(sink);
    return sink;
  });
  return { result, sinks, data: sinks.map((s) => s.data) };
}
