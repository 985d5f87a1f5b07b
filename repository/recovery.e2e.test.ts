/**
 * Crash between commit and registration, end to end: a real registry, a repository whose process "dies" after
 * committing a document that never reached the registry, and the next start removing exactly that document.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../shared/config';
import { createLogger } from '../shared/logger';
import { ACTION } from '../shared/xds/constants';
import { newPatientId, newUid, type DocSpec } from '../test/helpers/metadata';
import { startTestRegistry, tempDataDir } from '../test/helpers/services';
import { startRepository } from './main';
import { createRegistryClient } from './registryClient';
import { requiredMethodsOf } from './testSupport/blobStores';
import { FileBlobStore } from './store/fs/FileBlobStore';
import { pnrXml } from './testSupport/pnr';
import { postSoap, statusOf } from './testSupport/soapHttp';

const REPO_ID = '1.3.6.1.4.1.21367.2017.2.3.1';
type Registry = Awaited<ReturnType<typeof startTestRegistry>>;
let registry: Registry;
let dataDir: string;

beforeAll(async () => {
  registry = await startTestRegistry();
  dataDir = tempDataDir('xds-recovery-');
});
afterAll(async () => {
  await registry.close();
  for (const dir of [dataDir, registry.config.dataDir]) fs.rmSync(dir, { recursive: true, force: true });
});

function config(): Config {
  // The grace period before asking the registry is the ITI-42 timeout.
  return loadConfig({ DATA_DIR: dataDir, REPOSITORY_PORT: '0', REPOSITORY_HOST: '127.0.0.1', REGISTRY_URL: registry.url, REPOSITORY_UNIQUE_ID: REPO_ID, REPOSITORY_REGISTRY_TIMEOUT_MS: '200' });
}

it('the registry client tells which uniqueIds the registry holds for this repository (ITI-18 GetDocuments)', async () => {
  const repository = await startRepository(config(), createLogger('repository', 'error'));
  try {
    const doc: DocSpec = { id: 'Document01', uniqueId: newUid() };
    const reply = await postSoap(repository.url, { action: ACTION.iti41, body: pnrXml({ patientId: newPatientId(), ssUniqueId: newUid(), documents: [doc] }, [{ id: doc.id, inline: 'registered' }]) });
    expect(statusOf(reply.body).status).toBe('Success');
    const client = createRegistryClient({ url: registry.url, timeoutMs: 5000 });
    try {
      const unknown = newUid();
      expect(await client.registeredUniqueIds([doc.uniqueId, unknown], REPO_ID)).toEqual(new Set([doc.uniqueId]));
      expect(await client.registeredUniqueIds([doc.uniqueId], '1.2.3.999')).toEqual(new Set()); // another repository's
      // Documents of two patients: this registry answers one patient per query, so the client asks one by one.
      const other: DocSpec = { id: 'Document01', uniqueId: newUid() };
      const second = await postSoap(repository.url, { action: ACTION.iti41, body: pnrXml({ patientId: newPatientId(), ssUniqueId: newUid(), documents: [other] }, [{ id: other.id, inline: 'other patient' }]) });
      expect(statusOf(second.body).status).toBe('Success');
      expect(await client.registeredUniqueIds([doc.uniqueId, other.uniqueId, unknown], REPO_ID)).toEqual(new Set([doc.uniqueId, other.uniqueId]));
    } finally {
      client.close();
    }
  } finally {
    await repository.close();
  }
});

it('after a crash between commit and registration, the next start removes the unregistered document and keeps the rest', async () => {
  // The first process: its store is never closed (close() is a no-op), which is what a crash leaves behind.
  const files = await FileBlobStore.open(path.join(dataDir, 'repository'));
  const crashing = requiredMethodsOf(files, { close: async () => undefined });
  const first = await startRepository(config(), createLogger('repository', 'error'), { store: crashing });
  const registered: DocSpec = { id: 'Document01', uniqueId: newUid() };
  const reply = await postSoap(first.url, { action: ACTION.iti41, body: pnrXml({ patientId: newPatientId(), ssUniqueId: newUid(), documents: [registered] }, [{ id: registered.id, inline: 'kept' }]) });
  expect(statusOf(reply.body).status).toBe('Success');
  // What a crash right after commit leaves: the bytes are stored, the registry never heard of them.
  const orphan = newUid();
  const { sink, staged } = await first.store.stage();
  sink.end('never registered');
  await staged.done;
  await first.store.commit([{ staged, uniqueId: orphan, mimeType: 'text/plain' }]);
  await first.close(); // the process dies: the store's clean stop is never recorded

  const second = await startRepository(config(), createLogger('repository', 'error'));
  try {
    const result = await second.recovery;
    expect(result?.removed).toEqual([orphan]);
    expect(result?.kept).toBeGreaterThanOrEqual(1);
    expect(await second.store.info(orphan)).toBeUndefined();
    expect(await second.store.info(registered.uniqueId)).toMatchObject({ size: 4 });
  } finally {
    await second.close();
  }
  const reopened = await FileBlobStore.open(path.join(dataDir, 'repository'));
  expect(await reopened.documentsSinceUncleanStop()).toEqual([]);
  await reopened.close();
  await files.close(); // the "crashed" process's folder handles, so they are not left to the garbage collector
});
