/**
 * Replays one NIST testkit test: sections in index.idx order, steps in file order, each step prepared the way the
 * toolkit prepares it (linkage, ebRIM 2.1 conversion, patient/uniqueId/sourceId/UUID rewriting), sent over HTTP,
 * and judged (status and codes, response checks, ExpectedContents, retrieve comparisons, Assertions, reports).
 */
import fs from 'node:fs';
import { NS } from '../shared/xml/namespaces';
import { parseXml } from '../shared/xml/parse';
import type { XmlElement } from '../shared/xml/tree';
import { ACTION } from '../shared/xds/constants';
import { checkRetrieve, checkStatus, describeExpectation, evaluateAsserts, type StatusExpectation } from './checks';
import { emptyAssignments, newPatientId, RunContext, type Environment, type StepRecord } from './context';
import { isEbrim21, convertEbrim21 } from './ebrim21';
import { checkExpectedContents, responseMetadata } from './expectedContents';
import { LinkageError, resolveUseId, resolveUseReport, type PatientSource } from './linkage';
import { prepareSubmission, type Assignments } from './metadataPrep';
import { headerParams, readMtom } from './mime';
import { describeResponse, type ParsedResponse } from './responses';
import { checkResponse, type TransactionCode } from './responseRules';
import { fail, newStep, notApplicable, type StepResult, type TestResult } from './results';
import { reconstituteXop } from './schemaCheck';
import { builtinBindings, hl7Date, placeholdersIn, substitute } from './substitution';
import { readTestPlan, readUseId, type PlanStep, type PlanTransaction } from './testplan';
import { resolvePlanFile, resolveTestdir, sectionDir, type TestkitEntry } from './testkitIndex';
import { sendMtom, sendProvideAndRegister, sendSoap, sendVerbatim, targetOfAction, targetUrl, type Exchange, type PnrDocument } from './transactions';
import { xpathDocument, xpathString, XPathUnsupported } from './xpath';
import { allElements, newElement, serializeXml } from './xmlTree';

/** Per-test state: the test's patients and values the runner made up for placeholders nothing binds. */
class TestState implements PatientSource {
  private mainId?: string;
  private altId?: string;
  readonly madeUp = new Map<string, string>();

  constructor(
    readonly ctx: RunContext,
    readonly env: Environment,
    readonly entry: TestkitEntry,
  ) {}

  async main(): Promise<string> {
    if (this.mainId === undefined) this.mainId = await this.fedPatient();
    return this.mainId;
  }
  async alt(): Promise<string> {
    if (this.altId === undefined) this.altId = await this.fedPatient();
    return this.altId;
  }
  /** NewPatientId / PatientIdentityFeedTransaction: a fresh known patient becomes the test's patient. */
  async replaceMain(): Promise<string> {
    this.mainId = await this.fedPatient();
    return this.mainId;
  }
  private async fedPatient(): Promise<string> {
    const id = newPatientId();
    await this.ctx.feedPatients(this.env, [id]);
    return id;
  }
}

function stripXmlDeclaration(text: string): string {
  return text.replace(/^\uFEFF?\s*<\?xml[^?]*\?>/, '').trim();
}

function transactionCode(kind: PlanTransaction['kind'], action?: string): TransactionCode {
  if (kind === 'ProvideAndRegister' || action === ACTION.iti41) return 'P';
  if (kind === 'Register' || action === ACTION.iti42) return 'R';
  if (kind === 'Retrieve' || action === ACTION.iti43) return 'RS';
  return 'SQ';
}

/** The SubmitObjectsRequest of a metadata file (plain, or inside a ProvideAndRegisterDocumentSetRequest). */
function submitObjectsRequestOf(root: XmlElement): XmlElement {
  if (root.local === 'SubmitObjectsRequest') return root;
  const sor = root.children.find((c) => c.local === 'SubmitObjectsRequest');
  if (!sor) throw new Error(`metadata root ${root.local} holds no SubmitObjectsRequest`);
  return sor;
}

function expectationOf(step: PlanStep): StatusExpectation {
  const e: StatusExpectation = { statuses: [step.expectedStatus ?? 'Success'] };
  if (step.expectedErrorCodes.length > 0) e.allCodes = step.expectedErrorCodes;
  if (step.expectedErrorMessages.length > 0) e.messages = step.expectedErrorMessages;
  return e;
}

function expectedText(step: PlanStep): string {
  const tx = step.transaction;
  if (!tx || tx.kind === 'Null' || tx.kind === 'PatientIdentityFeed') {
    if (tx?.assertions) return `assertions: ${tx.assertions.asserts.map((a) => a.id).join(', ')}`;
    return tx?.kind === 'PatientIdentityFeed' ? 'patient known to the registry' : step.newPatientId ? 'new patient id' : '—';
  }
  const contents = tx.expectedContents && tx.expectedContents.length > 0 ? ` [${tx.expectedContents.map((c) => (c.count !== undefined ? `${c.name}=${c.count}` : c.name)).join(' ')}]` : '';
  const asserts = tx.assertions ? ` + assertions ${tx.assertions.asserts.map((a) => a.id).join(', ')}` : '';
  return `${describeExpectation(expectationOf(step))}${contents}${asserts}`;
}

interface Prepared {
  /** Text to send after substitution. */
  text: string;
  notes: string[];
}

class StepRunner {
  private readonly ctx: RunContext;
  private readonly result: StepResult;
  private readonly tx: PlanTransaction | undefined;
  private readonly bindings = new Map<string, string>();
  private readonly reports = new Map<string, string>();
  private assignments: Assignments = emptyAssignments();
  private request?: XmlElement;
  private response?: ParsedResponse;

  constructor(
    private readonly ts: TestState,
    private readonly section: string,
    private readonly step: PlanStep,
  ) {
    this.ctx = ts.ctx;
    this.tx = step.transaction;
    this.result = newStep(ts.entry.id, section, step.id, expectedText(step));
  }

  private get from(): { testId: string; section: string } {
    return { testId: this.ts.entry.id, section: this.section };
  }

  private planFile(name: string): string {
    return resolvePlanFile(this.ts.entry, this.section, name);
  }

  async run(): Promise<StepResult> {
    try {
      await this.execute();
    } catch (e) {
      if (e instanceof LinkageError) fail(this.result, e.message);
      else fail(this.result, `runner error: ${e instanceof Error ? e.message : String(e)}`);
    }
    const rec: StepRecord = { assignments: this.assignments, reports: this.reports };
    if (this.request) rec.request = this.request;
    if (this.response) rec.response = this.response;
    this.ctx.record(this.ts.entry.id, this.section, this.step.id, rec);
    this.ctx.verdicts.set(RunContext.key(this.ts.entry.id, this.section, this.step.id), this.result.verdict);
    return this.result;
  }

  private verdictOf = (testId: string, section: string, step: string): string | undefined => this.ctx.verdicts.get(RunContext.key(testId, section, step));

  private async execute(): Promise<void> {
    const tx = this.tx;
    if (tx?.waitBeforeMs) await new Promise((r) => setTimeout(r, tx.waitBeforeMs));
    if (this.step.newPatientId) await this.ts.replaceMain();
    if (!tx) return;
    await this.bindLinkage(tx);
    switch (tx.kind) {
      case 'Register':
      case 'ProvideAndRegister':
        await this.submit(tx);
        break;
      case 'StoredQuery':
        await this.query(tx);
        break;
      case 'Retrieve':
        await this.retrieve(tx);
        break;
      case 'Http':
        await this.http(tx);
        break;
      case 'PatientIdentityFeed':
        this.reports.set('$patientid$', await this.ts.replaceMain());
        this.result.sent = 'patient id fed through POST /admin/patients';
        break;
      case 'Null':
        break;
      case 'Unsupported':
        notApplicable(this.result, `${tx.element} is not an XDS.b Registry/Repository transaction the runner replays`);
        return;
    }
    this.appendToLog(tx);
    this.evaluateAssertions(tx);
  }

  private async bindLinkage(tx: PlanTransaction): Promise<void> {
    for (const [k, v] of builtinBindings(new Date(), this.ctx.settings.homeCommunityId)) this.bindings.set(k, v);
    for (const u of tx.useIds) this.bindings.set(u.symbol, resolveUseId(this.ctx, this.from, u, this.verdictOf));
    for (const u of tx.useReports) this.bindings.set(u.useAs, await resolveUseReport(this.ctx, this.from, u, this.ts, this.verdictOf));
  }

  /**
   * Substitute a file's placeholders. Tokens no UseId/UseReport binds get the runner's defaults: the test's
   * patients for $patientid$/$altpatientid$, the repository's own uniqueId for $repuid$, and a fresh OID per
   * test for anything else (regsubmit's $ssid$).
   */
  private async substituteFile(text: string, xml: boolean): Promise<Prepared> {
    const notes: string[] = [];
    for (const token of placeholdersIn(text)) {
      if (this.bindings.has(token)) continue;
      if (token === '$patientid$') this.bindings.set(token, await this.ts.main());
      else if (token === '$altpatientid$') this.bindings.set(token, await this.ts.alt());
      else if (token === '$repuid$') {
        this.bindings.set(token, this.ts.env.repositoryUniqueId);
        notes.push(`$repuid$ bound to the repository's configured uniqueId (no step reports it)`);
      } else {
        let v = this.ts.madeUp.get(token);
        if (v === undefined) {
          v = this.ctx.settings.newUniqueId();
          this.ts.madeUp.set(token, v);
        }
        this.bindings.set(token, v);
        notes.push(`${token} is bound by no step; the runner uses the test-wide value ${v}`);
      }
    }
    const res = substitute(text, this.bindings, { xml });
    return { text: res.text, notes };
  }

  private async submit(tx: PlanTransaction): Promise<void> {
    if (!tx.metadataFile) throw new Error(`${tx.element} without MetadataFile`);
    const prepared = await this.substituteFile(fs.readFileSync(this.planFile(tx.metadataFile), 'utf8'), true);
    this.result.notes.push(...prepared.notes);
    const parsed = parseXml(prepared.text);
    const converted = isEbrim21(parsed);
    const sor = converted ? convertEbrim21(parsed) : submitObjectsRequestOf(parsed);
    const patient = tx.noPatientId ? undefined : this.step.altPatientId ? newPatientId() : await this.ts.main();
    this.assignments = prepareSubmission(sor, {
      ...(patient !== undefined ? { patientId: patient } : {}),
      assignUids: tx.noAssignUids === undefined ? 'all' : tx.noAssignUids.all ? 'none' : { except: new Set(tx.noAssignUids.ids) },
      newUniqueId: this.ctx.settings.newUniqueId,
      sourceId: this.ctx.settings.sourceId,
      assignUuids: tx.assignUuids,
    });
    for (const [sym, uid] of this.assignments.uids) this.reports.set(`${sym}_uid`, uid);
    for (const [sym, uuid] of this.assignments.uuids) this.reports.set(`${sym}_uuid`, uuid);
    const sorXml = serializeXml(sor);
    const what = `${converted ? 'ebRIM 2.1 converted to 3.0, ' : ''}${[...this.assignments.uids.keys()].join('/')}`;
    let exchange: Exchange;
    if (tx.kind === 'Register') {
      this.request = sor;
      this.result.sent = `ITI-42 Register (${what}) to ${this.ts.env.registryUrl}`;
      exchange = await sendSoap(this.ts.env, 'registry', ACTION.iti42, sorXml);
    } else {
      const documents: PnrDocument[] = tx.documents.map((d) => ({
        id: this.assignments.uuids.get(d.id) ?? d.id,
        bytes: fs.readFileSync(this.planFile(d.file)),
        contentType: 'application/octet-stream',
      }));
      tx.documents.forEach((d, i) => {
        const uid = this.assignments.uids.get(d.id);
        const doc = documents[i];
        if (uid !== undefined && doc) this.ctx.submittedDocuments.set(uid, doc.bytes);
      });
      this.request = newElement(NS.xds, 'ProvideAndRegisterDocumentSetRequest', {}, [sor]);
      this.result.sent = `ITI-41 PnR (${what}; ${documents.length} document(s), ${tx.noMtom ? 'inline base64' : 'MTOM'}) to ${this.ts.env.repositoryUrl}`;
      exchange = await sendProvideAndRegister(this.ts.env, sorXml, documents, !tx.noMtom);
    }
    this.judge(exchange, tx);
  }

  private async query(tx: PlanTransaction): Promise<void> {
    if (!tx.metadataFile) throw new Error('StoredQueryTransaction without MetadataFile');
    const prepared = await this.substituteFile(fs.readFileSync(this.planFile(tx.metadataFile), 'utf8'), true);
    this.result.notes.push(...prepared.notes);
    const body = stripXmlDeclaration(prepared.text);
    this.request = parseXml(body);
    const queryId = allElements(this.request).find((e) => e.local === 'AdhocQuery')?.attrs.id ?? '?';
    const returnType = allElements(this.request).find((e) => e.local === 'ResponseOption')?.attrs.returnType ?? '?';
    this.result.sent = `ITI-18 ${queryId} ${returnType} (${tx.metadataFile})`;
    const exchange = await sendSoap(this.ts.env, 'registry', ACTION.iti18, body);
    this.judge(exchange, tx);
  }

  private async retrieve(tx: PlanTransaction): Promise<void> {
    if (!tx.metadataFile) throw new Error('RetrieveTransaction without MetadataFile');
    const prepared = await this.substituteFile(fs.readFileSync(this.planFile(tx.metadataFile), 'utf8'), true);
    this.result.notes.push(...prepared.notes);
    const body = stripXmlDeclaration(prepared.text);
    this.request = parseXml(body);
    const requests = this.request.children.filter((c) => c.local === 'DocumentRequest');
    this.result.sent = `ITI-43 Retrieve of ${requests.length} document(s) (${tx.metadataFile}), MTOM`;
    const exchange = await sendMtom(this.ts.env, 'repository', ACTION.iti43, body, []);
    this.judge(exchange, tx);
    const refDocs = new Map<string, Buffer>();
    for (const ref of tx.referenceDocuments) {
      const uid = substitute(ref.uid, this.bindings, { xml: false }).text;
      const fileBytes = fs.readFileSync(this.planFile(ref.file));
      const submitted = this.ctx.submittedDocuments.get(uid);
      if (submitted && !submitted.equals(fileBytes)) {
        this.result.notes.push(`ReferenceDocument ${ref.file} is not the document submitted for ${uid}; compared with the submitted bytes (source inconsistency)`);
      }
      refDocs.set(uid, submitted ?? fileBytes);
    }
    let referenceMetadata: XmlElement[] | undefined;
    if (tx.referenceMetadata) {
      const ref = resolveTestdir(this.ctx.index, this.from, tx.referenceMetadata.testdir);
      const rec = this.ctx.lookup(ref.testId, ref.section, tx.referenceMetadata.step);
      if (!rec?.response?.body) throw new LinkageError(`ReferenceMetadata ${ref.testId}/${ref.section}/${tx.referenceMetadata.step} has no query answer`);
      referenceMetadata = responseMetadata(rec.response.body).extrinsicObjects;
    }
    const expectation = {
      requested: requests.length,
      expectAll: (this.step.expectedStatus ?? 'Success') === 'Success',
      referenceDocuments: refDocs,
      ...(referenceMetadata ? { referenceMetadata } : {}),
      ...(tx.expectedMimeType ? { expectedMimeType: tx.expectedMimeType } : {}),
    };
    for (const p of checkRetrieve(exchange.response.documents, expectation)) fail(this.result, p);
  }

  /** HttpTransaction: the body file byte for byte (placeholders substituted only with hasLinkage). */
  private async http(tx: PlanTransaction): Promise<void> {
    if (!tx.bodyFile) throw new Error('HttpTransaction without BodyFile');
    let body = fs.readFileSync(this.planFile(tx.bodyFile));
    if (tx.hasLinkage) {
      const prepared = await this.substituteFile(body.toString('utf8'), true);
      this.result.notes.push(...prepared.notes);
      body = Buffer.from(prepared.text, 'utf8');
    }
    const header = tx.headers.find((h) => /^content-type\s*:/i.test(h));
    const contentType = header ? header.replace(/^content-type\s*:\s*/i, '') : 'application/soap+xml';
    const ct = headerParams(contentType);
    const action = ct.params.action ?? (tx.httpType === 'r.b' ? ACTION.iti42 : tx.httpType === 'pr.b' ? ACTION.iti41 : undefined);
    const target = tx.httpType === 'r.b' ? 'registry' : tx.httpType === 'pr.b' ? 'repository' : targetOfAction(action);
    const url = targetUrl(this.ts.env, target);
    this.result.sent = `verbatim HTTP body ${tx.bodyFile} (${body.length} bytes, ${ct.value}) to ${url}`;
    // The body's own metadata stands for what the toolkit would have assigned (PnrNoXop/eval uses it).
    const sor = verbatimSubmission(body, contentType);
    if (sor) {
      this.request = sor;
      this.assignments = prepareSubmission(sor, { assignUids: 'none', newUniqueId: this.ctx.settings.newUniqueId, assignUuids: false });
      for (const [sym, uid] of this.assignments.uids) this.reports.set(`${sym}_uid`, uid);
      if (this.assignments.uids.size > 0) this.result.notes.push('AssignedUids of this step are the uniqueIds written in the verbatim body');
    }
    const exchange = await sendVerbatim(url, contentType, body, action);
    this.judge(exchange, tx, action);
  }

  /** Status, codes, answer checks, ExpectedContents, reports and the schema queue for one exchange. */
  private judge(exchange: Exchange, tx: PlanTransaction, actionOverride?: string): void {
    const r = exchange.response;
    this.response = r;
    this.result.received = describeResponse(r);
    for (const p of checkStatus(r, expectationOf(this.step))) fail(this.result, p);
    const action = exchange.request.action ?? actionOverride;
    const ruleProblems = checkResponse(r, {
      transaction: transactionCode(tx.kind, action),
      ...(exchange.request.action ? { requestAction: exchange.request.action } : {}),
      ...(exchange.request.messageId ? { messageId: exchange.request.messageId } : {}),
      table: this.ctx.table,
    });
    for (const p of ruleProblems) fail(this.result, `answer check: ${p}`);
    if (tx.expectedContents && tx.expectedContents.length > 0) {
      const problems = checkExpectedContents(r.body, tx.expectedContents, {
        resolveUseId: (node) => resolveUseId(this.ctx, this.from, readUseId(node), this.verdictOf),
        ...(r.status !== undefined ? { status: r.status } : {}),
      });
      for (const p of problems) fail(this.result, `ExpectedContents ${p}`);
    }
    this.collectReports(tx);
    if (r.envelopeBytes && r.envelope) {
      const key = RunContext.key(this.ts.entry.id, this.section, this.step.id);
      this.ctx.schemas.add(key, reconstituteXop(r.envelopeBytes, r.attachments));
      this.result.schemaKey = key;
    }
  }

  private collectReports(tx: PlanTransaction): void {
    for (const spec of tx.reports) {
      const source = spec.section === 'InputMetadata' ? this.request : spec.section === 'Result' ? this.response?.body : undefined;
      if (!source) {
        this.result.notes.push(`Report ${spec.name}: nothing to read in section ${spec.section}`);
        continue;
      }
      try {
        const value = xpathString(spec.xpath, xpathDocument(source)).trim();
        if (value !== '') this.reports.set(spec.name, value);
        else this.result.notes.push(`Report ${spec.name} selected nothing`);
      } catch (e) {
        if (e instanceof XPathUnsupported) this.result.notes.push(`Report ${spec.name} not evaluated (${e.message})`);
        else throw e;
      }
    }
  }

  /** The toolkit's log for this step: TestStep/<Transaction>/{InputMetadata, Result}. */
  private appendToLog(tx: PlanTransaction): void {
    const log = this.ctx.sectionLog(this.ts.entry.id, this.section);
    const parts: XmlElement[] = [];
    if (this.request) parts.push(newElement('', 'InputMetadata', {}, [this.request]));
    if (this.response?.body) parts.push(newElement('', 'Result', {}, [this.response.body]));
    log.children.push(newElement('', 'TestStep', { id: this.step.id }, [newElement('', tx.element, {}, parts)]));
  }

  private evaluateAssertions(tx: PlanTransaction): void {
    if (!tx.assertions) return;
    const refs = tx.assertions.dataRefs.filter((d) => d.file !== 'THIS');
    if (refs.length > 0) this.result.notes.push(`DataRef ${refs.map((d) => d.file).join(', ')} not supported; assertions read this section's log`);
    const replacements = new Map<string, string>([['$DATE$', hl7Date(new Date())]]);
    for (const u of tx.useReports) {
      const v = this.bindings.get(u.useAs);
      if (v !== undefined) replacements.set(u.useAs, v);
    }
    const log = this.ctx.sectionLog(this.ts.entry.id, this.section);
    const outcome = evaluateAsserts(tx.assertions.asserts, log, replacements);
    for (const f of outcome.failures) fail(this.result, f);
    this.result.notes.push(...outcome.notEvaluated);
    if (outcome.evaluated.length > 0) {
      const text = `assertions: ${outcome.evaluated.join('; ')}`;
      this.result.received = this.result.received ? `${this.result.received}; ${text}` : text;
    }
  }
}

/** The SubmitObjectsRequest inside a verbatim body (plain SOAP or the root part of an MTOM package). */
function verbatimSubmission(body: Buffer, contentType: string): XmlElement | undefined {
  try {
    const xml = headerParams(contentType).value === 'multipart/related' ? readMtom(body, contentType).root : body;
    return allElements(parseXml(xml)).find((e) => e.local === 'SubmitObjectsRequest');
  } catch {
    return undefined;
  }
}

export async function runTestkitTest(ctx: RunContext, env: Environment, entry: TestkitEntry, sections: string[]): Promise<TestResult> {
  const ts = new TestState(ctx, env, entry);
  const result: TestResult = {
    id: entry.id,
    title: entry.title,
    source: entry.corpusPath,
    group: 'nist',
    tags: entry.collections,
    environment: env.name,
    steps: [],
  };
  for (const section of sections) {
    const planFile = `${sectionDir(entry, section)}/testplan.xml`;
    let steps: PlanStep[];
    try {
      steps = readTestPlan(planFile).steps;
    } catch (e) {
      const s = newStep(entry.id, section, '(plan)', 'readable testplan.xml');
      fail(s, `testplan unreadable: ${e instanceof Error ? e.message : String(e)}`);
      result.steps.push(s);
      continue;
    }
    for (const step of steps) {
      const s = await new StepRunner(ts, section, step).run();
      result.steps.push(s);
    }
  }
  return result;
}
