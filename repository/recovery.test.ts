import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../shared/logger';
import { KeyedMutex } from './keyedMutex';
import { reconcileAfterUncleanStop } from './recovery';
import { FileBlobStore } from './store/fs/FileBlobStore';

const REPO_ID = '1.2.3.4.5';
let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'recovery-'));
});
/** The "crashed" runs' stores: left open during the test like a dead process leaves them, closed afterwards. */
const crashedRuns: FileBlobStore[] = [];
afterEach(async () => {
  for (const store of crashedRuns.splice(0)) await store.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** A store whose previous run "crashed" after committing these documents. */
async function crashedStoreWith(uniqueIds: string[]): Promise<FileBlobStore> {
  const first = await FileBlobStore.open(root);
  for (const uniqueId of uniqueIds) {
    const { sink, staged } = await first.stage();
    sink.end(`bytes of ${uniqueId}`);
    await staged.done;
    await first.commit([{ staged, uniqueId, mimeType: 'text/plain' }]);
  }
  crashedRuns.push(first); // not closed before the next open: a crash
  return FileBlobStore.open(root);
}

const logger = createLogger('repository', 'error');

describe('reconcileAfterUncleanStop', () => {
  it('removes the documents the registry does not hold for this repository and keeps the others', async () => {
    const store = await crashedStoreWith(['1.1', '1.2', '1.3']);
    const asked: string[][] = [];
    const result = await reconcileAfterUncleanStop({
      store,
      registry: {
        registeredUniqueIds: async (ids, repositoryUniqueId) => {
          asked.push([...ids].sort());
          expect(repositoryUniqueId).toBe(REPO_ID);
          return new Set(['1.1', '1.3']);
        },
      },
      repositoryUniqueId: REPO_ID,
      inFlight: new KeyedMutex(),
      logger,
      graceMs: 0,
      batchSize: 2,
    });
    expect(result).toEqual({ checked: 3, kept: 2, removed: ['1.2'] });
    expect(asked.flat().sort()).toEqual(['1.1', '1.2', '1.3']);
    expect(asked.every((b) => b.length <= 2)).toBe(true);
    expect(await store.info('1.2')).toBeUndefined();
    expect(await store.info('1.1')).toBeDefined();
    expect(await store.documentsSinceUncleanStop()).toEqual([]); // handled
    await store.close();
  });

  it('removes nothing while the registry cannot answer, and goes on once it does', async () => {
    const store = await crashedStoreWith(['2.1']);
    let calls = 0;
    const result = await reconcileAfterUncleanStop({
      store,
      registry: {
        registeredUniqueIds: async () => {
          calls += 1;
          if (calls < 3) {
            expect(await store.info('2.1')).toBeDefined();
            throw new Error('connect ECONNREFUSED');
          }
          return new Set<string>();
        },
      },
      repositoryUniqueId: REPO_ID,
      inFlight: new KeyedMutex(),
      logger,
      graceMs: 0,
      retryMs: 5,
    });
    expect(calls).toBe(3);
    expect(result?.removed).toEqual(['2.1']);
    await store.close();
  });

  it('stops when the service stops, leaving the check for the next start', async () => {
    const store = await crashedStoreWith(['3.1']);
    const stop = new AbortController();
    const running = reconcileAfterUncleanStop({
      store,
      registry: { registeredUniqueIds: async () => Promise.reject(new Error('down')) },
      repositoryUniqueId: REPO_ID,
      inFlight: new KeyedMutex(),
      logger,
      graceMs: 0,
      retryMs: 10_000,
      signal: stop.signal,
    });
    await new Promise((r) => setTimeout(r, 20));
    stop.abort();
    expect(await running).toBeUndefined();
    expect(await store.info('3.1')).toBeDefined();
    await store.close();
    const next = await FileBlobStore.open(root);
    expect(await next.documentsSinceUncleanStop()).toEqual(['3.1']);
    await next.close();
  });

  it('waits for a submission of the same uniqueId that is between commit and the registry answer', async () => {
    const store = await crashedStoreWith(['4.1']);
    const inFlight = new KeyedMutex();
    const release = await inFlight.acquire(['4.1']); // an ITI-41 re-submission holds it
    let asked = false;
    const running = reconcileAfterUncleanStop({
      store,
      registry: {
        registeredUniqueIds: async () => {
          asked = true;
          return new Set(['4.1']);
        },
      },
      repositoryUniqueId: REPO_ID,
      inFlight,
      logger,
      graceMs: 0,
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(asked).toBe(false);
    release();
    expect(await running).toEqual({ checked: 1, kept: 1, removed: [] });
    await store.close();
  });
});
