/** A closed-loop load generator: N workers each send one request after another until time or count runs out. */
import { elapsedMs } from './stats';

export interface ClosedLoopOptions {
  concurrency: number;
  durationMs: number;
  /** Upper bound on requests, whatever the duration (keeps every loop bounded). */
  maxRequests: number;
}

export interface ClosedLoopResult {
  /** Latency of every successful request, ms, in completion order. */
  latenciesMs: number[];
  errors: number;
  firstError?: string;
  /** Wall time from the first request to the last answer, s. */
  elapsedSec: number;
}

/**
 * Runs `request(i)` (i = 0, 1, ...) from `concurrency` workers. A request that throws counts as an error; its
 * message is kept for the first one. Requests started before the deadline finish and are counted.
 */
export async function runClosedLoop(opts: ClosedLoopOptions, request: (i: number) => Promise<void>): Promise<ClosedLoopResult> {
  const latenciesMs: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let issued = 0;
  const start = process.hrtime.bigint();
  const deadline = Date.now() + opts.durationMs;
  const worker = async (): Promise<void> => {
    while (Date.now() < deadline && issued < opts.maxRequests) {
      const i = issued++;
      const t0 = process.hrtime.bigint();
      try {
        await request(i);
        latenciesMs.push(elapsedMs(t0));
      } catch (e) {
        errors++;
        firstError ??= e instanceof Error ? e.message : String(e);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return { latenciesMs, errors, ...(firstError !== undefined ? { firstError } : {}), elapsedSec: elapsedMs(start) / 1000 };
}
