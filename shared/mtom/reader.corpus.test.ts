/** Every raw MTOM capture of the conformance corpus (MANIFEST.md "complete on-the-wire messages") is read correctly. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NS } from '../xml/namespaces';
import { contentIdFromHref } from './contentType';
import { readMultipartRelated, type MultipartBody, type MultipartResult } from './reader';
import { CollectingSink, chunked } from './testing';

const CORPUS = path.resolve(__dirname, '../../../shared/conformance/corpus');
const LIMITS = { maxParts: 10, maxHeaderBytes: 8192, maxRootBytes: 1 << 20, maxPartBytes: 1 << 20 };
const DOC_TXT = 'This is my document.\n\nIt is great!\n\n';

interface ExpectedPart {
  contentId: string;
  contentType: string;
  /** Exact bytes (LF version) or, for long texts, the start and end. */
  bytes?: Buffer;
  startsWith?: string;
  endsWith?: string;
}

interface Capture {
  file: string;
  /** Header + body of the LF version as stored. */
  load: () => { contentType: string; body: Buffer };
  rootId: string;
  attachments: ExpectedPart[];
  /** Content-IDs named by xop:Include hrefs, when they differ from the attachments' (a flaw of the capture). */
  hrefs?: string[];
}

const read = (rel: string): Buffer => fs.readFileSync(path.join(CORPUS, rel));

/** Splits a stored HTTP request (request line, header lines, blank line, body). Header lines may end in a space. */
function splitHttp(raw: Buffer): { contentType: string; body: Buffer } {
  const lfEnd = raw.indexOf('\n\n');
  const crlfEnd = raw.indexOf('\r\n\r\n');
  let [headEnd, bodyStart] = crlfEnd >= 0 && (lfEnd < 0 || crlfEnd < lfEnd) ? [crlfEnd, crlfEnd + 4] : [lfEnd, lfEnd + 2];
  if (headEnd < 0) [headEnd, bodyStart] = [raw.length, raw.length]; // headers only (multipart.header.txt)
  const line = raw
    .toString('latin1', 0, headEnd)
    .split(/\r?\n/)
    .find((l) => /^content-type:/i.test(l));
  if (line === undefined) throw new Error('no Content-Type header');
  return { contentType: line.slice(line.indexOf(':') + 1).trim(), body: raw.subarray(bodyStart) };
}

/** The Content-Type line of an HttpTransaction's <Headers> in a NIST testplan.xml. */
function testplanContentType(dir: string): string {
  const plan = read(`${dir}/testplan.xml`).toString('utf8');
  const headers = /<Headers>([\s\S]*?)<\/Headers>/.exec(plan)?.[1] ?? '';
  const line = headers.split('\n').find((l) => /^\s*content-type:/i.test(l));
  if (line === undefined) throw new Error(`no Content-Type in ${dir}/testplan.xml`);
  return line.slice(line.indexOf(':') + 1).trim();
}

const fromTestplan = (dir: string) => () => ({ contentType: testplanContentType(dir), body: read(`${dir}/body.txt`) });
const textPart = (contentId: string, bytes: Buffer): ExpectedPart => ({ contentId, contentType: 'text/plain', bytes });

const CAPTURES: Capture[] = [
  {
    file: 'iti41/nist-wire/messagevalidator/http-mtom-pnr.txt',
    load: () => splitHttp(read('iti41/nist-wire/messagevalidator/http-mtom-pnr.txt')),
    rootId: '0.urn:uuid:3D4B161591CD1DEC0C1286850962203@apache.org',
    attachments: [
      {
        contentId: '1.urn:uuid:3D4B161591CD1DEC0C1286850962319@apache.org',
        contentType: 'text/plain',
        startsWith: 'Four score and seven years ago our fathers',
        endsWith: 'shall not perish from the earth.',
      },
    ],
  },
  {
    file: 'iti41/nist-wire/config-datatypes/multipart.body.txt',
    load: () => ({
      contentType: splitHttp(read('iti41/nist-wire/config-datatypes/multipart.header.txt')).contentType,
      body: read('iti41/nist-wire/config-datatypes/multipart.body.txt'),
    }),
    rootId: '0.8a2e384099b4a244bc1c7bab88c735b4f94aeb2925619b62@apache.org',
    attachments: [textPart('1.9a2e384099b4a244bc1c7bab88c735b4f94aeb2925619b62@apache.org', Buffer.from(DOC_TXT))],
  },
  {
    file: 'iti41/nist-wire/selftest-socket/request.txt',
    load: () => splitHttp(read('iti41/nist-wire/selftest-socket/request.txt')),
    rootId: '0.urn:uuid:8D3C3AFA28B895245C1247499530741@apache.org',
    attachments: [
      {
        contentId: '1.urn:uuid:8D3C3AFA28B895245C1247499531173@apache.org',
        contentType: 'text/xml',
        startsWith: '<?xml version="1.0" ?><ClinicalDocument',
        endsWith: '</ClinicalDocument>',
      },
    ],
  },
  {
    // Stored without HTTP headers: no start parameter, so the first part is the root.
    file: 'iti41/nist-wire/sim-proxy/sample_mtom_message.txt',
    load: () => {
      const body = read('iti41/nist-wire/sim-proxy/sample_mtom_message.txt');
      const boundary = body.toString('latin1', 2, body.indexOf('\n'));
      return { contentType: `multipart/related; boundary=${boundary}; type="application/xop+xml"`, body };
    },
    rootId: '1.694859fac46e21a68c012f8f4fe208a370fc32b6e07ae79f',
    attachments: [textPart('2.694859fac46e21a68c012f8f4fe208a370fc32b6e07ae79f', Buffer.from(DOC_TXT))],
    // The capture is inconsistent: its href does not name the attachment (an XDSMissingDocument case for ITI-41).
    hrefs: ['1.694859fac46e21a68c012f8f4fe208a370fc32b6e07ae79f@apache.org'],
  },
  {
    file: 'iti41/nist-testkit/PnrXop/Xop/body.txt',
    load: fromTestplan('iti41/nist-testkit/PnrXop/Xop'),
    rootId: '0.85b57d7287e4fa4b528a8f050c41f8ad829c20332f23b48d@apache.org',
    attachments: [
      textPart('1.b5b57d7287e4fa4b528a8f050c41f8ad829c20332f23b48d@apache.org', read('iti41/nist-testkit/PnrXop/Xop/my_document.txt')),
    ],
  },
  {
    file: 'iti41/nist-testkit/PnrXop/encodedURL/body.txt',
    load: fromTestplan('iti41/nist-testkit/PnrXop/encodedURL'),
    rootId: '0.85b57d7287e4fa4b528a8f050c41f8ad829c20332f23b48d@apache.org',
    attachments: [
      textPart(
        'fdf975cc-9f08-4d94-b7f6-99f4807f3654-1@urn:ihe:iti:xds-b:2007',
        read('iti41/nist-testkit/PnrXop/encodedURL/my_document.txt'),
      ),
    ],
  },
  {
    file: 'iti41/nist-testkit/PnrXop/NoXop/body.txt',
    load: fromTestplan('iti41/nist-testkit/PnrXop/NoXop'),
    rootId: '0.85b57d7287e4fa4b528a8f050c41f8ad829c20332f23b48d@apache.org',
    attachments: [],
  },
  {
    file: 'iti41/nist-testkit/PnrNoXop/submit/body.txt',
    load: fromTestplan('iti41/nist-testkit/PnrNoXop/submit'),
    rootId: '0.85b57d7287e4fa4b528a8f050c41f8ad829c20332f23b48d@apache.org',
    attachments: [
      textPart(
        '1.b5b57d7287e4fa4b528a8f050c41f8ad829c20332f23b48d@apache.org',
        read('iti41/nist-testkit/PnrNoXop/submit/my_document.txt'),
      ),
    ],
  },
  {
    // WCF style: boundary "uuid:...+id=17", 8bit root, Content-ID <http://tempuri.org/0>, empty preamble line.
    file: 'iti41/nist-testkit/PnrXop/dicom/body.txt',
    load: fromTestplan('iti41/nist-testkit/PnrXop/dicom'),
    rootId: 'http://tempuri.org/0',
    attachments: [],
  },
];

/** Files the corpus grep finds that are not MTOM packages, and why. */
const NOT_MTOM: Record<string, string> = {
  'negative/nist-wire/httpParser/http-simple.txt': 'single application/xml part (negative case)',
  'negative/nist-testkit/15806/readme.txt': 'prose',
  'iti42/nist-wire/config-datatypes/simple.body.txt': 'plain SOAP body',
  'iti42/nist-testkit/regsubmit/submitInheritNsDirect/body.txt': 'plain SOAP body',
  'iti41/nist-wire/config-datatypes/multipart.header.txt': 'headers of multipart.body.txt',
};

function grepCorpus(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) grepCorpus(p, out);
    else if (e.name.endsWith('.txt') && /multipart\/related|MIMEBoundary|uuid:/i.test(fs.readFileSync(p, 'latin1'))) {
      out.push(path.relative(CORPUS, p).split(path.sep).join('/'));
    }
  }
  return out;
}

const toCrlf = (b: Buffer): Buffer => Buffer.from(b.toString('latin1').replace(/\n/g, '\r\n'), 'latin1');

async function readAll(body: MultipartBody, contentType: string): Promise<{ res: MultipartResult; data: Buffer[] }> {
  const sinks: CollectingSink[] = [];
  const res = await readMultipartRelated(body, contentType, LIMITS, () => {
    const s = new CollectingSink();
    sinks.push(s);
    return s;
  });
  return { res, data: sinks.map((s) => s.data) };
}

function check(c: Capture, crlf: boolean, { res, data }: { res: MultipartResult; data: Buffer[] }): void {
  const eol = (s: string): string => (crlf ? s.replace(/\n/g, '\r\n') : s);
  const root = res.root.toString('utf8');
  expect(res.rootInfo.contentId).toBe(c.rootId);
  expect(res.rootInfo.contentType?.toLowerCase()).toMatch(/^application\/xop\+xml;/);
  expect(root).toContain(NS.soap12);
  expect(root).toMatch(/^(<\?xml[^>]*\?>\s*)?<(\w+:)?Envelope[\s>]/);
  expect(root.trimEnd()).toMatch(/<\/(\w+:)?Envelope>$/);
  expect(res.attachments.map((a) => [a.contentId, a.contentType])).toEqual(c.attachments.map((a) => [a.contentId, a.contentType]));
  // Every xop:Include href resolves to an attachment, and every attachment is referenced.
  const hrefs = [...root.matchAll(/href="([^"]+)"/g)].map((m) => contentIdFromHref(m[1]));
  expect(hrefs.sort()).toEqual(c.hrefs ?? c.attachments.map((a) => a.contentId).sort());
  c.attachments.forEach((want, i) => {
    const got = data[i];
    expect(res.attachments[i].size).toBe(got.length);
    if (want.bytes) expect(got.equals(crlf ? toCrlf(want.bytes) : want.bytes)).toBe(true);
    const text = got.toString('utf8');
    if (want.startsWith) expect(text.startsWith(eol(want.startsWith))).toBe(true);
    if (want.endsWith) expect(text.endsWith(eol(want.endsWith))).toBe(true);
  });
}

describe('readMultipartRelated on the conformance corpus', () => {
  it('covers every raw MTOM capture the corpus grep finds', () => {
    const found = grepCorpus(CORPUS).filter((f) => !(f in NOT_MTOM));
    expect(found.sort()).toEqual(CAPTURES.map((c) => c.file).sort());
  });

  describe.each(CAPTURES.map((c) => [c.file, c] as const))('%s', (_name, c) => {
    it('reads the stored (bare LF) bytes', async () => {
      const { contentType, body } = c.load();
      check(c, false, await readAll([body], contentType));
    });

    it('reads a CRLF copy', async () => {
      const { contentType, body } = c.load();
      check(c, true, await readAll([toCrlf(body)], contentType));
    });

    it('reads it from a file stream and in small chunks', async () => {
      const { contentType, body } = c.load();
      const file = path.join(CORPUS, c.file);
      if (!c.file.endsWith('.header.txt') && body.length === fs.statSync(file).size) {
        check(c, false, await readAll(fs.createReadStream(file, { highWaterMark: 1024 }), contentType));
      }
      for (const size of [1, 2, 3, 5, 64, 4096]) check(c, false, await readAll(chunked(body, size), contentType));
    });
  });

  it('gives identical bytes for every chunk size 1..97 (http-mtom-pnr.txt, LF and CRLF)', async () => {
    const c = CAPTURES[0];
    const { contentType, body } = c.load();
    for (const crlf of [false, true]) {
      const input = crlf ? toCrlf(body) : body;
      const whole = await readAll([input], contentType);
      check(c, crlf, whole);
      for (let size = 1; size <= 97; size++) {
        const { res, data } = await readAll(chunked(input, size), contentType);
        expect(res.root.equals(whole.res.root)).toBe(true);
        expect(data).toHaveLength(1);
        expect(data[0].equals(whole.data[0])).toBe(true);
      }
    }
  });
});
