import { buildValidSubmission, setPatientIdEverywhere } from '../testFixtures';
import { validateSubmission } from '../validate';
import { NORWAY_PROFILE, NORWEGIAN_ID_OID, hasValidNorwegianCheckDigits, norwayProfile, norwegianIdProblem } from './norway';

const FNR = NORWEGIAN_ID_OID.fodselsnummer;
const DNR = NORWEGIAN_ID_OID.dNummer;

function cx(id: string, oid: string): string {
  return `${id}^^^&${oid}&ISO`;
}

describe('Norwegian national id check digits', () => {
  // NHN test patients and Tenor-style synthetic numbers from docs/norway.md section 3.2.
  it.each(['13116900216', '12119000465', '08077000292', '17855599120', '29698496140'])('%s passes mod 11', (id) => {
    expect(hasValidNorwegianCheckDigits(id)).toBe(true);
  });

  it.each(['13116900217', '13116900226', '12119000456', '1311690021', '131169002160', '1311690021a'])('%s fails', (id) => {
    expect(hasValidNorwegianCheckDigits(id)).toBe(false);
  });

  it('every single-digit change of a valid number breaks a check digit', () => {
    const valid = '13116900216';
    for (let i = 0; i < valid.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === valid[i]) continue;
        const changed = `${valid.slice(0, i)}${d}${valid.slice(i + 1)}`;
        expect([changed, hasValidNorwegianCheckDigits(changed)]).toEqual([changed, false]);
      }
    }
  });

  it('the 2032 relaxation accepts a weighted-sum remainder of 1-3 only where switched on', () => {
    // 13116900224: the K1 weighted sum leaves remainder 1, the K2 sum remainder 0.
    expect(hasValidNorwegianCheckDigits('13116900224', 'off')).toBe(false);
    expect(hasValidNorwegianCheckDigits('13116900224', 'k1')).toBe(true);
    // 13116900217: K1 remainder 0, K2 remainder 1 (last digit one too high): only 'both' relaxes K2.
    expect(hasValidNorwegianCheckDigits('13116900217', 'k1')).toBe(false);
    expect(hasValidNorwegianCheckDigits('13116900217', 'both')).toBe(true);
  });

  it('names what is wrong', () => {
    expect(norwegianIdProblem('53116900390', 'dNummer')).toBeUndefined();
    expect(norwegianIdProblem('13116900216', 'dNummer')).toMatch(/first digit must be 4-7/);
    expect(norwegianIdProblem('53116900390', 'fodselsnummer')).toMatch(/first digit must be 0-3/);
    expect(norwegianIdProblem('1311690021', 'fodselsnummer')).toMatch(/11 digits/);
    expect(norwegianIdProblem('13116900217', 'fodselsnummer')).toMatch(/check digits/);
  });
});

describe('the Norwegian profile on a submission', () => {
  it('accepts a valid fødselsnummer and a valid D-nummer', () => {
    expect(validateSubmission(setPatientIdEverywhere(buildValidSubmission(), cx('13116900216', FNR)), 'ITI-41', NORWAY_PROFILE)).toEqual([]);
    expect(validateSubmission(setPatientIdEverywhere(buildValidSubmission(), cx('53116900390', DNR)), 'ITI-42', NORWAY_PROFILE)).toEqual([]);
  });

  it('warns (by default) about a wrong check digit on every object carrying it, naming the value', () => {
    const s = setPatientIdEverywhere(buildValidSubmission(), cx('13116900217', FNR));
    const errors = validateSubmission(s, 'ITI-42', NORWAY_PROFILE);
    expect(errors).toHaveLength(4); // SubmissionSet, two DocumentEntries, Folder
    for (const e of errors) {
      expect(e).toMatchObject({ errorCode: 'XDSRegistryMetadataError', severity: 'Warning' });
      expect(e.codeContext).toContain("patientId '13116900217^^^&2.16.578.1.12.4.1.4.1&ISO'");
    }
  });

  it('warns about a fødselsnummer sent under the D-nummer OID', () => {
    const errors = validateSubmission(setPatientIdEverywhere(buildValidSubmission(), cx('13116900216', DNR)), 'ITI-41', NORWAY_PROFILE);
    expect(errors.map((e) => [e.errorCode, e.severity])).toEqual(Array(4).fill(['XDSRepositoryMetadataError', 'Warning']));
  });

  it('leaves other assigning authorities alone', () => {
    const s = setPatientIdEverywhere(buildValidSubmission(), cx('12345', '2.16.578.1.12.4.1.4.3'));
    expect(validateSubmission(s, 'ITI-42', NORWAY_PROFILE)).toEqual([]);
  });

  it('is not part of the IHE rules', () => {
    const s = setPatientIdEverywhere(buildValidSubmission(), cx('13116900217', FNR));
    expect(validateSubmission(s, 'ITI-42')).toEqual([]);
  });

  it('can be switched off like any rule', () => {
    const s = setPatientIdEverywhere(buildValidSubmission(), cx('13116900217', FNR));
    const quiet = { ...norwayProfile(), overrides: { 'no.patientId.nationalId': { severity: 'off' as const } } };
    expect(validateSubmission(s, 'ITI-42', quiet)).toEqual([]);
  });
});
