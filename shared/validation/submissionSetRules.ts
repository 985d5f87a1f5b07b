/** SubmissionSet rules (digest 3.6, 3.8). */
import { SLOT } from '../xds/constants';
import type { Code, Submission, SubmissionSet } from '../xds/model';
import { isOidLenient, isValidCx } from '../xds/datatypes';
import {
  SUBMISSION_SET_SLOTS,
  authorRules,
  codingSchemeRule,
  dtmSlotsRule,
  duplicateSlotNameRule,
  extraSlotNameRule,
  formatRule,
  limitedMetadataRule,
  requiredRule,
  select,
  singleValuedSlotsRule,
} from './ruleKit';
import { firstAuthor, theSubmissionSet } from './testFixtures';
import type { Rule } from './types';

const sets = select.SubmissionSet;
const SS = 'SubmissionSet01';

function mutateSs(change: (ss: SubmissionSet) => void): (s: Submission) => Submission {
  return (s) => {
    change(theSubmissionSet(s));
    return s;
  };
}

interface RequiredAttribute {
  attribute: string;
  get: (ss: SubmissionSet) => string | readonly string[] | Code | undefined;
  remove: (ss: SubmissionSet) => void;
}

const REQUIRED: readonly RequiredAttribute[] = [
  { attribute: 'uniqueId', get: (ss) => ss.uniqueId?.value, remove: (ss) => delete ss.uniqueId },
  { attribute: 'sourceId', get: (ss) => ss.sourceId?.value, remove: (ss) => delete ss.sourceId },
  { attribute: 'patientId', get: (ss) => ss.patientId?.value, remove: (ss) => delete ss.patientId },
  { attribute: SLOT.submissionTime, get: (ss) => ss.submissionTime, remove: (ss) => delete ss.submissionTime },
  { attribute: 'contentTypeCode', get: (ss) => ss.contentTypeCode, remove: (ss) => delete ss.contentTypeCode },
];

export const submissionSetRules: Rule[] = [
  ...REQUIRED.map((r) =>
    requiredRule(
      {
        id: `ss.${r.attribute}.required`,
        description: `SubmissionSet.${r.attribute} is required`,
        attribute: r.attribute,
        example: { mutate: mutateSs(r.remove), expectInContext: [r.attribute, SS] },
      },
      sets,
      r.get,
    ),
  ),
  formatRule(
    {
      id: 'ss.uniqueId.oid',
      description: 'SubmissionSet uniqueId is an OID of at most 64 characters',
      attribute: 'uniqueId',
      problem: 'is not an OID (dotted decimal numbers, at most 64 characters)',
      example: { mutate: mutateSs((ss) => (ss.uniqueId = { value: '1.2.3.4.5.6.100^ext' })), expectInContext: ['uniqueId', '1.2.3.4.5.6.100^ext', SS] },
    },
    sets,
    (ss) => ss.uniqueId?.value,
    isOidLenient,
  ),
  formatRule(
    {
      id: 'ss.sourceId.oid',
      description: 'SubmissionSet sourceId is an OID',
      attribute: 'sourceId',
      problem: 'is not an OID (dotted decimal numbers, at most 64 characters)',
      example: { mutate: mutateSs((ss) => (ss.sourceId = { value: 'urn:oid:1.3.6.1' })), expectInContext: ['sourceId', 'urn:oid:1.3.6.1', SS] },
    },
    sets,
    (ss) => ss.sourceId?.value,
    isOidLenient,
  ),
  formatRule(
    {
      id: 'ss.patientId.cx',
      description: 'SubmissionSet patientId is a CX id^^^&OID&ISO',
      attribute: 'patientId',
      problem: 'is not a CX of the form id^^^&OID&ISO',
      example: { mutate: mutateSs((ss) => (ss.patientId = { value: 'P-1001^^^NS&1.2.3.4.100&ISO' })), expectInContext: ['patientId', 'P-1001^^^NS&1.2.3.4.100&ISO', SS] },
    },
    sets,
    (ss) => ss.patientId?.value,
    isValidCx,
  ),
  dtmSlotsRule(
    {
      id: 'ss.time.dtm',
      description: 'SubmissionSet submissionTime is a DTM',
      example: { mutate: mutateSs((ss) => (ss.submissionTime = ['20240131123000+0100'])), expectInContext: ['submissionTime', '20240131123000+0100', SS] },
    },
    sets,
    SUBMISSION_SET_SLOTS,
  ),
  singleValuedSlotsRule(
    {
      id: 'ss.slot.singleValued',
      description: 'SubmissionSet submissionTime carries one value',
      example: { mutate: mutateSs((ss) => (ss.submissionTime = ['20240131123000', '20240131123001'])), expectInContext: ['submissionTime', '20240131123001', SS] },
    },
    sets,
    SUBMISSION_SET_SLOTS,
  ),
  duplicateSlotNameRule(
    {
      id: 'ss.slot.duplicateName',
      description: 'A slot name appears at most once on a SubmissionSet (and on each of its authors)',
      example: {
        mutate: mutateSs((ss) => (firstAuthor(ss).extraSlots = [{ name: SLOT.authorRole, values: ['Nurse'] }])),
        expectInContext: ['author', 'authorRole', 'duplicate', SS],
      },
    },
    sets,
    SUBMISSION_SET_SLOTS,
  ),
  extraSlotNameRule(
    {
      id: 'ss.slot.extraName',
      description: 'SubmissionSet extra slots: urn: names allowed, urn:ihe: reserved (except referenceIdList), other unknown names rejected',
      example: { mutate: mutateSs((ss) => ss.extraSlots.push({ name: 'submissionDate', values: ['20240101'] })), expectInContext: ['slot name', 'submissionDate', SS] },
    },
    sets,
    SUBMISSION_SET_SLOTS,
  ),
  codingSchemeRule(
    {
      id: 'ss.code.codingScheme',
      description: 'The SubmissionSet contentTypeCode has a nodeRepresentation and exactly one codingScheme value',
      example: {
        mutate: mutateSs((ss) => {
          if (ss.contentTypeCode) ss.contentTypeCode.code = '';
        }),
        expectInContext: ['contentTypeCode', 'nodeRepresentation', SS],
      },
    },
    sets,
  ),
  ...authorRules('ss', sets, {
    incomplete: {
      mutate: mutateSs((ss) => {
        const a = firstAuthor(ss);
        a.person = '';
        a.institutions = [];
        a.telecoms = [];
      }),
      expectInContext: ['author', 'authorInstitution', SS],
    },
    person: { mutate: mutateSs((ss) => (firstAuthor(ss).person = '^^^')), expectInContext: ['authorPerson', "'^^^'", SS] },
    institution: { mutate: mutateSs((ss) => (firstAuthor(ss).institutions = ['Some Hospital^x^^^^^^^^1.2.3'])), expectInContext: ['authorInstitution', 'Some Hospital^x^^^^^^^^1.2.3', SS] },
    telecom: { mutate: mutateSs((ss) => (firstAuthor(ss).telecoms = ['mwel@healthcare.example.org'])), expectInContext: ['authorTelecommunication', 'mwel@healthcare.example.org', SS] },
  }),
  limitedMetadataRule(
    {
      id: 'ss.limitedMetadata',
      description: 'SubmissionSet limitedMetadata classification is rejected in XDS',
      example: { mutate: mutateSs((ss) => (ss.limitedMetadata = { id: 'limited-ss' })), expectInContext: ['limitedMetadata', 'limited-ss', SS] },
    },
    sets,
  ),
];
