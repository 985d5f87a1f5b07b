/**
 * Small helpers over the shared namespace-resolved tree (shared/xml/tree.ts) that the runner needs and the
 * product does not: serialising a (modified) tree back to text, walking it, building elements.
 */
import { NS } from '../shared/xml/namespaces';
import type { XmlElement } from '../shared/xml/tree';
import { escapeAttr, escapeText } from '../shared/xml/write';

const KNOWN_PREFIXES: Record<string, string> = {
  [NS.soap12]: 'env',
  [NS.soap11]: 'soap11',
  [NS.wsa]: 'wsa',
  [NS.xop]: 'xop',
  [NS.rim]: 'rim',
  [NS.rs]: 'rs',
  [NS.lcm]: 'lcm',
  [NS.query]: 'query',
  [NS.xds]: 'xdsb',
  [NS.rmd]: 'rmd',
  'http://www.w3.org/2001/XMLSchema-instance': 'xsi',
};

function splitAttrKey(key: string): { ns: string; local: string } {
  const m = /^\{([^}]*)\}(.*)$/.exec(key);
  return m ? { ns: m[1] ?? '', local: m[2] ?? '' } : { ns: '', local: key };
}

function collectNamespaces(el: XmlElement, into: Set<string>): void {
  if (el.ns !== '') into.add(el.ns);
  for (const key of Object.keys(el.attrs)) {
    const { ns } = splitAttrKey(key);
    if (ns !== '' && ns !== NS.xml) into.add(ns);
  }
  for (const c of el.children) collectNamespaces(c, into);
}

/**
 * Serialise with conventional prefixes (rim:, lcm:, ...), every namespace declared once on the root. Character
 * data is written only for elements without child elements (ebXML has no mixed content).
 */
export function serializeXml(root: XmlElement): string {
  const used = new Set<string>();
  collectNamespaces(root, used);
  const prefixes = new Map<string, string>();
  let n = 0;
  for (const ns of used) prefixes.set(ns, KNOWN_PREFIXES[ns] ?? `ns${++n}`);
  const decls = [...prefixes].map(([ns, p]) => ` xmlns:${p}="${escapeAttr(ns)}"`).join('');

  const qname = (ns: string, local: string): string => (ns === '' ? local : ns === NS.xml ? `xml:${local}` : `${prefixes.get(ns) ?? ''}:${local}`);
  const write = (el: XmlElement, isRoot: boolean): string => {
    let out = `<${qname(el.ns, el.local)}`;
    if (isRoot) out += decls;
    for (const [key, value] of Object.entries(el.attrs)) {
      const { ns, local } = splitAttrKey(key);
      out += ` ${qname(ns, local)}="${escapeAttr(value)}"`;
    }
    if (el.children.length === 0) {
      return el.text === '' ? `${out}/>` : `${out}>${escapeText(el.text)}</${qname(el.ns, el.local)}>`;
    }
    return `${out}>${el.children.map((c) => write(c, false)).join('')}</${qname(el.ns, el.local)}>`;
  };
  return write(root, true);
}


/** Every element of the tree, depth first, the root included. */
export function allElements(root: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  const visit = (el: XmlElement): void => {
    out.push(el);
    for (const c of el.children) visit(c);
  };
  visit(root);
  return out;
}

export function newElement(ns: string, local: string, attrs: Record<string, string> = {}, children: XmlElement[] = [], text = ''): XmlElement {
  return { ns, local, attrs, children, text };
}
