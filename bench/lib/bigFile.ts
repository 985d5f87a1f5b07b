/** The large test document: random bytes written to disk in 1 MiB slices, never held whole in memory. */
import { createHash, randomFillSync } from 'node:crypto';
import fs from 'node:fs';

const SLICE = 1024 * 1024;

/** Writes `bytes` random bytes to `file` and returns their SHA-1 (hex). */
export function writeRandomFile(file: string, bytes: number): string {
  const fd = fs.openSync(file, 'w');
  const hash = createHash('sha1');
  const slice = Buffer.allocUnsafe(SLICE);
  try {
    for (let written = 0; written < bytes; ) {
      const n = Math.min(SLICE, bytes - written);
      const chunk = n === SLICE ? slice : slice.subarray(0, n);
      randomFillSync(chunk);
      hash.update(chunk);
      let off = 0;
      while (off < n) off += fs.writeSync(fd, chunk, off, n - off);
      written += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}
