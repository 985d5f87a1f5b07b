/**
 * The registry end to end over HTTP: ITI-42 then ITI-18, every rejection with its exact code and a codeContext
 * naming the field and value, and a failed submission leaving the registry unchanged.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ACTION, AVAILABILITY_STATUS } from '../shared/xds/constants';
import { NS } from '../shared/xml/namespaces';
import type { XmlElement } from '../shared/xml/tree';
import { startTestRegistry } from './helpers/services';
import { postRaw, postSoap, responseStatus } from './helpers/soapClient';
import { newPatientId, newUid, submitObjectsRequestXml, type DocSpec, type SubmissionSpec } from './helpers/metadata';

type Registry = Awaited<ReturnType<typeof startTestRegistry>>;
let registry: Registry;

beforeAll(async () => {
  registry = await startTestRegistry();
});
afterAll(async () => {
  await registry.close();
});

const FIND_DOCUMENTS = 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d';
const GET_FOLDER_AND_CONTENTS = 'urn:uuid:b909a503-523d-4517-8acf-8e5834dfc4c7';

async function waitUntil(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

function doc(id: string, extra: Partial<DocSpec> = {}): DocSpec {
  const content = `content of ${id} ${Math.random()}`;
  return {
    id,
    uniqueId: newUid(),
    hash: createHash('sha1').update(content).digest('hex'),
    size: String(Buffer.byteLength(content)),
    repositoryUniqueId: '1.3.6.1.4.1.21367.2017.2.3.1',
    ...extra,
  };
}

async function register(spec: SubmissionSpec) {
  const reply = await postSoap(registry.url, ACTION.iti42, submitObjectsRequestXml(spec));
  return { reply, ...responseStatus(reply.body) };
}

function slotXml(name: string, value: string): string {
  return `<rim:Slot name="${name}"><rim:ValueList><rim:Value>${value.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</rim:Value></rim:ValueList></rim:Slot>`;
}

async function storedQuery(id: string, params: [string, string][], returnType = 'LeafClass') {
  const body =
    `<query:AdhocQueryRequest xmlns:query="${NS.query}" xmlns:rim="${NS.rim}"><query:ResponseOption returnType="${returnType}" returnComposedObjects="true"/>` +
    `<rim:AdhocQuery id="${id}">${params.map(([n, v]) => slotXml(n, v)).join('')}</rim:AdhocQuery></query:AdhocQueryRequest>`;
  const reply = await postSoap(registry.url, ACTION.iti18, body);
  const list = reply.body.children.find((c) => c.local === 'RegistryObjectList');
  return { reply, ...responseStatus(reply.body), objects: list?.children ?? [] };
}

const findDocs = (patientId: string, status: string = AVAILABILITY_STATUS.Approved) =>
  storedQuery(FIND_DOCUMENTS, [
    ['$XDSDocumentEntryPatientId', `'${patientId}'`],
    ['$XDSDocumentEntryStatus', `('${status}')`],
  ]);

const uniqueIdOf = (eo: XmlElement): string | undefined =>
  eo.children.find((c) => c.local === 'ExternalIdentifier' && c.attrs.identificationScheme === 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab')?.attrs.value;

describe('ITI-42 then ITI-18', () => {
  it('registers a DocumentEntry and finds it with registry-assigned id, lid, version and status', async () => {
    const patientId = newPatientId();
    const d = doc('Document01');
    const r = await register({ patientId, ssUniqueId: newUid(), documents: [d] });
    expect(r.status).toBe('Success');
    expect(r.errors).toEqual([]);
    expect(r.reply.header.Action).toBe('urn:ihe:iti:2007:RegisterDocumentSet-bResponse');

    const q = await findDocs(patientId);
    expect(q.status).toBe('Success');
    expect(q.objects).toHaveLength(1);
    const eo = q.objects[0];
    expect(eo.local).toBe('ExtrinsicObject');
    expect(eo.attrs.id).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(eo.attrs.lid).toBe(eo.attrs.id);
    expect(eo.attrs.status).toBe(AVAILABILITY_STATUS.Approved);
    expect(eo.children.find((c) => c.local === 'VersionInfo')?.attrs.versionName).toBe('1');
    expect(uniqueIdOf(eo)).toBe(d.uniqueId);
  });

  it('answers with RelatesTo = the request MessageID', async () => {
    const reply = await postSoap(registry.url, ACTION.iti18, `<query:AdhocQueryRequest xmlns:query="${NS.query}" xmlns:rim="${NS.rim}"><query:ResponseOption returnType="LeafClass"/><rim:AdhocQuery id="urn:uuid:00000000-0000-0000-0000-000000000000"/></query:AdhocQueryRequest>`, {
      messageId: 'urn:uuid:11111111-2222-3333-4444-555555555555',
    });
    expect(reply.header.RelatesTo).toBe('urn:uuid:11111111-2222-3333-4444-555555555555');
    expect(responseStatus(reply.body).errors[0]?.errorCode).toBe('XDSUnknownStoredQuery');
  });

  it('rejects missing required metadata with XDSRegistryMetadataError naming the attribute, and stores nothing', async () => {
    const before = await registry.store.stats();
    const patientId = newPatientId();
    const spec: SubmissionSpec = { patientId, ssUniqueId: newUid(), documents: [doc('Document01')] };
    const xml = submitObjectsRequestXml(spec).replace(/<rim:Classification[^>]*urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a[\s\S]*?<\/rim:Classification>/, '');
    const reply = await postSoap(registry.url, ACTION.iti42, xml);
    const r = responseStatus(reply.body);
    expect(r.status).toBe('Failure');
    expect(r.errors[0].errorCode).toBe('XDSRegistryMetadataError');
    expect(r.errors[0].codeContext).toMatch(/classCode/);
    expect(reply.text).not.toMatch(/\bat .+\.(js|ts):\d+/);
    expect(await registry.store.stats()).toEqual(before);
  });

  it('rejects an SS uniqueId already in the registry with XDSDuplicateUniqueIdInRegistry', async () => {
    const patientId = newPatientId();
    const ssUniqueId = newUid();
    expect((await register({ patientId, ssUniqueId, documents: [doc('Document01')] })).status).toBe('Success');
    const r = await register({ patientId, ssUniqueId, documents: [doc('Document01')] });
    expect(r.status).toBe('Failure');
    expect(r.errors[0].errorCode).toBe('XDSDuplicateUniqueIdInRegistry');
    expect(r.errors[0].codeContext).toContain(ssUniqueId);
  });

  it('accepts a DocumentEntry uniqueId again only with the same hash and size (XDSNonIdenticalHash otherwise)', async () => {
    const patientId = newPatientId();
    const d = doc('Document01');
    expect((await register({ patientId, ssUniqueId: newUid(), documents: [d] })).status).toBe('Success');
    expect((await register({ patientId, ssUniqueId: newUid(), documents: [d] })).status).toBe('Success');
    const r = await register({ patientId, ssUniqueId: newUid(), documents: [{ ...d, hash: 'a'.repeat(40) }] });
    expect(r.status).toBe('Failure');
    expect(r.errors[0].errorCode).toBe('XDSNonIdenticalHash');
    expect(r.errors[0].codeContext).toContain(d.uniqueId);
    const r2 = await register({ patientId, ssUniqueId: newUid(), documents: [{ ...d, size: '1' }] });
    expect(r2.errors[0].errorCode).toBe('XDSNonIdenticalSize');
  });

  it('rejects duplicate uniqueIds inside one message with XDSRegistryDuplicateUniqueIdInMessage', async () => {
    const uid = newUid();
    const r = await register({ patientId: newPatientId(), ssUniqueId: newUid(), documents: [doc('Document01', { uniqueId: uid }), doc('Document02', { uniqueId: uid })] });
    expect(r.errors.map((e) => e.errorCode)).toContain('XDSRegistryDuplicateUniqueIdInMessage');
    expect(r.errors.find((e) => e.errorCode === 'XDSRegistryDuplicateUniqueIdInMessage')?.codeContext).toContain(uid);
  });

  it('rejects a DocumentEntry whose patient id differs from the SubmissionSet with XDSPatientIdDoesNotMatch', async () => {
    const patientId = newPatientId();
    const other = newPatientId();
    const r = await register({ patientId, ssUniqueId: newUid(), documents: [doc('Document01', { patientId: other })] });
    expect(r.status).toBe('Failure');
    expect(r.errors[0].errorCode).toBe('XDSPatientIdDoesNotMatch');
    expect(r.errors[0].codeContext).toContain(other);
  });

  it('RPLC deprecates the original, the replacement joins its folder and the folder lastUpdateTime moves', async () => {
    const patientId = newPatientId();
    const original = doc('Document01');
    const folderUid = newUid();
    expect(
      (await register({ patientId, ssUniqueId: newUid(), documents: [original], folders: [{ id: 'Folder01', uniqueId: folderUid }], folderMembers: [['Folder01', 'Document01']] })).status,
    ).toBe('Success');
    const found = await findDocs(patientId);
    const originalUuid = found.objects[0].attrs.id;

    const replacement = doc('Document02');
    const r = await register({ patientId, ssUniqueId: newUid(), documents: [replacement], associations: [{ id: 'rplc', type: 'RPLC', source: 'Document02', target: originalUuid }] });
    expect(r.status).toBe('Success');

    const approved = await findDocs(patientId);
    expect(approved.objects.map(uniqueIdOf)).toEqual([replacement.uniqueId]);
    const deprecated = await findDocs(patientId, AVAILABILITY_STATUS.Deprecated);
    expect(deprecated.objects.map(uniqueIdOf)).toEqual([original.uniqueId]);

    const folder = await storedQuery(GET_FOLDER_AND_CONTENTS, [['$XDSFolderUniqueId', `'${folderUid}'`]]);
    const docsInFolder = folder.objects.filter((o) => o.local === 'ExtrinsicObject').map(uniqueIdOf).sort();
    expect(docsInFolder).toEqual([original.uniqueId, replacement.uniqueId].sort());

    const again = await register({ patientId, ssUniqueId: newUid(), documents: [doc('Document03')], associations: [{ id: 'rplc', type: 'RPLC', source: 'Document03', target: originalUuid }] });
    expect(again.status).toBe('Failure');
    expect(again.errors[0].errorCode).toBe('XDSRegistryDeprecatedDocumentError');
    expect(again.errors[0].codeContext).toContain(originalUuid);
  });

  it('rejects RPLC of another patient\'s document with XDSPatientIdDoesNotMatch', async () => {
    const p1 = newPatientId();
    const p2 = newPatientId();
    await register({ patientId: p1, ssUniqueId: newUid(), documents: [doc('Document01')] });
    const target = (await findDocs(p1)).objects[0].attrs.id;
    const r = await register({ patientId: p2, ssUniqueId: newUid(), documents: [doc('Document01')], associations: [{ id: 'r', type: 'RPLC', source: 'Document01', target }] });
    expect(r.errors[0].errorCode).toBe('XDSPatientIdDoesNotMatch');
  });

  it('rejects an association to an object that exists nowhere, naming it', async () => {
    const missing = 'urn:uuid:9a9a9a9a-0000-4000-8000-000000000001';
    const r = await register({ patientId: newPatientId(), ssUniqueId: newUid(), documents: [doc('Document01')], associations: [{ id: 'a', type: 'APND', source: 'Document01', target: missing }] });
    expect(r.status).toBe('Failure');
    expect(r.errors[0].codeContext).toContain(missing);
  });

  it('is all or nothing: a failure late in the submission stores nothing', async () => {
    const before = await registry.store.stats();
    const patientId = newPatientId();
    const r = await register({
      patientId,
      ssUniqueId: newUid(),
      documents: [doc('Document01'), doc('Document02')],
      associations: [{ id: 'bad', type: 'XFRM', source: 'Document02', target: 'urn:uuid:9a9a9a9a-0000-4000-8000-000000000002' }],
    });
    expect(r.status).toBe('Failure');
    expect(await registry.store.stats()).toEqual(before);
    expect((await findDocs(patientId)).objects).toHaveLength(0);
  });

  it('treats injection-shaped query values as data', async () => {
    const q = await storedQuery(FIND_DOCUMENTS, [
      ['$XDSDocumentEntryPatientId', `'x'' OR ''1''=''1^^^&1.2&ISO'`],
      ['$XDSDocumentEntryStatus', `('${AVAILABILITY_STATUS.Approved}')`],
    ]);
    expect(q.status).toBe('Success');
    expect(q.objects).toHaveLength(0);
    expect((await registry.store.stats()).documentEntries).toBeGreaterThan(0);
  });
});

describe('SOAP faults', () => {
  it('answers an unknown Action with a Sender fault (HTTP 400)', async () => {
    const reply = await postSoap(registry.url, 'urn:ihe:iti:2007:Bogus', '<x xmlns="urn:x"/>');
    expect(reply.httpStatus).toBe(400);
    expect(reply.body.local).toBe('Fault');
    expect(reply.text).toContain('ActionNotSupported');
  });

  it('answers a SOAP 1.1 message with VersionMismatch', async () => {
    const reply = await postRaw(registry.url, 'text/xml', `<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body/></e:Envelope>`);
    expect(reply.httpStatus).toBe(400);
    expect(reply.text).toContain('VersionMismatch');
  });

  it('refuses XXE without reading the file', async () => {
    const reply = await postRaw(registry.url, 'application/soap+xml', `<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]><e>&x;</e>`);
    expect(reply.httpStatus).toBe(400);
    expect(reply.text).not.toContain('root:');
    // audited as a security alert (110113) in the local audit file, and the service keeps serving
    const auditLog = path.join(registry.config.dataDir, 'audit', 'registry', 'audit.log');
    await waitUntil(() => fs.existsSync(auditLog) && fs.readFileSync(auditLog, 'utf8').includes('csd-code="110113"'));
    expect((await findDocs(newPatientId())).status).toBe('Success');
  });
});

describe('known-patients mode', () => {
  let strict: Registry;
  beforeAll(async () => {
    strict = await startTestRegistry({ REGISTRY_KNOWN_PATIENTS_ONLY: 'true' });
  });
  afterAll(async () => {
    await strict.close();
  });

  it('answers XDSUnknownPatientId until the patient is fed through /admin/patients', async () => {
    const patientId = newPatientId();
    const send = () => postSoap(strict.url, ACTION.iti42, submitObjectsRequestXml({ patientId, ssUniqueId: newUid(), documents: [doc('Document01')] }));
    const first = responseStatus((await send()).body);
    expect(first.errors[0].errorCode).toBe('XDSUnknownPatientId');
    expect(first.errors[0].codeContext).toContain(patientId);
    const fed = await fetch(strict.server.url('/admin/patients'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ patientIds: [patientId] }) });
    expect(fed.status).toBe(200);
    expect(responseStatus((await send()).body).status).toBe('Success');
  });
});
