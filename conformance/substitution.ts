/**
 * Placeholder substitution (NOTES.md section 5.2): `$name$` tokens in metadata, query and body files, the toolkit's
 * built-ins ($now$, $lastyear$, $homeCommunityId$; $DATE$ in assertions), and the OpenXDS fixtures' open-ended
 * tokens (`$patientId`, `$XDSDocumentEntry.uniqueId1`: plain replacement, longest token first).
 */
import { escapeAttr } from '../shared/xml/write';

export type Bindings = ReadonlyMap<string, string>;

/** `$name$` tokens present in a text (each once, in order of first appearance). */
export function placeholdersIn(text: string): string[] {
  const seen = new Set<string>();
  for (const m of text.matchAll(/\$[A-Za-z_][A-Za-z0-9_.]*\$/g)) seen.add(m[0]);
  return [...seen];
}

/** HL7 DTM yyyyMMddHHmmss in UTC (sub-seconds dropped). */
export function hl7Timestamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/**
 * $now$ as a second-precision time that is not before the instant: rounded up. A query bound
 * `…To = $now$` (exclusive in ITI-18) then includes what was registered earlier in the same second.
 */
export function nowRoundedUp(d: Date): Date {
  return new Date(Math.ceil(d.getTime() / 1000) * 1000);
}

/** yyyyMMdd in UTC (the toolkit's $DATE$ in assertions). */
export function hl7Date(d: Date): string {
  return hl7Timestamp(d).slice(0, 8);
}

export function builtinBindings(instant: Date, homeCommunityId: string): Map<string, string> {
  const now = nowRoundedUp(instant);
  const lastYear = new Date(now.getTime());
  lastYear.setUTCFullYear(now.getUTCFullYear() - 1);
  return new Map([
    ['$now$', hl7Timestamp(now)],
    ['$lastyear$', hl7Timestamp(lastYear)],
    ['$homeCommunityId$', homeCommunityId],
  ]);
}

export interface SubstitutionResult {
  text: string;
  /** `$name$` tokens left in the text because nothing binds them. */
  unresolved: string[];
}

/**
 * Replace every bound `$name$` token. Values are XML-escaped when the text is XML (patient ids carry `&`).
 * Tokens without a binding are left as they are and reported.
 */
export function substitute(text: string, bindings: Bindings, opts: { xml: boolean }): SubstitutionResult {
  const unresolved = new Set<string>();
  const out = text.replace(/\$[A-Za-z_][A-Za-z0-9_.]*\$/g, (token) => {
    const value = bindings.get(token);
    if (value === undefined) {
      unresolved.add(token);
      return token;
    }
    return opts.xml ? escapeAttr(value) : value;
  });
  return { text: out, unresolved: [...unresolved] };
}

/**
 * OpenXDS-style tokens without a closing `$` (`$patientId`, `$XDSDocumentEntry.uniqueId1`): replaced longest
 * first so that `$XDSDocumentEntry.uniqueId` does not eat the prefix of `$XDSDocumentEntry.uniqueId1`.
 */
export function substituteOpenTokens(text: string, bindings: Bindings, opts: { xml: boolean }): string {
  const tokens = [...bindings.keys()].sort((a, b) => b.length - a.length);
  let out = text;
  for (const token of tokens) {
    const value = bindings.get(token) ?? '';
    out = out.split(token).join(opts.xml ? escapeAttr(value) : value);
  }
  return out;
}
