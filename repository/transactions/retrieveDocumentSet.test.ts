import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { contentIdFromHref } from '../../shared/mtom/contentType';
import type { ChunkSource } from '../../shared/mtom/writer';
import { requiredMethodsOf } from '../testSupport/blobStores';
import { FileBlobStore } from '../store/fs/FileBlobStore';
import { retrieveDocumentSet } from './retrieveDocumentSet';

const REPO_ID = '1.3.6.1.4.1.21367.2017.2.3.1';
let root: string;
let store: FileBlobStore;

async function put(uniqueId: string, content: string, mimeType: string): Promise<void> {
  const { sink, staged } = await store.stage();
  sink.end(content);
  await staged.done;
  await store.commit([{ staged, uniqueId, mimeType }]);
}

async function text(r: Readable | ChunkSource): Promise<string> {
  if ('size' in r && typeof r.read === 'function' && !('pipe' in r)) {
    const source = r as ChunkSource;
    const buffer = Buffer.alloc(source.size);
    const n = await source.read(buffer, source.size, 0);
    await source.close();
    return buffer.subarray(0, n).toString();
  }
  const chunks: Buffer[] = [];
  for await (const c of r as Readable) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

beforeEach(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'ret-'));
  store = await FileBlobStore.open(path.join(root, 'repository'));
  await put('1.1', 'first', 'text/plain');
  await put('1.2', 'second', 'text/goofy');
});
afterEach(async () => {
  await store.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const deps = () => ({ store, repositoryUniqueId: REPO_ID });

describe('ITI-43 retrieveDocumentSet', () => {
  test('every document found: Success, mimeType as stored, one XOP part per DocumentResponse streaming the bytes', async () => {
    const { response, parts } = await retrieveDocumentSet(
      { documentRequests: [{ repositoryUniqueId: REPO_ID, documentUniqueId: '1.1' }, { repositoryUniqueId: REPO_ID, documentUniqueId: '1.2' }] },
      deps(),
    );
    expect(response.registryResponse).toEqual({ status: 'Success', errors: [] });
    expect(response.documentResponses.map((d) => [d.documentUniqueId, d.mimeType, d.repositoryUniqueId])).toEqual([
      ['1.1', 'text/plain', REPO_ID],
      ['1.2', 'text/goofy', REPO_ID],
    ]);
    expect(parts).toHaveLength(2);
    for (let i = 0; i < 2; i++) {
      const content = response.documentResponses[i].content;
      expect(content.kind).toBe('xop');
      expect(content.kind === 'xop' && contentIdFromHref(content.href)).toBe(parts[i].contentId);
      expect(parts[i].contentType).toBe(response.documentResponses[i].mimeType);
    }
    expect(await text(await parts[0].open())).toBe('first');
    expect(await text(await parts[1].open())).toBe('second');
  });

  test('a store that only offers streams (no openSource) is read through open()', async () => {
    const streamsOnly = requiredMethodsOf(store);
    const { parts } = await retrieveDocumentSet({ documentRequests: [{ repositoryUniqueId: REPO_ID, documentUniqueId: '1.2' }] }, { store: streamsOnly, repositoryUniqueId: REPO_ID });
    const opened = await parts[0].open();
    expect('pipe' in opened).toBe(true);
    expect(await text(opened)).toBe('second');
  });

  test('HomeCommunityId is echoed when given', async () => {
    const { response } = await retrieveDocumentSet(
      { documentRequests: [{ homeCommunityId: 'urn:oid:1.2.3', repositoryUniqueId: REPO_ID, documentUniqueId: '1.1' }] },
      deps(),
    );
    expect(response.documentResponses[0].homeCommunityId).toBe('urn:oid:1.2.3');
  });

  test('some found: PartialSuccess with XDSDocumentUniqueIdError and XDSUnknownRepositoryId naming the ids', async () => {
    const { response, parts } = await retrieveDocumentSet(
      {
        documentRequests: [
          { repositoryUniqueId: REPO_ID, documentUniqueId: '1.1' },
          { repositoryUniqueId: REPO_ID, documentUniqueId: '9.9.9' },
          { repositoryUniqueId: '1.2.840.99', documentUniqueId: '1.2' },
        ],
      },
      deps(),
    );
    expect(response.registryResponse.status).toBe('PartialSuccess');
    expect(response.registryResponse.errors.map((e) => e.errorCode)).toEqual(['XDSDocumentUniqueIdError', 'XDSUnknownRepositoryId']);
    expect(response.registryResponse.errors[0].codeContext).toContain('9.9.9');
    expect(response.registryResponse.errors[1].codeContext).toContain('1.2.840.99');
    expect(response.documentResponses.map((d) => d.documentUniqueId)).toEqual(['1.1']);
    expect(parts).toHaveLength(1);
  });

  test('none found: Failure with no DocumentResponse', async () => {
    const { response, parts } = await retrieveDocumentSet({ documentRequests: [{ repositoryUniqueId: REPO_ID, documentUniqueId: '7.7' }] }, deps());
    expect(response.registryResponse.status).toBe('Failure');
    expect(response.registryResponse.errors.map((e) => e.errorCode)).toEqual(['XDSDocumentUniqueIdError']);
    expect(response.documentResponses).toEqual([]);
    expect(parts).toEqual([]);
  });
});
