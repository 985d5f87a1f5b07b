import { parseSubmitObjectsRequest } from '../ebxml/parse';
import type { RegistryObjectListItem } from '../ebxml/types';
import { NS } from '../xml/namespaces';
import { parseXml } from '../xml/parse';
import { CLASSIFICATION_SCHEME as CS, IDENTIFICATION_SCHEME as IS, NODE } from './constants';
import { submissionFromEbxml, xdsObjectFromEbxml } from './fromEbxml';
import type { DocumentEntry, Folder, SubmissionSet } from './model';

function objects(inner: string): RegistryObjectListItem[] {
  return parseSubmitObjectsRequest(
    parseXml(`<lcm:SubmitObjectsRequest xmlns:lcm="${NS.lcm}" xmlns:rim="${NS.rim}"><rim:RegistryObjectList>${inner}</rim:RegistryObjectList></lcm:SubmitObjectsRequest>`),
  ).objects;
}

const slot = (name: string, ...values: string[]): string => `<rim:Slot name="${name}"><rim:ValueList>${values.map((v) => `<rim:Value>${v}</rim:Value>`).join('')}</rim:ValueList></rim:Slot>`;
const code = (id: string, owner: string, scheme: string, value: string, codingScheme: string, display?: string): string =>
  `<rim:Classification id="${id}" classifiedObject="${owner}" classificationScheme="${scheme}" nodeRepresentation="${value}">${slot('codingScheme', codingScheme)}${
    display === undefined ? '' : `<rim:Name><rim:LocalizedString value="${display}"/></rim:Name>`
  }</rim:Classification>`;
const extId = (id: string, owner: string, scheme: string, value: string): string =>
  `<rim:ExternalIdentifier id="${id}" registryObject="${owner}" identificationScheme="${scheme}" value="${value}"/>`;
const marker = (id: string, owner: string, node: string): string => `<rim:Classification id="${id}" classifiedObject="${owner}" classificationNode="${node}"/>`;

describe('DocumentEntry from an ExtrinsicObject', () => {
  const de = (inner: string, attrs = ''): DocumentEntry => submissionFromEbxml(objects(`<rim:ExtrinsicObject id="Doc" ${attrs}>${inner}</rim:ExtrinsicObject>`)).documentEntries[0];

  it('maps attributes, known slots, codes by scheme, authors and identifiers', () => {
    const e = de(
      slot('creationTime', '20240101') +
        slot('sourcePatientInfo', 'PID-3|a', 'PID-5|b') +
        slot('urn:ihe:iti:xds:2013:referenceIdList', 'r^^^&amp;1.2&amp;ISO^urn:ihe:iti:xds:2013:order') +
        slot('URI', 'http://x') +
        slot('urn:example:extra', 'x') +
        `<rim:Name><rim:LocalizedString value="T"/></rim:Name><rim:Description/><rim:VersionInfo versionName="3"/>` +
        `<rim:Classification id="au" classifiedObject="Doc" classificationScheme="${CS.docAuthor}" nodeRepresentation="">${slot('authorRole', 'r1', 'r2')}${slot('authorPerson', '^Welby')}${slot('authorSpeciality', 'Ortho')}</rim:Classification>` +
        code('cc', 'Doc', CS.classCode, 'C', '1.2', 'Class') +
        code('cf1', 'Doc', CS.confidentialityCode, 'N', '2.16') +
        code('cf2', 'Doc', CS.confidentialityCode, 'R', '2.16') +
        code('ev', 'Doc', CS.eventCode, 'E', '1.3') +
        marker('lim', 'Doc', NODE.limitedDocumentEntry) +
        extId('pid', 'Doc', IS.docPatientId, 'P^^^&amp;1.2&amp;ISO') +
        extId('uid', 'Doc', IS.docUniqueId, '1.2.3'),
      'mimeType="text/plain" status="S" lid="L" home="H" objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1" isOpaque="false"',
    );
    expect(e).toEqual({
      type: 'DocumentEntry',
      entryUuid: 'Doc',
      lid: 'L',
      version: '3',
      status: 'S',
      home: 'H',
      title: [{ value: 'T' }],
      comments: [],
      objectType: 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1',
      mimeType: 'text/plain',
      isOpaque: 'false',
      creationTime: ['20240101'],
      sourcePatientInfo: ['PID-3|a', 'PID-5|b'],
      referenceIds: ['r^^^&1.2&ISO^urn:ihe:iti:xds:2013:order'],
      uri: ['http://x'],
      extraSlots: [{ name: 'urn:example:extra', values: ['x'] }],
      authors: [{ id: 'au', person: '^Welby', institutions: [], roles: ['r1', 'r2'], specialties: [], telecoms: [], extraSlots: [{ name: 'authorSpeciality', values: ['Ortho'] }] }],
      classCode: { id: 'cc', code: 'C', scheme: '1.2', displayName: [{ value: 'Class' }] },
      confidentialityCodes: [
        { id: 'cf1', code: 'N', scheme: '2.16' },
        { id: 'cf2', code: 'R', scheme: '2.16' },
      ],
      eventCodes: [{ id: 'ev', code: 'E', scheme: '1.3' }],
      limitedMetadata: { id: 'lim' },
      patientId: { id: 'pid', value: 'P^^^&1.2&ISO' },
      uniqueId: { id: 'uid', value: '1.2.3' },
    });
  });

  it('keeps what the model cannot represent exactly in extra*, never losing it', () => {
    const e = de(
      slot('creationTime', '1') +
        slot('creationTime', '2') + // repeated slot
        `<rim:Slot name="languageCode" slotType="x"><rim:ValueList><rim:Value>en</rim:Value></rim:ValueList></rim:Slot>` +
        code('cc1', 'Doc', CS.classCode, 'A', '1') +
        code('cc2', 'Doc', CS.classCode, 'B', '1') + // second classCode
        code('tc', 'Other', CS.typeCode, 'T', '1') + // classifies another object
        `<rim:Classification id="fc" classifiedObject="Doc" classificationScheme="${CS.formatCode}" nodeRepresentation="F"/>` + // no codingScheme
        `<rim:Classification id="au" classifiedObject="Doc" classificationScheme="${CS.docAuthor}" nodeRepresentation="" status="S">${slot('authorPerson', 'p')}</rim:Classification>` + // status on a sub-object
        code('x', 'Doc', 'urn:uuid:unknown-scheme', 'X', '1') +
        extId('u1', 'Doc', IS.docUniqueId, '1') +
        extId('u2', 'Doc', IS.docUniqueId, '2'),
    );
    expect(e.creationTime).toEqual(['1']);
    expect(e.languageCode).toBeUndefined();
    expect(e.extraSlots.map((s) => s.name)).toEqual(['creationTime', 'languageCode']);
    expect(e.classCode?.id).toBe('cc1');
    expect(e.typeCode).toBeUndefined();
    expect(e.formatCode).toBeUndefined();
    expect(e.authors).toEqual([]);
    expect(e.extraClassifications?.map((c) => c.id)).toEqual(['cc2', 'tc', 'fc', 'au', 'x']);
    expect(e.uniqueId?.value).toBe('1');
    expect(e.extraExternalIdentifiers?.map((x) => x.id)).toEqual(['u2']);
  });

  it('treats registry decorations that carry nothing (home="", lid = id, empty Name, VersionInfo 1.1, absent objectType) as representable', () => {
    const e = de(
      `<rim:Classification id="cc" classifiedObject="Doc" classificationScheme="${CS.classCode}" nodeRepresentation="C" home="" lid="cc" objectType="urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Classification">${slot('codingScheme', '1')}<rim:Description/><rim:VersionInfo versionName="1.1"/></rim:Classification>` +
        `<rim:Classification id="au" classifiedObject="Doc" classificationScheme="${CS.docAuthor}">${slot('authorPerson', 'p')}<rim:Name/></rim:Classification>`,
    );
    expect(e.classCode).toEqual({ id: 'cc', code: 'C', scheme: '1' });
    expect(e.authors).toEqual([{ id: 'au', person: 'p', institutions: [], roles: [], specialties: [], telecoms: [] }]);
    expect(e.extraClassifications).toBeUndefined();
  });
});

describe('SubmissionSet and Folder from RegistryPackages', () => {
  const ssBody = (id: string): string =>
    slot('submissionTime', '20240101') +
    slot('intendedRecipient', 'Org|^Doc') +
    `<rim:Classification id="${id}.au" classifiedObject="${id}" classificationScheme="${CS.ssAuthor}" nodeRepresentation="">${slot('authorInstitution', 'Org')}</rim:Classification>` +
    code(`${id}.ct`, id, CS.contentTypeCode, 'CT', '1.2') +
    extId(`${id}.pid`, id, IS.ssPatientId, 'P') +
    extId(`${id}.uid`, id, IS.ssUniqueId, '1.2') +
    extId(`${id}.src`, id, IS.ssSourceId, '1.3');

  it('classifies by a sibling marker and records nested: false', () => {
    const sub = submissionFromEbxml(objects(`<rim:RegistryPackage id="SS">${ssBody('SS')}</rim:RegistryPackage>${marker('m', 'SS', NODE.submissionSet)}`));
    expect(sub.unclassified).toEqual([]);
    const ss = sub.submissionSets[0];
    expect(ss).toMatchObject({
      type: 'SubmissionSet',
      entryUuid: 'SS',
      marker: { id: 'm', nested: false },
      submissionTime: ['20240101'],
      intendedRecipients: ['Org|^Doc'],
      authors: [{ id: 'SS.au', institutions: ['Org'] }],
      contentTypeCode: { id: 'SS.ct', code: 'CT', scheme: '1.2' },
      patientId: { id: 'SS.pid', value: 'P' },
      uniqueId: { id: 'SS.uid', value: '1.2' },
      sourceId: { id: 'SS.src', value: '1.3' },
    });
    expect(ss.extraClassifications).toBeUndefined();
  });

  it('classifies by a nested marker (nested: true), wherever it sits among the classifications', () => {
    const body = ssBody('SS').replace('<rim:Classification', `${marker('m', 'SS', NODE.submissionSet)}<rim:Classification`);
    const ss = submissionFromEbxml(objects(`<rim:RegistryPackage id="SS">${body}</rim:RegistryPackage>`)).submissionSets[0];
    expect(ss.marker).toEqual({ id: 'm', nested: true });
    expect(ss.authors).toHaveLength(1);
  });

  it('reads a Folder with codes, lastUpdateTime and limitedMetadata', () => {
    const sub = submissionFromEbxml(
      objects(
        `<rim:RegistryPackage id="F">${slot('lastUpdateTime', '20240101')}<rim:Name><rim:LocalizedString value="Folder"/></rim:Name>` +
          `${marker('fm', 'F', NODE.folder)}${code('c1', 'F', CS.folderCodeList, 'A', '1')}${code('c2', 'F', CS.folderCodeList, 'B', '1')}${marker('fl', 'F', NODE.limitedFolder)}` +
          `${extId('fp', 'F', IS.folderPatientId, 'P')}${extId('fu', 'F', IS.folderUniqueId, '1.9')}</rim:RegistryPackage>`,
      ),
    );
    expect(sub.folders[0]).toEqual<Folder>({
      type: 'Folder',
      entryUuid: 'F',
      title: [{ value: 'Folder' }],
      lastUpdateTime: ['20240101'],
      marker: { id: 'fm', nested: true },
      codes: [
        { id: 'c1', code: 'A', scheme: '1' },
        { id: 'c2', code: 'B', scheme: '1' },
      ],
      limitedMetadata: { id: 'fl' },
      patientId: { id: 'fp', value: 'P' },
      uniqueId: { id: 'fu', value: '1.9' },
      extraSlots: [],
    });
  });

  it('leaves unmarked packages, stray classifications, ObjectRefs and unused sibling markers unclassified, in order', () => {
    const list = objects(
      `<rim:ObjectRef id="urn:uuid:r"/>` +
        `<rim:RegistryPackage id="P"/>` +
        `<rim:RegistryPackage id="SS">${marker('n', 'SS', NODE.submissionSet)}</rim:RegistryPackage>` +
        marker('sib', 'SS', NODE.submissionSet) + // SS is already marked nested
        marker('nowhere', 'Missing', NODE.folder) +
        `<rim:Classification id="withSlot" classifiedObject="P" classificationNode="${NODE.folder}">${slot('x', 'y')}</rim:Classification>` +
        extId('e', 'P', 'urn:x', 'v'),
    );
    const sub = submissionFromEbxml(list);
    expect(sub.submissionSets.map((s) => s.marker)).toEqual([{ id: 'n', nested: true }]);
    expect(sub.folders).toEqual([]);
    expect(sub.unclassified.map((o) => o.id)).toEqual(['urn:uuid:r', 'P', 'sib', 'nowhere', 'withSlot', 'e']);
  });

  it('a package with both markers takes the first nested one; the other stays an extra classification', () => {
    const ss = submissionFromEbxml(objects(`<rim:RegistryPackage id="X">${marker('a', 'X', NODE.submissionSet)}${marker('b', 'X', NODE.folder)}</rim:RegistryPackage>`)).submissionSets[0] as SubmissionSet;
    expect(ss.marker).toEqual({ id: 'a', nested: true });
    expect(ss.extraClassifications?.map((c) => c.id)).toEqual(['b']);
  });
});

describe('Associations and xdsObjectFromEbxml', () => {
  it('maps association slots and the documentation code; other classifications stay extra', () => {
    const [a] = submissionFromEbxml(
      objects(
        `<rim:Association id="as" associationType="urn:ihe:iti:2007:AssociationType:RPLC" sourceObject="D2" targetObject="urn:uuid:d1" status="S">` +
          `${slot('SubmissionSetStatus', 'Original')}${slot('PreviousVersion', '1')}${slot('urn:x', 'y')}` +
          `${code('doc', 'as', CS.associationDocumentation, 'why', '1')}${code('doc2', 'as', CS.associationDocumentation, 'again', '1')}</rim:Association>`,
      ),
    ).associations;
    expect(a).toEqual({
      type: 'Association',
      entryUuid: 'as',
      status: 'S',
      associationType: 'urn:ihe:iti:2007:AssociationType:RPLC',
      sourceObject: 'D2',
      targetObject: 'urn:uuid:d1',
      submissionSetStatus: ['Original'],
      previousVersion: ['1'],
      extraSlots: [{ name: 'urn:x', values: ['y'] }],
      documentation: { id: 'doc', code: 'why', scheme: '1' },
      extraClassifications: [expect.objectContaining({ id: 'doc2' })],
    });
  });

  it('classifies a single package only with a nested marker or a matching sibling marker', () => {
    const [pkg, sib] = objects(`<rim:RegistryPackage id="F"/>${marker('m', 'F', NODE.folder)}`);
    if (pkg.kind !== 'RegistryPackage' || sib.kind !== 'Classification') throw new Error('fixture');
    expect(xdsObjectFromEbxml(pkg)).toBeUndefined();
    expect(xdsObjectFromEbxml(pkg, sib)).toMatchObject({ type: 'Folder', marker: { id: 'm', nested: false } });
    expect(xdsObjectFromEbxml(sib)).toBeUndefined();
    const [other] = objects(marker('m2', 'G', NODE.folder));
    if (other.kind !== 'Classification') throw new Error('fixture');
    expect(xdsObjectFromEbxml(pkg, other)).toBeUndefined();
  });
});
