/**
 * The XDS domain model: DocumentEntry, SubmissionSet, Folder and Association with typed attributes.
 * Built from ebRIM objects by shared/xds/fromEbxml.ts and turned back by shared/xds/toEbxml.ts.
 * Every value keeps its wire string form (DTM, CX, XCN ... are validated, not converted), so a round trip
 * loses nothing.
 */
import type { Slot, InternationalString } from '../ebxml/types';

/** A coded value: Classification with scheme, nodeRepresentation = code, codingScheme slot, Name = display. */
export interface Code {
  code: string;
  /** The codingScheme slot value (OID or affinity-domain name). */
  scheme: string;
  displayName?: InternationalString;
  /** The Classification's own id (kept so a stored object re-serialises with stable ids). */
  id?: string;
  /** Slots other than codingScheme (rare, kept). */
  extraSlots?: Slot[];
}

export interface Author {
  person?: string;
  institutions: string[];
  roles: string[];
  specialties: string[];
  telecoms: string[];
  id?: string;
  /** Author slots not listed above (e.g. the misspelt authorSpeciality some senders use). */
  extraSlots?: Slot[];
}

/** An identifier carried as an ExternalIdentifier: value plus the identifier's own id. */
export interface Identifier {
  value: string;
  id?: string;
  /** Name/LocalizedString; usually the standard 'XDSDocumentEntry.uniqueId' style label. */
  name?: InternationalString;
}

interface XdsObjectBase {
  /** @id: a urn:uuid: entryUUID or a symbolic id inside a submission. */
  entryUuid: string;
  lid?: string;
  version?: string;
  /** availabilityStatus URN. */
  status?: string;
  home?: string;
  title?: InternationalString;
  comments?: InternationalString;
  /** Slots this model has no field for (extra `urn:` metadata and anything unknown), kept in order. */
  extraSlots: Slot[];
  /** Classifications this model does not understand (kept verbatim as the wire object JSON). */
  extraClassifications?: import('../ebxml/types').Classification[];
  extraExternalIdentifiers?: import('../ebxml/types').ExternalIdentifier[];
}

export interface DocumentEntry extends XdsObjectBase {
  type: 'DocumentEntry';
  objectType?: string;
  mimeType?: string;
  isOpaque?: string;
  patientId?: Identifier;
  uniqueId?: Identifier;
  classCode?: Code;
  typeCode?: Code;
  formatCode?: Code;
  healthcareFacilityTypeCode?: Code;
  practiceSettingCode?: Code;
  confidentialityCodes: Code[];
  eventCodes: Code[];
  authors: Author[];
  /** True when the limitedMetadata classification node is present. */
  limitedMetadata?: { id?: string };
  creationTime?: string[];
  serviceStartTime?: string[];
  serviceStopTime?: string[];
  languageCode?: string[];
  sourcePatientId?: string[];
  sourcePatientInfo?: string[];
  legalAuthenticator?: string[];
  hash?: string[];
  size?: string[];
  uri?: string[];
  repositoryUniqueId?: string[];
  documentAvailability?: string[];
  referenceIds?: string[];
}

export interface SubmissionSet extends XdsObjectBase {
  type: 'SubmissionSet';
  patientId?: Identifier;
  uniqueId?: Identifier;
  sourceId?: Identifier;
  contentTypeCode?: Code;
  authors: Author[];
  submissionTime?: string[];
  intendedRecipients?: string[];
  /** The SS classification marker's id, and whether it was nested (true) or a sibling (false). */
  marker?: { id?: string; nested: boolean };
  limitedMetadata?: { id?: string };
}

export interface Folder extends XdsObjectBase {
  type: 'Folder';
  patientId?: Identifier;
  uniqueId?: Identifier;
  codes: Code[];
  lastUpdateTime?: string[];
  marker?: { id?: string; nested: boolean };
  limitedMetadata?: { id?: string };
}

export interface XdsAssociation extends XdsObjectBase {
  type: 'Association';
  associationType: string;
  sourceObject: string;
  targetObject: string;
  /** SubmissionSetStatus slot (HasMember SS→DE): Original or Reference. */
  submissionSetStatus?: string[];
  previousVersion?: string[];
  documentation?: Code;
}

export type XdsObject = DocumentEntry | SubmissionSet | Folder | XdsAssociation;

/** A whole submission (ITI-41/42 metadata) in XDS terms. */
export interface Submission {
  submissionSets: SubmissionSet[];
  documentEntries: DocumentEntry[];
  folders: Folder[];
  associations: XdsAssociation[];
  /** Top-level objects that are none of the above (ObjectRefs, stray Classifications), kept for diagnostics. */
  unclassified: import('../ebxml/types').RegistryObjectListItem[];
}
