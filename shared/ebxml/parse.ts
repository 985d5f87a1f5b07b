/**
 * XDS.b message bodies (namespace-resolved XmlElement) → ebXML wire objects (types.ts).
 *
 * Errors:
 * - the root element is not the expected one → SoapFault('Sender') (the message is not this transaction);
 * - a required attribute or element is missing, an element is unknown or out of schema order, or a status /
 *   severity URN is unknown → XdsError with XDSRegistryMetadataError and a codeContext naming the element
 *   and attribute. A repository maps the code to XDSRepositoryMetadataError where it needs to.
 */
import { SEVERITY_URN, SoapFault, type RegistryError, type Severity } from '../errors';
import { NS } from '../xml/namespaces';
import type { XmlElement } from '../xml/tree';
import { elementLabel, is, metadataError, qname, requireAttr, requireChild, unexpectedChild } from './parseSupport';
import { parseObjectRef, parseRegistryObjectList, parseSlot } from './parseObjects';
import {
  STATUS,
  type AdhocQueryRequest,
  type AdhocQueryResponse,
  type DocumentContent,
  type DocumentRequest,
  type DocumentResponse,
  type ObjectRef,
  type ProvideAndRegisterDocumentSetRequest,
  type RegistryResponse,
  type RemoveObjectsRequest,
  type ResponseStatus,
  type RetrieveDocumentSetRequest,
  type RetrieveDocumentSetResponse,
  type SubmitObjectsRequest,
} from './types';

export { parseRegistryObject, parseRegistryObjectList } from './parseObjects';

function expectRoot(el: XmlElement, ns: string, local: string, prefix: string): void {
  if (!is(el, ns, local)) throw new SoapFault('Sender', `expected ${prefix}:${local} (${ns}), found ${qname(el)}`);
}

// ---- Requests ----

function submitObjectsRequestOf(el: XmlElement): SubmitObjectsRequest {
  let list: XmlElement | undefined;
  for (const c of el.children) {
    if (is(c, NS.rs, 'RequestSlotList')) continue;
    if (is(c, NS.rim, 'RegistryObjectList') && !list) list = c;
    else throw unexpectedChild(el, c);
  }
  if (!list) throw metadataError(`${elementLabel(el)} is missing the required element rim:RegistryObjectList`);
  return { objects: parseRegistryObjectList(list) };
}

/** ITI-42 / ITI-57: lcm:SubmitObjectsRequest. */
export function parseSubmitObjectsRequest(el: XmlElement): SubmitObjectsRequest {
  expectRoot(el, NS.lcm, 'SubmitObjectsRequest', 'lcm');
  return submitObjectsRequestOf(el);
}

/** The bytes of an xds:Document: an xop:Include reference, or the inline base64 text verbatim. */
function documentContentOf(el: XmlElement): DocumentContent {
  let include: XmlElement | undefined;
  for (const c of el.children) {
    if (is(c, NS.xop, 'Include') && !include) include = c;
    else throw unexpectedChild(el, c);
  }
  if (include) return { kind: 'xop', href: requireAttr(include, 'href') };
  return { kind: 'inline', base64: el.text };
}

/** ITI-41: xds:ProvideAndRegisterDocumentSetRequest (metadata plus xds:Document elements). */
export function parseProvideAndRegisterRequest(el: XmlElement): ProvideAndRegisterDocumentSetRequest {
  expectRoot(el, NS.xds, 'ProvideAndRegisterDocumentSetRequest', 'xds');
  let submit: SubmitObjectsRequest | undefined;
  const documents: ProvideAndRegisterDocumentSetRequest['documents'] = [];
  for (const c of el.children) {
    if (is(c, NS.lcm, 'SubmitObjectsRequest') && !submit && documents.length === 0) submit = submitObjectsRequestOf(c);
    else if (is(c, NS.xds, 'Document') && submit) documents.push({ id: requireAttr(c, 'id'), content: documentContentOf(c) });
    else throw unexpectedChild(el, c);
  }
  if (!submit) throw metadataError(`${elementLabel(el)} is missing the required element lcm:SubmitObjectsRequest`);
  return { submitObjectsRequest: submit, documents };
}

/** ITI-18 / ITI-38: query:AdhocQueryRequest. Only the AdhocQuery's Slots are read (no QueryExpression in XDS). */
export function parseAdhocQueryRequest(el: XmlElement): AdhocQueryRequest {
  expectRoot(el, NS.query, 'AdhocQueryRequest', 'query');
  const option = requireChild(el, NS.query, 'ResponseOption', 'query');
  const query = requireChild(el, NS.rim, 'AdhocQuery', 'rim');
  const req: AdhocQueryRequest = {
    // The schema default for returnType is RegistryObject; XDS validation rejects it later.
    returnType: option.attrs.returnType ?? 'RegistryObject',
    queryId: requireAttr(query, 'id'),
    parameters: query.children.filter((c) => is(c, NS.rim, 'Slot')).map(parseSlot),
  };
  if (option.attrs.returnComposedObjects !== undefined) req.returnComposedObjects = option.attrs.returnComposedObjects;
  if (query.attrs.home !== undefined) req.home = query.attrs.home;
  return req;
}

/** Children of an element that must appear in this order; `?` marks optional ones. Returns text by local name. */
function sequenceText(el: XmlElement, ns: string, spec: string[]): Record<string, string> {
  const names = spec.map((s) => s.replace('?', ''));
  const order = `expected order: ${spec.join(', ')}`;
  const out: Record<string, string> = {};
  let i = 0;
  for (const c of el.children) {
    const j = c.ns === ns ? names.indexOf(c.local, i) : -1;
    if (j < 0) throw metadataError(`${elementLabel(el)}: unexpected, repeated or out-of-order element ${qname(c)} (${order})`);
    const skipped = spec.slice(i, j).find((s) => !s.endsWith('?'));
    if (skipped) throw metadataError(`${elementLabel(el)} is missing the required element xds:${skipped} before ${qname(c)} (${order})`);
    out[c.local] = c.text;
    i = j + 1;
  }
  const missing = spec.slice(i).find((s) => !s.endsWith('?'));
  if (missing) throw metadataError(`${elementLabel(el)} is missing the required element xds:${missing}`);
  return out;
}

function documentRequestOf(el: XmlElement): DocumentRequest {
  const t = sequenceText(el, NS.xds, ['HomeCommunityId?', 'RepositoryUniqueId', 'DocumentUniqueId']);
  const r: DocumentRequest = { repositoryUniqueId: t.RepositoryUniqueId, documentUniqueId: t.DocumentUniqueId };
  if (t.HomeCommunityId !== undefined) r.homeCommunityId = t.HomeCommunityId;
  return r;
}

function documentRequestsOf(el: XmlElement): RetrieveDocumentSetRequest {
  const documentRequests: DocumentRequest[] = [];
  for (const c of el.children) {
    if (!is(c, NS.xds, 'DocumentRequest')) throw unexpectedChild(el, c);
    documentRequests.push(documentRequestOf(c));
  }
  if (documentRequests.length === 0) throw metadataError(`${elementLabel(el)} holds no xds:DocumentRequest`);
  return { documentRequests };
}

/** ITI-43 / ITI-39: xds:RetrieveDocumentSetRequest. */
export function parseRetrieveDocumentSetRequest(el: XmlElement): RetrieveDocumentSetRequest {
  expectRoot(el, NS.xds, 'RetrieveDocumentSetRequest', 'xds');
  return documentRequestsOf(el);
}

/** ITI-86: rmd:RemoveDocumentsRequest (same content model as a retrieve request). */
export function parseRemoveDocumentsRequest(el: XmlElement): RetrieveDocumentSetRequest {
  expectRoot(el, NS.rmd, 'RemoveDocumentsRequest', 'rmd');
  return documentRequestsOf(el);
}

/** ITI-62: lcm:RemoveObjectsRequest. */
export function parseRemoveObjectsRequest(el: XmlElement): RemoveObjectsRequest {
  expectRoot(el, NS.lcm, 'RemoveObjectsRequest', 'lcm');
  const objectRefs: ObjectRef[] = [];
  let hasAdhocQuery = false;
  for (const c of el.children) {
    if (is(c, NS.rs, 'RequestSlotList')) continue;
    if (is(c, NS.rim, 'AdhocQuery')) hasAdhocQuery = true;
    else if (is(c, NS.rim, 'ObjectRefList')) {
      for (const r of c.children) {
        if (!is(r, NS.rim, 'ObjectRef')) throw unexpectedChild(c, r);
        objectRefs.push(parseObjectRef(r));
      }
    } else throw unexpectedChild(el, c);
  }
  const req: RemoveObjectsRequest = { objectRefs, hasAdhocQuery };
  if (el.attrs.deletionScope !== undefined) req.deletionScope = el.attrs.deletionScope;
  return req;
}

// ---- Responses ----

const STATUS_KEY = new Map<string, ResponseStatus>(Object.entries(STATUS).map(([k, v]) => [v, k as ResponseStatus]));
const SEVERITY_KEY = new Map<string, Severity>(Object.entries(SEVERITY_URN).map(([k, v]) => [v, k as Severity]));

function registryErrorOf(el: XmlElement): RegistryError {
  const urn = el.attrs.severity;
  const severity = urn === undefined ? 'Error' : SEVERITY_KEY.get(urn);
  if (!severity) throw metadataError(`${elementLabel(el)} has the unknown severity "${urn}"`);
  const e: RegistryError = { errorCode: requireAttr(el, 'errorCode'), codeContext: requireAttr(el, 'codeContext'), severity };
  if (el.attrs.location !== undefined) e.location = el.attrs.location;
  return e;
}

/** Status, requestId and RegistryErrors of any rs:RegistryResponseType element. */
function registryResponseOf(el: XmlElement): RegistryResponse {
  const urn = requireAttr(el, 'status');
  const status = STATUS_KEY.get(urn);
  if (!status) throw metadataError(`${elementLabel(el)} has the unknown status "${urn}"`);
  const errors: RegistryError[] = [];
  for (const c of el.children) {
    if (!is(c, NS.rs, 'RegistryErrorList')) continue;
    for (const e of c.children) {
      if (!is(e, NS.rs, 'RegistryError')) throw unexpectedChild(c, e);
      errors.push(registryErrorOf(e));
    }
  }
  const resp: RegistryResponse = { status, errors };
  if (el.attrs.requestId !== undefined) resp.requestId = el.attrs.requestId;
  return resp;
}

/** Response to ITI-41/42/57/62/86: rs:RegistryResponse. */
export function parseRegistryResponse(el: XmlElement): RegistryResponse {
  expectRoot(el, NS.rs, 'RegistryResponse', 'rs');
  return registryResponseOf(el);
}

/** ITI-18 / ITI-38 response. A missing RegistryObjectList reads as an empty one. */
export function parseAdhocQueryResponse(el: XmlElement): AdhocQueryResponse {
  expectRoot(el, NS.query, 'AdhocQueryResponse', 'query');
  const list = el.children.find((c) => is(c, NS.rim, 'RegistryObjectList'));
  return { ...registryResponseOf(el), objects: list ? parseRegistryObjectList(list) : [] };
}

function documentResponseOf(el: XmlElement): DocumentResponse {
  const spec = ['HomeCommunityId?', 'RepositoryUniqueId', 'DocumentUniqueId', 'NewRepositoryUniqueId?', 'NewDocumentUniqueId?', 'mimeType', 'Document'];
  const t = sequenceText(el, NS.xds, spec);
  const doc = requireChild(el, NS.xds, 'Document', 'xds');
  const r: DocumentResponse = {
    repositoryUniqueId: t.RepositoryUniqueId,
    documentUniqueId: t.DocumentUniqueId,
    mimeType: t.mimeType,
    content: documentContentOf(doc),
  };
  if (t.HomeCommunityId !== undefined) r.homeCommunityId = t.HomeCommunityId;
  return r;
}

/** ITI-43 / ITI-39 response. NewRepositoryUniqueId / NewDocumentUniqueId (on-demand only) are not kept. */
export function parseRetrieveDocumentSetResponse(el: XmlElement): RetrieveDocumentSetResponse {
  expectRoot(el, NS.xds, 'RetrieveDocumentSetResponse', 'xds');
  const rr = requireChild(el, NS.rs, 'RegistryResponse', 'rs');
  const documentResponses: DocumentResponse[] = [];
  for (const c of el.children) {
    if (c === rr) continue;
    if (!is(c, NS.xds, 'DocumentResponse')) throw unexpectedChild(el, c);
    documentResponses.push(documentResponseOf(c));
  }
  return { registryResponse: registryResponseOf(rr), documentResponses };
}
