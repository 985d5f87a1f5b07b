/** Association rules (digest 4.1, 4.2). */
import { ASSOCIATION_TYPE, CLASSIFICATION_SCHEME, SLOT } from '../xds/constants';
import type { Submission, XdsAssociation } from '../xds/model';
import { isUuidUrn } from '../xds/datatypes';
import { ASSOCIATION_SLOTS, codingSchemeRule, duplicateSlotNameRule, finding, perObjectRule, select, submissionRule } from './ruleKit';
import { FIXTURE_IDS, associationById } from './testFixtures';
import type { Rule } from './types';

const associations = select.Association;

/** Association types a submission (ITI-41/42) may carry. */
const SUBMIT_TYPES: ReadonlySet<string> = new Set([
  ASSOCIATION_TYPE.HasMember,
  ASSOCIATION_TYPE.RPLC,
  ASSOCIATION_TYPE.APND,
  ASSOCIATION_TYPE.XFRM,
  ASSOCIATION_TYPE.XFRM_RPLC,
  ASSOCIATION_TYPE.signs,
  ASSOCIATION_TYPE.IsSnapshotOf,
]);

const UPDATE_ONLY_TYPES: ReadonlySet<string> = new Set([ASSOCIATION_TYPE.UpdateAvailabilityStatus, ASSOCIATION_TYPE.SubmitAssociation]);

/** Associations that may carry the documentation classification. */
const DOCUMENTED_TYPES: ReadonlySet<string> = new Set([
  ASSOCIATION_TYPE.RPLC,
  ASSOCIATION_TYPE.XFRM_RPLC,
  ASSOCIATION_TYPE.APND,
  ASSOCIATION_TYPE.XFRM,
  ASSOCIATION_TYPE.signs,
]);

/** Associations whose sourceObject is a new DocumentEntry of this submission. */
const NEW_DOCUMENT_SOURCE_TYPES: ReadonlySet<string> = new Set([...DOCUMENTED_TYPES, ASSOCIATION_TYPE.IsSnapshotOf]);

const SUBMISSION_SET_STATUS_VALUES: ReadonlySet<string> = new Set(['Original', 'Reference']);

/** An entryUUID of an object in the registry (not in the fixture), used by examples. */
const REGISTRY_DOC = 'urn:uuid:5f1a0e0c-1d2b-4c3d-8e4f-0a1b2c3d4e5f';

function mutateAssociation(id: string, change: (a: XdsAssociation) => void): (s: Submission) => Submission {
  return (s) => {
    change(associationById(s, id));
    return s;
  };
}

function addAssociation(a: Omit<XdsAssociation, 'type' | 'extraSlots'>): (s: Submission) => Submission {
  return (s) => {
    s.associations.push({ type: 'Association', extraSlots: [], ...a });
    return s;
  };
}

function idsInSubmission(s: Submission): Set<string> {
  return new Set([...s.submissionSets, ...s.documentEntries, ...s.folders, ...s.associations].map((o) => o.entryUuid));
}

const documentation = { code: 'Replaced by the corrected report', scheme: '1.2.3.4.5.99', id: 'doc-1' };

export const associationRules: Rule[] = [
  perObjectRule(
    {
      id: 'assoc.type.known',
      description: 'associationType is a full association type URN allowed in ITI-41/42',
      example: { mutate: mutateAssociation(FIXTURE_IDS.ssToDoc1, (a) => (a.associationType = 'HasMember')), expectInContext: ['associationType', "'HasMember'", FIXTURE_IDS.ssToDoc1] },
    },
    associations,
    (a) => {
      if (SUBMIT_TYPES.has(a.associationType)) return [];
      const problem = UPDATE_ONLY_TYPES.has(a.associationType) ? 'is only allowed in ITI-57 (Update Document Set)' : 'is not a known association type URN';
      return [finding(a, 'associationType', problem, a.associationType)];
    },
  ),
  perObjectRule(
    {
      id: 'assoc.endpoints.required',
      description: 'sourceObject and targetObject are not empty',
      example: { mutate: mutateAssociation(FIXTURE_IDS.folderToDoc1, (a) => (a.targetObject = '')), expectInContext: ['targetObject', FIXTURE_IDS.folderToDoc1] },
    },
    associations,
    (a) => [
      ...(a.sourceObject.trim() === '' ? [finding(a, 'sourceObject', 'is empty')] : []),
      ...(a.targetObject.trim() === '' ? [finding(a, 'targetObject', 'is empty')] : []),
    ],
  ),
  perObjectRule(
    {
      id: 'assoc.endpoints.notSelf',
      description: 'An association does not point at itself',
      example: { mutate: mutateAssociation(FIXTURE_IDS.ssToDoc2, (a) => (a.targetObject = a.entryUuid)), expectInContext: ['targetObject', FIXTURE_IDS.ssToDoc2, 'itself'] },
    },
    associations,
    (a) => [
      ...(a.sourceObject === a.entryUuid ? [finding(a, 'sourceObject', 'is the association itself', a.sourceObject)] : []),
      ...(a.targetObject === a.entryUuid ? [finding(a, 'targetObject', 'is the association itself', a.targetObject)] : []),
    ],
  ),
  submissionRule(
    {
      id: 'assoc.reference.resolves',
      description: 'A symbolic (non urn:uuid:) sourceObject/targetObject names an object in this submission',
      example: { mutate: mutateAssociation(FIXTURE_IDS.folderToDoc1, (a) => (a.targetObject = 'Document99')), expectInContext: ['targetObject', 'Document99', FIXTURE_IDS.folderToDoc1] },
    },
    ({ submission }) => {
      const known = idsInSubmission(submission);
      const dangling = (id: string) => id.trim() !== '' && !isUuidUrn(id) && !known.has(id);
      return submission.associations.flatMap((a) => [
        ...(dangling(a.sourceObject) ? [finding(a, 'sourceObject', 'is a symbolic id that names no object in the submission', a.sourceObject)] : []),
        ...(dangling(a.targetObject) ? [finding(a, 'targetObject', 'is a symbolic id that names no object in the submission', a.targetObject)] : []),
      ]);
    },
  ),
  submissionRule(
    {
      id: 'assoc.hasMember.submissionSetStatus',
      description: 'Every SubmissionSet->DocumentEntry HasMember carries exactly one SubmissionSetStatus, Original or Reference',
      example: { mutate: mutateAssociation(FIXTURE_IDS.ssToDoc1, (a) => (a.submissionSetStatus = ['original'])), expectInContext: ['SubmissionSetStatus', "'original'", FIXTURE_IDS.ssToDoc1] },
    },
    ({ submission }) => {
      const setIds = new Set(submission.submissionSets.map((s) => s.entryUuid));
      const docIds = new Set(submission.documentEntries.map((d) => d.entryUuid));
      return submission.associations
        .filter((a) => a.associationType === ASSOCIATION_TYPE.HasMember && setIds.has(a.sourceObject))
        .flatMap((a) => {
          const values = a.submissionSetStatus ?? [];
          if (values.length === 0) {
            return docIds.has(a.targetObject) ? [finding(a, SLOT.submissionSetStatus, 'is missing (required on SubmissionSet->DocumentEntry HasMember)')] : [];
          }
          if (values.length > 1) return [finding(a, SLOT.submissionSetStatus, 'must have exactly one value', values.join(', '))];
          const value = values[0] ?? '';
          return SUBMISSION_SET_STATUS_VALUES.has(value) ? [] : [finding(a, SLOT.submissionSetStatus, "is neither 'Original' nor 'Reference'", value)];
        });
    },
  ),
  perObjectRule(
    {
      id: 'assoc.hasMember.noDocumentation',
      description: 'A HasMember association does not carry the documentation classification (NIST test 12370)',
      example: { mutate: mutateAssociation(FIXTURE_IDS.ssToDoc1, (a) => (a.documentation = { ...documentation })), expectInContext: ['documentation', CLASSIFICATION_SCHEME.associationDocumentation, FIXTURE_IDS.ssToDoc1] },
    },
    associations,
    (a) =>
      a.associationType === ASSOCIATION_TYPE.HasMember && a.documentation !== undefined
        ? [finding(a, 'documentation', 'classification is not allowed on a HasMember association', CLASSIFICATION_SCHEME.associationDocumentation)]
        : [],
  ),
  perObjectRule(
    {
      id: 'assoc.documentation.allowedTypes',
      description: 'The documentation classification appears only on RPLC, XFRM_RPLC, APND, XFRM and signs associations',
      example: {
        mutate: addAssociation({
          entryUuid: 'snapshot-1',
          associationType: ASSOCIATION_TYPE.IsSnapshotOf,
          sourceObject: FIXTURE_IDS.document2,
          targetObject: REGISTRY_DOC,
          documentation: { ...documentation },
        }),
        expectInContext: ['documentation', ASSOCIATION_TYPE.IsSnapshotOf, 'snapshot-1'],
      },
    },
    associations,
    (a) =>
      a.documentation !== undefined && a.associationType !== ASSOCIATION_TYPE.HasMember && !DOCUMENTED_TYPES.has(a.associationType)
        ? [finding(a, 'documentation', 'classification is only allowed on RPLC, XFRM_RPLC, APND, XFRM and signs associations, not on', a.associationType)]
        : [],
  ),
  codingSchemeRule(
    {
      id: 'assoc.documentation.codingScheme',
      description: 'The documentation classification has a nodeRepresentation and exactly one codingScheme value',
      example: {
        mutate: addAssociation({
          entryUuid: 'rplc-1',
          associationType: ASSOCIATION_TYPE.RPLC,
          sourceObject: FIXTURE_IDS.document2,
          targetObject: REGISTRY_DOC,
          documentation: { ...documentation, scheme: '' },
        }),
        expectInContext: ['documentation', 'codingScheme', documentation.code, 'rplc-1'],
      },
    },
    associations,
  ),
  submissionRule(
    {
      id: 'assoc.relationship.sourceInSubmission',
      description: 'RPLC, APND, XFRM, XFRM_RPLC, signs and IsSnapshotOf have a sourceObject that is a DocumentEntry of this submission',
      example: {
        mutate: addAssociation({ entryUuid: 'apnd-1', associationType: ASSOCIATION_TYPE.APND, sourceObject: REGISTRY_DOC, targetObject: FIXTURE_IDS.document1 }),
        expectInContext: ['sourceObject', REGISTRY_DOC, 'apnd-1'],
      },
    },
    ({ submission }) => {
      const docIds = new Set(submission.documentEntries.map((d) => d.entryUuid));
      return submission.associations
        .filter((a) => NEW_DOCUMENT_SOURCE_TYPES.has(a.associationType) && a.sourceObject.trim() !== '' && !docIds.has(a.sourceObject))
        .map((a) => finding(a, 'sourceObject', 'is not a DocumentEntry of this submission', a.sourceObject));
    },
  ),
  duplicateSlotNameRule(
    {
      id: 'assoc.slot.duplicateName',
      description: 'A slot name appears at most once on an Association',
      example: {
        mutate: mutateAssociation(FIXTURE_IDS.ssToDoc2, (a) => a.extraSlots.push({ name: SLOT.submissionSetStatus, values: ['Original'] })),
        expectInContext: ['SubmissionSetStatus', 'duplicate', FIXTURE_IDS.ssToDoc2],
      },
    },
    associations,
    ASSOCIATION_SLOTS,
  ),
];
