/**
 * ebRIM 2.1 → 3.0 conversion of testkit submissions, the way the toolkit's TranslateToV3 does it before sending
 * (NOTES.md section 5.3). Input and output are namespace-resolved trees; the result is an lcm:SubmitObjectsRequest.
 */
import { NS } from '../shared/xml/namespaces';
import type { XmlElement } from '../shared/xml/tree';
import { ASSOCIATION_TYPE, OBJECT_TYPE } from '../shared/xds/constants';
import { allElements, newElement } from './xmlTree';

export const NS_RIM21 = 'urn:oasis:names:tc:ebxml-regrep:rim:xsd:2.1';
export const NS_RS21 = 'urn:oasis:names:tc:ebxml-regrep:registry:xsd:2.1';

export function isEbrim21(root: XmlElement): boolean {
  return allElements(root).some((e) => e.ns === NS_RIM21 || e.ns === NS_RS21);
}

/** Children of every registry object, in the order ebRIM 3.0's schema requires. */
const CHILD_ORDER = ['Slot', 'Name', 'Description', 'VersionInfo', 'Classification', 'ExternalIdentifier'];

const OBJECT_TYPE_BY_ELEMENT: Record<string, string> = {
  RegistryPackage: OBJECT_TYPE.registryPackage,
  Association: OBJECT_TYPE.association,
  Classification: OBJECT_TYPE.classification,
  ExternalIdentifier: OBJECT_TYPE.externalIdentifier,
};

const SHORT_ASSOCIATION_TYPES: Record<string, string> = {
  HasMember: ASSOCIATION_TYPE.HasMember,
  RPLC: ASSOCIATION_TYPE.RPLC,
  APND: ASSOCIATION_TYPE.APND,
  XFRM: ASSOCIATION_TYPE.XFRM,
  XFRM_RPLC: ASSOCIATION_TYPE.XFRM_RPLC,
  signs: ASSOCIATION_TYPE.signs,
};

const STATUS_PREFIX = 'urn:oasis:names:tc:ebxml-regrep:StatusType:';

interface IdCounter {
  next(): string;
}

function rank(local: string): number {
  const i = CHILD_ORDER.indexOf(local);
  return i === -1 ? CHILD_ORDER.length : i;
}

function convertAttrs(el: XmlElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(el.attrs)) {
    if (key === 'majorVersion' || key === 'minorVersion') continue;
    if (key === 'lang') out[`{${NS.xml}}lang`] = value;
    else if (key === 'associationType') out[key] = SHORT_ASSOCIATION_TYPES[value] ?? value;
    else if (key === 'status' && !value.startsWith('urn:')) out[key] = STATUS_PREFIX + value;
    else out[key] = value;
  }
  return out;
}

function convertElement(el: XmlElement, parentId: string | undefined, ids: IdCounter): XmlElement {
  const attrs = convertAttrs(el);
  const local = el.local;
  if (local === 'Classification' || local === 'Association' || local === 'ExternalIdentifier') {
    if (!attrs.id) attrs.id = ids.next();
  }
  if (local === 'ExternalIdentifier' && parentId !== undefined) attrs.registryObject = parentId;
  if (local === 'Classification' && parentId !== undefined && !attrs.classifiedObject) attrs.classifiedObject = parentId;
  const objectType = OBJECT_TYPE_BY_ELEMENT[local];
  if (objectType) attrs.objectType = objectType;

  const ownId = attrs.id;
  const children = el.children
    .filter((c) => c.local !== 'ObjectRef')
    .map((c) => convertElement(c, ownId, ids));
  // Array.prototype.sort is stable: same-kind children keep their order.
  children.sort((a, b) => rank(a.local) - rank(b.local));
  return newElement(el.ns === NS_RIM21 ? NS.rim : el.ns, local, attrs, children, el.children.length === 0 ? el.text : '');
}

/** ebRIM 2.1 SubmitObjectsRequest → ebRIM 3.0 lcm:SubmitObjectsRequest (ObjectRefs dropped). */
export function convertEbrim21(root: XmlElement): XmlElement {
  const list = allElements(root).find((e) => e.local === 'LeafRegistryObjectList');
  if (root.local !== 'SubmitObjectsRequest' || !list) throw new Error('not an ebRIM 2.1 SubmitObjectsRequest (no LeafRegistryObjectList)');
  let n = 0;
  const ids: IdCounter = { next: () => `id_${++n}` };
  // Existing id_N values must not be reused.
  for (const e of allElements(root)) {
    const m = /^id_(\d+)$/.exec(e.attrs.id ?? '');
    if (m) n = Math.max(n, Number(m[1]));
  }
  const objects = list.children.filter((c) => c.local !== 'ObjectRef').map((c) => convertElement(c, undefined, ids));
  return newElement(NS.lcm, 'SubmitObjectsRequest', {}, [newElement(NS.rim, 'RegistryObjectList', {}, objects)]);
}

const REGISTRY_OBJECTS = new Set(['ExtrinsicObject', 'RegistryPackage', 'Association', 'Classification', 'ExternalIdentifier']);

/**
 * Repair the two ebRIM 3.0 schema violations common in hand-written fixtures: children of a registry object out of
 * sequence (Slot, Name, Description, VersionInfo, Classification, ExternalIdentifier) and a nested
 * ExternalIdentifier without its required registryObject (set to the parent's id). Returns how many
 * elements were changed.
 */
export function repairEbrim30Schema(root: XmlElement): number {
  let changed = 0;
  for (const el of allElements(root)) {
    if (!REGISTRY_OBJECTS.has(el.local)) continue;
    const sorted = [...el.children].sort((a, b) => rank(a.local) - rank(b.local));
    if (sorted.some((c, i) => c !== el.children[i])) {
      el.children = sorted;
      changed++;
    }
    for (const c of el.children) {
      if (c.local === 'ExternalIdentifier' && c.attrs.registryObject === undefined && el.attrs.id !== undefined) {
        c.attrs.registryObject = el.attrs.id;
        changed++;
      }
    }
  }
  return changed;
}
