import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { loadConfig } from '../shared/config';
import { createLogger } from '../shared/logger';
import { selectProfile } from '../shared/validation/profiles';
import { createRegistryApp } from './app';
import { MemoryRegistryStore } from './storedQueries/testing/memoryStore';
import type { RegistryStore } from './store/RegistryStore';

async function getHealth(store: RegistryStore): Promise<{ status: number; body: unknown }> {
  const config = loadConfig({});
  const app = createRegistryApp({
    ctx: { store, register: { patients: { knownPatientsOnly: false, acceptedAssigningAuthorities: [] }, profile: selectProfile('default') }, query: { maxResults: 10, checkSinglePatient: true } },
    config,
    logger: createLogger('registry', 'error'),
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/health`);
    return { status: res.status, body: await res.json() };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('registry GET /health', () => {
  it('answers 200 from a ping, without counting the store', async () => {
    const store = new MemoryRegistryStore();
    const stats = jest.spyOn(store, 'stats');
    const ping = jest.spyOn(store, 'ping');
    expect(await getHealth(store)).toEqual({ status: 200, body: { status: 'ok', service: 'registry' } });
    expect(ping).toHaveBeenCalledTimes(1);
    expect(stats).not.toHaveBeenCalled();
  });

  it('answers 503 when the store cannot answer', async () => {
    const store = new MemoryRegistryStore();
    await store.close();
    expect(await getHealth(store)).toEqual({ status: 503, body: { status: 'unavailable', service: 'registry' } });
  });
});
