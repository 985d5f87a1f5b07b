import fs from 'node:fs';
import path from 'node:path';
import { parseXml } from '../shared/xml/parse';
import type { XmlElement } from '../shared/xml/tree';
import { checkExpectedContents, responseMetadata } from './expectedContents';
import { contentCheck } from './fixtureRunner';
import type { PlanNode } from './testplan';
import { allElements } from './xmlTree';

const CORPUS = path.resolve(__dirname, '../../shared/conformance/corpus');
const RIM = 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0';
const APPROVED = 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved';
const DEPRECATED = 'urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated';
const HAS_MEMBER = 'urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember';

const noUseId = { resolveUseId: () => '' };

function answer(objects: string): XmlElement {
  return parseXml(
    `<query:AdhocQueryResponse xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" xmlns:rim="${RIM}" status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"><rim:RegistryObjectList>${objects}</rim:RegistryObjectList></query:AdhocQueryResponse>`,
  );
}
const eo = (id: string, status = APPROVED): string => `<rim:ExtrinsicObject id="${id}" status="${status}" objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"/>`;
const pkg = (id: string, node: string): string =>
  `<rim:RegistryPackage id="${id}" status="${APPROVED}"><rim:Classification id="c${id}" classifiedObject="${id}" classificationNode="${node}"/></rim:RegistryPackage>`;
const ss = (id: string): string => pkg(id, 'urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd');
const folder = (id: string): string => pkg(id, 'urn:uuid:d9d542f3-6cc4-48b6-8870-ea235fbc94c2');
const assoc = (id: string, source: string, target: string, type = HAS_MEMBER): string =>
  `<rim:Association id="${id}" associationType="${type}" sourceObject="${source}" targetObject="${target}"/>`;

describe('ExpectedContents', () => {
  it('agrees with the recorded toolkit verdict (sq-log.xml: Documents count=5 passed)', () => {
    const log = parseXml(fs.readFileSync(path.join(CORPUS, 'iti18/nist-wire/messagevalidator/sq-log.xml')));
    const result = allElements(log).find((e) => e.local === 'AdhocQueryResponse');
    expect(checkExpectedContents(result, [contentCheck('Documents', 5)], noUseId)).toEqual([]);
    expect(checkExpectedContents(result, [contentCheck('Documents', 4)], noUseId)).toEqual(['Documents(4): found 5 Documents instead of 4']);
    expect(checkExpectedContents(result, [contentCheck('DocApp')], noUseId)).toEqual([]);
    expect(checkExpectedContents(result, [contentCheck('ObjectRefs', 5)], noUseId)[0]).toMatch(/found 0 ObjectRefs instead of 5/);
  });

  it('SSwithOneDoc needs the SubmissionSet, one document, its HasMember and an Approved SubmissionSet', () => {
    const good = answer(ss('S') + eo('D') + assoc('A', 'S', 'D'));
    expect(checkExpectedContents(good, [contentCheck('SSwithOneDoc'), contentCheck('DocApp')], noUseId)).toEqual([]);
    const wrongAssoc = answer(ss('S') + eo('D') + assoc('A', 'S', 'X'));
    expect(checkExpectedContents(wrongAssoc, [contentCheck('SSwithOneDoc')], noUseId)).toEqual(['SSwithOneDoc: HasMember association missing from S to D']);
    const twoDocs = answer(ss('S') + eo('D') + eo('E') + assoc('A', 'S', 'D'));
    expect(checkExpectedContents(twoDocs, [contentCheck('SSwithOneDoc')], noUseId)).toContain('SSwithOneDoc: found 2 Documents instead of 1');
    expect(checkExpectedContents(good, [contentCheck('DocDep')], noUseId)[0]).toMatch(/has status Approved instead of Deprecated/);
  });

  it('SSwithOneDocOneFol needs SS→doc, SS→folder, folder→doc and SS→(folder→doc)', () => {
    const objects = ss('S') + folder('F') + eo('D') + assoc('a1', 'S', 'D') + assoc('a2', 'S', 'F') + assoc('a3', 'F', 'D');
    expect(checkExpectedContents(answer(objects + assoc('a4', 'S', 'a3')), [contentCheck('SSwithOneDocOneFol')], noUseId)).toEqual([]);
    expect(checkExpectedContents(answer(objects + assoc('a4', 'S', 'a1')), [contentCheck('SSwithOneDocOneFol')], noUseId)).toEqual([
      'SSwithOneDocOneFol: HasMember association missing from S to a3',
    ]);
    const md = responseMetadata(answer(objects));
    expect([md.submissionSets.length, md.folders.length, md.extrinsicObjects.length, md.associations.length]).toEqual([1, 1, 1, 3]);
  });

  it('None, ObjectRefs, OneDocDep/OneDocApp and the lifecycle checks', () => {
    expect(checkExpectedContents(answer(''), [contentCheck('None')], noUseId)).toEqual([]);
    expect(checkExpectedContents(answer(eo('D')), [contentCheck('None')], noUseId)).toEqual(['None: found 1 Documents instead of 0']);
    expect(checkExpectedContents(answer('<rim:ObjectRef id="urn:uuid:1"/><rim:ObjectRef id="urn:uuid:2"/>'), [contentCheck('ObjectRefs', 2)], noUseId)).toEqual([]);
    const replaced = answer(eo('N') + eo('O', DEPRECATED) + assoc('r', 'N', 'O', 'urn:ihe:iti:2007:AssociationType:RPLC'));
    expect(checkExpectedContents(replaced, [contentCheck('OneDocDep'), contentCheck('OneDocApp'), contentCheck('DocRplcDoc'), contentCheck('HasRPLC')], noUseId)).toEqual([]);
    expect(checkExpectedContents(replaced, [contentCheck('HasXFRM_RPLC')], noUseId)).toEqual(['HasXFRM_RPLC: XFRM_RPLC association not found']);
    expect(checkExpectedContents(replaced, [contentCheck('Bogus')], noUseId)).toEqual(['Bogus: ExpectedContents/Bogus is not understood by the runner']);
  });

  it('DocumentEntries/MustOnlyInclude checks presence, objectType and that nothing else came back', () => {
    const node: PlanNode = {
      name: 'DocumentEntries',
      attrs: {},
      text: '',
      children: [
        {
          name: 'MustOnlyInclude',
          attrs: {},
          text: '',
          children: [
            {
              name: 'DocumentEntry',
              attrs: {},
              text: '',
              children: [
                { name: 'UseId', attrs: { id: 'Document01' }, children: [], text: '' },
                { name: 'DocumentEntryType', attrs: {}, children: [], text: 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1' },
              ],
            },
          ],
        },
      ],
    };
    const check = [{ name: 'DocumentEntries', node }];
    const opts = { resolveUseId: () => 'D' };
    expect(checkExpectedContents(answer(eo('D')), check, opts)).toEqual([]);
    expect(checkExpectedContents(answer(eo('D') + eo('E')), check, opts)).toEqual(['DocumentEntries: answer holds 2 DocumentEntries, only 1 were expected']);
    expect(checkExpectedContents(answer(eo('E')), check, opts)).toContain('DocumentEntries: DocumentEntry D is not in the answer');
  });
});
