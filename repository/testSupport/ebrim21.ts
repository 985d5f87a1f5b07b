/**
 * Test-only: turns a NIST testkit ebRIM 2.1 SubmitObjectsRequest into the ebRIM 3.0 one the toolkit would send
 * (corpus NOTES.md 5.1 and 5.3): drop ObjectRefs, schema order of children, ids on Classification /
 * Association / ExternalIdentifier, full association type and status URNs, objectType URNs, xml:lang; then the
 * toolkit's own rewriting: fresh uniqueIds and (unless keepPatientIds) the test's patient id everywhere.
 */
import { IDENTIFICATION_SCHEME, OBJECT_TYPE } from '../../shared/xds/constants';
import { NS } from '../../shared/xml/namespaces';
import { parseXml } from '../../shared/xml/parse';
import type { XmlElement } from '../../shared/xml/tree';
import { escapeAttr, escapeText } from '../../shared/xml/write';

const RIM21 = 'urn:oasis:names:tc:ebxml-regrep:rim:xsd:2.1';
const ORDER = ['Slot', 'Name', 'Description', 'VersionInfo', 'Classification', 'ExternalIdentifier'];
const IHE_ASSOCIATIONS = new Set(['RPLC', 'APND', 'XFRM', 'XFRM_RPLC', 'signs']);
const PATIENT_SCHEMES = new Set<string>([IDENTIFICATION_SCHEME.docPatientId, IDENTIFICATION_SCHEME.ssPatientId, IDENTIFICATION_SCHEME.folderPatientId]);
const UNIQUE_ID_SCHEMES = new Set<string>([IDENTIFICATION_SCHEME.docUniqueId, IDENTIFICATION_SCHEME.ssUniqueId, IDENTIFICATION_SCHEME.folderUniqueId]);
const OBJECT_TYPES: Record<string, string> = {
  RegistryPackage: OBJECT_TYPE.registryPackage,
  Association: OBJECT_TYPE.association,
  Classification: OBJECT_TYPE.classification,
  ExternalIdentifier: OBJECT_TYPE.externalIdentifier,
};

export interface ConvertOptions {
  /** The test's patient id, written into every patientId ExternalIdentifier (the toolkit's default). */
  patientId?: string;
  /** Returns a fresh uniqueId for a symbolic or fixed one (called once per uniqueId ExternalIdentifier). */
  newUniqueId: (old: string) => string;
}

export interface Converted {
  /** lcm:SubmitObjectsRequest, ebRIM 3.0. */
  xml: string;
  /** Old → new uniqueId, e.g. Document01 → 1.2.3... */
  uniqueIds: Map<string, string>;
}

export function convertEbrim21(xml21: string, opts: ConvertOptions): Converted {
  const root = parseXml(xml21);
  const list = root.children.find((c) => c.local === 'LeafRegistryObjectList');
  if (!list) throw new Error('not an ebRIM 2.1 SubmitObjectsRequest (no LeafRegistryObjectList)');
  let seq = 0;
  const uniqueIds = new Map<string, string>();

  function convert(el: XmlElement, parentId: string | undefined): string {
    if (el.ns !== RIM21) throw new Error(`unexpected element {${el.ns}}${el.local}`);
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(el.attrs)) {
      if (k === 'majorVersion' || k === 'minorVersion') continue;
      attrs[k === 'lang' ? 'xml:lang' : k] = v;
    }
    const local = el.local;
    if ((local === 'Classification' || local === 'Association' || local === 'ExternalIdentifier') && !attrs.id) attrs.id = `id_${++seq}`;
    if (local === 'ExternalIdentifier' && parentId !== undefined) attrs.registryObject = parentId;
    if (OBJECT_TYPES[local] && !attrs.objectType) attrs.objectType = OBJECT_TYPES[local];
    if (local === 'Association' && attrs.associationType && !attrs.associationType.includes(':')) {
      attrs.associationType = IHE_ASSOCIATIONS.has(attrs.associationType)
        ? `urn:ihe:iti:2007:AssociationType:${attrs.associationType}`
        : `urn:oasis:names:tc:ebxml-regrep:AssociationType:${attrs.associationType}`;
    }
    if (attrs.status && !attrs.status.includes(':')) attrs.status = `urn:oasis:names:tc:ebxml-regrep:StatusType:${attrs.status}`;
    if (local === 'ExternalIdentifier') {
      const scheme = attrs.identificationScheme ?? '';
      if (PATIENT_SCHEMES.has(scheme) && opts.patientId !== undefined) attrs.value = opts.patientId;
      if (UNIQUE_ID_SCHEMES.has(scheme) && attrs.value !== undefined) {
        const fresh = uniqueIds.get(attrs.value) ?? opts.newUniqueId(attrs.value);
        uniqueIds.set(attrs.value, fresh);
        attrs.value = fresh;
      }
    }
    const kids = el.children.filter((c) => !(c.local === 'Description' && c.children.length === 0));
    const rank = (c: XmlElement): number => (ORDER.includes(c.local) ? ORDER.indexOf(c.local) : ORDER.length);
    const ordered = [...kids].sort((a, b) => rank(a) - rank(b));
    const inner = ordered.map((c) => convert(c, attrs.id ?? parentId)).join('') + (el.children.length === 0 ? escapeText(el.text.trim() === '' ? '' : el.text) : '');
    const attrText = Object.entries(attrs)
      .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
      .join('');
    return inner === '' ? `<rim:${local}${attrText}/>` : `<rim:${local}${attrText}>${inner}</rim:${local}>`;
  }

  const objects = list.children.filter((c) => c.local !== 'ObjectRef').map((c) => convert(c, undefined));
  const xml = `<lcm:SubmitObjectsRequest xmlns:lcm="${NS.lcm}" xmlns:rim="${NS.rim}"><rim:RegistryObjectList>${objects.join('')}</rim:RegistryObjectList></lcm:SubmitObjectsRequest>`;
  return { xml, uniqueIds };
}
