/**
 * Connecting to MongoDB for the registry and the repository: a short server-selection timeout, start-up errors
 * that name MongoDB and the URL without credentials (and no driver stack), a refusal of standalone servers
 * (the stores need multi-document transactions), majority writes.
 *
 * (Used by registry/store/mongo and repository/store/mongo; it belongs in shared/ once both are wired.)
 */
import { MongoClient, type Db } from 'mongodb';

export const DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 10_000;
export const MAX_SERVER_SELECTION_TIMEOUT_MS = 20_000;
export const DEFAULT_DATABASE = 'xds';

export interface MongoConnectionOptions {
  /** Database name; default: the URL's path, else 'xds'. */
  database?: string;
  /** How long to look for a usable server before giving up (ms); default 10 s, at most 20 s. */
  serverSelectionTimeoutMS?: number;
  /** Shown in server logs and currentOp. */
  appName?: string;
}

export interface MongoConnection {
  client: MongoClient;
  db: Db;
  /** The URL without credentials, for messages and logs. */
  redactedUrl: string;
}

/** Query-string options whose values are secrets. */
const SECRET_OPTION = /pass|secret|token|key/i;

/**
 * The connection string without user information (`mongodb://user:pass@h` → `mongodb://h`) and with secret-looking
 * option values replaced by `***`. The credentials end at the last '@' before the path, so a password with an
 * unescaped '@' or '/' is removed whole.
 */
export function redactMongoUrl(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? '';
  const rest = url.slice(scheme.length);
  const queryAt = rest.indexOf('?');
  const beforeQuery = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const query = queryAt < 0 ? '' : rest.slice(queryAt + 1);
  const at = beforeQuery.lastIndexOf('@');
  const hostAndPath = at < 0 ? beforeQuery : beforeQuery.slice(at + 1);
  const safeQuery = query
    .split('&')
    .filter((p) => p !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq >= 0 && SECRET_OPTION.test(pair.slice(0, eq)) ? `${pair.slice(0, eq)}=***` : pair;
    })
    .join('&');
  return `${scheme}${hostAndPath}${safeQuery === '' ? '' : `?${safeQuery}`}`;
}

/** The secrets a URL carries (user info, secret-looking option values), raw and decoded, to scrub from messages. */
function secretsOf(url: string): string[] {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? '';
  const rest = url.slice(scheme.length);
  const beforeQuery = rest.split('?')[0] ?? '';
  const at = beforeQuery.lastIndexOf('@');
  const userInfo = at < 0 ? '' : beforeQuery.slice(0, at);
  const colon = userInfo.indexOf(':');
  const password = colon < 0 ? '' : userInfo.slice(colon + 1);
  const optionSecrets = (rest.split('?')[1] ?? '')
    .split('&')
    .map((pair) => pair.split('='))
    .filter(([name, value]) => name !== undefined && value !== undefined && SECRET_OPTION.test(name))
    .map(([, value]) => value as string);
  const raw = [userInfo, password, ...optionSecrets].filter((s) => s.length >= 3);
  const decoded = raw.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  return [...new Set([...raw, ...decoded])].sort((a, b) => b.length - a.length);
}

/** `text` with every secret of `url` replaced by '***'. */
export function scrubSecrets(text: string, url: string): string {
  let out = text;
  for (const secret of secretsOf(url)) out = out.split(secret).join('***');
  return out;
}

/** The database named in the URL's path, or `fallback`. */
export function databaseNameOf(url: string, fallback: string = DEFAULT_DATABASE): string {
  const path = /^[a-z][a-z0-9+.-]*:\/\/[^/?]*\/([^?]*)/i.exec(redactMongoUrl(url))?.[1] ?? '';
  if (path === '') return fallback;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** The parts of a `hello` reply that tell the topology. */
export interface HelloReply {
  setName?: unknown;
  msg?: unknown;
}

/** Multi-document transactions need a replica-set member or a mongos; a standalone server is refused. */
export function transactionSupportProblem(hello: HelloReply, redactedUrl: string): string | undefined {
  if (typeof hello.setName === 'string' || hello.msg === 'isdbgrid') return undefined;
  return (
    `MongoDB at ${redactedUrl} is a standalone server, but the XDS stores need multi-document transactions, ` +
    'which MongoDB offers only on a replica set or a sharded cluster. A one-node replica set is enough: start mongod ' +
    'with --replSet rs0, run rs.initiate() once, and add ?replicaSet=rs0 to the URL (docs/MONGODB.md).'
  );
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function checkServerSelectionTimeout(ms: number): number {
  if (!Number.isSafeInteger(ms) || ms <= 0 || ms > MAX_SERVER_SELECTION_TIMEOUT_MS) {
    throw new RangeError(`serverSelectionTimeoutMS must be a whole number of ms in 1..${MAX_SERVER_SELECTION_TIMEOUT_MS}, got ${ms}`);
  }
  return ms;
}

/**
 * Connect, check that the server can run transactions, and return the client and database. Every failure is a
 * plain Error whose message names MongoDB and the redacted URL (no credentials, no driver stack or cause).
 */
export async function connectMongo(url: string, opts: MongoConnectionOptions = {}): Promise<MongoConnection> {
  const redactedUrl = redactMongoUrl(url);
  const timeout = checkServerSelectionTimeout(opts.serverSelectionTimeoutMS ?? DEFAULT_SERVER_SELECTION_TIMEOUT_MS);
  let client: MongoClient;
  try {
    client = new MongoClient(url, {
      serverSelectionTimeoutMS: timeout,
      connectTimeoutMS: timeout,
      appName: opts.appName ?? 'xds',
      // Model objects may carry explicit `undefined` fields; store them as absent (as JSON does), not as null.
      ignoreUndefined: true,
      writeConcern: { w: 'majority', journal: true },
      readPreference: 'primary',
      retryWrites: true,
    });
  } catch (err) {
    throw new Error(`invalid MongoDB connection string ${redactedUrl}: ${scrubSecrets(reasonOf(err), url)}`);
  }
  try {
    await client.connect();
    const db = client.db(opts.database ?? databaseNameOf(url));
    const hello = (await db.admin().command({ hello: 1 })) as HelloReply;
    const problem = transactionSupportProblem(hello, redactedUrl);
    if (problem !== undefined) throw new Error(problem);
    return { client, db, redactedUrl };
  } catch (err) {
    await client.close().catch(() => undefined);
    const reason = scrubSecrets(reasonOf(err), url);
    if (reason.startsWith(`MongoDB at ${redactedUrl}`)) throw new Error(reason);
    throw new Error(`MongoDB at ${redactedUrl} is not usable (server selection timeout ${timeout} ms): ${reason}`);
  }
}
