import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseXmllintOutput, reconstituteXop, SchemaBatch } from './schemaCheck';

const SCHEMAS = path.resolve(__dirname, '../../shared/schemas');
const ENV = (body: string): string =>
  `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Header/><env:Body>${body}</env:Body></env:Envelope>`;
const RS = 'xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"';

describe('schema check of answers', () => {
  it('validates envelopes and their bodies in one xmllint batch', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-'));
    try {
      const batch = new SchemaBatch(dir, SCHEMAS);
      batch.add('good', Buffer.from(ENV(`<rs:RegistryResponse ${RS} status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"/>`)));
      batch.add('bad-body', Buffer.from(ENV(`<rs:RegistryResponse ${RS} status="x"><rs:Bogus/></rs:RegistryResponse>`)));
      batch.add('bad-envelope', Buffer.from(`<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body/><env:Header/></env:Envelope>`));
      const problems = await batch.validate(2);
      expect(problems.get('good')).toEqual([]);
      expect(problems.get('bad-body')?.join()).toMatch(/Bogus/);
      expect(problems.get('bad-envelope')?.join()).toMatch(/Header/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replaces xop:Include by the base64 of its part before validation', () => {
    const envelope = Buffer.from('<a><xdsb:Document><xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:p%401"/></xdsb:Document></a>');
    const out = reconstituteXop(envelope, new Map([['p@1', { headers: {}, body: Buffer.from('hello') }]]));
    expect(out.toString()).toBe(`<a><xdsb:Document>${Buffer.from('hello').toString('base64')}</xdsb:Document></a>`);
  });

  it('reads xmllint output per file', () => {
    const out = parseXmllintOutput('/t/1.xml validates\n/t/2.xml:3: element X: Schemas validity error : nope\n/t/2.xml fails to validate\n', ['/t/1.xml', '/t/2.xml']);
    expect(out.get('/t/1.xml')).toEqual([]);
    expect(out.get('/t/2.xml')).toEqual(['element X: Schemas validity error : nope']);
  });
});
