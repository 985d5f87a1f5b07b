/** Whole-submission rules (digest 4.2, 4.3): one SubmissionSet, membership, patient id consistency, ids, uniqueIds. */
import type { RegistryObject, RegistryObjectListItem } from '../ebxml/types';
import { ASSOCIATION_TYPE, CLASSIFICATION_SCHEME, IDENTIFICATION_SCHEME, SLOT } from '../xds/constants';
import type { Identifier, Submission, XdsAssociation, XdsObject } from '../xds/model';
import { isUuidUrn } from '../xds/datatypes';
import { allObjects, authorsOf, codesOf, describeObject, duplicateUniqueIdInMessage, finding, fixedCode, sameId, submissionRule } from './ruleKit';
import { FIXTURE_IDS, firstDocumentEntry, renameObject, secondDocumentEntry, theFolder } from './testFixtures';
import type { Finding, Rule } from './types';

function hasMemberTargetsOf(s: Submission, sourceId: string): Set<string> {
  return new Set(s.associations.filter((a) => a.associationType === ASSOCIATION_TYPE.HasMember && a.sourceObject === sourceId).map((a) => a.targetObject));
}

/** Every id an object carries: its own and those of its coded values, authors, identifiers and markers. */
function idsCarriedBy(obj: XdsObject): { attribute: string; id: string }[] {
  const out: { attribute: string; id: string }[] = [{ attribute: 'id', id: obj.entryUuid }];
  const add = (attribute: string, id: string | undefined) => {
    if (id !== undefined) out.push({ attribute, id });
  };
  for (const { attribute, code } of codesOf(obj)) add(`${attribute} Classification id`, code.id);
  for (const a of authorsOf(obj)) add('author Classification id', a.id);
  if (obj.type === 'Association') {
    out.push({ attribute: 'sourceObject', id: obj.sourceObject }, { attribute: 'targetObject', id: obj.targetObject });
  } else {
    const identifiers: [string, Identifier | undefined][] = [
      ['patientId ExternalIdentifier id', obj.patientId],
      ['uniqueId ExternalIdentifier id', obj.uniqueId],
    ];
    if (obj.type === 'SubmissionSet') identifiers.push(['sourceId ExternalIdentifier id', obj.sourceId]);
    for (const [attribute, identifier] of identifiers) add(attribute, identifier?.id);
    if (obj.type !== 'DocumentEntry') add('marker Classification id', obj.marker?.id);
    add('limitedMetadata Classification id', obj.limitedMetadata?.id);
  }
  return out;
}

/** identificationScheme -> attribute, per object type. */
const IDENTIFIER_ATTRIBUTE: Record<XdsObject['type'], Readonly<Record<string, 'patientId' | 'uniqueId' | 'sourceId'>>> = {
  DocumentEntry: { [IDENTIFICATION_SCHEME.docPatientId]: 'patientId', [IDENTIFICATION_SCHEME.docUniqueId]: 'uniqueId' },
  SubmissionSet: {
    [IDENTIFICATION_SCHEME.ssPatientId]: 'patientId',
    [IDENTIFICATION_SCHEME.ssUniqueId]: 'uniqueId',
    [IDENTIFICATION_SCHEME.ssSourceId]: 'sourceId',
  },
  Folder: { [IDENTIFICATION_SCHEME.folderPatientId]: 'patientId', [IDENTIFICATION_SCHEME.folderUniqueId]: 'uniqueId' },
  Association: {},
};

function identifierOf(o: Exclude<XdsObject, XdsAssociation>, attribute: 'patientId' | 'uniqueId' | 'sourceId'): Identifier | undefined {
  if (attribute === 'sourceId') return o.type === 'SubmissionSet' ? o.sourceId : undefined;
  return o[attribute];
}

function unclassifiedFinding(o: RegistryObject): Finding {
  const what =
    o.kind === 'RegistryPackage'
      ? 'has no SubmissionSet or Folder type marker (classificationNode)'
      : o.kind === 'Classification'
        ? `classifies '${o.classifiedObject}' but is neither a type marker of a package in this submission nor nested in its object`
        : o.kind === 'ExternalIdentifier'
          ? `identifies '${o.registryObject}' but is not nested in its object`
          : 'is not an XDS object';
  return { codeContext: `Submission: top-level ${o.kind} '${o.id}' ${what}`, location: o.id };
}

function isRegistryObject(item: RegistryObjectListItem): item is RegistryObject {
  return item.kind !== 'ObjectRef';
}

export const structureRules: Rule[] = [
  submissionRule(
    {
      id: 'structure.submissionSet.exactlyOne',
      description: 'A submission holds exactly one SubmissionSet',
      example: {
        mutate: (s) => {
          s.submissionSets = [];
          return s;
        },
        expectInContext: ['SubmissionSet', '0'],
      },
    },
    ({ submission }) => {
      const n = submission.submissionSets.length;
      if (n === 1) return [];
      const ids = submission.submissionSets.map((s) => `'${s.entryUuid}'`).join(', ');
      return [{ codeContext: `Submission: found ${n} SubmissionSets${n > 0 ? ` (${ids})` : ''}; exactly one SubmissionSet is required` }];
    },
  ),
  submissionRule(
    {
      id: 'structure.hasMember.documentEntry',
      description: 'Every DocumentEntry is the target of a HasMember from the SubmissionSet',
      example: {
        mutate: (s) => {
          s.associations = s.associations.filter((a) => a.entryUuid !== FIXTURE_IDS.ssToDoc2);
          return s;
        },
        expectInContext: ['HasMember', FIXTURE_IDS.document2, FIXTURE_IDS.submissionSet],
      },
    },
    ({ submission }) => {
      const ss = submission.submissionSets[0];
      if (ss === undefined) return [];
      const members = hasMemberTargetsOf(submission, ss.entryUuid);
      return submission.documentEntries
        .filter((d) => !members.has(d.entryUuid))
        .map((d) => finding(d, 'membership', `is not the target of a HasMember association from SubmissionSet '${ss.entryUuid}'`));
    },
  ),
  submissionRule(
    {
      id: 'structure.hasMember.folder',
      description: 'Every Folder is the target of a HasMember from the SubmissionSet',
      example: {
        mutate: (s) => {
          s.associations = s.associations.filter((a) => a.entryUuid !== FIXTURE_IDS.ssToFolder);
          return s;
        },
        expectInContext: ['HasMember', FIXTURE_IDS.folder, FIXTURE_IDS.submissionSet],
      },
    },
    ({ submission }) => {
      const ss = submission.submissionSets[0];
      if (ss === undefined) return [];
      const members = hasMemberTargetsOf(submission, ss.entryUuid);
      return submission.folders
        .filter((f) => !members.has(f.entryUuid))
        .map((f) => finding(f, 'membership', `is not the target of a HasMember association from SubmissionSet '${ss.entryUuid}'`));
    },
  ),
  submissionRule(
    {
      id: 'structure.patientId.consistent',
      description: 'The SubmissionSet, every DocumentEntry and every Folder of the submission carry the same patientId',
      code: fixedCode('XDSPatientIdDoesNotMatch'),
      example: {
        mutate: (s) => {
          secondDocumentEntry(s).patientId = { value: 'P-2002^^^&1.2.3.4.100&ISO' };
          return s;
        },
        expectInContext: ['patientId', 'P-2002^^^&1.2.3.4.100&ISO', 'P-1001^^^&1.2.3.4.100&ISO', FIXTURE_IDS.document2],
      },
    },
    ({ submission }) => {
      const ss = submission.submissionSets[0];
      const expected = ss?.patientId?.value;
      if (ss === undefined || expected === undefined || expected === '') return [];
      return [...submission.documentEntries, ...submission.folders]
        .filter((o) => o.patientId !== undefined && o.patientId.value !== '' && o.patientId.value !== expected)
        .map((o) => finding(o, 'patientId', `does not match the patientId '${expected}' of SubmissionSet '${ss.entryUuid}'`, o.patientId?.value));
    },
  ),
  submissionRule(
    {
      id: 'structure.uniqueId.duplicateInMessage',
      description: 'No two objects of the submission share a uniqueId',
      code: duplicateUniqueIdInMessage,
      example: {
        mutate: (s) => {
          secondDocumentEntry(s).uniqueId = { value: '1.2.3.4.5.6.1' };
          return s;
        },
        expectInContext: ['uniqueId', '1.2.3.4.5.6.1', FIXTURE_IDS.document1, FIXTURE_IDS.document2],
      },
    },
    ({ submission }) => {
      const firstWith = new Map<string, XdsObject>();
      const out: Finding[] = [];
      for (const o of [...submission.submissionSets, ...submission.documentEntries, ...submission.folders]) {
        const uid = o.uniqueId?.value;
        if (uid === undefined || uid === '') continue;
        const first = firstWith.get(uid);
        if (first === undefined) firstWith.set(uid, o);
        else out.push(finding(o, 'uniqueId', `is also used by ${describeObject(first)} in this message`, uid));
      }
      return out;
    },
  ),
  submissionRule(
    {
      id: 'structure.id.required',
      description: 'Every SubmissionSet, DocumentEntry, Folder and Association has a non-empty id',
      example: { mutate: (s) => renameObject(s, FIXTURE_IDS.folder, ''), expectInContext: ['Folder', 'id', '1.2.3.4.5.6.200'] },
    },
    ({ submission }) => allObjects(submission).filter((o) => o.entryUuid.trim() === '').map((o) => finding(o, 'id', 'is empty', o.entryUuid)),
  ),
  submissionRule(
    {
      id: 'structure.id.uuidForm',
      description: 'Every id written as urn:uuid: (objects, their Classifications and ExternalIdentifiers, association ends) is an RFC 4122 UUID',
      example: {
        mutate: (s) => renameObject(s, FIXTURE_IDS.document1, 'urn:uuid:12345678-1234-1234-1234-1234567890'),
        expectInContext: ['id', 'urn:uuid:12345678-1234-1234-1234-1234567890'],
      },
    },
    ({ submission }) =>
      allObjects(submission).flatMap((o) =>
        idsCarriedBy(o)
          .filter(({ id }) => id.toLowerCase().startsWith('urn:uuid:') && !isUuidUrn(id))
          .map(({ attribute, id }) => finding(o, attribute, 'starts with urn:uuid: but is not an RFC 4122 UUID', id)),
      ),
  ),
  submissionRule(
    {
      id: 'structure.id.unique',
      description: 'No two SubmissionSets, DocumentEntries, Folders or Associations share an id',
      example: {
        mutate: (s) => {
          theFolder(s).entryUuid = FIXTURE_IDS.document1;
          return s;
        },
        expectInContext: ['id', FIXTURE_IDS.document1, 'Folder'],
      },
    },
    ({ submission }) => {
      const firstWith = new Map<string, XdsObject>();
      const out: Finding[] = [];
      for (const o of allObjects(submission)) {
        if (o.entryUuid === '') continue;
        const key = isUuidUrn(o.entryUuid) ? o.entryUuid.toLowerCase() : o.entryUuid;
        const first = firstWith.get(key);
        if (first === undefined) firstWith.set(key, o);
        else out.push(finding(o, 'id', `is also the id of ${describeObject(first)}`, o.entryUuid));
      }
      return out;
    },
  ),
  submissionRule(
    {
      id: 'structure.unclassified',
      description: 'Top-level objects other than ObjectRefs are XDS objects (no stray Classification, ExternalIdentifier or unmarked package)',
      example: {
        mutate: (s) => {
          s.unclassified.push({
            kind: 'Classification',
            id: 'stray-1',
            classifiedObject: 'Document77',
            classificationScheme: 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a',
            nodeRepresentation: 'Communication',
            slots: [],
            classifications: [],
            externalIdentifiers: [],
          });
          return s;
        },
        expectInContext: ['Classification', 'stray-1', 'Document77'],
      },
    },
    ({ submission }) => submission.unclassified.filter(isRegistryObject).map(unclassifiedFinding),
  ),
  submissionRule(
    {
      id: 'structure.subObject.enclosing',
      description:
        'A Classification nested in an object has that object as classifiedObject, a nested ExternalIdentifier has it as registryObject (NIST pnr-bad-uplink)',
      example: {
        mutate: (s) => {
          const de = firstDocumentEntry(s);
          const author = de.authors.pop();
          (de.extraClassifications ??= []).push({
            kind: 'Classification',
            id: author?.id ?? 'author-1',
            classifiedObject: 'Document011',
            classificationScheme: CLASSIFICATION_SCHEME.docAuthor,
            nodeRepresentation: '',
            slots: [{ name: SLOT.authorPerson, values: [author?.person ?? '^Welby^Marcus'] }],
            classifications: [],
            externalIdentifiers: [],
          });
          return s;
        },
        expectInContext: ['classifiedObject', 'Document011', FIXTURE_IDS.document1],
      },
    },
    // fromEbxml only decodes a nested Classification / ExternalIdentifier that points at its enclosing object;
    // one pointing elsewhere stays verbatim in extraClassifications / extraExternalIdentifiers.
    ({ submission }) =>
      allObjects(submission).flatMap((o) => [
        ...(o.extraClassifications ?? [])
          .filter((c) => !sameId(c.classifiedObject, o.entryUuid))
          .map((c) => finding(o, `nested Classification '${c.id}' classifiedObject`, 'is not the enclosing object', c.classifiedObject)),
        ...(o.extraExternalIdentifiers ?? [])
          .filter((e) => !sameId(e.registryObject, o.entryUuid))
          .map((e) => finding(o, `nested ExternalIdentifier '${e.id}' registryObject`, 'is not the enclosing object', e.registryObject)),
      ]),
  ),
  submissionRule(
    {
      id: 'structure.identifier.once',
      description: 'Each XDS ExternalIdentifier (patientId, uniqueId, sourceId) occurs at most once on its object',
      example: {
        mutate: (s) => {
          const de = secondDocumentEntry(s);
          (de.extraExternalIdentifiers ??= []).push({
            kind: 'ExternalIdentifier',
            id: 'second-uniqueId',
            registryObject: de.entryUuid,
            identificationScheme: IDENTIFICATION_SCHEME.docUniqueId,
            value: '1.2.3.4.5.6.99',
            slots: [],
            classifications: [],
            externalIdentifiers: [],
          });
          return s;
        },
        expectInContext: ['uniqueId', '1.2.3.4.5.6.99', FIXTURE_IDS.document2],
      },
    },
    ({ submission }) =>
      allObjects(submission).flatMap((o) =>
        (o.extraExternalIdentifiers ?? []).flatMap((e) => {
          const attribute = IDENTIFIER_ATTRIBUTE[o.type][e.identificationScheme];
          if (attribute === undefined || !sameId(e.registryObject, o.entryUuid)) return [];
          const present = o.type !== 'Association' && identifierOf(o, attribute) !== undefined;
          const problem = present ? 'occurs more than once (at most one is allowed)' : 'could not be read (unexpected content in the ExternalIdentifier)';
          return [finding(o, `${attribute} (ExternalIdentifier '${e.id}')`, problem, e.value)];
        }),
      ),
  ),
];
