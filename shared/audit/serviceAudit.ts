/**
 * The ATNA side of a service: one auditor per service, an audit record for every transaction (success or
 * failure, on each actor), application start/stop, and security alerts for rejected TLS peers and hostile
 * requests. The SOAP endpoint reports each finished request (CompletedRequest); this turns it into events.
 */
import os from 'node:os';
import path from 'node:path';
import type tls from 'node:tls';
import type { Server } from 'node:http';
import { LimitError } from '../errors';
import type { Logger } from '../logger';
import type { CompletedRequest } from '../soap/endpoint';
import { ACTION } from '../xds/constants';
import { onTlsRejection } from '../security/tls';
import type { AuditEvent, AuditOutcome, AuditParticipant } from './auditMessage';
import { createAuditor, type Auditor } from './outbox';

export interface ServiceIdentity {
  service: 'registry' | 'repository';
  /** Our SOAP endpoint URL (the responder's UserID). */
  endpointUrl: string;
  hostname: string;
}

const ANONYMOUS = 'http://www.w3.org/2005/08/addressing/anonymous';

/** Was this fault caused by input that looks hostile (DTD/XXE, entity bombs, limits)? */
export function isHostileFault(message: string, isLimit: boolean): boolean {
  return isLimit || /DOCTYPE|entit/i.test(message);
}

/** The audit events one finished SOAP request produces. */
export function auditEventsFor(info: CompletedRequest<unknown>, id: ServiceIdentity): AuditEvent[] {
  const us: AuditParticipant = { userId: id.endpointUrl, address: id.hostname };
  const requester: AuditParticipant = {
    userId: info.msg?.soap.addressing.replyTo ?? ANONYMOUS,
    ...(info.remoteAddress ? { address: info.remoteAddress } : {}),
  };
  const peerTlsSubject = info.msg?.peerSubject;
  const failed = !info.ok;
  const outcome: AuditOutcome = failed ? 8 : 0;
  const description = info.fault ? info.fault.message : info.errors.length ? info.errors.map((e) => e.errorCode).join(' ') : undefined;
  const common = {
    outcome,
    ...(failed && description ? { outcomeDescription: description } : {}),
    ...(peerTlsSubject ? { peerTlsSubject } : {}),
  };
  const audit = info.msg?.audit ?? {};
  const patientIds = audit.patientIds?.length ? { patientIds: audit.patientIds } : {};
  const ss = audit.submissionSetUniqueId ? { submissionSetUniqueId: audit.submissionSetUniqueId } : {};

  if (!info.action) {
    if (info.fault && isHostileFault(info.fault.message, info.fault instanceof LimitError)) {
      return [{ transaction: 'security-alert', alertType: 'use-of-restricted-function', outcome: 4, reporter: us, ...(info.remoteAddress ? { peer: { userId: info.remoteAddress, address: info.remoteAddress } } : {}), description: info.fault.message }];
    }
    return [];
  }
  switch (info.action) {
    case ACTION.iti42:
      return [{ transaction: 'ITI-42', actor: 'registry', ...common, source: requester, destination: us, ...patientIds, ...ss }];
    case ACTION.iti18:
      return [{ transaction: 'ITI-18', ...common, source: requester, destination: us, ...patientIds, query: audit.query ?? { id: 'unknown', requestXml: '' } }];
    case ACTION.iti41: {
      const events: AuditEvent[] = [{ transaction: 'ITI-41', ...common, source: requester, destination: us, ...patientIds, ...ss }];
      const call = audit.registryCall;
      if (call) {
        events.push({
          transaction: 'ITI-42',
          actor: 'repository',
          outcome: call.ok ? 0 : 8,
          ...(call.ok ? {} : { outcomeDescription: call.errorCodes.join(' ') || 'registry not available' }),
          source: { userId: id.endpointUrl, address: id.hostname },
          destination: { userId: call.url },
          ...patientIds,
          ...ss,
        });
      }
      return events;
    }
    case ACTION.iti43:
      return [{ transaction: 'ITI-43', ...common, source: us, destination: requester, ...patientIds, documents: audit.documents ?? [] }];
    default:
      return [];
  }
}

export interface ServiceAuditor {
  /** Endpoint hook: audit a finished request (never throws; failures are logged). */
  onComplete(info: CompletedRequest<unknown>): void;
  /** Security alerts for TLS handshakes the server refused. */
  watchTls(server: Server | tls.Server): void;
  close(): Promise<void>;
}

export async function openServiceAuditor(opts: {
  service: 'registry' | 'repository';
  dataDir: string;
  /** Our endpoint URL; a function because the port is known only once the server listens. */
  endpointUrl: () => string;
  syslogUrl?: string;
  tlsOptions?: tls.ConnectionOptions;
  logger: Logger;
}): Promise<ServiceAuditor> {
  const hostname = os.hostname();
  const appName = `xds-${opts.service}`;
  const auditor: Auditor = await createAuditor({
    dataDir: path.join(opts.dataDir, 'audit', opts.service),
    ...(opts.syslogUrl ? { syslogUrl: opts.syslogUrl } : {}),
    ...(opts.tlsOptions ? { tlsOptions: opts.tlsOptions } : {}),
    appName,
    hostname,
    onError: (e) => opts.logger.warn('audit delivery problem', { error: e.message }),
  });
  const id = (): ServiceIdentity => ({ service: opts.service, endpointUrl: opts.endpointUrl(), hostname });
  const record = (ev: AuditEvent): void => {
    auditor.record(ev).catch((e: unknown) => opts.logger.error('audit record failed', { error: e instanceof Error ? e.message : String(e), transaction: ev.transaction }));
  };
  record({ transaction: 'application-start', outcome: 0, application: { userId: appName, address: hostname } });
  let stopTls: (() => void) | undefined;
  return {
    onComplete(info) {
      for (const ev of auditEventsFor(info, id())) record(ev);
    },
    watchTls(server) {
      stopTls = onTlsRejection(server as tls.Server, (r) =>
        record({
          transaction: 'security-alert',
          alertType: 'node-authentication',
          outcome: 4,
          reporter: { userId: opts.endpointUrl(), address: hostname },
          ...(r.remoteAddress ? { peer: { userId: r.remoteAddress, address: r.remoteAddress } } : {}),
          description: r.reason,
        }),
      );
    },
    async close() {
      stopTls?.();
      await auditor.record({ transaction: 'application-stop', outcome: 0, application: { userId: appName, address: hostname } }).catch(() => undefined);
      await auditor.close();
    },
  };
}
