/** Streaming MTOM/XOP (multipart/related) writer for responses, e.g. ITI-43 (digest section 1.5). */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { normalizeContentId } from './contentType';
import { endAndWait, writeChunk } from './streams';

export interface MtomContentTypeOptions {
  boundary: string;
  /** Content-ID of the root part, with or without `<>`. */
  startId: string;
  /** SOAP action (wsa:Action), added as the `action` parameter when given. */
  action?: string;
}

export interface MtomAttachment {
  contentId: string;
  contentType: string;
  /**
   * Called when the part is about to be written; the stream is consumed with back-pressure. A promise lets a
   * store open its file only then, with no PassThrough in between (that extra hop cost ITI-43 ~10 % in the bench).
   */
  open: () => Readable | Promise<Readable>;
}

export interface MtomMessage {
  boundary: string;
  root: { contentId: string; xml: string | Buffer };
  parts: readonly MtomAttachment[];
}

export interface WriteOptions {
  /** End `out` after the close delimiter (default true). */
  end?: boolean;
}

const BCHARS = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;
const ROOT_TYPE = 'application/xop+xml; charset=UTF-8; type="application/soap+xml"';

function checkBoundary(boundary: string): void {
  if (!BCHARS.test(boundary)) throw new Error(`Invalid MIME boundary ${JSON.stringify(boundary)} (RFC 2046 bchars, 1-70)`);
}

function headerSafe(value: string, what: string): string {
  if (/[\r\n<>]/.test(value) || value === '') throw new Error(`Invalid ${what} ${JSON.stringify(value)}`);
  return value;
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** `MIMEBoundary_` + 48 random hex digits (61 characters). */
export function newBoundary(): string {
  return `MIMEBoundary_${randomBytes(24).toString('hex')}`;
}

/** `<uuid>@<domain>`, without angle brackets. */
export function newContentId(domain: string): string {
  return `${randomUUID()}@${headerSafe(domain, 'Content-ID domain')}`;
}

/** The outer Content-Type header value of an MTOM message. */
export function mtomContentType(opts: MtomContentTypeOptions): string {
  checkBoundary(opts.boundary);
  const start = headerSafe(normalizeContentId(opts.startId), 'start Content-ID');
  let value =
    `multipart/related; type="application/xop+xml"; boundary=${quote(opts.boundary)}; ` +
    `start=${quote(`<${start}>`)}; start-info="application/soap+xml"`;
  if (opts.action !== undefined) value += `; action=${quote(headerSafe(opts.action, 'action'))}`;
  return value;
}

function partHead(boundary: string, contentType: string, contentId: string, first: boolean): Buffer {
  const id = headerSafe(normalizeContentId(contentId), 'Content-ID');
  return Buffer.from(
    `${first ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${headerSafe(contentType, 'Content-Type')}\r\n` +
      `Content-Transfer-Encoding: binary\r\nContent-ID: <${id}>\r\n\r\n`,
    'utf8',
  );
}

async function copy(src: Readable, out: Writable): Promise<void> {
  try {
    for await (const chunk of src) {
      await writeChunk(out, Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
    }
  } finally {
    if (!src.destroyed) src.destroy();
  }
}

/**
 * Writes root part, attachments (opened one at a time, streamed with back-pressure) and the close delimiter, CRLF
 * line endings. Resolves when everything is written (and, with end: true, when `out` has finished). On a source or
 * output error it rejects and leaves `out` as it is: destroy it, since the message is incomplete.
 */
export async function writeMultipartRelated(out: Writable, msg: MtomMessage, opts: WriteOptions = {}): Promise<void> {
  checkBoundary(msg.boundary);
  const xml = typeof msg.root.xml === 'string' ? Buffer.from(msg.root.xml, 'utf8') : msg.root.xml;
  // An output error between two writes must not crash the process: it is seen as out.errored by the next write.
  const ignore = (): void => undefined;
  out.on('error', ignore);
  try {
    await writeChunk(out, partHead(msg.boundary, ROOT_TYPE, msg.root.contentId, true));
    await writeChunk(out, xml);
    for (const part of msg.parts) {
      await writeChunk(out, partHead(msg.boundary, part.contentType, part.contentId, false));
      await copy(await part.open(), out);
    }
    await writeChunk(out, Buffer.from(`\r\n--${msg.boundary}--\r\n`, 'latin1'));
    if (opts.end ?? true) await endAndWait(out);
  } finally {
    out.off('error', ignore);
  }
}
