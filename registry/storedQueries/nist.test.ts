/**
 * Replays the NIST XDS Toolkit stored-query tests 11897-11909, 15803 (GetAll) and 12368
 * (XDSResultNotSinglePatient) against executeStoredQuery, on the data NIST test 12346 (patient A) and 12374
 * (patient B) register. Each test is named <NIST test>/<section> (<step>); the query is the section's own
 * query file with the toolkit's placeholders substituted, and the expected status, error codes and
 * ExpectedContents are read from the section's testplan.xml.
 *
 * Runs once per RegistryStore backend: the in-memory reference double and the SQLite store.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XdsError } from '../../shared/errors';
import type { RegistryStore } from '../store/RegistryStore';
import { openSqliteRegistryStore } from '../store/sqlite';
import { executeStoredQuery, type StoredQueryResult } from './execute';
import { idKey } from './result';
import { createMemoryRegistryStore } from './testing/memoryStore';
import { loadNistSqFixture, SECTION_OF_12374, type FixtureSection, type LoadedFixture } from './testing/nistFixture';
import { indexedSections, readStoredQuerySteps, type ExpectedContent, type StoredQueryStep } from './testing/nistTestPlan';
import { readAdhocQueryRequest } from './testing/readAdhocQuery';

const CORPUS = path.resolve(__dirname, '../../../shared/conformance/corpus');
const SQ_TESTS = ['11897', '11898', '11899', '11901', '11902', '11903', '11904', '11905', '11906', '11907', '11908', '11909', '15803'];
const TEST_DIRS = [...SQ_TESTS.map((t) => path.join(CORPUS, 'iti18/nist-testkit', t)), path.join(CORPUS, 'negative/nist-testkit/12368')];

const PATIENT_12346 = 'SQ12346^^^&1.3.6.1.4.1.21367.2005.3.7&ISO';
const PATIENT_12374 = 'SQ12374^^^&1.3.6.1.4.1.21367.2005.3.7&ISO';
/** Registration time of the fixture (Folder.lastUpdateTime), and the toolkit's $now$ / $lastyear$ at query time. */
const REGISTERED_AT = '20240615120000';
const BUILT_INS = { $now$: '20240615130000', $lastyear$: '20230615130000' };

const STEPS: StoredQueryStep[] = TEST_DIRS.flatMap(readStoredQuerySteps);

/**
 * 11897/no_matching_classcode: the testplan expects Failure ("Param number mismatch between ClassCode and
 * ClassCodeScheme"), but the query is well-formed and the section's readme says it must return nothing. The
 * corpus MANIFEST records this as a source inconsistency; per ITI a well-formed query without matches is
 * Success with an empty result, which is what we assert instead.
 */
const OVERRIDES: Record<string, Pick<StoredQueryStep, 'expectedStatus' | 'expectedErrorCodes' | 'expectedContents'>> = {
  '11897/no_matching_classcode': { expectedStatus: 'Success', expectedErrorCodes: [], expectedContents: [{ name: 'None' }] },
};

type Outcome = { kind: 'result'; result: StoredQueryResult } | { kind: 'failure'; codes: string[] };

interface Counts {
  documents: number;
  submissionSets: number;
  folders: number;
  associations: number;
  objectRefs: number;
}

function countsOf(outcome: Outcome): Counts {
  const zero = { documents: 0, submissionSets: 0, folders: 0, associations: 0, objectRefs: 0 };
  if (outcome.kind === 'failure') return zero;
  const r = outcome.result;
  if (r.returnType === 'ObjectRef') return { ...zero, objectRefs: r.objectRefs.length };
  return { ...zero, documents: r.documentEntries.length, submissionSets: r.submissionSets.length, folders: r.folders.length, associations: r.associations.length };
}

/** NIST Validator.sswithOneDocOneFol / sswithTwoDocOneFol: the SS, its DEs in one folder, all HasMembers. */
function expectSubmissionSetWithDocsInFolder(outcome: Outcome, documents: number): void {
  expect(outcome.kind).toBe('result');
  if (outcome.kind !== 'result' || outcome.result.returnType !== 'LeafClass') throw new Error('expected a LeafClass result');
  const r = outcome.result;
  expect(r.submissionSets).toHaveLength(1);
  expect(r.documentEntries).toHaveLength(documents);
  expect(r.folders).toHaveLength(1);
  expect(r.associations).toHaveLength(1 + 3 * documents);
  const ss = idKey(r.submissionSets[0]?.entryUuid ?? '');
  const folder = idKey(r.folders[0]?.entryUuid ?? '');
  const has = (src: string, tgt: string) =>
    r.associations.find((a) => idKey(a.sourceObject) === src && idKey(a.targetObject) === tgt && a.associationType.endsWith(':HasMember'));
  expect(has(ss, folder)).toBeDefined();
  for (const de of r.documentEntries) {
    const doc = idKey(de.entryUuid);
    expect(has(ss, doc)).toBeDefined();
    const folderDoc = has(folder, doc);
    expect(folderDoc).toBeDefined();
    expect(has(ss, idKey(folderDoc?.entryUuid ?? ''))).toBeDefined();
  }
}

function checkContent(outcome: Outcome, c: ExpectedContent): void {
  const n = countsOf(outcome);
  switch (c.name) {
    case 'Documents':
      return expect(n.documents).toBe(c.count);
    case 'Folders':
      return expect(n.folders).toBe(c.count);
    case 'SubmissionSets':
      return expect(n.submissionSets).toBe(c.count);
    case 'Associations':
      return expect(n.associations).toBe(c.count);
    case 'ObjectRefs':
      return expect(n).toEqual({ documents: 0, submissionSets: 0, folders: 0, associations: 0, objectRefs: c.count });
    case 'None':
      return expect(n).toEqual({ documents: 0, submissionSets: 0, folders: 0, associations: 0, objectRefs: 0 });
    case 'SSwithOneDocOneFol':
      return expectSubmissionSetWithDocsInFolder(outcome, 1);
    case 'SSwithTwoDocOneFol':
      return expectSubmissionSetWithDocsInFolder(outcome, 2);
    default:
      throw new Error(`ExpectedContents ${c.name} is not understood by this replay`);
  }
}

function resolveUseId(step: StoredQueryStep, fixtures: Record<'12346' | '12374', LoadedFixture>, u: StoredQueryStep['useIds'][number]): string {
  const target = path.resolve(step.sectionDir, u.testdir);
  const test = path.basename(path.dirname(target));
  const dir = path.basename(target);
  if (test !== '12346' && test !== '12374') throw new Error(`${step.test}/${step.section}: UseId into unknown test ${test}`);
  const section: FixtureSection | undefined = test === '12374' ? SECTION_OF_12374[dir] : (dir as FixtureSection);
  const fixture = fixtures[test];
  if (u.section === 'AssignedPatientId') return fixture.patientId;
  const loaded = section === undefined ? undefined : fixture.sections[section];
  const value = u.section === 'AssignedUuids' ? loaded?.uuids[u.id] : u.section === 'AssignedUids' ? loaded?.uids[u.id] : undefined;
  if (value === undefined) throw new Error(`${step.test}/${step.section}: cannot resolve UseId ${u.testdir} ${u.section} ${u.id}`);
  return value;
}

async function run(store: RegistryStore, step: StoredQueryStep, fixtures: Record<'12346' | '12374', LoadedFixture>): Promise<Outcome> {
  const placeholders: Record<string, string> = { ...BUILT_INS };
  for (const u of step.useIds) placeholders[u.symbol] = resolveUseId(step, fixtures, u);
  const request = readAdhocQueryRequest(readFileSync(step.queryFile, 'utf8'), placeholders);
  try {
    return { kind: 'result', result: await executeStoredQuery(store, request, { maxResults: 1000, checkSinglePatient: true }) };
  } catch (e) {
    if (e instanceof XdsError) return { kind: 'failure', codes: e.errors.map((x) => x.errorCode) };
    throw e;
  }
}

describe('the NIST stored-query test plans in the corpus', () => {
  it('are all read: every indexed section has a stored-query step with expectations', () => {
    for (const dir of TEST_DIRS) {
      const sections = new Set(STEPS.filter((s) => s.test === path.basename(dir)).map((s) => s.section));
      for (const indexed of indexedSections(dir)) expect(sections).toContain(indexed);
    }
    expect(STEPS.length).toBeGreaterThanOrEqual(80);
    for (const s of STEPS) expect(s.expectedContents.length + s.expectedErrorCodes.length + (s.expectedStatus === 'Failure' ? 1 : 0)).toBeGreaterThan(0);
  });
});

const BACKENDS: Array<[string, () => RegistryStore]> = [
  ['in-memory reference store', () => createMemoryRegistryStore()],
  ['SQLite store', () => openSqliteRegistryStore(':memory:')],
];

describe.each(BACKENDS)('NIST stored-query tests on the %s', (_backend, open) => {
  let store: RegistryStore;
  let fixtures: Record<'12346' | '12374', LoadedFixture>;

  beforeAll(async () => {
    store = open();
    fixtures = {
      '12346': await loadNistSqFixture(store, { variant: '12346', patientId: PATIENT_12346, uniqueIdPrefix: '1.2.42.12346', registeredAt: REGISTERED_AT }),
      '12374': await loadNistSqFixture(store, { variant: '12374', patientId: PATIENT_12374, uniqueIdPrefix: '1.2.42.12374', registeredAt: REGISTERED_AT }),
    };
  });

  afterAll(async () => {
    await store.close();
  });

  it('holds the 12346 + 12374 data: 12 DocumentEntries, 10 SubmissionSets, 4 Folders, 30 Associations', async () => {
    expect(await store.stats()).toEqual({ documentEntries: 12, submissionSets: 10, folders: 4, associations: 30 });
  });

  it.each(STEPS.map((s) => [`${s.test}/${s.section} (${s.step})`, s] as const))('%s', async (_name, step) => {
    const expected = { ...step, ...OVERRIDES[`${step.test}/${step.section}`] };
    const outcome = await run(store, step, fixtures);
    if (expected.expectedStatus === 'Failure') {
      expect(outcome.kind).toBe('failure');
      if (outcome.kind === 'failure') for (const code of expected.expectedErrorCodes) expect(outcome.codes).toContain(code);
    } else {
      expect(outcome).toMatchObject({ kind: 'result' });
    }
    for (const c of expected.expectedContents) checkContent(outcome, c);
  });
});
