import fs from 'node:fs';
import path from 'node:path';
import { SoapFault } from '../errors';
import { NS } from '../xml/namespaces';
import { parseXml } from '../xml/parse';
import { buildSoapEnvelope, buildSoapFault, buildSoapRequest, parseSoapEnvelope, requireAction } from './envelope';

const corpus = path.resolve(__dirname, '../../../shared/conformance/corpus');
const negative = (f: string): string => fs.readFileSync(path.join(corpus, 'negative/nist-wire/messagevalidator', f), 'utf8');

const env12 = (header: string, body: string): string =>
  `<s:Envelope xmlns:s="${NS.soap12}" xmlns:a="${NS.wsa}"><s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;

function faultOf(fn: () => unknown): SoapFault {
  try {
    fn();
  } catch (e) {
    if (e instanceof SoapFault) return e;
    throw e;
  }
  throw new Error('expected a SoapFault');
}

describe('parseSoapEnvelope', () => {
  it('reads Action, MessageID, To and ReplyTo with mustUnderstand "1" or "true"', () => {
    const xml = env12(
      `<a:Action s:mustUnderstand="1">urn:ihe:iti:2007:RegistryStoredQuery</a:Action><a:MessageID>urn:uuid:1</a:MessageID>` +
        `<a:ReplyTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address></a:ReplyTo><a:To s:mustUnderstand="true">http://x/registry</a:To>`,
      `<q:AdhocQueryRequest xmlns:q="${NS.query}"/>`,
    );
    const req = parseSoapEnvelope(xml);
    expect(req.addressing).toEqual({
      action: 'urn:ihe:iti:2007:RegistryStoredQuery',
      messageId: 'urn:uuid:1',
      replyTo: 'http://www.w3.org/2005/08/addressing/anonymous',
      to: 'http://x/registry',
    });
    expect(req.body.local).toBe('AdhocQueryRequest');
    expect(requireAction(req.addressing, ['urn:ihe:iti:2007:RegistryStoredQuery'])).toBe('urn:ihe:iti:2007:RegistryStoredQuery');
  });

  it('answers a SOAP 1.1 envelope with VersionMismatch', () => {
    const f = faultOf(() => parseSoapEnvelope(`<e:Envelope xmlns:e="${NS.soap11}"><e:Body><x/></e:Body></e:Envelope>`));
    expect(f.code).toBe('VersionMismatch');
    expect(f.httpStatus).toBe(400);
  });

  it('faults on a missing Action (corpus soap-noaction-pnr.xml) with wsa:MessageAddressingHeaderRequired', () => {
    const req = parseSoapEnvelope(negative('soap-noaction-pnr.xml'));
    const f = faultOf(() => requireAction(req.addressing, ['urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b']));
    expect(f.code).toBe('Sender');
    expect(f.subcode?.local).toBe('MessageAddressingHeaderRequired');
  });

  it('faults on an unknown Action with wsa:ActionNotSupported', () => {
    const f = faultOf(() => requireAction({ action: 'urn:bogus' }, ['urn:ihe:iti:2007:RegistryStoredQuery']));
    expect(f.subcode?.local).toBe('ActionNotSupported');
    expect(f.message).toContain('urn:bogus');
  });

  it('faults on a non-anonymous ReplyTo (asynchronous exchange is not supported)', () => {
    const f = faultOf(() => requireAction({ action: 'x', replyTo: 'http://client/callback' }, ['x']));
    expect(f.subcode?.local).toBe('OnlyAnonymousAddressSupported');
  });

  it('faults on a Header after the Body (corpus soap-pnr-soap-order.xml)', () => {
    expect(faultOf(() => parseSoapEnvelope(negative('soap-pnr-soap-order.xml'))).message).toMatch(/Header must come once, before the Body/);
  });

  it('faults on malformed XML (corpus xml-parse-error.xml) as Sender', () => {
    expect(faultOf(() => parseSoapEnvelope(negative('xml-parse-error.xml'))).code).toBe('Sender');
  });

  it('faults on an empty Body (corpus empty-soap-wrapper.xml)', () => {
    expect(faultOf(() => parseSoapEnvelope(negative('empty-soap-wrapper.xml'))).message).toMatch(/Body is empty/);
  });

  it('faults with MustUnderstand on a mustUnderstand header it does not know', () => {
    const xml = env12(`<x:Security xmlns:x="urn:sec" s:mustUnderstand="true"/>`, '<b/>');
    expect(faultOf(() => parseSoapEnvelope(xml)).code).toBe('MustUnderstand');
    // not mustUnderstand: ignored
    expect(parseSoapEnvelope(env12(`<x:Other xmlns:x="urn:sec"/>`, '<b/>')).body.local).toBe('b');
  });

  it('faults on a root that is not a SOAP Envelope', () => {
    expect(faultOf(() => parseSoapEnvelope('<Envelope/>')).code).toBe('Sender');
  });
});

describe('building envelopes', () => {
  it('response envelope carries Action and RelatesTo and parses back', () => {
    const xml = buildSoapEnvelope({ action: 'urn:ihe:iti:2007:RegistryStoredQueryResponse', relatesTo: 'urn:uuid:abc', body: '<x:y xmlns:x="urn:x"/>' });
    const env = parseXml(xml);
    const header = env.children[0];
    const texts = Object.fromEntries(header.children.map((c) => [c.local, c.text]));
    expect(texts.Action).toBe('urn:ihe:iti:2007:RegistryStoredQueryResponse');
    expect(texts.RelatesTo).toBe('urn:uuid:abc');
    expect(texts.MessageID).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
  });

  it('request envelope round-trips through the parser', () => {
    const xml = buildSoapRequest({ action: 'urn:ihe:iti:2007:RegisterDocumentSet-b', to: 'http://r/registry', body: '<b xmlns="urn:b"/>' });
    const req = parseSoapEnvelope(xml);
    expect(req.addressing.action).toBe('urn:ihe:iti:2007:RegisterDocumentSet-b');
    expect(req.addressing.to).toBe('http://r/registry');
  });

  it('fault envelope has Code, Subcode and a Reason without internals', () => {
    const xml = buildSoapFault(new SoapFault('Sender', 'bad <thing>', { ns: NS.wsa, local: 'ActionNotSupported' }), 'urn:uuid:1');
    const env = parseXml(xml);
    const fault = env.children[1].children[0];
    expect(fault.local).toBe('Fault');
    expect(fault.children[0].children[0].text).toBe('env:Sender');
    expect(fault.children[0].children[1].children[0].text).toBe('fc:ActionNotSupported');
    expect(fault.children[1].children[0].text).toBe('bad <thing>');
  });
});
