/**
 * The value-format checks the rules use, in one place so the rules do not care where they come from.
 * Digest section 3.8 gives each format.
 */

const DTM_RE = /^[0-9]{4}((0[1-9]|1[012])((0[1-9]|[12][0-9]|3[01])(([01][0-9]|2[0-3])([0-5][0-9]([0-5][0-9])?)?)?)?)?$/;
const OID_RE = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$/;
const UUID_URN_RE = /^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const SHA1_RE = /^[0-9a-fA-F]{40}$/;
const SIZE_RE = /^(0|[1-9][0-9]*)$/;
const LANGUAGE_RE = /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/;
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MIME_RE = new RegExp(`^${TOKEN}/${TOKEN}(\\s*;.*)?$`);

/** HL7 DTM as XDS uses it: YYYY[MM[DD[hh[mm[ss]]]]], UTC, no offset, no fraction. */
export function isDtm(value: string): boolean {
  return DTM_RE.test(value);
}

/** An ISO OID, at most 64 characters. */
export function isOid(value: string): boolean {
  return value.length <= 64 && OID_RE.test(value);
}

/** `urn:uuid:` followed by an RFC 4122 UUID (any case). */
export function isUuidUrn(value: string): boolean {
  return UUID_URN_RE.test(value);
}

export function isSha1Hex(value: string): boolean {
  return SHA1_RE.test(value);
}

/** A decimal byte count, no sign, no leading zeros. */
export function isSize(value: string): boolean {
  return SIZE_RE.test(value);
}

/** BCP 47 / RFC 3066 shape. */
export function isLanguageCode(value: string): boolean {
  return LANGUAGE_RE.test(value);
}

/** type/subtype per RFC 2045 (parameters tolerated). */
export function isMimeType(value: string): boolean {
  return MIME_RE.test(value);
}

/** `&OID&ISO`: an HD with empty namespace id, an OID universal id and type ISO. */
function isIsoAssigningAuthority(hd: string): boolean {
  const parts = hd.split('&');
  return parts.length === 3 && parts[0] === '' && isOid(parts[1] ?? '') && parts[2] === 'ISO';
}

/** CX as XDS patient ids use it: `id^^^&OID&ISO`, only components 1 and 4. */
export function isValidCx(value: string): boolean {
  const c = value.split('^');
  if (c.length !== 4) return false;
  return (c[0] ?? '') !== '' && c[1] === '' && c[2] === '' && isIsoAssigningAuthority(c[3] ?? '');
}

/** The CX.1 id and CX.4 universal id (OID) of a CX, when it has that shape. */
export function parseCx(value: string): { id: string; assigningAuthorityOid: string } | undefined {
  if (!isValidCx(value)) return undefined;
  const c = value.split('^');
  return { id: c[0] ?? '', assigningAuthorityOid: (c[3] ?? '').split('&')[1] ?? '' };
}

/** XCN: an id (XCN.1) or a name; if XCN.1 is empty the assigning authority (XCN.9) must be empty too. */
export function isValidXcn(value: string): boolean {
  const c = value.split('^');
  const id = c[0] ?? '';
  const hasName = [1, 2, 3, 4, 5].some((i) => (c[i] ?? '') !== '');
  if (id === '' && !hasName) return false;
  if (id === '' && (c[8] ?? '') !== '') return false;
  return true;
}

/** XON: name (XON.1) required; only components 1, 6 and 10 may be used. */
export function isValidXon(value: string): boolean {
  const c = value.split('^');
  if (c.length > 10 || (c[0] ?? '') === '') return false;
  return [1, 2, 3, 4, 6, 7, 8].every((i) => (c[i] ?? '') === '');
}

/** XTN: email form (`^^Internet^addr` or `^NET^Internet^addr`) or phone form (PH/CP). */
export function isValidXtn(value: string): boolean {
  const c = value.split('^');
  const use = c[1] ?? '';
  const equipment = c[2] ?? '';
  if (equipment === 'Internet' || equipment === 'X.400') {
    const phoneParts = [4, 5, 6, 7, 11].some((i) => (c[i] ?? '') !== '');
    return (use === '' || use === 'NET') && (c[3] ?? '') !== '' && !phoneParts;
  }
  if (equipment === 'PH' || equipment === 'CP' || equipment === 'FX' || equipment === 'BP') {
    if (use === 'NET') return false;
    const local = (c[6] ?? '') !== '';
    const unformatted = (c[11] ?? '') !== '';
    return local !== unformatted;
  }
  return false;
}

const CXI_TYPES = new Set([
  'urn:ihe:iti:xds:2013:uniqueId',
  'urn:ihe:iti:xds:2013:accession',
  'urn:ihe:iti:xds:2013:referral',
  'urn:ihe:iti:xds:2013:order',
  'urn:ihe:iti:xdw:2013:workflowInstanceId',
  'urn:ihe:iti:xds:2015:encounterId',
  'urn:ihe:iti:xds:2016:studyInstanceUID',
]);

/** CXi (referenceIdList): `id^^^assigningAuthority^idType`, CX.1 and a known CX.5 required. */
export function isCxi(value: string): boolean {
  const c = value.split('^');
  return (c[0] ?? '') !== '' && CXI_TYPES.has(c[4] ?? '');
}
