/**
 * The escape functions every builder here uses: shared/xml/write.ts's, behind a fast path that returns the
 * string untouched when nothing in it needs escaping (almost every value), which halves build time.
 */
import { escapeAttr, escapeText } from '../xml/write';

// Characters escapeText / escapeAttr change or drop.
const TEXT_SPECIAL = /[&<>\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const ATTR_SPECIAL = /[&<>"\t\n\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

export function text(s: string): string {
  return TEXT_SPECIAL.test(s) ? escapeText(s) : s;
}

export function attr(s: string): string {
  return ATTR_SPECIAL.test(s) ? escapeAttr(s) : s;
}
