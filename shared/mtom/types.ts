/** Types of the multipart/related reader (see reader.ts and README.md). */
import type { Writable } from 'node:stream';

export interface PartInfo {
  /** Content-ID without `<>`. */
  contentId?: string;
  contentType?: string;
  /** Content-Transfer-Encoding, lower-cased. */
  transferEncoding?: string;
  /** All part headers by lower-cased name. */
  headers: Record<string, string>;
  /** 0-based position of the part in the message. */
  index: number;
}

export interface ReadPartInfo extends PartInfo {
  /** Decoded byte count. */
  size: number;
}

export interface MultipartLimits {
  /** Parts including the root. */
  maxParts: number;
  /** Per part header block; also caps the preamble before the first delimiter. */
  maxHeaderBytes: number;
  /** Decoded root part. */
  maxRootBytes: number;
  /** Decoded size of each attachment. */
  maxPartBytes?: number;
  /** Raw body bytes, everything included. */
  maxTotalBytes?: number;
}

export interface MultipartResult {
  root: Buffer;
  rootInfo: ReadPartInfo;
  /** Every non-root part in message order. */
  attachments: ReadPartInfo[];
}

export type SinkFactory = (part: PartInfo) => Writable | Promise<Writable>;
export type MultipartBody =
  | AsyncIterable<Buffer | Uint8Array | string>
  | Iterable<Buffer | Uint8Array>
  | NodeJS.ReadableStream;
