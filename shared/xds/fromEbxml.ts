/**
 * ebRIM wire objects → XDS model.
 *
 * - ExtrinsicObject → DocumentEntry; Association → XdsAssociation.
 * - RegistryPackage → SubmissionSet or Folder by its type marker: a Classification with the SS / Folder
 *   classificationNode, nested in the package or a sibling in the list (both accepted; `marker.nested` says which).
 * - Nested Classifications / ExternalIdentifiers → Code, Author, Identifier or limitedMetadata by scheme/node,
 *   only when the model value re-encodes to the same wire object; everything else is kept verbatim in
 *   extraClassifications / extraExternalIdentifiers. Known slots → string[] fields; other slots, repeated
 *   slots and slots with a slotType → extraSlots. Nothing is dropped except VersionInfo/@comment and
 *   ContentVersionInfo, which the model has no place for.
 */
import type {
  Association,
  Classification,
  ExternalIdentifier,
  ExtrinsicObject,
  RegistryObject,
  RegistryObjectListItem,
  RegistryPackage,
  Slot,
} from '../ebxml/types';
import type { Author, Code, DocumentEntry, Folder, Identifier, Submission, SubmissionSet, XdsAssociation, XdsObject } from './model';
import { CLASSIFICATION_SCHEME as CS, NODE } from './constants';
import {
  ASSOCIATION_SLOTS,
  DE_CODE_LISTS,
  DE_IDENTIFIERS,
  DE_SINGLE_CODES,
  DE_SLOTS,
  FOLDER_IDENTIFIERS,
  FOLDER_SLOTS,
  PACKAGE_NODES,
  SS_IDENTIFIERS,
  SS_SLOTS,
} from './fields';
import { authorFromClassification, codeFromClassification, identifierFromExternalIdentifier, nodeFromClassification } from './subObjects';

type Common = Pick<XdsObject, 'entryUuid' | 'lid' | 'version' | 'status' | 'home' | 'title' | 'comments'>;

function common(o: RegistryObject): Common {
  const c: Common = { entryUuid: o.id };
  if (o.lid !== undefined) c.lid = o.lid;
  if (o.versionInfo) c.version = o.versionInfo.versionName;
  if (o.status !== undefined) c.status = o.status;
  if (o.home !== undefined) c.home = o.home;
  if (o.name) c.title = o.name;
  if (o.description) c.comments = o.description;
  return c;
}

/** Known slots (first occurrence, no slotType) by field; the rest in order as extra. */
function takeSlots<K extends string>(slots: Slot[], table: ReadonlyArray<readonly [string, K]>): { found: Partial<Record<K, string[]>>; extra: Slot[] } {
  const found: Partial<Record<K, string[]>> = {};
  const extra: Slot[] = [];
  for (const s of slots) {
    const field = table.find(([name]) => name === s.name)?.[1];
    if (field !== undefined && s.slotType === undefined && found[field] === undefined) found[field] = [...s.values];
    else extra.push(s);
  }
  return { found, extra };
}

/** Known identifiers (first representable one per scheme) by field; the rest as extra. */
function takeIdentifiers<K extends string>(
  ids: ExternalIdentifier[],
  ownerId: string,
  table: ReadonlyArray<readonly [string, K]>,
): { found: Partial<Record<K, Identifier>>; extra: ExternalIdentifier[] } {
  const found: Partial<Record<K, Identifier>> = {};
  const extra: ExternalIdentifier[] = [];
  for (const e of ids) {
    const field = table.find(([scheme]) => scheme === e.identificationScheme)?.[1];
    const value = field !== undefined && found[field] === undefined ? identifierFromExternalIdentifier(e, ownerId) : undefined;
    if (field !== undefined && value) found[field] = value;
    else extra.push(e);
  }
  return { found, extra };
}

function pushIf<T>(list: T[], value: T | undefined): boolean {
  if (value === undefined) return false;
  list.push(value);
  return true;
}

/** Sets optional extras only when non-empty, so equal inputs give equal models. */
function withExtras<T extends XdsObject>(o: T, extraC: Classification[], extraE: ExternalIdentifier[]): T {
  if (extraC.length > 0) o.extraClassifications = extraC;
  if (extraE.length > 0) o.extraExternalIdentifiers = extraE;
  return o;
}

// ---- DocumentEntry ----

function placeDocumentEntryClassification(de: DocumentEntry, c: Classification): boolean {
  const id = de.entryUuid;
  const scheme = c.classificationScheme;
  if (scheme === CS.docAuthor) return pushIf<Author>(de.authors, authorFromClassification(c, id));
  const single = DE_SINGLE_CODES.find(([s]) => s === scheme)?.[1];
  if (single) {
    const code = de[single] ? undefined : codeFromClassification(c, id);
    if (code) de[single] = code;
    return code !== undefined;
  }
  const list = DE_CODE_LISTS.find(([s]) => s === scheme)?.[1];
  if (list) return pushIf<Code>(de[list], codeFromClassification(c, id));
  if (scheme === undefined && !de.limitedMetadata) {
    const limited = nodeFromClassification(c, id, NODE.limitedDocumentEntry);
    if (limited) de.limitedMetadata = limited;
    return limited !== undefined;
  }
  return false;
}

function documentEntryFromEbxml(o: ExtrinsicObject): DocumentEntry {
  const slots = takeSlots(o.slots, DE_SLOTS);
  const ids = takeIdentifiers(o.externalIdentifiers, o.id, DE_IDENTIFIERS);
  const de: DocumentEntry = {
    type: 'DocumentEntry',
    ...common(o),
    ...slots.found,
    ...ids.found,
    confidentialityCodes: [],
    eventCodes: [],
    authors: [],
    extraSlots: slots.extra,
  };
  if (o.objectType !== undefined) de.objectType = o.objectType;
  if (o.mimeType !== undefined) de.mimeType = o.mimeType;
  if (o.isOpaque !== undefined) de.isOpaque = o.isOpaque;
  const extraC = o.classifications.filter((c) => !placeDocumentEntryClassification(de, c));
  return withExtras(de, extraC, ids.extra);
}

// ---- SubmissionSet and Folder ----

type PackageType = keyof typeof PACKAGE_NODES;

/** The package type and nested marker id, from the first nested Classification that is exactly a type marker. */
function nestedMarker(p: RegistryPackage): { type: PackageType; id: string; index: number } | undefined {
  for (let i = 0; i < p.classifications.length; i++) {
    for (const type of ['SubmissionSet', 'Folder'] as const) {
      const m = nodeFromClassification(p.classifications[i], p.id, PACKAGE_NODES[type].marker);
      if (m) return { type, id: m.id, index: i };
    }
  }
  return undefined;
}

/** A top-level Classification that is exactly a type marker for some package: its target and type. */
function siblingMarkerType(c: Classification): PackageType | undefined {
  for (const type of ['SubmissionSet', 'Folder'] as const) {
    if (nodeFromClassification(c, c.classifiedObject, PACKAGE_NODES[type].marker)) return type;
  }
  return undefined;
}

function submissionSetFromEbxml(p: RegistryPackage, marker: SubmissionSet['marker'], classifications: Classification[]): SubmissionSet {
  const slots = takeSlots(p.slots, SS_SLOTS);
  const ids = takeIdentifiers(p.externalIdentifiers, p.id, SS_IDENTIFIERS);
  const ss: SubmissionSet = { type: 'SubmissionSet', ...common(p), ...slots.found, ...ids.found, authors: [], extraSlots: slots.extra };
  if (marker) ss.marker = marker;
  const extraC = classifications.filter((c) => {
    if (c.classificationScheme === CS.ssAuthor) return !pushIf<Author>(ss.authors, authorFromClassification(c, p.id));
    if (c.classificationScheme === CS.contentTypeCode && !ss.contentTypeCode) {
      const code = codeFromClassification(c, p.id);
      if (code) ss.contentTypeCode = code;
      return code === undefined;
    }
    const limited = ss.limitedMetadata ? undefined : nodeFromClassification(c, p.id, NODE.limitedSubmissionSet);
    if (limited) ss.limitedMetadata = limited;
    return limited === undefined;
  });
  return withExtras(ss, extraC, ids.extra);
}

function folderFromEbxml(p: RegistryPackage, marker: Folder['marker'], classifications: Classification[]): Folder {
  const slots = takeSlots(p.slots, FOLDER_SLOTS);
  const ids = takeIdentifiers(p.externalIdentifiers, p.id, FOLDER_IDENTIFIERS);
  const folder: Folder = { type: 'Folder', ...common(p), ...slots.found, ...ids.found, codes: [], extraSlots: slots.extra };
  if (marker) folder.marker = marker;
  const extraC = classifications.filter((c) => {
    if (c.classificationScheme === CS.folderCodeList) return !pushIf<Code>(folder.codes, codeFromClassification(c, p.id));
    const limited = folder.limitedMetadata ? undefined : nodeFromClassification(c, p.id, NODE.limitedFolder);
    if (limited) folder.limitedMetadata = limited;
    return limited === undefined;
  });
  return withExtras(folder, extraC, ids.extra);
}

/** A RegistryPackage as SubmissionSet or Folder; `sibling` is a top-level marker found for it, if any. */
function packageFromEbxml(p: RegistryPackage, sibling?: { type: PackageType; id: string }): SubmissionSet | Folder | undefined {
  const nested = nestedMarker(p);
  const found = nested ?? sibling;
  if (!found) return undefined;
  const marker = { id: found.id, nested: nested !== undefined };
  const rest = nested ? p.classifications.filter((_, i) => i !== nested.index) : p.classifications;
  return found.type === 'SubmissionSet' ? submissionSetFromEbxml(p, marker, rest) : folderFromEbxml(p, marker, rest);
}

// ---- Association ----

function associationFromEbxml(a: Association): XdsAssociation {
  const slots = takeSlots(a.slots, ASSOCIATION_SLOTS);
  const assoc: XdsAssociation = {
    type: 'Association',
    ...common(a),
    ...slots.found,
    associationType: a.associationType,
    sourceObject: a.sourceObject,
    targetObject: a.targetObject,
    extraSlots: slots.extra,
  };
  const extraC = a.classifications.filter((c) => {
    const code = c.classificationScheme === CS.associationDocumentation && !assoc.documentation ? codeFromClassification(c, a.id) : undefined;
    if (code) assoc.documentation = code;
    return code === undefined;
  });
  return withExtras(assoc, extraC, a.externalIdentifiers);
}

// ---- Entry points ----

/**
 * One registry object as an XDS object. A RegistryPackage needs its type marker nested, or passed as
 * `siblingMarker` (a top-level Classification); without one, and for Classification / ExternalIdentifier,
 * the result is undefined.
 */
export function xdsObjectFromEbxml(o: RegistryObject, siblingMarker?: Classification): XdsObject | undefined {
  switch (o.kind) {
    case 'ExtrinsicObject':
      return documentEntryFromEbxml(o);
    case 'Association':
      return associationFromEbxml(o);
    case 'RegistryPackage': {
      const type = siblingMarker && siblingMarker.classifiedObject === o.id ? siblingMarkerType(siblingMarker) : undefined;
      return packageFromEbxml(o, type && siblingMarker ? { type, id: siblingMarker.id } : undefined);
    }
    default:
      return undefined;
  }
}

/** A whole RegistryObjectList (ITI-41/42/57 metadata or a query result) as a Submission. */
export function submissionFromEbxml(objects: RegistryObjectListItem[]): Submission {
  const packageIds = new Set(objects.filter((o) => o.kind === 'RegistryPackage').map((o) => o.id));
  // Candidate sibling markers per package id, in document order.
  const siblings = new Map<string, Array<{ type: PackageType; marker: Classification }>>();
  for (const o of objects) {
    if (o.kind !== 'Classification' || !packageIds.has(o.classifiedObject)) continue;
    const type = siblingMarkerType(o);
    if (type) siblings.set(o.classifiedObject, [...(siblings.get(o.classifiedObject) ?? []), { type, marker: o }]);
  }
  const consumed = new Set<Classification>();
  const sub: Submission = { submissionSets: [], documentEntries: [], folders: [], associations: [], unclassified: [] };
  const packages = new Map<RegistryPackage, SubmissionSet | Folder | undefined>();
  for (const o of objects) {
    if (o.kind !== 'RegistryPackage') continue;
    const sibling = nestedMarker(o) ? undefined : siblings.get(o.id)?.[0];
    if (sibling) consumed.add(sibling.marker);
    packages.set(o, packageFromEbxml(o, sibling && { type: sibling.type, id: sibling.marker.id }));
  }
  for (const o of objects) {
    const p = o.kind === 'RegistryPackage' ? packages.get(o) : undefined;
    if (o.kind === 'ExtrinsicObject') sub.documentEntries.push(documentEntryFromEbxml(o));
    else if (o.kind === 'Association') sub.associations.push(associationFromEbxml(o));
    else if (p?.type === 'SubmissionSet') sub.submissionSets.push(p);
    else if (p?.type === 'Folder') sub.folders.push(p);
    else if (!(o.kind === 'Classification' && consumed.has(o))) sub.unclassified.push(o);
  }
  return sub;
}
