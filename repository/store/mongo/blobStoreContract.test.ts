/**
 * The BlobStore contract that the GridFS store must pass (testing/blobStoreContract.ts), run here on the file
 * store: proof that the contract's expectations are the repository's established behaviour and that it can run
 * (and fail) without a MongoDB server. GridFsBlobStore.live.test.ts runs it on GridFS.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileBlobStore } from '../fs/FileBlobStore';
import { runBlobStoreContract } from './testing/blobStoreContract';

runBlobStoreContract('FileBlobStore', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'blobcontract-'));
  const store = await FileBlobStore.open(path.join(root, 'repository'));
  return {
    store,
    leftovers: async () => fs.readdirSync(path.join(root, 'repository', 'tmp')).length,
    dispose: async () => fs.rmSync(root, { recursive: true, force: true }),
  };
});
