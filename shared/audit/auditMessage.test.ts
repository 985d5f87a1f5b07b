import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { AuditContext, AuditEvent, buildAuditMessage, xmlEscape } from './auditMessage';
import { DICOM_AUDIT_XSD, assertSchemaToolsPresent, xmllintValidate } from './testing';

const ctx: AuditContext = { auditSourceId: 'xds.example.no', enterpriseSiteId: '1.2.3.4.5', processId: '4711' };
const NOW = new Date('2024-05-17T10:11:12.345Z');
const PATIENT = 'P-1001^^^&1.2.3.4.100&ISO';
const REPO = { userId: 'https://repository.example/xds/iti41', address: '10.0.0.5' };
const SOURCE = { userId: 'http://www.w3.org/2005/08/addressing/anonymous', address: 'source.example' };
const REGISTRY = { userId: 'https://registry.example/xds/iti42', address: 'registry.example' };
const CONSUMER = { userId: 'http://www.w3.org/2005/08/addressing/anonymous', address: '::1' };
const QUERY_XML =
  '<query:AdhocQueryRequest xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"><rim:AdhocQuery id="urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d"/></query:AdhocQueryRequest>';

const HOSTILE = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\u0000\u0007 payload';

const events: Record<string, AuditEvent> = {
  'iti41-repository': {
    transaction: 'ITI-41',
    outcome: 0,
    source: SOURCE,
    destination: REPO,
    peerTlsSubject: 'CN=xds-dev-client,O=xds-node development',
    patientIds: [PATIENT],
    patientNames: { [PATIENT]: 'Ørjan Åsmund Brønnøysund' },
    submissionSetUniqueId: '1.2.3.4.200.1',
  },
  'iti42-repository': {
    transaction: 'ITI-42',
    actor: 'repository',
    outcome: 0,
    source: { userId: 'https://repository.example/xds/iti41', address: 'repository.example' },
    destination: REGISTRY,
    patientIds: [PATIENT],
    submissionSetUniqueId: '1.2.3.4.200.1',
  },
  'iti42-registry-failure': {
    transaction: 'ITI-42',
    actor: 'registry',
    outcome: 8,
    outcomeDescription: 'XDSRegistryMetadataError: <bad> & "quoted"\nsecond line',
    source: { userId: 'https://repository.example/reply', address: '10.0.0.5' },
    destination: REGISTRY,
    patientIds: [PATIENT, PATIENT],
    submissionSetUniqueId: '1.2.3.4.200.2',
  },
  'iti18-registry': {
    transaction: 'ITI-18',
    outcome: 0,
    source: CONSUMER,
    destination: { userId: 'https://registry.example/xds/iti18', address: 'registry.example' },
    humanRequestor: { userId: '01017012345', userName: 'Dr. Ærlig' },
    patientIds: [PATIENT],
    query: { id: 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d', requestXml: QUERY_XML, homeCommunityId: 'urn:oid:1.2.3' },
  },
  'iti43-repository': {
    transaction: 'ITI-43',
    outcome: 0,
    source: REPO,
    destination: CONSUMER,
    documents: [
      { uniqueId: '1.2.3.4.300.1', repositoryUniqueId: '1.2.3.4.9' },
      { uniqueId: '1.2.3.4.300.2', repositoryUniqueId: '1.2.3.4.9', homeCommunityId: 'urn:oid:1.2.3' },
    ],
  },
  'iti43-empty-failure': {
    transaction: 'ITI-43',
    outcome: 12,
    source: REPO,
    destination: { userId: '' },
    documents: [],
  },
  'application-start': {
    transaction: 'application-start',
    outcome: 0,
    application: { userId: 'xds-registry', address: 'registry.example' },
    launcher: { userId: 'systemd' },
  },
  'application-stop': {
    transaction: 'application-stop',
    outcome: 0,
    application: { userId: 'xds-repository' },
  },
  'security-alert-tls': {
    transaction: 'security-alert',
    alertType: 'node-authentication',
    outcome: 4,
    reporter: { userId: 'https://registry.example/xds/iti18', address: 'registry.example' },
    peer: { userId: '192.0.2.7', address: '192.0.2.7' },
    description: 'TLS handshake rejected: UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  },
  'security-alert-hostile': {
    transaction: 'security-alert',
    alertType: 'use-of-restricted-function',
    outcome: 8,
    reporter: { userId: 'https://registry.example/xds/iti18' },
    peerTlsSubject: 'CN=intruder,O=evil',
    requestUri: 'https://registry.example/xds/iti18?x=<script>',
    description: HOSTILE,
  },
};

type Node = Record<string, unknown>;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, parseTagValue: false, htmlEntities: true });
const arrayOf = (v: unknown): Node[] => (v === undefined ? [] : Array.isArray(v) ? (v as Node[]) : [v as Node]);

function parse(xml: string): Node {
  return (parser.parse(xml) as { AuditMessage: Node }).AuditMessage;
}
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: unknown): string => Buffer.from(String(s), 'base64').toString('utf8');

let dir: string;
const xml: Record<string, string> = {};

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'xds-audit-msg-'));
  for (const [name, ev] of Object.entries(events)) xml[name] = buildAuditMessage(ev, ctx, NOW);
});

afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

test('every message kind validates against dicom2017c.xsd (xmllint)', async () => {
  assertSchemaToolsPresent();
  const files: string[] = [];
  for (const [name, text] of Object.entries(xml)) {
    const f = path.join(dir, `${name}.xml`);
    await fsp.writeFile(f, text, 'utf8');
    files.push(f);
  }
  const r = xmllintValidate(files);
  expect(r.output).not.toMatch(/fails to validate|error/i);
  expect(r.ok).toBe(true);
  expect(r.output.match(/ validates/g)).toHaveLength(files.length);
});

test('the schema check really rejects a broken message (negative control) and accepts the shared example', async () => {
  assertSchemaToolsPresent();
  const bad = path.join(dir, 'bad.xml');
  await fsp.writeFile(bad, xml['iti41-repository'].replace('codeSystemName="DCM" originalText="Import"', 'codeSystemName="DCM"'));
  expect(xmllintValidate([bad]).ok).toBe(false);
  const example = path.resolve(path.dirname(DICOM_AUDIT_XSD), 'selftest/audit-iti42-registry.xml');
  expect(xmllintValidate([example]).ok).toBe(true);
});

test('messages are single-line UTF-8 XML with a declaration and every coded value complete', () => {
  for (const text of Object.values(xml)) {
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?><AuditMessage>')).toBe(true);
    expect(text).not.toMatch(/[\r\n]/);
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
    for (const m of text.matchAll(/<(EventID|EventTypeCode|RoleIDCode|ParticipantObjectIDTypeCode)\b[^>]*>/g)) {
      expect(m[0]).toMatch(/csd-code="[^"]+"/);
      expect(m[0]).toMatch(/codeSystemName="[^"]+"/);
      expect(m[0]).toMatch(/originalText="[^"]+"/);
    }
  }
});

test('ITI-41 at the repository: Import/C, Source requestor, Destination is us, patient and submission set', () => {
  const m = parse(xml['iti41-repository']);
  const ei = m.EventIdentification as Node;
  expect(ei).toMatchObject({ EventActionCode: 'C', EventDateTime: '2024-05-17T10:11:12.345Z', EventOutcomeIndicator: '0' });
  expect(ei.EventID).toEqual({ 'csd-code': '110107', codeSystemName: 'DCM', originalText: 'Import' });
  expect(ei.EventTypeCode).toEqual({ 'csd-code': 'ITI-41', codeSystemName: 'IHE Transactions', originalText: 'Provide and Register Document Set-b' });
  const [src, dst] = arrayOf(m.ActiveParticipant);
  expect(src).toMatchObject({
    UserID: SOURCE.userId,
    AlternativeUserID: 'CN=xds-dev-client,O=xds-node development',
    UserIsRequestor: 'true',
    NetworkAccessPointID: 'source.example',
    NetworkAccessPointTypeCode: '1',
  });
  expect(src.RoleIDCode).toEqual({ 'csd-code': '110153', codeSystemName: 'DCM', originalText: 'Source Role ID' });
  expect(dst).toMatchObject({ UserID: REPO.userId, AlternativeUserID: '4711', UserIsRequestor: 'false', NetworkAccessPointTypeCode: '2' });
  expect(dst.RoleIDCode).toEqual({ 'csd-code': '110152', codeSystemName: 'DCM', originalText: 'Destination Role ID' });
  expect(m.AuditSourceIdentification).toEqual({ AuditSourceID: 'xds.example.no', AuditEnterpriseSiteID: '1.2.3.4.5' });
  const [patient, ss] = arrayOf(m.ParticipantObjectIdentification);
  expect(patient).toMatchObject({ ParticipantObjectID: PATIENT, ParticipantObjectTypeCode: '1', ParticipantObjectTypeCodeRole: '1' });
  expect(patient.ParticipantObjectIDTypeCode).toEqual({ 'csd-code': '2', codeSystemName: 'RFC-3881', originalText: 'Patient Number' });
  expect(patient.ParticipantObjectName).toBe('Ørjan Åsmund Brønnøysund');
  expect(ss).toMatchObject({ ParticipantObjectID: '1.2.3.4.200.1', ParticipantObjectTypeCode: '2', ParticipantObjectTypeCodeRole: '20' });
  expect(ss.ParticipantObjectIDTypeCode).toEqual({
    'csd-code': 'urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd',
    codeSystemName: 'IHE XDS Metadata',
    originalText: 'submission set classificationNode',
  });
  expect(xml['iti41-repository']).toContain('ParticipantObjectID="P-1001^^^&amp;1.2.3.4.100&amp;ISO"');
});

test('ITI-42: Export/R at the repository (we are Source), Import/C at the registry; failures keep their description', () => {
  const repo = parse(xml['iti42-repository']);
  expect(repo.EventIdentification).toMatchObject({ EventActionCode: 'R', EventID: { 'csd-code': '110106', codeSystemName: 'DCM', originalText: 'Export' } });
  const [src, dst] = arrayOf(repo.ActiveParticipant);
  expect(src).toMatchObject({ AlternativeUserID: '4711', UserIsRequestor: 'true' });
  expect(dst).toMatchObject({ UserID: REGISTRY.userId, UserIsRequestor: 'false' });
  expect(dst.AlternativeUserID).toBeUndefined();

  const reg = parse(xml['iti42-registry-failure']);
  const ei = reg.EventIdentification as Node;
  expect(ei).toMatchObject({ EventActionCode: 'C', EventOutcomeIndicator: '8' });
  expect(ei.EventID).toMatchObject({ 'csd-code': '110107' });
  expect(ei.EventTypeCode).toMatchObject({ 'csd-code': 'ITI-42', originalText: 'Register Document Set-b' });
  expect(ei.EventOutcomeDescription).toBe('XDSRegistryMetadataError: <bad> & "quoted"\nsecond line');
  // Duplicate patient ids are recorded once.
  expect(arrayOf(reg.ParticipantObjectIdentification).filter((p) => p.ParticipantObjectTypeCode === '1')).toHaveLength(1);
});

test('ITI-18: Query/E with the base64 AdhocQueryRequest, QueryEncoding UTF-8 and a human requestor', () => {
  const m = parse(xml['iti18-registry']);
  expect(m.EventIdentification).toMatchObject({ EventActionCode: 'E', EventID: { 'csd-code': '110112', originalText: 'Query' } });
  const parts = arrayOf(m.ActiveParticipant);
  expect(parts).toHaveLength(3);
  expect(parts[0]).toMatchObject({ UserIsRequestor: 'true', NetworkAccessPointID: '::1', NetworkAccessPointTypeCode: '2' });
  expect(parts[2]).toMatchObject({ UserID: '01017012345', UserName: 'Dr. Ærlig', UserIsRequestor: 'true' });
  const query = arrayOf(m.ParticipantObjectIdentification).find((p) => p.ParticipantObjectTypeCodeRole === '24') as Node;
  expect(query).toMatchObject({ ParticipantObjectID: 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d', ParticipantObjectTypeCode: '2' });
  expect(query.ParticipantObjectIDTypeCode).toEqual({ 'csd-code': 'ITI-18', codeSystemName: 'IHE Transactions', originalText: 'Registry Stored Query' });
  expect(unb64(query.ParticipantObjectQuery)).toBe(QUERY_XML);
  expect(arrayOf(query.ParticipantObjectDetail)).toEqual([
    { type: 'QueryEncoding', value: b64('UTF-8') },
    { type: 'urn:ihe:iti:xca:2010:homeCommunityId', value: b64('urn:oid:1.2.3') },
  ]);
});

test('ITI-43: Export/R, consumer is the requestor, one Document participant per returned document', () => {
  const m = parse(xml['iti43-repository']);
  expect(m.EventIdentification).toMatchObject({ EventActionCode: 'R', EventID: { 'csd-code': '110106' } });
  const [src, dst] = arrayOf(m.ActiveParticipant);
  expect(src).toMatchObject({ UserID: REPO.userId, UserIsRequestor: 'false', AlternativeUserID: '4711' });
  expect(dst).toMatchObject({ UserIsRequestor: 'true' });
  const docs = arrayOf(m.ParticipantObjectIdentification);
  expect(docs).toHaveLength(2);
  for (const d of docs) {
    expect(d).toMatchObject({ ParticipantObjectTypeCode: '2', ParticipantObjectTypeCodeRole: '3' });
    expect(d.ParticipantObjectIDTypeCode).toEqual({ 'csd-code': '9', codeSystemName: 'RFC-3881', originalText: 'Report Number' });
  }
  expect(docs[0].ParticipantObjectID).toBe('1.2.3.4.300.1');
  expect(arrayOf(docs[0].ParticipantObjectDetail)).toEqual([{ type: 'Repository Unique Id', value: b64('1.2.3.4.9') }]);
  expect(arrayOf(docs[1].ParticipantObjectDetail)).toEqual([
    { type: 'Repository Unique Id', value: b64('1.2.3.4.9') },
    { type: 'ihe:homeCommunityID', value: b64('urn:oid:1.2.3') },
  ]);
  const failed = parse(xml['iti43-empty-failure']);
  expect(failed.EventIdentification).toMatchObject({ EventOutcomeIndicator: '12' });
  expect(arrayOf(failed.ActiveParticipant)[1]).toMatchObject({ UserID: 'unknown' });
});

test('application start/stop: 110100 with 110120/110121', () => {
  const start = parse(xml['application-start']);
  expect(start.EventIdentification).toMatchObject({
    EventActionCode: 'E',
    EventID: { 'csd-code': '110100', codeSystemName: 'DCM', originalText: 'Application Activity' },
    EventTypeCode: { 'csd-code': '110120', codeSystemName: 'DCM', originalText: 'Application Start' },
  });
  const [app, launcher] = arrayOf(start.ActiveParticipant);
  expect(app).toMatchObject({ UserID: 'xds-registry', AlternativeUserID: '4711', UserIsRequestor: 'false' });
  expect(app.RoleIDCode).toMatchObject({ 'csd-code': '110150' });
  expect(launcher).toMatchObject({ UserID: 'systemd', UserIsRequestor: 'true', RoleIDCode: { 'csd-code': '110151' } });
  const stop = parse(xml['application-stop']);
  expect(stop.EventIdentification).toMatchObject({ EventTypeCode: { 'csd-code': '110121', originalText: 'Application Stop' } });
});

test('security alerts: 110113 with node authentication / restricted function; hostile text is contained', () => {
  const tlsAlert = parse(xml['security-alert-tls']);
  expect(tlsAlert.EventIdentification).toMatchObject({
    EventActionCode: 'E',
    EventOutcomeIndicator: '4',
    EventID: { 'csd-code': '110113', codeSystemName: 'DCM', originalText: 'Security Alert' },
    EventTypeCode: { 'csd-code': '110126', codeSystemName: 'DCM', originalText: 'Node Authentication' },
  });
  const [reporter, peer] = arrayOf(tlsAlert.ActiveParticipant);
  expect(reporter).toMatchObject({ UserIsRequestor: 'false', AlternativeUserID: '4711' });
  expect(peer).toMatchObject({ UserID: '192.0.2.7', UserIsRequestor: 'true', NetworkAccessPointTypeCode: '2' });
  const subject = tlsAlert.ParticipantObjectIdentification as Node;
  expect(subject).toMatchObject({ ParticipantObjectTypeCode: '2', ParticipantObjectTypeCodeRole: '13' });
  expect(unb64((subject.ParticipantObjectDetail as Node).value)).toBe('TLS handshake rejected: UNABLE_TO_VERIFY_LEAF_SIGNATURE');

  const hostile = parse(xml['security-alert-hostile']);
  expect(hostile.EventIdentification).toMatchObject({ EventTypeCode: { 'csd-code': '110132', originalText: 'Use of Restricted Function' } });
  expect(arrayOf(hostile.ActiveParticipant)[1]).toMatchObject({ UserID: 'CN=intruder,O=evil', UserIsRequestor: 'true' });
  const obj = hostile.ParticipantObjectIdentification as Node;
  expect(obj.ParticipantObjectID).toBe('https://registry.example/xds/iti18?x=<script>');
  // Details are base64: hostile bytes are kept exactly, without becoming markup.
  expect(unb64((obj.ParticipantObjectDetail as Node).value)).toBe(HOSTILE);
  expect(xml['security-alert-hostile']).not.toContain('<!DOCTYPE');
});

test('xmlEscape produces well-formed text for markup, line breaks and characters XML forbids', () => {
  expect(xmlEscape(`a&b<c>d"e'f`)).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;f');
  expect(xmlEscape('x\ty\r\nz')).toBe('x&#9;y&#13;&#10;z');
  expect(xmlEscape('\u0000\u0008\u000B\uFFFE\uD800x\uDC00')).toBe('\uFFFD\uFFFD\uFFFD\uFFFD\uFFFDx\uFFFD');
  expect(xmlEscape('ø å 😀')).toBe('ø å 😀');
});

test('rejects an invalid outcome and defaults the time to now', () => {
  const bad = { ...events['iti43-repository'], outcome: 3 } as unknown as AuditEvent;
  expect(() => buildAuditMessage(bad, ctx)).toThrow(/EventOutcomeIndicator/);
  const before = Date.now();
  const m = parse(buildAuditMessage(events['application-stop'], ctx));
  const t = Date.parse(String((m.EventIdentification as Node).EventDateTime));
  expect(t).toBeGreaterThanOrEqual(before - 1);
  expect(String((m.EventIdentification as Node).EventDateTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});
