import fs from 'node:fs';
import path from 'node:path';
import type { HttpAnswer } from './http';
import { parseResponse } from './responses';
import { checkResponse, loadErrorCodeTable, parseErrorCodeTable, type TransactionCode } from './responseRules';

const CORPUS = path.resolve(__dirname, '../../shared/conformance/corpus');
const table = loadErrorCodeTable(path.join(CORPUS, 'negative/nist-reference/TransactionDefinedErrorCodes.txt'));
const read = (rel: string): string => fs.readFileSync(path.join(CORPUS, rel), 'utf8').replace(/^\uFEFF?\s*<\?xml[^?]*\?>/, '');

function answer(xml: string, status = 200, contentType = 'application/soap+xml'): HttpAnswer {
  return { status, headers: { 'content-type': contentType }, body: Buffer.from(xml, 'utf8'), elapsedMs: 0 };
}

/** A bare body from the corpus inside a SOAP 1.2 envelope with the right addressing. */
function enveloped(body: string, action: string, relatesTo = 'urn:uuid:req'): HttpAnswer {
  return answer(
    `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://www.w3.org/2005/08/addressing"><env:Header>` +
      `<wsa:Action>${action}</wsa:Action><wsa:RelatesTo>${relatesTo}</wsa:RelatesTo></env:Header><env:Body>${body}</env:Body></env:Envelope>`,
  );
}

const SQ = 'urn:ihe:iti:2007:RegistryStoredQuery';
const R = 'urn:ihe:iti:2007:RegisterDocumentSet-b';
const rules = (tx: TransactionCode, action: string) => ({ transaction: tx, requestAction: action, messageId: 'urn:uuid:req', table });

describe('answer checks (toolkit RegistryResponseValidator)', () => {
  it.each([
    ['regresp-fail-noerr.xml', 'R', R, /status Failure without any Error-severity RegistryError/],
    ['regresp-suc-err.xml', 'R', R, /status Success while carrying Error-severity RegistryError\(s\): XDSUnknownPatientId/],
    ['sq-resp-lc-no-objectType.xml', 'SQ', SQ, /objectType \(none\) is not a DocumentEntry type/],
    ['sq-resp-lc-no-status.xml', 'SQ', SQ, /ExtrinsicObject urn:uuid:[0-9a-f-]+ has no status/],
    ['sq-resp-nostat-objectref.xml', 'SQ', SQ, /answer has no status attribute/],
  ] as const)('rejects the invalid example %s', (file, tx, action, message) => {
    const problems = checkResponse(parseResponse(enveloped(read(`negative/nist-wire/messagevalidator/${file}`), `${action}Response`)), rules(tx, action));
    expect(problems.join('\n')).toMatch(message);
  });

  it.each([
    ['iti18/nist-wire/messagevalidator/sq-resp-lc.xml', 'SQ', SQ],
    ['iti18/nist-wire/messagevalidator/sq-resp-objectref.xml', 'SQ', SQ],
    ['iti18/openxds/samples/RegistryStoredQueryFindDocsResponse.xml', 'SQ', SQ],
    ['iti41/openxds/samples/ProvideAndRegisterDocumentSet-bResponse.xml', 'P', 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b'],
  ] as const)('accepts the valid example %s', (file, tx, action) => {
    expect(checkResponse(parseResponse(enveloped(read(file), `${action}Response`)), rules(tx, action))).toEqual([]);
  });

  it('accepts complete SOAP answers from the corpus and reads their status', () => {
    const r = parseResponse(answer(read('iti42/nist-wire/messagevalidator/soap-r-resp.xml')));
    expect(r.status).toBe('Success');
    expect(checkResponse(r, { transaction: 'R', requestAction: R, table })).toEqual([]);
    const ret = parseResponse(answer(read('iti43/nist-wire/messagevalidator/soap-ret-resp.xml')));
    expect(ret.documents.length).toBeGreaterThan(0);
    expect(ret.documents.every((d) => d.bytes !== undefined && d.bytes.length > 0)).toBe(true);
  });

  it('checks addressing, status URNs, the error-code table and PartialSuccess', () => {
    const failure = (code: string, status = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure'): string =>
      `<rs:RegistryResponse xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0" status="${status}"><rs:RegistryErrorList><rs:RegistryError errorCode="${code}" codeContext="ctx" severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"/></rs:RegistryErrorList></rs:RegistryResponse>`;
    expect(checkResponse(parseResponse(enveloped(failure('XDSRegistryMetadataError'), `${R}Response`)), rules('R', R))).toEqual([]);
    expect(checkResponse(parseResponse(enveloped(failure('XDSRegistryMetadataError'), `${SQ}Response`)), rules('SQ', SQ))).toEqual([
      'errorCode XDSRegistryMetadataError is not defined for SQ transactions (NIST TransactionDefinedErrorCodes)',
    ]);
    expect(checkResponse(parseResponse(enveloped(failure('XDSRegistryError'), 'wrong', 'urn:uuid:other')), rules('R', R))).toEqual([
      'wsa:RelatesTo is urn:uuid:other, expected the request MessageID urn:uuid:req',
      `wsa:Action is wrong, expected ${R}Response`,
    ]);
    const partial = failure('XDSRegistryError', 'urn:ihe:iti:2007:ResponseStatusType:PartialSuccess');
    const r = parseResponse(enveloped(partial, `${R}Response`));
    expect(r.status).toBe('PartialSuccess');
    expect(checkResponse(r, rules('R', R))).toEqual(['PartialSuccess is not a legal status for R (all-or-nothing transaction)']);
    const oasisPartial = parseResponse(enveloped(failure('XDSRegistryError', 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:PartialSuccess'), `${R}Response`));
    expect(checkResponse(oasisPartial, rules('R', R)).join()).toMatch(/is not an ebRS ResponseStatusType/);
  });

  it('reads SOAP faults and requires an HTTP error status for them', () => {
    const fault =
      '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code>' +
      '<env:Reason><env:Text xml:lang="en">bad</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>';
    const r = parseResponse(answer(fault, 400));
    expect([r.status, r.fault?.code, r.fault?.reason]).toEqual(['Fault', 'Sender', 'bad']);
    expect(checkResponse(r, { transaction: 'R', table })).toEqual([]);
    expect(checkResponse(parseResponse(answer(fault, 200)), { transaction: 'R', table })).toEqual(['SOAP Fault carried with HTTP 200 (SOAP 1.2 HTTP binding: 400/500)']);
    expect(parseResponse(answer('not xml', 500)).problem).toMatch(/not XML/);
  });

  it('parses the NIST error-code table per transaction', () => {
    const t = parseErrorCodeTable('Transaction,Code,Severity,Text\nP, XDSMissingDocument, E, x\nRS, XDSDocumentUniqueIdError, E, y\n');
    expect([...(t.get('P') ?? [])]).toEqual(['XDSMissingDocument']);
    expect(table.get('SQ')?.has('XDSStoredQueryMissingParam')).toBe(true);
    expect(table.get('RS')?.has('XDSUnknownRepositoryId')).toBe(true);
  });
});
