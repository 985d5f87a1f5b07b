/** Helpers for tests that feed MTOM bodies (also usable by other modules' tests). No jest dependency. */
import { Writable } from 'node:stream';

/** Yields `buf` in slices of `size` bytes (copies, so nothing can alias the source). */
export async function* chunked(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield Buffer.from(buf.subarray(i, i + size));
}

/** A Writable that keeps what it receives; `destroyedWith` records the error passed to destroy(). */
export class CollectingSink extends Writable {
  readonly chunks: Buffer[] = [];
  destroyedWith?: Error | null;
  private readonly delayMs: number;

  constructor(opts: { highWaterMark?: number; delayMs?: number } = {}) {
    super({ highWaterMark: opts.highWaterMark ?? 16384 });
    this.delayMs = opts.delayMs ?? 0;
  }

  get data(): Buffer {
    return Buffer.concat(this.chunks);
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(chunk);
    if (this.delayMs > 0) setTimeout(cb, this.delayMs);
    else cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.destroyedWith = err;
    cb(err);
  }
}
