/**
 * The one place that reads environment variables. Every setting is listed in README.md ("Configuration").
 * Values are parsed once; a bad value stops start-up with a clear message.
 */
import path from 'node:path';

export interface Config {
  dataDir: string;
  logLevel: string;
  registry: {
    port: number;
    host: string;
    /** Reject XDSTooManyResults above this many objects in one ITI-18 answer. */
    maxQueryResults: number;
    /** XDSResultNotSinglePatient check on LeafClass answers. */
    checkSinglePatient: boolean;
    /** Assigning-authority OIDs accepted in patient ids (empty = any). */
    acceptedAssigningAuthorities: string[];
    /** Known-patients mode: only patient ids fed to the registry are accepted (XDSUnknownPatientId otherwise). */
    knownPatientsOnly: boolean;
    /** Optional file with one CX patient id per line, loaded at start. */
    knownPatientsFile?: string;
    /** Validation profile name ('ihe' or 'norway'). */
    validationProfile: string;
  };
  repository: {
    port: number;
    host: string;
    uniqueId: string;
    registryUrl: string;
    maxDocumentBytes: number;
    maxRequestBytes: number;
    maxAttachments: number;
    /** Timeout for the ITI-42 call to the registry. */
    registryTimeoutMs: number;
  };
  limits: {
    maxEnvelopeBytes: number;
    maxXmlDepth: number;
    maxXmlElements: number;
    headersTimeoutMs: number;
    requestTimeoutMs: number;
  };
  tls?: { cert: string; key: string; ca: string; clientCert: string; clientKey: string };
  auditSyslogUrl?: string;
  mongodbUrl?: string;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, def: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

function list(env: Env, name: string): string[] {
  return (env[name] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

const MiB = 1024 * 1024;

export function loadConfig(env: Env = process.env): Config {
  const dataDir = path.resolve(env.DATA_DIR || './data');
  const registryPort = int(env, 'REGISTRY_PORT', 8010);
  const cfg: Config = {
    dataDir,
    logLevel: env.LOG_LEVEL || 'info',
    registry: {
      port: registryPort,
      host: env.REGISTRY_HOST || '0.0.0.0',
      maxQueryResults: int(env, 'REGISTRY_MAX_QUERY_RESULTS', 5000, 1),
      checkSinglePatient: bool(env, 'REGISTRY_CHECK_SINGLE_PATIENT', true),
      acceptedAssigningAuthorities: list(env, 'REGISTRY_ACCEPTED_ASSIGNING_AUTHORITIES'),
      knownPatientsOnly: bool(env, 'REGISTRY_KNOWN_PATIENTS_ONLY', false),
      validationProfile: env.VALIDATION_PROFILE || 'ihe',
    },
    repository: {
      port: int(env, 'REPOSITORY_PORT', 8020),
      host: env.REPOSITORY_HOST || '0.0.0.0',
      uniqueId: env.REPOSITORY_UNIQUE_ID || '1.3.6.1.4.1.21367.2017.2.3.1',
      registryUrl: env.REGISTRY_URL || `http://localhost:${registryPort}/registry`,
      maxDocumentBytes: int(env, 'REPOSITORY_MAX_DOCUMENT_MB', 4096, 1) * MiB,
      maxRequestBytes: int(env, 'REPOSITORY_MAX_REQUEST_MB', 8192, 1) * MiB,
      maxAttachments: int(env, 'REPOSITORY_MAX_ATTACHMENTS', 1000, 1),
      registryTimeoutMs: int(env, 'REPOSITORY_REGISTRY_TIMEOUT_MS', 30000, 100),
    },
    limits: {
      maxEnvelopeBytes: int(env, 'MAX_ENVELOPE_MB', 64, 1) * MiB,
      maxXmlDepth: int(env, 'MAX_XML_DEPTH', 64, 8),
      maxXmlElements: int(env, 'MAX_XML_ELEMENTS', 2_000_000, 100),
      headersTimeoutMs: int(env, 'HTTP_HEADERS_TIMEOUT_MS', 20000, 100),
      requestTimeoutMs: int(env, 'HTTP_REQUEST_TIMEOUT_MS', 600000, 100),
    },
  };
  if (env.REGISTRY_KNOWN_PATIENTS_FILE) cfg.registry.knownPatientsFile = path.resolve(env.REGISTRY_KNOWN_PATIENTS_FILE);
  if (env.TLS_CERT || env.TLS_KEY || env.TLS_CA) {
    if (!env.TLS_CERT || !env.TLS_KEY || !env.TLS_CA) throw new Error('TLS_CERT, TLS_KEY and TLS_CA must be set together');
    cfg.tls = {
      cert: env.TLS_CERT,
      key: env.TLS_KEY,
      ca: env.TLS_CA,
      clientCert: env.TLS_CLIENT_CERT || env.TLS_CERT,
      clientKey: env.TLS_CLIENT_KEY || env.TLS_KEY,
    };
  }
  if (env.AUDIT_SYSLOG_URL) cfg.auditSyslogUrl = env.AUDIT_SYSLOG_URL;
  if (env.MONGODB_URL) cfg.mongodbUrl = env.MONGODB_URL;
  return cfg;
}
