/**
 * A pass-through Transform that counts bytes and computes SHA-1 while a document streams to its staging file.
 * Passing `maxBytes` makes the stream fail with a LimitError as soon as one byte too many arrives.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { LimitError } from '../../../shared/errors';

export class HashingCounter extends Transform {
  private readonly sha1: Hash = createHash('sha1');
  private count = 0;
  private digest?: string;

  constructor(private readonly maxBytes?: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.count += chunk.length;
    if (this.maxBytes !== undefined && this.count > this.maxBytes) {
      cb(new LimitError(`document exceeds the limit of ${this.maxBytes} bytes`));
      return;
    }
    this.sha1.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.digest = this.sha1.digest('hex');
    cb();
  }

  /** Size and lowercase hex SHA-1; only after the stream ended. */
  result(): { size: number; hash: string } {
    if (this.digest === undefined) throw new Error('HashingCounter.result() called before the stream ended');
    return { size: this.count, hash: this.digest };
  }
}
