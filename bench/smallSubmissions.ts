/**
 * ITI-41 small: one 10 KiB document with full metadata per submission (so every request includes the
 * repository → registry ITI-42 hop), sent as MTOM by `concurrency` keep-alive connections for a fixed time.
 */
import { randomBytes } from 'node:crypto';
import { newUid } from '../test/helpers/metadata';
import { keepAliveAgent, postBuffer, failureSummary, responseStatusOf } from './lib/http';
import { runClosedLoop, type ClosedLoopResult } from './lib/load';
import { pnrFrame } from './lib/pnrFrame';

export interface SmallSubmissionOptions {
  repositoryUrl: string;
  documentBytes: number;
  concurrency: number;
  durationMs: number;
  maxRequests: number;
  /** Distinct patients the submissions are spread over. */
  patients?: number;
}

const PATIENT_AUTHORITY = '1.3.6.1.4.1.21367.2005.3.7';

/** The request body of submission `i`: a fresh uniqueId, a patient from the pool, a document unique by content. */
export function smallSubmission(url: string, i: number, base: Buffer, patients: number): { contentType: string; body: Buffer } {
  const doc = Buffer.from(base);
  doc.writeUInt32BE(i >>> 0, 0);
  const frame = pnrFrame(
    url,
    {
      patientId: `SMALL${String(i % patients).padStart(6, '0')}^^^&${PATIENT_AUTHORITY}&ISO`,
      ssUniqueId: newUid('1.2.3.4.999.52'),
      documents: [{ id: 'Document01', uniqueId: newUid('1.2.3.4.999.51'), mimeType: 'text/plain', title: `Bench note ${i}` }],
    },
    'text/plain',
  );
  return { contentType: frame.contentType, body: Buffer.concat([frame.head, doc, frame.tail]) };
}

export async function runSmallSubmissions(opts: SmallSubmissionOptions): Promise<ClosedLoopResult> {
  const agent = keepAliveAgent(opts.concurrency);
  const base = randomBytes(opts.documentBytes);
  try {
    return await runClosedLoop(opts, async (i) => {
      const req = smallSubmission(opts.repositoryUrl, i, base, opts.patients ?? 1000);
      const reply = await postBuffer(agent, opts.repositoryUrl, req.contentType, req.body);
      const text = reply.body.toString('utf8');
      if (reply.status !== 200 || responseStatusOf(text) !== 'Success') throw new Error(failureSummary(reply.status, text));
    });
  } finally {
    agent.destroy();
  }
}

/** The ceiling for small durable submissions: the same body size and concurrency against the bare server's POST /small. */
export async function runSmallCeiling(opts: { url: string; documentBytes: number; concurrency: number; durationMs: number; maxRequests: number }): Promise<ClosedLoopResult> {
  const agent = keepAliveAgent(opts.concurrency);
  const base = randomBytes(opts.documentBytes);
  try {
    return await runClosedLoop(opts, async (i) => {
      const doc = Buffer.from(base);
      doc.writeUInt32BE(i >>> 0, 0);
      const reply = await postBuffer(agent, opts.url, 'application/octet-stream', doc);
      if (reply.status !== 200 || reply.body.length !== 40) throw new Error(`small ceiling: HTTP ${reply.status}`);
    });
  } finally {
    agent.destroy();
  }
}
