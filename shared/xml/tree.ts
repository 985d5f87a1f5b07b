/**
 * The namespace-resolved element tree every parser in shared/ produces.
 * Prefixes are gone: an element is identified by (ns, local) whatever prefix the sender used.
 */
export interface XmlElement {
  /** Namespace URI ('' when the element is in no namespace). */
  ns: string;
  /** Local name, without prefix. */
  local: string;
  /**
   * Attributes. Unqualified attributes are keyed by their local name (`id`, `mimeType`);
   * namespace-qualified ones by `{uri}local` (e.g. `{http://www.w3.org/XML/1998/namespace}lang`).
   * xmlns declarations are not included.
   */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element (not trimmed). */
  text: string;
}

/** First child element with this namespace and local name. */
export function child(el: XmlElement, ns: string, local: string): XmlElement | undefined {
  for (const c of el.children) if (c.local === local && c.ns === ns) return c;
  return undefined;
}

/** All child elements with this namespace and local name. */
export function children(el: XmlElement, ns: string, local: string): XmlElement[] {
  return el.children.filter((c) => c.local === local && c.ns === ns);
}

/** Qualified attribute key for namespaced attributes. */
export function qattr(ns: string, local: string): string {
  return `{${ns}}${local}`;
}
