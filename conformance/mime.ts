/**
 * The runner's own MIME code: it builds MTOM/XOP requests and reads multipart answers from whole buffers. It is
 * deliberately independent of shared/mtom (the product's streaming reader and writer), so a bug there cannot hide
 * itself by being on both ends of the wire.
 */
import { randomBytes, randomUUID } from 'node:crypto';

export interface MimePart {
  headers: Record<string, string>;
  body: Buffer;
}

export interface MtomAttachment {
  contentId: string;
  contentType: string;
  body: Buffer;
}

export interface MtomRequest {
  contentType: string;
  body: Buffer;
}

/** Parameters of a header value such as `multipart/related; boundary="x"; type="..."` (names lower-cased). */
export function headerParams(value: string): { value: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    if (ch === ';' && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    if (eq === -1) continue;
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    params[p.slice(0, eq).trim().toLowerCase()] = v;
  }
  return { value: (parts[0] ?? '').trim().toLowerCase(), params };
}

export function stripAngles(contentId: string): string {
  const t = contentId.trim();
  return t.startsWith('<') && t.endsWith('>') ? t.slice(1, -1) : t;
}

/** Build an MTOM package: SOAP envelope as the root part, then one part per attachment (CRLF line ends). */
export function buildMtom(envelope: string, attachments: MtomAttachment[], action: string): MtomRequest {
  const boundary = `MIMEBoundary_${randomBytes(20).toString('hex')}`;
  const rootId = `root.${randomUUID()}@conformance.local`;
  const chunks: Buffer[] = [];
  const head = (type: string, id: string): Buffer =>
    Buffer.from(`--${boundary}\r\nContent-Type: ${type}\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <${id}>\r\n\r\n`, 'utf8');
  chunks.push(head(`application/xop+xml; charset=UTF-8; type="application/soap+xml"`, rootId), Buffer.from(envelope, 'utf8'), Buffer.from('\r\n'));
  for (const a of attachments) chunks.push(head(a.contentType, a.contentId), a.body, Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  const contentType =
    `multipart/related; boundary="${boundary}"; type="application/xop+xml"; start="<${rootId}>"; ` +
    `start-info="application/soap+xml"; action="${action}"`;
  return { contentType, body: Buffer.concat(chunks) };
}

function parseHeaderBlock(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  let last = '';
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && last) {
      headers[last] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    headers[last] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** Split a complete multipart body into parts (LF or CRLF line ends). */
export function parseMultipart(body: Buffer, contentType: string): MimePart[] {
  const { params } = headerParams(contentType);
  const boundary = params.boundary;
  if (!boundary) throw new Error('multipart Content-Type without boundary');
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: MimePart[] = [];
  let pos = body.indexOf(delimiter);
  if (pos === -1) throw new Error('multipart body without its first boundary');
  for (;;) {
    let after = pos + delimiter.length;
    if (body.subarray(after, after + 2).toString('latin1') === '--') break;
    // skip transport padding and the line break after the delimiter
    while (body[after] === 0x20 || body[after] === 0x09) after++;
    if (body[after] === 0x0d) after++;
    if (body[after] === 0x0a) after++;
    const next = body.indexOf(delimiter, after);
    if (next === -1) throw new Error('multipart body is not closed');
    let end = next;
    if (body[end - 1] === 0x0a) end--;
    if (body[end - 1] === 0x0d) end--;
    const part = body.subarray(after, end);
    const crlf = part.indexOf('\r\n\r\n');
    const lf = part.indexOf('\n\n');
    const split = crlf !== -1 && (lf === -1 || crlf < lf) ? { at: crlf, len: 4 } : lf !== -1 ? { at: lf, len: 2 } : undefined;
    if (!split) throw new Error('multipart part without a header block');
    parts.push({ headers: parseHeaderBlock(part.subarray(0, split.at).toString('latin1')), body: Buffer.from(part.subarray(split.at + split.len)) });
    pos = next;
  }
  return parts;
}

export interface MtomMessage {
  root: Buffer;
  /** Attachments by Content-ID (without angle brackets). */
  attachments: Map<string, MimePart>;
}

/** A multipart/related answer: the root part (per `start`, else the first) and the other parts by Content-ID. */
export function readMtom(body: Buffer, contentType: string): MtomMessage {
  const parts = parseMultipart(body, contentType);
  const start = headerParams(contentType).params.start;
  const startId = start === undefined ? undefined : stripAngles(start);
  const rootIndex = startId === undefined ? 0 : Math.max(0, parts.findIndex((p) => stripAngles(p.headers['content-id'] ?? '') === startId));
  const root = parts[rootIndex];
  if (!root) throw new Error('multipart answer without parts');
  const attachments = new Map<string, MimePart>();
  parts.forEach((p, i) => {
    if (i !== rootIndex) attachments.set(stripAngles(p.headers['content-id'] ?? ''), p);
  });
  return { root: root.body, attachments };
}

/** `cid:` href → Content-ID (URL-decoded, as RFC 2392 writes it). */
export function contentIdFromHref(href: string): string {
  const raw = href.replace(/^cid:/i, '');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
