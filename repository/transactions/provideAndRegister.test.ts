import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LimitError, registryError, XdsError, type RegistryError } from '../../shared/errors';
import type { ExtrinsicObject, RegistryObjectListItem, RegistryResponse } from '../../shared/ebxml/types';
import { parseXml } from '../../shared/xml/parse';
import { newPatientId, newUid, type DocSpec, type SubmissionSpec } from '../../test/helpers/metadata';
import { KeyedMutex } from '../keyedMutex';
import type { StagedDocument } from '../store/BlobStore';
import { FileBlobStore } from '../store/fs/FileBlobStore';
import { pnrXml, sha1Hex, type PnrDocument } from '../testSupport/pnr';
import { provideAndRegister, type ProvideAndRegisterDeps } from './provideAndRegister';

const REPO_ID = '1.3.6.1.4.1.21367.2017.2.3.1';

class FakeRegistry {
  calls: RegistryObjectListItem[][] = [];
  answer: RegistryResponse | Error = { status: 'Success', errors: [] };
  async register(objects: RegistryObjectListItem[]): Promise<RegistryResponse> {
    this.calls.push(objects);
    if (this.answer instanceof Error) throw this.answer;
    return this.answer;
  }
}

let root: string;
let store: FileBlobStore;
let registry: FakeRegistry;
let deps: ProvideAndRegisterDeps;

beforeEach(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'pnr-'));
  store = await FileBlobStore.open(path.join(root, 'repository'));
  registry = new FakeRegistry();
  deps = { store, registry, repositoryUniqueId: REPO_ID, inFlight: new KeyedMutex(), maxDocumentBytes: 1024 * 1024 };
});

afterEach(async () => {
  await store.close();
  fs.rmSync(root, { recursive: true, force: true });
});

function spec(docs: DocSpec[]): SubmissionSpec {
  return { patientId: newPatientId(), ssUniqueId: newUid(), documents: docs };
}

const doc = (id: string, extra: Partial<DocSpec> = {}): DocSpec => ({ id, uniqueId: newUid(), ...extra });

async function stageAttachment(content: Buffer | string): Promise<StagedDocument> {
  const { sink, staged } = await store.stage();
  sink.end(content);
  await staged.done;
  return staged;
}

async function run(s: SubmissionSpec, documents: PnrDocument[], attachments = new Map<string, StagedDocument>()): Promise<RegistryResponse> {
  try {
    return await provideAndRegister({ request: parseXml(pnrXml(s, documents)), attachments }, deps);
  } finally {
    for (const a of attachments.values()) await store.discard(a); // what the endpoint does after every request
  }
}

async function failure(p: Promise<unknown>): Promise<RegistryError[]> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof XdsError)) throw new Error(`expected an XdsError, got ${String(e)}`);
  return e.errors;
}

function slotValue(o: ExtrinsicObject, name: string): string[] | undefined {
  return o.slots.find((s) => s.name === name)?.values;
}

const forwardedEntries = (call: RegistryObjectListItem[]): ExtrinsicObject[] => call.filter((o): o is ExtrinsicObject => o.kind === 'ExtrinsicObject');

function documentFiles(): string[] {
  const dir = path.join(root, 'repository', 'documents');
  return fs.readdirSync(dir).flatMap((d) => fs.readdirSync(path.join(dir, d)));
}
const tmpFiles = (): string[] => fs.readdirSync(path.join(root, 'repository', 'tmp'));

async function readStored(uniqueId: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of await store.open(uniqueId)) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('ITI-41 provideAndRegister', () => {
  test('inline document: stored, and ITI-42 carries computed hash, size and our repositoryUniqueId', async () => {
    const d = doc('Document01', { mimeType: 'text/x-goofy' });
    const content = 'This is my document.\nIt is great!\n';
    const answer = await run(spec([d]), [{ id: 'Document01', inline: content }]);
    expect(answer).toEqual({ status: 'Success', errors: [] });

    expect(registry.calls).toHaveLength(1);
    const [entry] = forwardedEntries(registry.calls[0]);
    expect(slotValue(entry, 'hash')).toEqual([sha1Hex(content)]);
    expect(slotValue(entry, 'size')).toEqual([String(Buffer.byteLength(content))]);
    expect(slotValue(entry, 'repositoryUniqueId')).toEqual([REPO_ID]);
    expect(registry.calls[0].length).toBeGreaterThan(3); // SS, marker, association, ... all forwarded

    expect(await readStored(d.uniqueId)).toBe(content);
    expect(await store.info(d.uniqueId)).toMatchObject({ mimeType: 'text/x-goofy', hash: sha1Hex(content) });
    expect(tmpFiles()).toEqual([]);
  });

  test('XOP documents come from the staged MIME parts, matched by the decoded cid: href', async () => {
    const a = doc('urn:uuid:0f6f2ea8-5b6b-4c1c-9c0e-1b1d6a5c0001');
    const b = doc('Document02', { mimeType: 'application/pdf' });
    const attachments = new Map([
      ['1.urn:uuid:3D4B@apache.org', await stageAttachment('first document')],
      ['doc two@example', await stageAttachment(Buffer.from([0, 1, 2, 255]))],
    ]);
    const answer = await run(
      spec([a, b]),
      [
        { id: a.id, contentId: '1.urn:uuid:3D4B@apache.org' },
        { id: b.id, contentId: 'doc two@example' },
      ],
      attachments,
    );
    expect(answer.status).toBe('Success');
    expect(await readStored(a.uniqueId)).toBe('first document');
    expect(await store.info(b.uniqueId)).toMatchObject({ size: 4, mimeType: 'application/pdf', hash: sha1Hex(Buffer.from([0, 1, 2, 255])) });
    expect(tmpFiles()).toEqual([]);
  });

  test('hash and size already in the metadata are accepted when right, hash in upper case too', async () => {
    const content = 'right metadata';
    const d = doc('Document01', { hash: sha1Hex(content).toUpperCase(), size: String(content.length), repositoryUniqueId: REPO_ID });
    const answer = await run(spec([d]), [{ id: 'Document01', inline: content }]);
    expect(answer.status).toBe('Success');
    expect(slotValue(forwardedEntries(registry.calls[0])[0], 'hash')).toEqual([sha1Hex(content)]);
  });

  test('a wrong hash is XDSRepositoryMetadataError naming uniqueId, attribute, sent and computed values', async () => {
    const content = 'This is my document.\nIt is great!\n';
    const sent = 'e543712c0e10501972de13a5bfcbe826c49feb69';
    const d = doc('Document01', { hash: sent });
    const errors = await failure(run(spec([d]), [{ id: 'Document01', inline: content }]));
    expect(errors).toHaveLength(1);
    expect(errors[0].errorCode).toBe('XDSRepositoryMetadataError');
    for (const part of [d.uniqueId, 'hash', sent, sha1Hex(content)]) expect(errors[0].codeContext).toContain(part);
    expect(registry.calls).toHaveLength(0);
    expect(documentFiles()).toEqual([]);
    expect(tmpFiles()).toEqual([]);
  });

  test('a wrong size is XDSRepositoryMetadataError naming uniqueId, attribute, sent and computed values', async () => {
    const content = 'This is my document.\nIt is great!\n';
    const d = doc('Document01', { size: '37' });
    const errors = await failure(run(spec([d]), [{ id: 'Document01', inline: content }]));
    expect(errors.map((e) => e.errorCode)).toEqual(['XDSRepositoryMetadataError']);
    for (const part of [d.uniqueId, 'size', '37', String(content.length)]) expect(errors[0].codeContext).toContain(part);
    expect(documentFiles()).toEqual([]);
  });

  test('a DocumentEntry without xds:Document is XDSMissingDocument', async () => {
    const errors = await failure(run(spec([doc('Document01'), doc('Document02')]), [{ id: 'Document01', inline: 'x' }]));
    expect(errors.map((e) => e.errorCode)).toEqual(['XDSMissingDocument']);
    expect(errors[0].codeContext).toContain('Document02');
    expect(registry.calls).toHaveLength(0);
  });

  test('an xds:Document without DocumentEntry is XDSMissingDocumentMetadata', async () => {
    const errors = await failure(run(spec([doc('Document01')]), [{ id: 'Document01', inline: 'x' }, { id: 'Document99', inline: 'y' }]));
    expect(errors.map((e) => e.errorCode)).toEqual(['XDSMissingDocumentMetadata']);
    expect(errors[0].codeContext).toContain('Document99');
    expect(tmpFiles()).toEqual([]);
  });

  test('a MIME part that no xds:Document references is XDSMissingDocumentMetadata', async () => {
    const attachments = new Map([
      ['used@x', await stageAttachment('used')],
      ['orphan@x', await stageAttachment('orphan')],
    ]);
    const errors = await failure(run(spec([doc('Document01')]), [{ id: 'Document01', contentId: 'used@x' }], attachments));
    expect(errors.map((e) => e.errorCode)).toEqual(['XDSMissingDocumentMetadata']);
    expect(errors[0].codeContext).toContain('orphan@x');
    expect(tmpFiles()).toEqual([]);
    expect(documentFiles()).toEqual([]);
  });

  test('an xop:Include naming a part that is not in the message is XDSMissingDocument', async () => {
    const errors = await failure(run(spec([doc('Document01')]), [{ id: 'Document01', contentId: 'absent@x' }]));
    expect(errors.map((e) => e.errorCode)).toEqual(['XDSMissingDocument']);
    expect(errors[0].codeContext).toContain('absent@x');
  });

  test('the same uniqueId on two DocumentEntries is XDSRepositoryDuplicateUniqueIdInMessage', async () => {
    const uid = newUid();
    const errors = await failure(
      run(spec([doc('Document01', { uniqueId: uid }), doc('Document02', { uniqueId: uid })]), [
        { id: 'Document01', inline: 'a' },
        { id: 'Document02', inline: 'b' },
      ]),
    );
    expect(errors.map((e) => e.errorCode)).toContain('XDSRepositoryDuplicateUniqueIdInMessage');
    expect(errors.find((e) => e.errorCode === 'XDSRepositoryDuplicateUniqueIdInMessage')?.codeContext).toContain(uid);
    expect(documentFiles()).toEqual([]);
  });

  test('a repositoryUniqueId slot naming another repository is XDSRepositoryMetadataError', async () => {
    const errors = await failure(run(spec([doc('Document01', { repositoryUniqueId: '1.2.3.4.5.6' })]), [{ id: 'Document01', inline: 'a' }]));
    expect(errors.map((e) => e.errorCode)).toEqual(['XDSRepositoryMetadataError']);
    expect(errors[0].codeContext).toContain('1.2.3.4.5.6');
    expect(errors[0].codeContext).toContain(REPO_ID);
  });

  test('metadata validation errors carry XDSRepositoryMetadataError and nothing is stored', async () => {
    const errors = await failure(run(spec([doc('Document01', { creationTime: 'yesterday' })]), [{ id: 'Document01', inline: 'a' }]));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.errorCode === 'XDSRepositoryMetadataError')).toBe(true);
    expect(errors.map((e) => e.codeContext).join(' ')).toContain('yesterday');
    expect(registry.calls).toHaveLength(0);
    expect(documentFiles()).toEqual([]);
  });

  test('invalid inline base64 is XDSRepositoryMetadataError and leaves no staged file', async () => {
    const body = pnrXml(spec([doc('Document01')]), [{ id: 'Document01', inline: 'x' }]).replace(/(<xds:Document id="Document01">)[^<]*/, '$1not*base64!');
    const errors = await failure(provideAndRegister({ request: parseXml(body), attachments: new Map() }, deps));
    expect(errors.map((e) => e.errorCode)).toEqual(['XDSRepositoryMetadataError']);
    expect(errors[0].codeContext).toContain('Document01');
    expect(tmpFiles()).toEqual([]);
  });

  test('an inline document over maxDocumentBytes is refused with a LimitError and nothing is stored', async () => {
    deps.maxDocumentBytes = 10;
    await expect(run(spec([doc('Document01')]), [{ id: 'Document01', inline: 'more than ten bytes' }])).rejects.toBeInstanceOf(LimitError);
    expect(tmpFiles()).toEqual([]);
    expect(documentFiles()).toEqual([]);
    expect(registry.calls).toHaveLength(0);
  });

  test('a large inline document is decoded in slices with the right bytes', async () => {
    const big = Buffer.alloc(700 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 251;
    const d = doc('Document01');
    const answer = await run(spec([d]), [{ id: 'Document01', inline: big }]);
    expect(answer.status).toBe('Success');
    expect(await store.info(d.uniqueId)).toMatchObject({ size: big.length, hash: sha1Hex(big) });
  });

  test('a registry Failure is relayed unchanged and the documents this submission stored are removed', async () => {
    const relayed: RegistryResponse = {
      status: 'Failure',
      errors: [registryError('XDSPatientIdDoesNotMatch', 'patient id P^^^&1.2&ISO of DocumentEntry Document01 differs from the SubmissionSet', 'Document01')],
    };
    registry.answer = relayed;
    const answer = await run(spec([doc('Document01'), doc('Document02')]), [
      { id: 'Document01', inline: 'a' },
      { id: 'Document02', inline: 'b' },
    ]);
    expect(answer).toEqual(relayed);
    expect(documentFiles()).toEqual([]);
    expect(tmpFiles()).toEqual([]);
  });

  test('rollback keeps a document that was already stored with identical bytes before this submission', async () => {
    const kept = doc('Document01');
    await run(spec([kept]), [{ id: 'Document01', inline: 'kept bytes' }]);
    registry.answer = { status: 'Failure', errors: [registryError('XDSRegistryMetadataError', 'refused')] };
    const fresh = doc('Document02');
    await run(spec([{ ...kept }, fresh]), [
      { id: 'Document01', inline: 'kept bytes' },
      { id: 'Document02', inline: 'new bytes' },
    ]);
    expect(await readStored(kept.uniqueId)).toBe('kept bytes');
    expect(await store.info(fresh.uniqueId)).toBeUndefined();
  });

  test('an unreachable registry fails with its XDSRegistryNotAvailable and no document is left', async () => {
    registry.answer = new XdsError(registryError('XDSRegistryNotAvailable', 'the registry at http://127.0.0.1:1/registry is not available'));
    const errors = await failure(run(spec([doc('Document01')]), [{ id: 'Document01', inline: 'a' }]));
    expect(errors.map((e) => e.errorCode)).toEqual(['XDSRegistryNotAvailable']);
    expect(documentFiles()).toEqual([]);
    expect(tmpFiles()).toEqual([]);
  });

  test('registry warnings are relayed with Success', async () => {
    registry.answer = { status: 'Success', errors: [registryError('XDSExtraMetadataNotSaved', 'urn:x:extra was not saved', undefined, 'Warning')] };
    const answer = await run(spec([doc('Document01')]), [{ id: 'Document01', inline: 'a' }]);
    expect(answer.status).toBe('Success');
    expect(answer.errors.map((e) => [e.errorCode, e.severity])).toEqual([['XDSExtraMetadataNotSaved', 'Warning']]);
  });

  test('different bytes under a stored uniqueId fail with XDSNonIdenticalHash before the registry is asked', async () => {
    const d = doc('Document01');
    await run(spec([d]), [{ id: 'Document01', inline: 'version one' }]);
    registry.calls = [];
    const errors = await failure(run(spec([{ ...d }]), [{ id: 'Document01', inline: 'version two' }]));
    expect(errors.map((e) => e.errorCode)).toEqual(['XDSNonIdenticalHash']);
    expect(registry.calls).toHaveLength(0);
    expect(await readStored(d.uniqueId)).toBe('version one');
  });

  test('a concurrent submission of the same uniqueId waits until the first one is settled', async () => {
    const d = doc('Document01');
    let releaseFirst!: () => void;
    const order: string[] = [];
    registry.register = async (objects) => {
      registry.calls.push(objects);
      if (registry.calls.length === 1) {
        await new Promise<void>((r) => (releaseFirst = r));
        order.push('first answered');
        return { status: 'Failure', errors: [registryError('XDSRegistryError', 'first refused')] };
      }
      order.push('second asked');
      return { status: 'Success', errors: [] };
    };
    const first = run(spec([d]), [{ id: 'Document01', inline: 'same' }]);
    await new Promise((r) => setTimeout(r, 50));
    const second = run(spec([{ ...d }]), [{ id: 'Document01', inline: 'same' }]);
    await new Promise((r) => setTimeout(r, 50));
    releaseFirst();
    const [a, b] = await Promise.all([first, second]);
    expect([a.status, b.status]).toEqual(['Failure', 'Success']);
    expect(order).toEqual(['first answered', 'second asked']);
    // The first submission's rollback must not have removed the bytes the second one registered.
    expect(await readStored(d.uniqueId)).toBe('same');
  });
});
