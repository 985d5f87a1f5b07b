/**
 * The writer thread's side of writerThread.ts: its own connection to the registry database (already migrated
 * by the main thread), SqliteWriter for the work, one request at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { configureConnection } from './SqliteRegistryStore';
import { SqliteWriter } from './writer';
import { toWireError, type WireOutcome, type WriterReply, type WriterRequest, type WriterWorkerData } from './writerThread';

const settings = workerData as WriterWorkerData;
const db = new Database(settings.file, { timeout: settings.busyTimeoutMs });
configureConnection(db, settings.synchronous);
const writer = new SqliteWriter(db);
const port = parentPort;
if (!port) throw new Error('writerWorker.ts runs only as a worker thread');

function handle(req: WriterRequest): WriterReply {
  try {
    switch (req.type) {
      case 'batch':
        return {
          id: req.id,
          outcomes: writer.applyBatch(req.batch).map((o): WireOutcome => (o.ok ? { ok: true } : { ok: false, error: toWireError(o.error) })),
        };
      case 'knownPatients':
        writer.addKnownPatients(req.patientIds);
        return { id: req.id, done: true };
      case 'close':
        db.close();
        return { id: req.id, done: true };
    }
  } catch (e) {
    return { id: req.id, failure: toWireError(e) };
  }
}

port.on('message', (req: WriterRequest) => {
  port.postMessage(handle(req));
  if (req.type === 'close') port.close();
});
