/** MIME part header lines (RFC 5322 syntax, read leniently): names case-insensitive, folded lines joined. */
import { SoapFault } from '../errors';

const NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function clip(s: string): string {
  return JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}...` : s);
}

/**
 * Checks one header line as soon as it is read, so that a part whose blank line is missing is reported at its
 * first content line rather than after maxHeaderBytes. `where` names the part in messages.
 */
export function checkHeaderLine(line: string, isFirst: boolean, where: string): void {
  if (line[0] === ' ' || line[0] === '\t') {
    if (isFirst) throw new SoapFault('Sender', `${where}: header block starts with a continuation line ${clip(line)}`);
    return;
  }
  const colon = line.indexOf(':');
  if (colon <= 0 || !NAME.test(line.slice(0, colon).trimEnd())) {
    throw new SoapFault(
      'Sender',
      `${where}: ${clip(line)} is not a MIME header line; is the blank line between the part headers and its content missing?`,
    );
  }
}

/** Lines already passed checkHeaderLine → headers by lower-cased name (first occurrence wins), values trimmed. */
export function parseHeaderLines(lines: readonly string[]): Record<string, string> {
  const headers = Object.create(null) as Record<string, string>;
  const unfolded: string[] = [];
  for (const line of lines) {
    if ((line[0] === ' ' || line[0] === '\t') && unfolded.length > 0) unfolded[unfolded.length - 1] += ` ${line.trim()}`;
    else unfolded.push(line);
  }
  for (const line of unfolded) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!(name in headers)) headers[name] = line.slice(colon + 1).trim();
  }
  return headers;
}
