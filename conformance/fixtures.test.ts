import { randomUUID } from 'node:crypto';
import { parseXml } from '../shared/xml/parse';
import type { Environment, RunContext } from './context';
import { fixtureCases } from './fixtures';
import type { FixtureRequest, FixtureTools } from './fixtureRunner';
import { allElements } from './xmlTree';

function tools(): FixtureTools {
  let n = 0;
  return {
    env: {} as Environment,
    ctx: {} as RunContext,
    uid: () => `1.2.42.1.${++n}`,
    uuid: () => `urn:uuid:${randomUUID()}`,
    patient: async () => 'p1^^^&1.3.6.1.4.1.21367.2005.3.7&ISO',
    vars: new Map(),
  };
}

function bodyOf(req: FixtureRequest): string {
  if (req.kind === 'pnr') return req.sorXml;
  if (req.kind === 'verbatim') return req.body.toString('latin1');
  return req.xml;
}

describe('fixture cases', () => {
  const cases = fixtureCases();

  it('have unique ids and, unless not applicable, steps with an expectation', () => {
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    for (const c of cases) {
      if (c.notApplicable !== undefined) expect(c.steps).toEqual([]);
      else expect(c.steps.length).toBeGreaterThan(0);
      for (const s of c.steps) expect(s.expect.statuses.length).toBeGreaterThan(0);
    }
  });

  it('build every request from the corpus without a service', async () => {
    for (const c of cases) {
      const t = tools();
      for (const s of c.steps) {
        const built = await s.build(t);
        for (const req of Array.isArray(built) ? built : [built]) expect(bodyOf(req).length).toBeGreaterThan(100);
      }
    }
  });

  it('make each CheckErrorsTest mutation change the base message in the way it says', async () => {
    const c = cases.find((x) => x.id === 'dcm4chee/CheckErrorsTest');
    if (!c) throw new Error('CheckErrorsTest missing');
    const t = tools();
    const [base, ...mutations] = c.steps;
    const baseReq = await base?.build(t);
    if (!baseReq || Array.isArray(baseReq) || baseReq.kind !== 'register') throw new Error('base must be one register request');
    const baseElements = allElements(parseXml(baseReq.xml));
    expect(mutations.length).toBe(28);
    for (const m of mutations) {
      const req = await m.build(t);
      if (Array.isArray(req) || req.kind !== 'register') throw new Error('mutation must be one register request');
      const mutated = allElements(parseXml(req.xml));
      const differs = mutated.length !== baseElements.length || mutated.some((e) => e.attrs.id === '' || e.attrs.mimeType === '' || e.attrs.value?.startsWith('11111^') || e.attrs.value?.startsWith('test1234_2'));
      if (!differs) throw new Error(`mutation ${m.id} left the message unchanged`);
      expect(m.expect.statuses).toEqual(['Failure']);
    }
  });

  it('fill the OpenXDS tokens and the dcm4chee template completely', async () => {
    for (const id of ['openxds/pnr-fixtures', 'dcm4chee/RegisterGenericDocument']) {
      const c = cases.find((x) => x.id === id);
      const t = tools();
      for (const s of c?.steps ?? []) {
        const req = await s.build(t);
        const text = bodyOf(Array.isArray(req) ? (req[0] as FixtureRequest) : req);
        expect(text).not.toMatch(/\$(patientId|XDS|doc\d|folder_uniqueid|rplc_doc_uuid|appendum|tran_)/);
        expect(text).not.toMatch(/MYPATIENTID|DOCUMENTENTRYUID|SUBMISSIONSETUID|UUIDPREFIX/);
        for (const m of text.matchAll(/"(urn:uuid:[^"]*)"/g)) expect(m[1]).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      }
    }
  });
});
