/**
 * Runs the non-toolkit cases (dcm4chee, IPF, OpenXDS fixtures and NIST wire captures): each case gets a fresh
 * environment, its patients are fed, and its steps are sent in order and judged like toolkit steps (status and
 * codes, answer checks, optional ExpectedContents, schema queue).
 */
import { randomUUID } from 'node:crypto';
import { ACTION } from '../shared/xds/constants';
import { checkStatus, describeExpectation, type StatusExpectation } from './checks';
import type { Environment, RunContext } from './context';
import { checkExpectedContents } from './expectedContents';
import { describeResponse, type ParsedResponse } from './responses';
import { checkResponse, type TransactionCode } from './responseRules';
import { fail, newStep, notApplicable, type StepResult, type TestResult } from './results';
import { reconstituteXop } from './schemaCheck';
import type { ContentCheck, PlanNode } from './testplan';
import { sendProvideAndRegister, sendSoap, sendVerbatim, targetUrl, type Exchange, type PnrDocument, type Target } from './transactions';

export type FixtureRequest =
  | { kind: 'register'; xml: string }
  | { kind: 'pnr'; sorXml: string; documents: PnrDocument[]; mtom: boolean }
  | { kind: 'soap'; target: Target; action: string; xml: string }
  | { kind: 'verbatim'; target: Target; contentType: string; body: Buffer };

export interface FixtureTools {
  env: Environment;
  ctx: RunContext;
  uid(): string;
  uuid(): string;
  /** A fresh patient id made known to the registry. */
  patient(): Promise<string>;
  /** Values shared by the steps of one case (e.g. the entryUUID a later step replaces). */
  vars: Map<string, string>;
}

export interface FixtureStep {
  id: string;
  /** The transaction family of the answer (which error codes are legal). */
  transaction: TransactionCode;
  build(t: FixtureTools): Promise<FixtureRequest | FixtureRequest[]> | FixtureRequest | FixtureRequest[];
  expect: StatusExpectation;
  contents?: ContentCheck[];
  /** Extra checks on each answer. */
  verify?: (r: ParsedResponse) => string[];
  /** Short text of what is sent (for the matrix). */
  sends: string;
}

export interface FixtureCase {
  id: string;
  title: string;
  /** Corpus files used. */
  sources: string[];
  family: string;
  /** Patient ids written in the fixtures, made known before the case runs. */
  patients: string[];
  steps: FixtureStep[];
  /** The whole case is not applicable to a Document Registry/Repository (reason). */
  notApplicable?: string;
}

/** An ExpectedContents check written in code (same evaluator as the testkit's). */
export function contentCheck(name: string, count?: number): ContentCheck {
  const node: PlanNode = { name, attrs: count === undefined ? {} : { count: String(count) }, children: [], text: '' };
  return count === undefined ? { name, node } : { name, count, node };
}

function messageIdIn(text: string): string | undefined {
  return /<(?:[A-Za-z_][\w.-]*:)?MessageID\b[^>]*>([^<]+)</.exec(text)?.[1]?.trim();
}

function actionIn(contentType: string, text: string): string | undefined {
  return /action="([^"]+)"/.exec(contentType)?.[1] ?? /<(?:[A-Za-z_][\w.-]*:)?Action\b[^>]*>([^<]+)</.exec(text)?.[1]?.trim();
}

async function send(t: FixtureTools, req: FixtureRequest): Promise<Exchange> {
  switch (req.kind) {
    case 'register':
      return sendSoap(t.env, 'registry', ACTION.iti42, req.xml);
    case 'pnr':
      return sendProvideAndRegister(t.env, req.sorXml, req.documents, req.mtom);
    case 'soap':
      return sendSoap(t.env, req.target, req.action, req.xml);
    case 'verbatim': {
      const text = req.body.toString('latin1');
      const exchange = await sendVerbatim(targetUrl(t.env, req.target), req.contentType, req.body, actionIn(req.contentType, text), messageIdIn(text));
      return exchange;
    }
  }
}

function judge(t: FixtureTools, step: FixtureStep, result: StepResult, exchange: Exchange, key: string): void {
  const r = exchange.response;
  result.received = result.received ? `${result.received} | ${describeResponse(r)}` : describeResponse(r);
  for (const p of checkStatus(r, step.expect)) fail(result, p);
  const problems = checkResponse(r, {
    transaction: step.transaction,
    ...(exchange.request.action ? { requestAction: exchange.request.action } : {}),
    ...(exchange.request.messageId ? { messageId: exchange.request.messageId } : {}),
    table: t.ctx.table,
  });
  for (const p of problems) fail(result, `answer check: ${p}`);
  if (step.contents) for (const p of checkExpectedContents(r.body, step.contents, { resolveUseId: () => '' })) fail(result, `ExpectedContents ${p}`);
  if (step.verify) for (const p of step.verify(r)) fail(result, p);
  if (r.envelopeBytes && r.envelope) {
    t.ctx.schemas.add(key, reconstituteXop(r.envelopeBytes, r.attachments));
    result.schemaKey = key;
  }
}

export async function runFixtureCase(ctx: RunContext, env: Environment, fc: FixtureCase): Promise<TestResult> {
  const result: TestResult = { id: fc.id, title: fc.title, source: fc.sources.join(', '), group: 'fixture', tags: [fc.family], environment: env.name, steps: [] };
  const tools: FixtureTools = {
    env,
    ctx,
    uid: ctx.settings.newUniqueId,
    uuid: () => `urn:uuid:${randomUUID()}`,
    patient: async () => {
      const id = `${randomUUID().replace(/-/g, '').slice(0, 15)}^^^&1.3.6.1.4.1.21367.2005.3.7&ISO`;
      await ctx.feedPatients(env, [id]);
      return id;
    },
    vars: new Map(),
  };
  if (fc.patients.length > 0) await ctx.feedPatients(env, fc.patients);
  for (const step of fc.steps) {
    const s = newStep(fc.id, '', step.id, describeExpectation(step.expect) + (step.contents ? ` [${step.contents.map((c) => c.name + (c.count !== undefined ? `=${c.count}` : '')).join(' ')}]` : ''));
    s.sent = step.sends;
    try {
      const built = await step.build(tools);
      const requests = Array.isArray(built) ? built : [built];
      const exchanges = await Promise.all(requests.map((req) => send(tools, req)));
      exchanges.forEach((x, i) => judge(tools, step, s, x, `${fc.id}/${step.id}${exchanges.length > 1 ? `#${i + 1}` : ''}`));
    } catch (e) {
      fail(s, `runner error: ${e instanceof Error ? e.message : String(e)}`);
    }
    ctx.verdicts.set(`${fc.id}//${step.id}`, s.verdict);
    result.steps.push(s);
  }
  return result;
}

/** A case that is listed but not run. */
export function notApplicableCase(fc: FixtureCase): TestResult {
  const s = newStep(fc.id, '', '—', '—');
  notApplicable(s, fc.notApplicable ?? 'not applicable');
  return { id: fc.id, title: fc.title, source: fc.sources.join(', '), group: 'fixture', tags: [fc.family], environment: '—', steps: [s], notApplicable: fc.notApplicable ?? '' };
}
