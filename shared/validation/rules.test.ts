/**
 * The rule table, tested from itself: every rule must carry a negative example, and for every transaction the
 * rule applies to, its example must make the validator report the exact IHE errorCode with a codeContext that
 * names the field and the offending value. A new rule without a working negative case fails here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BASE_RULES, runRules, validateSubmission } from './validate';
import { NORWAY_PROFILE } from './profiles/norway';
import { buildValidSubmission } from './testFixtures';
import type { Rule, Transaction } from './types';

const SUBMIT_TXS: Transaction[] = ['ITI-41', 'ITI-42'];

/** The IHE errorCode each rule must report, written out independently of the rules' own code functions. */
function expectedCode(ruleId: string, tx: Transaction): string {
  if (ruleId === 'structure.patientId.consistent') return 'XDSPatientIdDoesNotMatch';
  if (ruleId === 'structure.uniqueId.duplicateInMessage') {
    return tx === 'ITI-41' ? 'XDSRepositoryDuplicateUniqueIdInMessage' : 'XDSRegistryDuplicateUniqueIdInMessage';
  }
  return tx === 'ITI-41' ? 'XDSRepositoryMetadataError' : 'XDSRegistryMetadataError';
}

const ALL_RULES: Rule[] = [...BASE_RULES, ...NORWAY_PROFILE.extraRules];

describe('the valid fixture', () => {
  it.each(SUBMIT_TXS)('passes every base rule for %s', (tx) => {
    expect(validateSubmission(buildValidSubmission(), tx)).toEqual([]);
  });

  it.each(SUBMIT_TXS)('passes the Norwegian profile for %s', (tx) => {
    expect(validateSubmission(buildValidSubmission(), tx, NORWAY_PROFILE)).toEqual([]);
  });

  it('holds what the brief asks for: 1 SubmissionSet, 2 DocumentEntries, 1 Folder, HasMember associations', () => {
    const s = buildValidSubmission();
    expect([s.submissionSets.length, s.documentEntries.length, s.folders.length]).toEqual([1, 2, 1]);
    expect(s.associations.length).toBeGreaterThanOrEqual(4);
  });
});

describe('the rule table', () => {
  it('has unique rule ids', () => {
    const ids = ALL_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(ALL_RULES.map((r) => [r.id, r] as const))('%s declares a description, transactions and a negative example', (_id, rule) => {
    expect(rule.description.length).toBeGreaterThan(10);
    expect(rule.appliesTo.length).toBeGreaterThan(0);
    expect(typeof rule.example?.mutate).toBe('function');
    expect(rule.example.expectInContext.length).toBeGreaterThan(0);
  });
});

const cases = ALL_RULES.flatMap((rule) => SUBMIT_TXS.map((tx) => [rule.id, tx, rule] as const));

describe.each(cases)('rule %s, %s', (ruleId, tx, rule) => {
  const profile = { name: 'under-test', overrides: {}, extraRules: BASE_RULES.includes(rule) ? [] : [rule] };
  const applies = rule.appliesTo.includes(tx);

  it('finds nothing in the valid fixture', () => {
    expect(runRules(buildValidSubmission(), tx, profile).filter((r) => r.ruleId === ruleId)).toEqual([]);
  });

  if (applies) {
    it('reports its negative example with the exact errorCode and a codeContext naming field and value', () => {
      const mutated = rule.example.mutate(buildValidSubmission());
      const mine = runRules(mutated, tx, profile).filter((r) => r.ruleId === ruleId);
      expect(mine.length).toBeGreaterThan(0);
      for (const { error } of mine) {
        expect(error.errorCode).toBe(expectedCode(ruleId, tx));
        expect(error.severity).toBe(rule.severity === 'warning' ? 'Warning' : 'Error');
      }
      const contexts = mine.map((r) => r.error.codeContext).join('\n');
      for (const part of rule.example.expectInContext) expect(contexts).toContain(part);
    });
  } else {
    it('is not run for this transaction', () => {
      const mutated = rule.example.mutate(buildValidSubmission());
      expect(runRules(mutated, tx, profile).filter((r) => r.ruleId === ruleId)).toEqual([]);
    });
  }
});

describe('README.md', () => {
  const readme = fs.readFileSync(path.join(__dirname, 'README.md'), 'utf8');
  it.each(ALL_RULES.map((r) => r.id))('lists rule %s in the rule table', (id) => {
    expect(readme).toContain(`| \`${id}\` |`);
  });
});
