/**
 * The multipart/related state machine behind readMultipartRelated: preamble → (headers → body)* → epilogue.
 * Delimiters are found with Buffer.indexOf on LF "--" boundary. In a body only the tail that could still begin a
 * delimiter (a CR, or a prefix of CR LF "--" boundary) is held back between chunks; every other byte is passed on as
 * a view (subarray) of the caller's chunk, never copied. A held tail is joined with just the first few bytes of the
 * next chunk (the "seam", see push), so the only copies are of seam-sized pieces and of part headers.
 */
import type { Writable } from 'node:stream';
import { LimitError, SoapFault } from '../errors';
import { Base64Decoder } from './base64';
import { normalizeContentId } from './contentType';
import { checkHeaderLine, parseHeaderLines } from './partHeaders';
import { endAndWait, writeChunk } from './streams';
import type { MultipartLimits, MultipartResult, PartInfo, ReadPartInfo, SinkFactory } from './types';

const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;
const SP = 0x20;
const HT = 0x09;
const EMPTY = Buffer.alloc(0);
/** Transport padding allowed after a boundary (RFC 2046 LWSP); longer runs mean "not a delimiter". */
const MAX_PADDING = 256;
const PASS_THROUGH = new Set(['binary', '8bit', '7bit']);

type DelimiterEnd = { close: boolean; next: number } | 'more' | 'none';
type Current = { info: PartInfo; size: number; decoder?: Base64Decoder } & ({ root: true } | { root: false; sink: Writable });

export class MultipartParser {
  private readonly dashBoundary: Buffer; // "--" boundary
  private readonly delimiter: Buffer; // LF "--" boundary (an optional CR before it also belongs to the delimiter)
  /** Bytes of a new chunk joined to a held tail: a whole delimiter plus what may follow it ("--", CR LF). */
  private readonly seamBytes: number;
  private buf: Buffer = EMPTY;
  private state: 'preamble' | 'headers' | 'body' | 'epilogue' = 'preamble';
  /** buf[0] starts a line, so a delimiter may begin there without a line break (message start, empty part). */
  private lineStart = true;
  private total = 0;
  private preambleBytes = 0;
  private partCount = 0;
  private headerLines: string[] = [];
  private headerBytes = 0;
  private current?: Current;
  private readonly rootChunks: Buffer[] = [];
  private rootInfo?: ReadPartInfo;
  private readonly attachments: ReadPartInfo[] = [];
  private readonly seenIds = new Set<string>();
  private readonly sinks: Writable[] = [];
  private failure?: Error;

  constructor(
    private readonly boundary: string,
    private readonly start: string | undefined,
    private readonly limits: MultipartLimits,
    private readonly sinkFor: SinkFactory,
  ) {
    this.dashBoundary = Buffer.from(`--${boundary}`, 'latin1');
    this.delimiter = Buffer.from(`\n--${boundary}`, 'latin1');
    this.seamBytes = this.delimiter.length + 8;
  }

  async push(chunk: Buffer): Promise<void> {
    this.throwIfFailed();
    this.total += chunk.length;
    const maxTotal = this.limits.maxTotalBytes;
    if (maxTotal !== undefined && this.total > maxTotal) {
      throw new LimitError(`The multipart body exceeds the limit of ${maxTotal} bytes`);
    }
    // buf is always the unconsumed end of everything fed so far (the states only ever drop bytes from its front).
    // `fed` bytes of chunk have been fed. While bytes of an earlier chunk are still held, feed the chunk piecewise
    // through a small concatenated seam; as soon as everything held lies within the fed part of this chunk, the
    // held bytes are chunk[fed - held, fed), so the parser goes on with a view of the chunk instead of a copy.
    for (let fed = 0; fed < chunk.length && this.state !== 'epilogue'; ) {
      const held = this.buf.length;
      if (held <= fed) {
        this.buf = chunk.subarray(fed - held);
        fed = chunk.length;
      } else {
        // At least as many new bytes as are held: a held delimiter prefix is resolved by one seam, and a long
        // held run (part headers, transport padding) at most doubles per step, so seam copying stays linear.
        const n = Math.min(chunk.length - fed, Math.max(held, this.seamBytes));
        this.buf = Buffer.concat([this.buf, chunk.subarray(fed, fed + n)]);
        fed += n;
      }
      await this.run();
    }
  }

  /** Runs the state machine over buf until it needs more input. */
  private async run(): Promise<void> {
    for (;;) {
      let progressed: boolean;
      if (this.state === 'preamble') progressed = this.scanPreamble();
      else if (this.state === 'headers') progressed = await this.scanHeaders();
      else if (this.state === 'body') progressed = await this.scanBody();
      else progressed = false;
      if (!progressed) return;
    }
  }

  async finish(): Promise<MultipartResult> {
    this.throwIfFailed();
    const where = `part ${this.partCount}`;
    if (this.state === 'preamble') {
      throw new SoapFault('Sender', `The body contains no multipart delimiter "--${this.boundary}"`);
    }
    if (this.state === 'headers') {
      throw new SoapFault('Sender', `The body ended inside the headers of ${where} (no blank line, no close delimiter)`);
    }
    if (this.state === 'body') {
      throw new SoapFault('Sender', `The body ended in ${where} before the close delimiter "--${this.boundary}--"`);
    }
    if (this.rootInfo === undefined) {
      throw new SoapFault('Sender', `No part has the Content-ID <${this.start ?? ''}> named by the start parameter`);
    }
    return { root: Buffer.concat(this.rootChunks), rootInfo: this.rootInfo, attachments: this.attachments };
  }

  /** Records the failure and destroys every sink handed out (finished ones included). */
  abort(err: Error): void {
    this.failure ??= err;
    for (const sink of this.sinks) if (!sink.destroyed) sink.destroy(err);
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** Next delimiter candidate at or after `from`: [start incl. its CR LF, index after the boundary]. */
  private candidate(from: number): [number, number] | 'more' | null {
    if (this.lineStart && from === 0) {
      const n = Math.min(this.buf.length, this.dashBoundary.length);
      if (this.buf.compare(this.dashBoundary, 0, n, 0, n) === 0) return n < this.dashBoundary.length ? 'more' : [0, n];
    }
    const i = this.buf.indexOf(this.delimiter, from);
    if (i < 0) return null;
    return [i > 0 && this.buf[i - 1] === CR ? i - 1 : i, i + this.delimiter.length];
  }

  /** What follows a boundary at `p`: `--` (close), transport padding + line break (next part), or neither. */
  private delimiterEnd(p: number): DelimiterEnd {
    const b = this.buf;
    if (p >= b.length) return 'more';
    if (b[p] === DASH) {
      if (p + 1 >= b.length) return 'more';
      return b[p + 1] === DASH ? { close: true, next: p + 2 } : 'none';
    }
    let q = p;
    while (q < b.length && (b[q] === SP || b[q] === HT)) if (++q - p > MAX_PADDING) return 'none';
    if (q >= b.length) return 'more';
    if (b[q] === LF) return { close: false, next: q + 1 };
    if (b[q] !== CR) return 'none';
    if (q + 1 >= b.length) return 'more';
    return b[q + 1] === LF ? { close: false, next: q + 2 } : 'none';
  }

  private scanPreamble(): boolean {
    for (let from = 0; ; ) {
      const c = this.candidate(from);
      if (c === 'more') return false;
      if (c === null) {
        this.discardPreamble(this.buf.length - Math.min(this.buf.length, this.delimiter.length));
        return false;
      }
      const end = this.delimiterEnd(c[1]);
      if (end === 'none') {
        from = c[1] - this.dashBoundary.length + 1;
        continue;
      }
      this.discardPreamble(c[0]);
      if (end === 'more') return false;
      if (end.close) throw new SoapFault('Sender', 'The multipart body has no parts (it starts with the close delimiter)');
      this.buf = this.buf.subarray(end.next - c[0]);
      this.startHeaders();
      return true;
    }
  }

  private discardPreamble(n: number): void {
    if (n <= 0) return;
    this.buf = this.buf.subarray(n);
    this.lineStart = false;
    this.preambleBytes += n;
    if (this.preambleBytes > this.limits.maxHeaderBytes) {
      throw new LimitError(
        `No multipart delimiter "--${this.boundary}" within the first ${this.limits.maxHeaderBytes} bytes of the body`,
      );
    }
  }

  private startHeaders(): void {
    this.partCount++;
    if (this.partCount > this.limits.maxParts) {
      throw new LimitError(`The multipart body has more than ${this.limits.maxParts} parts`);
    }
    this.state = 'headers';
    this.headerLines = [];
    this.headerBytes = 0;
  }

  private async scanHeaders(): Promise<boolean> {
    const max = this.limits.maxHeaderBytes;
    const where = `part ${this.partCount}`;
    for (;;) {
      const lf = this.buf.indexOf(LF);
      if (this.headerBytes + (lf < 0 ? this.buf.length : lf + 1) > max) {
        throw new LimitError(`The headers of ${where} exceed ${max} bytes`);
      }
      if (lf < 0) return false;
      this.headerBytes += lf + 1;
      const line = this.buf.toString('utf8', 0, lf).trimEnd(); // drops the CR and trailing blanks
      this.buf = this.buf.subarray(lf + 1);
      if (line.trim() === '') {
        await this.beginPart();
        return true;
      }
      if (line.startsWith(`--${this.boundary}`)) {
        throw new SoapFault('Sender', `${where} has no blank line after its headers (the next delimiter follows)`);
      }
      checkHeaderLine(line, this.headerLines.length === 0, where);
      this.headerLines.push(line);
    }
  }

  private async beginPart(): Promise<void> {
    const headers = parseHeaderLines(this.headerLines);
    const info: PartInfo = { headers, index: this.partCount - 1 };
    const where = `part ${this.partCount}`;
    if (headers['content-id'] !== undefined) info.contentId = normalizeContentId(headers['content-id']);
    if (headers['content-type'] !== undefined) info.contentType = headers['content-type'];
    const cte = headers['content-transfer-encoding']?.toLowerCase();
    if (cte !== undefined) info.transferEncoding = cte;
    if (info.contentId !== undefined) {
      if (this.seenIds.has(info.contentId)) {
        throw new SoapFault('Sender', `Content-ID <${info.contentId}> is used by more than one part`);
      }
      this.seenIds.add(info.contentId);
    }
    let decoder: Base64Decoder | undefined;
    if (cte === 'base64') decoder = new Base64Decoder(where);
    else if (cte !== undefined && !PASS_THROUGH.has(cte)) {
      throw new SoapFault('Sender', `${where}: Content-Transfer-Encoding ${cte} is not supported; use binary or base64`);
    }
    const isRoot = this.start === undefined ? info.index === 0 : info.contentId === this.start;
    if (isRoot) {
      this.current = { info, size: 0, decoder, root: true };
    } else {
      const sink = await this.sinkFor(info);
      this.sinks.push(sink);
      // Keeps a listener for the sink's lifetime: a sink error aborts the read and destroy(err) cannot crash.
      sink.on('error', (err: Error) => {
        this.failure ??= err;
      });
      this.current = { info, size: 0, decoder, root: false, sink };
    }
    this.state = 'body';
    this.lineStart = true;
  }

  private async scanBody(): Promise<boolean> {
    for (let from = 0; ; ) {
      const c = this.candidate(from);
      if (c === 'more') return false;
      if (c === null) {
        // Hold back only a tail that could begin a delimiter split across chunks; it is found next time.
        await this.emit(this.buf.length - this.partialDelimiterLength());
        return false;
      }
      const end = this.delimiterEnd(c[1]);
      if (end === 'none') {
        from = c[1] - this.dashBoundary.length + 1;
        continue;
      }
      await this.emit(c[0]);
      if (end === 'more') return false;
      this.buf = this.buf.subarray(end.next - c[0]);
      await this.endPart();
      if (end.close) {
        this.state = 'epilogue';
        this.buf = EMPTY;
      } else {
        this.startHeaders();
      }
      return true;
    }
  }

  /**
   * Length of the end of buf that may begin a delimiter completed by later input: CR? LF "--" boundary cut short
   * (from its LF), or a lone final CR; 0 when no end of buf can. Called when buf holds no whole delimiter candidate
   * at or after the scan position, so only LFs within the last delimiter-length - 1 bytes need checking (the
   * boundary has no LF, so at most one of them can match).
   */
  private partialDelimiterLength(): number {
    const b = this.buf;
    const len = b.length;
    for (let s = Math.max(0, len - this.delimiter.length + 1); s < len; s++) {
      if (b[s] === LF && b.compare(this.delimiter, 0, len - s, s, len) === 0) {
        return s > 0 && b[s - 1] === CR ? len - s + 1 : len - s;
      }
    }
    return len > 0 && b[len - 1] === CR ? 1 : 0;
  }

  /** Passes the first n bytes of buf on as content of the current part (a view of buf, not a copy). */
  private async emit(n: number): Promise<void> {
    if (n <= 0) return;
    const raw = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    this.lineStart = false;
    const cur = this.current;
    if (cur !== undefined) await this.deliver(cur, cur.decoder ? cur.decoder.push(raw) : raw);
  }

  private async deliver(cur: Current, data: Buffer): Promise<void> {
    if (data.length === 0) return;
    cur.size += data.length;
    const max = cur.root ? this.limits.maxRootBytes : this.limits.maxPartBytes;
    if (max !== undefined && cur.size > max) {
      const what = cur.root ? 'The root part' : `Part ${cur.info.index + 1} (Content-ID <${cur.info.contentId ?? ''}>)`;
      throw new LimitError(`${what} exceeds the limit of ${max} bytes`);
    }
    if (cur.root) {
      this.rootChunks.push(data);
    } else {
      await writeChunk(cur.sink, data);
      this.throwIfFailed();
    }
  }

  private async endPart(): Promise<void> {
    const cur = this.current;
    if (cur === undefined) return;
    if (cur.decoder) await this.deliver(cur, cur.decoder.end());
    this.current = undefined;
    const done: ReadPartInfo = { ...cur.info, size: cur.size };
    if (cur.root) {
      this.rootInfo = done;
    } else {
      await endAndWait(cur.sink);
      this.attachments.push(done);
    }
  }
}
