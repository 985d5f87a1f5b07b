/**
 * Test support only (never imported by product code): finds the ebRIM 3.0 messages in the conformance corpus
 * (shared/conformance/corpus next to the repository), whether stored as a bare body, a SOAP envelope or an
 * MTOM/HTTP capture, and returns their body element.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseXml } from '../../xml/parse';
import { NS } from '../../xml/namespaces';
import type { XmlElement } from '../../xml/tree';

export const CORPUS_DIR = path.resolve(__dirname, '../../../../shared/conformance/corpus');
export const SCHEMA_DIR = path.resolve(__dirname, '../../../../shared/schemas');

/** The message roots covered, by `{ns}local`. */
export const MESSAGE_KINDS = {
  [`{${NS.lcm}}SubmitObjectsRequest`]: 'SubmitObjectsRequest',
  [`{${NS.xds}}ProvideAndRegisterDocumentSetRequest`]: 'ProvideAndRegisterDocumentSetRequest',
  [`{${NS.query}}AdhocQueryRequest`]: 'AdhocQueryRequest',
  [`{${NS.query}}AdhocQueryResponse`]: 'AdhocQueryResponse',
  [`{${NS.rs}}RegistryResponse`]: 'RegistryResponse',
  [`{${NS.xds}}RetrieveDocumentSetRequest`]: 'RetrieveDocumentSetRequest',
  [`{${NS.xds}}RetrieveDocumentSetResponse`]: 'RetrieveDocumentSetResponse',
  [`{${NS.lcm}}RemoveObjectsRequest`]: 'RemoveObjectsRequest',
} as const;
export type MessageKind = (typeof MESSAGE_KINDS)[keyof typeof MESSAGE_KINDS];

export interface CorpusMessage {
  /** Path relative to the corpus folder. */
  file: string;
  kind: MessageKind;
  body: XmlElement;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out.sort();
}

/** The XML root part of an MTOM/HTTP capture (text from the first '<' after the part headers to the next boundary). */
function xmlOf(text: string): string {
  if (!/^(--|POST |HTTP\/)/.test(text)) return text;
  const start = text.search(/<\?xml|<[A-Za-z]/);
  if (start < 0) return '';
  const rest = text.slice(start);
  const end = rest.search(/\r?\n--[^\r\n]+/);
  return end < 0 ? rest : rest.slice(0, end);
}

function bodyOf(root: XmlElement): XmlElement | undefined {
  if (root.local !== 'Envelope' || (root.ns !== NS.soap12 && root.ns !== NS.soap11)) return root;
  const body = root.children.find((c) => c.local === 'Body' && c.ns === root.ns);
  return body?.children[0];
}

export interface CorpusScan {
  messages: CorpusMessage[];
  /** Files that are not XML at all (documents, readme, captures without an XML part). */
  notXml: string[];
}

let cached: CorpusScan | undefined;

export function scanCorpus(): CorpusScan {
  if (cached) return cached;
  const messages: CorpusMessage[] = [];
  const notXml: string[] = [];
  for (const file of listFiles(CORPUS_DIR)) {
    const rel = path.relative(CORPUS_DIR, file);
    const text = xmlOf(fs.readFileSync(file, 'utf8'));
    let root: XmlElement;
    try {
      root = parseXml(text);
    } catch {
      notXml.push(rel);
      continue;
    }
    const body = bodyOf(root);
    const kind = body && MESSAGE_KINDS[`{${body.ns}}${body.local}` as keyof typeof MESSAGE_KINDS];
    if (body && kind) messages.push({ file: rel, kind, body });
  }
  cached = { messages, notXml };
  return cached;
}
