/**
 * Building blocks the rule files share: error codes per transaction, how a finding names its object,
 * and rule factories for checks that look the same on several object types (required attributes,
 * slot cardinality, DTM slots, slot names, coded values, authors, limitedMetadata).
 */
import type { Classification, Slot } from '../ebxml/types';
import { CLASSIFICATION_SCHEME as CS, SLOT } from '../xds/constants';
import type { Author, Code, DocumentEntry, Folder, Submission, SubmissionSet, XdsAssociation, XdsObject } from '../xds/model';
import { isDtm, isValidXcn, isValidXon, isValidXtn } from '../xds/datatypes';
import type { Finding, Rule, RuleContext, RuleExample, RuleSeverity, Transaction } from './types';

// ---- codes ----

/** XDSRepositoryMetadataError when the repository validates (ITI-41), XDSRegistryMetadataError otherwise. */
export function metadataError(tx: Transaction): string {
  return tx === 'ITI-41' ? 'XDSRepositoryMetadataError' : 'XDSRegistryMetadataError';
}

/** XDSRepositoryDuplicateUniqueIdInMessage (ITI-41) or XDSRegistryDuplicateUniqueIdInMessage. */
export function duplicateUniqueIdInMessage(tx: Transaction): string {
  return tx === 'ITI-41' ? 'XDSRepositoryDuplicateUniqueIdInMessage' : 'XDSRegistryDuplicateUniqueIdInMessage';
}

export function fixedCode(code: string): (tx: Transaction) => string {
  return () => code;
}

/** The transactions that submit new metadata (the XDS.b rules in digest sections 3 and 4.2 apply). */
export const SUBMIT: readonly Transaction[] = ['ITI-41', 'ITI-42'];

// ---- naming things in codeContext ----

function quote(value: string): string {
  return `'${value}'`;
}

function shortAssociationType(type: string): string {
  const i = type.lastIndexOf(':');
  return i >= 0 ? type.slice(i + 1) : type;
}

/** "DocumentEntry 'Document01' (uniqueId '1.2.3')", "Association 'a1' (HasMember 'SS' -> 'Doc')". */
export function describeObject(obj: XdsObject): string {
  const head = `${obj.type} ${quote(obj.entryUuid)}`;
  if (obj.type === 'Association') {
    return `${head} (${shortAssociationType(obj.associationType)} ${quote(obj.sourceObject)} -> ${quote(obj.targetObject)})`;
  }
  const uniqueId = obj.uniqueId?.value;
  return uniqueId === undefined ? head : `${head} (uniqueId ${quote(uniqueId)})`;
}

/**
 * A finding about one attribute of one object: "<object>: <attribute> '<value>' <problem>".
 * Leave value undefined when the attribute is absent.
 */
export function finding(obj: XdsObject, attribute: string, problem: string, value?: string): Finding {
  const shown = value === undefined ? '' : ` ${quote(value)}`;
  return { codeContext: `${describeObject(obj)}: ${attribute}${shown} ${problem}`, location: obj.entryUuid };
}

// ---- object selectors ----

export const select = {
  DocumentEntry: (s: Submission): readonly DocumentEntry[] => s.documentEntries,
  SubmissionSet: (s: Submission): readonly SubmissionSet[] => s.submissionSets,
  Folder: (s: Submission): readonly Folder[] => s.folders,
  Association: (s: Submission): readonly XdsAssociation[] => s.associations,
};

export function allObjects(s: Submission): XdsObject[] {
  return [...s.submissionSets, ...s.documentEntries, ...s.folders, ...s.associations];
}

// ---- slots declared as data ----

/** A slot the model keeps in a field: its wire name, how to read it, and its cardinality and type. */
export interface SlotField<T> {
  name: string;
  get: (obj: T) => readonly string[] | undefined;
  singleValued: boolean;
  dtm?: boolean;
}

export const DOCUMENT_ENTRY_SLOTS: readonly SlotField<DocumentEntry>[] = [
  { name: SLOT.creationTime, get: (d) => d.creationTime, singleValued: true, dtm: true },
  { name: SLOT.languageCode, get: (d) => d.languageCode, singleValued: true },
  { name: SLOT.sourcePatientId, get: (d) => d.sourcePatientId, singleValued: true },
  { name: SLOT.sourcePatientInfo, get: (d) => d.sourcePatientInfo, singleValued: false },
  { name: SLOT.legalAuthenticator, get: (d) => d.legalAuthenticator, singleValued: true },
  { name: SLOT.serviceStartTime, get: (d) => d.serviceStartTime, singleValued: true, dtm: true },
  { name: SLOT.serviceStopTime, get: (d) => d.serviceStopTime, singleValued: true, dtm: true },
  { name: SLOT.hash, get: (d) => d.hash, singleValued: true },
  { name: SLOT.size, get: (d) => d.size, singleValued: true },
  { name: SLOT.URI, get: (d) => d.uri, singleValued: false },
  { name: SLOT.repositoryUniqueId, get: (d) => d.repositoryUniqueId, singleValued: true },
  { name: SLOT.documentAvailability, get: (d) => d.documentAvailability, singleValued: true },
  { name: SLOT.referenceIdList, get: (d) => d.referenceIds, singleValued: false },
];

export const SUBMISSION_SET_SLOTS: readonly SlotField<SubmissionSet>[] = [
  { name: SLOT.submissionTime, get: (s) => s.submissionTime, singleValued: true, dtm: true },
  { name: SLOT.intendedRecipient, get: (s) => s.intendedRecipients, singleValued: false },
];

export const FOLDER_SLOTS: readonly SlotField<Folder>[] = [
  { name: SLOT.lastUpdateTime, get: (f) => f.lastUpdateTime, singleValued: true, dtm: true },
];

export const ASSOCIATION_SLOTS: readonly SlotField<XdsAssociation>[] = [
  { name: SLOT.submissionSetStatus, get: (a) => a.submissionSetStatus, singleValued: true },
  { name: SLOT.previousVersion, get: (a) => a.previousVersion, singleValued: true },
];

/**
 * The names of slots that occur more than once on an object. fromEbxml keeps the first occurrence of a known
 * slot in its model field and puts any repeat into extraSlots, so a repeat is an extra slot whose name is
 * already present in the model (`present`) or earlier among the extra slots.
 */
export function repeatedSlotNames(present: readonly string[], extraSlots: readonly Slot[]): string[] {
  const seen = new Set<string>(present);
  const repeated = new Set<string>();
  for (const slot of extraSlots) {
    if (seen.has(slot.name)) repeated.add(slot.name);
    seen.add(slot.name);
  }
  return [...repeated];
}

function presentSlotNames<T>(obj: T, slots: readonly SlotField<T>[]): string[] {
  return slots.filter((s) => s.get(obj) !== undefined).map((s) => s.name);
}

// ---- rule factories ----

interface RuleHead {
  id: string;
  description: string;
  example: RuleExample;
  severity?: RuleSeverity;
  appliesTo?: readonly Transaction[];
  code?: (tx: Transaction) => string;
}

/** A rule that looks at the whole submission. */
export function submissionRule(head: RuleHead, check: (ctx: RuleContext) => Finding[]): Rule {
  return {
    id: head.id,
    description: head.description,
    code: head.code ?? metadataError,
    severity: head.severity ?? 'error',
    appliesTo: head.appliesTo ?? SUBMIT,
    example: head.example,
    check,
  };
}

/** A rule that checks each object of one kind; `check` returns the findings for one object. */
export function perObjectRule<T extends XdsObject>(
  head: RuleHead,
  objects: (s: Submission) => readonly T[],
  check: (obj: T, tx: Transaction) => Finding[],
): Rule {
  return submissionRule(head, (ctx) => objects(ctx.submission).flatMap((o) => check(o, ctx.tx)));
}

/** The attribute is present and not empty. `get` returns its value(s). */
export function requiredRule<T extends XdsObject>(
  head: RuleHead & { attribute: string },
  objects: (s: Submission) => readonly T[],
  get: (obj: T) => string | readonly string[] | Code | readonly Code[] | undefined,
): Rule {
  return perObjectRule(head, objects, (obj) => (isPresent(get(obj)) ? [] : [finding(obj, head.attribute, 'is missing (required)')]));
}

/** Absent means: undefined, an empty list, or an empty string. A present but malformed value is the format rules' business. */
function isPresent(value: string | readonly string[] | Code | readonly Code[] | undefined): boolean {
  if (value === undefined) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/** A single-valued slot carries at most one value. */
export function singleValuedSlotsRule<T extends XdsObject>(
  head: RuleHead,
  objects: (s: Submission) => readonly T[],
  slots: readonly SlotField<T>[],
): Rule {
  return perObjectRule(head, objects, (obj) => [
    ...slots
      .filter((s) => s.singleValued)
      .flatMap((s) => {
        const values = s.get(obj) ?? [];
        return values.length > 1 ? [finding(obj, s.name, `has ${values.length} values; at most one is allowed`, values.join(', '))] : [];
      }),
    // fromEbxml leaves an authorPerson slot with several values among the author's extra slots.
    ...authorsOf(obj).flatMap((a) =>
      (a.extraSlots ?? [])
        .filter((slot) => slot.name === SLOT.authorPerson && slot.values.length > 1)
        .map((slot) => finding(obj, authorLabel(a, SLOT.authorPerson), `has ${slot.values.length} values; at most one is allowed`, slot.values.join(', '))),
    ),
  ]);
}

const DTM_HINT = 'is not a DTM (YYYY[MM[DD[hh[mm[ss]]]]], UTC, no offset, no fraction)';

/** Every value of every time slot is a DTM. */
export function dtmSlotsRule<T extends XdsObject>(head: RuleHead, objects: (s: Submission) => readonly T[], slots: readonly SlotField<T>[]): Rule {
  return perObjectRule(head, objects, (obj) =>
    slots.filter((s) => s.dtm).flatMap((s) => (s.get(obj) ?? []).filter((v) => !isDtm(v)).map((v) => finding(obj, s.name, DTM_HINT, v))),
  );
}

/** A slot name appears at most once on the object (IPF DUPLICATE_SLOT_NAME), and on each of its authors. */
export function duplicateSlotNameRule<T extends XdsObject>(
  head: RuleHead,
  objects: (s: Submission) => readonly T[],
  slots: readonly SlotField<T>[],
): Rule {
  return perObjectRule(head, objects, (obj) => {
    const own = repeatedSlotNames(presentSlotNames(obj, slots), obj.extraSlots).map((name) =>
      finding(obj, name, 'appears more than once (duplicate slot name)', name),
    );
    const onAuthors = authorsOf(obj).flatMap((a) =>
      repeatedSlotNames(authorSlotNames(a), a.extraSlots ?? []).map((name) =>
        finding(obj, authorLabel(a, name), 'appears more than once in the author (duplicate slot name)', name),
      ),
    );
    return [...own, ...onAuthors];
  });
}

function authorSlotNames(a: Author): string[] {
  const names: string[] = [];
  if (a.person !== undefined) names.push(SLOT.authorPerson);
  if (a.institutions.length > 0) names.push(SLOT.authorInstitution);
  if (a.roles.length > 0) names.push(SLOT.authorRole);
  if (a.specialties.length > 0) names.push(SLOT.authorSpecialty);
  if (a.telecoms.length > 0) names.push(SLOT.authorTelecommunication);
  return names;
}

/**
 * Extra slot names: `urn:` prefixed names are extra metadata and allowed; `urn:ihe:` is reserved (only the
 * referenceIdList slot may use it); any other name the object does not define is an error.
 * A defined name among the extra slots is either a repeat (the duplicate rule reports it) or carries a
 * slotType, which XDS attribute slots never have, so fromEbxml did not read it as the attribute.
 */
export function extraSlotNameRule<T extends XdsObject>(head: RuleHead, objects: (s: Submission) => readonly T[], slots: readonly SlotField<T>[]): Rule {
  const defined = new Set(slots.map((s) => s.name));
  return perObjectRule(head, objects, (obj) =>
    obj.extraSlots.flatMap((slot) => {
      if (defined.has(slot.name)) {
        return slot.slotType === undefined ? [] : [finding(obj, slot.name, `has slotType '${slot.slotType}'; XDS attribute slots have none`, slot.values.join(', '))];
      }
      const problem = extraSlotNameProblem(slot.name);
      return problem === undefined ? [] : [finding(obj, 'slot name', problem, slot.name)];
    }),
  );
}

export function extraSlotNameProblem(name: string): string | undefined {
  if (name === SLOT.referenceIdList) return undefined;
  if (name.startsWith('urn:ihe:')) return 'uses the reserved urn:ihe: prefix (only urn:ihe:iti:xds:2013:referenceIdList may)';
  if (name.startsWith('urn:')) return undefined;
  return 'is not defined for this object (extra metadata slot names must start with urn:)';
}

/** The coded values of an object, each with the attribute name it stands for. */
export function codesOf(obj: XdsObject): { attribute: string; code: Code }[] {
  const one = (attribute: string, code: Code | undefined) => (code === undefined ? [] : [{ attribute, code }]);
  const many = (attribute: string, codes: readonly Code[]) => codes.map((code) => ({ attribute, code }));
  switch (obj.type) {
    case 'DocumentEntry':
      return [
        ...one('classCode', obj.classCode),
        ...one('typeCode', obj.typeCode),
        ...one('formatCode', obj.formatCode),
        ...one('healthcareFacilityTypeCode', obj.healthcareFacilityTypeCode),
        ...one('practiceSettingCode', obj.practiceSettingCode),
        ...many('confidentialityCode', obj.confidentialityCodes),
        ...many('eventCodeList', obj.eventCodes),
      ];
    case 'SubmissionSet':
      return one('contentTypeCode', obj.contentTypeCode);
    case 'Folder':
      return many('codeList', obj.codes);
    case 'Association':
      return one('documentation', obj.documentation);
  }
}

/** classificationScheme -> attribute name of the coded attributes of each object type. */
export const CODE_SCHEMES: Record<XdsObject['type'], Readonly<Record<string, string>>> = {
  DocumentEntry: {
    [CS.classCode]: 'classCode',
    [CS.typeCode]: 'typeCode',
    [CS.formatCode]: 'formatCode',
    [CS.healthcareFacilityTypeCode]: 'healthcareFacilityTypeCode',
    [CS.practiceSettingCode]: 'practiceSettingCode',
    [CS.confidentialityCode]: 'confidentialityCode',
    [CS.eventCode]: 'eventCodeList',
  },
  SubmissionSet: { [CS.contentTypeCode]: 'contentTypeCode' },
  Folder: { [CS.folderCodeList]: 'codeList' },
  Association: { [CS.associationDocumentation]: 'documentation' },
};

/** Same id, comparing urn:uuid: ids case-insensitively. */
export function sameId(a: string, b: string): boolean {
  return a.toLowerCase().startsWith('urn:uuid:') ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/**
 * The extra (not decoded) Classifications of an object that use one of its code schemes and point at it.
 * fromEbxml leaves a coded Classification there when it cannot be read as a Code (no or several codingScheme
 * values, no nodeRepresentation ...) or when a single-valued code occurs again.
 */
export function undecodedCodes(obj: XdsObject): { attribute: string; classification: Classification }[] {
  const schemes = CODE_SCHEMES[obj.type];
  return (obj.extraClassifications ?? []).flatMap((c) => {
    const attribute = schemes[c.classificationScheme ?? ''];
    return attribute === undefined || !sameId(c.classifiedObject, obj.entryUuid) ? [] : [{ attribute, classification: c }];
  });
}

/** Why a coded Classification cannot be read as a code, or undefined when codingScheme and nodeRepresentation are fine. */
function codedClassificationProblem(c: Classification): { problem: string; value?: string } | undefined {
  const schemeSlots = c.slots.filter((s) => s.name === SLOT.codingScheme);
  const code = c.nodeRepresentation ?? '';
  if (schemeSlots.length === 0) return { problem: `with code '${code}' has no codingScheme slot` };
  const values = schemeSlots.flatMap((s) => s.values);
  if (schemeSlots.length > 1 || values.length !== 1) return { problem: `with code '${code}' must have exactly one codingScheme value`, value: values.join(', ') };
  if (code.trim() === '') return { problem: 'has no nodeRepresentation (the code)', value: code };
  return undefined;
}

/**
 * Every coded Classification has a nodeRepresentation (the code) and a codingScheme slot with exactly one value.
 * Looks at the decoded codes and at the coded Classifications fromEbxml could not decode.
 */
export function codingSchemeRule<T extends XdsObject>(head: RuleHead, objects: (s: Submission) => readonly T[]): Rule {
  return perObjectRule(head, objects, (obj) => {
    const decoded = codesOf(obj).flatMap(({ attribute, code }) => {
      const label = code.id === undefined ? attribute : `${attribute} (Classification '${code.id}')`;
      const out: Finding[] = [];
      if (code.code.trim() === '') out.push(finding(obj, label, 'has no nodeRepresentation (the code)', code.code));
      if (code.scheme.trim() === '') out.push(finding(obj, label, `with code '${code.code}' has an empty codingScheme value`, code.scheme));
      // fromEbxml reads the first codingScheme slot and keeps a second one among the code's extra slots.
      const more = (code.extraSlots ?? []).filter((slot) => slot.name === SLOT.codingScheme).flatMap((slot) => slot.values);
      if (more.length > 0) out.push(finding(obj, label, `with code '${code.code}' must have exactly one codingScheme value`, [code.scheme, ...more].join(', ')));
      return out;
    });
    const undecoded = undecodedCodes(obj).flatMap(({ attribute, classification }) => {
      const p = codedClassificationProblem(classification);
      return p === undefined ? [] : [finding(obj, `${attribute} (Classification '${classification.id}')`, p.problem, p.value)];
    });
    return [...decoded, ...undecoded];
  });
}

export function authorsOf(obj: XdsObject): readonly Author[] {
  return obj.type === 'DocumentEntry' || obj.type === 'SubmissionSet' ? obj.authors : [];
}

function authorLabel(a: Author, slot: string): string {
  return a.id === undefined ? slot : `${slot} (author '${a.id}')`;
}

/** The four author checks (digest 3.4 and 3.8), one rule each, for DocumentEntries or SubmissionSets. */
export function authorRules(
  prefix: 'de' | 'ss',
  objects: (s: Submission) => readonly (DocumentEntry | SubmissionSet)[],
  examples: { person: RuleExample; institution: RuleExample; telecom: RuleExample; incomplete: RuleExample },
): Rule[] {
  const owner = prefix === 'de' ? 'DocumentEntry' : 'SubmissionSet';
  return [
    perObjectRule(
      { id: `${prefix}.author.incomplete`, description: `${owner}.author has at least one of authorPerson, authorInstitution, authorTelecommunication`, example: examples.incomplete },
      objects,
      (obj) =>
        obj.authors
          .filter((a) => (a.person ?? '').trim() === '' && a.institutions.length === 0 && a.telecoms.length === 0)
          .map((a) => finding(obj, authorLabel(a, 'author'), 'has none of authorPerson, authorInstitution, authorTelecommunication')),
    ),
    perObjectRule(
      { id: `${prefix}.author.authorPerson.xcn`, description: `${owner}.author authorPerson is an XCN`, example: examples.person },
      objects,
      (obj) =>
        obj.authors
          .filter((a) => a.person !== undefined && a.person.trim() !== '' && !isValidXcn(a.person))
          .map((a) => finding(obj, authorLabel(a, SLOT.authorPerson), 'is not a valid XCN', a.person)),
    ),
    perObjectRule(
      { id: `${prefix}.author.authorInstitution.xon`, description: `${owner}.author authorInstitution values are XON`, example: examples.institution },
      objects,
      (obj) =>
        obj.authors.flatMap((a) =>
          a.institutions.filter((v) => !isValidXon(v)).map((v) => finding(obj, authorLabel(a, SLOT.authorInstitution), 'is not a valid XON', v)),
        ),
    ),
    perObjectRule(
      { id: `${prefix}.author.authorTelecommunication.xtn`, description: `${owner}.author authorTelecommunication values are XTN`, example: examples.telecom },
      objects,
      (obj) =>
        obj.authors.flatMap((a) =>
          a.telecoms.filter((v) => !isValidXtn(v)).map((v) => finding(obj, authorLabel(a, SLOT.authorTelecommunication), 'is not a valid XTN', v)),
        ),
    ),
  ];
}

/** The limitedMetadata classification is for XDR/XDM only; XDS rejects it. */
export function limitedMetadataRule<T extends DocumentEntry | SubmissionSet | Folder>(head: RuleHead, objects: (s: Submission) => readonly T[]): Rule {
  return perObjectRule(head, objects, (obj) =>
    obj.limitedMetadata === undefined ? [] : [finding(obj, 'limitedMetadata', 'classification is not allowed in XDS (XDR/XDM only)', obj.limitedMetadata.id ?? '')],
  );
}

/**
 * Each value of an attribute passes `isValid`. A single-string attribute that is empty counts as absent
 * (the required rule reports it); every value of a multi-valued slot is checked, empty ones included.
 */
export function formatRule<T extends XdsObject>(
  head: RuleHead & { attribute: string; problem: string },
  objects: (s: Submission) => readonly T[],
  get: (obj: T) => readonly string[] | string | undefined,
  isValid: (value: string) => boolean,
): Rule {
  return perObjectRule(head, objects, (obj) => {
    const raw = get(obj);
    const values = raw === undefined || raw === '' ? [] : typeof raw === 'string' ? [raw] : raw;
    return values.filter((v) => !isValid(v)).map((v) => finding(obj, head.attribute, head.problem, v));
  });
}
