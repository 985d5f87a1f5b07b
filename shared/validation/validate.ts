/**
 * The validation engine: runs every enabled rule for a transaction and turns findings into RegistryErrors.
 * Rules are data (see the *Rules.ts files); a ValidationProfile changes severities and adds rules.
 */
import type { RegistryError } from '../errors';
import type { Submission } from '../xds/model';
import { associationRules } from './associationRules';
import { documentEntryRules } from './documentEntryRules';
import { folderRules } from './folderRules';
import { structureRules } from './structureRules';
import { submissionSetRules } from './submissionSetRules';
import type { Rule, RuleSeverity, Transaction, ValidationProfile } from './types';

/** Every base rule, in the order their errors are reported. */
export const BASE_RULES: readonly Rule[] = [...structureRules, ...submissionSetRules, ...documentEntryRules, ...folderRules, ...associationRules];

/** The profile that changes nothing. */
export const DEFAULT_PROFILE: ValidationProfile = { name: 'ihe', overrides: {}, extraRules: [] };

/** One reported problem with the rule that found it. */
export interface RuleResult {
  ruleId: string;
  error: RegistryError;
}

/** Problems with a profile: overrides naming no rule, extra rules reusing an id. Empty when the profile is sound. */
export function profileProblems(profile: ValidationProfile, base: readonly Rule[] = BASE_RULES): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const rule of [...base, ...profile.extraRules]) {
    if (ids.has(rule.id)) problems.push(`profile '${profile.name}': rule id '${rule.id}' is declared twice`);
    ids.add(rule.id);
  }
  for (const id of Object.keys(profile.overrides)) {
    if (!ids.has(id)) problems.push(`profile '${profile.name}': override for unknown rule '${id}'`);
  }
  return problems;
}

/** The rules a profile runs for a transaction, each with its effective severity ('off' rules left out). */
export function effectiveRules(tx: Transaction, profile: ValidationProfile = DEFAULT_PROFILE): { rule: Rule; severity: Exclude<RuleSeverity, 'off'> }[] {
  const problems = profileProblems(profile);
  if (problems.length > 0) throw new Error(problems.join('; '));
  const out: { rule: Rule; severity: Exclude<RuleSeverity, 'off'> }[] = [];
  for (const rule of [...BASE_RULES, ...profile.extraRules]) {
    if (!rule.appliesTo.includes(tx)) continue;
    const severity = profile.overrides[rule.id]?.severity ?? rule.severity;
    if (severity !== 'off') out.push({ rule, severity });
  }
  return out;
}

/** Runs the rules and keeps, for each problem, the id of the rule that found it. */
export function runRules(sub: Submission, tx: Transaction, profile: ValidationProfile = DEFAULT_PROFILE): RuleResult[] {
  const ctx = { submission: sub, tx };
  return effectiveRules(tx, profile).flatMap(({ rule, severity }) =>
    rule.check(ctx).map((f) => {
      const error: RegistryError = { errorCode: rule.code(tx), codeContext: f.codeContext, severity: severity === 'error' ? 'Error' : 'Warning' };
      if (f.location !== undefined) error.location = f.location;
      return { ruleId: rule.id, error };
    }),
  );
}

/**
 * Validates a submission's metadata for a transaction. Returns every problem as an rs:RegistryError
 * (Error or Warning severity); an empty list means the metadata passed. Throws only when the profile itself
 * is inconsistent (an override naming no rule, a duplicate rule id).
 */
export function validateSubmission(sub: Submission, tx: Transaction, profile?: ValidationProfile): RegistryError[] {
  return runRules(sub, tx, profile).map((r) => r.error);
}
