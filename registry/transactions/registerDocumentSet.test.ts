/**
 * ITI-42 registry processing with an injected clock, on the SQLite store in memory: folder lastUpdateTime,
 * deprecation cascade (NIST 12022), replacement joining folders (NIST 12327), UUID assignment.
 */
import { createHash } from 'node:crypto';
import { parseSubmitObjectsRequest } from '../../shared/ebxml/parse';
import { XdsError } from '../../shared/errors';
import { AVAILABILITY_STATUS, ASSOCIATION_TYPE } from '../../shared/xds/constants';
import { submissionFromEbxml } from '../../shared/xds/fromEbxml';
import type { Folder } from '../../shared/xds/model';
import { parseXml } from '../../shared/xml/parse';
import { newPatientId, newUid, submitObjectsRequestXml, type DocSpec, type SubmissionSpec } from '../../test/helpers/metadata';
import { openSqliteRegistryStore } from '../store/sqlite';
import type { RegistryStore } from '../store/RegistryStore';
import { registerDocumentSet } from './registerDocumentSet';

let store: RegistryStore;
let clock = '20250101000000';
const opts = { patients: { knownPatientsOnly: false, acceptedAssigningAuthorities: [] }, now: () => clock };

beforeEach(() => {
  store = openSqliteRegistryStore(':memory:');
});
afterEach(async () => {
  await store.close();
});

function doc(id: string): DocSpec {
  const content = `${id}-${Math.random()}`;
  return { id, uniqueId: newUid(), hash: createHash('sha1').update(content).digest('hex'), size: String(content.length), repositoryUniqueId: '1.2.3' };
}

async function register(spec: SubmissionSpec) {
  const req = parseSubmitObjectsRequest(parseXml(submitObjectsRequestXml(spec)));
  return registerDocumentSet(store, submissionFromEbxml(req.objects), opts);
}

async function entryByUniqueId(uniqueId: string) {
  const [de] = await store.findDocumentEntries({ uniqueIds: [uniqueId] });
  if (!de) throw new Error(`no entry ${uniqueId}`);
  return de;
}

it('replaces every symbolic id by a fresh urn:uuid and rewrites the references', async () => {
  const patientId = newPatientId();
  const d = doc('Document01');
  await register({ patientId, ssUniqueId: newUid(), documents: [d] });
  const de = await entryByUniqueId(d.uniqueId);
  expect(de.entryUuid).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
  const [hm] = await store.findAssociations({ targetObjects: [de.entryUuid] });
  expect(hm.sourceObject).toMatch(/^urn:uuid:/);
  expect(hm.entryUuid).toMatch(/^urn:uuid:/);
  expect(de.classCode?.id).toMatch(/^urn:uuid:/);
});

it('sets Folder lastUpdateTime on creation and again when a document is added to the folder', async () => {
  const patientId = newPatientId();
  const folderUid = newUid();
  clock = '20250101000000';
  await register({ patientId, ssUniqueId: newUid(), folders: [{ id: 'F', uniqueId: folderUid }] });
  const [created] = await store.findFolders({ uniqueIds: [folderUid] });
  expect(created.lastUpdateTime).toEqual(['20250101000000']);

  clock = '20250202020202';
  const d = doc('Document01');
  await register({ patientId, ssUniqueId: newUid(), documents: [d], associations: [
    { id: 'fm', type: 'HasMember', source: created.entryUuid, target: 'Document01' },
    { id: 'ssfm', type: 'HasMember', source: 'SubmissionSet01', target: 'fm' },
  ] });
  const [updated] = (await store.findFolders({ uniqueIds: [folderUid] })) as Folder[];
  expect(updated.lastUpdateTime).toEqual(['20250202020202']);
  expect((await store.findFolders({ uniqueIds: [folderUid], lastUpdateTime: { from: '20250202' } })).length).toBe(1);
});

it('refuses to add a document of another patient to an existing folder (NIST 12002)', async () => {
  const folderUid = newUid();
  await register({ patientId: newPatientId(), ssUniqueId: newUid(), folders: [{ id: 'F', uniqueId: folderUid }] });
  const [folder] = await store.findFolders({ uniqueIds: [folderUid] });
  const other = newPatientId();
  await expect(
    register({ patientId: other, ssUniqueId: newUid(), documents: [doc('D')], associations: [
      { id: 'fm', type: 'HasMember', source: folder.entryUuid, target: 'D' },
      { id: 'ssfm', type: 'HasMember', source: 'SubmissionSet01', target: 'fm' },
    ] }),
  ).rejects.toMatchObject({ errors: [expect.objectContaining({ errorCode: 'XDSPatientIdDoesNotMatch', codeContext: expect.stringContaining(other) })] });
});

it('deprecates APND and XFRM children of a replaced document (NIST 12022) and leaves others alone', async () => {
  const patientId = newPatientId();
  const [d1, d2] = [doc('Document01'), doc('Document02')];
  await register({ patientId, ssUniqueId: newUid(), documents: [d1, d2] });
  const original = await entryByUniqueId(d1.uniqueId);
  const [apnd, xfrm] = [doc('A'), doc('X')];
  await register({ patientId, ssUniqueId: newUid(), documents: [apnd, xfrm], associations: [
    { id: 'a1', type: 'APND', source: 'A', target: original.entryUuid },
    { id: 'a2', type: 'XFRM', source: 'X', target: original.entryUuid },
  ] });
  const replacement = doc('R');
  await register({ patientId, ssUniqueId: newUid(), documents: [replacement], associations: [{ id: 'r', type: 'RPLC', source: 'R', target: original.entryUuid }] });

  for (const uid of [d1.uniqueId, apnd.uniqueId, xfrm.uniqueId]) expect((await entryByUniqueId(uid)).status).toBe(AVAILABILITY_STATUS.Deprecated);
  for (const uid of [d2.uniqueId, replacement.uniqueId]) expect((await entryByUniqueId(uid)).status).toBe(AVAILABILITY_STATUS.Approved);
});

it('puts an XFRM_RPLC replacement into every folder of the original (NIST 12327)', async () => {
  const patientId = newPatientId();
  const d = doc('Document01');
  await register({ patientId, ssUniqueId: newUid(), documents: [d], folders: [{ id: 'F1', uniqueId: newUid() }, { id: 'F2', uniqueId: newUid() }], folderMembers: [['F1', 'Document01'], ['F2', 'Document01']] });
  const original = await entryByUniqueId(d.uniqueId);
  const r = doc('R');
  await register({ patientId, ssUniqueId: newUid(), documents: [r], associations: [{ id: 'x', type: 'XFRM_RPLC', source: 'R', target: original.entryUuid }] });
  const replacement = await entryByUniqueId(r.uniqueId);
  const memberships = await store.findAssociations({ targetObjects: [replacement.entryUuid], types: [ASSOCIATION_TYPE.HasMember] });
  const folders = await store.getObjects(memberships.map((m) => m.sourceObject));
  expect(folders.filter((f) => f.type === 'Folder')).toHaveLength(2);
});

it('refuses a submitted urn:uuid id that is already in the registry', async () => {
  const patientId = newPatientId();
  const d = doc('Document01');
  await register({ patientId, ssUniqueId: newUid(), documents: [d] });
  const existing = await entryByUniqueId(d.uniqueId);
  const err = await register({ patientId, ssUniqueId: newUid(), documents: [{ ...doc('x'), id: existing.entryUuid }] }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(XdsError);
  expect((err as XdsError).errors[0]).toMatchObject({ errorCode: 'XDSRegistryMetadataError', codeContext: expect.stringContaining(existing.entryUuid) });
});
