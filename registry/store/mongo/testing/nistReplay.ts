/**
 * Test support: the NIST stored-query steps of registry/storedQueries/nist.test.ts (11897-11909, 15803, 12368 on
 * the data of 12346 + 12374), replayable against any RegistryStore, plus two store wrappers: one that captures
 * the submissions a fixture load applies (so another store can be given byte-for-byte the same data, same
 * UUIDs), and one that records every find/count call a stored query makes together with its answer.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XdsError } from '../../../../shared/errors';
import type { DocumentEntry, Folder, SubmissionSet, XdsAssociation } from '../../../../shared/xds/model';
import { executeStoredQuery, type StoredQueryResult } from '../../../storedQueries/execute';
import { loadNistSqFixture, SECTION_OF_12374, type FixtureSection, type LoadedFixture } from '../../../storedQueries/testing/nistFixture';
import { readStoredQuerySteps, type StoredQueryStep } from '../../../storedQueries/testing/nistTestPlan';
import { readAdhocQueryRequest } from '../../../storedQueries/testing/readAdhocQuery';
import type {
  AssociationFilter,
  DocumentEntryFilter,
  FolderFilter,
  RegistryStore,
  SubmissionChanges,
  SubmissionSetFilter,
} from '../../RegistryStore';

const CORPUS = path.resolve(__dirname, '../../../../../shared/conformance/corpus');
const SQ_TESTS = ['11897', '11898', '11899', '11901', '11902', '11903', '11904', '11905', '11906', '11907', '11908', '11909', '15803'];
const TEST_DIRS = [...SQ_TESTS.map((t) => path.join(CORPUS, 'iti18/nist-testkit', t)), path.join(CORPUS, 'negative/nist-testkit/12368')];

export const PATIENT_12346 = 'SQ12346^^^&1.3.6.1.4.1.21367.2005.3.7&ISO';
export const PATIENT_12374 = 'SQ12374^^^&1.3.6.1.4.1.21367.2005.3.7&ISO';
const REGISTERED_AT = '20240615120000';
const BUILT_INS = { $now$: '20240615130000', $lastyear$: '20230615130000' };

export type NistFixtures = Record<'12346' | '12374', LoadedFixture>;

/** Every stored-query step of the NIST tests in the corpus. */
export function nistStoredQuerySteps(): StoredQueryStep[] {
  return TEST_DIRS.flatMap(readStoredQuerySteps);
}

/** The step's expectations, with the one documented override of nist.test.ts (11897/no_matching_classcode). */
export function expectationsOf(step: StoredQueryStep): Pick<StoredQueryStep, 'expectedStatus' | 'expectedErrorCodes' | 'expectedContents'> {
  if (`${step.test}/${step.section}` === '11897/no_matching_classcode') return { expectedStatus: 'Success', expectedErrorCodes: [], expectedContents: [{ name: 'None' }] };
  return step;
}

export async function loadNistFixtures(store: RegistryStore): Promise<NistFixtures> {
  return {
    '12346': await loadNistSqFixture(store, { variant: '12346', patientId: PATIENT_12346, uniqueIdPrefix: '1.2.42.12346', registeredAt: REGISTERED_AT }),
    '12374': await loadNistSqFixture(store, { variant: '12374', patientId: PATIENT_12374, uniqueIdPrefix: '1.2.42.12374', registeredAt: REGISTERED_AT }),
  };
}

function resolveUseId(step: StoredQueryStep, fixtures: NistFixtures, u: StoredQueryStep['useIds'][number]): string {
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

export type StepOutcome = { kind: 'result'; result: StoredQueryResult } | { kind: 'failure'; codes: string[] };

export async function runNistStep(store: RegistryStore, step: StoredQueryStep, fixtures: NistFixtures): Promise<StepOutcome> {
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

export interface OutcomeCounts {
  documents: number;
  submissionSets: number;
  folders: number;
  associations: number;
  objectRefs: number;
}

export function countsOf(outcome: StepOutcome): OutcomeCounts {
  const zero = { documents: 0, submissionSets: 0, folders: 0, associations: 0, objectRefs: 0 };
  if (outcome.kind === 'failure') return zero;
  const r = outcome.result;
  if (r.returnType === 'ObjectRef') return { ...zero, objectRefs: r.objectRefs.length };
  return { ...zero, documents: r.documentEntries.length, submissionSets: r.submissionSets.length, folders: r.folders.length, associations: r.associations.length };
}

// ---- store wrappers ----

/** A store that hands every applySubmission / addKnownPatients to `inner` and keeps a copy of it. */
export interface CapturingStore extends RegistryStore {
  readonly submissions: SubmissionChanges[];
  readonly knownPatients: string[];
}

export function capturingStore(inner: RegistryStore): CapturingStore {
  const submissions: SubmissionChanges[] = [];
  const knownPatients: string[] = [];
  return {
    submissions,
    knownPatients,
    getObjects: (ids) => inner.getObjects(ids),
    findDocumentEntries: (f, l) => inner.findDocumentEntries(f, l),
    findSubmissionSets: (f, l) => inner.findSubmissionSets(f, l),
    findFolders: (f, l) => inner.findFolders(f, l),
    findAssociations: (f, l) => inner.findAssociations(f, l),
    countDocumentEntries: (f) => inner.countDocumentEntries(f),
    async applySubmission(changes) {
      await inner.applySubmission(changes);
      submissions.push(structuredClone(changes));
    },
    async addKnownPatients(ids) {
      await inner.addKnownPatients(ids);
      knownPatients.push(...ids);
    },
    isKnownPatient: (id) => inner.isKnownPatient(id),
    ping: () => inner.ping(),
    stats: () => inner.stats(),
    close: () => inner.close(),
  };
}

/** Apply what a CapturingStore saw to another store, in the same order. */
export async function replay(captured: CapturingStore, target: RegistryStore): Promise<void> {
  await target.addKnownPatients(captured.knownPatients);
  for (const changes of captured.submissions) await target.applySubmission(structuredClone(changes));
}

/** One find/count call a stored query made, with the entryUUIDs (in order) or the count it got. */
export type RecordedCall =
  | { method: 'findDocumentEntries'; filter: DocumentEntryFilter; limit?: number; ids: string[] }
  | { method: 'countDocumentEntries'; filter: DocumentEntryFilter; count: number }
  | { method: 'findSubmissionSets'; filter: SubmissionSetFilter; limit?: number; ids: string[] }
  | { method: 'findFolders'; filter: FolderFilter; limit?: number; ids: string[] }
  | { method: 'findAssociations'; filter: AssociationFilter; limit?: number; ids: string[] };

export interface RecordingStore extends RegistryStore {
  readonly calls: RecordedCall[];
}

const idsOf = (objects: readonly (DocumentEntry | SubmissionSet | Folder | XdsAssociation)[]): string[] => objects.map((o) => o.entryUuid);

function withLimit<T extends object>(call: T, limit: number | undefined): T & { limit?: number } {
  return limit === undefined ? call : { ...call, limit };
}

export function recordingStore(inner: RegistryStore): RecordingStore {
  const calls: RecordedCall[] = [];
  return {
    calls,
    getObjects: (ids) => inner.getObjects(ids),
    async findDocumentEntries(filter, limit) {
      const found = await inner.findDocumentEntries(filter, limit);
      calls.push(withLimit({ method: 'findDocumentEntries', filter: structuredClone(filter), ids: idsOf(found) } as const, limit));
      return found;
    },
    async countDocumentEntries(filter) {
      const count = await inner.countDocumentEntries(filter);
      calls.push({ method: 'countDocumentEntries', filter: structuredClone(filter), count });
      return count;
    },
    async findSubmissionSets(filter, limit) {
      const found = await inner.findSubmissionSets(filter, limit);
      calls.push(withLimit({ method: 'findSubmissionSets', filter: structuredClone(filter), ids: idsOf(found) } as const, limit));
      return found;
    },
    async findFolders(filter, limit) {
      const found = await inner.findFolders(filter, limit);
      calls.push(withLimit({ method: 'findFolders', filter: structuredClone(filter), ids: idsOf(found) } as const, limit));
      return found;
    },
    async findAssociations(filter, limit) {
      const found = await inner.findAssociations(filter, limit);
      calls.push(withLimit({ method: 'findAssociations', filter: structuredClone(filter), ids: idsOf(found) } as const, limit));
      return found;
    },
    applySubmission: (c) => inner.applySubmission(c),
    addKnownPatients: (ids) => inner.addKnownPatients(ids),
    isKnownPatient: (id) => inner.isKnownPatient(id),
    ping: () => inner.ping(),
    stats: () => inner.stats(),
    close: () => inner.close(),
  };
}
