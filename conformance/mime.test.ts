import fs from 'node:fs';
import path from 'node:path';
import { contentTypeForRawMtom, parseCapture } from './fixtures';
import { buildMtom, contentIdFromHref, headerParams, parseMultipart, readMtom } from './mime';

const CORPUS = path.resolve(__dirname, '../../shared/conformance/corpus');

describe('runner MIME', () => {
  it('builds an MTOM request that reads back root-first with binary attachments intact', () => {
    const binary = Buffer.from([0, 13, 10, 45, 45, 255, 1, 2]);
    const req = buildMtom('<env:Envelope/>', [{ contentId: 'doc1@x', contentType: 'application/octet-stream', body: binary }], 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b');
    const ct = headerParams(req.contentType);
    expect(ct.value).toBe('multipart/related');
    expect(ct.params.type).toBe('application/xop+xml');
    expect(ct.params.action).toBe('urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b');
    const msg = readMtom(req.body, req.contentType);
    expect(msg.root.toString()).toBe('<env:Envelope/>');
    expect(msg.attachments.get('doc1@x')?.body.equals(binary)).toBe(true);
  });

  it('reads a captured Axis2 request with bare LF line ends and trailing blanks', () => {
    const { contentType, body } = parseCapture(fs.readFileSync(path.join(CORPUS, 'iti41/nist-wire/messagevalidator/http-mtom-pnr.txt')));
    expect(headerParams(contentType).params.boundary).toBe('MIMEBoundaryurn_uuid_3D4B161591CD1DEC0C1286850962202');
    const msg = readMtom(body, contentType);
    expect(msg.root.toString('utf8')).toContain('ProvideAndRegisterDocumentSetRequest');
    expect(msg.attachments.size).toBe(1);
    expect([...msg.attachments.values()][0]?.body.toString('utf8')).toMatch(/Four score and seven years ago/);
  });

  it('derives a Content-Type for a raw MTOM body without headers', () => {
    const body = fs.readFileSync(path.join(CORPUS, 'iti41/nist-wire/sim-proxy/sample_mtom_message.txt'));
    const ct = contentTypeForRawMtom(body, 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b');
    expect(headerParams(ct).params.start).toBe('<1.694859fac46e21a68c012f8f4fe208a370fc32b6e07ae79f>');
    const parts = parseMultipart(body, ct);
    expect(parts.length).toBeGreaterThanOrEqual(2);
  });

  it('parses header parameters with quotes and semicolons, and cid hrefs URL-decoded', () => {
    expect(headerParams('multipart/related; boundary="a;b"; start="<x>"').params).toEqual({ boundary: 'a;b', start: '<x>' });
    expect(contentIdFromHref('cid:1.urn%3Auuid%3Aabc%40apache.org')).toBe('1.urn:uuid:abc@apache.org');
    expect(() => parseMultipart(Buffer.from('no boundary here'), 'multipart/related; boundary=zz')).toThrow(/first boundary/);
  });
});
