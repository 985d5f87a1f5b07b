/**
 * Streaming multipart/related (MTOM/XOP) reader. The root part is collected in memory; every other part streams
 * into a caller-supplied Writable with back-pressure. See README.md in this folder for the contract.
 */
import { Readable } from 'node:stream';
import { SoapFault } from '../errors';
import { normalizeContentId, parseContentType } from './contentType';
import { MultipartParser } from './parser';
import type { MultipartBody, MultipartLimits, MultipartResult, SinkFactory } from './types';

export type { MultipartBody, MultipartLimits, MultipartResult, PartInfo, ReadPartInfo, SinkFactory } from './types';

/** RFC 2046 allows 70; longer ones are accepted up to this length. */
const MAX_BOUNDARY = 256;

/** Boundary and normalized `start` from the outer Content-Type. */
function outerParams(contentType: string): { boundary: string; start?: string } {
  const ct = parseContentType(contentType);
  if (ct.mediaType !== 'multipart/related') {
    throw new SoapFault('Sender', `Expected a multipart/related body, got Content-Type ${ct.mediaType}`);
  }
  const boundary = ct.params.boundary;
  if (boundary === undefined || boundary === '') {
    throw new SoapFault('Sender', 'The multipart/related Content-Type has no boundary parameter');
  }
  if (boundary.length > MAX_BOUNDARY || /[\r\n]/.test(boundary)) {
    throw new SoapFault('Sender', `The multipart boundary is invalid (CR/LF or longer than ${MAX_BOUNDARY} characters)`);
  }
  const start = ct.params.start === undefined ? '' : normalizeContentId(ct.params.start);
  return start === '' ? { boundary } : { boundary, start };
}

function iterate(body: MultipartBody): AsyncIterable<unknown> | Iterable<unknown> {
  // Do not destroy a Readable (e.g. an IncomingMessage) when we stop early: the caller may still drain it and answer.
  if (body instanceof Readable) {
    const it = body.iterator({ destroyOnReturn: false });
    return { [Symbol.asyncIterator]: () => it };
  }
  return body;
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError('multipart body chunks must be Buffers (do not call setEncoding on the request)');
}

/**
 * Reads a multipart/related body. Resolves after every attachment sink has emitted 'finish'. Rejects with
 * SoapFault('Sender') / LimitError for bad input, or with a sink's own error; on rejection every sink handed out
 * has been given destroy(err). A Readable body is never destroyed by this function.
 */
export async function readMultipartRelated(
  body: MultipartBody,
  contentType: string,
  limits: MultipartLimits,
  sinkFor: SinkFactory,
): Promise<MultipartResult> {
  const { boundary, start } = outerParams(contentType);
  const parser = new MultipartParser(boundary, start, limits, sinkFor);
  try {
    for await (const chunk of iterate(body)) await parser.push(toBuffer(chunk));
    return await parser.finish();
  } catch (err) {
    parser.abort(err instanceof Error ? err : new Error(String(err)));
    throw err;
  }
}
