/** The pure parameter → RegistryStore filter mappings of every query family, and the result helpers. */
import { ASSOCIATION_TYPE, OBJECT_TYPE } from '../../shared/xds/constants';
import type { XdsAssociation } from '../../shared/xds/model';
import { P, storedQueryByName, type StoredQueryName } from './definitions';
import { documentEntryTypes, timeRange } from './filters';
import { findDocumentsFilter } from './findDocuments';
import { findFoldersFilter } from './findFolders';
import { findSubmissionSetsFilter } from './findSubmissionSets';
import { getAllFilters } from './getAll';
import { getAssociationsFilter } from './getAssociations';
import { getDocumentsFilter } from './getDocuments';
import { focusDocumentEntryFilter, folderMembershipFilter, getFoldersFilter } from './getFolders';
import { isLiveAssociation, relatedAssociationFilter } from './getRelatedDocuments';
import { submissionSetByIdFilter, submissionSetContentAssociations } from './getSubmissionSets';
import { parseStoredQuery, type QueryParameters } from './parse';
import { associationsAmong, otherEnd, sortedUnique } from './result';
import { adhocQuery } from './testing/readAdhocQuery';

const APPROVED = 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved';
const DEPRECATED = 'urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated';
const PID = 'P-1^^^&1.2.3&ISO';
const U1 = 'urn:uuid:11111111-1111-1111-1111-111111111111';
const U2 = 'urn:uuid:22222222-2222-2222-2222-222222222222';

function params(name: StoredQueryName, slots: Array<[string, string[]]>): QueryParameters {
  return parseStoredQuery(adhocQuery(storedQueryByName(name).id, slots)).params;
}

describe('shared mappings', () => {
  it('timeRange: only the bounds given', () => {
    const p = params('FindDocuments', [[P.dePatientId, [`'${PID}'`]], [P.deStatus, [`('${APPROVED}')`]], [P.deCreationTimeTo, ['2005']]]);
    expect(timeRange(p, P.deCreationTimeFrom, P.deCreationTimeTo)).toEqual({ to: '2005' });
    expect(timeRange(p, P.deServiceStartTimeFrom, P.deServiceStartTimeTo)).toBeUndefined();
  });

  it('$XDSDocumentEntryType defaults to stable only, and is used as given otherwise', () => {
    const base: Array<[string, string[]]> = [[P.dePatientId, [`'${PID}'`]], [P.deStatus, [`('${APPROVED}')`]]];
    expect(documentEntryTypes(params('FindDocuments', base))).toEqual([OBJECT_TYPE.stableDocumentEntry]);
    expect(documentEntryTypes(params('FindDocuments', [...base, [P.deType, [`('${OBJECT_TYPE.onDemandDocumentEntry}')`]]]))).toEqual([OBJECT_TYPE.onDemandDocumentEntry]);
  });
});

describe('FindDocuments / FindDocumentsByReferenceId', () => {
  it('maps every parameter to its filter field', () => {
    const p = params('FindDocumentsByReferenceId', [
      [P.dePatientId, [`'${PID}'`]],
      [P.deStatus, [`('${APPROVED}','${DEPRECATED}')`]],
      [P.deClassCode, ["('c1^^s')", "('c2^^s')"]],
      [P.deTypeCode, ["('t^^s')"]],
      [P.dePracticeSettingCode, ["('p^^s')"]],
      [P.deHealthcareFacilityTypeCode, ["('h^^s')"]],
      [P.deFormatCode, ["('f^^s')"]],
      [P.deEventCodeList, ["('e1^^s','e2^^s')"]],
      [P.deEventCodeList, ["('e3^^s')"]],
      [P.deConfidentialityCode, ["('N^^s')"]],
      [P.deAuthorPerson, ["('%Ford%')"]],
      [P.deCreationTimeFrom, ['2004']],
      [P.deCreationTimeTo, ['2005']],
      [P.deServiceStartTimeFrom, ['2001']],
      [P.deServiceStopTimeTo, ['2009']],
      [P.deType, [`('${OBJECT_TYPE.onDemandDocumentEntry}')`]],
      [P.deReferenceIdList, ["('r1','r2')"]],
    ]);
    expect(findDocumentsFilter(p)).toEqual({
      patientId: PID,
      statuses: [APPROVED, DEPRECATED],
      classCodes: [
        { code: 'c1', scheme: 's' },
        { code: 'c2', scheme: 's' },
      ],
      typeCodes: [{ code: 't', scheme: 's' }],
      practiceSettingCodes: [{ code: 'p', scheme: 's' }],
      healthcareFacilityTypeCodes: [{ code: 'h', scheme: 's' }],
      formatCodes: [{ code: 'f', scheme: 's' }],
      eventCodes: [
        [
          { code: 'e1', scheme: 's' },
          { code: 'e2', scheme: 's' },
        ],
        [{ code: 'e3', scheme: 's' }],
      ],
      confidentialityCodes: [[{ code: 'N', scheme: 's' }]],
      authorPersons: ['%Ford%'],
      creationTime: { from: '2004', to: '2005' },
      serviceStartTime: { from: '2001' },
      serviceStopTime: { to: '2009' },
      objectTypes: [OBJECT_TYPE.onDemandDocumentEntry],
      referenceIds: [['r1', 'r2']],
    });
  });

  it('sets nothing for absent parameters except the stable default', () => {
    const p = params('FindDocuments', [[P.dePatientId, [`'${PID}'`]], [P.deStatus, [`('${APPROVED}')`]]]);
    expect(findDocumentsFilter(p)).toEqual({ patientId: PID, statuses: [APPROVED], objectTypes: [OBJECT_TYPE.stableDocumentEntry] });
  });
});

describe('FindSubmissionSets / FindFolders / GetAll', () => {
  it('FindSubmissionSets', () => {
    const p = params('FindSubmissionSets', [
      [P.ssPatientId, [`'${PID}'`]],
      [P.ssStatus, [`('${APPROVED}')`]],
      [P.ssSourceId, ["('1.2.3')"]],
      [P.ssContentType, ["('225728007^^2.16.840.1.113883.6.96')"]],
      [P.ssAuthorPerson, ["'%Dopplemeyer%'"]],
      [P.ssSubmissionTimeFrom, ['200412']],
    ]);
    expect(findSubmissionSetsFilter(p)).toEqual({
      patientId: PID,
      statuses: [APPROVED],
      sourceIds: ['1.2.3'],
      contentTypeCodes: [{ code: '225728007', scheme: '2.16.840.1.113883.6.96' }],
      authorPersons: ['%Dopplemeyer%'],
      submissionTime: { from: '200412' },
    });
  });

  it('FindFolders', () => {
    const p = params('FindFolders', [
      [P.folderPatientId, [`'${PID}'`]],
      [P.folderStatus, [`('${APPROVED}')`]],
      [P.folderCodeList, ["('Referrals^^1.3')"]],
      [P.folderCodeList, ["('Other^^1.3')"]],
      [P.folderLastUpdateTimeTo, ['2003']],
    ]);
    expect(findFoldersFilter(p)).toEqual({
      patientId: PID,
      statuses: [APPROVED],
      codes: [[{ code: 'Referrals', scheme: '1.3' }], [{ code: 'Other', scheme: '1.3' }]],
      lastUpdateTime: { to: '2003' },
    });
  });

  it('GetAll: the patient and each status list on its object type; content filters on DocumentEntries only', () => {
    const p = params('GetAll', [
      [P.patientId, [`'${PID}'`]],
      [P.deStatus, [`('${APPROVED}')`, `('${DEPRECATED}')`]],
      [P.ssStatus, [`('${APPROVED}')`]],
      [P.folderStatus, [`('${DEPRECATED}')`]],
      [P.deFormatCode, ["('f^^s')"]],
    ]);
    expect(getAllFilters(p)).toEqual({
      documentEntries: { patientId: PID, statuses: [APPROVED, DEPRECATED], formatCodes: [{ code: 'f', scheme: 's' }], objectTypes: [OBJECT_TYPE.stableDocumentEntry] },
      submissionSets: { patientId: PID, statuses: [APPROVED] },
      folders: { patientId: PID, statuses: [DEPRECATED] },
    });
  });
});

describe('Get* by id', () => {
  it('GetDocuments: entryUUID, uniqueId or logicalID; no status or type filter', () => {
    expect(getDocumentsFilter(params('GetDocuments', [[P.deEntryUuid, [`('${U1}','${U2.toUpperCase().replace('URN:UUID:', 'urn:uuid:')}')`]]]))).toEqual({ entryUuids: [U1, U2] });
    expect(getDocumentsFilter(params('GetDocuments', [[P.deUniqueId, ["('1.2','1.3')"]]]))).toEqual({ uniqueIds: ['1.2', '1.3'] });
    expect(getDocumentsFilter(params('GetDocuments', [[P.deLogicalId, [`('${U1}')`]]]))).toEqual({ lids: [U1] });
  });

  it('GetFolders', () => {
    expect(getFoldersFilter(params('GetFolders', [[P.folderUniqueId, ["('1.2')"]]]))).toEqual({ uniqueIds: ['1.2'] });
    expect(getFoldersFilter(params('GetFolders', [[P.folderLogicalId, [`('${U1}')`]]]))).toEqual({ lids: [U1] });
  });

  it('GetAssociations: source or target', () => {
    expect(getAssociationsFilter(params('GetAssociations', [[P.uuid, [`('${U1}','${U2}')`]]]))).toEqual({ sourceOrTarget: [U1, U2] });
  });

  it('the focus DocumentEntry / SubmissionSet by entryUUID or uniqueId', () => {
    expect(focusDocumentEntryFilter(params('GetFoldersForDocument', [[P.deUniqueId, ["'1.2'"]]]))).toEqual({ uniqueIds: ['1.2'] });
    expect(focusDocumentEntryFilter(params('GetFoldersForDocument', [[P.deEntryUuid, [`'${U1}'`]]]))).toEqual({ entryUuids: [U1] });
    expect(submissionSetByIdFilter(params('GetSubmissionSetAndContents', [[P.ssUniqueId, ["'1.2'"]]]))).toEqual({ uniqueIds: ['1.2'] });
    expect(submissionSetByIdFilter(params('GetSubmissionSetAndContents', [[P.ssEntryUuid, [`'${U1}'`]]]))).toEqual({ entryUuids: [U1] });
  });

  it('GetFolderAndContents: folder HasMembers, with $XDSAssociationStatus when given', () => {
    const base: Array<[string, string[]]> = [[P.folderEntryUuid, [`'${U1}'`]]];
    expect(folderMembershipFilter(U1, params('GetFolderAndContents', base))).toEqual({ sourceObjects: [U1], types: [ASSOCIATION_TYPE.HasMember] });
    expect(folderMembershipFilter(U1, params('GetFolderAndContents', [...base, [P.associationStatus, [`('${APPROVED}')`]]]))).toEqual({
      sourceObjects: [U1],
      types: [ASSOCIATION_TYPE.HasMember],
      statuses: [APPROVED],
    });
  });

  it('GetRelatedDocuments: associations of the listed types at either end; deprecated ones are not live', () => {
    const p = params('GetRelatedDocuments', [[P.deEntryUuid, [`'${U1}'`]], [P.associationTypes, [`('${ASSOCIATION_TYPE.RPLC}','${ASSOCIATION_TYPE.APND}')`]]]);
    expect(relatedAssociationFilter([U1], p)).toEqual({ sourceOrTarget: [U1], types: [ASSOCIATION_TYPE.RPLC, ASSOCIATION_TYPE.APND] });
    expect(isLiveAssociation(assoc('a', U1, U2, 'x', DEPRECATED))).toBe(false);
    expect(isLiveAssociation(assoc('a', U1, U2, 'x', APPROVED))).toBe(true);
    expect(isLiveAssociation(assoc('a', U1, U2, 'x'))).toBe(true);
  });
});

function assoc(id: string, source: string, target: string, type: string = ASSOCIATION_TYPE.HasMember, status?: string): XdsAssociation {
  const a: XdsAssociation = { type: 'Association', entryUuid: id, extraSlots: [], associationType: type, sourceObject: source, targetObject: target };
  if (status !== undefined) a.status = status;
  return a;
}

describe('result helpers', () => {
  it('associationsAmong: both ends returned, then SS → kept association, transitively', () => {
    const ids = new Set(['ss', 'fol', 'doc']);
    const ssDoc = assoc('a1', 'ss', 'doc');
    const folDoc = assoc('a2', 'fol', 'doc');
    const ssFolDoc = assoc('a3', 'ss', 'a2');
    const ssToOutside = assoc('a4', 'ss', 'other');
    const ssToDropped = assoc('a5', 'ss', 'a4');
    const fromOutside = assoc('a6', 'other', 'doc');
    const kept = associationsAmong(ids, [ssToDropped, ssFolDoc, ssDoc, folDoc, ssToOutside, fromOutside]);
    expect(kept.map((a) => a.entryUuid).sort()).toEqual(['a1', 'a2', 'a3']);
  });

  it('submissionSetContentAssociations: SS → returned member, Folder → returned DE, SS → that Folder-DE association', () => {
    const ssMemberships = [assoc('s1', 'ss', 'docC'), assoc('s2', 'ss', 'docD'), assoc('s3', 'ss', 'fol'), assoc('s4', 'ss', 'f1'), assoc('s5', 'ss', 'f2')];
    const folderMemberships = [assoc('f1', 'fol', 'docC'), assoc('f2', 'fol', 'docD')];
    // docD filtered out by a format code: its three associations go.
    const kept = submissionSetContentAssociations(ssMemberships, new Set(['docc', 'fol']), folderMemberships);
    expect(kept.map((a) => a.entryUuid).sort()).toEqual(['f1', 's1', 's3', 's4']);
  });

  it('sortedUnique: by entryUUID, case-insensitive duplicates dropped', () => {
    const list = [assoc('urn:uuid:B', 'x', 'y'), assoc('urn:uuid:a', 'x', 'y'), assoc('urn:uuid:b', 'x', 'y')];
    expect(sortedUnique(list).map((a) => a.entryUuid)).toEqual(['urn:uuid:a', 'urn:uuid:B']);
  });

  it('otherEnd', () => {
    const a = assoc('a', 'urn:uuid:S', 'urn:uuid:t');
    expect(otherEnd(a, new Set(['urn:uuid:s']))).toBe('urn:uuid:t');
    expect(otherEnd(a, new Set(['urn:uuid:t']))).toBe('urn:uuid:S');
  });
});
