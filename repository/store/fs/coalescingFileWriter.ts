/**
 * A Writable that creates a file and writes what it receives from `startAt` on, gathered into two buffers of its
 * own that it reuses: incoming chunks are copied (and so released at once) into the buffer being filled; a full
 * buffer is written with one positional write while the other fills. At most one write is in flight, so memory is
 * two buffers whatever the document's size.
 *
 * Why not fs.WriteStream: it keeps the incoming chunks themselves (the socket's 64 KiB reads, which the MTOM
 * reader passes on as views) until its writev completes. Measured on 1 GiB ITI-41 uploads, three each, same
 * machine, one after the other: with fs.WriteStream 2.11–2.42 s and 1.02–1.13 s of main-thread CPU, with this
 * writer 1.82–1.97 s and 0.97–1.02 s. The full garbage collections that the repository still runs during an upload
 * (about 40 per GiB, against one for the bench's bare ceiling server) barely changed (127 → 113 over 3 GiB), so
 * holding the chunks was not what triggers them (docs/BENCHMARKS.md).
 */
import { constants as fsConstants, promises as fsp } from 'node:fs';
import { Writable } from 'node:stream';

export interface CoalescingFileWriterOptions {
  /** File mode for the new file; default 0o600. */
  mode?: number;
  /** Where the first byte goes (bytes before it are left for a header); default 0. */
  startAt?: number;
  /** Size of each of the two buffers once the file outgrows the first, small one; default 1 MiB. */
  bufferBytes?: number;
  /** Size of the first buffer, which is all a small document needs; default 64 KiB (at most bufferBytes). */
  firstBufferBytes?: number;
}

/**
 * Buffers kept for the next writer, per size. A busy repository then allocates none per document: a fresh 64 KiB
 * buffer per 10 KiB submission cost the repository 1.2–1.4 ms of CPU per submission in the bench (external
 * allocations make V8 collect, and its heap under load is large), against fs.WriteStream, which allocates none.
 */
class BufferPool {
  private readonly free: Buffer[] = [];
  constructor(
    readonly size: number,
    private readonly keep: number,
  ) {}
  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }
  give(buffer: Buffer): void {
    if (buffer.length === this.size && this.free.length < this.keep) this.free.push(buffer);
  }
}

const pools = new Map<number, BufferPool>();
/** Small buffers: one per document being received; large ones: two per large document (at most 8 MiB kept). */
function poolFor(size: number): BufferPool {
  let pool = pools.get(size);
  if (!pool) {
    pool = new BufferPool(size, size <= 64 * 1024 ? 64 : 8);
    pools.set(size, pool);
  }
  return pool;
}

/** Writes `length` bytes of `buffer` at `position`, however many calls that takes. */
async function writeFully(fh: fsp.FileHandle, buffer: Buffer, length: number, position: number): Promise<void> {
  for (let done = 0; done < length; ) {
    const { bytesWritten } = await fh.write(buffer, done, length - done, position + done);
    done += bytesWritten;
  }
}

export class CoalescingFileWriter extends Writable {
  private fh: fsp.FileHandle | undefined;
  private filling: Buffer;
  /** Taken at the first flush, so a document that fits the first buffer uses one small buffer. */
  private spare: Buffer | undefined;
  /** The buffer being written, if any. */
  private writing: Buffer | undefined;
  private readonly bufferBytes: number;
  /** A take() is between two awaits: its buffers must not go back to the pool. */
  private taking = false;
  private filled = 0;
  private position: number;
  /** The write of `spare`, if one is in flight; never rejects (a failure lands in `failure`). */
  private inFlight: Promise<void> | undefined;
  private failure: Error | undefined;

  constructor(
    readonly file: string,
    private readonly opts: CoalescingFileWriterOptions = {},
  ) {
    super({ decodeStrings: true });
    this.bufferBytes = opts.bufferBytes ?? 1024 * 1024;
    // Two 1 MiB buffers for every 10 KiB submission would be waste, hence a small first buffer.
    this.filling = poolFor(Math.min(this.bufferBytes, opts.firstBufferBytes ?? 64 * 1024)).take();
    this.position = opts.startAt ?? 0;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    // O_EXCL: a staging file is always new.
    const flags = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL;
    fsp.open(this.file, flags, this.opts.mode ?? 0o600).then(
      (fh) => {
        this.fh = fh;
        callback();
      },
      (err: Error) => callback(err),
    );
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.take(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.drain()
      .then(async () => {
        if (this.filled > 0) await this.flush();
        await this.drain();
      })
      .then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Never close the file under a write that is still running in the thread pool.
    Promise.resolve(this.inFlight)
      .then(() => {
        this.inFlight = undefined;
        this.release();
        return this.fh?.close();
      })
      .then(
        () => callback(error),
        (closeError: Error) => callback(error ?? closeError),
      );
  }

  private async take(chunk: Buffer): Promise<void> {
    this.taking = true;
    try {
      for (let offset = 0; offset < chunk.length; ) {
        const copied = chunk.copy(this.filling, this.filled, offset);
        this.filled += copied;
        offset += copied;
        if (this.filled === this.filling.length) await this.flush();
      }
    } finally {
      this.taking = false;
    }
  }

  /** Gives the buffers back for the next writer once nothing can touch them any more. */
  private release(): void {
    if (this.taking || this.inFlight) return;
    // A Set: the buffer last written is also the spare one, and giving it twice would hand it to two writers.
    for (const buffer of new Set([this.filling, this.spare, this.writing])) if (buffer) poolFor(buffer.length).give(buffer);
    this.spare = undefined;
    this.writing = undefined;
  }

  /** Waits for the write in flight and reports its failure. */
  private async drain(): Promise<void> {
    await this.inFlight;
    this.inFlight = undefined;
    // The small first buffer leaves the rotation after its one write.
    if (this.writing && this.writing !== this.spare) poolFor(this.writing.length).give(this.writing);
    this.writing = undefined;
    if (this.failure) throw this.failure;
  }

  /** Starts writing the filled buffer (after the previous write finished) and fills the other one meanwhile. */
  private async flush(): Promise<void> {
    await this.drain();
    const fh = this.fh;
    if (this.destroyed || !fh) throw new Error('file writer was closed');
    const buffer = this.filling;
    const length = this.filled;
    const position = this.position;
    this.position += length;
    // Past the first buffer the file is large: from here on, two full-size buffers take turns.
    const large = poolFor(this.bufferBytes);
    this.filling = this.spare ?? large.take();
    this.spare = buffer.length === this.bufferBytes ? buffer : large.take();
    this.filled = 0;
    this.writing = buffer;
    this.inFlight = writeFully(fh, buffer, length, position).catch((e: unknown) => {
      this.failure = e instanceof Error ? e : new Error(String(e));
    });
  }
}
