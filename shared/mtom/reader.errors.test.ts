import { Readable } from 'node:stream';
import { LimitError, SoapFault } from '../errors';
import { readMultipartRelated, type MultipartBody, type MultipartLimits, type PartInfo } from './reader';
import { CollectingSink, TEST_LIMITS, buildMultipart, chunked, type CollectingSinkOptions, type TestPart } from './testing';

const B = 'MIMEBoundary_errors';
const CT = `multipart/related; type="application/xop+xml"; boundary="${B}"; start="<root@test>"`;
const ROOT: TestPart = { headers: ['Content-Type: application/xop+xml', 'Content-ID: <root@test>'], body: '<Envelope/>' };
const doc = (id: string, body: Buffer | string = 'document', cte = 'binary'): TestPart => ({
  headers: ['Content-Type: text/plain', `Content-Transfer-Encoding: ${cte}`, `Content-ID: <${id}>`],
  body,
});
const GOOD = buildMultipart(B, [ROOT, doc('a@test', 'AAAA'), doc('b@test', 'BBBB')]);

interface Failure {
  error: Error;
  sinks: CollectingSink[];
  parts: PartInfo[];
}

/** Runs the reader, expecting a rejection; every sink is a CollectingSink (finished sinks stay undestroyed). */
async function failure(
  body: MultipartBody,
  contentType = CT,
  limits: MultipartLimits = TEST_LIMITS,
  sinkOpts: CollectingSinkOptions = { autoDestroy: false },
): Promise<Failure> {
  const sinks: CollectingSink[] = [];
  const parts: PartInfo[] = [];
  const outcome = await readMultipartRelated(body, contentType, limits, (p) => {
    parts.push(p);
    const s = new CollectingSink(sinkOpts);
    sinks.push(s);
    return s;
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof Error)) throw new Error('expected readMultipartRelated to reject');
  return { error: outcome, sinks, parts };
}

/** The error is a Sender fault (HTTP 400) of the given class whose message matches. */
function expectFault(f: Failure, cls: typeof SoapFault | typeof LimitError, message: RegExp): void {
  expect(f.error).toBeInstanceOf(cls);
  expect((f.error as SoapFault).code).toBe('Sender');
  expect((f.error as SoapFault).httpStatus).toBe(400);
  expect(f.error.message).toMatch(message);
}

/** Every sink handed out was destroyed with the error. */
function expectSinksDestroyed(f: Failure, count: number): void {
  expect(f.sinks).toHaveLength(count);
  for (const s of f.sinks) {
    expect(s.destroyed).toBe(true);
    expect(s.destroyedWith).toBe(f.error);
  }
}

describe('readMultipartRelated errors', () => {
  it('refuses a Content-Type without boundary, or that is not multipart/related', async () => {
    for (const ct of ['multipart/related; type="application/xop+xml"', 'multipart/related; boundary=""', 'multipart/related']) {
      expectFault(await failure([GOOD], ct), SoapFault, /has no boundary parameter/);
    }
    expectFault(await failure([GOOD], 'application/soap+xml; charset=UTF-8'), SoapFault, /Expected a multipart\/related body/);
    expectFault(await failure([GOOD], 'multipart/related; boundary="abc'), SoapFault, /unterminated quoted value of "boundary"/);
    expectFault(await failure([GOOD], ''), SoapFault, /Malformed Content-Type/);
  });

  it('refuses a body without the delimiter, or whose first delimiter is the close delimiter', async () => {
    const wrong = buildMultipart('other', [ROOT]);
    expectFault(await failure([wrong]), SoapFault, /contains no multipart delimiter "--MIMEBoundary_errors"/);
    expectFault(await failure([]), SoapFault, /contains no multipart delimiter/);
    const big = Buffer.concat([Buffer.alloc(10_000, 'x'), wrong]);
    expectFault(await failure(chunked(big, 1000)), LimitError, /No multipart delimiter .* within the first 4096 bytes/);
    expectFault(await failure([Buffer.from(`--${B}--\r\n`)]), SoapFault, /has no parts/);
  });

  it('refuses every truncation of a message before its close delimiter, destroying open sinks', async () => {
    const closeAt = GOOD.lastIndexOf(`--${B}--`) + B.length + 4; // full message minus the final CRLF
    for (let n = 0; n < GOOD.length; n++) {
      const body = GOOD.subarray(0, n);
      if (n >= closeAt) {
        const sinks: CollectingSink[] = [];
        const r = await readMultipartRelated(chunked(body, 7), CT, TEST_LIMITS, () => sinks[sinks.push(new CollectingSink()) - 1]);
        expect(sinks.map((s) => s.data.toString())).toEqual(['AAAA', 'BBBB']);
        expect(r.root.toString()).toBe('<Envelope/>');
        continue;
      }
      const f = await failure(chunked(body, 7));
      expectFault(f, SoapFault, /no multipart delimiter|ended inside the headers|before the close delimiter "--MIMEBoundary_errors--"/);
      expectSinksDestroyed(f, f.sinks.length);
    }
    const cut = await failure([GOOD.subarray(0, GOOD.indexOf('BBBB') + 2)]);
    expectFault(cut, SoapFault, /^The body ended in part 3 before the close delimiter/);
    expectSinksDestroyed(cut, 2);
  });

  it('refuses a part without the blank line after its headers', async () => {
    const contentFollows = Buffer.from(`--${B}\r\nContent-ID: <root@test>\r\n<?xml version="1.0"?><soapenv:Envelope/>\r\n--${B}--\r\n`);
    expectFault(await failure([contentFollows]), SoapFault, /part 1: "<\?xml.*" is not a MIME header line; is the blank line .* missing\?/);
    const delimiterFollows = Buffer.from(`--${B}\r\nContent-ID: <root@test>\r\n\r\nroot\r\n--${B}\r\nContent-ID: <a@test>\r\n--${B}--\r\n`);
    expectFault(await failure(chunked(delimiterFollows, 3)), SoapFault, /part 2 has no blank line after its headers/);
    const continuationFirst = Buffer.from(`--${B}\r\n  folded\r\n\r\nx\r\n--${B}--`);
    expectFault(await failure([continuationFirst]), SoapFault, /starts with a continuation line/);
  });

  it('enforces maxParts and destroys the sinks already handed out', async () => {
    const body = buildMultipart(B, [ROOT, doc('a@test'), doc('b@test'), doc('c@test'), doc('d@test')]);
    const f = await failure([body], CT, { ...TEST_LIMITS, maxParts: 3 });
    expectFault(f, LimitError, /more than 3 parts/);
    expectSinksDestroyed(f, 2);
    // With auto-destroying sinks (fs streams) the finished ones are already closed: no crash, nothing re-destroyed.
    const auto = await failure([body], CT, { ...TEST_LIMITS, maxParts: 3 }, {});
    expectFault(auto, LimitError, /more than 3 parts/);
    expect(auto.sinks.every((s) => s.destroyed && s.destroyedWith === null)).toBe(true);
  });

  it('enforces maxHeaderBytes per part header block', async () => {
    const long = doc('a@test', 'x');
    long.headers.push(`X-Long: ${'y'.repeat(300)}`);
    const limits = { ...TEST_LIMITS, maxHeaderBytes: 200 };
    for (const size of [1, 50, 100_000]) {
      const f = await failure(chunked(buildMultipart(B, [ROOT, long]), size), CT, limits);
      expectFault(f, LimitError, /headers of part 2 exceed 200 bytes/);
    }
    const endless = Buffer.concat([Buffer.from(`--${B}\r\nX-Endless: `), Buffer.alloc(5000, 'z')]);
    expectFault(await failure(chunked(endless, 64), CT, limits), LimitError, /headers of part 1 exceed 200 bytes/);
  });

  it('enforces maxRootBytes on the decoded root', async () => {
    const limits = { ...TEST_LIMITS, maxRootBytes: 10 };
    expectFault(await failure([GOOD], CT, limits), LimitError, /The root part exceeds the limit of 10 bytes/);
    const b64Root: TestPart = {
      headers: [...ROOT.headers, 'Content-Transfer-Encoding: base64'],
      body: Buffer.from('0123456789A').toString('base64'),
    };
    expectFault(await failure([buildMultipart(B, [b64Root])], CT, limits), LimitError, /root part exceeds/);
    const tenBytes = buildMultipart(B, [{ ...b64Root, body: 'MDEyMzQ1Njc4OQ==' }]);
    expect((await readMultipartRelated([tenBytes], CT, limits, () => new CollectingSink())).root.toString()).toBe('0123456789');
  });

  it('enforces maxPartBytes while streaming and never gives the sink more', async () => {
    const limits = { ...TEST_LIMITS, maxPartBytes: 1000 };
    const body = buildMultipart(B, [ROOT, doc('small@test', 'ok'), doc('big@test', Buffer.alloc(5000, 1))]);
    const f = await failure(chunked(body, 300), CT, limits);
    expectFault(f, LimitError, /Part 3 \(Content-ID <big@test>\) exceeds the limit of 1000 bytes/);
    expectSinksDestroyed(f, 2);
    expect(f.sinks[1].data.length).toBeLessThanOrEqual(1000);
    const b64 = buildMultipart(B, [ROOT, doc('b64@test', Buffer.alloc(1001).toString('base64'), 'base64')]);
    expectFault(await failure([b64], CT, limits), LimitError, /Part 2 \(Content-ID <b64@test>\) exceeds/);
  });

  it('enforces maxTotalBytes on the raw body, epilogue included', async () => {
    const limits = { ...TEST_LIMITS, maxTotalBytes: GOOD.length - 1 };
    const f = await failure(chunked(GOOD, 16), CT, limits);
    expectFault(f, LimitError, new RegExp(`body exceeds the limit of ${GOOD.length - 1} bytes`));
    const epilogue = Buffer.concat([GOOD, Buffer.alloc(100)]);
    expectFault(await failure([epilogue], CT, { ...TEST_LIMITS, maxTotalBytes: GOOD.length }), LimitError, /body exceeds/);
  });

  it('refuses quoted-printable and unknown transfer encodings before asking for a sink', async () => {
    for (const cte of ['quoted-printable', 'x-uuencode']) {
      const f = await failure([buildMultipart(B, [ROOT, doc('a@test'), doc('qp@test', 'a=3Db', cte)])]);
      expectFault(f, SoapFault, new RegExp(`part 3: Content-Transfer-Encoding ${cte} is not supported; use binary or base64`));
      expect(f.parts.map((p) => p.contentId)).toEqual(['a@test']);
      expectSinksDestroyed(f, 1);
    }
  });

  it('refuses malformed base64', async () => {
    const cases: Array<[string, RegExp]> = [
      ['QUJD*RA==', /part 2: invalid byte 0x2a in base64 content/],
      ['QQ==QUJD', /base64 data continues after '=' padding/],
      ['QUJDR', /base64 content is truncated/],
    ];
    for (const [text, message] of cases) {
      const f = await failure(chunked(buildMultipart(B, [ROOT, doc('a@test', text, 'base64')]), 3));
      expectFault(f, SoapFault, message);
      expectSinksDestroyed(f, 1);
    }
  });

  it('refuses a start parameter that names no part, and duplicate Content-IDs', async () => {
    const noRoot = await failure([GOOD], `multipart/related; boundary=${B}; start="<missing@test>"`);
    expectFault(noRoot, SoapFault, /No part has the Content-ID <missing@test> named by the start parameter/);
    expectSinksDestroyed(noRoot, 3);
    const dup = await failure([buildMultipart(B, [ROOT, doc('a@test'), doc('a@test')])]);
    expectFault(dup, SoapFault, /Content-ID <a@test> is used by more than one part/);
    expectSinksDestroyed(dup, 1);
  });

  it('passes a sink error through and destroys the other sinks', async () => {
    const body = buildMultipart(B, [ROOT, doc('a@test', 'A'), doc('b@test', Buffer.alloc(200_000))]);
    const sinks: CollectingSink[] = [];
    const err = await readMultipartRelated(chunked(body, 65536), CT, TEST_LIMITS, (p) => {
      const s = new CollectingSink(p.contentId === 'b@test' ? { failAfter: 100_000 } : { autoDestroy: false });
      sinks.push(s);
      return s;
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(SoapFault);
    expect((err as Error).message).toBe('disk full');
    expect(sinks[0].destroyedWith).toBe(err);
    expect(sinks[1].destroyed).toBe(true);
  });

  it('passes a sink factory error through and destroys the earlier sinks', async () => {
    const boom = new Error('no temp dir');
    const sinks: CollectingSink[] = [];
    const err = await readMultipartRelated([GOOD], CT, TEST_LIMITS, (p) => {
      if (p.contentId === 'b@test') throw boom;
      return sinks[sinks.push(new CollectingSink({ autoDestroy: false })) - 1];
    }).catch((e: unknown) => e);
    expect(err).toBe(boom);
    expect(sinks[0].destroyedWith).toBe(boom);
  });

  it('leaves a Readable body undestroyed on error so that the caller can drain it', async () => {
    const stream = Readable.from(chunked(Buffer.concat([Buffer.from(`--${B}\r\nbad header\r\n`), Buffer.alloc(10_000)]), 16));
    const f = await failure(stream);
    expectFault(f, SoapFault, /is not a MIME header line/);
    expect(stream.destroyed).toBe(false);
    let rest = 0;
    stream.on('data', (c: Buffer) => (rest += c.length));
    await new Promise((resolve) => stream.on('end', resolve));
    expect(rest).toBeGreaterThan(9000);
  });
});
