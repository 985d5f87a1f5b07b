import { NS } from '../xml/namespaces';
import { parseXml } from '../xml/parse';
import {
  buildAdhocQueryRequest,
  buildAdhocQueryResponse,
  buildProvideAndRegisterRequest,
  buildRegistryObject,
  buildRegistryObjectList,
  buildRegistryResponse,
  buildRemoveDocumentsRequest,
  buildRemoveObjectsRequest,
  buildRetrieveDocumentSetRequest,
  buildRetrieveDocumentSetResponse,
  buildSubmitObjectsRequest,
} from './build';
import {
  parseAdhocQueryRequest,
  parseAdhocQueryResponse,
  parseProvideAndRegisterRequest,
  parseRegistryObject,
  parseRegistryResponse,
  parseRemoveDocumentsRequest,
  parseRemoveObjectsRequest,
  parseRetrieveDocumentSetResponse,
} from './parse';
import type { ExtrinsicObject, RegistryObjectListItem } from './types';
import { xdsObjectToEbxml } from '../xds/toEbxml';
import { sampleDocumentEntry } from '../xds/testSupport/samples';

const EO: ExtrinsicObject = {
  kind: 'ExtrinsicObject',
  id: 'Doc<1>',
  mimeType: 'text/plain',
  objectType: 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1',
  contentVersionInfo: { versionName: '1' },
  externalIdentifiers: [{ kind: 'ExternalIdentifier', id: 'ei', registryObject: 'Doc<1>', identificationScheme: 'urn:s', value: 'P^^^&1.2&ISO', slots: [], classifications: [], externalIdentifiers: [] }],
  classifications: [{ kind: 'Classification', id: 'cl', classifiedObject: 'Doc<1>', classificationScheme: 'urn:c', nodeRepresentation: 'n', slots: [], classifications: [], externalIdentifiers: [] }],
  versionInfo: { versionName: '1' },
  description: [{ value: 'd' }],
  name: [{ value: 'Title "quoted" & <b>\nnext line', lang: 'en-US' }],
  slots: [{ name: 'creationTime', values: ['2024', 'a<b&c>d'] }],
};

/** The element names in the order they first appear. */
function tagOrder(xml: string): string[] {
  return [...xml.matchAll(/<(rim:\w+)/g)].map((m) => m[1]);
}

describe('buildRegistryObject', () => {
  it('writes children in schema order, ContentVersionInfo last, with rim declared on the element', () => {
    const xml = buildRegistryObject(EO);
    expect(xml.startsWith(`<rim:ExtrinsicObject xmlns:rim="${NS.rim}"`)).toBe(true);
    expect(tagOrder(xml)).toEqual([
      'rim:ExtrinsicObject',
      'rim:Slot',
      'rim:ValueList',
      'rim:Value',
      'rim:Value',
      'rim:Name',
      'rim:LocalizedString',
      'rim:Description',
      'rim:LocalizedString',
      'rim:VersionInfo',
      'rim:Classification',
      'rim:ExternalIdentifier',
      'rim:ContentVersionInfo',
    ]);
  });

  it('escapes attribute and text values so they parse back unchanged', () => {
    const xml = buildRegistryObject(EO);
    expect(xml).toContain('value="Title &quot;quoted&quot; &amp; &lt;b&gt;&#10;next line"');
    expect(xml).toContain('<rim:Value>a&lt;b&amp;c&gt;d</rim:Value>');
    expect(xml).toContain('xml:lang="en-US"');
    expect(parseRegistryObject(parseXml(xml))).toEqual(EO);
  });

  it('drops characters XML 1.0 cannot carry, in text and attributes', () => {
    const xml = buildRegistryObject({ ...EO, slots: [{ name: 'a\u0001b', values: ['x\u0000y\u001Fz'] }] });
    expect(xml).toContain('<rim:Slot name="ab">');
    expect(xml).toContain('<rim:Value>xyz</rim:Value>');
  });

  it('keeps an empty Name / Description / ValueList distinct from an absent one', () => {
    const o: RegistryObjectListItem = { kind: 'RegistryPackage', id: 'p', name: [], slots: [{ name: 's', values: [] }], classifications: [], externalIdentifiers: [] };
    const xml = buildRegistryObject(o);
    expect(xml).toContain('<rim:Name/>');
    expect(xml).not.toContain('Description');
    expect(xml).toContain('<rim:ValueList/>');
    expect(parseRegistryObject(parseXml(xml))).toEqual(o);
  });

  it('writes an ObjectRef and a list with one rim declaration on the list', () => {
    const xml = buildRegistryObjectList([{ kind: 'ObjectRef', id: 'urn:uuid:1', home: 'urn:oid:2' }, EO]);
    expect(xml.match(/xmlns:rim=/g)).toHaveLength(1);
    expect(xml).toContain('<rim:ObjectRef id="urn:uuid:1" home="urn:oid:2"/>');
    expect(buildRegistryObjectList([])).toBe(`<rim:RegistryObjectList xmlns:rim="${NS.rim}"/>`);
  });
});

describe('message builders', () => {
  it('each message declares its namespaces on its root element and parses standalone', () => {
    const submit = buildSubmitObjectsRequest({ objects: [EO] });
    expect(submit).toMatch(new RegExp(`^<lcm:SubmitObjectsRequest xmlns:lcm="${NS.lcm}" xmlns:rim="${NS.rim}">`));
    const pnr = buildProvideAndRegisterRequest({
      submitObjectsRequest: { objects: [EO] },
      documents: [
        { id: 'Doc<1>', content: { kind: 'xop', href: 'cid:1.doc@example' } },
        { id: 'd2', content: { kind: 'inline', base64: 'aGVsbG8=' } },
      ],
    });
    expect(pnr).toContain(`<xds:Document id="Doc&lt;1&gt;"><xop:Include xmlns:xop="${NS.xop}" href="cid:1.doc@example"/></xds:Document>`);
    expect(pnr).toContain('<xds:Document id="d2">aGVsbG8=</xds:Document>');
    expect(parseProvideAndRegisterRequest(parseXml(pnr)).documents).toHaveLength(2);
  });

  it('buildRegistryResponse writes highestSeverity, severity URNs and the optional location', () => {
    const warningsOnly = buildRegistryResponse({ status: 'Success', errors: [{ errorCode: 'XDSExtraMetadataNotSaved', codeContext: 'slot urn:x', severity: 'Warning' }] });
    expect(warningsOnly).toContain('highestSeverity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Warning"');
    const mixed = {
      status: 'Failure' as const,
      requestId: 'r1',
      errors: [
        { errorCode: 'XDSExtraMetadataNotSaved', codeContext: 'w', severity: 'Warning' as const },
        { errorCode: 'XDSRegistryMetadataError', codeContext: 'bad "value" <x>', severity: 'Error' as const, location: 'Document01' },
      ],
    };
    const xml = buildRegistryResponse(mixed);
    expect(xml).toContain('status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"');
    expect(xml).toContain('highestSeverity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"');
    expect(xml).toContain('location="Document01"');
    expect(parseRegistryResponse(parseXml(xml))).toEqual(mixed);
    expect(buildRegistryResponse({ status: 'Success', errors: [] })).toBe(
      `<rs:RegistryResponse xmlns:rs="${NS.rs}" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"/>`,
    );
  });

  it('buildAdhocQueryResponse always writes the RegistryObjectList', () => {
    const xml = buildAdhocQueryResponse({ status: 'Success', errors: [], objects: [] });
    expect(xml).toContain('<rim:RegistryObjectList/>');
    expect(parseAdhocQueryResponse(parseXml(xml))).toEqual({ status: 'Success', errors: [], objects: [] });
  });

  it('buildAdhocQueryRequest writes ResponseOption then AdhocQuery with its parameter slots', () => {
    const req = { returnType: 'ObjectRef', queryId: 'urn:uuid:q', parameters: [{ name: '$a', values: ["('x')"] }, { name: '$a', values: ["('y')"] }] };
    const xml = buildAdhocQueryRequest(req);
    expect(xml.indexOf('query:ResponseOption')).toBeLessThan(xml.indexOf('rim:AdhocQuery'));
    expect(parseAdhocQueryRequest(parseXml(xml))).toEqual(req);
  });

  it('buildRetrieveDocumentSetResponse writes DocumentResponse children in schema order', () => {
    const resp = {
      registryResponse: { status: 'Success' as const, errors: [] },
      documentResponses: [{ homeCommunityId: 'urn:oid:1', repositoryUniqueId: '1.2', documentUniqueId: '1.3', mimeType: 'text/plain', content: { kind: 'xop' as const, href: 'cid:part1' } }],
    };
    const xml = buildRetrieveDocumentSetResponse(resp);
    const order = [...xml.matchAll(/<(xds:\w+)/g)].map((m) => m[1]);
    expect(order).toEqual(['xds:RetrieveDocumentSetResponse', 'xds:DocumentResponse', 'xds:HomeCommunityId', 'xds:RepositoryUniqueId', 'xds:DocumentUniqueId', 'xds:mimeType', 'xds:Document']);
    expect(xml).toContain('href="cid:part1"');
    expect(parseRetrieveDocumentSetResponse(parseXml(xml))).toEqual(resp);
  });

  it('buildRetrieveDocumentSetRequest / buildRemoveDocumentsRequest / buildRemoveObjectsRequest parse back', () => {
    const docs = { documentRequests: [{ repositoryUniqueId: '1.2', documentUniqueId: '1.3' }] };
    expect(buildRetrieveDocumentSetRequest(docs)).toContain('<xds:DocumentRequest><xds:RepositoryUniqueId>1.2</xds:RepositoryUniqueId>');
    expect(parseRemoveDocumentsRequest(parseXml(buildRemoveDocumentsRequest(docs)))).toEqual(docs);
    const remove = { objectRefs: [{ kind: 'ObjectRef' as const, id: 'urn:uuid:1' }], deletionScope: 'urn:x', hasAdhocQuery: false };
    expect(parseRemoveObjectsRequest(parseXml(buildRemoveObjectsRequest(remove)))).toEqual(remove);
  });

  it('builds a 1000-entry AdhocQueryResponse well under 200 ms', () => {
    const objects = Array.from({ length: 1000 }, (_, i) => xdsObjectToEbxml(sampleDocumentEntry(`urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)));
    buildAdhocQueryResponse({ status: 'Success', errors: [], objects: objects.slice(0, 10) }); // warm up
    const start = process.hrtime.bigint();
    const xml = buildAdhocQueryResponse({ status: 'Success', errors: [], objects });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    expect(xml.match(/<rim:ExtrinsicObject /g)).toHaveLength(1000);
    expect(ms).toBeLessThan(200);
  });
});
