/**
 * Index of the NIST testkit material in the corpus: every `<transaction>/nist-testkit/<test>` and
 * `<transaction>/nist-testdata/<set>` directory, by id. The corpus splits the toolkit's single `tests/` tree by
 * transaction, so cross-test references (`testdir="../../12346/single_doc"`, `test="15817"`) are resolved here by
 * test id, wherever the target lives (NOTES.md section 6.1).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface TestkitEntry {
  /** Directory name: '11990', '12000.1a', 'Submit_and_Replace'. */
  id: string;
  kind: 'test' | 'testdata';
  /** Absolute directory. */
  dir: string;
  /** Corpus-relative directory, e.g. 'iti42/nist-testkit/11990'. */
  corpusPath: string;
  /** First non-empty line of readme.txt ('' when there is none). */
  title: string;
  /** Tags from collections.txt (R.b, reg, SQ.b, ...). */
  collections: string[];
  /** Sections in index.idx order. A test whose only plan is a top-level testplan.xml has the single section ''. */
  sections: string[];
  /** Section directories holding a testplan.xml that index.idx does not list (the toolkit does not run them). */
  unindexedSections: string[];
}

export type TestkitIndex = Map<string, TestkitEntry>;

/** index.idx / collections.txt lines: trimmed (files carry CRLF and trailing blanks), blank lines dropped. */
export function readListFile(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .flatMap((line) => line.split(/\s+/))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function firstLine(file: string): string {
  if (!fs.existsSync(file)) return '';
  const line = fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '');
  return line ?? '';
}

function readEntry(corpus: string, corpusPath: string, kind: TestkitEntry['kind']): TestkitEntry {
  const dir = path.join(corpus, corpusPath);
  const indexed = readListFile(path.join(dir, 'index.idx'));
  const topLevelPlan = fs.existsSync(path.join(dir, 'testplan.xml'));
  const sections = indexed.length > 0 ? indexed : topLevelPlan ? [''] : [];
  const unindexedSections = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'testplan.xml')) && !indexed.includes(d.name))
    .map((d) => d.name)
    .sort();
  return {
    id: path.basename(dir),
    kind,
    dir,
    corpusPath,
    title: firstLine(path.join(dir, 'readme.txt')),
    collections: readListFile(path.join(dir, 'collections.txt')),
    sections,
    unindexedSections,
  };
}

export function buildTestkitIndex(corpus: string): TestkitIndex {
  const index: TestkitIndex = new Map();
  for (const transactionDir of fs.readdirSync(corpus, { withFileTypes: true })) {
    if (!transactionDir.isDirectory()) continue;
    for (const [folder, kind] of [
      ['nist-testkit', 'test'],
      ['nist-testdata', 'testdata'],
    ] as const) {
      const base = path.join(corpus, transactionDir.name, folder);
      if (!fs.existsSync(base)) continue;
      for (const d of fs.readdirSync(base, { withFileTypes: true })) {
        if (!d.isDirectory()) continue;
        const entry = readEntry(corpus, path.join(transactionDir.name, folder, d.name), kind);
        const clash = index.get(entry.id);
        if (clash) throw new Error(`testkit id ${entry.id} found twice: ${clash.corpusPath} and ${entry.corpusPath}`);
        index.set(entry.id, entry);
      }
    }
  }
  return index;
}

export function sectionDir(entry: TestkitEntry, section: string): string {
  return section === '' ? entry.dir : path.join(entry.dir, section);
}

export interface SectionRef {
  testId: string;
  section: string;
}

/**
 * Resolve a `testdir` attribute (relative to the current section directory, as the toolkit does) to a test and a
 * section. `../submit` is a sibling section, `../../12346/single_doc` another test's section. A path that does not
 * name a known section relative to the section directory is tried relative to the test directory (12021/retrieve
 * writes `testdir="submit"`).
 */
export function resolveTestdir(index: TestkitIndex, from: SectionRef, testdir: string | undefined): SectionRef {
  if (testdir === undefined || testdir.trim() === '' || testdir.trim() === '.') return from;
  const entry = index.get(from.testId);
  if (!entry) throw new Error(`unknown test ${from.testId}`);
  const tryFrom = (baseDir: string): SectionRef | undefined => {
    const target = path.resolve(baseDir, testdir.trim());
    const relToTest = path.relative(entry.dir, target);
    if (!relToTest.startsWith('..') && !path.isAbsolute(relToTest)) {
      const segments = relToTest === '' ? [''] : relToTest.split(path.sep);
      const section = segments[0] ?? '';
      if (segments.length === 1 && (entry.sections.includes(section) || entry.unindexedSections.includes(section))) return { testId: entry.id, section };
      return undefined;
    }
    // Another test: the last two path segments are <test>/<section>, or just <test> for a single-plan test.
    const base = path.basename(target);
    const parent = path.basename(path.dirname(target));
    const asSection = index.get(parent);
    if (asSection && (asSection.sections.includes(base) || asSection.unindexedSections.includes(base))) return { testId: parent, section: base };
    const asTest = index.get(base);
    if (asTest) return { testId: base, section: asTest.sections[0] ?? '' };
    return undefined;
  };
  const resolved = tryFrom(sectionDir(entry, from.section)) ?? tryFrom(entry.dir);
  if (!resolved) throw new Error(`testdir "${testdir}" (from ${from.testId}/${from.section}) names no known test section`);
  return resolved;
}

/** A file named by a plan: relative to the section directory first, then to the test directory. */
export function resolvePlanFile(entry: TestkitEntry, section: string, name: string): string {
  const candidates = [path.resolve(sectionDir(entry, section), name), path.resolve(entry.dir, name)];
  const found = candidates.find((f) => fs.existsSync(f));
  if (!found) throw new Error(`file ${name} not found for ${entry.id}/${section}`);
  return found;
}
