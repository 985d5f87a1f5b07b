import { parseXml } from '../shared/xml/parse';
import { checkRetrieve, checkStatus, evaluateAsserts, sha1Hex } from './checks';
import type { ParsedResponse } from './responses';

function response(status: string | undefined, codes: Array<[string, string]> = [], extra: Partial<ParsedResponse> = {}): ParsedResponse {
  return {
    httpStatus: 200,
    contentType: 'application/soap+xml',
    errors: codes.map(([errorCode, codeContext]) => ({ errorCode, codeContext, severity: 'Error' })),
    attachments: new Map(),
    documents: [],
    ...(status !== undefined ? { status } : {}),
    ...extra,
  };
}

describe('step checks', () => {
  it('compares status, every ExpectedErrorCode, any-of codes and ExpectedErrorMessage substrings', () => {
    expect(checkStatus(response('Failure', [['XDSPatientIdDoesNotMatch', 'pid x']]), { statuses: ['Failure'], allCodes: ['XDSPatientIdDoesNotMatch'] })).toEqual([]);
    expect(checkStatus(response('Failure', [['XDSRegistryError', 'x']]), { statuses: ['Failure'], allCodes: ['XDSPatientIdDoesNotMatch'] })).toEqual([
      'error code XDSPatientIdDoesNotMatch expected, got XDSRegistryError',
    ]);
    expect(checkStatus(response('Failure', [['XDSRegistryError', 'x']]), { statuses: ['Failure'], anyCode: ['XDSStoredQueryMissingParam', 'XDSRegistryError'] })).toEqual([]);
    expect(checkStatus(response('Failure', [['XDSX', 'mentions XDSMissingDocument here']]), { statuses: ['Failure'], messages: ['XDSMissingDocument'] })).toEqual([]);
    const fault = response('Fault', [], { fault: { code: 'Sender', reason: 'no action' } });
    expect(checkStatus(fault, { statuses: ['Failure'] })).toEqual(['status Fault (Sender: no action), expected Failure']);
    expect(checkStatus(fault, { statuses: ['Failure', 'Fault'], anyCode: ['XDSMissingDocument'] })).toEqual([]);
    expect(checkStatus(response(undefined, [], { problem: 'answer is not XML' }), { statuses: ['Success'] })).toEqual(['status unreadable answer (answer is not XML), expected Success']);
  });

  it('compares retrieved documents with what was submitted and with the DocumentEntry', () => {
    const bytes = Buffer.from('This is my document.\n');
    const eo = parseXml(
      `<rim:ExtrinsicObject xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0" id="urn:uuid:1" mimeType="text/plain">` +
        `<rim:Slot name="size"><rim:ValueList><rim:Value>${bytes.length}</rim:Value></rim:ValueList></rim:Slot>` +
        `<rim:Slot name="hash"><rim:ValueList><rim:Value>${sha1Hex(bytes).toUpperCase()}</rim:Value></rim:ValueList></rim:Slot>` +
        `<rim:Slot name="repositoryUniqueId"><rim:ValueList><rim:Value>1.2.3</rim:Value></rim:ValueList></rim:Slot>` +
        `<rim:ExternalIdentifier identificationScheme="urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab" value="9.9" id="e" registryObject="urn:uuid:1"/></rim:ExtrinsicObject>`,
    );
    const doc = { repositoryUniqueId: '1.2.3', documentUniqueId: '9.9', mimeType: 'text/plain', bytes };
    const exp = { requested: 1, expectAll: true, referenceDocuments: new Map([['9.9', bytes]]), referenceMetadata: [eo] };
    expect(checkRetrieve([doc], exp)).toEqual([]);
    expect(checkRetrieve([{ ...doc, mimeType: 'text/goofy' }], exp)).toEqual(['document 9.9: mimeType text/goofy but DocumentEntry mimeType is text/plain']);
    expect(checkRetrieve([{ ...doc, bytes: Buffer.from('other') }], exp).join('\n')).toMatch(/differ from the 21 bytes submitted[\s\S]*5 bytes but DocumentEntry size is 21[\s\S]*SHA-1/);
    expect(checkRetrieve([], exp)).toEqual(['0 document(s) returned for 1 requested', 'document 9.9 not returned']);
  });

  it('evaluates Assert expressions after UseReport and $DATE$ replacements, and says what it could not evaluate', () => {
    const log = parseXml('<TestResults><TestStep id="s"><X><Result><v>20240101</v></Result></X></TestStep></TestResults>');
    const out = evaluateAsserts(
      [
        { id: 'today', expression: 'substring("stamp",1,8) = "$DATE$"' },
        { id: 'log', expression: "//TestStep[@id='s']//v = '20240101'" },
        { id: 'false', expression: "'b' = 'c'" },
        { id: 'unsupported', expression: 'sum(//v) > 1' },
        { id: 'empty', expression: '' },
      ],
      log,
      new Map([
        ['stamp', '20240101120000'],
        ['$DATE$', '20240101'],
      ]),
    );
    expect(out.failures).toEqual(["assertion false is false: 'b' = 'c'"]);
    expect(out.notEvaluated).toEqual(['assertion unsupported not evaluated (function sum() is not supported)', 'assertion empty: empty expression in the source']);
    expect(out.evaluated[0]).toBe('today: substring("20240101120000",1,8) = "20240101" → true');
  });
});
