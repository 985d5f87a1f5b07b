/** DocumentEntry rules (digest 3.4, 3.5, 3.8). */
import { CLASSIFICATION_SCHEME, OBJECT_TYPE, SLOT } from '../xds/constants';
import type { Code, DocumentEntry, Submission } from '../xds/model';
import { isCxi, isLanguageCode, isMimeType, isOidLenient, isSha1Hex, isSize, isValidCx, isValidXcn } from '../xds/datatypes';
import {
  DOCUMENT_ENTRY_SLOTS,
  authorRules,
  codingSchemeRule,
  dtmSlotsRule,
  duplicateSlotNameRule,
  extraSlotNameRule,
  finding,
  formatRule,
  limitedMetadataRule,
  perObjectRule,
  requiredRule,
  select,
  singleValuedSlotsRule,
  undecodedCodes,
} from './ruleKit';
import { firstAuthor, firstDocumentEntry } from './testFixtures';
import type { Rule, Transaction } from './types';

const entries = select.DocumentEntry;
const D1 = 'Document01';

/** Required attributes, declared as data: name, how to read it, and how the negative example removes it. */
interface RequiredAttribute {
  attribute: string;
  get: (d: DocumentEntry) => string | readonly string[] | Code | readonly Code[] | undefined;
  remove: (d: DocumentEntry) => void;
  appliesTo?: readonly Transaction[];
}

const REQUIRED: readonly RequiredAttribute[] = [
  { attribute: 'classCode', get: (d) => d.classCode, remove: (d) => delete d.classCode },
  { attribute: 'confidentialityCode', get: (d) => d.confidentialityCodes, remove: (d) => (d.confidentialityCodes = []) },
  { attribute: 'formatCode', get: (d) => d.formatCode, remove: (d) => delete d.formatCode },
  { attribute: 'healthcareFacilityTypeCode', get: (d) => d.healthcareFacilityTypeCode, remove: (d) => delete d.healthcareFacilityTypeCode },
  { attribute: 'practiceSettingCode', get: (d) => d.practiceSettingCode, remove: (d) => delete d.practiceSettingCode },
  { attribute: 'typeCode', get: (d) => d.typeCode, remove: (d) => delete d.typeCode },
  { attribute: 'patientId', get: (d) => d.patientId?.value, remove: (d) => delete d.patientId },
  { attribute: 'uniqueId', get: (d) => d.uniqueId?.value, remove: (d) => delete d.uniqueId },
  { attribute: SLOT.creationTime, get: (d) => d.creationTime, remove: (d) => delete d.creationTime },
  { attribute: SLOT.languageCode, get: (d) => d.languageCode, remove: (d) => delete d.languageCode },
  { attribute: SLOT.sourcePatientId, get: (d) => d.sourcePatientId, remove: (d) => delete d.sourcePatientId },
  { attribute: 'mimeType', get: (d) => d.mimeType, remove: (d) => delete d.mimeType },
  { attribute: SLOT.hash, get: (d) => d.hash, remove: (d) => delete d.hash, appliesTo: ['ITI-42'] },
  { attribute: SLOT.size, get: (d) => d.size, remove: (d) => delete d.size, appliesTo: ['ITI-42'] },
  { attribute: SLOT.repositoryUniqueId, get: (d) => d.repositoryUniqueId, remove: (d) => delete d.repositoryUniqueId, appliesTo: ['ITI-42'] },
];

const requiredRules: Rule[] = REQUIRED.map((r) =>
  requiredRule(
    {
      id: `de.${r.attribute}.required`,
      description: `DocumentEntry.${r.attribute} is required${r.appliesTo ? ` (${r.appliesTo.join(', ')})` : ''}`,
      attribute: r.attribute,
      ...(r.appliesTo ? { appliesTo: r.appliesTo } : {}),
      example: {
        mutate: (s) => {
          r.remove(firstDocumentEntry(s));
          return s;
        },
        expectInContext: r.attribute === 'uniqueId' ? [r.attribute, D1] : [r.attribute, D1, '1.2.3.4.5.6.1'],
      },
    },
    entries,
    r.get,
  ),
);

/** The single-valued coded attributes and how to read them. */
const SINGLE_VALUED_CODES: Record<string, (d: DocumentEntry) => Code | undefined> = {
  classCode: (d) => d.classCode,
  typeCode: (d) => d.typeCode,
  formatCode: (d) => d.formatCode,
  healthcareFacilityTypeCode: (d) => d.healthcareFacilityTypeCode,
  practiceSettingCode: (d) => d.practiceSettingCode,
};

/** The DocumentEntry.uniqueId shape, leniently (digest 3.8): at most 128 chars, `root` or `root^extension`, root dotted digits. */
export function isDocumentUniqueId(value: string): boolean {
  return value.length <= 128 && /^[0-9]+(\.[0-9]+)*(\^[^\s^]+)?$/.test(value);
}

const FORBIDDEN_PID_FIELDS = new Set(['2', '4', '12', '19']);

/** Why a sourcePatientInfo value is wrong, or undefined when it is a `PID-n|value` with an allowed n. */
export function sourcePatientInfoProblem(value: string): string | undefined {
  const m = /^PID-([0-9]+)\|/.exec(value);
  if (m === null) return "is not of the form 'PID-<n>|<value>'";
  const field = m[1] ?? '';
  if (FORBIDDEN_PID_FIELDS.has(field)) return `uses PID-${field}, which is not allowed (PID-2, PID-4, PID-12 and PID-19 are forbidden)`;
  return undefined;
}

/** Compares two DTMs at the precision both have. */
function dtmNotAfter(start: string, stop: string): boolean {
  const n = Math.min(start.length, stop.length);
  return start.slice(0, n) <= stop.slice(0, n);
}

function mutateFirst(change: (d: DocumentEntry) => void): (s: Submission) => Submission {
  return (s) => {
    change(firstDocumentEntry(s));
    return s;
  };
}

export const documentEntryRules: Rule[] = [
  ...requiredRules,
  perObjectRule(
    {
      id: 'de.objectType.stable',
      description: 'DocumentEntry objectType is the stable DocumentEntry type (urn:uuid:7edca82f-...)',
      example: { mutate: mutateFirst((d) => (d.objectType = 'urn:uuid:00000000-0000-0000-0000-000000000000')), expectInContext: ['objectType', 'urn:uuid:00000000-0000-0000-0000-000000000000', D1] },
    },
    entries,
    (d) => {
      if (d.objectType === undefined || d.objectType === '') return [finding(d, 'objectType', 'is missing (required)')];
      if (d.objectType === OBJECT_TYPE.stableDocumentEntry || d.objectType === OBJECT_TYPE.onDemandDocumentEntry) return [];
      return [finding(d, 'objectType', `is not the stable DocumentEntry type ${OBJECT_TYPE.stableDocumentEntry}`, d.objectType)];
    },
  ),
  perObjectRule(
    {
      id: 'de.objectType.onDemand',
      description: 'On-demand DocumentEntries are not accepted by ITI-41/42 (they come only via ITI-61)',
      example: { mutate: mutateFirst((d) => (d.objectType = OBJECT_TYPE.onDemandDocumentEntry)), expectInContext: ['objectType', OBJECT_TYPE.onDemandDocumentEntry, D1] },
    },
    entries,
    (d) => (d.objectType === OBJECT_TYPE.onDemandDocumentEntry ? [finding(d, 'objectType', 'is the on-demand type, which XDS ITI-41/42 does not accept', d.objectType)] : []),
  ),
  formatRule(
    {
      id: 'de.mimeType.format',
      description: 'DocumentEntry mimeType is type/subtype',
      attribute: 'mimeType',
      problem: 'is not a MIME type (type/subtype)',
      example: { mutate: mutateFirst((d) => (d.mimeType = 'textxml')), expectInContext: ['mimeType', 'textxml', D1] },
    },
    entries,
    (d) => d.mimeType,
    isMimeType,
  ),
  formatRule(
    {
      id: 'de.patientId.cx',
      description: 'DocumentEntry patientId is a CX id^^^&OID&ISO',
      attribute: 'patientId',
      problem: 'is not a CX of the form id^^^&OID&ISO',
      example: { mutate: mutateFirst((d) => (d.patientId = { value: 'P-1001^^^1.2.3.4.100' })), expectInContext: ['patientId', 'P-1001^^^1.2.3.4.100', D1] },
    },
    entries,
    (d) => d.patientId?.value,
    isValidCx,
  ),
  formatRule(
    {
      id: 'de.sourcePatientId.cx',
      description: 'DocumentEntry sourcePatientId is a CX id^^^&OID&ISO',
      attribute: SLOT.sourcePatientId,
      problem: 'is not a CX of the form id^^^&OID&ISO',
      example: { mutate: mutateFirst((d) => (d.sourcePatientId = ['^^^&3.4.5&ISO'])), expectInContext: ['sourcePatientId', '^^^&3.4.5&ISO', D1] },
    },
    entries,
    (d) => d.sourcePatientId,
    isValidCx,
  ),
  formatRule(
    {
      id: 'de.uniqueId.format',
      description: 'DocumentEntry uniqueId is at most 128 chars, an OID or OID^extension (lenient: leading zeros tolerated)',
      attribute: 'uniqueId',
      problem: 'is not an OID or OID^extension of at most 128 characters',
      example: { mutate: mutateFirst((d) => (d.uniqueId = { value: 'not an oid' })), expectInContext: ['uniqueId', 'not an oid', D1] },
    },
    entries,
    (d) => d.uniqueId?.value,
    isDocumentUniqueId,
  ),
  formatRule(
    {
      id: 'de.legalAuthenticator.xcn',
      description: 'DocumentEntry legalAuthenticator is an XCN',
      attribute: SLOT.legalAuthenticator,
      problem: 'is not a valid XCN',
      example: { mutate: mutateFirst((d) => (d.legalAuthenticator = ['^^^^^^^^&1.2.3&ISO'])), expectInContext: ['legalAuthenticator', '^^^^^^^^&1.2.3&ISO', D1] },
    },
    entries,
    (d) => d.legalAuthenticator,
    isValidXcn,
  ),
  formatRule(
    {
      id: 'de.hash.sha1',
      description: 'DocumentEntry hash is a SHA-1 in 40 hex characters',
      attribute: SLOT.hash,
      problem: 'is not a SHA-1 (40 hex characters)',
      example: { mutate: mutateFirst((d) => (d.hash = ['da39a3ee5e6b4b0d3255bfef95601890afd8070'])), expectInContext: ['hash', 'da39a3ee5e6b4b0d3255bfef95601890afd8070', D1] },
    },
    entries,
    (d) => d.hash,
    isSha1Hex,
  ),
  formatRule(
    {
      id: 'de.size.integer',
      description: 'DocumentEntry size is a non-negative decimal integer',
      attribute: SLOT.size,
      problem: 'is not a non-negative decimal integer',
      example: { mutate: mutateFirst((d) => (d.size = ['-12'])), expectInContext: ['size', '-12', D1] },
    },
    entries,
    (d) => d.size,
    isSize,
  ),
  formatRule(
    {
      id: 'de.repositoryUniqueId.oid',
      description: 'DocumentEntry repositoryUniqueId is an OID',
      attribute: SLOT.repositoryUniqueId,
      problem: 'is not an OID (dotted decimal numbers, at most 64 characters)',
      example: { mutate: mutateFirst((d) => (d.repositoryUniqueId = ['repo-1'])), expectInContext: ['repositoryUniqueId', 'repo-1', D1] },
    },
    entries,
    (d) => d.repositoryUniqueId,
    isOidLenient,
  ),
  formatRule(
    {
      id: 'de.languageCode.format',
      description: 'DocumentEntry languageCode is a BCP 47 / RFC 3066 tag',
      attribute: SLOT.languageCode,
      problem: 'is not a language tag (RFC 3066 / BCP 47)',
      example: { mutate: mutateFirst((d) => (d.languageCode = ['en_US'])), expectInContext: ['languageCode', 'en_US', D1] },
    },
    entries,
    (d) => d.languageCode,
    isLanguageCode,
  ),
  formatRule(
    {
      id: 'de.referenceIdList.cxi',
      description: 'DocumentEntry referenceIdList values are CXi (CX.1 and CX.5 required)',
      attribute: SLOT.referenceIdList,
      problem: 'is not a CXi (id^^^assigningAuthority^idType)',
      example: { mutate: mutateFirst((d) => (d.referenceIds = ['ref-77^^^&1.2.3.4.77&ISO'])), expectInContext: ['referenceIdList', 'ref-77^^^&1.2.3.4.77&ISO', D1] },
    },
    entries,
    (d) => d.referenceIds,
    isCxi,
  ),
  perObjectRule(
    {
      id: 'de.sourcePatientInfo.format',
      description: 'DocumentEntry sourcePatientInfo values are PID-n|value; PID-2, PID-4, PID-12, PID-19 are forbidden',
      example: { mutate: mutateFirst((d) => (d.sourcePatientInfo = ['PID-3|x^^^&1.2&ISO', 'PID-2|old-id'])), expectInContext: ['sourcePatientInfo', 'PID-2|old-id', D1] },
    },
    entries,
    (d) =>
      (d.sourcePatientInfo ?? []).flatMap((v) => {
        const problem = sourcePatientInfoProblem(v);
        return problem === undefined ? [] : [finding(d, SLOT.sourcePatientInfo, problem, v)];
      }),
  ),
  dtmSlotsRule(
    {
      id: 'de.time.dtm',
      description: 'DocumentEntry creationTime, serviceStartTime, serviceStopTime are DTM',
      example: { mutate: mutateFirst((d) => (d.creationTime = ['2024-01-31T12:00:00Z'])), expectInContext: ['creationTime', '2024-01-31T12:00:00Z', D1] },
    },
    entries,
    DOCUMENT_ENTRY_SLOTS,
  ),
  perObjectRule(
    {
      id: 'de.serviceTime.order',
      description: 'DocumentEntry serviceStartTime is not after serviceStopTime (compared at the common precision)',
      example: { mutate: mutateFirst((d) => (d.serviceStartTime = ['202401311200'])), expectInContext: ['serviceStartTime', '202401311200', '202401311100', D1] },
    },
    entries,
    (d) => {
      const start = d.serviceStartTime?.[0];
      const stop = d.serviceStopTime?.[0];
      if (start === undefined || stop === undefined || dtmNotAfter(start, stop)) return [];
      return [finding(d, SLOT.serviceStartTime, `is after serviceStopTime '${stop}'`, start)];
    },
  ),
  singleValuedSlotsRule(
    {
      id: 'de.slot.singleValued',
      description: 'DocumentEntry single-valued slots (creationTime, languageCode, sourcePatientId, legalAuthenticator, service times, hash, size, repositoryUniqueId, documentAvailability) carry one value',
      example: { mutate: mutateFirst((d) => (d.languageCode = ['en-US', 'nb-NO'])), expectInContext: ['languageCode', 'nb-NO', D1] },
    },
    entries,
    DOCUMENT_ENTRY_SLOTS,
  ),
  duplicateSlotNameRule(
    {
      id: 'de.slot.duplicateName',
      description: 'A slot name appears at most once on a DocumentEntry (and on each of its authors)',
      example: { mutate: mutateFirst((d) => d.extraSlots.push({ name: SLOT.creationTime, values: ['20240101'] })), expectInContext: ['creationTime', 'duplicate', D1] },
    },
    entries,
    DOCUMENT_ENTRY_SLOTS,
  ),
  extraSlotNameRule(
    {
      id: 'de.slot.extraName',
      description: 'DocumentEntry extra slots: urn: names allowed, urn:ihe: reserved (except referenceIdList), other unknown names rejected',
      example: { mutate: mutateFirst((d) => d.extraSlots.push({ name: 'urn:ihe:iti:xds:2099:madeUp', values: ['x'] })), expectInContext: ['slot name', 'urn:ihe:iti:xds:2099:madeUp', D1] },
    },
    entries,
    DOCUMENT_ENTRY_SLOTS,
  ),
  codingSchemeRule(
    {
      id: 'de.code.codingScheme',
      description: 'Every coded DocumentEntry Classification has a nodeRepresentation and exactly one codingScheme value',
      example: {
        mutate: mutateFirst((d) => {
          if (d.classCode) d.classCode.scheme = '';
        }),
        expectInContext: ['classCode', 'codingScheme', 'Communication', D1],
      },
    },
    entries,
  ),
  perObjectRule(
    {
      id: 'de.code.singleValued',
      description: 'classCode, typeCode, formatCode, healthcareFacilityTypeCode, practiceSettingCode occur at most once',
      example: {
        mutate: mutateFirst((d) =>
          (d.extraClassifications ??= []).push({
            kind: 'Classification',
            id: 'second-classCode',
            classifiedObject: d.entryUuid,
            classificationScheme: CLASSIFICATION_SCHEME.classCode,
            nodeRepresentation: 'Other',
            slots: [{ name: SLOT.codingScheme, values: ['1.2.3'] }],
            classifications: [],
            externalIdentifiers: [],
          }),
        ),
        expectInContext: ['classCode', 'Other', D1],
      },
    },
    entries,
    // fromEbxml keeps the first one in the field and leaves a repeat among the extra Classifications.
    (d) =>
      undecodedCodes(d).flatMap(({ attribute, classification }) => {
        const field = SINGLE_VALUED_CODES[attribute];
        return field === undefined || field(d) === undefined
          ? []
          : [finding(d, `${attribute} (Classification '${classification.id}')`, 'occurs more than once (at most one is allowed)', classification.nodeRepresentation ?? '')];
      }),
  ),
  ...authorRules('de', entries, {
    incomplete: {
      mutate: mutateFirst((d) => {
        const a = firstAuthor(d);
        delete a.person;
        a.institutions = [];
        a.telecoms = [];
      }),
      expectInContext: ['author', 'authorPerson', D1],
    },
    person: { mutate: mutateFirst((d) => (firstAuthor(d).person = '^^^^^^^^&1.2.3&ISO')), expectInContext: ['authorPerson', '^^^^^^^^&1.2.3&ISO', D1] },
    institution: { mutate: mutateFirst((d) => (firstAuthor(d).institutions = ['^^^^^^^^^1.2.3'])), expectInContext: ['authorInstitution', '^^^^^^^^^1.2.3', D1] },
    telecom: { mutate: mutateFirst((d) => (firstAuthor(d).telecoms = ['^NET^Internet^'])), expectInContext: ['authorTelecommunication', '^NET^Internet^', D1] },
  }),
  limitedMetadataRule(
    {
      id: 'de.limitedMetadata',
      description: 'DocumentEntry limitedMetadata classification is rejected in XDS',
      example: { mutate: mutateFirst((d) => (d.limitedMetadata = { id: 'limited-1' })), expectInContext: ['limitedMetadata', 'limited-1', D1] },
    },
    entries,
  ),
];
