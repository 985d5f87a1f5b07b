/** Small back-pressure helpers shared by the reader and the writer. */
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/** Resolves on 'drain'; rejects on 'error' or when the stream closes first. */
export function waitDrain(w: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      w.off('drain', onDrain);
      w.off('error', onError);
      w.off('close', onClose);
    };
    const onDrain = (): void => {
      cleanup();
      resolve();
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onClose = (): void => {
      cleanup();
      reject(w.errored ?? new Error('stream closed while waiting for drain'));
    };
    w.on('drain', onDrain);
    w.on('error', onError);
    w.on('close', onClose);
  });
}

/** Writes one chunk; when the stream asks for it, waits until it has drained. */
export async function writeChunk(w: Writable, chunk: Buffer): Promise<void> {
  if (w.destroyed || w.writableEnded || w.errored) {
    throw w.errored ?? new Error('stream was closed before all data was written');
  }
  if (!w.write(chunk)) await waitDrain(w);
}

/** Ends the stream and waits for 'finish' (rejects on 'error' or a premature close). */
export async function endAndWait(w: Writable): Promise<void> {
  if (!w.writableEnded) w.end();
  await finished(w, { readable: false });
}
