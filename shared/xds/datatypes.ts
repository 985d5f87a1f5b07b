/**
 * Validators and small parsers for the HL7 v2-style and other data types XDS metadata uses
 * (digest section 3.8). Pure functions on the wire string; nothing is converted or trimmed.
 */

// ---- DTM ----

const DTM_RE = /^\d{4}(?:\d{2}){0,5}$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** `YYYY[MM[DD[hh[mm[ss]]]]]` (lengths 4, 6, 8, 10, 12, 14), UTC, no offset, no fraction, valid ranges. */
export function isDtm(v: string): boolean {
  if (!DTM_RE.test(v)) return false;
  const part = (from: number): number => Number(v.slice(from, from + 2));
  const year = Number(v.slice(0, 4));
  if (v.length >= 6 && (part(4) < 1 || part(4) > 12)) return false;
  if (v.length >= 8 && (part(6) < 1 || part(6) > daysInMonth(year, part(4)))) return false;
  if (v.length >= 10 && part(8) > 23) return false;
  if (v.length >= 12 && part(10) > 59) return false;
  if (v.length >= 14 && part(12) > 59) return false;
  return true;
}

/** Right-pad a DTM with '0' to 14 digits, so values of different precision compare as strings. */
export function padDtm(value: string): string {
  return value.padEnd(14, '0');
}

// ---- Identifiers ----

const OID_RE = /^[1-9][0-9]*(\.(0|[1-9][0-9]*))+$/;

/** Dotted-decimal OID, at most 64 characters. */
export function isOid(v: string): boolean {
  return v.length <= 64 && OID_RE.test(v);
}

const LOOSE_OID_RE = /^[0-9]+(\.[0-9]+)+$/;

/**
 * An OID-shaped identifier as real senders produce them: dotted decimal arcs, at most 64 characters, leading zeros
 * allowed inside an arc (e.g. `...182.097130838508642` in a NIST Axis2 capture). Used for uniqueIds and sourceIds,
 * which are compared as opaque strings; strict `isOid` stays in force inside CX/XON assigning authorities.
 */
export function isOidLenient(v: string): boolean {
  return v.length <= 64 && LOOSE_OID_RE.test(v);
}

const UUID_URN_RE = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `urn:uuid:` + an RFC 4122 UUID in 8-4-4-4-12 hex form (any case). */
export function isUuidUrn(v: string): boolean {
  return UUID_URN_RE.test(v);
}

/** SHA-1 as 40 hex characters (any case). */
export function isSha1Hex(v: string): boolean {
  return /^[0-9a-fA-F]{40}$/.test(v);
}

/** Document size: a non-negative decimal integer. */
export function isSize(v: string): boolean {
  return /^[0-9]+$/.test(v) && Number.isSafeInteger(Number(v));
}

/** BCP 47 / RFC 3066 shape: `[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*`. */
export function isLanguageCode(v: string): boolean {
  return /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/.test(v);
}

// RFC 2045 token: printable ASCII except space and tspecials ()<>@,;:\"/[]?=
const TOKEN = "[!#$%&'*+\\-.0-9A-Z^_`a-z{|}~]+";
const MIME_RE = new RegExp(`^${TOKEN}/${TOKEN}(\\s*;\\s*${TOKEN}=(?:${TOKEN}|"(?:[^"\\\\]|\\\\.)*"))*$`);

/** `type/subtype` with optional `; name=value` parameters (RFC 2045). */
export function isMimeType(v: string): boolean {
  return MIME_RE.test(v);
}

// ---- HL7 v2 composite types ----

/** Components of an HL7 v2 field (`^`-separated); component n is at index n-1. */
function components(v: string): string[] {
  return v.split('^');
}

function emptyFrom(parts: string[], positions: number[]): boolean {
  return positions.every((n) => (parts[n - 1] ?? '') === '');
}

/** An HD in its ISO form `&OID&ISO`: empty namespace, an OID, universal id type ISO. */
function isIsoHd(hd: string, namespaceAllowed = false): boolean {
  const sub = hd.split('&');
  return sub.length === 3 && (namespaceAllowed || sub[0] === '') && isOid(sub[1]) && sub[2] === 'ISO';
}

export interface Cx {
  /** CX.1 */
  id: string;
  /** CX.4 split into its subcomponents. */
  assigningAuthority: { namespaceId: string; universalId: string; universalIdType: string };
  /** CX.5 (identifier type code), used by referenceIdList. */
  idTypeCode: string;
  /** All components as sent. */
  components: string[];
}

export function parseCx(v: string): Cx {
  const parts = components(v);
  const [namespaceId = '', universalId = '', universalIdType = ''] = (parts[3] ?? '').split('&');
  return { id: parts[0], assigningAuthority: { namespaceId, universalId, universalIdType }, idTypeCode: parts[4] ?? '', components: parts };
}

/** Patient id CX: `id^^^&OID&ISO`; only components 1 and 4, CX.1 non-empty, CX.4 an ISO HD with empty namespace. */
export function isValidCx(v: string): boolean {
  const parts = components(v);
  if (parts[0] === '' || parts[0].includes('&')) return false;
  if (!emptyFrom(parts, [2, 3]) || parts.slice(4).some((p) => p !== '')) return false;
  return isIsoHd(parts[3] ?? '');
}

/** referenceIdList CXi: CX.1 and CX.5 required; CX.2, 3, 6-10 empty; CX.4, when given, has a namespace or an OID+type. */
export function isCxi(v: string): boolean {
  const parts = components(v);
  if ((parts[0] ?? '') === '' || (parts[4] ?? '') === '') return false;
  if (!emptyFrom(parts, [2, 3, 6, 7, 8, 9, 10]) || parts.length > 10) return false;
  const hd = parts[3] ?? '';
  if (hd === '') return true;
  const [ns = '', uid = '', type = ''] = hd.split('&');
  return ns !== '' || (uid !== '' && type !== '');
}

/** XCN (authorPerson, legalAuthenticator): an id (XCN.1) or a family name (XCN.2); without an id no assigning authority (XCN.9); XCN.9, when given, an ISO HD. */
export function isValidXcn(v: string): boolean {
  const parts = components(v);
  const id = parts[0] ?? '';
  const family = (parts[1] ?? '').split('&')[0];
  if (id === '' && family === '') return false;
  const hd = parts[8] ?? '';
  if (hd === '') return true;
  // XCN.9 may carry a namespace id (e.g. `IHENA&1.3.6.1.4.1.21367.2010.1.2.300&ISO` from OpenXDS); only CX.4
  // (the patient id's authority) must have an empty namespace.
  return id !== '' && isIsoHd(hd, true);
}

/**
 * XON (authorInstitution, intendedRecipient organisation): name in XON.1; only XON.1, 6 and 10 used
 * (at most 10 components); XON.6, when given, is an ISO HD; an XON.10 that is not an OID needs XON.6.
 */
export function isValidXon(v: string): boolean {
  const parts = components(v);
  if ((parts[0] ?? '') === '' || parts.length > 10) return false;
  if (!emptyFrom(parts, [2, 3, 4, 5, 7, 8, 9])) return false;
  const hd = parts[5] ?? '';
  const orgId = parts[9] ?? '';
  if (hd !== '' && !isIsoHd(hd)) return false;
  return orgId === '' || isOid(orgId) || hd !== '';
}

/**
 * XTN (authorTelecommunication, intendedRecipient): XTN.3 decides.
 * `Internet`: XTN.2 empty or NET, XTN.4 (email) required, no phone parts (XTN.5-8, 12).
 * `PH` / `CP`: XTN.2 not NET, no email, local number (XTN.7) or unformatted number (XTN.12), not both.
 */
export function isValidXtn(v: string): boolean {
  const parts = components(v);
  const [, use = '', type = '', email = ''] = parts;
  if (type === 'Internet') {
    return (use === '' || use === 'NET') && email !== '' && emptyFrom(parts, [5, 6, 7, 8, 12]);
  }
  if (type === 'PH' || type === 'CP') {
    const local = (parts[6] ?? '') !== '';
    const unformatted = (parts[11] ?? '') !== '';
    return use !== 'NET' && email === '' && local !== unformatted;
  }
  return false;
}
