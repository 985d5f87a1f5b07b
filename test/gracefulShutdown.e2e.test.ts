/** SIGTERM semantics: close() lets an ITI-41 already streaming in finish (and answer Success) before stopping. */
import { PassThrough } from 'node:stream';
import { loadConfig } from '../shared/config';
import { createLogger } from '../shared/logger';
import { startRegistry } from '../registry/main';
import { startRepository } from '../repository/main';
import { ACTION } from '../shared/xds/constants';
import { newPatientId, newUid } from './helpers/metadata';
import { tempDataDir } from './helpers/services';
import { pnrXml, sha1Hex } from '../repository/testSupport/pnr';
import { postSoap, statusOf } from '../repository/testSupport/soapHttp';

it('finishes an in-flight ITI-41 before shutting down, and refuses new connections afterwards', async () => {
  const env = { DATA_DIR: tempDataDir(), REGISTRY_HOST: '127.0.0.1', REPOSITORY_HOST: '127.0.0.1', REGISTRY_PORT: '0', REPOSITORY_PORT: '0' };
  const registry = await startRegistry(loadConfig(env), createLogger('registry', 'error'));
  const repository = await startRepository(loadConfig({ ...env, REGISTRY_URL: registry.url }), createLogger('repository', 'error'));
  const content = Buffer.alloc(3 * 1024 * 1024, 7);
  const stream = new PassThrough();
  const spec = { patientId: newPatientId(), ssUniqueId: newUid(), documents: [{ id: 'Document01', uniqueId: newUid(), hash: sha1Hex(content), size: String(content.length) }] };
  const reply = postSoap(repository.url, { action: ACTION.iti41, body: pnrXml(spec, [{ id: 'Document01', contentId: 'doc@x' }]), attachments: [{ contentId: 'doc@x', contentType: 'application/octet-stream', open: () => stream }] });
  stream.write(content.subarray(0, 1024 * 1024));
  await new Promise((r) => setTimeout(r, 200));
  let closed = false;
  const closing = repository.close().then(() => (closed = true));
  await new Promise((r) => setTimeout(r, 200));
  expect(closed).toBe(false);
  stream.end(content.subarray(1024 * 1024));
  expect(statusOf((await reply).body)).toEqual({ status: 'Success', errors: [] });
  await closing;
  expect(closed).toBe(true);
  await expect(fetch(repository.server.url('/health'))).rejects.toThrow();
  await registry.close();
});
