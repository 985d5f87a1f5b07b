import path from 'node:path';
import { buildTestkitIndex } from './testkitIndex';
import { COLLECTIONS, patientsInVerbatimBodies, planSuite } from './suite';

const CORPUS = path.resolve(__dirname, '../../shared/conformance/corpus');
const index = buildTestkitIndex(CORPUS);

describe('suite plan', () => {
  const plan = planSuite(index);
  const ids = plan.tests.map((t) => t.entry.id);

  it('runs the SQ data loaders first and every test of the selected collections', () => {
    expect(ids.slice(0, 2)).toEqual(['12346', '12374']);
    for (const e of index.values()) {
      if (e.collections.some((c) => COLLECTIONS.includes(c))) expect(ids).toContain(e.id);
    }
    expect(ids).toEqual(expect.arrayContaining(['PnrXop', 'PnrNoXop', 'regsubmit', 'Submit_and_Replace', 'SingleDocument-PDF']));
  });

  it('isolates tests with verbatim bodies and adds 15816/Retrieve', () => {
    expect(plan.tests.filter((t) => t.isolated).map((t) => t.entry.id).sort()).toEqual(['PnrNoXop', 'PnrXop', 'regsubmit']);
    expect(plan.tests.find((t) => t.entry.id === '15816')?.sections).toEqual(['Register_Stable', 'PnR', 'Retrieve']);
  });

  it('lists the patient helpers and un-indexed sections as not applicable, with reasons', () => {
    const na = plan.notRun.map((r) => `${r.id}/${r.steps[0]?.section ?? ''}`);
    expect(na).toEqual(expect.arrayContaining(['15817/', '15817b/', '15818/', '11897/no_matching_classcode', '12379/no_support', '12022/submit1']));
    expect(na).not.toContain('15816/Retrieve');
    expect(plan.notRun.every((r) => r.steps.every((s) => s.verdict === 'n/a' && s.reasons[0]))).toBe(true);
  });

  it('restricts to --only tests', () => {
    expect(planSuite(index, new Set(['11990'])).tests.map((t) => t.entry.id)).toEqual(['11990']);
  });

  it('finds the patient ids written in verbatim bodies', () => {
    const pnrXop = index.get('PnrXop');
    if (!pnrXop) throw new Error('PnrXop missing');
    expect(patientsInVerbatimBodies(pnrXop, pnrXop.sections)).toContain('SR7^^^&1.2.260&ISO');
    const regsubmit = index.get('regsubmit');
    if (!regsubmit) throw new Error('regsubmit missing');
    expect(patientsInVerbatimBodies(regsubmit, regsubmit.sections)).toEqual([]);
  });
});
