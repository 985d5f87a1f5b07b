/**
 * ebRIM 3.0 / ebRS 3.0 objects as they travel on the wire (the "ebXML binding").
 * These mirror the schema closely and carry no XDS meaning; shared/xds/ holds the XDS model
 * and the transforms between the two.
 */

export interface LocalizedString {
  value: string;
  /** xml:lang; omitted when absent on the wire. */
  lang?: string;
  charset?: string;
}

/** A Name or Description: a list of LocalizedStrings (XDS uses one). */
export type InternationalString = LocalizedString[];

export interface Slot {
  name: string;
  slotType?: string;
  values: string[];
}

export interface VersionInfo {
  versionName: string;
  comment?: string;
}

/** Common attributes and children of every rim:RegistryObject. */
export interface RegistryObjectBase {
  id: string;
  home?: string;
  lid?: string;
  objectType?: string;
  status?: string;
  slots: Slot[];
  name?: InternationalString;
  description?: InternationalString;
  versionInfo?: VersionInfo;
  classifications: Classification[];
  externalIdentifiers: ExternalIdentifier[];
}

export interface Classification extends RegistryObjectBase {
  kind: 'Classification';
  classifiedObject: string;
  classificationScheme?: string;
  classificationNode?: string;
  nodeRepresentation?: string;
}

export interface ExternalIdentifier extends RegistryObjectBase {
  kind: 'ExternalIdentifier';
  registryObject: string;
  identificationScheme: string;
  value: string;
}

export interface ExtrinsicObject extends RegistryObjectBase {
  kind: 'ExtrinsicObject';
  mimeType?: string;
  isOpaque?: string;
  contentVersionInfo?: VersionInfo;
}

export interface RegistryPackage extends RegistryObjectBase {
  kind: 'RegistryPackage';
}

export interface Association extends RegistryObjectBase {
  kind: 'Association';
  associationType: string;
  sourceObject: string;
  targetObject: string;
}

export interface ObjectRef {
  kind: 'ObjectRef';
  id: string;
  home?: string;
}

/** What a rim:RegistryObjectList may hold in XDS. Top-level Classifications (e.g. the SS marker) are allowed. */
export type RegistryObject = ExtrinsicObject | RegistryPackage | Association | Classification | ExternalIdentifier;
export type RegistryObjectListItem = RegistryObject | ObjectRef;

// ---- Requests ----

export interface SubmitObjectsRequest {
  objects: RegistryObjectListItem[];
}

/** One xds:Document of an ITI-41 request: where its bytes are. */
export type DocumentContent =
  | { kind: 'inline'; base64: string }
  | { kind: 'xop'; href: string };

export interface ProvideAndRegisterDocumentSetRequest {
  submitObjectsRequest: SubmitObjectsRequest;
  documents: { id: string; content: DocumentContent }[];
}

export type ReturnType = 'LeafClass' | 'ObjectRef' | string;

export interface AdhocQueryRequest {
  returnType: ReturnType;
  returnComposedObjects?: string;
  /** The stored query id (AdhocQuery/@id). */
  queryId: string;
  home?: string;
  /** Parameter slots in document order; a name may repeat (AND/OR parameters). */
  parameters: Slot[];
}

export interface DocumentRequest {
  homeCommunityId?: string;
  repositoryUniqueId: string;
  documentUniqueId: string;
}

export interface RetrieveDocumentSetRequest {
  documentRequests: DocumentRequest[];
}

export interface RemoveObjectsRequest {
  objectRefs: ObjectRef[];
  deletionScope?: string;
  /** true when a rim:AdhocQuery was present (ITI-62 forbids it). */
  hasAdhocQuery: boolean;
}

// ---- Responses ----

export const STATUS = {
  Success: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success',
  Failure: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure',
  PartialSuccess: 'urn:ihe:iti:2007:ResponseStatusType:PartialSuccess',
} as const;
export type ResponseStatus = keyof typeof STATUS;

export interface RegistryResponse {
  status: ResponseStatus;
  errors: import('../errors').RegistryError[];
  requestId?: string;
}

export interface AdhocQueryResponse extends RegistryResponse {
  objects: RegistryObjectListItem[];
}

export interface DocumentResponse {
  homeCommunityId?: string;
  repositoryUniqueId: string;
  documentUniqueId: string;
  mimeType: string;
  /** Content-ID of the XOP part carrying the bytes (writer side) or the inline/XOP content (reader side). */
  content: DocumentContent;
}

export interface RetrieveDocumentSetResponse {
  registryResponse: RegistryResponse;
  documentResponses: DocumentResponse[];
}
