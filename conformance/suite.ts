/**
 * Which NIST tests and sections run, in which order and in which environment (NOTES.md sections 6-7):
 * every test whose collections.txt names reg, rep, SQ.b, R.b, PR.b or reg_catfolder; the SQ data loaders first;
 * the recommended extras (MTOM robustness, namespace styles, toolkit data sets, 15816's Retrieve section);
 * tests with verbatim bodies (fixed ids) each in a fresh environment. Everything else in the corpus's testkit
 * folders is listed as not applicable, with the reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PATIENT_HELPERS } from './linkage';
import { newStep, notApplicable, type TestResult } from './results';
import { sectionDir, type TestkitEntry, type TestkitIndex } from './testkitIndex';

export const COLLECTIONS = ['reg', 'rep', 'SQ.b', 'R.b', 'PR.b', 'reg_catfolder'];

/** Stored-query data: 11897-11909, 15803 and 12368 count results against it (NOTES.md section 6). */
export const DATA_LOADERS = ['12346', '12374'];

export const EXTRA_TESTS: Readonly<Record<string, string>> = {
  PnrXop: 'NOTES.md section 7, repository acceptance: XOP, inline base64, URL-encoded cid, WCF-style DICOM capture',
  PnrNoXop: 'NOTES.md section 7, repository acceptance: document inlined in a multipart package',
  regsubmit: 'NOTES.md section 7, protocol robustness: prefixed vs default namespaces',
};

/** Sections run although index.idx does not list them. */
export const EXTRA_SECTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '15816': { Retrieve: 'NOTES.md section 7 lists 15816 including its un-indexed Retrieve section (unknown and mixed documentUniqueIds)' },
};

/** Why a section that exists on disk is not run. */
export const SKIPPED_SECTIONS: Readonly<Record<string, string>> = {
  '11897/no_matching_classcode':
    'not in index.idx. Source inconsistency: the plan expects Failure for a well-formed query whose readme says it must return nothing (ITI: Success, empty)',
  '12346/patient_identity_feed': 'not in index.idx; patients are fed by the runner (POST /admin/patients)',
  '12374/register_new_patient_id': 'not in index.idx; patients are fed by the runner (POST /admin/patients)',
  '11966/patientFeed': 'not in index.idx; patients are fed by the runner (POST /admin/patients)',
  '11979/patientFeed': 'not in index.idx; patients are fed by the runner (POST /admin/patients)',
  '12022/submit1': 'not in index.idx (spare copy of section submit)',
  '12022/xfrmapnd1': 'not in index.idx (spare copy of section xfrmapnd)',
  '12379/no_support':
    'not in index.idx: the alternative outcome (Success + XDSExtraMetadataNotSaved) for registries that do not keep extra metadata; section support is run instead',
};

export interface PlannedTest {
  entry: TestkitEntry;
  sections: string[];
  /** Why the test is in the suite. */
  reason: string;
  /** Needs its own fresh environment (verbatim bodies with fixed ids). */
  isolated: boolean;
}

function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function hasVerbatimBodies(entry: TestkitEntry, sections: string[]): boolean {
  return sections.some((s) => {
    const plan = path.join(sectionDir(entry, s), 'testplan.xml');
    return fs.existsSync(plan) && fs.readFileSync(plan, 'utf8').includes('<HttpTransaction');
  });
}

function whyIncluded(entry: TestkitEntry): string | undefined {
  if (DATA_LOADERS.includes(entry.id)) return 'stored-query data loader (needed by the SQ.b tests)';
  const tags = entry.collections.filter((c) => COLLECTIONS.includes(c));
  if (tags.length > 0) return `collections ${tags.join(', ')}`;
  if (EXTRA_TESTS[entry.id]) return EXTRA_TESTS[entry.id];
  if (entry.kind === 'testdata') return 'toolkit pre-load data set: a valid submission that must be accepted';
  return undefined;
}

export interface SuitePlan {
  tests: PlannedTest[];
  /** Tests and sections not run, as matrix rows. */
  notRun: TestResult[];
}

export function planSuite(index: TestkitIndex, only?: ReadonlySet<string>): SuitePlan {
  const tests: PlannedTest[] = [];
  const notRun: TestResult[] = [];
  const entries = [...index.values()].sort((a, b) => naturalCompare(a.id, b.id));
  for (const entry of entries) {
    if (only && !only.has(entry.id)) continue;
    const row = (section: string, reason: string): void => {
      const s = newStep(entry.id, section, '—', '—');
      notApplicable(s, reason);
      notRun.push({ id: entry.id, title: entry.title, source: entry.corpusPath, group: 'nist', tags: entry.collections, environment: '—', steps: [s], notApplicable: reason });
    };
    if (PATIENT_HELPERS[entry.id] !== undefined) {
      row('', 'patient-feed helper: replaced by per-test patients fed through POST /admin/patients (its $patientid$ report resolves to them)');
      continue;
    }
    const reason = whyIncluded(entry);
    if (reason === undefined) {
      row('', `collections ${entry.collections.join(', ') || '(none)'}: none of ${COLLECTIONS.join(', ')}`);
      continue;
    }
    const extra = EXTRA_SECTIONS[entry.id] ?? {};
    const sections = [...entry.sections, ...Object.keys(extra)];
    for (const s of entry.unindexedSections) {
      if (extra[s] !== undefined) continue;
      row(s, SKIPPED_SECTIONS[`${entry.id}/${s}`] ?? 'not in index.idx (the toolkit does not run it)');
    }
    if (sections.length === 0) {
      row('', 'no runnable section (empty index.idx and no top-level testplan.xml)');
      continue;
    }
    tests.push({ entry, sections, reason, isolated: hasVerbatimBodies(entry, sections) });
  }
  const rank = (t: PlannedTest): number => (DATA_LOADERS.includes(t.entry.id) ? 0 : 1);
  tests.sort((a, b) => rank(a) - rank(b) || naturalCompare(a.entry.id, b.entry.id));
  return { tests, notRun };
}

const PATIENT_ID_SCHEMES = ['urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427', 'urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446', 'urn:uuid:f64ffdf0-4b97-4e06-b79f-a52b38ec2f8a'];

/**
 * Patient ids written in a test's verbatim HTTP bodies (PnrXop's SR7^^^&1.2.260&ISO): the toolkit's patient feed
 * in those tests feeds a new id the hand-built bodies never use, so the runner feeds the written ones.
 */
export function patientsInVerbatimBodies(entry: TestkitEntry, sections: string[]): string[] {
  const ids = new Set<string>();
  for (const s of sections) {
    const dir = sectionDir(entry, s);
    const plan = path.join(dir, 'testplan.xml');
    if (!fs.existsSync(plan)) continue;
    for (const m of fs.readFileSync(plan, 'utf8').matchAll(/<BodyFile>\s*([^<\s]+)\s*<\/BodyFile>/g)) {
      const file = path.join(dir, m[1] ?? '');
      if (!fs.existsSync(file)) continue;
      for (const tag of fs.readFileSync(file, 'latin1').matchAll(/<(?:[A-Za-z_][\w.-]*:)?ExternalIdentifier\b[^>]*>/g)) {
        const t = tag[0];
        if (!PATIENT_ID_SCHEMES.some((scheme) => t.includes(scheme))) continue;
        const value = /\bvalue="([^"]*)"/.exec(t)?.[1];
        if (value && !value.includes('$')) ids.add(value.replace(/&amp;/g, '&'));
      }
    }
  }
  return [...ids];
}
