/** ITI-18 FindDocuments (LeafClass) against the registry at a fixed concurrency, queries drawn from registryData. */
import { buildSoapRequest, SOAP12_CONTENT_TYPE } from '../shared/soap/envelope';
import { ACTION, AVAILABILITY_STATUS } from '../shared/xds/constants';
import { NS } from '../shared/xml/namespaces';
import { escapeText } from '../shared/xml/write';
import { keepAliveAgent, postBuffer, failureSummary, responseStatusOf } from './lib/http';
import { runClosedLoop, type ClosedLoopResult } from './lib/load';
import { seededRandom } from './lib/random';
import { CLASS_CODE_SCHEME, findDocumentsParams, type FindDocumentsParams } from './registryData';

export const FIND_DOCUMENTS = 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d';

const slot = (name: string, values: string[]): string =>
  `<rim:Slot name="${name}"><rim:ValueList>${values.map((v) => `<rim:Value>${escapeText(v)}</rim:Value>`).join('')}</rim:ValueList></rim:Slot>`;

/** The AdhocQueryRequest body of one FindDocuments query. */
export function findDocumentsXml(p: FindDocumentsParams): string {
  const quoted = (s: string): string => `'${s.replace(/'/g, "''")}'`;
  return (
    `<query:AdhocQueryRequest xmlns:query="${NS.query}" xmlns:rim="${NS.rim}">` +
    `<query:ResponseOption returnType="LeafClass" returnComposedObjects="true"/>` +
    `<rim:AdhocQuery id="${FIND_DOCUMENTS}">` +
    slot('$XDSDocumentEntryPatientId', [quoted(p.patientId)]) +
    slot('$XDSDocumentEntryStatus', [`('${AVAILABILITY_STATUS.Approved}')`]) +
    slot('$XDSDocumentEntryClassCode', [`(${p.classCodes.map((c) => quoted(`${c}^^${CLASS_CODE_SCHEME}`)).join(',')})`]) +
    slot('$XDSDocumentEntryCreationTimeFrom', [p.creationTimeFrom]) +
    slot('$XDSDocumentEntryCreationTimeTo', [p.creationTimeTo]) +
    `</rim:AdhocQuery></query:AdhocQueryRequest>`
  );
}

export interface FindDocumentsOptions {
  registryUrl: string;
  patients: number;
  concurrency: number;
  durationMs: number;
  maxRequests: number;
  seed: number;
}

export interface FindDocumentsResult extends ClosedLoopResult {
  /** DocumentEntries returned, summed over the successful queries. */
  documentEntriesReturned: number;
}

const EXTRINSIC_OBJECT = /<(?:\w+:)?ExtrinsicObject\b/g;

export async function runFindDocuments(opts: FindDocumentsOptions): Promise<FindDocumentsResult> {
  const agent = keepAliveAgent(opts.concurrency);
  const r = seededRandom(opts.seed);
  const contentType = `${SOAP12_CONTENT_TYPE}; action="${ACTION.iti18}"`;
  let returned = 0;
  try {
    const result = await runClosedLoop(opts, async () => {
      const body = Buffer.from(buildSoapRequest({ action: ACTION.iti18, to: opts.registryUrl, body: findDocumentsXml(findDocumentsParams(r, opts.patients)) }), 'utf8');
      const reply = await postBuffer(agent, opts.registryUrl, contentType, body);
      const text = reply.body.toString('utf8');
      if (reply.status !== 200 || responseStatusOf(text) !== 'Success') throw new Error(failureSummary(reply.status, text));
      returned += text.match(EXTRINSIC_OBJECT)?.length ?? 0;
    });
    return { ...result, documentEntriesReturned: returned };
  } finally {
    agent.destroy();
  }
}
