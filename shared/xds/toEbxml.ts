/**
 * XDS model → ebRIM wire objects (the inverse of fromEbxml.ts).
 *
 * Sub-objects get `classifiedObject` / `registryObject` = the owner's current entryUuid, their recorded id,
 * or a deterministic one from the owner id (subObjectId) when the model has none. Classification,
 * ExternalIdentifier, Association and RegistryPackage always carry their standard objectType.
 * Known slots come first in table order (fields.ts), then extraSlots; codes and identifiers likewise.
 */
import type { Association, Classification, ExternalIdentifier, ExtrinsicObject, RegistryObject, RegistryObjectListItem, RegistryPackage, Slot } from '../ebxml/types';
import type { DocumentEntry, Folder, Identifier, Submission, SubmissionSet, XdsAssociation, XdsObject } from './model';
import { CLASSIFICATION_SCHEME as CS, NODE, OBJECT_TYPE } from './constants';
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
import { authorToClassification, codeToClassification, identifierToExternalIdentifier, nodeToClassification } from './subObjects';

/** Attributes and children every registry object shares, from the model's common fields. */
function base(o: XdsObject, slots: Slot[], classifications: Classification[], externalIdentifiers: ExternalIdentifier[]) {
  const b: Omit<RegistryPackage, 'kind'> = {
    id: o.entryUuid,
    slots: [...slots, ...o.extraSlots],
    classifications: [...classifications, ...(o.extraClassifications ?? [])],
    externalIdentifiers: [...externalIdentifiers, ...(o.extraExternalIdentifiers ?? [])],
  };
  if (o.home !== undefined) b.home = o.home;
  if (o.lid !== undefined) b.lid = o.lid;
  if (o.status !== undefined) b.status = o.status;
  if (o.title) b.name = o.title;
  if (o.comments) b.description = o.comments;
  if (o.version !== undefined) b.versionInfo = { versionName: o.version };
  return b;
}

function slotsOf<T, K extends keyof T>(o: T, table: ReadonlyArray<readonly [string, K]>): Slot[] {
  const out: Slot[] = [];
  for (const [name, field] of table) {
    const values = o[field] as string[] | undefined;
    if (values !== undefined) out.push({ name, values: [...values] });
  }
  return out;
}

function identifiersOf<T, K extends keyof T>(o: T & { entryUuid: string }, table: ReadonlyArray<readonly [string, K]>): ExternalIdentifier[] {
  const out: ExternalIdentifier[] = [];
  for (const [scheme, field] of table) {
    const i = o[field] as Identifier | undefined;
    if (i) out.push(identifierToExternalIdentifier(i, o.entryUuid, scheme, String(field)));
  }
  return out;
}

function documentEntryToEbxml(de: DocumentEntry): ExtrinsicObject {
  const id = de.entryUuid;
  const cls: Classification[] = de.authors.map((a, i) => authorToClassification(a, id, CS.docAuthor, `author.${i}`));
  for (const [scheme, field] of DE_SINGLE_CODES) {
    const code = de[field];
    if (code) cls.push(codeToClassification(code, id, scheme, field));
  }
  for (const [scheme, field] of DE_CODE_LISTS) de[field].forEach((c, i) => cls.push(codeToClassification(c, id, scheme, `${field}.${i}`)));
  if (de.limitedMetadata) cls.push(nodeToClassification(de.limitedMetadata.id, id, NODE.limitedDocumentEntry, 'limitedMetadata'));
  const eo: ExtrinsicObject = { kind: 'ExtrinsicObject', ...base(de, slotsOf(de, DE_SLOTS), cls, identifiersOf(de, DE_IDENTIFIERS)) };
  if (de.objectType !== undefined) eo.objectType = de.objectType;
  if (de.mimeType !== undefined) eo.mimeType = de.mimeType;
  if (de.isOpaque !== undefined) eo.isOpaque = de.isOpaque;
  return eo;
}

/** The package's type-marker Classification (its recorded id, or a generated one). */
function markerOf(p: SubmissionSet | Folder): Classification {
  return nodeToClassification(p.marker?.id, p.entryUuid, PACKAGE_NODES[p.type].marker, 'marker');
}

function packageToEbxml(p: SubmissionSet | Folder, nestMarker: boolean): RegistryPackage {
  const id = p.entryUuid;
  const cls: Classification[] = nestMarker ? [markerOf(p)] : [];
  let slots: Slot[];
  let ids: ExternalIdentifier[];
  if (p.type === 'SubmissionSet') {
    cls.push(...p.authors.map((a, i) => authorToClassification(a, id, CS.ssAuthor, `author.${i}`)));
    if (p.contentTypeCode) cls.push(codeToClassification(p.contentTypeCode, id, CS.contentTypeCode, 'contentTypeCode'));
    slots = slotsOf(p, SS_SLOTS);
    ids = identifiersOf(p, SS_IDENTIFIERS);
  } else {
    cls.push(...p.codes.map((c, i) => codeToClassification(c, id, CS.folderCodeList, `codeList.${i}`)));
    slots = slotsOf(p, FOLDER_SLOTS);
    ids = identifiersOf(p, FOLDER_IDENTIFIERS);
  }
  if (p.limitedMetadata) cls.push(nodeToClassification(p.limitedMetadata.id, id, PACKAGE_NODES[p.type].limited, 'limitedMetadata'));
  return { kind: 'RegistryPackage', ...base(p, slots, cls, ids), objectType: OBJECT_TYPE.registryPackage };
}

function associationToEbxml(a: XdsAssociation): Association {
  const cls = a.documentation ? [codeToClassification(a.documentation, a.entryUuid, CS.associationDocumentation, 'documentation')] : [];
  return {
    kind: 'Association',
    ...base(a, slotsOf(a, ASSOCIATION_SLOTS), cls, []),
    objectType: OBJECT_TYPE.association,
    associationType: a.associationType,
    sourceObject: a.sourceObject,
    targetObject: a.targetObject,
  };
}

/**
 * One XDS object as a registry object. A SubmissionSet / Folder always carries its type marker nested here
 * (a standalone package must say what it is, e.g. in a query response); submissionToEbxml honours a
 * recorded sibling marker instead.
 */
export function xdsObjectToEbxml(o: XdsObject): RegistryObject {
  switch (o.type) {
    case 'DocumentEntry':
      return documentEntryToEbxml(o);
    case 'SubmissionSet':
    case 'Folder':
      return packageToEbxml(o, true);
    case 'Association':
      return associationToEbxml(o);
  }
}

/** A Submission as a RegistryObjectList: entries, packages (each followed by its sibling marker, if recorded so), associations, then the unclassified objects. */
export function submissionToEbxml(s: Submission): RegistryObjectListItem[] {
  const out: RegistryObjectListItem[] = s.documentEntries.map(documentEntryToEbxml);
  for (const p of [...s.submissionSets, ...s.folders]) {
    const sibling = p.marker?.nested === false;
    out.push(packageToEbxml(p, !sibling));
    if (sibling) out.push(markerOf(p));
  }
  out.push(...s.associations.map(associationToEbxml), ...s.unclassified);
  return out;
}
