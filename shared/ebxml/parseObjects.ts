/**
 * rim:* elements (namespace-resolved XmlElement) → ebRIM wire objects.
 * Elements are matched by namespace + local name only. Children of a RegistryObject must come in the
 * schema order (Slot*, Name?, Description?, VersionInfo?, Classification*, ExternalIdentifier*, then
 * ContentVersionInfo? on an ExtrinsicObject); anything else is a metadata error, because the model
 * cannot carry it and the schema forbids it.
 */
import { NS } from '../xml/namespaces';
import type { XmlElement } from '../xml/tree';
import type {
  Association,
  Classification,
  ExternalIdentifier,
  ExtrinsicObject,
  InternationalString,
  LocalizedString,
  ObjectRef,
  RegistryObjectBase,
  RegistryObjectListItem,
  RegistryPackage,
  Slot,
  VersionInfo,
} from './types';
import { elementLabel, is, metadataError, optionalAttrs, qname, requireAttr, unexpectedChild } from './parseSupport';

const XML_LANG = `{${NS.xml}}lang`;

export function parseSlot(el: XmlElement): Slot {
  const slot: Slot = { name: requireAttr(el, 'name'), values: [] };
  if (el.attrs.slotType !== undefined) slot.slotType = el.attrs.slotType;
  for (const list of el.children) {
    if (!is(list, NS.rim, 'ValueList')) throw unexpectedChild(el, list);
    for (const v of list.children) {
      if (!is(v, NS.rim, 'Value')) throw unexpectedChild(list, v);
      slot.values.push(v.text);
    }
  }
  return slot;
}

export function parseInternationalString(el: XmlElement): InternationalString {
  const out: InternationalString = [];
  for (const c of el.children) {
    if (!is(c, NS.rim, 'LocalizedString')) throw unexpectedChild(el, c);
    const ls: LocalizedString = { value: requireAttr(c, 'value') };
    const lang = c.attrs[XML_LANG];
    if (lang !== undefined) ls.lang = lang;
    if (c.attrs.charset !== undefined) ls.charset = c.attrs.charset;
    out.push(ls);
  }
  return out;
}

function parseVersionInfo(el: XmlElement): VersionInfo {
  // versionName is optional in the schema with default "1.1".
  const vi: VersionInfo = { versionName: el.attrs.versionName ?? '1.1' };
  if (el.attrs.comment !== undefined) vi.comment = el.attrs.comment;
  return vi;
}

/** Schema position of each RegistryObject child; the same rank twice is only allowed for repeatable ones. */
const RANK: Record<string, { rank: number; repeatable: boolean }> = {
  Slot: { rank: 0, repeatable: true },
  Name: { rank: 1, repeatable: false },
  Description: { rank: 2, repeatable: false },
  VersionInfo: { rank: 3, repeatable: false },
  Classification: { rank: 4, repeatable: true },
  ExternalIdentifier: { rank: 5, repeatable: true },
  ContentVersionInfo: { rank: 6, repeatable: false },
};

/** Attributes and children common to every RegistryObject. `allowContentVersionInfo` only for ExtrinsicObject. */
function parseBase(el: XmlElement, allowContentVersionInfo: boolean): { base: RegistryObjectBase; contentVersionInfo?: VersionInfo } {
  const base: RegistryObjectBase = {
    id: requireAttr(el, 'id'),
    ...optionalAttrs(el, ['home', 'lid', 'objectType', 'status'] as const),
    slots: [],
    classifications: [],
    externalIdentifiers: [],
  };
  let contentVersionInfo: VersionInfo | undefined;
  let last = -1;
  for (const c of el.children) {
    const pos = c.ns === NS.rim ? RANK[c.local] : undefined;
    if (!pos || (pos.rank === 6 && !allowContentVersionInfo)) throw unexpectedChild(el, c);
    if (pos.rank < last || (pos.rank === last && !pos.repeatable)) {
      throw metadataError(`${elementLabel(el)}: ${qname(c)} is out of schema order (expected Slot, Name, Description, VersionInfo, Classification, ExternalIdentifier)`);
    }
    last = pos.rank;
    switch (c.local) {
      case 'Slot':
        base.slots.push(parseSlot(c));
        break;
      case 'Name':
        base.name = parseInternationalString(c);
        break;
      case 'Description':
        base.description = parseInternationalString(c);
        break;
      case 'VersionInfo':
        base.versionInfo = parseVersionInfo(c);
        break;
      case 'Classification':
        base.classifications.push(parseClassification(c));
        break;
      case 'ExternalIdentifier':
        base.externalIdentifiers.push(parseExternalIdentifier(c));
        break;
      default:
        contentVersionInfo = parseVersionInfo(c);
    }
  }
  return contentVersionInfo ? { base, contentVersionInfo } : { base };
}

export function parseClassification(el: XmlElement): Classification {
  const { base } = parseBase(el, false);
  return {
    kind: 'Classification',
    ...base,
    classifiedObject: requireAttr(el, 'classifiedObject'),
    ...optionalAttrs(el, ['classificationScheme', 'classificationNode', 'nodeRepresentation'] as const),
  };
}

export function parseExternalIdentifier(el: XmlElement): ExternalIdentifier {
  const { base } = parseBase(el, false);
  return {
    kind: 'ExternalIdentifier',
    ...base,
    registryObject: requireAttr(el, 'registryObject'),
    identificationScheme: requireAttr(el, 'identificationScheme'),
    value: requireAttr(el, 'value'),
  };
}

function parseExtrinsicObject(el: XmlElement): ExtrinsicObject {
  const { base, contentVersionInfo } = parseBase(el, true);
  const eo: ExtrinsicObject = { kind: 'ExtrinsicObject', ...base, ...optionalAttrs(el, ['mimeType', 'isOpaque'] as const) };
  if (contentVersionInfo) eo.contentVersionInfo = contentVersionInfo;
  return eo;
}

function parseRegistryPackage(el: XmlElement): RegistryPackage {
  // A nested rim:RegistryObjectList is legal ebRIM but unused by XDS and not representable: parseBase rejects it.
  return { kind: 'RegistryPackage', ...parseBase(el, false).base };
}

function parseAssociation(el: XmlElement): Association {
  return {
    kind: 'Association',
    ...parseBase(el, false).base,
    associationType: requireAttr(el, 'associationType'),
    sourceObject: requireAttr(el, 'sourceObject'),
    targetObject: requireAttr(el, 'targetObject'),
  };
}

/** rim:ObjectRef. Its optional Slots and createReplica are not part of the wire type and are ignored. */
export function parseObjectRef(el: XmlElement): ObjectRef {
  const ref: ObjectRef = { kind: 'ObjectRef', id: requireAttr(el, 'id') };
  if (el.attrs.home !== undefined) ref.home = el.attrs.home;
  return ref;
}

/** One member of a rim:RegistryObjectList (or a nested Classification / ExternalIdentifier). */
export function parseRegistryObject(el: XmlElement): RegistryObjectListItem {
  if (el.ns === NS.rim) {
    switch (el.local) {
      case 'ExtrinsicObject':
        return parseExtrinsicObject(el);
      case 'RegistryPackage':
        return parseRegistryPackage(el);
      case 'Association':
        return parseAssociation(el);
      case 'Classification':
        return parseClassification(el);
      case 'ExternalIdentifier':
        return parseExternalIdentifier(el);
      case 'ObjectRef':
        return parseObjectRef(el);
    }
  }
  throw metadataError(`${elementLabel(el)} is not a registry object XDS supports (ExtrinsicObject, RegistryPackage, Association, Classification, ExternalIdentifier, ObjectRef)`);
}

/** rim:RegistryObjectList → its members in document order. */
export function parseRegistryObjectList(el: XmlElement): RegistryObjectListItem[] {
  if (!is(el, NS.rim, 'RegistryObjectList')) throw metadataError(`expected rim:RegistryObjectList, found ${qname(el)}`);
  return el.children.map(parseRegistryObject);
}
