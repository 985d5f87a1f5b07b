/**
 * The ITI-18 parameter value syntax (digest 6.1), as pure functions.
 *
 * One rim:Value holds either a quoted string ('a''b' = a'b), a bare number (times: 20240101), or a list
 * ('a','b') of quoted strings (bare integers are tolerated inside lists). Several rim:Value elements of one
 * slot are simply concatenated into one OR-list by the caller.
 *
 * Tokens are then converted per parameter kind (code^^scheme, status URN, objectType UUID, DTM time ...).
 * Every syntax problem is an XdsError XDSRegistryError whose codeContext names the parameter and the value
 * (this is what the NIST reference registry answers).
 */
import { registryError, XdsError } from '../../shared/errors';
import type { CodeMatch } from '../store/RegistryStore';

/** One value as written on the wire, after the quotes are removed. */
export interface ValueToken {
  /** 'quoted' = was in single quotes; 'bare' = an unquoted number. */
  form: 'quoted' | 'bare';
  text: string;
}

/** What a parameter's values mean; decides how each token is checked and converted. */
export type ParameterKind =
  | 'string'
  | 'uuid'
  | 'time'
  | 'code'
  | 'status'
  | 'objectType'
  | 'associationType'
  | 'authorPerson'
  | 'referenceId'
  | 'metadataLevel';

export function syntaxError(parameter: string, rawValue: string, problem: string): XdsError {
  return new XdsError(registryError('XDSRegistryError', `Stored query parameter ${parameter}: value ${rawValue} ${problem}`, parameter));
}

const BARE_NUMBER_RE = /^\d+$/;

/** Read a quoted string starting at `start` (which must be a quote). Returns the text and the index after the closing quote. */
function readQuoted(s: string, start: number, parameter: string, raw: string): { text: string; next: number } {
  let text = '';
  let i = start + 1;
  for (;;) {
    if (i >= s.length) throw syntaxError(parameter, raw, 'has an unterminated quoted string');
    const c = s[i];
    if (c === "'") {
      if (s[i + 1] === "'") {
        text += "'";
        i += 2;
        continue;
      }
      return { text, next: i + 1 };
    }
    text += c;
    i++;
  }
}

function skipSpaces(s: string, i: number): number {
  while (i < s.length && /\s/.test(s[i] ?? '')) i++;
  return i;
}

/** Split the inside of `( ... )` into tokens. */
function tokenizeList(inner: string, parameter: string, raw: string): ValueToken[] {
  const tokens: ValueToken[] = [];
  let i = skipSpaces(inner, 0);
  if (i >= inner.length) throw syntaxError(parameter, raw, 'is an empty list');
  for (;;) {
    if (inner[i] === "'") {
      const q = readQuoted(inner, i, parameter, raw);
      tokens.push({ form: 'quoted', text: q.text });
      i = q.next;
    } else {
      let j = i;
      while (j < inner.length && inner[j] !== ',') j++;
      const bare = inner.slice(i, j).trim();
      if (!BARE_NUMBER_RE.test(bare)) throw syntaxError(parameter, raw, `has a list item ${bare === '' ? '(empty)' : bare} that is not a quoted string`);
      tokens.push({ form: 'bare', text: bare });
      i = j;
    }
    i = skipSpaces(inner, i);
    if (i >= inner.length) return tokens;
    if (inner[i] !== ',') throw syntaxError(parameter, raw, 'has text after a quoted string inside the list (expected a comma)');
    i = skipSpaces(inner, i + 1);
    if (i >= inner.length) throw syntaxError(parameter, raw, 'ends its list with a comma');
  }
}

/** Tokenize one rim:Value. Throws XDSRegistryError on bad syntax. */
export function tokenizeValue(parameter: string, raw: string): ValueToken[] {
  const s = raw.trim();
  if (s === '') throw syntaxError(parameter, `'${raw}'`, 'is empty');
  if (s.startsWith('(')) {
    if (!s.endsWith(')')) throw syntaxError(parameter, raw, 'opens a list with ( but does not close it with )');
    return tokenizeList(s.slice(1, -1), parameter, raw);
  }
  if (s.startsWith("'")) {
    const q = readQuoted(s, 0, parameter, raw);
    if (skipSpaces(s, q.next) !== s.length) throw syntaxError(parameter, raw, 'has text after the closing quote');
    return [{ form: 'quoted', text: q.text }];
  }
  if (BARE_NUMBER_RE.test(s)) return [{ form: 'bare', text: s }];
  throw syntaxError(parameter, raw, "is not coded as a quoted string ('...'), a number or a list ('...','...')");
}

/** Tokenize every rim:Value of one slot into one OR-list. */
export function tokenizeValues(parameter: string, rawValues: readonly string[]): ValueToken[] {
  if (rawValues.length === 0) throw syntaxError(parameter, '(none)', 'is missing: the slot has no Value');
  return rawValues.flatMap((raw) => tokenizeValue(parameter, raw));
}

// ---- per-kind conversion ----

const DTM_RE = /^\d{4,14}$/;
const URN_RE = /^urn:\S+$/;
const UUID_URN_RE = /^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function show(token: ValueToken): string {
  return token.form === 'quoted' ? `'${token.text}'` : token.text;
}

/** A string parameter: must be quoted and non-empty. */
export function toText(parameter: string, token: ValueToken): string {
  if (token.form !== 'quoted') throw syntaxError(parameter, show(token), "is not coded as a string (enclose it in single quotes)");
  if (token.text === '') throw syntaxError(parameter, show(token), 'is an empty string');
  return token.text;
}

/** A time (DTM, 4 to 14 digits). Sent as a bare number; a quoted time is accepted too. */
export function toTime(parameter: string, token: ValueToken): string {
  if (!DTM_RE.test(token.text)) throw syntaxError(parameter, show(token), 'is not a time (4 to 14 digits, YYYY[MM[DD[hh[mm[ss]]]]])');
  return token.text;
}

/** `code^^scheme` (HL7 CE with the display name left out; a display name in the middle is tolerated). */
export function toCode(parameter: string, token: ValueToken): CodeMatch {
  const text = toText(parameter, token);
  const parts = text.split('^');
  const code = parts[0] ?? '';
  const scheme = parts[2] ?? '';
  if (parts.length !== 3 || code === '' || scheme === '') {
    throw syntaxError(parameter, show(token), 'is not a code in code^^scheme form');
  }
  return { code, scheme };
}

/** An availabilityStatus URN, e.g. urn:oasis:names:tc:ebxml-regrep:StatusType:Approved. */
export function toStatus(parameter: string, token: ValueToken): string {
  const text = toText(parameter, token);
  if (!URN_RE.test(text)) throw syntaxError(parameter, show(token), 'is not a status URN (urn:oasis:names:tc:ebxml-regrep:StatusType:...)');
  return text;
}

/** A DocumentEntry objectType: a urn:uuid: value, returned in lower case. */
export function toObjectType(parameter: string, token: ValueToken): string {
  const text = toText(parameter, token);
  if (!UUID_URN_RE.test(text)) throw syntaxError(parameter, show(token), 'is not an objectType UUID (urn:uuid:...)');
  return text.toLowerCase();
}

/** An entryUUID. urn:uuid: values are lower-cased (UUIDs compare case-insensitively); other ids pass unchanged. */
export function toUuid(parameter: string, token: ValueToken): string {
  const text = toText(parameter, token);
  return UUID_URN_RE.test(text) ? text.toLowerCase() : text;
}

/** An association type URN, e.g. urn:ihe:iti:2007:AssociationType:RPLC. */
export function toAssociationType(parameter: string, token: ValueToken): string {
  const text = toText(parameter, token);
  if (!URN_RE.test(text)) throw syntaxError(parameter, show(token), 'is not an association type URN');
  return text;
}

/** $MetadataLevel: a number (quoted or not). Whether the level is supported is decided by the caller. */
export function toMetadataLevel(parameter: string, token: ValueToken): string {
  if (!BARE_NUMBER_RE.test(token.text)) throw syntaxError(parameter, show(token), 'is not a number');
  return token.text;
}

/** Convert a token to a string value for every kind except 'code'. */
export function toTextOfKind(kind: Exclude<ParameterKind, 'code'>, parameter: string, token: ValueToken): string {
  switch (kind) {
    case 'time':
      return toTime(parameter, token);
    case 'status':
      return toStatus(parameter, token);
    case 'objectType':
      return toObjectType(parameter, token);
    case 'uuid':
      return toUuid(parameter, token);
    case 'associationType':
      return toAssociationType(parameter, token);
    case 'metadataLevel':
      return toMetadataLevel(parameter, token);
    case 'string':
    case 'authorPerson':
    case 'referenceId':
      return toText(parameter, token);
  }
}
