/**
 * The large-document measurements: the two ceilings against the bare server (bench/ceilingServer.ts) and ITI-41 /
 * ITI-43 of the same file through the repository. Each is one request on its own connection; the client streams
 * from disk (uploads) or counts bytes (downloads) and never holds the document in memory.
 */
import fs from 'node:fs';
import http from 'node:http';
import { once } from 'node:events';
import { parseContentType } from '../shared/mtom/contentType';
import { buildSoapRequest, SOAP12_CONTENT_TYPE } from '../shared/soap/envelope';
import { ACTION } from '../shared/xds/constants';
import { newPatientId, newUid } from '../test/helpers/metadata';
import { retrieveXml } from '../repository/testSupport/pnr';
import { failureSummary, responseStatusOf } from './lib/http';
import { pnrFrame } from './lib/pnrFrame';
import { elapsedMs } from './lib/stats';
import { REPOSITORY_UNIQUE_ID } from './lib/services';

interface StreamedUpload {
  url: string;
  contentType: string;
  head?: Buffer;
  file: string;
  fileBytes: number;
  tail?: Buffer;
}

/** One upload's timing: until the answer arrived, and until the last body byte was handed to the socket. */
export interface UploadTiming {
  seconds: number;
  bodySentSeconds: number;
}

/** POSTs head + file + tail with a Content-Length, writing with back-pressure; resolves with the answer. */
function uploadFile(u: StreamedUpload): Promise<UploadTiming & { status: number; body: string }> {
  const head = u.head ?? Buffer.alloc(0);
  const tail = u.tail ?? Buffer.alloc(0);
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    let bodySentSeconds = Number.NaN;
    const req = http.request(
      u.url,
      { method: 'POST', agent: false, headers: { 'Content-Type': u.contentType, 'Content-Length': head.length + u.fileBytes + tail.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const seconds = elapsedMs(start) / 1000;
          // The socket may report the body flushed only after the whole answer arrived; the answer proves the
          // server read every byte, so the body was sent by then at the latest.
          if (Number.isNaN(bodySentSeconds)) bodySentSeconds = seconds;
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), seconds, bodySentSeconds });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const send = async (): Promise<void> => {
      if (head.length && !req.write(head)) await once(req, 'drain');
      for await (const chunk of fs.createReadStream(u.file, { highWaterMark: 1024 * 1024 })) {
        if (!req.write(chunk as Buffer)) await once(req, 'drain');
      }
      req.end(tail, () => {
        if (Number.isNaN(bodySentSeconds)) bodySentSeconds = elapsedMs(start) / 1000;
      });
    };
    send().catch((e: unknown) => {
      req.destroy(e instanceof Error ? e : new Error(String(e)));
      reject(e instanceof Error ? e : new Error(String(e)));
    });
  });
}

/** Ceiling: the bare server hashes and durably writes the upload (`defaults`: with Node's default stream settings). */
export async function postCeiling(baseUrl: string, file: string, bytes: number, expectedSha1: string, defaults = false): Promise<UploadTiming> {
  const reply = await uploadFile({ url: `${baseUrl}/${defaults ? 'upload-default' : 'upload'}`, contentType: 'application/octet-stream', file, fileBytes: bytes });
  const answer = JSON.parse(reply.body) as { bytes: number; sha1: string };
  if (reply.status !== 200 || answer.bytes !== bytes || answer.sha1 !== expectedSha1) {
    throw new Error(`POST ceiling: unexpected answer ${reply.status} ${reply.body}`);
  }
  return { seconds: reply.seconds, bodySentSeconds: reply.bodySentSeconds };
}

/** Ceiling: the bare server streams the file; the client counts the bytes (`defaults`: 64 KiB reads). */
export function getCeiling(baseUrl: string, bytes: number, defaults = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    http
      .get(`${baseUrl}/${defaults ? 'file-default' : 'file'}`, { agent: false }, (res) => {
        let received = 0;
        res.on('data', (c: Buffer) => {
          received += c.length;
        });
        res.on('end', () => {
          if (res.statusCode !== 200 || received !== bytes) reject(new Error(`GET ceiling: status ${res.statusCode}, ${received} of ${bytes} bytes`));
          else resolve(elapsedMs(start) / 1000);
        });
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** ITI-41 of the file as one DocumentEntry with full metadata; resolves with the time and the document's uniqueId. */
export async function provideLargeDocument(repositoryUrl: string, file: string, bytes: number): Promise<UploadTiming & { uniqueId: string }> {
  const uniqueId = newUid('1.2.3.4.999.41');
  const frame = pnrFrame(
    repositoryUrl,
    {
      patientId: newPatientId(),
      ssUniqueId: newUid('1.2.3.4.999.42'),
      documents: [{ id: 'Document01', uniqueId, mimeType: 'application/octet-stream', title: 'Large bench document' }],
    },
    'application/octet-stream',
  );
  const reply = await uploadFile({ url: repositoryUrl, contentType: frame.contentType, head: frame.head, file, fileBytes: bytes, tail: frame.tail });
  if (reply.status !== 200 || responseStatusOf(reply.body) !== 'Success') throw new Error(`ITI-41 large: ${failureSummary(reply.status, reply.body)}`);
  return { seconds: reply.seconds, bodySentSeconds: reply.bodySentSeconds, uniqueId };
}

const HEAD_KEEP = 64 * 1024;

/**
 * Reads an MTOM answer that carries at most one attachment without parsing the attachment: the first 64 KiB are
 * kept (root part and the attachment's headers), the rest is only counted, and the last bytes must be the close
 * delimiter. Returns the root part's XML and the attachment's exact size.
 */
export async function readSingleAttachmentReply(res: http.IncomingMessage): Promise<{ rootXml: string; attachmentBytes: number }> {
  const boundary = parseContentType(res.headers['content-type'] ?? '').params.boundary;
  if (!boundary) throw new Error(`ITI-43: not a multipart answer (${res.headers['content-type']})`);
  const headChunks: Buffer[] = [];
  let headLength = 0;
  let total = 0;
  let last: Buffer = Buffer.alloc(0);
  // 'data' events (flowing mode), as the GET ceiling's client reads: an async iterator reads in paused mode, which
  // stops and restarts the socket at every 16 KiB high-water mark and so measures the client, not the server.
  await new Promise<void>((resolve, reject) => {
    res.on('data', (c: Buffer) => {
      total += c.length;
      if (headLength < HEAD_KEEP) {
        headChunks.push(c);
        headLength += c.length;
      }
      last = c.length >= 256 ? c.subarray(c.length - 256) : Buffer.concat([last, c]).subarray(-256);
    });
    res.on('end', resolve);
    res.on('error', reject);
  });
  const head = Buffer.concat(headChunks);
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const first = head.indexOf(delimiter);
  const rootHeadersEnd = head.indexOf('\r\n\r\n', first);
  const second = head.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), rootHeadersEnd);
  if (first < 0 || rootHeadersEnd < 0 || second < 0) throw new Error('ITI-43: no complete root part in the first 64 KiB of the answer');
  const rootXml = head.subarray(rootHeadersEnd + 4, second).toString('utf8');
  const close = Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
  const afterDelimiter = second + 2 + delimiter.length;
  if (head.toString('latin1', afterDelimiter, afterDelimiter + 2) === '--') return { rootXml, attachmentBytes: 0 };
  const partHeadersEnd = head.indexOf('\r\n\r\n', second + 2);
  if (partHeadersEnd < 0) throw new Error('ITI-43: attachment headers not within the first 64 KiB');
  if (!last.subarray(last.length - close.length).equals(close)) throw new Error('ITI-43: the answer does not end with the close delimiter');
  return { rootXml, attachmentBytes: total - (partHeadersEnd + 4) - close.length };
}

/** ITI-43 of one document; checks Success and the exact size; resolves with the time. */
export function retrieveLargeDocument(repositoryUrl: string, uniqueId: string, bytes: number): Promise<number> {
  const xml = Buffer.from(
    buildSoapRequest({ action: ACTION.iti43, to: repositoryUrl, body: retrieveXml([{ repositoryUniqueId: REPOSITORY_UNIQUE_ID, documentUniqueId: uniqueId }]) }),
    'utf8',
  );
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = http.request(
      repositoryUrl,
      { method: 'POST', agent: false, headers: { 'Content-Type': `${SOAP12_CONTENT_TYPE}; action="${ACTION.iti43}"`, 'Content-Length': xml.length } },
      (res) => {
        readSingleAttachmentReply(res).then(({ rootXml, attachmentBytes }) => {
          const seconds = elapsedMs(start) / 1000;
          if (res.statusCode !== 200 || responseStatusOf(rootXml) !== 'Success') reject(new Error(`ITI-43 large: ${failureSummary(res.statusCode ?? 0, rootXml)}`));
          else if (attachmentBytes !== bytes) reject(new Error(`ITI-43 large: ${attachmentBytes} bytes retrieved, ${bytes} stored`));
          else resolve(seconds);
        }, reject);
      },
    );
    req.on('error', reject);
    req.end(xml);
  });
}
