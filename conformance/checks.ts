/**
 * Step verdict pieces: status and error codes (NOTES.md section 4.1-4.2), retrieve comparisons (section 4.6) and
 * Assert expressions over the section log (section 4.5).
 */
import { createHash } from 'node:crypto';
import type { XmlElement } from '../shared/xml/tree';
import type { ParsedResponse, RetrievedDocument } from './responses';
import { XPathUnsupported, xpathBoolean, xpathDocument } from './xpath';
import type { AssertSpec } from './testplan';

export interface StatusExpectation {
  /** Acceptable statuses: Success, Failure, PartialSuccess, Fault. */
  statuses: string[];
  /** Every one of these codes must be returned (toolkit ExpectedErrorCode). */
  allCodes?: string[];
  /** At least one of these codes must be returned (fixtures whose source allows alternatives). */
  anyCode?: string[];
  /** Each substring must occur in some error's code or context (toolkit ExpectedErrorMessage). */
  messages?: string[];
}

export function describeExpectation(e: StatusExpectation): string {
  const parts = [e.statuses.join(' or ')];
  if (e.allCodes?.length) parts.push(e.allCodes.join(' + '));
  if (e.anyCode?.length) parts.push(`one of ${e.anyCode.join(' | ')}`);
  if (e.messages?.length) parts.push(`message ~ ${e.messages.join(' + ')}`);
  return parts.join(' ');
}

export function checkStatus(r: ParsedResponse, e: StatusExpectation): string[] {
  const problems: string[] = [];
  const got = r.status ?? (r.problem ? 'unreadable answer' : 'no status');
  if (!e.statuses.includes(got)) {
    const detail = r.fault ? ` (${r.fault.code}: ${r.fault.reason.slice(0, 160)})` : r.problem ? ` (${r.problem})` : '';
    problems.push(`status ${got}${detail}, expected ${e.statuses.join(' or ')}`);
  }
  const codes = r.errors.map((x) => x.errorCode);
  for (const code of e.allCodes ?? []) {
    if (!codes.includes(code)) problems.push(`error code ${code} expected, got ${codes.join(', ') || 'none'}`);
  }
  if (e.anyCode && e.anyCode.length > 0 && !e.anyCode.some((c) => codes.includes(c)) && r.status !== 'Fault') {
    problems.push(`one of ${e.anyCode.join(', ')} expected, got ${codes.join(', ') || 'none'}`);
  }
  for (const m of e.messages ?? []) {
    if (!r.errors.some((x) => x.errorCode.includes(m) || x.codeContext.includes(m))) {
      problems.push(`no error mentions "${m}" (got ${codes.join(', ') || 'none'})`);
    }
  }
  return problems;
}

export function sha1Hex(bytes: Buffer): string {
  return createHash('sha1').update(bytes).digest('hex');
}

function slotValue(eo: XmlElement, name: string): string | undefined {
  const slot = eo.children.find((c) => c.local === 'Slot' && c.attrs.name === name);
  return slot?.children.find((c) => c.local === 'ValueList')?.children.find((c) => c.local === 'Value')?.text.trim();
}

function uniqueIdOf(eo: XmlElement): string | undefined {
  return eo.children.find((c) => c.local === 'ExternalIdentifier' && c.attrs.identificationScheme === 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab')?.attrs.value;
}

export interface RetrieveExpectation {
  /** Number of DocumentRequests sent. */
  requested: number;
  /** Status expected is Success: then every requested document must come back. */
  expectAll: boolean;
  /** uniqueId → bytes that must come back. */
  referenceDocuments: Map<string, Buffer>;
  /** DocumentEntries (from the ReferenceMetadata query) whose size/hash/mimeType/repositoryUniqueId must agree. */
  referenceMetadata?: XmlElement[];
  expectedMimeType?: string;
}

/** The toolkit's RetrieveB comparisons. */
export function checkRetrieve(docs: RetrievedDocument[], e: RetrieveExpectation): string[] {
  const problems: string[] = [];
  if (e.expectAll && docs.length !== e.requested) problems.push(`${docs.length} document(s) returned for ${e.requested} requested`);
  for (const d of docs) if (d.problem) problems.push(`document ${d.documentUniqueId}: ${d.problem}`);
  for (const [uid, bytes] of e.referenceDocuments) {
    const d = docs.find((x) => x.documentUniqueId === uid);
    if (!d) {
      problems.push(`document ${uid} not returned`);
      continue;
    }
    if (d.bytes && !d.bytes.equals(bytes)) problems.push(`document ${uid}: ${d.bytes.length} bytes returned differ from the ${bytes.length} bytes submitted`);
  }
  for (const d of docs) {
    if (e.expectedMimeType && d.mimeType !== e.expectedMimeType) problems.push(`document ${d.documentUniqueId}: mimeType ${d.mimeType}, expected ${e.expectedMimeType}`);
    if (!e.referenceMetadata || !d.bytes) continue;
    const eo = e.referenceMetadata.find((x) => uniqueIdOf(x) === d.documentUniqueId);
    if (!eo) {
      problems.push(`document ${d.documentUniqueId}: no DocumentEntry with this uniqueId in the reference query`);
      continue;
    }
    const size = slotValue(eo, 'size');
    const hash = slotValue(eo, 'hash');
    const repo = slotValue(eo, 'repositoryUniqueId');
    if (size === undefined || Number(size) !== d.bytes.length) problems.push(`document ${d.documentUniqueId}: ${d.bytes.length} bytes but DocumentEntry size is ${size ?? '(none)'}`);
    if (hash === undefined || hash.toLowerCase() !== sha1Hex(d.bytes)) problems.push(`document ${d.documentUniqueId}: SHA-1 ${sha1Hex(d.bytes)} but DocumentEntry hash is ${hash ?? '(none)'}`);
    if (eo.attrs.mimeType !== d.mimeType) problems.push(`document ${d.documentUniqueId}: mimeType ${d.mimeType} but DocumentEntry mimeType is ${eo.attrs.mimeType ?? '(none)'}`);
    if (repo !== d.repositoryUniqueId) problems.push(`document ${d.documentUniqueId}: RepositoryUniqueId ${d.repositoryUniqueId} but DocumentEntry repositoryUniqueId is ${repo ?? '(none)'}`);
  }
  return problems;
}

export interface AssertOutcome {
  failures: string[];
  notEvaluated: string[];
  /** `id: expression → true|false`, the expression as evaluated (after replacements). */
  evaluated: string[];
}

/** Evaluate Assert expressions over a log document; textual replacements (UseReport useAs, $DATE$) first. */
export function evaluateAsserts(asserts: AssertSpec[], log: XmlElement, replacements: ReadonlyMap<string, string>): AssertOutcome {
  const out: AssertOutcome = { failures: [], notEvaluated: [], evaluated: [] };
  const doc = xpathDocument(log);
  for (const a of asserts) {
    let expr = a.expression;
    for (const [from, to] of [...replacements].sort((x, y) => y[0].length - x[0].length)) expr = expr.split(from).join(to);
    if (expr.trim() === '') {
      out.notEvaluated.push(`assertion ${a.id}: empty expression in the source`);
      continue;
    }
    const shown = expr.replace(/\s+/g, ' ').trim().slice(0, 300);
    try {
      const ok = xpathBoolean(expr, doc);
      out.evaluated.push(`${a.id}: ${shown} → ${ok}`);
      if (!ok) out.failures.push(`assertion ${a.id} is false: ${shown}`);
    } catch (e) {
      if (e instanceof XPathUnsupported) out.notEvaluated.push(`assertion ${a.id} not evaluated (${e.message})`);
      else throw e;
    }
  }
  return out;
}
