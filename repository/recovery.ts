/**
 * After a crash: documents the repository committed whose ITI-42 may never have reached the registry.
 *
 * ITI-41 commits the bytes, then registers the metadata; a crash in between leaves a stored document that no
 * DocumentEntry points to (anyone who knows its uniqueId could still retrieve it). At start-up after an unclean
 * stop, the store lists the documents written since the crashed process started; after a grace period (an
 * ITI-42 sent just before the crash may still be in the registry's hands), the registry is asked with ITI-18
 * GetDocuments which of them it holds for this repository, and the others are removed. Each batch holds the same
 * per-uniqueId lock as ITI-41 between commit and the registry's answer, so a client re-submitting one of these
 * documents meanwhile is either seen by the registry or waits. Registry unreachable: retried with back-off until
 * it answers or the repository stops; nothing is removed without an answer.
 */
import type { Logger } from '../shared/logger';
import type { KeyedMutex } from './keyedMutex';
import type { RegistryClient } from './registryClient';
import type { BlobStore } from './store/BlobStore';

export interface RecoveryOptions {
  store: BlobStore;
  registry: Pick<RegistryClient, 'registeredUniqueIds'>;
  repositoryUniqueId: string;
  inFlight: KeyedMutex;
  logger: Logger;
  /** Wait before asking (default: the registry timeout of ITI-42, so a request from before the crash is done). */
  graceMs: number;
  batchSize?: number;
  /** Back-off between attempts while the registry cannot answer. */
  retryMs?: number;
  /** Stops waiting and retrying (the service is shutting down). */
  signal?: AbortSignal;
}

export interface RecoveryResult {
  checked: number;
  kept: number;
  removed: string[];
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

export async function reconcileAfterUncleanStop(opts: RecoveryOptions): Promise<RecoveryResult | undefined> {
  const { store, logger } = opts;
  if (!store.documentsSinceUncleanStop) return undefined;
  const candidates = await store.documentsSinceUncleanStop();
  const result: RecoveryResult = { checked: 0, kept: 0, removed: [] };
  if (candidates.length > 0) {
    logger.warn('previous run stopped uncleanly: checking its documents against the registry', { documents: candidates.length, afterMs: opts.graceMs });
    await sleep(opts.graceMs, opts.signal);
  }
  const size = opts.batchSize ?? 100;
  for (let i = 0; i < candidates.length && !opts.signal?.aborted; i += size) {
    const batch = candidates.slice(i, i + size);
    const release = await opts.inFlight.acquire(batch);
    try {
      const registered = await askUntilAnswered(opts, batch);
      if (!registered) return undefined; // stopping
      for (const uniqueId of batch) {
        result.checked += 1;
        if (registered.has(uniqueId)) result.kept += 1;
        else if (await store.remove(uniqueId)) result.removed.push(uniqueId);
      }
    } finally {
      release();
    }
  }
  if (opts.signal?.aborted) return undefined;
  await store.uncleanStopHandled?.();
  if (candidates.length > 0) logger.warn('unclean-stop check done', { checked: result.checked, kept: result.kept, removedUnregistered: result.removed.length });
  return result;
}

async function askUntilAnswered(opts: RecoveryOptions, batch: string[]): Promise<Set<string> | undefined> {
  for (let attempt = 1; !opts.signal?.aborted; attempt++) {
    try {
      return await opts.registry.registeredUniqueIds(batch, opts.repositoryUniqueId);
    } catch (e) {
      const wait = Math.min(60_000, (opts.retryMs ?? 1000) * 2 ** Math.min(attempt - 1, 6));
      opts.logger.warn('unclean-stop check: the registry did not answer, retrying', { attempt, retryInMs: wait, error: e instanceof Error ? e.message : String(e) });
      await sleep(wait, opts.signal);
    }
  }
  return undefined;
}
