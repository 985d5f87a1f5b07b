/**
 * Example national profile: Norway (docs/norway.md sections 1.3 and 3).
 * - Adds a warning-by-default check of the patient id: when the CX assigning authority is the
 *   fødselsnummer OID (2.16.578.1.12.4.1.4.1) or the D-nummer OID (2.16.578.1.12.4.1.4.2), CX.1 must be
 *   11 digits with valid mod-11 check digits, and its first digit must fit the kind of number.
 * - Lowers de.uniqueId.format to a warning: Norwegian sources do not enforce IHE's uniqueId constraints.
 */
import type { Submission } from '../../xds/model';
import { isValidCx, parseCx } from '../../xds/datatypes';
import { finding, metadataError, SUBMIT } from '../ruleKit';
import { setPatientIdEverywhere } from '../testFixtures';
import type { Rule, ValidationProfile } from '../types';

export const NORWEGIAN_ID_OID = {
  fodselsnummer: '2.16.578.1.12.4.1.4.1',
  dNummer: '2.16.578.1.12.4.1.4.2',
} as const;

/**
 * The check-digit rule from 2032 (Skatteetaten): a weighted-sum remainder of 0, 1, 2 or 3 is accepted.
 * Whether that covers K1 only or both check digits is unconfirmed, so it is a setting:
 * 'off' = only the classic rule (remainder 0), 'k1' = relaxed for K1, 'both' = relaxed for K1 and K2.
 */
export type Post2032CheckDigits = 'off' | 'k1' | 'both';

const K1_WEIGHTS = [3, 7, 6, 1, 8, 9, 4, 5, 2, 1];
const K2_WEIGHTS = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1];

function weightedRemainder(digits: readonly number[], weights: readonly number[]): number {
  return weights.reduce((sum, w, i) => sum + w * (digits[i] ?? 0), 0) % 11;
}

/** True when both check digits of an 11-digit fødselsnummer / D-nummer are right. */
export function hasValidNorwegianCheckDigits(id: string, post2032: Post2032CheckDigits = 'off'): boolean {
  if (!/^[0-9]{11}$/.test(id)) return false;
  const digits = [...id].map(Number);
  const accepted = (relaxed: boolean, remainder: number) => remainder === 0 || (relaxed && remainder <= 3);
  return (
    accepted(post2032 !== 'off', weightedRemainder(digits, K1_WEIGHTS)) &&
    accepted(post2032 === 'both', weightedRemainder(digits, K2_WEIGHTS))
  );
}

/** Why a national id is wrong for its assigning authority, or undefined when it is fine. */
export function norwegianIdProblem(id: string, kind: 'fodselsnummer' | 'dNummer', post2032: Post2032CheckDigits = 'off'): string | undefined {
  const label = kind === 'fodselsnummer' ? 'fødselsnummer' : 'D-nummer';
  if (!/^[0-9]{11}$/.test(id)) return `is not a ${label}: it must be 11 digits`;
  const first = Number(id[0]);
  if (kind === 'dNummer' && (first < 4 || first > 7)) return 'is not a D-nummer: the first digit must be 4-7 (day + 40)';
  if (kind === 'fodselsnummer' && first > 3) return 'is not a fødselsnummer: the first digit must be 0-3 (a D-nummer needs OID 2.16.578.1.12.4.1.4.2)';
  if (!hasValidNorwegianCheckDigits(id, post2032)) return `is not a valid ${label}: the mod-11 check digits are wrong`;
  return undefined;
}

function kindOf(oid: string): 'fodselsnummer' | 'dNummer' | undefined {
  if (oid === NORWEGIAN_ID_OID.fodselsnummer) return 'fodselsnummer';
  if (oid === NORWEGIAN_ID_OID.dNummer) return 'dNummer';
  return undefined;
}

export interface NorwayProfileOptions {
  post2032CheckDigits?: Post2032CheckDigits;
}

export function norwegianPatientIdRule(options: NorwayProfileOptions = {}): Rule {
  const post2032 = options.post2032CheckDigits ?? 'off';
  return {
    id: 'no.patientId.nationalId',
    description:
      'Norway: a patientId issued by 2.16.578.1.12.4.1.4.1 (fødselsnummer) or .4.2 (D-nummer) is 11 digits with valid mod-11 check digits (warning by default)',
    code: metadataError,
    severity: 'warning',
    appliesTo: SUBMIT,
    check: ({ submission }) =>
      [...submission.submissionSets, ...submission.documentEntries, ...submission.folders].flatMap((o) => {
        const value = o.patientId?.value;
        const cx = value === undefined || !isValidCx(value) ? undefined : parseCx(value);
        const kind = cx === undefined ? undefined : kindOf(cx.assigningAuthority.universalId);
        if (cx === undefined || kind === undefined) return [];
        const problem = norwegianIdProblem(cx.id, kind, post2032);
        return problem === undefined ? [] : [finding(o, 'patientId', problem, value)];
      }),
    example: {
      mutate: (s: Submission) => setPatientIdEverywhere(s, `13116900217^^^&${NORWEGIAN_ID_OID.fodselsnummer}&ISO`),
      expectInContext: ['patientId', '13116900217', 'check digits'],
    },
  };
}

export function norwayProfile(options: NorwayProfileOptions = {}): ValidationProfile {
  return {
    name: 'norway',
    overrides: { 'de.uniqueId.format': { severity: 'warning' } },
    extraRules: [norwegianPatientIdRule(options)],
  };
}

export const NORWAY_PROFILE: ValidationProfile = norwayProfile();
