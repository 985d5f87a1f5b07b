/** The MongoDB registry store (docs/MONGODB.md). */
export { openMongoRegistryStore, ensureRegistryCollections, MongoRegistryStore, type MongoRegistryStoreOptions } from './MongoRegistryStore';
export {
  connectMongo,
  redactMongoUrl,
  databaseNameOf,
  DEFAULT_SERVER_SELECTION_TIMEOUT_MS,
  type MongoConnection,
  type MongoConnectionOptions,
} from '../../../shared/mongo/connection';
export { registryIndexes, SHARD_KEYS, type IndexSpec, type RegistryTopology } from './indexes';
