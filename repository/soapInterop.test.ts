/**
 * Interop: the `soap` npm package as an independent SOAP 1.2 client, built from the IHE repository WSDL in
 * shared/schemas. ITI-41 sends the document as a real MTOM attachment (the package's forceMTOM + attachments
 * options, xop:Include in xds:Document); ITI-43 reads our MTOM answer with the package's own multipart parser.
 * The package runs in a child Node process (its MTOM parser needs a dynamic import() that jest cannot run).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { createLogger } from '../shared/logger';
import { loadConfig } from '../shared/config';
import { NS } from '../shared/xml/namespaces';
import { newPatientId, newUid, registryObjectsXml, type DocSpec } from '../test/helpers/metadata';
import { startTestRegistry, tempDataDir } from '../test/helpers/services';
import { startRepository, type RunningRepository } from './main';
import { sha1Hex } from './testSupport/pnr';

const WSDL = path.resolve(__dirname, '../../shared/schemas/XDS.b_DocumentRepository.wsdl');
const CLIENT = path.join(__dirname, 'testSupport', 'nodeSoapClient.js');
const REPO_ID = '1.3.6.1.4.1.21367.2017.2.3.1';
let registry: Awaited<ReturnType<typeof startTestRegistry>>;
let repository: RunningRepository;

beforeAll(async () => {
  registry = await startTestRegistry();
  repository = await startRepository(
    loadConfig({ DATA_DIR: tempDataDir('xds-soapinterop-'), REPOSITORY_PORT: '0', REPOSITORY_HOST: '127.0.0.1', REGISTRY_URL: registry.url, REPOSITORY_UNIQUE_ID: REPO_ID }),
    createLogger('repository', 'error'),
  );
});
afterAll(async () => {
  await repository.close();
  await registry.close();
});

interface NodeSoapAnswer {
  result?: Record<string, unknown>;
  rawRequest?: string;
  attachments?: { headers: Record<string, string>; base64: string }[];
  error?: string;
}

function nodeSoap(job: Record<string, unknown>): Promise<NodeSoapAnswer> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [CLIENT], { cwd: path.resolve(__dirname, '..'), timeout: 20000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as NodeSoapAnswer);
    });
    child.stdin?.end(JSON.stringify({ wsdl: WSDL, endpoint: repository.url, ...job }));
  });
}

const header = (h: Record<string, string>, name: string): string | undefined => Object.entries(h).find(([k]) => k.toLowerCase() === name)?.[1];

test('node-soap from the IHE WSDL: ITI-41 with an MTOM attachment, then ITI-43 back through its MTOM parser', async () => {
  const content = Buffer.from('hello from node-soap\n\u00e9\u00e8 binary-ish \u0000\u0001 bytes');
  const d: DocSpec = { id: 'Document01', uniqueId: newUid(), mimeType: 'text/x-node-soap' };
  const submitted = await nodeSoap({
    operation: 'DocumentRepository_ProvideAndRegisterDocumentSet-b',
    args: {
      SubmitObjectsRequest: { $xml: `<rim:RegistryObjectList xmlns:rim="${NS.rim}">${registryObjectsXml({ patientId: newPatientId(), ssUniqueId: newUid(), documents: [d] })}</rim:RegistryObjectList>` },
      Document: [{ attributes: { id: 'Document01' }, $xml: `<xop:Include xmlns:xop="${NS.xop}" href="cid:doc1@node-soap"/>` }],
    },
    mtom: true,
    attachments: [{ mimetype: 'text/x-node-soap', contentId: 'doc1@node-soap', name: 'doc1.txt', base64: content.toString('base64') }],
  });
  expect(submitted.error).toBeUndefined();
  expect(submitted.rawRequest).toContain('xop:Include');
  expect((submitted.result?.attributes as Record<string, string>).status).toBe('urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success');
  expect(await repository.store.info(d.uniqueId)).toMatchObject({ size: content.length, hash: sha1Hex(content), mimeType: 'text/x-node-soap' });

  const retrieved = await nodeSoap({
    operation: 'DocumentRepository_RetrieveDocumentSet',
    args: { DocumentRequest: [{ RepositoryUniqueId: REPO_ID, DocumentUniqueId: d.uniqueId }] },
  });
  expect(retrieved.error).toBeUndefined();
  const response = retrieved.result as { RegistryResponse: { attributes: { status: string } }; DocumentResponse: Record<string, unknown> | Record<string, unknown>[] };
  expect(response.RegistryResponse.attributes.status).toBe('urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success');
  const doc = Array.isArray(response.DocumentResponse) ? response.DocumentResponse[0] : response.DocumentResponse;
  expect(doc.DocumentUniqueId).toBe(d.uniqueId);
  expect(doc.mimeType).toBe('text/x-node-soap');
  const parts = (retrieved.attachments ?? []).filter((p) => header(p.headers, 'content-type') === 'text/x-node-soap');
  expect(parts).toHaveLength(1);
  expect(Buffer.from(parts[0].base64, 'base64').equals(content)).toBe(true);
});

test('node-soap: ITI-43 for an unknown document gets Failure with XDSDocumentUniqueIdError', async () => {
  const retrieved = await nodeSoap({
    operation: 'DocumentRepository_RetrieveDocumentSet',
    args: { DocumentRequest: [{ RepositoryUniqueId: REPO_ID, DocumentUniqueId: '1.2.3.404' }] },
  });
  expect(retrieved.error).toBeUndefined();
  const rr = (retrieved.result as { RegistryResponse: { attributes: { status: string }; RegistryErrorList: { RegistryError: unknown } } }).RegistryResponse;
  expect(rr.attributes.status).toBe('urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure');
  expect(JSON.stringify(rr.RegistryErrorList)).toContain('XDSDocumentUniqueIdError');
});
