/**
 * Linkage between steps (NOTES.md section 5.2): UseId reads what an earlier step assigned, UseReport reads what it
 * reported. The patient-feed helper tests (15817, 15817b, 15818) are not replayed: their `$patientid$` report is
 * the current test's own patient, fed to the registry by the runner (section 6.3).
 */
import type { RunContext } from './context';
import type { UseId, UseReport } from './testplan';
import { resolveTestdir, type SectionRef } from './testkitIndex';

/** Patient-feed helpers and which of the test's patients their report stands for. */
export const PATIENT_HELPERS: Readonly<Record<string, 'main' | 'alt'>> = { '15817': 'main', '15818': 'main', '15817b': 'alt' };

export interface PatientSource {
  main(): Promise<string>;
  alt(): Promise<string>;
}

export class LinkageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LinkageError';
  }
}

/** Step verdicts so far, to tell "dependency failed" from "dependency missing". */
export type VerdictLookup = (testId: string, section: string, step: string) => string | undefined;

function missing(what: string, ref: SectionRef, step: string, verdicts: VerdictLookup): LinkageError {
  const v = verdicts(ref.testId, ref.section, step);
  const where = `${ref.testId}/${ref.section}/${step}`;
  if (v === undefined) return new LinkageError(`${what}: step ${where} has not run`);
  return new LinkageError(`${what}: step ${where} (${v}) did not produce it`);
}

export function resolveUseId(ctx: RunContext, from: SectionRef, u: UseId, verdicts: VerdictLookup): string {
  const ref = resolveTestdir(ctx.index, from, u.testdir);
  const rec = ctx.lookup(ref.testId, ref.section, u.step);
  const what = `UseId ${u.section}/${u.id}`;
  if (!rec) throw missing(what, ref, u.step, verdicts);
  const map = u.section === 'AssignedUids' ? rec.assignments.uids : u.section === 'AssignedUuids' ? rec.assignments.uuids : u.section === 'AssignedPatientId' ? rec.assignments.patientIds : undefined;
  if (!map) throw new LinkageError(`${what}: unknown UseId section ${u.section}`);
  const value = map.get(u.id);
  if (value === undefined) throw missing(what, ref, u.step, verdicts);
  return value;
}

export async function resolveUseReport(ctx: RunContext, from: SectionRef, u: UseReport, patients: PatientSource, verdicts: VerdictLookup): Promise<string> {
  const helper = u.test === undefined ? undefined : PATIENT_HELPERS[u.test];
  if (helper !== undefined && u.reportName === '$patientid$') return helper === 'main' ? patients.main() : patients.alt();
  const testId = u.test ?? from.testId;
  const section = u.section === 'THIS' ? from.section : u.section;
  const ref = { testId, section };
  const rec = ctx.lookup(testId, section, u.step);
  const what = `UseReport ${u.reportName}`;
  if (!rec) throw missing(what, ref, u.step, verdicts);
  const value = rec.reports.get(u.reportName);
  if (value === undefined) throw missing(what, ref, u.step, verdicts);
  return value;
}
