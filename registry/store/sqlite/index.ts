/** The embedded (SQLite) registry store. */
export { openSqliteRegistryStore, type SqliteRegistryStoreOptions, type SqliteSynchronous } from './SqliteRegistryStore';
