import { X509Certificate } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCertsArgs, runCerts } from '../../scripts/certs';

let dir: string;

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'xds-certs-cli-'));
});

afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

test('argument parsing', () => {
  expect(parseCertsArgs([])).toEqual({ dir: 'certs', force: false, clients: [], dnsNames: [], ips: [], help: false });
  expect(parseCertsArgs(['out', '--force', '--client', 'a', '--client', 'b', '--dns', 'registry', '--ip', '10.0.0.2'])).toEqual({
    dir: 'out',
    force: true,
    clients: ['a', 'b'],
    dnsNames: ['registry'],
    ips: ['10.0.0.2'],
    help: false,
  });
  expect(() => parseCertsArgs(['--client'])).toThrow(/needs a value/);
  expect(() => parseCertsArgs(['--bogus'])).toThrow(/unknown option/);
  expect(() => parseCertsArgs(['a', 'b'])).toThrow(/unexpected argument/);
});

test('writes the PKI, prints what it wrote, adds client certificates from the existing CA, refuses to overwrite', async () => {
  const out: string[] = [];
  const files = await runCerts([dir, '--dns', 'registry'], (l) => out.push(l));
  expect(files.map((f) => path.basename(f))).toEqual(['ca.pem', 'ca-key.pem', 'server.pem', 'server-key.pem', 'client.pem', 'client-key.pem']);
  const text = out.join('\n');
  expect(text).toContain(path.join(dir, 'server-key.pem'));
  expect(text).toContain('private key');
  expect(text).toContain('SAN localhost, registry, 127.0.0.1');
  expect(new X509Certificate(await fsp.readFile(path.join(dir, 'server.pem'))).checkHost('registry')).toBe('registry');

  const extra = await runCerts([dir, '--client', 'consumer-b'], () => undefined);
  expect(extra.map((f) => path.basename(f))).toEqual(['consumer-b.pem', 'consumer-b-key.pem']);
  const ca = new X509Certificate(await fsp.readFile(path.join(dir, 'ca.pem')));
  expect(new X509Certificate(await fsp.readFile(extra[0])).checkIssued(ca)).toBe(true);

  await expect(runCerts([dir], () => undefined)).rejects.toThrow(/refusing to overwrite/);
});
