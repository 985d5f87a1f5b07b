/**
 * Test helper: reads the StoredQueryTransaction steps of a NIST testkit testplan.xml (corpus NOTES.md
 * section 3/4) so the query tests can replay them with the expectations NIST wrote, instead of copies.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseXml } from '../../../shared/xml/parse';
import type { XmlElement } from '../../../shared/xml/tree';

export interface UseIdInstruction {
  testdir: string;
  id: string;
  symbol: string;
  /** AssignedUuids | AssignedUids | AssignedPatientId */
  section: string;
  step: string;
}

export interface ExpectedContent {
  /** Documents, Folders, SubmissionSets, Associations, ObjectRefs, None, SSwithOneDocOneFol, ... */
  name: string;
  count?: number;
}

export interface StoredQueryStep {
  test: string;
  section: string;
  step: string;
  sectionDir: string;
  queryFile: string;
  useIds: UseIdInstruction[];
  expectedStatus: string;
  expectedErrorCodes: string[];
  expectedContents: ExpectedContent[];
}

function kids(el: XmlElement, local: string): XmlElement[] {
  return el.children.filter((c) => c.local === local);
}

function kid(el: XmlElement, local: string): XmlElement | undefined {
  return kids(el, local)[0];
}

function readStep(test: string, section: string, sectionDir: string, stepEl: XmlElement): StoredQueryStep | undefined {
  const tx = kid(stepEl, 'StoredQueryTransaction');
  if (!tx) return undefined; // e.g. a NullTransaction assertion step
  const file = kid(tx, 'MetadataFile')?.text.trim();
  if (!file) throw new Error(`${test}/${section}: StoredQueryTransaction without MetadataFile`);
  const contents = kid(tx, 'ExpectedContents');
  return {
    test,
    section,
    step: stepEl.attrs.id ?? '',
    sectionDir,
    queryFile: path.join(sectionDir, file),
    useIds: kids(tx, 'UseId').map((u) => ({
      testdir: u.attrs.testdir ?? '',
      id: u.attrs.id ?? '',
      symbol: u.attrs.symbol ?? '',
      section: u.attrs.section ?? '',
      step: u.attrs.step ?? '',
    })),
    expectedStatus: kid(stepEl, 'ExpectedStatus')?.text.trim() ?? 'Success',
    expectedErrorCodes: kids(stepEl, 'ExpectedErrorCode').map((e) => e.text.trim()),
    expectedContents: (contents?.children ?? []).map((c) => (c.attrs.count === undefined ? { name: c.local } : { name: c.local, count: Number(c.attrs.count) })),
  };
}

/** Every stored-query step of every section directory (with a testplan.xml) of one NIST test. */
export function readStoredQuerySteps(testDir: string): StoredQueryStep[] {
  const test = path.basename(testDir);
  const steps: StoredQueryStep[] = [];
  for (const section of readdirSync(testDir).sort()) {
    const sectionDir = path.join(testDir, section);
    const plan = path.join(sectionDir, 'testplan.xml');
    if (!statSync(sectionDir).isDirectory() || !existsSync(plan)) continue;
    const root = parseXml(readFileSync(plan, 'utf8'));
    for (const stepEl of kids(root, 'TestStep')) {
      const step = readStep(test, section, sectionDir, stepEl);
      if (step) steps.push(step);
    }
  }
  return steps;
}

/** Section names listed in index.idx (the toolkit's run order). */
export function indexedSections(testDir: string): string[] {
  return readFileSync(path.join(testDir, 'index.idx'), 'utf8')
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
