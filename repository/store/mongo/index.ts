/** The GridFS document store (docs/MONGODB.md). */
export {
  openGridFsBlobStore,
  GridFsBlobStore,
  DEFAULT_CHUNK_SIZE_BYTES,
  DEFAULT_SWEEP_STAGED_OLDER_THAN_MS,
  type GridFsBlobStoreOptions,
  type OpenGridFsBlobStoreOptions,
} from './GridFsBlobStore';
