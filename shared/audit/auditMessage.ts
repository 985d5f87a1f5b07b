/**
 * DICOM PS3.15 A.5 AuditMessage XML for ATNA ITI-20 (digest sections 8.2 and 8.3), valid against
 * shared/schemas/dicom2017c.xsd. Callers describe what happened as plain data (AuditEvent);
 * buildAuditMessage() picks the codes.
 *
 * The XML is one line (no raw line breaks anywhere: they are escaped as character references), so
 * it can be stored one message per line and framed by syslog without further escaping.
 */
import { isIP } from 'node:net';

/** EventOutcomeIndicator: 0 success, 4 minor failure, 8 serious failure (e.g. a Failure response), 12 major failure. */
export type AuditOutcome = 0 | 4 | 8 | 12;

export const AuditOutcomes = {
  success: 0,
  minorFailure: 4,
  seriousFailure: 8,
  majorFailure: 12,
} as const satisfies Record<string, AuditOutcome>;

/** One side of a transaction (an ActiveParticipant). */
export interface AuditParticipant {
  /**
   * UserID. The responder: its SOAP endpoint URI. The requester: its wsa:ReplyTo address (or, when
   * it sent none, its process id or address).
   */
  userId: string;
  /** AlternativeUserID. Defaults to our process id for our own side and to peerTlsSubject for the peer. */
  alternativeUserId?: string;
  /** UserName (human readable). */
  userName?: string;
  /** Host name or IP address: NetworkAccessPointID, with NetworkAccessPointTypeCode 2 for an IP, 1 otherwise. */
  address?: string;
}

/** A person on whose behalf the request was made (e.g. from an XUA assertion): an extra requesting ActiveParticipant. */
export interface AuditHumanRequestor {
  userId: string;
  userName?: string;
}

export interface AuditDocument {
  /** DocumentEntry.uniqueId. */
  uniqueId: string;
  repositoryUniqueId: string;
  homeCommunityId?: string;
}

export interface AuditQuery {
  /** The stored query id (urn:uuid:...). */
  id: string;
  /** The whole AdhocQueryRequest as received (stored base64-encoded in ParticipantObjectQuery). */
  requestXml: string;
  /** For XCA (ITI-38): the homeCommunityId the query was addressed to. */
  homeCommunityId?: string;
}

interface AuditEventBase {
  outcome: AuditOutcome;
  /** EventOutcomeDescription, e.g. the RegistryError codes of a Failure response. */
  outcomeDescription?: string;
  /** When it happened; default now. */
  time?: Date;
  /** Overrides the auditor's AuditSourceID. */
  auditSourceId?: string;
}

interface TransactionEventBase extends AuditEventBase {
  /** ActiveParticipant with RoleIDCode 110153 (Source). */
  source: AuditParticipant;
  /** ActiveParticipant with RoleIDCode 110152 (Destination). */
  destination: AuditParticipant;
  /** Subject DN of the authenticated TLS peer (peerSubject()); the peer's AlternativeUserID unless it has one. */
  peerTlsSubject?: string;
  humanRequestor?: AuditHumanRequestor;
  /** Patient ids in CX form, e.g. 'P-1001^^^&1.2.3.4&ISO'. */
  patientIds?: string[];
  /** Optional patient names by patient id (ParticipantObjectName). */
  patientNames?: Readonly<Record<string, string>>;
}

/** ITI-41 received by the repository (Import 110107, C). Source = Document Source, Destination = us. */
export interface Iti41AuditEvent extends TransactionEventBase {
  transaction: 'ITI-41';
  submissionSetUniqueId?: string;
}

/**
 * ITI-42: sent by the repository (actor 'repository': Export 110106, R) or received by the registry
 * (actor 'registry': Import 110107, C). Source = repository, Destination = registry.
 */
export interface Iti42AuditEvent extends TransactionEventBase {
  transaction: 'ITI-42';
  actor: 'repository' | 'registry';
  submissionSetUniqueId?: string;
}

/** ITI-18 answered by the registry (Query 110112, E). Source = Document Consumer, Destination = us. */
export interface Iti18AuditEvent extends TransactionEventBase {
  transaction: 'ITI-18';
  query: AuditQuery;
}

/**
 * ITI-43 answered by the repository (Export 110106, R). Source = us (the repository),
 * Destination = Document Consumer, which is the requestor.
 */
export interface Iti43AuditEvent extends TransactionEventBase {
  transaction: 'ITI-43';
  /** The documents returned. */
  documents: AuditDocument[];
}

/** Application start or stop (Application Activity 110100, EventTypeCode 110120 / 110121). */
export interface ApplicationActivityAuditEvent extends AuditEventBase {
  transaction: 'application-start' | 'application-stop';
  /** The application (RoleIDCode 110150): userId = service name or endpoint. */
  application: AuditParticipant;
  /** Who or what started / stopped it (RoleIDCode 110151), if known. */
  launcher?: AuditHumanRequestor;
}

/**
 * Security alert (110113). alertType 'node-authentication' (110126) for a rejected TLS peer,
 * 'use-of-restricted-function' (110132) for a hostile or forbidden request.
 */
export interface SecurityAlertAuditEvent extends AuditEventBase {
  transaction: 'security-alert';
  alertType: 'node-authentication' | 'use-of-restricted-function';
  /** Us: the node reporting the alert. */
  reporter: AuditParticipant;
  /** The offending peer, if known (address = its IP). */
  peer?: AuditParticipant;
  peerTlsSubject?: string;
  /** What happened (stored base64-encoded as the 'Alert Description' detail; may contain hostile text). */
  description: string;
  /** The URI that was attacked or refused; default the reporter's userId. */
  requestUri?: string;
}

export type AuditTransactionEvent = Iti41AuditEvent | Iti42AuditEvent | Iti18AuditEvent | Iti43AuditEvent;
export type AuditEvent = AuditTransactionEvent | ApplicationActivityAuditEvent | SecurityAlertAuditEvent;

/** Values the auditor fills in; AuditSourceID is required by the schema. */
export interface AuditContext {
  /** AuditSourceIdentification/@AuditSourceID, e.g. the host name or the registry's name. */
  auditSourceId: string;
  /** AuditSourceIdentification/@AuditEnterpriseSiteID. */
  enterpriseSiteId?: string;
  /** AlternativeUserID of our own ActiveParticipant when the caller gave none; default process.pid. */
  processId?: string;
}

// ---------------------------------------------------------------------------------------------
// Codes (digest 8.3)

interface Coded {
  code: string;
  system: string;
  text: string;
}

const DCM = 'DCM';
const IHE_TX = 'IHE Transactions';

const EVENT_IMPORT: Coded = { code: '110107', system: DCM, text: 'Import' };
const EVENT_EXPORT: Coded = { code: '110106', system: DCM, text: 'Export' };
const EVENT_QUERY: Coded = { code: '110112', system: DCM, text: 'Query' };
const EVENT_APP_ACTIVITY: Coded = { code: '110100', system: DCM, text: 'Application Activity' };
const EVENT_SECURITY_ALERT: Coded = { code: '110113', system: DCM, text: 'Security Alert' };

const TYPE_APP_START: Coded = { code: '110120', system: DCM, text: 'Application Start' };
const TYPE_APP_STOP: Coded = { code: '110121', system: DCM, text: 'Application Stop' };
const TYPE_NODE_AUTH: Coded = { code: '110126', system: DCM, text: 'Node Authentication' };
const TYPE_RESTRICTED: Coded = { code: '110132', system: DCM, text: 'Use of Restricted Function' };

const TX_NAMES: Record<AuditTransactionEvent['transaction'], string> = {
  'ITI-41': 'Provide and Register Document Set-b',
  'ITI-42': 'Register Document Set-b',
  'ITI-18': 'Registry Stored Query',
  'ITI-43': 'Retrieve Document Set',
};

const ROLE_SOURCE: Coded = { code: '110153', system: DCM, text: 'Source Role ID' };
const ROLE_DESTINATION: Coded = { code: '110152', system: DCM, text: 'Destination Role ID' };
const ROLE_APPLICATION: Coded = { code: '110150', system: DCM, text: 'Application' };
const ROLE_LAUNCHER: Coded = { code: '110151', system: DCM, text: 'Application Launcher' };

const ID_PATIENT: Coded = { code: '2', system: 'RFC-3881', text: 'Patient Number' };
const ID_REPORT: Coded = { code: '9', system: 'RFC-3881', text: 'Report Number' };
const ID_URI: Coded = { code: '12', system: 'RFC-3881', text: 'URI' };
const ID_SUBMISSION_SET: Coded = {
  code: 'urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd',
  system: 'IHE XDS Metadata',
  text: 'submission set classificationNode',
};

const OUTCOMES: ReadonlySet<number> = new Set([0, 4, 8, 12]);

// ---------------------------------------------------------------------------------------------
// XML writing

/**
 * Escapes text for an XML 1.0 attribute value or element content. Tab, CR and LF become character
 * references (so the message stays on one line and attribute values keep them); characters XML 1.0
 * forbids (other C0 controls, lone surrogates, U+FFFE/U+FFFF) become U+FFFD.
 */
export function xmlEscape(value: string): string {
  return value.replace(
    /[&<>"'\t\n\r]|[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    (c) => {
      switch (c) {
        case '&': return '&amp;';
        case '<': return '&lt;';
        case '>': return '&gt;';
        case '"': return '&quot;';
        case "'": return '&apos;';
        case '\t': return '&#9;';
        case '\n': return '&#10;';
        case '\r': return '&#13;';
        default: return '\uFFFD';
      }
    },
  );
}

type AttrValue = string | number | boolean | undefined;

function attrs(list: Array<[string, AttrValue]>): string {
  let out = '';
  for (const [name, value] of list) if (value !== undefined) out += ` ${name}="${xmlEscape(String(value))}"`;
  return out;
}

function coded(element: string, c: Coded): string {
  return `<${element}${attrs([['csd-code', c.code], ['codeSystemName', c.system], ['originalText', c.text]])}/>`;
}

function base64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

function detail(type: string, value: string): string {
  return `<ParticipantObjectDetail${attrs([['type', type], ['value', base64(value)]])}/>`;
}

function eventIdentification(
  action: 'C' | 'R' | 'U' | 'D' | 'E',
  ev: AuditEventBase,
  eventId: Coded,
  typeCode: Coded,
  now: Date,
): string {
  if (!OUTCOMES.has(ev.outcome)) throw new TypeError(`invalid EventOutcomeIndicator ${String(ev.outcome)} (use 0, 4, 8 or 12)`);
  const time = ev.time ?? now;
  if (Number.isNaN(time.getTime())) throw new TypeError('invalid audit event time');
  const description =
    ev.outcomeDescription !== undefined ? `<EventOutcomeDescription>${xmlEscape(ev.outcomeDescription)}</EventOutcomeDescription>` : '';
  return (
    `<EventIdentification${attrs([
      ['EventActionCode', action],
      ['EventDateTime', time.toISOString()],
      ['EventOutcomeIndicator', ev.outcome],
    ])}>` +
    coded('EventID', eventId) +
    coded('EventTypeCode', typeCode) +
    description +
    `</EventIdentification>`
  );
}

function nonEmpty(...candidates: Array<string | undefined>): string {
  for (const c of candidates) if (c !== undefined && c.trim() !== '') return c;
  return 'unknown';
}

function activeParticipant(p: AuditParticipant, isRequestor: boolean, role: Coded | undefined, alternativeUserId?: string): string {
  const address = p.address !== undefined && p.address.trim() !== '' ? stripBrackets(p.address.trim()) : undefined;
  return (
    `<ActiveParticipant${attrs([
      ['UserID', nonEmpty(p.userId, p.address)],
      ['AlternativeUserID', p.alternativeUserId ?? alternativeUserId],
      ['UserName', p.userName],
      ['UserIsRequestor', isRequestor],
      ['NetworkAccessPointID', address],
      ['NetworkAccessPointTypeCode', address === undefined ? undefined : isIP(address) ? 2 : 1],
    ])}>` +
    (role ? coded('RoleIDCode', role) : '') +
    `</ActiveParticipant>`
  );
}

function stripBrackets(address: string): string {
  return address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
}

function humanRequestor(h: AuditHumanRequestor | undefined, role?: Coded): string {
  if (!h) return '';
  return `<ActiveParticipant${attrs([['UserID', nonEmpty(h.userId)], ['UserName', h.userName], ['UserIsRequestor', true]])}>${
    role ? coded('RoleIDCode', role) : ''
  }</ActiveParticipant>`;
}

function auditSource(ev: AuditEventBase, ctx: AuditContext): string {
  return `<AuditSourceIdentification${attrs([
    ['AuditEnterpriseSiteID', ctx.enterpriseSiteId],
    ['AuditSourceID', nonEmpty(ev.auditSourceId, ctx.auditSourceId)],
  ])}/>`;
}

interface ObjectSpec {
  id: string;
  typeCode: 1 | 2;
  role: number;
  idType: Coded;
  name?: string;
  query?: string;
  details?: Array<[string, string]>;
}

function participantObject(o: ObjectSpec): string {
  let inner = coded('ParticipantObjectIDTypeCode', o.idType);
  if (o.name !== undefined) inner += `<ParticipantObjectName>${xmlEscape(o.name)}</ParticipantObjectName>`;
  else if (o.query !== undefined) inner += `<ParticipantObjectQuery>${base64(o.query)}</ParticipantObjectQuery>`;
  for (const [type, value] of o.details ?? []) inner += detail(type, value);
  return (
    `<ParticipantObjectIdentification${attrs([
      ['ParticipantObjectID', o.id],
      ['ParticipantObjectTypeCode', o.typeCode],
      ['ParticipantObjectTypeCodeRole', o.role],
    ])}>` +
    inner +
    `</ParticipantObjectIdentification>`
  );
}

function patients(ev: TransactionEventBase): string {
  const seen = new Set<string>();
  let out = '';
  for (const id of ev.patientIds ?? []) {
    if (id === '' || seen.has(id)) continue;
    seen.add(id);
    const name = ev.patientNames?.[id];
    out += participantObject({ id, typeCode: 1, role: 1, idType: ID_PATIENT, ...(name !== undefined ? { name } : {}) });
  }
  return out;
}

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>';

function message(parts: string[]): string {
  return `${XML_DECL}<AuditMessage>${parts.join('')}</AuditMessage>`;
}

// ---------------------------------------------------------------------------------------------
// Builders

interface TxShape {
  eventId: Coded;
  action: 'C' | 'R' | 'E';
  /** Which participant is this process. */
  local: 'source' | 'destination';
  /** Which participant initiated the transaction. */
  requestor: 'source' | 'destination';
}

function txShape(ev: AuditTransactionEvent): TxShape {
  switch (ev.transaction) {
    case 'ITI-41':
      return { eventId: EVENT_IMPORT, action: 'C', local: 'destination', requestor: 'source' };
    case 'ITI-42':
      if (ev.actor === 'repository') return { eventId: EVENT_EXPORT, action: 'R', local: 'source', requestor: 'source' };
      if (ev.actor === 'registry') return { eventId: EVENT_IMPORT, action: 'C', local: 'destination', requestor: 'source' };
      throw new TypeError(`ITI-42 audit: actor must be 'repository' or 'registry'`);
    case 'ITI-18':
      return { eventId: EVENT_QUERY, action: 'E', local: 'destination', requestor: 'source' };
    case 'ITI-43':
      return { eventId: EVENT_EXPORT, action: 'R', local: 'source', requestor: 'destination' };
  }
}

function transactionMessage(ev: AuditTransactionEvent, ctx: AuditContext, now: Date): string {
  const shape = txShape(ev);
  const pid = ctx.processId ?? String(process.pid);
  const alt = (side: 'source' | 'destination'): string | undefined => (side === shape.local ? pid : ev.peerTlsSubject);
  const parts = [
    eventIdentification(shape.action, ev, shape.eventId, { code: ev.transaction, system: IHE_TX, text: TX_NAMES[ev.transaction] }, now),
    activeParticipant(ev.source, shape.requestor === 'source', ROLE_SOURCE, alt('source')),
    activeParticipant(ev.destination, shape.requestor === 'destination', ROLE_DESTINATION, alt('destination')),
    humanRequestor(ev.humanRequestor),
    auditSource(ev, ctx),
    patients(ev),
  ];
  switch (ev.transaction) {
    case 'ITI-41':
    case 'ITI-42':
      if (ev.submissionSetUniqueId !== undefined && ev.submissionSetUniqueId !== '') {
        parts.push(participantObject({ id: ev.submissionSetUniqueId, typeCode: 2, role: 20, idType: ID_SUBMISSION_SET }));
      }
      break;
    case 'ITI-18': {
      const details: Array<[string, string]> = [['QueryEncoding', 'UTF-8']];
      if (ev.query.homeCommunityId) details.push(['urn:ihe:iti:xca:2010:homeCommunityId', ev.query.homeCommunityId]);
      parts.push(
        participantObject({
          id: ev.query.id,
          typeCode: 2,
          role: 24,
          idType: { code: 'ITI-18', system: IHE_TX, text: TX_NAMES['ITI-18'] },
          query: ev.query.requestXml,
          details,
        }),
      );
      break;
    }
    case 'ITI-43':
      for (const d of ev.documents) {
        const details: Array<[string, string]> = [['Repository Unique Id', d.repositoryUniqueId]];
        if (d.homeCommunityId) details.push(['ihe:homeCommunityID', d.homeCommunityId]);
        parts.push(participantObject({ id: d.uniqueId, typeCode: 2, role: 3, idType: ID_REPORT, details }));
      }
      break;
  }
  return message(parts);
}

function applicationMessage(ev: ApplicationActivityAuditEvent, ctx: AuditContext, now: Date): string {
  const type = ev.transaction === 'application-start' ? TYPE_APP_START : TYPE_APP_STOP;
  return message([
    eventIdentification('E', ev, EVENT_APP_ACTIVITY, type, now),
    activeParticipant(ev.application, false, ROLE_APPLICATION, ctx.processId ?? String(process.pid)),
    humanRequestor(ev.launcher, ROLE_LAUNCHER),
    auditSource(ev, ctx),
  ]);
}

function securityAlertMessage(ev: SecurityAlertAuditEvent, ctx: AuditContext, now: Date): string {
  const type = ev.alertType === 'node-authentication' ? TYPE_NODE_AUTH : TYPE_RESTRICTED;
  const parts = [
    eventIdentification('E', ev, EVENT_SECURITY_ALERT, type, now),
    activeParticipant(ev.reporter, false, undefined, ctx.processId ?? String(process.pid)),
  ];
  if (ev.peer || ev.peerTlsSubject) {
    const peer: AuditParticipant = ev.peer ?? { userId: ev.peerTlsSubject ?? 'unknown' };
    parts.push(activeParticipant(peer, true, undefined, ev.peerTlsSubject));
  }
  parts.push(
    auditSource(ev, ctx),
    participantObject({
      id: nonEmpty(ev.requestUri, ev.reporter.userId),
      typeCode: 2,
      role: 13, // Security Resource
      idType: ID_URI,
      details: [['Alert Description', ev.description]],
    }),
  );
  return message(parts);
}

/** Builds the single-line AuditMessage XML (with XML declaration, no BOM) for one event. */
export function buildAuditMessage(ev: AuditEvent, ctx: AuditContext, now: Date = new Date()): string {
  switch (ev.transaction) {
    case 'ITI-41':
    case 'ITI-42':
    case 'ITI-18':
    case 'ITI-43':
      return transactionMessage(ev, ctx, now);
    case 'application-start':
    case 'application-stop':
      return applicationMessage(ev, ctx, now);
    case 'security-alert':
      return securityAlertMessage(ev, ctx, now);
    default: {
      const unknown: { transaction?: unknown } = ev;
      throw new TypeError(`unknown audit event kind ${String(unknown.transaction)}`);
    }
  }
}
