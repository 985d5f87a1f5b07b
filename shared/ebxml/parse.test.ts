import { SoapFault, XdsError } from '../errors';
import { NS } from '../xml/namespaces';
import { parseXml } from '../xml/parse';
import {
  parseAdhocQueryRequest,
  parseAdhocQueryResponse,
  parseProvideAndRegisterRequest,
  parseRegistryObject,
  parseRegistryObjectList,
  parseRegistryResponse,
  parseRemoveDocumentsRequest,
  parseRemoveObjectsRequest,
  parseRetrieveDocumentSetRequest,
  parseRetrieveDocumentSetResponse,
  parseSubmitObjectsRequest,
} from './parse';

const RIM = `xmlns:rim="${NS.rim}"`;
const rim = (inner: string): ReturnType<typeof parseXml> => parseXml(inner.replace(/^<rim:(\w+)/, `<rim:$1 ${RIM}`));

/** The single RegistryError of a thrown XdsError. */
function metadataErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(XdsError);
    const [err] = (e as XdsError).errors;
    expect(err.errorCode).toBe('XDSRegistryMetadataError');
    expect(err.severity).toBe('Error');
    return err.codeContext;
  }
  throw new Error('expected an XdsError');
}

describe('parseRegistryObject', () => {
  it('reads an ExtrinsicObject with every kind of child, in order', () => {
    const el = rim(`<rim:ExtrinsicObject id="Doc1" mimeType="text/plain" objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1" status="S" lid="L" home="H" isOpaque="false">
      <rim:Slot name="creationTime" slotType="t"><rim:ValueList><rim:Value>20240101</rim:Value><rim:Value> spaced </rim:Value></rim:ValueList></rim:Slot>
      <rim:Slot name="empty"/>
      <rim:Name><rim:LocalizedString xml:lang="de-CH" charset="UTF-8" value="Titel &amp; mehr"/></rim:Name>
      <rim:Description/>
      <rim:VersionInfo versionName="2" comment="c"/>
      <rim:Classification id="cl1" classifiedObject="Doc1" classificationScheme="urn:s" nodeRepresentation="N">
        <rim:Slot name="codingScheme"><rim:ValueList><rim:Value>1.2</rim:Value></rim:ValueList></rim:Slot>
      </rim:Classification>
      <rim:ExternalIdentifier id="ei1" registryObject="Doc1" identificationScheme="urn:i" value="P^^^&amp;1.2&amp;ISO">
        <rim:Name><rim:LocalizedString value="XDSDocumentEntry.patientId"/></rim:Name>
      </rim:ExternalIdentifier>
      <rim:ContentVersionInfo/>
    </rim:ExtrinsicObject>`);
    expect(parseRegistryObject(el)).toEqual({
      kind: 'ExtrinsicObject',
      id: 'Doc1',
      home: 'H',
      lid: 'L',
      objectType: 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1',
      status: 'S',
      mimeType: 'text/plain',
      isOpaque: 'false',
      slots: [
        { name: 'creationTime', slotType: 't', values: ['20240101', ' spaced '] },
        { name: 'empty', values: [] },
      ],
      name: [{ value: 'Titel & mehr', lang: 'de-CH', charset: 'UTF-8' }],
      description: [],
      versionInfo: { versionName: '2', comment: 'c' },
      contentVersionInfo: { versionName: '1.1' },
      classifications: [
        {
          kind: 'Classification',
          id: 'cl1',
          classifiedObject: 'Doc1',
          classificationScheme: 'urn:s',
          nodeRepresentation: 'N',
          slots: [{ name: 'codingScheme', values: ['1.2'] }],
          classifications: [],
          externalIdentifiers: [],
        },
      ],
      externalIdentifiers: [
        {
          kind: 'ExternalIdentifier',
          id: 'ei1',
          registryObject: 'Doc1',
          identificationScheme: 'urn:i',
          value: 'P^^^&1.2&ISO',
          name: [{ value: 'XDSDocumentEntry.patientId' }],
          slots: [],
          classifications: [],
          externalIdentifiers: [],
        },
      ],
    });
  });

  it('reads RegistryPackage, Association, top-level Classification and ObjectRef', () => {
    const list = parseRegistryObjectList(
      rim(`<rim:RegistryObjectList>
        <rim:RegistryPackage id="SS"/>
        <rim:Association id="a" associationType="urn:t" sourceObject="SS" targetObject="D"/>
        <rim:Classification id="c" classifiedObject="SS" classificationNode="urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"/>
        <rim:ObjectRef id="urn:uuid:1" home="urn:oid:1" createReplica="false"/>
      </rim:RegistryObjectList>`),
    );
    expect(list.map((o) => o.kind)).toEqual(['RegistryPackage', 'Association', 'Classification', 'ObjectRef']);
    expect(list[1]).toMatchObject({ associationType: 'urn:t', sourceObject: 'SS', targetObject: 'D' });
    expect(list[2]).toMatchObject({ classifiedObject: 'SS', classificationNode: 'urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd' });
    expect(list[3]).toEqual({ kind: 'ObjectRef', id: 'urn:uuid:1', home: 'urn:oid:1' });
  });

  it('matches elements by namespace, not prefix (default namespace and any prefix)', () => {
    const a = parseRegistryObject(parseXml(`<ExtrinsicObject xmlns="${NS.rim}" id="d"><Slot name="s"><ValueList><Value>v</Value></ValueList></Slot></ExtrinsicObject>`));
    const b = parseRegistryObject(parseXml(`<x:ExtrinsicObject xmlns:x="${NS.rim}" id="d"><x:Slot name="s"><x:ValueList><x:Value>v</x:Value></x:ValueList></x:Slot></x:ExtrinsicObject>`));
    expect(a).toEqual(b);
    expect(a).toMatchObject({ slots: [{ name: 's', values: ['v'] }] });
  });

  it.each([
    ['Classification', '<rim:Classification id="c" classificationScheme="s"/>', 'rim:Classification id="c" is missing the required attribute classifiedObject'],
    ['ExternalIdentifier', '<rim:ExternalIdentifier id="e" registryObject="o" identificationScheme="s"/>', 'rim:ExternalIdentifier id="e" is missing the required attribute value'],
    ['Association', '<rim:Association id="a" associationType="t" sourceObject="s"/>', 'rim:Association id="a" is missing the required attribute targetObject'],
    ['ExtrinsicObject id', '<rim:ExtrinsicObject mimeType="text/plain"/>', 'rim:ExtrinsicObject is missing the required attribute id'],
    ['Slot name', '<rim:RegistryPackage id="p"><rim:Slot/></rim:RegistryPackage>', 'rim:Slot is missing the required attribute name'],
    ['LocalizedString value', '<rim:RegistryPackage id="p"><rim:Name><rim:LocalizedString/></rim:Name></rim:RegistryPackage>', 'rim:LocalizedString is missing the required attribute value'],
    ['ObjectRef id', '<rim:ObjectRef/>', 'rim:ObjectRef is missing the required attribute id'],
  ])('a missing required attribute (%s) is XDSRegistryMetadataError naming element and attribute', (_, xml, context) => {
    expect(metadataErrorOf(() => parseRegistryObject(rim(xml)))).toBe(context);
  });

  it.each([
    ['Name before Slot', '<rim:ExtrinsicObject id="d"><rim:Name/><rim:Slot name="s"/></rim:ExtrinsicObject>', 'rim:Slot is out of schema order'],
    ['two Names', '<rim:ExtrinsicObject id="d"><rim:Name/><rim:Name/></rim:ExtrinsicObject>', 'rim:Name is out of schema order'],
    ['ExternalIdentifier before Classification', '<rim:RegistryPackage id="p"><rim:ExternalIdentifier id="e" registryObject="p" identificationScheme="s" value="v"/><rim:Classification id="c" classifiedObject="p"/></rim:RegistryPackage>', 'rim:Classification is out of schema order'],
    ['ContentVersionInfo on a package', '<rim:RegistryPackage id="p"><rim:ContentVersionInfo/></rim:RegistryPackage>', 'unexpected element rim:ContentVersionInfo'],
    ['unknown child', '<rim:ExtrinsicObject id="d"><rim:Bogus/></rim:ExtrinsicObject>', 'rim:ExtrinsicObject id="d" contains the unexpected element rim:Bogus'],
    ['rim child in another namespace', `<rim:ExtrinsicObject id="d"><Slot xmlns="urn:other" name="s"/></rim:ExtrinsicObject>`, 'unexpected element {urn:other}Slot'],
  ])('children out of schema order or unknown (%s) are a metadata error', (_, xml, context) => {
    expect(metadataErrorOf(() => parseRegistryObject(rim(xml)))).toContain(context);
  });

  it('refuses registry objects XDS does not use', () => {
    expect(metadataErrorOf(() => parseRegistryObjectList(rim('<rim:RegistryObjectList><rim:Organization id="o"/></rim:RegistryObjectList>')))).toContain('rim:Organization id="o" is not a registry object XDS supports');
  });
});

describe('message parsers', () => {
  const SUBMIT = `<lcm:SubmitObjectsRequest xmlns:lcm="${NS.lcm}" ${RIM}><rim:RegistryObjectList><rim:ExtrinsicObject id="Document01"/></rim:RegistryObjectList></lcm:SubmitObjectsRequest>`;

  it('parseSubmitObjectsRequest reads the object list and ignores a RequestSlotList', () => {
    const xml = SUBMIT.replace('<rim:RegistryObjectList>', `<rs:RequestSlotList xmlns:rs="${NS.rs}"/><rim:RegistryObjectList>`);
    expect(parseSubmitObjectsRequest(parseXml(xml)).objects).toEqual([{ kind: 'ExtrinsicObject', id: 'Document01', slots: [], classifications: [], externalIdentifiers: [] }]);
    expect(metadataErrorOf(() => parseSubmitObjectsRequest(parseXml(`<lcm:SubmitObjectsRequest xmlns:lcm="${NS.lcm}"/>`)))).toContain('missing the required element rim:RegistryObjectList');
  });

  it('parseProvideAndRegisterRequest reads inline base64 and xop:Include documents', () => {
    const xml = `<xds:ProvideAndRegisterDocumentSetRequest xmlns:xds="${NS.xds}">${SUBMIT}
      <xds:Document id="Document01">aGVsbG8=</xds:Document>
      <xds:Document id="Document02"><xop:Include xmlns:xop="${NS.xop}" href="cid:1.doc@example"/></xds:Document>
    </xds:ProvideAndRegisterDocumentSetRequest>`;
    const req = parseProvideAndRegisterRequest(parseXml(xml));
    expect(req.submitObjectsRequest.objects).toHaveLength(1);
    expect(req.documents).toEqual([
      { id: 'Document01', content: { kind: 'inline', base64: 'aGVsbG8=' } },
      { id: 'Document02', content: { kind: 'xop', href: 'cid:1.doc@example' } },
    ]);
    const noId = xml.replace('<xds:Document id="Document01">', '<xds:Document>');
    expect(metadataErrorOf(() => parseProvideAndRegisterRequest(parseXml(noId)))).toBe('xds:Document is missing the required attribute id');
    const noHref = xml.replace(' href="cid:1.doc@example"', '');
    expect(metadataErrorOf(() => parseProvideAndRegisterRequest(parseXml(noHref)))).toBe('xop:Include is missing the required attribute href');
  });

  it('parseAdhocQueryRequest keeps parameter slots in order (repeats included) and defaults returnType', () => {
    const xml = `<query:AdhocQueryRequest xmlns:query="${NS.query}" ${RIM}>
      <query:ResponseOption returnComposedObjects="true"/>
      <rim:AdhocQuery id="urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d" home="urn:oid:1.2">
        <rim:Slot name="$XDSDocumentEntryEventCodeList"><rim:ValueList><rim:Value>('a^^s')</rim:Value></rim:ValueList></rim:Slot>
        <rim:Slot name="$XDSDocumentEntryEventCodeList"><rim:ValueList><rim:Value>('b^^s')</rim:Value></rim:ValueList></rim:Slot>
      </rim:AdhocQuery>
    </query:AdhocQueryRequest>`;
    expect(parseAdhocQueryRequest(parseXml(xml))).toEqual({
      returnType: 'RegistryObject',
      returnComposedObjects: 'true',
      queryId: 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d',
      home: 'urn:oid:1.2',
      parameters: [
        { name: '$XDSDocumentEntryEventCodeList', values: ["('a^^s')"] },
        { name: '$XDSDocumentEntryEventCodeList', values: ["('b^^s')"] },
      ],
    });
    const noOption = xml.replace('<query:ResponseOption returnComposedObjects="true"/>', '');
    expect(metadataErrorOf(() => parseAdhocQueryRequest(parseXml(noOption)))).toContain('missing the required element query:ResponseOption');
  });

  it('parseRegistryResponse maps status and severity URNs and reads every RegistryError', () => {
    const xml = `<rs:RegistryResponse xmlns:rs="${NS.rs}" status="urn:ihe:iti:2007:ResponseStatusType:PartialSuccess" requestId="r">
      <rs:RegistryErrorList highestSeverity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error">
        <rs:RegistryError errorCode="XDSDocumentUniqueIdError" codeContext="unknown 1.2" location="1.2">free text</rs:RegistryError>
        <rs:RegistryError errorCode="XDSExtraMetadataNotSaved" codeContext="w" severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Warning"/>
      </rs:RegistryErrorList>
    </rs:RegistryResponse>`;
    expect(parseRegistryResponse(parseXml(xml))).toEqual({
      status: 'PartialSuccess',
      requestId: 'r',
      errors: [
        { errorCode: 'XDSDocumentUniqueIdError', codeContext: 'unknown 1.2', severity: 'Error', location: '1.2' },
        { errorCode: 'XDSExtraMetadataNotSaved', codeContext: 'w', severity: 'Warning' },
      ],
    });
    expect(metadataErrorOf(() => parseRegistryResponse(parseXml(`<rs:RegistryResponse xmlns:rs="${NS.rs}" status="Success"/>`)))).toContain('unknown status "Success"');
    const badSeverity = xml.replace('ErrorSeverityType:Warning', 'ErrorSeverityType:Info');
    expect(metadataErrorOf(() => parseRegistryResponse(parseXml(badSeverity)))).toContain('unknown severity');
  });

  it('parseAdhocQueryResponse reads status, errors and objects (missing list = empty)', () => {
    const xml = `<query:AdhocQueryResponse xmlns:query="${NS.query}" ${RIM} status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success">
      <rim:RegistryObjectList><rim:ObjectRef id="urn:uuid:1"/></rim:RegistryObjectList></query:AdhocQueryResponse>`;
    expect(parseAdhocQueryResponse(parseXml(xml))).toEqual({ status: 'Success', errors: [], objects: [{ kind: 'ObjectRef', id: 'urn:uuid:1' }] });
    const empty = `<query:AdhocQueryResponse xmlns:query="${NS.query}" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"/>`;
    expect(parseAdhocQueryResponse(parseXml(empty))).toEqual({ status: 'Failure', errors: [], objects: [] });
  });

  const REQ = (inner: string): string => `<xds:RetrieveDocumentSetRequest xmlns:xds="${NS.xds}">${inner}</xds:RetrieveDocumentSetRequest>`;

  it('parseRetrieveDocumentSetRequest reads DocumentRequests in schema order', () => {
    const xml = REQ(
      '<xds:DocumentRequest><xds:HomeCommunityId>urn:oid:1</xds:HomeCommunityId><xds:RepositoryUniqueId>1.2</xds:RepositoryUniqueId><xds:DocumentUniqueId>1.3</xds:DocumentUniqueId></xds:DocumentRequest>' +
        '<xds:DocumentRequest><xds:RepositoryUniqueId>1.2</xds:RepositoryUniqueId><xds:DocumentUniqueId>1.4</xds:DocumentUniqueId></xds:DocumentRequest>',
    );
    expect(parseRetrieveDocumentSetRequest(parseXml(xml)).documentRequests).toEqual([
      { homeCommunityId: 'urn:oid:1', repositoryUniqueId: '1.2', documentUniqueId: '1.3' },
      { repositoryUniqueId: '1.2', documentUniqueId: '1.4' },
    ]);
    expect(metadataErrorOf(() => parseRetrieveDocumentSetRequest(parseXml(REQ('<xds:DocumentRequest><xds:RepositoryUniqueId>1</xds:RepositoryUniqueId></xds:DocumentRequest>'))))).toBe(
      'xds:DocumentRequest is missing the required element xds:DocumentUniqueId',
    );
    const swapped = REQ('<xds:DocumentRequest><xds:DocumentUniqueId>1</xds:DocumentUniqueId><xds:RepositoryUniqueId>2</xds:RepositoryUniqueId></xds:DocumentRequest>');
    expect(metadataErrorOf(() => parseRetrieveDocumentSetRequest(parseXml(swapped)))).toContain('missing the required element xds:RepositoryUniqueId before xds:DocumentUniqueId');
    const repeated = REQ('<xds:DocumentRequest><xds:RepositoryUniqueId>2</xds:RepositoryUniqueId><xds:DocumentUniqueId>1</xds:DocumentUniqueId><xds:DocumentUniqueId>1</xds:DocumentUniqueId></xds:DocumentRequest>');
    expect(metadataErrorOf(() => parseRetrieveDocumentSetRequest(parseXml(repeated)))).toContain('unexpected, repeated or out-of-order element xds:DocumentUniqueId');
    expect(metadataErrorOf(() => parseRetrieveDocumentSetRequest(parseXml(REQ(''))))).toContain('holds no xds:DocumentRequest');
  });

  it('parseRemoveDocumentsRequest reads xds:DocumentRequests under rmd:RemoveDocumentsRequest', () => {
    const xml = `<rmd:RemoveDocumentsRequest xmlns:rmd="${NS.rmd}" xmlns:xds="${NS.xds}"><xds:DocumentRequest><xds:RepositoryUniqueId>1.2</xds:RepositoryUniqueId><xds:DocumentUniqueId>1.3</xds:DocumentUniqueId></xds:DocumentRequest></rmd:RemoveDocumentsRequest>`;
    expect(parseRemoveDocumentsRequest(parseXml(xml))).toEqual({ documentRequests: [{ repositoryUniqueId: '1.2', documentUniqueId: '1.3' }] });
  });

  it('parseRetrieveDocumentSetResponse reads the RegistryResponse and each DocumentResponse', () => {
    const xml = `<xds:RetrieveDocumentSetResponse xmlns:xds="${NS.xds}" xmlns:rs="${NS.rs}" xmlns:xop="${NS.xop}">
      <rs:RegistryResponse status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"/>
      <xds:DocumentResponse><xds:RepositoryUniqueId>1.2</xds:RepositoryUniqueId><xds:DocumentUniqueId>1.3</xds:DocumentUniqueId>
        <xds:NewDocumentUniqueId>1.9</xds:NewDocumentUniqueId><xds:mimeType>text/plain</xds:mimeType><xds:Document><xop:Include href="cid:a"/></xds:Document></xds:DocumentResponse>
      <xds:DocumentResponse><xds:HomeCommunityId>urn:oid:1</xds:HomeCommunityId><xds:RepositoryUniqueId>1.2</xds:RepositoryUniqueId><xds:DocumentUniqueId>1.4</xds:DocumentUniqueId>
        <xds:mimeType>text/xml</xds:mimeType><xds:Document>PGEvPg==</xds:Document></xds:DocumentResponse>
    </xds:RetrieveDocumentSetResponse>`;
    expect(parseRetrieveDocumentSetResponse(parseXml(xml))).toEqual({
      registryResponse: { status: 'Success', errors: [] },
      documentResponses: [
        { repositoryUniqueId: '1.2', documentUniqueId: '1.3', mimeType: 'text/plain', content: { kind: 'xop', href: 'cid:a' } },
        { homeCommunityId: 'urn:oid:1', repositoryUniqueId: '1.2', documentUniqueId: '1.4', mimeType: 'text/xml', content: { kind: 'inline', base64: 'PGEvPg==' } },
      ],
    });
    const noMime = xml.replace('<xds:mimeType>text/xml</xds:mimeType>', '');
    expect(metadataErrorOf(() => parseRetrieveDocumentSetResponse(parseXml(noMime)))).toContain('missing the required element xds:mimeType before xds:Document');
  });

  it('parseRemoveObjectsRequest reads ObjectRefs, deletionScope and flags an AdhocQuery', () => {
    const xml = `<lcm:RemoveObjectsRequest xmlns:lcm="${NS.lcm}" ${RIM} deletionScope="urn:oasis:names:tc:ebxml-regrep:DeletionScopeType:DeleteAll">
      <rim:AdhocQuery id="q"/><rim:ObjectRefList><rim:ObjectRef id="urn:uuid:1"/><rim:ObjectRef id="urn:uuid:2"/></rim:ObjectRefList></lcm:RemoveObjectsRequest>`;
    expect(parseRemoveObjectsRequest(parseXml(xml))).toEqual({
      objectRefs: [
        { kind: 'ObjectRef', id: 'urn:uuid:1' },
        { kind: 'ObjectRef', id: 'urn:uuid:2' },
      ],
      deletionScope: 'urn:oasis:names:tc:ebxml-regrep:DeletionScopeType:DeleteAll',
      hasAdhocQuery: true,
    });
    expect(parseRemoveObjectsRequest(parseXml(`<lcm:RemoveObjectsRequest xmlns:lcm="${NS.lcm}"/>`))).toEqual({ objectRefs: [], hasAdhocQuery: false });
  });

  it.each([
    ['parseSubmitObjectsRequest', parseSubmitObjectsRequest],
    ['parseProvideAndRegisterRequest', parseProvideAndRegisterRequest],
    ['parseAdhocQueryRequest', parseAdhocQueryRequest],
    ['parseAdhocQueryResponse', parseAdhocQueryResponse],
    ['parseRegistryResponse', parseRegistryResponse],
    ['parseRetrieveDocumentSetRequest', parseRetrieveDocumentSetRequest],
    ['parseRetrieveDocumentSetResponse', parseRetrieveDocumentSetResponse],
    ['parseRemoveObjectsRequest', parseRemoveObjectsRequest],
    ['parseRemoveDocumentsRequest', parseRemoveDocumentsRequest],
  ] as const)('%s answers a wrong root element with a Sender fault', (_, parse) => {
    // Right local name, wrong namespace: still the wrong element.
    const wrong = parseXml(`<x:SubmitObjectsRequest xmlns:x="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"/>`);
    let thrown: unknown;
    try {
      parse(wrong);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(SoapFault);
    expect((thrown as SoapFault).code).toBe('Sender');
  });
});
