/** Test helper: a BlobStore that forwards the required methods to another store (and nothing optional). */
import type { BlobStore } from '../store/BlobStore';

/**
 * The required BlobStore methods of `inner`, with `overrides` on top. Optional methods (openSource, the unclean-stop
 * check) are left out, so a test sees how the caller copes with a store that lacks them.
 */
export function requiredMethodsOf(inner: BlobStore, overrides: Partial<BlobStore> = {}): BlobStore {
  return {
    stage: (o) => inner.stage(o),
    commit: (items) => inner.commit(items),
    discard: (s) => inner.discard(s),
    info: (u) => inner.info(u),
    open: (u) => inner.open(u),
    remove: (u) => inner.remove(u),
    close: () => inner.close(),
    ...overrides,
  };
}
