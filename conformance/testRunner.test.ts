import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseXml } from '../shared/xml/parse';
import type { XmlElement } from '../shared/xml/tree';
import { RunContext, type Environment } from './context';
import { uniqueIdFactory } from './metadataPrep';
import { loadErrorCodeTable } from './responseRules';
import { SchemaBatch } from './schemaCheck';
import { buildTestkitIndex } from './testkitIndex';
import { runTestkitTest } from './testRunner';
import { allElements, serializeXml } from './xmlTree';

const CORPUS = path.resolve(__dirname, '../../shared/conformance/corpus');
const SCHEMAS = path.resolve(__dirname, '../../shared/schemas');
const APPROVED = 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved';

/** A toy registry: keeps the last registration and answers every query with it (uuids given to symbolic ids). */
function fakeRegistry(mode: 'ok' | 'reject'): Promise<{ url: string; close(): Promise<void>; fed: string[] }> {
  let stored: XmlElement[] = [];
  const fed: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url === '/admin/patients') {
        fed.push(...(JSON.parse(body.toString()) as { patientIds: string[] }).patientIds);
        res.end('{}');
        return;
      }
      const env = parseXml(body);
      const action = allElements(env).find((e) => e.local === 'Action')?.text.trim() ?? '';
      const messageId = allElements(env).find((e) => e.local === 'MessageID')?.text.trim() ?? '';
      let answer: string;
      const rs = 'xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"';
      if (action.endsWith('RegisterDocumentSet-b')) {
        if (mode === 'reject') {
          answer = `<rs:RegistryResponse ${rs} status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"><rs:RegistryErrorList><rs:RegistryError errorCode="XDSRegistryMetadataError" codeContext="rejected by the toy" severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"/></rs:RegistryErrorList></rs:RegistryResponse>`;
        } else {
          const list = allElements(env).find((e) => e.local === 'RegistryObjectList');
          const ids = new Map<string, string>();
          let n = 0;
          for (const e of allElements(list ?? env)) if (e.attrs.id && !e.attrs.id.startsWith('urn:uuid:')) ids.set(e.attrs.id, `urn:uuid:00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`);
          for (const e of allElements(list ?? env)) for (const a of ['id', 'classifiedObject', 'registryObject', 'sourceObject', 'targetObject']) if (e.attrs[a] && ids.has(e.attrs[a] ?? '')) e.attrs[a] = ids.get(e.attrs[a] ?? '') ?? '';
          stored = list?.children ?? [];
          for (const o of stored) if (o.local !== 'Classification') Object.assign(o.attrs, { status: APPROVED, lid: o.attrs.id });
          answer = `<rs:RegistryResponse ${rs} status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"/>`;
        }
      } else {
        const list = stored.filter((o) => o.local !== 'Classification');
        const q = '<query:AdhocQueryResponse xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success">';
        answer = `${q}${serializeXml({ ns: 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0', local: 'RegistryObjectList', attrs: {}, text: '', children: list })}</query:AdhocQueryResponse>`;
      }
      res.setHeader('Content-Type', 'application/soap+xml; charset=UTF-8');
      res.end(
        `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://www.w3.org/2005/08/addressing"><env:Header>` +
          `<wsa:Action>${action}Response</wsa:Action><wsa:RelatesTo>${messageId}</wsa:RelatesTo></env:Header><env:Body>${answer}</env:Body></env:Envelope>`,
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({ url: `http://127.0.0.1:${port}`, fed, close: () => new Promise<void>((r) => server.close(() => r())) });
    }),
  );
}

async function run11990(mode: 'ok' | 'reject') {
  const fake = await fakeRegistry(mode);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-'));
  try {
    const index = buildTestkitIndex(CORPUS);
    const schemas = new SchemaBatch(dir, SCHEMAS);
    const env: Environment = {
      name: 'fake',
      registryUrl: `${fake.url}/registry`,
      repositoryUrl: `${fake.url}/repository`,
      patientFeedUrl: `${fake.url}/admin/patients`,
      repositoryUniqueId: '1.2.3',
      close: async () => undefined,
    };
    const now = new Date();
    const ctx = new RunContext(
      index,
      { sourceId: '1.2.42.1', homeCommunityId: 'urn:oid:1.2', now, newUniqueId: uniqueIdFactory(now) },
      loadErrorCodeTable(path.join(CORPUS, 'negative/nist-reference/TransactionDefinedErrorCodes.txt')),
      schemas,
      async (_e, ids) => {
        fake.fed.push(...ids);
      },
    );
    const entry = index.get('11990');
    if (!entry) throw new Error('11990 missing');
    const result = await runTestkitTest(ctx, env, entry, entry.sections);
    const problems = await schemas.validate();
    return { result, fed: fake.fed, problems, ctx };
  } finally {
    await fake.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('testkit replay against a toy registry', () => {
  it('registers, links the assigned SubmissionSet uniqueId into the query, checks contents and assertions', async () => {
    const { result, fed, problems, ctx } = await run11990('ok');
    expect(result.steps.map((s) => [s.section, s.step, s.verdict, s.reasons])).toEqual([
      ['submit', 'submit', 'pass', []],
      ['eval', 'by_uid', 'pass', []],
      ['eval', 'verify_availabilityStatus', 'pass', []],
    ]);
    expect(fed).toHaveLength(1);
    const submitted = ctx.lookup('11990', 'submit', 'submit');
    const ssUid = submitted?.assignments.uids.get('SubmissionSet01');
    expect(ssUid).toMatch(/^1\.2\.42\.\d{14}\.\d+$/);
    const query = ctx.lookup('11990', 'eval', 'by_uid')?.request;
    expect(allElements(query ?? parseXml('<x/>')).some((e) => e.local === 'Value' && e.text.includes(ssUid ?? 'none'))).toBe(true);
    expect(submitted?.assignments.patientIds.get('SubmissionSet01')).toBe(fed[0]);
    expect(result.steps[2]?.received).toMatch(/availabilityStatus: .* → true/);
    expect([...problems.values()].every((p) => p.length === 0)).toBe(true);
  });

  it('fails the steps when the registry rejects the submission, and says why', async () => {
    const { result } = await run11990('reject');
    expect(result.steps[0]?.verdict).toBe('fail');
    expect(result.steps[0]?.reasons).toEqual(['status Failure, expected Success']);
    expect(result.steps[1]?.verdict).toBe('fail');
    expect(result.steps[1]?.reasons.join()).toMatch(/SSwithOneDoc: no SubmissionSet found/);
    expect(result.steps[2]?.reasons.join()).toMatch(/assertion availabilityStatus is false/);
  });
});
