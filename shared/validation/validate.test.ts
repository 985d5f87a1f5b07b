/** The engine (severities, profiles, transactions) and rule behaviour beyond each rule's one negative example. */
import { ASSOCIATION_TYPE, CLASSIFICATION_SCHEME, OBJECT_TYPE, SLOT } from '../xds/constants';
import type { Submission } from '../xds/model';
import { selectProfile } from './profiles';
import { NORWAY_PROFILE } from './profiles/norway';
import {
  FIXTURE_IDS,
  associationById,
  buildValidSubmission,
  firstAuthor,
  firstDocumentEntry,
  renameObject,
  secondDocumentEntry,
  theFolder,
  theSubmissionSet,
} from './testFixtures';
import type { Rule, ValidationProfile } from './types';
import { BASE_RULES, DEFAULT_PROFILE, effectiveRules, profileProblems, runRules, validateSubmission } from './validate';

function withoutCreationTime(): Submission {
  const s = buildValidSubmission();
  delete firstDocumentEntry(s).creationTime;
  return s;
}

function ruleIds(s: Submission, tx: 'ITI-41' | 'ITI-42' = 'ITI-42', profile?: ValidationProfile): string[] {
  return runRules(s, tx, profile).map((r) => r.ruleId);
}

function profile(overrides: ValidationProfile['overrides'], extraRules: Rule[] = []): ValidationProfile {
  return { name: 'test', overrides, extraRules };
}

describe('profiles', () => {
  it('severity off removes the error', () => {
    const before = validateSubmission(withoutCreationTime(), 'ITI-42');
    expect(before.map((e) => e.codeContext).join()).toContain('creationTime');
    const after = validateSubmission(withoutCreationTime(), 'ITI-42', profile({ 'de.creationTime.required': { severity: 'off' } }));
    expect(after).toEqual([]);
  });

  it('severity warning reports the same code with Warning severity', () => {
    const errors = validateSubmission(withoutCreationTime(), 'ITI-42', profile({ 'de.creationTime.required': { severity: 'warning' } }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ errorCode: 'XDSRegistryMetadataError', severity: 'Warning', location: FIXTURE_IDS.document1 });
  });

  it('severity error turns a warning-by-default rule into an error', () => {
    const s = buildValidSubmission();
    for (const o of [...s.submissionSets, ...s.documentEntries, ...s.folders]) o.patientId = { value: '13116900217^^^&2.16.578.1.12.4.1.4.1&ISO' };
    const asWarning = validateSubmission(s, 'ITI-42', NORWAY_PROFILE);
    expect(asWarning.length).toBeGreaterThan(0);
    expect(asWarning.every((e) => e.severity === 'Warning')).toBe(true);
    const strict: ValidationProfile = { ...NORWAY_PROFILE, overrides: { ...NORWAY_PROFILE.overrides, 'no.patientId.nationalId': { severity: 'error' } } };
    expect(validateSubmission(s, 'ITI-42', strict).every((e) => e.severity === 'Error')).toBe(true);
  });

  it('an override naming no rule is refused (a typo must not silently disable nothing)', () => {
    const typo = profile({ 'de.creationTim.required': { severity: 'off' } });
    expect(profileProblems(typo)).toEqual(["profile 'test': override for unknown rule 'de.creationTim.required'"]);
    expect(() => validateSubmission(buildValidSubmission(), 'ITI-42', typo)).toThrow(/de\.creationTim\.required/);
  });

  it('an extra rule reusing a base rule id is refused', () => {
    const base = BASE_RULES[0] as Rule;
    expect(() => validateSubmission(buildValidSubmission(), 'ITI-42', profile({}, [{ ...base }]))).toThrow(/declared twice/);
  });

  it('runs extra rules only for the transactions they apply to', () => {
    const alwaysComplains: Rule = {
      id: 'local.alwaysComplains',
      description: 'test rule',
      code: () => 'LocalPolicyError',
      severity: 'error',
      appliesTo: ['ITI-41'],
      check: ({ submission }) => [{ codeContext: `saw ${submission.documentEntries.length} entries` }],
      example: { mutate: (s) => s, expectInContext: ['saw'] },
    };
    const p = profile({}, [alwaysComplains]);
    expect(validateSubmission(buildValidSubmission(), 'ITI-41', p)).toEqual([{ errorCode: 'LocalPolicyError', codeContext: 'saw 2 entries', severity: 'Error' }]);
    expect(validateSubmission(buildValidSubmission(), 'ITI-42', p)).toEqual([]);
  });

  it('ITI-57 has no rules yet', () => {
    expect(effectiveRules('ITI-57')).toEqual([]);
  });

  it('selectProfile gives the IHE rules unchanged and the Norwegian profile by name, and refuses unknown names', () => {
    expect(selectProfile('ihe')).toBe(DEFAULT_PROFILE);
    expect(selectProfile('norway')).toBe(NORWAY_PROFILE);
    expect(() => selectProfile('sweden')).toThrow(/unknown validation profile 'sweden'/);
  });

  it('the Norwegian profile lowers the DocumentEntry uniqueId format check to a warning', () => {
    const s = buildValidSubmission();
    firstDocumentEntry(s).uniqueId = { value: 'NO-DOC-42' };
    expect(validateSubmission(s, 'ITI-42').map((e) => e.severity)).toEqual(['Error']);
    expect(validateSubmission(s, 'ITI-42', NORWAY_PROFILE).map((e) => e.severity)).toEqual(['Warning']);
  });
});

describe('codes per transaction', () => {
  it('the repository reports metadata errors as XDSRepositoryMetadataError, the registry as XDSRegistryMetadataError', () => {
    expect(validateSubmission(withoutCreationTime(), 'ITI-41').map((e) => e.errorCode)).toEqual(['XDSRepositoryMetadataError']);
    expect(validateSubmission(withoutCreationTime(), 'ITI-42').map((e) => e.errorCode)).toEqual(['XDSRegistryMetadataError']);
  });

  it('hash, size and repositoryUniqueId are optional in ITI-41 and required in ITI-42', () => {
    const s = buildValidSubmission();
    const de = firstDocumentEntry(s);
    delete de.hash;
    delete de.size;
    delete de.repositoryUniqueId;
    expect(validateSubmission(s, 'ITI-41')).toEqual([]);
    expect(ruleIds(s, 'ITI-42').sort()).toEqual(['de.hash.required', 'de.repositoryUniqueId.required', 'de.size.required']);
  });
});

describe('codeContext', () => {
  it('names the DocumentEntry by id and uniqueId, the attribute and the offending value; location is the object id', () => {
    const s = buildValidSubmission();
    firstDocumentEntry(s).creationTime = ['20240231'];
    const [error] = validateSubmission(s, 'ITI-42');
    expect(error?.codeContext).toBe(
      "DocumentEntry 'Document01' (uniqueId '1.2.3.4.5.6.1'): creationTime '20240231' is not a DTM (YYYY[MM[DD[hh[mm[ss]]]]], UTC, no offset, no fraction)",
    );
    expect(error?.location).toBe('Document01');
  });

  it('a patient id mismatch gives both values', () => {
    const s = buildValidSubmission();
    theFolder(s).patientId = { value: 'OTHER^^^&1.2.3.4.100&ISO' };
    const errors = validateSubmission(s, 'ITI-41');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.errorCode).toBe('XDSPatientIdDoesNotMatch');
    expect(errors[0]?.codeContext).toContain("'OTHER^^^&1.2.3.4.100&ISO'");
    expect(errors[0]?.codeContext).toContain("'P-1001^^^&1.2.3.4.100&ISO'");
  });
});

describe('what the rules accept', () => {
  it('urn:uuid ids in any case, and a document uniqueId with leading zeros and an extension', () => {
    const s = renameObject(buildValidSubmission(), FIXTURE_IDS.document1, 'urn:uuid:A5B6C7D8-0000-4000-8000-ABCDEFABCDEF');
    firstDocumentEntry(s).uniqueId = { value: '1.3.6.1.4.1.21367.2009.1.2.182.097130838507401^2009022441432' };
    expect(validateSubmission(s, 'ITI-42')).toEqual([]);
  });

  it('extra urn: slots, and the referenceIdList slot name on a SubmissionSet', () => {
    const s = buildValidSubmission();
    firstDocumentEntry(s).extraSlots.push({ name: 'urn:example:department', values: ['cardiology'] });
    theSubmissionSet(s).extraSlots.push({ name: SLOT.referenceIdList, values: ['ref-1^^^^urn:ihe:iti:xds:2013:order'] });
    expect(validateSubmission(s, 'ITI-42')).toEqual([]);
  });

  it('service times of different precision compared at the common precision', () => {
    const s = buildValidSubmission();
    firstDocumentEntry(s).serviceStartTime = ['20240131'];
    firstDocumentEntry(s).serviceStopTime = ['2024'];
    expect(validateSubmission(s, 'ITI-42')).toEqual([]);
  });

  it('sourcePatientInfo PID-20 (PID-2 is forbidden, PID-20 is not)', () => {
    const s = buildValidSubmission();
    firstDocumentEntry(s).sourcePatientInfo = ['PID-20|something'];
    expect(validateSubmission(s, 'ITI-42')).toEqual([]);
  });

  it('a SubmissionSet HasMember with Reference to a DocumentEntry already in the registry', () => {
    const s = buildValidSubmission();
    s.associations.push({
      type: 'Association',
      entryUuid: 'ref-assoc',
      associationType: ASSOCIATION_TYPE.HasMember,
      sourceObject: FIXTURE_IDS.submissionSet,
      targetObject: 'urn:uuid:7a3c1d2e-1111-4222-8333-944455566677',
      submissionSetStatus: ['Reference'],
      extraSlots: [],
    });
    expect(validateSubmission(s, 'ITI-42')).toEqual([]);
  });

  it('the documentation classification on RPLC, APND, XFRM, XFRM_RPLC and signs', () => {
    for (const type of [ASSOCIATION_TYPE.RPLC, ASSOCIATION_TYPE.APND, ASSOCIATION_TYPE.XFRM, ASSOCIATION_TYPE.XFRM_RPLC, ASSOCIATION_TYPE.signs]) {
      const s = buildValidSubmission();
      s.associations.push({
        type: 'Association',
        entryUuid: 'relationship',
        associationType: type,
        sourceObject: FIXTURE_IDS.document2,
        targetObject: 'urn:uuid:7a3c1d2e-1111-4222-8333-944455566677',
        documentation: { code: 'corrected', scheme: '1.2.3.4', id: 'doc-cl' },
        extraSlots: [],
      });
      expect(validateSubmission(s, 'ITI-42')).toEqual([]);
    }
  });

  it('an ObjectRef among the top-level objects', () => {
    const s = buildValidSubmission();
    s.unclassified.push({ kind: 'ObjectRef', id: 'urn:uuid:7a3c1d2e-1111-4222-8333-944455566677' });
    expect(validateSubmission(s, 'ITI-42')).toEqual([]);
  });
});

describe('what the rules reject, beyond each rule’s own example', () => {
  it.each(['PID-4|alias', 'PID-12|county', 'PID-19|ssn', 'PID3|no dash', 'Doe^Jane'])('sourcePatientInfo %s', (value) => {
    const s = buildValidSubmission();
    firstDocumentEntry(s).sourcePatientInfo = [value];
    expect(ruleIds(s)).toEqual(['de.sourcePatientInfo.format']);
  });

  it('a document uniqueId longer than 128 characters', () => {
    const s = buildValidSubmission();
    firstDocumentEntry(s).uniqueId = { value: `1.2.${'3'.repeat(125)}` };
    expect(ruleIds(s)).toEqual(['de.uniqueId.format']);
  });

  it('an on-demand entry is reported once, by the on-demand rule', () => {
    const s = buildValidSubmission();
    firstDocumentEntry(s).objectType = OBJECT_TYPE.onDemandDocumentEntry;
    expect(ruleIds(s)).toEqual(['de.objectType.onDemand']);
  });

  it('a missing objectType', () => {
    const s = buildValidSubmission();
    delete firstDocumentEntry(s).objectType;
    expect(ruleIds(s)).toEqual(['de.objectType.stable']);
  });

  it('an ITI-57 association type in a submission', () => {
    const s = buildValidSubmission();
    associationById(s, FIXTURE_IDS.folderToDoc1).associationType = ASSOCIATION_TYPE.UpdateAvailabilityStatus;
    const errors = validateSubmission(s, 'ITI-42');
    expect(errors.map((e) => e.codeContext).join()).toContain('only allowed in ITI-57');
  });

  it('a SubmissionSet->DocumentEntry HasMember without SubmissionSetStatus', () => {
    const s = buildValidSubmission();
    delete associationById(s, FIXTURE_IDS.ssToDoc2).submissionSetStatus;
    expect(ruleIds(s)).toEqual(['assoc.hasMember.submissionSetStatus']);
  });

  it('two SubmissionSets', () => {
    const s = buildValidSubmission();
    s.submissionSets.push({ ...theSubmissionSet(s), entryUuid: 'SubmissionSet02', uniqueId: { value: '1.2.3.4.5.6.101' } });
    const errors = validateSubmission(s, 'ITI-42');
    expect(errors.map((e) => e.codeContext)).toContain("Submission: found 2 SubmissionSets ('SubmissionSet01', 'SubmissionSet02'); exactly one SubmissionSet is required");
  });

  it('a duplicate uniqueId between a Folder and the SubmissionSet', () => {
    const s = buildValidSubmission();
    theFolder(s).uniqueId = { value: '1.2.3.4.5.6.100' };
    const errors = validateSubmission(s, 'ITI-41');
    expect(errors.map((e) => e.errorCode)).toEqual(['XDSRepositoryDuplicateUniqueIdInMessage']);
  });

  it('a known slot carrying a slotType (fromEbxml leaves it among the extra slots)', () => {
    const s = buildValidSubmission();
    const de = firstDocumentEntry(s);
    delete de.legalAuthenticator;
    de.extraSlots.push({ name: SLOT.legalAuthenticator, slotType: 'xs:string', values: ['^Welby^Marcus'] });
    expect(ruleIds(s)).toEqual(['de.slot.extraName']);
  });

  it('an authorPerson slot with two values (fromEbxml leaves it among the author extra slots)', () => {
    const s = buildValidSubmission();
    const author = firstAuthor(firstDocumentEntry(s));
    delete author.person;
    author.extraSlots = [{ name: SLOT.authorPerson, values: ['^Welby^Marcus', '^Doe^Jane'] }];
    expect(ruleIds(s)).toEqual(['de.slot.singleValued']);
  });

  it('a coded Classification fromEbxml could not decode (no codingScheme) is reported with its code', () => {
    const s = buildValidSubmission();
    const de = secondDocumentEntry(s);
    delete de.typeCode;
    de.extraClassifications = [
      {
        kind: 'Classification',
        id: 'tc',
        classifiedObject: de.entryUuid,
        classificationScheme: CLASSIFICATION_SCHEME.typeCode,
        nodeRepresentation: '34108-1',
        slots: [],
        classifications: [],
        externalIdentifiers: [],
      },
    ];
    const errors = runRules(s, 'ITI-42');
    expect(errors.map((r) => r.ruleId).sort()).toEqual(['de.code.codingScheme', 'de.typeCode.required']);
    expect(errors.find((r) => r.ruleId === 'de.code.codingScheme')?.error.codeContext).toContain("typeCode (Classification 'tc') with code '34108-1' has no codingScheme slot");
  });

  it('an empty id, as dcm4chee CheckErrorsTest sends it', () => {
    const s = buildValidSubmission();
    theSubmissionSet(s).entryUuid = '';
    expect(ruleIds(s)).toContain('structure.id.required');
  });
});
