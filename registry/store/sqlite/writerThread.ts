/**
 * The registry's SQLite writes, run on a worker thread with its own connection (synchronous=FULL).
 *
 * Why: better-sqlite3 is synchronous, so a COMMIT on the event loop's thread blocks it for the WAL fsync; in the
 * small-submission benchmark the registry spent a third of its busy time there, answering neither ITI-42 nor
 * ITI-18 (docs/BENCHMARKS.md). On a worker thread the fsync blocks only the writer; the main connection keeps
 * reading, and it sees a commit only once SQLite has made it durable, as before.
 *
 * Protocol (writerWorker.ts is the other side): one request at a time is in flight (the store batches what
 * arrives meanwhile: group commit); each answer carries the request's id. Errors cross the thread as data
 * (`WireError`) and become XdsError or Error again here.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { XdsError, type RegistryError } from '../../../shared/errors';
import type { SubmissionChanges } from '../RegistryStore';
import type { SqliteSynchronous } from './SqliteRegistryStore';
import type { WriteOutcome } from './writer';

export type WireError = { kind: 'xds'; errors: RegistryError[] } | { kind: 'error'; message: string; code?: string };
export type WireOutcome = { ok: true } | { ok: false; error: WireError };

export type WriterRequest =
  | { id: number; type: 'batch'; batch: SubmissionChanges[] }
  | { id: number; type: 'knownPatients'; patientIds: string[] }
  | { id: number; type: 'close' };

export type WriterReply = { id: number; outcomes: WireOutcome[] } | { id: number; done: true } | { id: number; failure: WireError };

export interface WriterWorkerData {
  file: string;
  synchronous: SqliteSynchronous;
  busyTimeoutMs: number;
}

export function toWireError(e: unknown): WireError {
  if (e instanceof XdsError) return { kind: 'xds', errors: e.errors };
  const { message, code } = (typeof e === 'object' && e !== null ? e : {}) as { message?: unknown; code?: unknown };
  return { kind: 'error', message: typeof message === 'string' ? message : String(e), ...(typeof code === 'string' ? { code } : {}) };
}

export function fromWireError(w: WireError): Error {
  if (w.kind === 'xds') return new XdsError(w.errors);
  const err = new Error(w.message) as Error & { code?: string };
  if (w.code !== undefined) err.code = w.code;
  return err;
}

/** Where writes go: the store does not care whether they run on its thread or another. */
export interface BatchWriter {
  apply(batch: SubmissionChanges[]): Promise<WriteOutcome[]>;
  addKnownPatients(patientIds: string[]): Promise<void>;
  /** Why writes cannot succeed any more (the writer thread died), or undefined while it works. */
  failure(): Error | undefined;
  close(): Promise<void>;
}

/** The worker's script: the compiled .js next to this file, or (tests, running TypeScript) the .ts through swc. */
function spawnWorker(workerData: WriterWorkerData): Worker {
  const ext = path.extname(__filename);
  const script = path.join(__dirname, `writerWorker${ext}`);
  if (ext !== '.ts') return new Worker(script, { workerData });
  const register = path.resolve(__dirname, '../../../conformance/register.js');
  return new Worker(`require(${JSON.stringify(register)}); require(${JSON.stringify(script)});`, { eval: true, workerData });
}

export function startWriterThread(workerData: WriterWorkerData): BatchWriter {
  const worker = spawnWorker(workerData);
  worker.unref(); // referenced only while a request is in flight (below)
  const waiting = new Map<number, { resolve: (r: WriterReply) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let stopped: Error | undefined;
  let closing = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));

  const stop = (why: Error): void => {
    stopped ??= why;
    for (const w of waiting.values()) w.reject(stopped);
    waiting.clear();
  };
  worker.on('message', (reply: WriterReply) => {
    const w = waiting.get(reply.id);
    if (!w) return;
    waiting.delete(reply.id);
    if (waiting.size === 0 && !closing) worker.unref();
    w.resolve(reply);
  });
  worker.on('error', (e) => stop(new Error(`the registry's SQLite writer thread failed: ${e.message}`)));
  worker.on('exit', (code) => stop(new Error(`the registry's SQLite writer thread stopped (exit code ${code})`)));

  const request = (req: WriterRequest): Promise<WriterReply> =>
    new Promise((resolve, reject) => {
      if (stopped) {
        reject(stopped);
        return;
      }
      waiting.set(req.id, { resolve, reject });
      worker.ref();
      worker.postMessage(req);
    });
  const expectDone = (reply: WriterReply): void => {
    if ('failure' in reply) throw fromWireError(reply.failure);
  };

  return {
    async apply(batch) {
      const reply = await request({ id: nextId++, type: 'batch', batch });
      if ('failure' in reply) throw fromWireError(reply.failure);
      if (!('outcomes' in reply)) throw new Error('the SQLite writer thread answered a batch without outcomes');
      return reply.outcomes.map((o): WriteOutcome => (o.ok ? { ok: true } : { ok: false, error: fromWireError(o.error) }));
    },
    async addKnownPatients(patientIds) {
      expectDone(await request({ id: nextId++, type: 'knownPatients', patientIds }));
    },
    failure: () => (closing ? undefined : stopped),
    async close() {
      if (stopped) return;
      // Stay referenced until the thread has exited: an unreferenced worker would let the process end while
      // close() still waits for it.
      closing = true;
      worker.ref();
      expectDone(await request({ id: nextId++, type: 'close' }));
      await exited;
    },
  };
}
