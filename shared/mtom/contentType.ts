/**
 * Content-Type header parsing (RFC 2045 / RFC 9110 syntax, read leniently) and the Content-ID / cid: helpers
 * of RFC 2392 used by MTOM/XOP (digest section 1.5).
 */
import { SoapFault } from '../errors';

export interface ContentType {
  /** `type/subtype`, lower-cased, e.g. `multipart/related`. */
  mediaType: string;
  /** Parameters by lower-cased name; values unquoted (backslash escapes resolved), case kept. First occurrence wins. */
  params: Record<string, string>;
}

const MEDIA_TYPE = /^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/;

function clip(s: string): string {
  return s.length > 120 ? `${s.slice(0, 120)}...` : s;
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

/**
 * Parses `type/subtype; name=value; name="quoted value"`. Parameter names are case-insensitive and may come in any
 * order; unquoted values run to the next `;` (so `start=<a@b>` is accepted); a parameter without `=` is ignored.
 * Throws SoapFault('Sender') when there is no `type/subtype` or a quoted value is not terminated.
 */
export function parseContentType(header: string): ContentType {
  const semi = header.indexOf(';');
  const mediaType = (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase();
  if (!MEDIA_TYPE.test(mediaType)) {
    throw new SoapFault('Sender', `Malformed Content-Type "${clip(header)}": expected type/subtype`);
  }
  const params = Object.create(null) as Record<string, string>;
  let pos = semi < 0 ? header.length : semi + 1;
  while (pos < header.length) {
    while (pos < header.length && (isSpace(header[pos]) || header[pos] === ';')) pos++;
    const nameStart = pos;
    while (pos < header.length && header[pos] !== '=' && header[pos] !== ';') pos++;
    const name = header.slice(nameStart, pos).trim().toLowerCase();
    if (header[pos] !== '=') continue; // bare token or end: ignore
    pos++;
    while (pos < header.length && isSpace(header[pos])) pos++;
    let value: string;
    if (header[pos] === '"') {
      let out = '';
      pos++;
      for (;;) {
        if (pos >= header.length) {
          throw new SoapFault('Sender', `Malformed Content-Type "${clip(header)}": unterminated quoted value of "${name}"`);
        }
        const c = header[pos++];
        if (c === '"') break;
        out += c === '\\' && pos < header.length ? header[pos++] : c;
      }
      value = out;
      while (pos < header.length && header[pos] !== ';') pos++; // ignore anything up to the next parameter
    } else {
      const valueStart = pos;
      while (pos < header.length && header[pos] !== ';') pos++;
      value = header.slice(valueStart, pos).trim();
    }
    if (name !== '' && !(name in params)) params[name] = value;
  }
  return { mediaType, params };
}

/** True when the header names `multipart/related` (any case, any parameters). Never throws. */
export function isMultipartRelated(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  try {
    return parseContentType(contentType).mediaType === 'multipart/related';
  } catch {
    return false;
  }
}

/** `<id@host>` / ` id@host ` → `id@host`: trims and strips one surrounding pair of angle brackets. */
export function normalizeContentId(header: string): string {
  let s = header.trim();
  if (s.startsWith('<')) s = s.slice(1);
  if (s.endsWith('>')) s = s.slice(0, -1);
  return s.trim();
}

const HEX = /^[0-9A-Fa-f]{2}$/;

/** Decodes %xx escapes as UTF-8 bytes; a `%` not followed by two hex digits is kept as is. */
function percentDecode(s: string): string {
  if (!s.includes('%')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; ) {
    const hex = s.slice(i + 1, i + 3);
    if (s[i] === '%' && HEX.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      const cp = s.codePointAt(i) ?? 0;
      const ch = String.fromCodePoint(cp);
      for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
      i += ch.length;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * `cid:1.urn%3Auuid%3Ax%40apache.org` → `1.urn:uuid:x@apache.org` (RFC 2392): strips `cid:` (any case), decodes
 * %xx escapes, then strips stray `<>` so the result compares equal to normalizeContentId(Content-ID header).
 */
export function contentIdFromHref(href: string): string {
  let s = href.trim();
  if (s.slice(0, 4).toLowerCase() === 'cid:') s = s.slice(4);
  return normalizeContentId(percentDecode(s));
}

// RFC 3986 pchar minus '%': unreserved / sub-delims / ':' / '@'. Everything else is escaped.
const PCHAR = /[A-Za-z0-9\-._~!$&'()*+,;=:@]/;

/** `1.urn:uuid:x@apache.org` → `cid:1.urn:uuid:x@apache.org`; escapes only what a URL may not contain (RFC 2392). */
export function hrefForContentId(contentId: string): string {
  let out = 'cid:';
  for (const ch of normalizeContentId(contentId)) {
    if (PCHAR.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
