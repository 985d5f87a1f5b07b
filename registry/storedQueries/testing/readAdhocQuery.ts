/**
 * Test helper: a query:AdhocQueryRequest document (a NIST testkit Query.xml, a corpus message) → the
 * AdhocQueryRequest wire object, after substituting toolkit placeholders ($patient_id$, $uuid$ ...) the way
 * the NIST toolkit does (plain text replacement, values XML-escaped). Test-only: the product reads requests
 * with shared/ebxml.
 */
import type { AdhocQueryRequest, Slot } from '../../../shared/ebxml/types';
import { parseXml } from '../../../shared/xml/parse';
import { NS } from '../../../shared/xml/namespaces';
import { child, children, type XmlElement } from '../../../shared/xml/tree';
import { escapeText } from '../../../shared/xml/write';

export function substitutePlaceholders(xml: string, values: Readonly<Record<string, string>>): string {
  // Longest placeholder first, so $uuid$ never eats into $uuid1$ (they are delimited anyway, but be safe).
  const names = Object.keys(values).sort((a, b) => b.length - a.length);
  let out = xml;
  for (const name of names) out = out.split(name).join(escapeText(values[name] ?? ''));
  return out;
}

function findAdhocQuery(root: XmlElement): XmlElement {
  const q = child(root, NS.rim, 'AdhocQuery');
  if (!q) throw new Error('no rim:AdhocQuery in the request');
  return q;
}

export function readAdhocQueryRequest(xml: string, placeholders: Readonly<Record<string, string>> = {}): AdhocQueryRequest {
  const root = parseXml(substitutePlaceholders(xml, placeholders));
  if (root.ns !== NS.query || root.local !== 'AdhocQueryRequest') throw new Error(`expected query:AdhocQueryRequest, got ${root.local}`);
  const option = child(root, NS.query, 'ResponseOption');
  const query = findAdhocQuery(root);
  const parameters: Slot[] = children(query, NS.rim, 'Slot').map((slot) => ({
    name: slot.attrs.name ?? '',
    values: children(slot, NS.rim, 'ValueList').flatMap((vl) => children(vl, NS.rim, 'Value').map((v) => v.text)),
  }));
  const req: AdhocQueryRequest = { returnType: option?.attrs.returnType ?? 'LeafClass', queryId: query.attrs.id ?? '', parameters };
  if (option?.attrs.returnComposedObjects !== undefined) req.returnComposedObjects = option.attrs.returnComposedObjects;
  if (query.attrs.home !== undefined) req.home = query.attrs.home;
  return req;
}

/** Build a request directly (unit tests): slots as [name, rim:Value texts]. */
export function adhocQuery(queryId: string, slots: Array<[string, string[]]>, returnType = 'LeafClass'): AdhocQueryRequest {
  return { returnType, queryId, parameters: slots.map(([name, values]) => ({ name, values })) };
}
