/**
 * Builds realistic ITI-41/42 metadata (lcm:SubmitObjectsRequest XML) for tests and benchmarks.
 * Every DocumentEntry carries the full required metadata of digest section 3.5.
 */
import { escapeAttr as e } from '../../shared/xml/write';
import { ASSOCIATION_TYPE, CLASSIFICATION_SCHEME as CS, IDENTIFICATION_SCHEME as IS, NODE, OBJECT_TYPE } from '../../shared/xds/constants';
import { NS } from '../../shared/xml/namespaces';

export type CodeSpec = [code: string, scheme: string, display?: string];

export interface DocSpec {
  id: string;
  uniqueId: string;
  patientId?: string;
  mimeType?: string;
  classCode?: CodeSpec;
  typeCode?: CodeSpec;
  formatCode?: CodeSpec;
  practiceSettingCode?: CodeSpec;
  healthcareFacilityTypeCode?: CodeSpec;
  confidentialityCodes?: CodeSpec[];
  eventCodes?: CodeSpec[];
  creationTime?: string;
  serviceStartTime?: string;
  serviceStopTime?: string;
  authorPerson?: string;
  hash?: string;
  size?: string;
  repositoryUniqueId?: string;
  referenceIds?: string[];
  title?: string;
  extraSlots?: { name: string; values: string[] }[];
}

export interface FolderSpec {
  id: string;
  uniqueId: string;
  patientId?: string;
  codes?: CodeSpec[];
  title?: string;
}

export interface AssocSpec {
  id: string;
  type: keyof typeof ASSOCIATION_TYPE;
  source: string;
  target: string;
  submissionSetStatus?: 'Original' | 'Reference';
}

export interface SubmissionSpec {
  patientId: string;
  ssId?: string;
  ssUniqueId: string;
  sourceId?: string;
  submissionTime?: string;
  contentTypeCode?: CodeSpec;
  ssAuthorPerson?: string;
  documents?: DocSpec[];
  folders?: FolderSpec[];
  /** Extra associations besides the generated SS→DE (Original) and SS→Folder HasMembers. */
  associations?: AssocSpec[];
  /** Folder→DE memberships: generated as HasMember + SS→association HasMember. */
  folderMembers?: [folderId: string, docId: string][];
}

const slot = (name: string, values: string[]): string =>
  `<rim:Slot name="${e(name)}"><rim:ValueList>${values.map((v) => `<rim:Value>${escText(v)}</rim:Value>`).join('')}</rim:ValueList></rim:Slot>`;
const escText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const name = (v: string): string => `<rim:Name><rim:LocalizedString value="${e(v)}"/></rim:Name>`;

let seq = 0;
const cid = (): string => `c${++seq}`;

function code(scheme: string, owner: string, [c, codingScheme, display]: CodeSpec): string {
  return `<rim:Classification id="${cid()}" classificationScheme="${scheme}" classifiedObject="${e(owner)}" nodeRepresentation="${e(c)}">${slot('codingScheme', [codingScheme])}${name(display ?? c)}</rim:Classification>`;
}

function ext(scheme: string, owner: string, value: string, label: string): string {
  return `<rim:ExternalIdentifier id="${cid()}" registryObject="${e(owner)}" identificationScheme="${scheme}" value="${e(value)}">${name(label)}</rim:ExternalIdentifier>`;
}

export function documentEntryXml(d: DocSpec, patientId: string): string {
  const pid = d.patientId ?? patientId;
  const slots = [
    slot('creationTime', [d.creationTime ?? '20240131120000']),
    slot('languageCode', ['en-US']),
    slot('sourcePatientId', ['LOCAL-77^^^&1.2.3.4.5&ISO']),
    slot('sourcePatientInfo', ['PID-3|LOCAL-77^^^&1.2.3.4.5&ISO', 'PID-5|Doe^Jane^^^', 'PID-7|19700101', 'PID-8|F']),
    ...(d.serviceStartTime ? [slot('serviceStartTime', [d.serviceStartTime])] : []),
    ...(d.serviceStopTime ? [slot('serviceStopTime', [d.serviceStopTime])] : []),
    ...(d.hash ? [slot('hash', [d.hash])] : []),
    ...(d.size ? [slot('size', [d.size])] : []),
    ...(d.repositoryUniqueId ? [slot('repositoryUniqueId', [d.repositoryUniqueId])] : []),
    ...(d.referenceIds ? [slot('urn:ihe:iti:xds:2013:referenceIdList', d.referenceIds)] : []),
    ...(d.extraSlots ?? []).map((s) => slot(s.name, s.values)),
  ].join('');
  const author =
    `<rim:Classification id="${cid()}" classificationScheme="${CS.docAuthor}" classifiedObject="${e(d.id)}" nodeRepresentation="">` +
    `${slot('authorPerson', [d.authorPerson ?? '^Welby^Marcus^^^Dr'])}${slot('authorInstitution', ['General Hospital^^^^^^^^^1.2.3.9'])}</rim:Classification>`;
  const codes = [
    author,
    code(CS.classCode, d.id, d.classCode ?? ['11490-0', '2.16.840.1.113883.6.1', 'Discharge summary']),
    ...(d.confidentialityCodes ?? [['N', '2.16.840.1.113883.5.25', 'Normal'] as CodeSpec]).map((c) => code(CS.confidentialityCode, d.id, c)),
    ...(d.eventCodes ?? []).map((c) => code(CS.eventCode, d.id, c)),
    code(CS.formatCode, d.id, d.formatCode ?? ['urn:ihe:iti:xds:2017:mimeTypeSufficient', '1.3.6.1.4.1.19376.1.2.3']),
    code(CS.healthcareFacilityTypeCode, d.id, d.healthcareFacilityTypeCode ?? ['22232009', '2.16.840.1.113883.6.96', 'Hospital']),
    code(CS.practiceSettingCode, d.id, d.practiceSettingCode ?? ['394802001', '2.16.840.1.113883.6.96', 'General medicine']),
    code(CS.typeCode, d.id, d.typeCode ?? ['18842-5', '2.16.840.1.113883.6.1', 'Discharge summary']),
  ].join('');
  return (
    `<rim:ExtrinsicObject id="${e(d.id)}" mimeType="${e(d.mimeType ?? 'text/plain')}" objectType="${OBJECT_TYPE.stableDocumentEntry}">` +
    slots +
    name(d.title ?? 'Discharge note') +
    codes +
    ext(IS.docPatientId, d.id, pid, 'XDSDocumentEntry.patientId') +
    ext(IS.docUniqueId, d.id, d.uniqueId, 'XDSDocumentEntry.uniqueId') +
    `</rim:ExtrinsicObject>`
  );
}

function association(a: AssocSpec): string {
  const slots = a.submissionSetStatus ? slot('SubmissionSetStatus', [a.submissionSetStatus]) : '';
  return `<rim:Association id="${e(a.id)}" associationType="${ASSOCIATION_TYPE[a.type]}" sourceObject="${e(a.source)}" targetObject="${e(a.target)}">${slots}</rim:Association>`;
}

/** The rim:RegistryObjectList content of a submission. */
export function registryObjectsXml(s: SubmissionSpec): string {
  const ssId = s.ssId ?? 'SubmissionSet01';
  const docs = s.documents ?? [];
  const folders = s.folders ?? [];
  const parts: string[] = docs.map((d) => documentEntryXml(d, s.patientId));
  for (const f of folders) {
    parts.push(
      `<rim:RegistryPackage id="${e(f.id)}">` +
        name(f.title ?? 'Folder') +
        (f.codes ?? [['Emergency', '1.2.3.4.5.6', 'Emergency']]).map((c) => code(CS.folderCodeList, f.id, c)).join('') +
        ext(IS.folderPatientId, f.id, f.patientId ?? s.patientId, 'XDSFolder.patientId') +
        ext(IS.folderUniqueId, f.id, f.uniqueId, 'XDSFolder.uniqueId') +
        `</rim:RegistryPackage><rim:Classification id="${cid()}" classifiedObject="${e(f.id)}" classificationNode="${NODE.folder}"/>`,
    );
  }
  parts.push(
    `<rim:RegistryPackage id="${e(ssId)}">` +
      slot('submissionTime', [s.submissionTime ?? '20240131120500']) +
      `<rim:Classification id="${cid()}" classificationScheme="${CS.ssAuthor}" classifiedObject="${e(ssId)}" nodeRepresentation="">${slot('authorPerson', [s.ssAuthorPerson ?? '^Welby^Marcus^^^Dr'])}</rim:Classification>` +
      code(CS.contentTypeCode, ssId, s.contentTypeCode ?? ['18842-5', '2.16.840.1.113883.6.1', 'Discharge summary']) +
      ext(IS.ssUniqueId, ssId, s.ssUniqueId, 'XDSSubmissionSet.uniqueId') +
      ext(IS.ssSourceId, ssId, s.sourceId ?? '1.2.3.4.300', 'XDSSubmissionSet.sourceId') +
      ext(IS.ssPatientId, ssId, s.patientId, 'XDSSubmissionSet.patientId') +
      `</rim:RegistryPackage><rim:Classification id="${cid()}" classifiedObject="${e(ssId)}" classificationNode="${NODE.submissionSet}"/>`,
  );
  for (const d of docs) parts.push(association({ id: `hm-${d.id}`, type: 'HasMember', source: ssId, target: d.id, submissionSetStatus: 'Original' }));
  for (const f of folders) parts.push(association({ id: `hm-${f.id}`, type: 'HasMember', source: ssId, target: f.id }));
  for (const [folderId, docId] of s.folderMembers ?? []) {
    const aid = `fm-${folderId}-${docId}`;
    parts.push(association({ id: aid, type: 'HasMember', source: folderId, target: docId }));
    parts.push(association({ id: `ss-${aid}`, type: 'HasMember', source: ssId, target: aid }));
  }
  for (const a of s.associations ?? []) parts.push(association(a));
  return parts.join('');
}

export function submitObjectsRequestXml(s: SubmissionSpec): string {
  return `<lcm:SubmitObjectsRequest xmlns:lcm="${NS.lcm}" xmlns:rim="${NS.rim}"><rim:RegistryObjectList>${registryObjectsXml(s)}</rim:RegistryObjectList></lcm:SubmitObjectsRequest>`;
}

let uidSeq = 0;
/** A fresh OID-shaped uniqueId. */
export function newUid(root = '1.2.3.4.999'): string {
  return `${root}.${Date.now()}.${process.pid}.${++uidSeq}`;
}

/** A fresh patient id in CX form. */
export function newPatientId(authority = '1.3.6.1.4.1.21367.2005.3.7'): string {
  return `P${Date.now().toString(36)}${(++uidSeq).toString(36)}^^^&${authority}&ISO`;
}
