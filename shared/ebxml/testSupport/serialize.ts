/**
 * Test support only: writes an XmlElement back to XML in one of several namespace styles, to check that
 * parsing depends on namespaces and never on prefixes.
 * - `default`: no prefixes; an xmlns="..." wherever the namespace changes;
 * - `rootPrefixes`: prefixes ns0, ns1 ... all declared on the root element;
 * - `shadowed`: every element uses the prefix `p`, re-declared on each element (so `p` means different
 *   namespaces at different depths).
 */
import { escapeAttr, escapeText } from '../../xml/write';
import { NS } from '../../xml/namespaces';
import type { XmlElement } from '../../xml/tree';

export type NamespaceStyle = 'default' | 'rootPrefixes' | 'shadowed';

function collectNamespaces(el: XmlElement, out: Set<string>): Set<string> {
  if (el.ns) out.add(el.ns);
  for (const k of Object.keys(el.attrs)) {
    const m = /^\{(.*)\}/.exec(k);
    if (m && m[1] !== NS.xml) out.add(m[1]);
  }
  for (const c of el.children) collectNamespaces(c, out);
  return out;
}

function attrText(el: XmlElement, prefixOf: (ns: string) => string): string {
  let out = '';
  for (const [k, v] of Object.entries(el.attrs)) {
    const m = /^\{(.*)\}(.*)$/.exec(k);
    const name = m ? `${m[1] === NS.xml ? 'xml' : prefixOf(m[1])}:${m[2]}` : k;
    out += ` ${name}="${escapeAttr(v)}"`;
  }
  return out;
}

export function serialize(root: XmlElement, style: NamespaceStyle): string {
  const all = [...collectNamespaces(root, new Set())];
  const rootPrefix = new Map(all.map((ns, i) => [ns, `ns${i}`]));
  // Namespaced attributes always need a prefix; in the other styles they use the root declarations.
  const attrPrefix = (ns: string): string => rootPrefix.get(ns) as string;
  const rootDecls = all.map((ns) => ` xmlns:${rootPrefix.get(ns)}="${ns}"`).join('');

  const write = (el: XmlElement, parentNs: string | undefined, isRoot: boolean): string => {
    let tag: string;
    let decls = isRoot ? rootDecls : '';
    if (style === 'rootPrefixes') tag = el.ns ? `${rootPrefix.get(el.ns)}:${el.local}` : el.local;
    else if (style === 'shadowed') {
      tag = el.ns ? `p:${el.local}` : el.local;
      if (el.ns) decls += ` xmlns:p="${el.ns}"`;
      if (!el.ns && !isRoot) decls += ' xmlns=""';
    } else {
      tag = el.local;
      if (el.ns !== parentNs) decls += ` xmlns="${el.ns}"`;
    }
    const inner = escapeText(el.text.trim() === '' && el.children.length > 0 ? '' : el.text) + el.children.map((c) => write(c, el.ns, false)).join('');
    const open = `<${tag}${decls}${attrText(el, attrPrefix)}`;
    return inner === '' ? `${open}/>` : `${open}>${inner}</${tag}>`;
  };
  return write(root, undefined, true);
}
