/**
 * Reader for the toolkit's testplan.xml (plain, non-namespaced XML; fast-xml-parser with element order kept).
 * It turns a plan into typed steps: expectations, patient instructions and one transaction with its linkage
 * (UseId/UseReport/Report), metadata and document files, ExpectedContents and Assertions (NOTES.md section 3).
 */
import fs from 'node:fs';
import { XMLParser } from 'fast-xml-parser';

/** A plain element of the plan, in document order. */
export interface PlanNode {
  name: string;
  attrs: Record<string, string>;
  children: PlanNode[];
  text: string;
}

export interface UseId {
  testdir?: string;
  /** The symbolic id in the earlier step's metadata (Document01, SubmissionSet01, Folder). */
  id: string;
  symbol: string;
  step: string;
  /** AssignedUids | AssignedUuids | AssignedPatientId */
  section: string;
}

export interface UseReport {
  test?: string;
  /** A section name of the (current or named) test, or THIS. */
  section: string;
  step: string;
  reportName: string;
  useAs: string;
}

export interface ReportSpec {
  name: string;
  /** InputMetadata | Result */
  section: string;
  xpath: string;
}

export interface ContentCheck {
  /** Documents, SSwithOneDoc, ObjectRefs, ... */
  name: string;
  count?: number;
  /** The raw element, for structured checks (DocumentEntries/MustOnlyInclude). */
  node: PlanNode;
}

export interface AssertSpec {
  id: string;
  expression: string;
}

export interface AssertionBlock {
  dataRefs: Array<{ file: string; as: string }>;
  asserts: AssertSpec[];
}

export type TransactionKind = 'Register' | 'ProvideAndRegister' | 'StoredQuery' | 'Retrieve' | 'Http' | 'PatientIdentityFeed' | 'Null' | 'Unsupported';

export interface PlanTransaction {
  kind: TransactionKind;
  /** The element name as written (RegisterTransaction, ...). */
  element: string;
  metadataFile?: string;
  noPatientId: boolean;
  assignUuids: boolean;
  /** NoAssignUids: undefined = assign all; all=true = assign none; else the listed symbols keep their uniqueId. */
  noAssignUids?: { all: boolean; ids: string[] };
  noConvert: boolean;
  noMtom: boolean;
  waitBeforeMs?: number;
  useIds: UseId[];
  useReports: UseReport[];
  reports: ReportSpec[];
  /** ProvideAndRegister: `<Document id="Document01">file</Document>`. */
  documents: Array<{ id: string; file: string }>;
  /** undefined when the plan has no ExpectedContents element. */
  expectedContents?: ContentCheck[];
  assertions?: AssertionBlock;
  /** Retrieve: `<ReferenceDocument uid="$x$">file</ReferenceDocument>`. */
  referenceDocuments: Array<{ uid: string; file: string }>;
  referenceMetadata?: { testdir?: string; step: string };
  expectedMimeType?: string;
  /** Http: one header per line. */
  headers: string[];
  bodyFile?: string;
  hasLinkage: boolean;
  /** Http: pr.b / r.b / ... */
  httpType?: string;
}

export interface PlanStep {
  id: string;
  goals: string[];
  expectedStatus?: string;
  expectedErrorCodes: string[];
  expectedErrorMessages: string[];
  newPatientId: boolean;
  altPatientId: boolean;
  transaction?: PlanTransaction;
}

export interface TestPlan {
  /** The plan's own `<Test>` label, e.g. 11990/submit. */
  label: string;
  steps: PlanStep[];
}

type Ordered = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
});

function toNodes(list: unknown): PlanNode[] {
  if (!Array.isArray(list)) return [];
  const nodes: PlanNode[] = [];
  for (const item of list as Ordered[]) {
    const name = Object.keys(item).find((k) => k !== ':@');
    if (name === undefined || name === '#text' || name.startsWith('?')) continue;
    const rawAttrs = (item[':@'] ?? {}) as Record<string, unknown>;
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(rawAttrs)) attrs[k] = String(v);
    const content = item[name];
    const text = Array.isArray(content)
      ? (content as Ordered[])
          .filter((c) => '#text' in c)
          .map((c) => String(c['#text']))
          .join('')
      : '';
    nodes.push({ name, attrs, children: toNodes(content), text });
  }
  return nodes;
}

export function parsePlanXml(xml: string): PlanNode {
  const roots = toNodes(parser.parse(xml));
  const root = roots.find((n) => n.name === 'TestPlan');
  if (!root) throw new Error('no TestPlan element');
  return root;
}

function kids(node: PlanNode, name: string): PlanNode[] {
  return node.children.filter((c) => c.name === name);
}

function kid(node: PlanNode, name: string): PlanNode | undefined {
  return node.children.find((c) => c.name === name);
}

function textOf(node: PlanNode | undefined): string | undefined {
  return node === undefined ? undefined : node.text.trim();
}

const TRANSACTION_KINDS: Record<string, TransactionKind> = {
  RegisterTransaction: 'Register',
  ProvideAndRegisterTransaction: 'ProvideAndRegister',
  StoredQueryTransaction: 'StoredQuery',
  RetrieveTransaction: 'Retrieve',
  HttpTransaction: 'Http',
  PatientIdentityFeedTransaction: 'PatientIdentityFeed',
  NullTransaction: 'Null',
};

/** Step-level elements that are not the step's action. */
const STEP_LEVEL = new Set(['Goal', 'Rule', 'ExpectedStatus', 'ExpectedErrorCode', 'ExpectedErrorMessage', 'NewPatientId', 'AltPatientId']);

function readContentChecks(node: PlanNode): ContentCheck[] {
  return node.children.map((c) => {
    const check: ContentCheck = { name: c.name, node: c };
    if (c.attrs.count !== undefined) check.count = Number(c.attrs.count);
    return check;
  });
}

function readAssertions(node: PlanNode): AssertionBlock {
  return {
    dataRefs: kids(node, 'DataRef').map((d) => ({ file: d.attrs.file ?? '', as: d.attrs.as ?? '' })),
    asserts: kids(node, 'Assert').map((a) => ({ id: a.attrs.id ?? '', expression: a.text.trim() })),
  };
}

export function readUseId(node: PlanNode): UseId {
  const u: UseId = { id: node.attrs.id ?? '', symbol: node.attrs.symbol ?? '', step: node.attrs.step ?? '', section: node.attrs.section ?? '' };
  if (node.attrs.testdir !== undefined) u.testdir = node.attrs.testdir;
  return u;
}

function readTransaction(node: PlanNode): PlanTransaction {
  const kind = TRANSACTION_KINDS[node.name] ?? 'Unsupported';
  const noAssign = kid(node, 'NoAssignUids');
  const tx: PlanTransaction = {
    kind,
    element: node.name,
    noPatientId: kid(node, 'NoPatientId') !== undefined,
    assignUuids: kid(node, 'AssignUuids') !== undefined,
    noConvert: kid(node, 'NoConvert') !== undefined,
    noMtom: kid(node, 'NoMTOM') !== undefined,
    useIds: kids(node, 'UseId').map(readUseId),
    useReports: kids(node, 'UseReport').map((u) => {
      const r: UseReport = { section: u.attrs.section ?? '', step: u.attrs.step ?? '', reportName: u.attrs.reportName ?? '', useAs: u.attrs.useAs ?? '' };
      if (u.attrs.test !== undefined) r.test = u.attrs.test;
      return r;
    }),
    reports: kids(node, 'Report').map((r) => ({ name: r.attrs.name ?? '', section: r.attrs.section ?? '', xpath: r.text.trim() })),
    documents: kids(node, 'Document').map((d) => ({ id: d.attrs.id ?? '', file: d.text.trim() })),
    referenceDocuments: kids(node, 'ReferenceDocument').map((d) => ({ uid: d.attrs.uid ?? '', file: d.text.trim() })),
    headers: (textOf(kid(node, 'Headers')) ?? '')
      .split(/\r?\n/)
      .map((h) => h.trim())
      .filter((h) => h !== ''),
    hasLinkage: node.attrs.hasLinkage === 'true',
  };
  const metadataFile = textOf(kid(node, 'MetadataFile'));
  if (metadataFile) tx.metadataFile = metadataFile;
  if (noAssign) tx.noAssignUids = noAssign.attrs.id ? { all: false, ids: noAssign.attrs.id.split(/[\s,]+/).filter(Boolean) } : { all: true, ids: [] };
  const wait = textOf(kid(node, 'WaitBefore'));
  if (wait) tx.waitBeforeMs = Number(wait);
  const contents = kid(node, 'ExpectedContents');
  if (contents) tx.expectedContents = readContentChecks(contents);
  const assertions = kid(node, 'Assertions');
  if (assertions) tx.assertions = readAssertions(assertions);
  const refMeta = kid(node, 'ReferenceMetadata');
  if (refMeta) {
    tx.referenceMetadata = { step: refMeta.attrs.step ?? '' };
    if (refMeta.attrs.testdir !== undefined) tx.referenceMetadata.testdir = refMeta.attrs.testdir;
  }
  const mime = textOf(kid(node, 'ExpectedMimeType'));
  if (mime) tx.expectedMimeType = mime;
  const body = textOf(kid(node, 'BodyFile'));
  if (body) tx.bodyFile = body;
  if (node.attrs.type) tx.httpType = node.attrs.type;
  return tx;
}

function readStep(node: PlanNode): PlanStep {
  const step: PlanStep = {
    id: node.attrs.id ?? '',
    goals: kids(node, 'Goal').map((g) => g.text.trim().replace(/\s+/g, ' ')),
    expectedErrorCodes: kids(node, 'ExpectedErrorCode').map((e) => e.text.trim()),
    expectedErrorMessages: kids(node, 'ExpectedErrorMessage').map((e) => e.text.trim()),
    newPatientId: kid(node, 'NewPatientId') !== undefined,
    altPatientId: kid(node, 'AltPatientId') !== undefined,
  };
  const status = textOf(kid(node, 'ExpectedStatus'));
  if (status) step.expectedStatus = status;
  const action = node.children.find((c) => !STEP_LEVEL.has(c.name));
  if (action) step.transaction = readTransaction(action);
  return step;
}

export function parseTestPlan(xml: string): TestPlan {
  const root = parsePlanXml(xml);
  return { label: textOf(kid(root, 'Test')) ?? '', steps: kids(root, 'TestStep').map(readStep) };
}

export function readTestPlan(file: string): TestPlan {
  return parseTestPlan(fs.readFileSync(file, 'utf8'));
}
