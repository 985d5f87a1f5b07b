/**
 * Registry contents for the ITI-18 bench: DocumentEntries with a realistic spread, bulk-loaded through the
 * RegistryStore API (applySubmission in large batches) straight into the SQLite file the registry process opens
 * afterwards, and FindDocuments queries that fit the data.
 *
 * Spread: patients get an exponentially distributed number of documents (mean DOCS_PER_PATIENT, so the average
 * per patient is the same at 100 k and 1 M entries and the growth ratio measures the index, not fatter
 * patients); each patient's documents come in submissions of 1–4 (one SubmissionSet and its HasMember
 * associations each), applied in random order so that a patient's entries are scattered over the table; 8 class codes (skewed), 12 type codes, 6 format codes, 4 facility types, 8 practice
 * settings, 3 confidentiality codes, 30 % with event codes, 1–2 authors from a pool, creation times over
 * 2005–2025 at mixed precision, 5 % Deprecated. Seeded, so every run loads the same data.
 */
import { AVAILABILITY_STATUS, IDENTIFICATION_SCHEME } from '../shared/xds/constants';
import type { Code, DocumentEntry } from '../shared/xds/model';
import type { RegistryStore, SubmissionChanges } from '../registry/store/RegistryStore';
import { author, code, identifier, makeAssociation, makeDocumentEntry, makeSubmissionSet } from '../registry/store/testFixtures';
import { pick, randomInt, seededRandom, weighted, type Random } from './lib/random';

export const DOCS_PER_PATIENT = 20;
export const PATIENT_AUTHORITY = '1.3.6.1.4.1.21367.2005.3.7';
const LOINC = '2.16.840.1.113883.6.1';
const SNOMED = '2.16.840.1.113883.6.96';

/** classCode values with their relative frequency. */
export const CLASS_CODES: readonly (readonly [string, number])[] = [
  ['11490-0', 20], // discharge summary
  ['11506-3', 18], // progress note
  ['18842-5', 12],
  ['34133-9', 10], // summary of episode note
  ['11488-4', 10], // consult note
  ['18748-4', 12], // diagnostic imaging study
  ['11502-2', 14], // laboratory report
  ['57133-1', 4], // referral note
];
const TYPE_CODES = ['34108-1', '34117-2', '34746-8', '28570-0', '11504-8', '18761-7', '47039-3', '47045-0', '57016-8', '60591-5', '68608-9', '75476-2'];
const FORMAT_CODES: readonly (readonly [string, string])[] = [
  ['urn:ihe:pcc:xphr:2007', 'text/xml'],
  ['urn:ihe:iti:xds-sd:pdf:2008', 'application/pdf'],
  ['urn:ihe:iti:xds-sd:text:2008', 'text/plain'],
  ['urn:hl7-org:sdwg:ccda-structuredBody:2.1', 'text/xml'],
  ['urn:ihe:rad:PDF', 'application/pdf'],
  ['urn:ihe:lab:xd-lab:2008', 'text/xml'],
];
const FACILITY_TYPES = ['22232009', '225728007', '264358009', '309904001'];
const PRACTICE_SETTINGS = ['394802001', '394814009', '394579002', '394585009', '394592004', '394594003', '394607009', '419192003'];
const CONFIDENTIALITY: readonly (readonly [string, number])[] = [
  ['N', 85],
  ['R', 12],
  ['V', 3],
];
const CLASS_SCHEME = LOINC;
const DAY_MS = 86_400_000;
const START_2005 = Date.UTC(2005, 0, 1);
const SPAN_21_YEARS = Date.UTC(2026, 0, 1) - START_2005;

export function patientId(index: number): string {
  return `PAT${String(index).padStart(8, '0')}^^^&${PATIENT_AUTHORITY}&ISO`;
}

function dtm(ms: number, digits: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, digits);
}

/** Codes are shared objects across entries (only read by JSON.stringify), with the ids a wire object would carry. */
function codeOf(value: string, scheme: string): Code {
  return code(value, scheme);
}

function documentEntryFor(r: Random, pid: string): DocumentEntry {
  const [format, mimeType] = pick(r, FORMAT_CODES);
  const created = START_2005 + Math.floor(r() * SPAN_21_YEARS);
  const serviceStart = created - randomInt(r, 30) * DAY_MS - randomInt(r, DAY_MS);
  const authors = Array.from({ length: 1 + randomInt(r, 2) }, () => author(`^Author${randomInt(r, 3000)}^Given^^^Dr`));
  return makeDocumentEntry({
    status: r() < 0.05 ? AVAILABILITY_STATUS.Deprecated : AVAILABILITY_STATUS.Approved,
    mimeType,
    patientId: identifier(pid, IDENTIFICATION_SCHEME.docPatientId),
    classCode: codeOf(weighted(r, CLASS_CODES), CLASS_SCHEME),
    typeCode: codeOf(pick(r, TYPE_CODES), LOINC),
    formatCode: codeOf(format, '1.3.6.1.4.1.19376.1.2.3'),
    healthcareFacilityTypeCode: codeOf(pick(r, FACILITY_TYPES), SNOMED),
    practiceSettingCode: codeOf(pick(r, PRACTICE_SETTINGS), SNOMED),
    confidentialityCodes: [codeOf(weighted(r, CONFIDENTIALITY), '2.16.840.1.113883.5.25')],
    eventCodes: r() < 0.3 ? Array.from({ length: 1 + randomInt(r, 2) }, () => codeOf(`event-${randomInt(r, 40)}`, SNOMED)) : [],
    authors,
    creationTime: [dtm(created, pick(r, [14, 14, 14, 14, 12, 8]))],
    serviceStartTime: [dtm(serviceStart, 12)],
    serviceStopTime: [dtm(serviceStart + randomInt(r, 8 * 3_600_000), 12)],
    size: [String(1000 + randomInt(r, 5_000_000))],
  });
}

export interface LoadState {
  /** Next patient index to create; patients [0, nextPatient) exist. */
  nextPatient: number;
  documentEntries: number;
  random: Random;
}

export function newLoadState(seed = 20240131): LoadState {
  return { nextPatient: 0, documentEntries: 0, random: seededRandom(seed) };
}

export interface LoadReport {
  documentEntries: number;
  patients: number;
  addedDocumentEntries: number;
  seconds: number;
}

function emptyChanges(): SubmissionChanges {
  return { documentEntries: [], submissionSets: [], folders: [], associations: [], statusChanges: [], folderUpdates: [] };
}

/** One planned submission: a patient and how many DocumentEntries it registers. */
interface PlannedSubmission {
  patient: number;
  entries: number;
}

/** New patients with their documents (exponential counts) until `entries` more DocumentEntries are planned, in submissions of 1–4. */
function planSubmissions(state: LoadState, entries: number): PlannedSubmission[] {
  const r = state.random;
  const plan: PlannedSubmission[] = [];
  let planned = 0;
  while (planned < entries) {
    const patient = state.nextPatient++;
    let docs = Math.min(400, Math.max(1, Math.round(-Math.log(1 - r()) * DOCS_PER_PATIENT)), entries - planned);
    planned += docs;
    while (docs > 0) {
      const n = Math.min(docs, 1 + randomInt(r, 4));
      plan.push({ patient, entries: n });
      docs -= n;
    }
  }
  return plan;
}

/** Fisher–Yates, in place. */
function shuffle<T>(r: Random, list: T[]): void {
  for (let i = list.length - 1; i > 0; i--) {
    const j = randomInt(r, i + 1);
    const t = list[i] as T;
    list[i] = list[j] as T;
    list[j] = t;
  }
}

/**
 * Adds new patients with their documents until the store holds `targetEntries` DocumentEntries (loaded by this
 * state), `batchEntries` per applySubmission call. The submissions of the new patients are applied in random
 * order, so that a patient's entries are spread over the table as they are when documents arrive over years
 * (not stored side by side, which would flatter the queries). Continues where a previous call stopped.
 */
export async function loadUntil(store: RegistryStore, state: LoadState, targetEntries: number, batchEntries = 5000): Promise<LoadReport> {
  const start = Date.now();
  const before = state.documentEntries;
  const r = state.random;
  const plan = planSubmissions(state, Math.max(0, targetEntries - state.documentEntries));
  shuffle(r, plan);
  let batch = emptyChanges();
  const flush = async (): Promise<void> => {
    if (batch.documentEntries.length === 0) return;
    await store.applySubmission(batch);
    batch = emptyChanges();
  };
  for (const submission of plan) {
    const pid = patientId(submission.patient);
    const ss = makeSubmissionSet({ patientId: identifier(pid, IDENTIFICATION_SCHEME.ssPatientId), submissionTime: ['20240101120000'] });
    batch.submissionSets.push(ss);
    for (let i = 0; i < submission.entries; i++) {
      const de = documentEntryFor(r, pid);
      batch.documentEntries.push(de);
      batch.associations.push(makeAssociation(ss.entryUuid, de.entryUuid));
    }
    state.documentEntries += submission.entries;
    if (batch.documentEntries.length >= batchEntries) await flush();
  }
  await flush();
  return {
    documentEntries: state.documentEntries,
    patients: state.nextPatient,
    addedDocumentEntries: state.documentEntries - before,
    seconds: (Date.now() - start) / 1000,
  };
}

export interface FindDocumentsParams {
  patientId: string;
  classCodes: string[];
  creationTimeFrom: string;
  creationTimeTo: string;
}

/** A FindDocuments query over the loaded patients: patient + Approved + 1–2 class codes + a 1–5 year creationTime window. */
export function findDocumentsParams(r: Random, patients: number): FindDocumentsParams {
  const classCodes = [weighted(r, CLASS_CODES)];
  if (r() < 0.5) classCodes.push(weighted(r, CLASS_CODES));
  const from = 2005 + randomInt(r, 19);
  return {
    patientId: patientId(randomInt(r, patients)),
    classCodes: [...new Set(classCodes)],
    creationTimeFrom: `${from}0101`,
    creationTimeTo: `${from + 1 + randomInt(r, 5)}0101`,
  };
}

export const CLASS_CODE_SCHEME = CLASS_SCHEME;
