/**
 * A small XPath 1.0 subset, enough for every Report and Assert expression in the corpus's testplans:
 * location paths (/, //, child/descendant/descendant-or-self/self/parent/attribute axes, *, names, node(),
 * text(), predicates incl. positions), string and number literals, = != < <= > >=, and/or, and the functions
 * count, local-name, name, string, substring, concat, contains, starts-with, normalize-space, string-length,
 * number, not, true, false, position, last. Anything else is rejected with XPathUnsupported, so a step can say
 * honestly that an assertion was not evaluated.
 */
import type { XmlElement } from '../shared/xml/tree';

export class XPathUnsupported extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XPathUnsupported';
  }
}

export interface XNode {
  kind: 'root' | 'element' | 'attribute' | 'text';
  /** Local name (elements, attributes). */
  local: string;
  ns: string;
  /** Attribute value or text content. */
  value: string;
  parent?: XNode;
  children: XNode[];
  attributes: XNode[];
}

type Value = XNode[] | string | number | boolean;

/** Wrap a tree as an XPath document (a root node whose child is the element). */
export function xpathDocument(root: XmlElement): XNode {
  const doc: XNode = { kind: 'root', local: '', ns: '', value: '', children: [], attributes: [] };
  const wrap = (el: XmlElement, parent: XNode): XNode => {
    const node: XNode = { kind: 'element', local: el.local, ns: el.ns, value: '', parent, children: [], attributes: [] };
    for (const [key, value] of Object.entries(el.attrs)) {
      const m = /^\{([^}]*)\}(.*)$/.exec(key);
      node.attributes.push({ kind: 'attribute', local: m ? (m[2] ?? '') : key, ns: m ? (m[1] ?? '') : '', value, parent: node, children: [], attributes: [] });
    }
    if (el.text !== '') node.children.push({ kind: 'text', local: '', ns: '', value: el.text, parent: node, children: [], attributes: [] });
    for (const c of el.children) node.children.push(wrap(c, node));
    return node;
  };
  doc.children.push(wrap(root, doc));
  return doc;
}

export function stringValue(node: XNode): string {
  if (node.kind === 'attribute' || node.kind === 'text') return node.value;
  return node.children.map(stringValue).join('');
}

// ---------------------------------------------------------------- tokens

type Token = { t: 'op'; v: string } | { t: 'lit'; v: string } | { t: 'num'; v: number } | { t: 'name'; v: string };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['//', '!=', '<=', '>=', '::', '..'].includes(two)) {
      tokens.push({ t: 'op', v: two });
      i += 2;
      continue;
    }
    if ('()[]/@,|=<>*.'.includes(c)) {
      if (c === '.' && /[0-9]/.test(src[i + 1] ?? '')) {
        const m = /^\.[0-9]+/.exec(src.slice(i));
        tokens.push({ t: 'num', v: Number(m?.[0]) });
        i += m?.[0].length ?? 1;
        continue;
      }
      tokens.push({ t: 'op', v: c });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end === -1) throw new XPathUnsupported(`unterminated literal in ${src}`);
      tokens.push({ t: 'lit', v: src.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const num = /^[0-9]+(\.[0-9]*)?/.exec(src.slice(i));
    if (num) {
      tokens.push({ t: 'num', v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_.-]*(:[A-Za-z_][A-Za-z0-9_.-]*)?/.exec(src.slice(i));
    if (name) {
      tokens.push({ t: 'name', v: name[0] });
      i += name[0].length;
      continue;
    }
    throw new XPathUnsupported(`unexpected character "${c}" in ${src}`);
  }
  return tokens;
}

// ---------------------------------------------------------------- syntax

type NodeTest = { kind: 'name'; name: string } | { kind: 'any' } | { kind: 'node' } | { kind: 'text' };
type Axis = 'child' | 'descendant' | 'descendant-or-self' | 'self' | 'parent' | 'attribute';
interface Step {
  axis: Axis;
  test: NodeTest;
  preds: Ast[];
}
type Ast =
  | { t: 'or' | 'and'; l: Ast; r: Ast }
  | { t: 'cmp'; op: string; l: Ast; r: Ast }
  | { t: 'lit'; v: string }
  | { t: 'num'; v: number }
  | { t: 'fn'; name: string; args: Ast[] }
  | { t: 'path'; root: 'none' | 'root'; filter?: Ast; filterPreds: Ast[]; steps: Step[] };

const AXES: Axis[] = ['child', 'descendant', 'descendant-or-self', 'self', 'parent', 'attribute'];
const DESCENDANT_OR_SELF: Step = { axis: 'descendant-or-self', test: { kind: 'node' }, preds: [] };

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly src: string,
  ) {}

  parse(): Ast {
    const ast = this.orExpr();
    if (this.pos < this.tokens.length) throw new XPathUnsupported(`unexpected token ${JSON.stringify(this.tokens[this.pos])} in ${this.src}`);
    return ast;
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }
  private isOp(v: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && t.t === 'op' && t.v === v;
  }
  private isName(v: string): boolean {
    const t = this.peek();
    return t !== undefined && t.t === 'name' && t.v === v;
  }
  private expectOp(v: string): void {
    if (!this.isOp(v)) throw new XPathUnsupported(`expected "${v}" in ${this.src}`);
    this.pos++;
  }

  private orExpr(): Ast {
    let l = this.andExpr();
    while (this.isName('or')) {
      this.pos++;
      l = { t: 'or', l, r: this.andExpr() };
    }
    return l;
  }
  private andExpr(): Ast {
    let l = this.eqExpr();
    while (this.isName('and')) {
      this.pos++;
      l = { t: 'and', l, r: this.eqExpr() };
    }
    return l;
  }
  private eqExpr(): Ast {
    let l = this.relExpr();
    while (this.isOp('=') || this.isOp('!=')) {
      const op = (this.tokens[this.pos++] as { v: string }).v;
      l = { t: 'cmp', op, l, r: this.relExpr() };
    }
    return l;
  }
  private relExpr(): Ast {
    let l = this.pathExpr();
    while (this.isOp('<') || this.isOp('>') || this.isOp('<=') || this.isOp('>=')) {
      const op = (this.tokens[this.pos++] as { v: string }).v;
      l = { t: 'cmp', op, l, r: this.pathExpr() };
    }
    return l;
  }

  private pathExpr(): Ast {
    const t = this.peek();
    if (t === undefined) throw new XPathUnsupported(`unexpected end of ${this.src}`);
    const isFunction = t.t === 'name' && this.isOp('(', 1) && !['node', 'text'].includes(t.v);
    if (t.t === 'lit' || t.t === 'num' || isFunction || (t.t === 'op' && t.v === '(')) {
      const filter = this.primary();
      const filterPreds = this.predicates();
      const steps: Step[] = [];
      if (this.isOp('/') || this.isOp('//')) this.relativePath(steps, true);
      if (steps.length === 0 && filterPreds.length === 0) return filter;
      return { t: 'path', root: 'none', filter, filterPreds, steps };
    }
    const steps: Step[] = [];
    if (this.isOp('/') || this.isOp('//')) {
      this.relativePath(steps, true);
      return { t: 'path', root: 'root', filterPreds: [], steps };
    }
    this.relativePath(steps, false);
    return { t: 'path', root: 'none', filterPreds: [], steps };
  }

  /** Steps separated by / or //; `leadingSeparator` when the path starts with one. */
  private relativePath(steps: Step[], leadingSeparator: boolean): void {
    let expectStep = !leadingSeparator;
    for (;;) {
      if (!expectStep) {
        if (this.isOp('//')) {
          this.pos++;
          steps.push(DESCENDANT_OR_SELF);
        } else if (this.isOp('/')) {
          this.pos++;
        } else {
          return;
        }
      }
      steps.push(this.step());
      expectStep = false;
    }
  }

  private step(): Step {
    if (this.isOp('.')) {
      this.pos++;
      return { axis: 'self', test: { kind: 'node' }, preds: [] };
    }
    if (this.isOp('..')) {
      this.pos++;
      return { axis: 'parent', test: { kind: 'node' }, preds: [] };
    }
    let axis: Axis = 'child';
    if (this.isOp('@')) {
      this.pos++;
      axis = 'attribute';
    } else {
      const t = this.peek();
      if (t?.t === 'name' && this.isOp('::', 1)) {
        if (!(AXES as string[]).includes(t.v)) throw new XPathUnsupported(`axis ${t.v} is not supported`);
        axis = t.v as Axis;
        this.pos += 2;
      }
    }
    const test = this.nodeTest();
    return { axis, test, preds: this.predicates() };
  }

  private nodeTest(): NodeTest {
    const t = this.peek();
    if (t?.t === 'op' && t.v === '*') {
      this.pos++;
      return { kind: 'any' };
    }
    if (t?.t === 'name') {
      this.pos++;
      if ((t.v === 'node' || t.v === 'text') && this.isOp('(')) {
        this.expectOp('(');
        this.expectOp(')');
        return { kind: t.v };
      }
      if (t.v.includes(':')) throw new XPathUnsupported(`prefixed name ${t.v} (no namespace bindings)`);
      return { kind: 'name', name: t.v };
    }
    throw new XPathUnsupported(`expected a node test in ${this.src}`);
  }

  private predicates(): Ast[] {
    const preds: Ast[] = [];
    while (this.isOp('[')) {
      this.pos++;
      preds.push(this.orExpr());
      this.expectOp(']');
    }
    return preds;
  }

  private primary(): Ast {
    const t = this.tokens[this.pos++];
    if (t === undefined) throw new XPathUnsupported(`unexpected end of ${this.src}`);
    if (t.t === 'lit') return { t: 'lit', v: t.v };
    if (t.t === 'num') return { t: 'num', v: t.v };
    if (t.t === 'op' && t.v === '(') {
      const inner = this.orExpr();
      this.expectOp(')');
      return inner;
    }
    if (t.t === 'name') {
      this.expectOp('(');
      const args: Ast[] = [];
      if (!this.isOp(')')) {
        args.push(this.orExpr());
        while (this.isOp(',')) {
          this.pos++;
          args.push(this.orExpr());
        }
      }
      this.expectOp(')');
      return { t: 'fn', name: t.v, args };
    }
    throw new XPathUnsupported(`unexpected token in ${this.src}`);
  }
}

export function compileXPath(expression: string): Ast {
  return new Parser(tokenize(expression), expression).parse();
}

// ---------------------------------------------------------------- evaluation

interface Ctx {
  node: XNode;
  position: number;
  size: number;
}

function toStr(v: Value): string {
  if (Array.isArray(v)) return v.length === 0 ? '' : stringValue(v[0] as XNode);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return v;
}
function toNum(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const s = toStr(v).trim();
  return s === '' ? NaN : Number(s);
}
function toBool(v: Value): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v.length > 0;
  return v;
}

function compareAtoms(op: string, a: string | number | boolean, b: string | number | boolean): boolean {
  if (op === '=' || op === '!=') {
    let eq: boolean;
    if (typeof a === 'boolean' || typeof b === 'boolean') eq = toBool(a) === toBool(b);
    else if (typeof a === 'number' || typeof b === 'number') eq = toNum(a) === toNum(b);
    else eq = a === b;
    return op === '=' ? eq : !eq;
  }
  const x = toNum(a);
  const y = toNum(b);
  if (op === '<') return x < y;
  if (op === '<=') return x <= y;
  if (op === '>') return x > y;
  return x >= y;
}

function compare(op: string, l: Value, r: Value): boolean {
  const atoms = (v: Value): Array<string | number | boolean> => (Array.isArray(v) ? v.map(stringValue) : [v]);
  // XPath 1.0: a comparison with a node-set is true when it holds for some node.
  if (Array.isArray(l) || Array.isArray(r)) {
    if (typeof l === 'boolean' || typeof r === 'boolean') return compareAtoms(op, toBool(l), toBool(r));
    for (const a of atoms(l)) for (const b of atoms(r)) if (compareAtoms(op, typeof r === 'number' ? Number(a) : a, b)) return true;
    return false;
  }
  return compareAtoms(op, l, r);
}

function matches(node: XNode, test: NodeTest, axis: Axis): boolean {
  if (test.kind === 'node') return true;
  if (test.kind === 'text') return node.kind === 'text';
  const principal = axis === 'attribute' ? 'attribute' : 'element';
  if (node.kind !== principal) return false;
  if (test.kind === 'any') return true;
  // An unprefixed name test selects nodes in no namespace (XPath 1.0).
  return node.local === test.name && node.ns === '';
}

function descendants(node: XNode, out: XNode[]): void {
  for (const c of node.children) {
    out.push(c);
    descendants(c, out);
  }
}

function axisNodes(node: XNode, axis: Axis): XNode[] {
  switch (axis) {
    case 'child':
      return node.children;
    case 'attribute':
      return node.attributes;
    case 'self':
      return [node];
    case 'parent':
      return node.parent ? [node.parent] : [];
    case 'descendant': {
      const out: XNode[] = [];
      descendants(node, out);
      return out;
    }
    case 'descendant-or-self': {
      const out: XNode[] = [node];
      descendants(node, out);
      return out;
    }
  }
}

function applyPredicates(nodes: XNode[], preds: Ast[]): XNode[] {
  let current = nodes;
  for (const pred of preds) {
    const size = current.length;
    current = current.filter((node, i) => {
      const v = evaluate(pred, { node, position: i + 1, size });
      return typeof v === 'number' ? v === i + 1 : toBool(v);
    });
  }
  return current;
}

function rootOf(node: XNode): XNode {
  let n = node;
  while (n.parent) n = n.parent;
  return n;
}

function uniqueInOrder(nodes: XNode[]): XNode[] {
  return [...new Set(nodes)];
}

function evalPath(ast: Extract<Ast, { t: 'path' }>, ctx: Ctx): Value {
  let nodes: XNode[];
  if (ast.filter) {
    const v = evaluate(ast.filter, ctx);
    if (!Array.isArray(v)) {
      if (ast.steps.length > 0 || ast.filterPreds.length > 0) throw new XPathUnsupported('a path step applied to a non-node-set');
      return v;
    }
    nodes = applyPredicates(v, ast.filterPreds);
  } else {
    nodes = ast.root === 'root' ? [rootOf(ctx.node)] : [ctx.node];
  }
  for (const step of ast.steps) {
    const next: XNode[] = [];
    for (const n of nodes) next.push(...applyPredicates(axisNodes(n, step.axis).filter((c) => matches(c, step.test, step.axis)), step.preds));
    nodes = uniqueInOrder(next);
  }
  return nodes;
}

function evalFunction(name: string, args: Ast[], ctx: Ctx): Value {
  const arg = (i: number): Value => {
    const a = args[i];
    if (a === undefined) throw new XPathUnsupported(`${name}() needs argument ${i + 1}`);
    return evaluate(a, ctx);
  };
  const nodeArg = (): XNode | undefined => {
    if (args.length === 0) return ctx.node;
    const v = arg(0);
    if (!Array.isArray(v)) throw new XPathUnsupported(`${name}() expects a node-set`);
    return v[0];
  };
  switch (name) {
    case 'count': {
      const v = arg(0);
      if (!Array.isArray(v)) throw new XPathUnsupported('count() expects a node-set');
      return v.length;
    }
    case 'local-name':
    case 'name':
      return nodeArg()?.local ?? '';
    case 'string':
      return args.length === 0 ? stringValue(ctx.node) : toStr(arg(0));
    case 'number':
      return args.length === 0 ? toNum(stringValue(ctx.node)) : toNum(arg(0));
    case 'concat':
      return args.map((_, i) => toStr(arg(i))).join('');
    case 'contains':
      return toStr(arg(0)).includes(toStr(arg(1)));
    case 'starts-with':
      return toStr(arg(0)).startsWith(toStr(arg(1)));
    case 'normalize-space':
      return (args.length === 0 ? stringValue(ctx.node) : toStr(arg(0))).trim().replace(/\s+/g, ' ');
    case 'string-length':
      return (args.length === 0 ? stringValue(ctx.node) : toStr(arg(0))).length;
    case 'substring': {
      const s = toStr(arg(0));
      const start = Math.round(toNum(arg(1)));
      const end = args.length > 2 ? start + Math.round(toNum(arg(2))) : Infinity;
      let out = '';
      for (let i = 1; i <= s.length; i++) if (i >= start && i < end) out += s[i - 1];
      return out;
    }
    case 'not':
      return !toBool(arg(0));
    case 'true':
      return true;
    case 'false':
      return false;
    case 'position':
      return ctx.position;
    case 'last':
      return ctx.size;
    default:
      throw new XPathUnsupported(`function ${name}() is not supported`);
  }
}

function evaluate(ast: Ast, ctx: Ctx): Value {
  switch (ast.t) {
    case 'lit':
      return ast.v;
    case 'num':
      return ast.v;
    case 'or':
      return toBool(evaluate(ast.l, ctx)) || toBool(evaluate(ast.r, ctx));
    case 'and':
      return toBool(evaluate(ast.l, ctx)) && toBool(evaluate(ast.r, ctx));
    case 'cmp':
      return compare(ast.op, evaluate(ast.l, ctx), evaluate(ast.r, ctx));
    case 'fn':
      return evalFunction(ast.name, ast.args, ctx);
    case 'path':
      return evalPath(ast, ctx);
  }
}

/** Evaluate against a document (context node = the document root). */
export function evaluateXPath(expression: string, doc: XNode): Value {
  return evaluate(compileXPath(expression), { node: doc, position: 1, size: 1 });
}

/** The expression as a boolean (an Assert). */
export function xpathBoolean(expression: string, doc: XNode): boolean {
  return toBool(evaluateXPath(expression, doc));
}

/** The expression as a string (a Report): first node's string value, or the scalar as text. */
export function xpathString(expression: string, doc: XNode): string {
  return toStr(evaluateXPath(expression, doc));
}

/** Every node's string value (or the scalar), for reports that select several values. */
export function xpathStrings(expression: string, doc: XNode): string[] {
  const v = evaluateXPath(expression, doc);
  return Array.isArray(v) ? v.map(stringValue) : [toStr(v)];
}
