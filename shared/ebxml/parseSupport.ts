/**
 * Small helpers shared by the ebXML parsers: required attributes, element names for error messages,
 * and the one error shape every metadata problem is reported with.
 */
import { XdsError, registryError } from '../errors';
import { NS } from '../xml/namespaces';
import type { XmlElement } from '../xml/tree';

const PREFIX_OF: Record<string, string> = {
  [NS.rim]: 'rim',
  [NS.rs]: 'rs',
  [NS.lcm]: 'lcm',
  [NS.query]: 'query',
  [NS.xds]: 'xds',
  [NS.rmd]: 'rmd',
  [NS.xop]: 'xop',
};

/** `rim:Classification`, or `{urn:x}Foo` for an element outside the XDS namespaces (for messages only). */
export function qname(el: XmlElement): string {
  const p = PREFIX_OF[el.ns];
  return p ? `${p}:${el.local}` : el.ns ? `{${el.ns}}${el.local}` : el.local;
}

/** Element name plus its id when it has one: `rim:Classification id="cl01"`. */
export function elementLabel(el: XmlElement): string {
  const id = el.attrs.id;
  return id === undefined ? qname(el) : `${qname(el)} id="${id}"`;
}

/** The error for every malformed-metadata case; callers map the code where the transaction needs another. */
export function metadataError(codeContext: string): XdsError {
  return new XdsError(registryError('XDSRegistryMetadataError', codeContext));
}

export function requireAttr(el: XmlElement, name: string): string {
  const v = el.attrs[name];
  if (v === undefined) throw metadataError(`${elementLabel(el)} is missing the required attribute ${name}`);
  return v;
}

/** Copy the attributes that are present (absent ones stay absent, never `undefined`). */
export function optionalAttrs<K extends string>(el: XmlElement, names: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const n of names) {
    const v = el.attrs[n];
    if (v !== undefined) out[n] = v;
  }
  return out;
}

export function is(el: XmlElement, ns: string, local: string): boolean {
  return el.local === local && el.ns === ns;
}

export function unexpectedChild(parent: XmlElement, c: XmlElement): XdsError {
  return metadataError(`${elementLabel(parent)} contains the unexpected element ${qname(c)}`);
}

/** The single child with this name, or an error naming the parent when it is missing. */
export function requireChild(parent: XmlElement, ns: string, local: string, prefix: string): XmlElement {
  for (const c of parent.children) if (is(c, ns, local)) return c;
  throw metadataError(`${elementLabel(parent)} is missing the required element ${prefix}:${local}`);
}
