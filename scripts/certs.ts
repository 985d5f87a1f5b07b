/**
 * Development PKI for mutual TLS and syslog over TLS.
 *
 *   node dist/scripts/certs.js [dir] [--force] [--client NAME]... [--dns NAME]... [--ip ADDRESS]...
 *
 * Without --client: writes ca.pem, ca-key.pem, server.pem, server-key.pem, client.pem, client-key.pem
 * into dir (default ./certs); --dns / --ip add names to the server certificate (localhost and
 * 127.0.0.1 are always included). With --client and an existing CA in dir: only issues NAME.pem /
 * NAME-key.pem from that CA. Refuses to overwrite files unless --force. Keys are for development
 * only and must never be committed (certs/*.pem is git-ignored).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { generateClientCert, generateDevPki } from '../shared/security/pki';

export interface CertsArgs {
  dir: string;
  force: boolean;
  clients: string[];
  dnsNames: string[];
  ips: string[];
  help: boolean;
}

const USAGE = 'usage: node dist/scripts/certs.js [dir] [--force] [--client NAME]... [--dns NAME]... [--ip ADDRESS]...';

export function parseCertsArgs(argv: string[]): CertsArgs {
  const args: CertsArgs = { dir: 'certs', force: false, clients: [], dnsNames: [], ips: [], help: false };
  let dirSet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--force' || a === '-f') args.force = true;
    else if (a === '--help' || a === '-h') args.help = true;
    else if (a === '--client') args.clients.push(value());
    else if (a === '--dns') args.dnsNames.push(value());
    else if (a === '--ip') args.ips.push(value());
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}\n${USAGE}`);
    else if (!dirSet) {
      args.dir = a;
      dirSet = true;
    } else throw new Error(`unexpected argument ${a}\n${USAGE}`);
  }
  return args;
}

/** Warns when a key file would not be ignored by git (best effort; silent without git). */
function warnIfNotIgnored(file: string, log: (line: string) => void): void {
  const r = spawnSync('git', ['check-ignore', '-q', file], { cwd: path.dirname(file), stdio: 'ignore' });
  // 0: ignored; 1: not ignored; 128: not a repository or no git.
  if (r.status === 1) log(`WARNING: ${file} is inside a git work tree and NOT ignored; do not commit private keys`);
}

export async function runCerts(argv: string[], log: (line: string) => void = console.log): Promise<string[]> {
  const args = parseCertsArgs(argv);
  if (args.help) {
    log(USAGE);
    return [];
  }
  const dir = path.resolve(args.dir);
  const files: string[] = [];
  const keys: string[] = [];
  if (args.clients.length > 0 && existsSync(path.join(dir, 'ca.pem')) && existsSync(path.join(dir, 'ca-key.pem'))) {
    for (const name of args.clients) {
      const c = await generateClientCert(dir, name, { overwrite: args.force });
      files.push(c.certPath, c.keyPath);
      keys.push(c.keyPath);
      log(`issued client certificate ${c.subject} from the CA in ${dir}`);
    }
  } else {
    const serverDnsNames = [...new Set(['localhost', ...args.dnsNames])];
    const serverIps = [...new Set(['127.0.0.1', ...args.ips])];
    const pki = await generateDevPki(dir, { overwrite: args.force, clientNames: args.clients, serverDnsNames, serverIps });
    files.push(...pki.files);
    keys.push(pki.ca.keyPath, pki.server.keyPath, pki.client.keyPath, ...Object.values(pki.clients).map((c) => c.keyPath));
    log(`development PKI in ${dir}:`);
    log(`  CA      ${pki.ca.subject}`);
    log(`  server  ${pki.server.subject} (SAN ${[...serverDnsNames, ...serverIps].join(', ')})`);
    log(`  client  ${pki.client.subject}`);
    for (const c of Object.values(pki.clients)) log(`  client  ${c.subject}`);
  }
  log('wrote:');
  for (const f of files) log(`  ${f}${keys.includes(f) ? '  (private key, mode 0600)' : ''}`);
  for (const k of keys) warnIfNotIgnored(k, log);
  return files;
}

if (require.main === module) {
  runCerts(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
