import fs from 'node:fs';
import path from 'node:path';
import { parseTestPlan, readTestPlan } from './testplan';

const CORPUS = path.resolve(__dirname, '../../shared/conformance/corpus');
const plan = (rel: string) => readTestPlan(path.join(CORPUS, rel, 'testplan.xml'));

function allPlans(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? allPlans(p) : d.name === 'testplan.xml' ? [p] : [];
  });
}

describe('testplan reader', () => {
  it('reads every testplan.xml of the corpus into steps with a known action', () => {
    const files = allPlans(CORPUS);
    expect(files.length).toBeGreaterThan(200);
    for (const f of files) {
      const p = readTestPlan(f);
      for (const s of p.steps) {
        if (s.transaction) expect(s.transaction.kind).not.toBe('Unsupported');
        else expect(s.newPatientId).toBe(true);
      }
    }
  });

  it('reads expectations, linkage and NoAssignUids (12004/submit)', () => {
    const p = plan('negative/nist-testkit/12004/submit');
    expect(p.label).toBe('12004/submit');
    const [first, second, third] = p.steps;
    expect(first?.transaction?.kind).toBe('Register');
    expect(first?.transaction?.noPatientId).toBe(true);
    expect(first?.transaction?.useReports[0]).toEqual({ test: '15817', section: 'pif', step: 'step', reportName: '$patientid$', useAs: '$patientid$' });
    expect(second?.transaction?.noAssignUids).toEqual({ all: false, ids: ['Document01'] });
    expect(second?.transaction?.useIds[0]).toEqual({ id: 'Document01', symbol: '$doc_uid$', step: 'submit', section: 'AssignedUids' });
    expect(third?.expectedStatus).toBe('Failure');
    expect(third?.expectedErrorMessages).toEqual(['XDSNonIdenticalHash']);
  });

  it('reads patient instructions on the step (11996 AltPatientId, 11998 NewPatientId without a transaction)', () => {
    expect(plan('negative/nist-testkit/11996/submit').steps[0]?.altPatientId).toBe(true);
    const init = plan('negative/nist-testkit/11998/rplc').steps[0];
    expect(init?.newPatientId).toBe(true);
    expect(init?.transaction).toBeUndefined();
  });

  it('reads NullTransaction assertions with UseReport and decodes entities (12323)', () => {
    const p = plan('iti42/nist-testkit/12323/verify_time_updated_by_rplc');
    const check = p.steps[1]?.transaction;
    expect(check?.kind).toBe('Null');
    expect(check?.useReports.map((u) => u.useAs)).toEqual(['original_time', 'after_rplc_time']);
    expect(check?.assertions?.asserts[0]?.expression).toBe("'original_time' < 'after_rplc_time'");
    const report = p.steps[0]?.transaction?.reports[0];
    expect(report?.section).toBe('Result');
    expect(report?.xpath.startsWith("//*[local-name()='AdhocQueryResponse']")).toBe(true);
    expect(plan('iti42/nist-testkit/12323/add_to_folder').steps[0]?.transaction?.waitBeforeMs).toBe(4000);
  });

  it('reads retrieve references, documents and ExpectedContents in order', () => {
    const retrieve = plan('iti43/nist-testkit/12021/retrieve').steps[0]?.transaction;
    expect(retrieve?.referenceDocuments).toEqual([
      { uid: '$docuid1$', file: 'submit/my_document.txt' },
      { uid: '$docuid2$', file: 'submit/my_document2.txt' },
    ]);
    expect(retrieve?.referenceMetadata).toEqual({ testdir: '../query', step: 'by_uid' });
    expect(retrieve?.expectedContents).toEqual([]);
    const pnr = plan('iti41/nist-testkit/11979/submit').steps[0]?.transaction;
    expect(pnr?.documents).toEqual([
      { id: 'Document01', file: 'my_document.txt' },
      { id: 'Document02', file: 'my_document2.txt' },
    ]);
    const contents = plan('iti42/nist-testkit/12000/eval_assoc').steps[0]?.transaction?.expectedContents;
    expect(contents?.map((c) => [c.name, c.count])).toEqual([
      ['SubmissionSets', 0],
      ['Associations', 1],
      ['Documents', 1],
      ['Folders', 1],
    ]);
    const nested = plan('iti42/nist-testkit/12000.1a/getDocumentsSq').steps[2]?.transaction?.expectedContents;
    expect(nested?.find((c) => c.name === 'DocumentEntries')?.node.children[0]?.name).toBe('MustOnlyInclude');
  });

  it('reads HttpTransaction headers and body (PnrXop/dicom) and hasLinkage (regsubmit)', () => {
    const http = plan('iti41/nist-testkit/PnrXop/dicom').steps[0]?.transaction;
    expect(http?.kind).toBe('Http');
    expect(http?.httpType).toBe('pr.b');
    expect(http?.bodyFile).toBe('body.txt');
    expect(http?.headers).toHaveLength(1);
    expect(http?.headers[0]).toMatch(/^Content-Type: multipart\/related; boundary="uuid:376733a6/);
    expect(plan('iti42/nist-testkit/regsubmit/submitInheritNsDirect').steps[0]?.transaction?.hasLinkage).toBe(true);
  });

  it('rejects a document that is not a TestPlan', () => {
    expect(() => parseTestPlan('<Other/>')).toThrow(/no TestPlan/);
  });
});
