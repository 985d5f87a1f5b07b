/**
 * ebRIM wire objects → XML text with the rim: prefix, children in schema order
 * (Slot, Name, Description, VersionInfo, Classification, ExternalIdentifier; ContentVersionInfo last).
 * Writers append to one string array joined once at the end (faster than nested concatenation for
 * multi-megabyte query responses); values go through the escape functions in escape.ts.
 * The functions here emit no namespace declarations; build.ts adds them on the outermost element.
 */
import { attr as ea, text as et } from './escape';
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

type Out = string[];

/** ` name="value"` when value is defined. */
function a(name: string, value: string | undefined): string {
  return value === undefined ? '' : ` ${name}="${ea(value)}"`;
}

function writeSlot(out: Out, s: Slot): void {
  out.push(`<rim:Slot name="${ea(s.name)}"${a('slotType', s.slotType)}>`);
  if (s.values.length === 0) out.push('<rim:ValueList/>');
  else {
    out.push('<rim:ValueList>');
    for (const v of s.values) out.push(`<rim:Value>${et(v)}</rim:Value>`);
    out.push('</rim:ValueList>');
  }
  out.push('</rim:Slot>');
}

function writeInternational(out: Out, tag: string, is: InternationalString): void {
  if (is.length === 0) {
    out.push(`<rim:${tag}/>`);
    return;
  }
  out.push(`<rim:${tag}>`);
  for (const ls of is) out.push(`<rim:LocalizedString${a('xml:lang', ls.lang)}${a('charset', ls.charset)} value="${ea(ls.value)}"/>`);
  out.push(`</rim:${tag}>`);
}

function versionXml(tag: string, v: VersionInfo): string {
  return `<rim:${tag} versionName="${ea(v.versionName)}"${a('comment', v.comment)}/>`;
}

/** Attributes every RegistryObject has, in a fixed order. */
function baseAttrs(o: RegistryObjectBase): string {
  return ` id="${ea(o.id)}"${a('home', o.home)}${a('lid', o.lid)}${a('objectType', o.objectType)}${a('status', o.status)}`;
}

function hasChildren(o: RegistryObjectBase): boolean {
  return o.slots.length > 0 || !!o.name || !!o.description || !!o.versionInfo || o.classifications.length > 0 || o.externalIdentifiers.length > 0;
}

/** `<rim:tag attrs>` + the common children in schema order + `extra` + `</rim:tag>` (or `<rim:tag attrs/>` when empty). */
function writeObject(out: Out, tag: string, attrs: string, o: RegistryObjectBase, extra = ''): void {
  if (!hasChildren(o) && extra === '') {
    out.push(`<rim:${tag}${attrs}/>`);
    return;
  }
  out.push(`<rim:${tag}${attrs}>`);
  for (const s of o.slots) writeSlot(out, s);
  if (o.name) writeInternational(out, 'Name', o.name);
  if (o.description) writeInternational(out, 'Description', o.description);
  if (o.versionInfo) out.push(versionXml('VersionInfo', o.versionInfo));
  for (const c of o.classifications) writeClassification(out, c, '');
  for (const e of o.externalIdentifiers) writeExternalIdentifier(out, e, '');
  out.push(extra, `</rim:${tag}>`);
}

function writeClassification(out: Out, c: Classification, decls: string): void {
  const attrs =
    `${decls}${baseAttrs(c)} classifiedObject="${ea(c.classifiedObject)}"` +
    `${a('classificationScheme', c.classificationScheme)}${a('classificationNode', c.classificationNode)}${a('nodeRepresentation', c.nodeRepresentation)}`;
  writeObject(out, 'Classification', attrs, c);
}

function writeExternalIdentifier(out: Out, e: ExternalIdentifier, decls: string): void {
  const attrs = `${decls}${baseAttrs(e)} registryObject="${ea(e.registryObject)}" identificationScheme="${ea(e.identificationScheme)}" value="${ea(e.value)}"`;
  writeObject(out, 'ExternalIdentifier', attrs, e);
}

function writeExtrinsicObject(out: Out, o: ExtrinsicObject, decls: string): void {
  const cvi = o.contentVersionInfo ? versionXml('ContentVersionInfo', o.contentVersionInfo) : '';
  writeObject(out, 'ExtrinsicObject', `${decls}${baseAttrs(o)}${a('mimeType', o.mimeType)}${a('isOpaque', o.isOpaque)}`, o, cvi);
}

function writeAssociation(out: Out, o: Association, decls: string): void {
  const attrs = `${decls}${baseAttrs(o)} associationType="${ea(o.associationType)}" sourceObject="${ea(o.sourceObject)}" targetObject="${ea(o.targetObject)}"`;
  writeObject(out, 'Association', attrs, o);
}

function writeRegistryObject(out: Out, o: RegistryObjectListItem, decls: string): void {
  switch (o.kind) {
    case 'ExtrinsicObject':
      return writeExtrinsicObject(out, o, decls);
    case 'RegistryPackage':
      return writeObject(out, 'RegistryPackage', decls + baseAttrs(o), o);
    case 'Association':
      return writeAssociation(out, o, decls);
    case 'Classification':
      return writeClassification(out, o, decls);
    case 'ExternalIdentifier':
      return writeExternalIdentifier(out, o, decls);
    case 'ObjectRef':
      out.push(`<rim:ObjectRef${decls} id="${ea(o.id)}"${a('home', o.home)}/>`);
  }
}

export function slotXml(s: Slot): string {
  const out: Out = [];
  writeSlot(out, s);
  return out.join('');
}

/** One RegistryObjectList member. `decls` (e.g. ` xmlns:rim="..."`) is placed first on the element. */
export function registryObjectXml(o: RegistryObjectListItem, decls = ''): string {
  const out: Out = [];
  writeRegistryObject(out, o, decls);
  return out.join('');
}

export function registryObjectListXml(items: RegistryObjectListItem[], decls = ''): string {
  if (items.length === 0) return `<rim:RegistryObjectList${decls}/>`;
  const out: Out = [`<rim:RegistryObjectList${decls}>`];
  for (const o of items) writeRegistryObject(out, o, '');
  out.push('</rim:RegistryObjectList>');
  return out.join('');
}
