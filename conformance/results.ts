/** The pass matrix: one row per test step (NIST) or fixture step, with the evidence a product owner needs. */

export type Verdict = 'pass' | 'fail' | 'n/a';

export interface StepResult {
  /** Test id (NIST) or fixture case id. */
  testId: string;
  /** Section ('' for a single-plan test or a fixture). */
  section: string;
  step: string;
  verdict: Verdict;
  /** Why it failed, or why it is not applicable. */
  reasons: string[];
  /** Checks the runner could not evaluate, or other remarks that do not change the verdict. */
  notes: string[];
  /** What was expected, in short. */
  expected: string;
  /** What was sent, in short. */
  sent?: string;
  /** What came back, in short. */
  received?: string;
  /** Key of the answer queued for the schema check. */
  schemaKey?: string;
}

export interface TestResult {
  id: string;
  title: string;
  /** Where it comes from: corpus path(s). */
  source: string;
  group: 'nist' | 'fixture';
  /** Collections (NIST) or fixture family. */
  tags: string[];
  environment: string;
  steps: StepResult[];
  /** Whole test not applicable (e.g. a patient-feed helper). */
  notApplicable?: string;
}

export function newStep(testId: string, section: string, step: string, expected: string): StepResult {
  return { testId, section, step, verdict: 'pass', reasons: [], notes: [], expected };
}

export function fail(step: StepResult, reason: string): void {
  step.verdict = 'fail';
  step.reasons.push(reason);
}

export function notApplicable(step: StepResult, reason: string): void {
  step.verdict = 'n/a';
  step.reasons.push(reason);
}

export interface Totals {
  passed: number;
  failed: number;
  notApplicable: number;
}

export function totals(results: TestResult[]): Totals {
  const t: Totals = { passed: 0, failed: 0, notApplicable: 0 };
  for (const r of results) {
    for (const s of r.steps) {
      if (s.verdict === 'pass') t.passed++;
      else if (s.verdict === 'fail') t.failed++;
      else t.notApplicable++;
    }
  }
  return t;
}
