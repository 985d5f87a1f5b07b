/**
 * ebRIM wire objects → XML text with the rim: prefix, children in schema order
 * (Slot, Name, Description, VersionInfo, Classification, ExternalIdentifier; ContentVersionInfo last).
 * Template strings and one escape function per context (shared/xml/write.ts), for speed.
 * The functions here emit no namespace declarations; build.ts adds them on the outermost element.
 */
import { escapeAttr as ea, escapeText as et } from '../xml/write';
import type {
  Association,
  Classification,
  ExternalIdentifier,
  ExtrinsicObject,
  InternationalString,
  RegistryObjectBase,
  RegistryObjectListItem,
  Slot,
  VersionInfo,
} from './types';

/** ` name="value"` when value is defined. */
function a(name: string, value: string | undefined): string {
  return value === undefined ? '' : ` ${name}="${ea(value)}"`;
}

export function slotXml(s: Slot): string {
  let values = '';
  for (const v of s.values) values += `<rim:Value>${et(v)}</rim:Value>`;
  const list = values === '' ? '<rim:ValueList/>' : `<rim:ValueList>${values}</rim:ValueList>`;
  return `<rim:Slot name="${ea(s.name)}"${a('slotType', s.slotType)}>${list}</rim:Slot>`;
}

function internationalXml(tag: string, is: InternationalString): string {
  if (is.length === 0) return `<rim:${tag}/>`;
  let inner = '';
  for (const ls of is) inner += `<rim:LocalizedString${a('xml:lang', ls.lang)}${a('charset', ls.charset)} value="${ea(ls.value)}"/>`;
  return `<rim:${tag}>${inner}</rim:${tag}>`;
}

function versionXml(tag: string, v: VersionInfo): string {
  return `<rim:${tag} versionName="${ea(v.versionName)}"${a('comment', v.comment)}/>`;
}

/** Attributes every RegistryObject has, in a fixed order. */
function baseAttrs(o: RegistryObjectBase): string {
  return ` id="${ea(o.id)}"${a('home', o.home)}${a('lid', o.lid)}${a('objectType', o.objectType)}${a('status', o.status)}`;
}

/** Children every RegistryObject has, in schema order. */
function baseChildren(o: RegistryObjectBase): string {
  let out = '';
  for (const s of o.slots) out += slotXml(s);
  if (o.name) out += internationalXml('Name', o.name);
  if (o.description) out += internationalXml('Description', o.description);
  if (o.versionInfo) out += versionXml('VersionInfo', o.versionInfo);
  for (const c of o.classifications) out += classificationXml(c, '');
  for (const e of o.externalIdentifiers) out += externalIdentifierXml(e, '');
  return out;
}

function wrap(tag: string, attrs: string, inner: string): string {
  return inner === '' ? `<rim:${tag}${attrs}/>` : `<rim:${tag}${attrs}>${inner}</rim:${tag}>`;
}

function classificationXml(c: Classification, decls: string): string {
  const attrs =
    `${baseAttrs(c)} classifiedObject="${ea(c.classifiedObject)}"` +
    `${a('classificationScheme', c.classificationScheme)}${a('classificationNode', c.classificationNode)}${a('nodeRepresentation', c.nodeRepresentation)}`;
  return wrap('Classification', decls + attrs, baseChildren(c));
}

function externalIdentifierXml(e: ExternalIdentifier, decls: string): string {
  const attrs = `${baseAttrs(e)} registryObject="${ea(e.registryObject)}" identificationScheme="${ea(e.identificationScheme)}" value="${ea(e.value)}"`;
  return wrap('ExternalIdentifier', decls + attrs, baseChildren(e));
}

function extrinsicObjectXml(o: ExtrinsicObject, decls: string): string {
  let inner = baseChildren(o);
  if (o.contentVersionInfo) inner += versionXml('ContentVersionInfo', o.contentVersionInfo);
  return wrap('ExtrinsicObject', `${decls}${baseAttrs(o)}${a('mimeType', o.mimeType)}${a('isOpaque', o.isOpaque)}`, inner);
}

function associationXml(o: Association, decls: string): string {
  const attrs = `${baseAttrs(o)} associationType="${ea(o.associationType)}" sourceObject="${ea(o.sourceObject)}" targetObject="${ea(o.targetObject)}"`;
  return wrap('Association', decls + attrs, baseChildren(o));
}

/** One RegistryObjectList member. `decls` (e.g. ` xmlns:rim="..."`) is placed first on the element. */
export function registryObjectXml(o: RegistryObjectListItem, decls = ''): string {
  switch (o.kind) {
    case 'ExtrinsicObject':
      return extrinsicObjectXml(o, decls);
    case 'RegistryPackage':
      return wrap('RegistryPackage', decls + baseAttrs(o), baseChildren(o));
    case 'Association':
      return associationXml(o, decls);
    case 'Classification':
      return classificationXml(o, decls);
    case 'ExternalIdentifier':
      return externalIdentifierXml(o, decls);
    case 'ObjectRef':
      return `<rim:ObjectRef${decls} id="${ea(o.id)}"${a('home', o.home)}/>`;
  }
}

export function registryObjectListXml(items: RegistryObjectListItem[], decls = ''): string {
  let inner = '';
  for (const o of items) inner += registryObjectXml(o);
  return inner === '' ? `<rim:RegistryObjectList${decls}/>` : `<rim:RegistryObjectList${decls}>${inner}</rim:RegistryObjectList>`;
}
