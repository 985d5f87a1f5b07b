/**
 * The "MingoRegistryStore": the MongoDB backend's RegistryStore logic (CollectionRegistryStore) on the in-memory
 * mingo database. Every query and update document it evaluates is the one MongoRegistryStore sends to a server.
 */
import type { RegistryTopology } from '../indexes';
import { CollectionRegistryStore } from '../CollectionRegistryStore';
import { MemoryRegistryDatabase } from './memoryDatabase';

export interface MingoRegistryStore extends CollectionRegistryStore {
  readonly database: MemoryRegistryDatabase;
}

export function createMingoRegistryStore(topology: RegistryTopology = 'replicaSet'): MingoRegistryStore {
  const database = new MemoryRegistryDatabase(topology);
  return Object.assign(new CollectionRegistryStore(database), { database });
}
