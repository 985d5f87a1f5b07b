/**
 * What the toolkit checks in every answer besides the expected status (NOTES.md section 4.3, its
 * RegistryResponseValidator): a well-formed SOAP 1.2 reply with the right wsa:Action/RelatesTo, a status from the
 * ebRS list, errors consistent with the status, error codes the toolkit knows for that transaction
 * (negative/nist-reference/TransactionDefinedErrorCodes.txt), and complete LeafClass objects in query answers.
 * Schema validity is checked separately (schemaCheck.ts).
 */
import fs from 'node:fs';
import { OBJECT_TYPE } from '../shared/xds/constants';
import type { ParsedResponse } from './responses';

/** Transaction letters of the NIST error-code table: P = ITI-41, R = ITI-42, SQ = ITI-18, RS = ITI-43. */
export type TransactionCode = 'P' | 'R' | 'SQ' | 'RS';

export type ErrorCodeTable = ReadonlyMap<TransactionCode, ReadonlySet<string>>;

export function parseErrorCodeTable(csv: string): ErrorCodeTable {
  const table = new Map<TransactionCode, Set<string>>();
  for (const line of csv.split(/\r?\n/).slice(1)) {
    const [tx, code] = line.split(',').map((s) => s.trim());
    if (!tx || !code) continue;
    const set = table.get(tx as TransactionCode) ?? new Set<string>();
    set.add(code);
    table.set(tx as TransactionCode, set);
  }
  return table;
}

export function loadErrorCodeTable(file: string): ErrorCodeTable {
  return parseErrorCodeTable(fs.readFileSync(file, 'utf8'));
}

/** Digest section 1.6: ebRS Success/Failure, and PartialSuccess in the IHE namespace. */
const STATUS_VALUES = new Set([
  'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success',
  'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure',
  'urn:ihe:iti:2007:ResponseStatusType:PartialSuccess',
]);
const DOCUMENT_ENTRY_TYPES = new Set<string>([OBJECT_TYPE.stableDocumentEntry, OBJECT_TYPE.onDemandDocumentEntry]);

export interface RuleContext {
  transaction: TransactionCode;
  /** The request's wsa:Action; the answer must carry Action + "Response" (faults: the fault action). */
  requestAction?: string;
  /** The request's wsa:MessageID; the answer's RelatesTo must equal it. */
  messageId?: string;
  table: ErrorCodeTable;
}

/** Problems with the answer itself (empty = acceptable). A SOAP Fault is checked only for its addressing. */
export function checkResponse(r: ParsedResponse, ctx: RuleContext): string[] {
  const problems: string[] = [];
  if (r.problem) return [r.problem];
  if (ctx.messageId && r.relatesTo !== ctx.messageId) problems.push(`wsa:RelatesTo is ${r.relatesTo ?? '(missing)'}, expected the request MessageID ${ctx.messageId}`);
  if (r.fault) {
    if (r.httpStatus < 400) problems.push(`SOAP Fault carried with HTTP ${r.httpStatus} (SOAP 1.2 HTTP binding: 400/500)`);
    return problems;
  }
  if (ctx.requestAction && r.action !== `${ctx.requestAction}Response`) problems.push(`wsa:Action is ${r.action ?? '(missing)'}, expected ${ctx.requestAction}Response`);
  if (r.rawStatus === undefined) problems.push('answer has no status attribute');
  else if (!STATUS_VALUES.has(r.rawStatus)) problems.push(`status "${r.rawStatus}" is not an ebRS ResponseStatusType`);
  const errorsOnly = r.errors.filter((e) => e.severity === 'Error');
  if (r.status === 'Failure' && errorsOnly.length === 0) problems.push('status Failure without any Error-severity RegistryError');
  if (r.status === 'Success' && errorsOnly.length > 0) problems.push(`status Success while carrying Error-severity RegistryError(s): ${errorsOnly.map((e) => e.errorCode).join(', ')}`);
  if (r.status === 'PartialSuccess' && r.errors.length === 0) problems.push('status PartialSuccess without any RegistryError');
  if (r.status === 'PartialSuccess' && ctx.transaction !== 'RS') problems.push(`PartialSuccess is not a legal status for ${ctx.transaction} (all-or-nothing transaction)`);
  const known = ctx.table.get(ctx.transaction) ?? new Set<string>();
  for (const e of r.errors) {
    if (e.errorCode === '') problems.push('RegistryError without errorCode');
    else if (!known.has(e.errorCode)) problems.push(`errorCode ${e.errorCode} is not defined for ${ctx.transaction} transactions (NIST TransactionDefinedErrorCodes)`);
    if (e.severity !== 'Error' && e.severity !== 'Warning') problems.push(`RegistryError ${e.errorCode} has severity "${e.severity}"`);
    if (e.codeContext.trim() === '') problems.push(`RegistryError ${e.errorCode} has an empty codeContext`);
  }
  if (r.body?.local === 'AdhocQueryResponse') problems.push(...checkQueryObjects(r));
  return problems;
}

function checkQueryObjects(r: ParsedResponse): string[] {
  const problems: string[] = [];
  const list = r.body?.children.find((c) => c.local === 'RegistryObjectList');
  if (!list) {
    if (r.status !== 'Failure') problems.push('AdhocQueryResponse without RegistryObjectList');
    return problems;
  }
  for (const obj of list.children) {
    const id = obj.attrs.id ?? '';
    if (!id.startsWith('urn:uuid:')) problems.push(`${obj.local} id "${id}" is not a urn:uuid`);
    if (obj.local === 'ObjectRef') continue;
    if ((obj.local === 'ExtrinsicObject' || obj.local === 'RegistryPackage') && !obj.attrs.status) problems.push(`${obj.local} ${id} has no status`);
    if (obj.local === 'ExtrinsicObject' && !DOCUMENT_ENTRY_TYPES.has(obj.attrs.objectType ?? '')) {
      problems.push(`ExtrinsicObject ${id} objectType ${obj.attrs.objectType ?? '(none)'} is not a DocumentEntry type`);
    }
    if ((obj.local === 'ExtrinsicObject' || obj.local === 'RegistryPackage') && !obj.attrs.lid) problems.push(`${obj.local} ${id} has no lid`);
  }
  return problems;
}
