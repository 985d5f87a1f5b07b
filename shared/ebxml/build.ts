/**
 * ebXML wire objects → XDS.b message bodies as XML strings, with the conventional prefixes
 * (rim:, rs:, lcm:, query:, xds:). Each builder declares the namespaces it uses on its own root element,
 * so the result can be dropped into a SOAP Body as is.
 */
import { SEVERITY_URN, type RegistryError } from '../errors';
import { NS, PREFIX_DECLS } from '../xml/namespaces';
import { attr as ea, text as et } from './escape';
import { registryObjectListXml, registryObjectXml, slotXml } from './buildObjects';
import {
  STATUS,
  type AdhocQueryRequest,
  type AdhocQueryResponse,
  type DocumentContent,
  type DocumentRequest,
  type DocumentResponse,
  type ProvideAndRegisterDocumentSetRequest,
  type RegistryObjectListItem,
  type RegistryResponse,
  type RemoveObjectsRequest,
  type RetrieveDocumentSetRequest,
  type RetrieveDocumentSetResponse,
  type SubmitObjectsRequest,
} from './types';

const RIM = ` ${PREFIX_DECLS.rim}`;
const RS = ` ${PREFIX_DECLS.rs}`;
const LCM = ` ${PREFIX_DECLS.lcm}`;
const QUERY = ` ${PREFIX_DECLS.query}`;
const XDS = ` ${PREFIX_DECLS.xds}`;
const XOP = ` xmlns:xop="${NS.xop}"`;
const RMD = ` xmlns:rmd="${NS.rmd}"`;

function opt(name: string, value: string | undefined): string {
  return value === undefined ? '' : ` ${name}="${ea(value)}"`;
}

export function buildRegistryObject(o: RegistryObjectListItem): string {
  return registryObjectXml(o, RIM);
}

export function buildRegistryObjectList(items: RegistryObjectListItem[]): string {
  return registryObjectListXml(items, RIM);
}

// ---- Requests ----

export function buildSubmitObjectsRequest(req: SubmitObjectsRequest): string {
  return `<lcm:SubmitObjectsRequest${LCM}${RIM}>${registryObjectListXml(req.objects)}</lcm:SubmitObjectsRequest>`;
}

function documentXml(content: DocumentContent, idAttr: string): string {
  if (content.kind === 'xop') return `<xds:Document${idAttr}><xop:Include${XOP} href="${ea(content.href)}"/></xds:Document>`;
  return `<xds:Document${idAttr}>${et(content.base64)}</xds:Document>`;
}

export function buildProvideAndRegisterRequest(req: ProvideAndRegisterDocumentSetRequest): string {
  let docs = '';
  for (const d of req.documents) docs += documentXml(d.content, ` id="${ea(d.id)}"`);
  const submit = `<lcm:SubmitObjectsRequest>${registryObjectListXml(req.submitObjectsRequest.objects)}</lcm:SubmitObjectsRequest>`;
  return `<xds:ProvideAndRegisterDocumentSetRequest${XDS}${LCM}${RIM}>${submit}${docs}</xds:ProvideAndRegisterDocumentSetRequest>`;
}

export function buildAdhocQueryRequest(req: AdhocQueryRequest): string {
  let params = '';
  for (const s of req.parameters) params += slotXml(s);
  const option = `<query:ResponseOption returnType="${ea(req.returnType)}"${opt('returnComposedObjects', req.returnComposedObjects)}/>`;
  const query = `<rim:AdhocQuery id="${ea(req.queryId)}"${opt('home', req.home)}${params === '' ? '/>' : `>${params}</rim:AdhocQuery>`}`;
  return `<query:AdhocQueryRequest${QUERY}${RIM}>${option}${query}</query:AdhocQueryRequest>`;
}

function documentRequestXml(r: DocumentRequest): string {
  const home = r.homeCommunityId === undefined ? '' : `<xds:HomeCommunityId>${et(r.homeCommunityId)}</xds:HomeCommunityId>`;
  return (
    `<xds:DocumentRequest>${home}<xds:RepositoryUniqueId>${et(r.repositoryUniqueId)}</xds:RepositoryUniqueId>` +
    `<xds:DocumentUniqueId>${et(r.documentUniqueId)}</xds:DocumentUniqueId></xds:DocumentRequest>`
  );
}

export function buildRetrieveDocumentSetRequest(req: RetrieveDocumentSetRequest): string {
  return `<xds:RetrieveDocumentSetRequest${XDS}>${req.documentRequests.map(documentRequestXml).join('')}</xds:RetrieveDocumentSetRequest>`;
}

/** ITI-86 rmd:RemoveDocumentsRequest; its DocumentRequests are in the xds namespace. */
export function buildRemoveDocumentsRequest(req: RetrieveDocumentSetRequest): string {
  return `<rmd:RemoveDocumentsRequest${RMD}${XDS}>${req.documentRequests.map(documentRequestXml).join('')}</rmd:RemoveDocumentsRequest>`;
}

export function buildRemoveObjectsRequest(req: RemoveObjectsRequest): string {
  let refs = '';
  for (const r of req.objectRefs) refs += registryObjectXml(r);
  // hasAdhocQuery records a protocol violation on the way in; a builder never emits an AdhocQuery.
  const list = refs === '' ? '' : `<rim:ObjectRefList>${refs}</rim:ObjectRefList>`;
  return `<lcm:RemoveObjectsRequest${LCM}${RIM}${opt('deletionScope', req.deletionScope)}>${list}</lcm:RemoveObjectsRequest>`;
}

// ---- Responses ----

function errorListXml(errors: RegistryError[]): string {
  if (errors.length === 0) return '';
  const highest = errors.some((e) => e.severity === 'Error') ? SEVERITY_URN.Error : SEVERITY_URN.Warning;
  let inner = '';
  for (const e of errors) {
    inner +=
      `<rs:RegistryError errorCode="${ea(e.errorCode)}" codeContext="${ea(e.codeContext)}"` +
      ` severity="${SEVERITY_URN[e.severity]}"${opt('location', e.location)}/>`;
  }
  return `<rs:RegistryErrorList highestSeverity="${highest}">${inner}</rs:RegistryErrorList>`;
}

function responseAttrs(r: RegistryResponse): string {
  return ` status="${STATUS[r.status]}"${opt('requestId', r.requestId)}`;
}

/** `decls` lets a parent that already declares rs: omit it. */
function registryResponseXml(r: RegistryResponse, decls: string): string {
  const errors = errorListXml(r.errors);
  const attrs = decls + responseAttrs(r);
  return errors === '' ? `<rs:RegistryResponse${attrs}/>` : `<rs:RegistryResponse${attrs}>${errors}</rs:RegistryResponse>`;
}

export function buildRegistryResponse(resp: RegistryResponse): string {
  return registryResponseXml(resp, RS);
}

/** The RegistryObjectList is always present, even when empty (digest 1.6). */
export function buildAdhocQueryResponse(resp: AdhocQueryResponse): string {
  return (
    `<query:AdhocQueryResponse${QUERY}${RS}${RIM}${responseAttrs(resp)}>` +
    `${errorListXml(resp.errors)}${registryObjectListXml(resp.objects)}</query:AdhocQueryResponse>`
  );
}

function documentResponseXml(r: DocumentResponse): string {
  const home = r.homeCommunityId === undefined ? '' : `<xds:HomeCommunityId>${et(r.homeCommunityId)}</xds:HomeCommunityId>`;
  return (
    `<xds:DocumentResponse>${home}<xds:RepositoryUniqueId>${et(r.repositoryUniqueId)}</xds:RepositoryUniqueId>` +
    `<xds:DocumentUniqueId>${et(r.documentUniqueId)}</xds:DocumentUniqueId><xds:mimeType>${et(r.mimeType)}</xds:mimeType>` +
    `${documentXml(r.content, '')}</xds:DocumentResponse>`
  );
}

export function buildRetrieveDocumentSetResponse(resp: RetrieveDocumentSetResponse): string {
  let docs = '';
  for (const d of resp.documentResponses) docs += documentResponseXml(d);
  return `<xds:RetrieveDocumentSetResponse${XDS}${RS}>${registryResponseXml(resp.registryResponse, '')}${docs}</xds:RetrieveDocumentSetResponse>`;
}
