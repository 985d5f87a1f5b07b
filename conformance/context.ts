/**
 * The state of one conformance run: where the services are, the patients the registry was told about, and what
 * every executed step assigned and reported (the toolkit's log.xml), so later steps — of the same test or of
 * another one — can UseId / UseReport it.
 */
import { randomBytes } from 'node:crypto';
import type { XmlElement } from '../shared/xml/tree';
import type { Assignments } from './metadataPrep';
import type { ParsedResponse } from './responses';
import type { ErrorCodeTable } from './responseRules';
import type { SchemaBatch } from './schemaCheck';
import type { TestkitIndex } from './testkitIndex';
import { newElement } from './xmlTree';

/** The services under test. */
export interface Environment {
  name: string;
  registryUrl: string;
  repositoryUrl: string;
  /** POST {"patientIds": [...]} makes ids known (known-patients mode). */
  patientFeedUrl: string;
  repositoryUniqueId: string;
  close(): Promise<void>;
}

/** What a step left behind for later steps. */
export interface StepRecord {
  assignments: Assignments;
  reports: Map<string, string>;
  /** The request body element sent (SubmitObjectsRequest, AdhocQueryRequest, ...). */
  request?: XmlElement;
  response?: ParsedResponse;
}

/** The authority every testkit sample uses (NOTES.md section 6.3). */
export const PATIENT_AUTHORITY = '&1.3.6.1.4.1.21367.2005.3.7&ISO';

export function newPatientId(authority = PATIENT_AUTHORITY): string {
  return `${randomBytes(8).toString('hex').slice(0, 15)}^^^${authority}`;
}

export function emptyAssignments(): Assignments {
  return { uids: new Map(), uuids: new Map(), patientIds: new Map(), sourceIds: new Map() };
}

export interface RunSettings {
  /** The SubmissionSet sourceId written into every testkit submission (toolkit configuration). */
  sourceId: string;
  /** $homeCommunityId$ */
  homeCommunityId: string;
  /** Start of the run (the timestamp in generated uniqueIds). */
  now: Date;
  newUniqueId: () => string;
}

export class RunContext {
  readonly records = new Map<string, StepRecord>();
  /** Verdict of every step run so far, by RunContext.key. */
  readonly verdicts = new Map<string, string>();
  readonly sectionLogs = new Map<string, XmlElement>();
  /** Bytes the runner attached, by DocumentEntry uniqueId (retrieve comparisons). */
  readonly submittedDocuments = new Map<string, Buffer>();
  private readonly fedPatients = new Set<string>();

  constructor(
    readonly index: TestkitIndex,
    readonly settings: RunSettings,
    readonly table: ErrorCodeTable,
    readonly schemas: SchemaBatch,
    readonly feed: (env: Environment, ids: string[]) => Promise<void>,
  ) {}

  static key(testId: string, section: string, step: string): string {
    return `${testId}/${section}/${step}`;
  }

  record(testId: string, section: string, step: string, rec: StepRecord): void {
    this.records.set(RunContext.key(testId, section, step), rec);
  }

  lookup(testId: string, section: string, step: string): StepRecord | undefined {
    return this.records.get(RunContext.key(testId, section, step));
  }

  /** The section's log document (TestResults/TestStep/…), built as steps run: what DataRef file="THIS" reads. */
  sectionLog(testId: string, section: string): XmlElement {
    const k = `${testId}/${section}`;
    let log = this.sectionLogs.get(k);
    if (!log) {
      log = newElement('', 'TestResults', {}, [newElement('', 'Test', {}, [], section === '' ? testId : `${testId}/${section}`)]);
      this.sectionLogs.set(k, log);
    }
    return log;
  }

  /** Make patient ids known to the registry (once each). */
  async feedPatients(env: Environment, ids: string[]): Promise<void> {
    const fresh = ids.filter((id) => !this.fedPatients.has(`${env.name} ${id}`));
    if (fresh.length === 0) return;
    await this.feed(env, fresh);
    for (const id of fresh) this.fedPatients.add(`${env.name} ${id}`);
  }
}
