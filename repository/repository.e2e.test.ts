/**
 * The repository end to end over HTTP against a real registry: ITI-41 (MTOM and inline), ITI-18 at the registry,
 * ITI-43 back; the corpus's raw captures and NIST negative tests; limits; an unreachable registry.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { loadConfig, type Config } from '../shared/config';
import { parseRetrieveDocumentSetResponse } from '../shared/ebxml/parse';
import { contentIdFromHref } from '../shared/mtom/contentType';
import { createLogger } from '../shared/logger';
import { ACTION, AVAILABILITY_STATUS } from '../shared/xds/constants';
import { NS } from '../shared/xml/namespaces';
import type { XmlElement } from '../shared/xml/tree';
import { newPatientId, newUid, submitObjectsRequestXml, type DocSpec } from '../test/helpers/metadata';
import { startTestRegistry, tempDataDir } from '../test/helpers/services';
import { startRepository, type RunningRepository } from './main';
import { convertEbrim21 } from './testSupport/ebrim21';
import { documentXml, pnrXml, retrieveXml, sha1Hex } from './testSupport/pnr';
import { postRaw, postSoap, statusOf, type OutgoingAttachment, type SoapHttpReply } from './testSupport/soapHttp';

const CORPUS = path.resolve(__dirname, '../../shared/conformance/corpus');
const REPO_ID = '1.3.6.1.4.1.21367.2017.2.3.1';
const FIND_DOCUMENTS = 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d';

type Registry = Awaited<ReturnType<typeof startTestRegistry>>;
let registry: Registry;
let repository: RunningRepository;
let repoConfig: Config;
const extraRepositories: RunningRepository[] = [];
const dataDirs: string[] = [];

function repositoryConfig(env: Record<string, string> = {}): Config {
  const dir = tempDataDir('xds-repo-');
  dataDirs.push(dir);
  return loadConfig({
    DATA_DIR: dir,
    REPOSITORY_PORT: '0',
    REPOSITORY_HOST: '127.0.0.1',
    REGISTRY_URL: registry.url,
    REPOSITORY_UNIQUE_ID: REPO_ID,
    ...env,
  });
}

async function extraRepository(env: Record<string, string>): Promise<{ repo: RunningRepository; config: Config }> {
  const config = repositoryConfig(env);
  const repo = await startRepository(config, createLogger('repository', 'error'));
  extraRepositories.push(repo);
  return { repo, config };
}

beforeAll(async () => {
  registry = await startTestRegistry();
  repoConfig = repositoryConfig();
  repository = await startRepository(repoConfig, createLogger('repository', 'error'));
});

afterAll(async () => {
  for (const r of extraRepositories) await r.close();
  await repository.close();
  await registry.close();
  for (const dir of [...dataDirs, registry.config.dataDir]) fs.rmSync(dir, { recursive: true, force: true });
});

function storedFiles(config: Config): { documents: string[]; tmp: string[] } {
  const root = path.join(config.dataDir, 'repository');
  const documents = fs.readdirSync(path.join(root, 'documents')).flatMap((d) => fs.readdirSync(path.join(root, 'documents', d)));
  return { documents, tmp: fs.readdirSync(path.join(root, 'tmp')) };
}

/**
 * The files once the request is settled: the endpoint discards staged attachments right after it has written
 * the answer, so the client may see the answer a moment before the staging files are gone.
 */
async function settledFiles(config: Config): Promise<{ documents: string[]; tmp: string[] }> {
  const deadline = Date.now() + 3000;
  let files = storedFiles(config);
  while (files.tmp.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    files = storedFiles(config);
  }
  return files;
}

const attachment = (contentId: string, data: Buffer | string, contentType = 'application/octet-stream'): OutgoingAttachment => ({
  contentId,
  contentType,
  open: () => Readable.from([typeof data === 'string' ? Buffer.from(data) : data]),
});

function pnrWithXop(submitXml: string, documents: { id: string; contentId: string }[]): string {
  return `<xds:ProvideAndRegisterDocumentSetRequest xmlns:xds="${NS.xds}">${submitXml}${documents.map(documentXml).join('')}</xds:ProvideAndRegisterDocumentSetRequest>`;
}

async function findDocuments(patientId: string): Promise<XmlElement[]> {
  const slot = (n: string, v: string): string => `<rim:Slot name="${n}"><rim:ValueList><rim:Value>${v.replace(/&/g, '&amp;')}</rim:Value></rim:ValueList></rim:Slot>`;
  const body =
    `<query:AdhocQueryRequest xmlns:query="${NS.query}" xmlns:rim="${NS.rim}"><query:ResponseOption returnType="LeafClass" returnComposedObjects="true"/>` +
    `<rim:AdhocQuery id="${FIND_DOCUMENTS}">${slot('$XDSDocumentEntryPatientId', `'${patientId}'`)}${slot('$XDSDocumentEntryStatus', `('${AVAILABILITY_STATUS.Approved}')`)}</rim:AdhocQuery></query:AdhocQueryRequest>`;
  const reply = await postSoap(registry.url, { action: ACTION.iti18, body });
  expect(statusOf(reply.body).status).toBe('Success');
  const list = reply.body.children.find((c) => c.local === 'RegistryObjectList');
  return (list?.children ?? []).filter((c) => c.local === 'ExtrinsicObject');
}

const slotOf = (eo: XmlElement, name: string): string | undefined =>
  eo.children.find((c) => c.local === 'Slot' && c.attrs.name === name)?.children[0]?.children[0]?.text;

const uniqueIdOf = (eo: XmlElement): string | undefined =>
  eo.children.find((c) => c.local === 'ExternalIdentifier' && c.attrs.identificationScheme === 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab')?.attrs.value;

async function retrieve(url: string, requests: { repositoryUniqueId?: string; documentUniqueId: string; homeCommunityId?: string }[]) {
  const reply = await postSoap(url, {
    action: ACTION.iti43,
    body: retrieveXml(requests.map((r) => ({ repositoryUniqueId: r.repositoryUniqueId ?? REPO_ID, ...r }))),
    mtom: true,
  });
  const parsed = parseRetrieveDocumentSetResponse(reply.body);
  const documents = parsed.documentResponses.map((d) => {
    if (d.content.kind !== 'xop') throw new Error('expected an XOP document in the ITI-43 answer');
    const part = reply.parts.get(contentIdFromHref(d.content.href));
    if (!part) throw new Error(`no MIME part for ${d.content.href}`);
    return { ...d, bytes: part.data, partContentType: part.contentType };
  });
  return { reply, status: parsed.registryResponse.status, errors: parsed.registryResponse.errors, documents };
}

function expectFailure(reply: SoapHttpReply, code: string): void {
  const { status, errors } = statusOf(reply.body);
  expect(reply.httpStatus).toBe(200);
  expect(status).toBe('Failure');
  expect(errors.map((e) => e.errorCode)).toContain(code);
}

describe('ITI-41 → ITI-18 → ITI-43 over HTTP', () => {
  test('two documents as MTOM: registered with hash/size/repositoryUniqueId, found, retrieved byte-identical', async () => {
    const patientId = newPatientId();
    const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) % 256));
    const docs: (DocSpec & { content: Buffer })[] = [
      { id: 'Document01', uniqueId: newUid(), mimeType: 'text/plain', content: Buffer.from('first document\r\n--not a boundary\r\n') },
      { id: 'Document02', uniqueId: newUid(), mimeType: 'application/x-goofy', content: binary },
    ];
    const reply = await postSoap(repository.url, {
      action: ACTION.iti41,
      body: pnrWithXop(submitObjectsRequestXml({ patientId, ssUniqueId: newUid(), documents: docs }), docs.map((d) => ({ id: d.id, contentId: `${d.id}@client` }))),
      attachments: docs.map((d) => attachment(`${d.id}@client`, d.content, d.mimeType)),
    });
    expect(statusOf(reply.body)).toEqual({ status: 'Success', errors: [] });
    expect(reply.envelope.children.find((c) => c.local === 'Header')?.children.find((c) => c.local === 'Action')?.text).toBe(`${ACTION.iti41}Response`);

    const found = await findDocuments(patientId);
    expect(found).toHaveLength(2);
    for (const d of docs) {
      const eo = found.find((e) => uniqueIdOf(e) === d.uniqueId) as XmlElement;
      expect(slotOf(eo, 'hash')).toBe(sha1Hex(d.content));
      expect(slotOf(eo, 'size')).toBe(String(d.content.length));
      expect(slotOf(eo, 'repositoryUniqueId')).toBe(REPO_ID);
    }

    const back = await retrieve(repository.url, docs.map((d) => ({ documentUniqueId: d.uniqueId })));
    expect(back.reply.contentType).toMatch(/^multipart\/related/);
    expect(back.status).toBe('Success');
    expect(back.documents.map((d) => [d.documentUniqueId, d.mimeType, d.partContentType])).toEqual(docs.map((d) => [d.uniqueId, d.mimeType, d.mimeType]));
    for (let i = 0; i < docs.length; i++) expect(back.documents[i].bytes.equals(docs[i].content)).toBe(true);
  });

  test('inline base64 in a plain SOAP 1.2 message (no MTOM) is accepted and retrievable', async () => {
    const patientId = newPatientId();
    const d: DocSpec = { id: 'Document01', uniqueId: newUid(), mimeType: 'text/xml' };
    const content = '<ClinicalDocument>inline</ClinicalDocument>';
    const reply = await postSoap(repository.url, { action: ACTION.iti41, body: pnrXml({ patientId, ssUniqueId: newUid(), documents: [d] }, [{ id: d.id, inline: content }]) });
    expect(reply.contentType).toMatch(/^application\/soap\+xml/);
    expect(statusOf(reply.body).status).toBe('Success');
    const back = await retrieve(repository.url, [{ documentUniqueId: d.uniqueId, homeCommunityId: 'urn:oid:1.2.3.4' }]);
    expect(back.documents[0].bytes.toString()).toBe(content);
    expect(back.documents[0].mimeType).toBe('text/xml');
    expect(back.documents[0].homeCommunityId).toBe('urn:oid:1.2.3.4');
  });

  test('ITI-43: unknown document → Failure XDSDocumentUniqueIdError (still MTOM); mixed → PartialSuccess', async () => {
    const none = await retrieve(repository.url, [{ documentUniqueId: '1.2.3.4.5.404' }]);
    expect(none.reply.contentType).toMatch(/^multipart\/related/);
    expect(none.status).toBe('Failure');
    expect(none.errors.map((e) => e.errorCode)).toEqual(['XDSDocumentUniqueIdError']);
    expect(none.errors[0].codeContext).toContain('1.2.3.4.5.404');

    const d: DocSpec = { id: 'Document01', uniqueId: newUid() };
    await postSoap(repository.url, { action: ACTION.iti41, body: pnrXml({ patientId: newPatientId(), ssUniqueId: newUid(), documents: [d] }, [{ id: d.id, inline: 'x' }]) });
    const mixed = await retrieve(repository.url, [{ documentUniqueId: d.uniqueId }, { documentUniqueId: '1.2.3.4.5.404' }, { repositoryUniqueId: '1.9.9.9', documentUniqueId: d.uniqueId }]);
    expect(mixed.status).toBe('PartialSuccess');
    expect(mixed.errors.map((e) => e.errorCode)).toEqual(['XDSDocumentUniqueIdError', 'XDSUnknownRepositoryId']);
    expect(mixed.errors[1].codeContext).toContain('1.9.9.9');
    expect(mixed.documents).toHaveLength(1);
  });

  test('GET /health answers 200', async () => {
    const res = await fetch(repository.url.replace('/repository', '/health'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', service: 'repository' });
  });
});

/** Replace every DocumentEntry/SubmissionSet uniqueId in a captured message by a fresh one (the registry is shared). */
function freshUniqueIds(raw: string): { text: string; documentUniqueIds: string[] } {
  const documentUniqueIds: string[] = [];
  let text = raw;
  const tags = raw.match(/<(?:\w+:)?ExternalIdentifier\b[^>]*>/g) ?? [];
  for (const tag of tags) {
    const scheme = /identificationScheme="([^"]+)"/.exec(tag)?.[1];
    const value = /value="([^"]+)"/.exec(tag)?.[1];
    if (!value || (scheme !== 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab' && scheme !== 'urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8')) continue;
    const fresh = newUid();
    text = text.split(`value="${value}"`).join(`value="${fresh}"`);
    if (scheme === 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab') documentUniqueIds.push(fresh);
  }
  return { text, documentUniqueIds };
}

function testplanContentType(file: string): string {
  const plan = fs.readFileSync(file, 'utf8');
  const m = /Content-Type:\s*([^\n]+)/.exec(plan);
  if (!m) throw new Error(`no Content-Type in ${file}`);
  return m[1].trim();
}

describe('corpus raw captures (replayed byte for byte, uniqueIds refreshed)', () => {
  async function replay(contentType: string, body: string): Promise<void> {
    const { text, documentUniqueIds } = freshUniqueIds(body);
    const reply = await postRaw(repository.url, contentType, Buffer.from(text, 'latin1'));
    expect(statusOf(reply.body)).toEqual({ status: 'Success', errors: [] });
    expect(documentUniqueIds.length).toBeGreaterThan(0);
    const back = await retrieve(repository.url, documentUniqueIds.map((u) => ({ documentUniqueId: u })));
    expect(back.status).toBe('Success');
    for (const d of back.documents) expect(d.bytes.length).toBeGreaterThan(0);
  }

  test('nist-wire http-mtom-pnr.txt (Axis2 capture with HTTP headers)', async () => {
    const raw = fs.readFileSync(path.join(CORPUS, 'iti41/nist-wire/messagevalidator/http-mtom-pnr.txt'), 'latin1');
    const split = /\r?\n[ \t]*\r?\n/.exec(raw) as RegExpExecArray;
    const headers = raw.slice(0, split.index);
    const contentType = (/^Content-Type:\s*(.+)$/im.exec(headers) as RegExpExecArray)[1].trim();
    await replay(contentType, raw.slice(split.index + split[0].length));
  });

  test.each(['PnrXop/Xop', 'PnrXop/NoXop', 'PnrXop/encodedURL', 'PnrXop/dicom', 'PnrNoXop/submit'])('NIST %s body.txt with its testplan Content-Type', async (dir) => {
    const base = path.join(CORPUS, 'iti41/nist-testkit', dir);
    await replay(testplanContentType(path.join(base, 'testplan.xml')), fs.readFileSync(path.join(base, 'body.txt'), 'latin1'));
  });
});

describe('NIST testkit PnR tests (ebRIM 2.1 metadata converted as the toolkit does)', () => {
  const testkit = (...p: string[]): string => path.join(CORPUS, ...p);

  async function submit(metadataFile: string, document: string | undefined, opts: { keepPatientIds?: boolean; url?: string } = {}) {
    const converted = convertEbrim21(fs.readFileSync(metadataFile, 'utf8'), {
      ...(opts.keepPatientIds ? {} : { patientId: newPatientId() }),
      newUniqueId: () => newUid(),
    });
    const docs = document === undefined ? [] : [{ id: 'Document01', contentId: 'Document01@toolkit' }];
    return postSoap(opts.url ?? repository.url, {
      action: ACTION.iti41,
      body: pnrWithXop(converted.xml, docs),
      attachments: document === undefined ? [] : [attachment('Document01@toolkit', fs.readFileSync(document), 'text/plain')],
      mtom: true,
    });
  }

  test.each(['submit', 'submit_uppercase_hash'])('11981 %s: right size/hash in the metadata → Success', async (section) => {
    const dir = testkit('iti41/nist-testkit/11981', section);
    const reply = await submit(path.join(dir, 'single_doc.xml'), path.join(dir, 'my_document.txt'));
    expect(statusOf(reply.body)).toEqual({ status: 'Success', errors: [] });
  });

  test.each([
    ['iti41/nist-testkit/11981/submit_bad_hash', 'hash'],
    ['iti41/nist-testkit/11981/submit_bad_size', 'size'],
    ['negative/nist-testkit/12369/hash', 'hash'],
    ['negative/nist-testkit/12369/size', 'size'],
  ])('%s: wrong %s → XDSRepositoryMetadataError, nothing stored', async (dir, attribute) => {
    const config = repositoryConfig();
    const { repo } = await extraRepository({ DATA_DIR: config.dataDir });
    const reply = await submit(testkit(dir, 'single_doc.xml'), testkit(dir, 'my_document.txt'), { url: repo.url });
    expectFailure(reply, 'XDSRepositoryMetadataError');
    expect(statusOf(reply.body).errors.map((e) => e.codeContext).join(' ')).toContain(attribute);
    expect(await settledFiles(config)).toEqual({ documents: [], tmp: [] });
  });

  test('11983 submit_no_doc: metadata without its document → XDSMissingDocument', async () => {
    const reply = await submit(testkit('negative/nist-testkit/11983/submit_no_doc/single_doc.xml'), undefined);
    expectFailure(reply, 'XDSMissingDocument');
  });

  test('11983 submit_no_metadata: a document without metadata → XDSMissingDocumentMetadata', async () => {
    const dir = testkit('negative/nist-testkit/11983/submit_no_metadata');
    const reply = await submit(path.join(dir, 'no_doc.xml'), path.join(dir, 'my_document.txt'));
    expectFailure(reply, 'XDSMissingDocumentMetadata');
  });

  test('11986: the registry\'s XDSPatientIdDoesNotMatch is relayed unchanged and no document is left', async () => {
    const config = repositoryConfig();
    const { repo } = await extraRepository({ DATA_DIR: config.dataDir });
    const dir = testkit('negative/nist-testkit/11986/submit');
    const reply = await submit(path.join(dir, 'single_doc.xml'), path.join(dir, 'my_document.txt'), { keepPatientIds: true, url: repo.url });
    expectFailure(reply, 'XDSPatientIdDoesNotMatch');
    expect(await settledFiles(config)).toEqual({ documents: [], tmp: [] });
  });
});

describe('failure paths over HTTP', () => {
  test('registry stopped: XDSRegistryNotAvailable naming the registry URL, and no document left in the data dir', async () => {
    const own = await startTestRegistry();
    const { repo, config } = await extraRepository({ REGISTRY_URL: own.url });
    await own.close();
    const d: DocSpec = { id: 'Document01', uniqueId: newUid() };
    const reply = await postSoap(repo.url, {
      action: ACTION.iti41,
      body: pnrWithXop(submitObjectsRequestXml({ patientId: newPatientId(), ssUniqueId: newUid(), documents: [d] }), [{ id: d.id, contentId: 'a@b' }]),
      attachments: [attachment('a@b', 'bytes that must not stay')],
    });
    expectFailure(reply, 'XDSRegistryNotAvailable');
    expect(statusOf(reply.body).errors[0].codeContext).toContain(own.url);
    expect(await settledFiles(config)).toEqual({ documents: [], tmp: [] });
  });

  test('registry stopped while the document is still uploading: XDSRegistryNotAvailable, nothing left', async () => {
    const own = await startTestRegistry();
    const { repo, config } = await extraRepository({ REGISTRY_URL: own.url });
    const d: DocSpec = { id: 'Document01', uniqueId: newUid() };
    let sent = 0;
    const slowSource = new Readable({
      read() {
        if (sent === 8) {
          this.push(null);
          return;
        }
        sent++;
        if (sent === 4) void own.close();
        setTimeout(() => this.push(Buffer.alloc(64 * 1024, sent)), 20);
      },
    });
    const reply = await postSoap(repo.url, {
      action: ACTION.iti41,
      body: pnrWithXop(submitObjectsRequestXml({ patientId: newPatientId(), ssUniqueId: newUid(), documents: [d] }), [{ id: d.id, contentId: 'slow@b' }]),
      attachments: [{ contentId: 'slow@b', contentType: 'application/octet-stream', open: () => slowSource }],
    });
    expectFailure(reply, 'XDSRegistryNotAvailable');
    expect(await settledFiles(config)).toEqual({ documents: [], tmp: [] });
  });

  test('a document over REPOSITORY_MAX_DOCUMENT_MB is refused with a clear fault and nothing is stored', async () => {
    const { repo, config } = await extraRepository({ REPOSITORY_MAX_DOCUMENT_MB: '1' });
    const d: DocSpec = { id: 'Document01', uniqueId: newUid() };
    const reply = await postSoap(repo.url, {
      action: ACTION.iti41,
      body: pnrWithXop(submitObjectsRequestXml({ patientId: newPatientId(), ssUniqueId: newUid(), documents: [d] }), [{ id: d.id, contentId: 'big@b' }]),
      attachments: [attachment('big@b', Buffer.alloc(1024 * 1024 + 1))],
    });
    expect(reply.httpStatus).toBe(400);
    expect(reply.body.local).toBe('Fault');
    expect(JSON.stringify(reply.body)).toContain('1048576');
    expect(await settledFiles(config)).toEqual({ documents: [], tmp: [] });
  });

  test('more attachments than REPOSITORY_MAX_ATTACHMENTS are refused and nothing is stored', async () => {
    const { repo, config } = await extraRepository({ REPOSITORY_MAX_ATTACHMENTS: '1' });
    const docs: DocSpec[] = [
      { id: 'Document01', uniqueId: newUid() },
      { id: 'Document02', uniqueId: newUid() },
    ];
    const reply = await postSoap(repo.url, {
      action: ACTION.iti41,
      body: pnrWithXop(submitObjectsRequestXml({ patientId: newPatientId(), ssUniqueId: newUid(), documents: docs }), docs.map((d) => ({ id: d.id, contentId: `${d.id}@b` }))),
      attachments: docs.map((d) => attachment(`${d.id}@b`, d.id)),
    });
    expect(reply.httpStatus).toBe(400);
    expect(reply.body.local).toBe('Fault');
    expect(await settledFiles(config)).toEqual({ documents: [], tmp: [] });
  });

  test('a request over REPOSITORY_MAX_REQUEST_MB is refused and nothing is stored', async () => {
    const { repo, config } = await extraRepository({ REPOSITORY_MAX_REQUEST_MB: '1' });
    const docs: DocSpec[] = [
      { id: 'Document01', uniqueId: newUid() },
      { id: 'Document02', uniqueId: newUid() },
    ];
    const reply = await postSoap(repo.url, {
      action: ACTION.iti41,
      body: pnrWithXop(submitObjectsRequestXml({ patientId: newPatientId(), ssUniqueId: newUid(), documents: docs }), docs.map((d) => ({ id: d.id, contentId: `${d.id}@b` }))),
      attachments: docs.map((d) => attachment(`${d.id}@b`, Buffer.alloc(700 * 1024))),
    });
    expect(reply.httpStatus).toBe(400);
    expect(reply.body.local).toBe('Fault');
    expect(JSON.stringify(reply.body)).toContain('limit');
    expect(await settledFiles(config)).toEqual({ documents: [], tmp: [] });
  });
});
