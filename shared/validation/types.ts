/**
 * Metadata validation, declared as data: a Rule names what it checks, the IHE errorCode it reports,
 * its default severity and the transactions it applies to; one small engine (engine.ts) runs them.
 */
import type { Submission } from '../xds/model';

/**
 * Which message the metadata arrived in, seen from the actor that validates it:
 * - 'ITI-41': Provide and Register as the repository receives it (hash, size, repositoryUniqueId optional);
 * - 'ITI-42': Register as the registry receives it (hash, size, repositoryUniqueId required);
 * - 'ITI-57': Update Document Set (no rules declared for it yet).
 */
export type Transaction = 'ITI-41' | 'ITI-42' | 'ITI-57';

export const TRANSACTIONS: readonly Transaction[] = ['ITI-41', 'ITI-42', 'ITI-57'];

/** A rule's severity: 'off' disables it. */
export type RuleSeverity = 'error' | 'warning' | 'off';

/** One problem a rule found. The engine turns it into an rs:RegistryError. */
export interface Finding {
  /** Names the object (id, and uniqueId when known), the attribute and the offending value. */
  codeContext: string;
  /** The offending object's id. */
  location?: string;
}

/** What a rule sees. */
export interface RuleContext {
  submission: Submission;
  tx: Transaction;
}

/**
 * A negative example every rule must carry: a mutation of the valid test fixture (shared/validation/testFixtures.ts)
 * that this rule must report, and substrings the reported codeContext must contain (the field name and the
 * offending value). The rule-table test runs each example for every transaction the rule applies to.
 */
export interface RuleExample {
  mutate: (validFixture: Submission) => Submission;
  expectInContext: string[];
}

export interface Rule {
  /** Stable id, used by profiles to override the severity, e.g. 'de.creationTime.required'. */
  id: string;
  description: string;
  /** The IHE errorCode to report; a function because the same rule reports a per-transaction code. */
  code: (tx: Transaction) => string;
  severity: RuleSeverity;
  appliesTo: readonly Transaction[];
  check: (ctx: RuleContext) => Finding[];
  example: RuleExample;
}

export interface RuleOverride {
  severity?: RuleSeverity;
}

/** A named set of severity overrides and extra rules (e.g. a national profile), applied on top of the base rules. */
export interface ValidationProfile {
  name: string;
  overrides: Record<string, RuleOverride>;
  extraRules: Rule[];
}
