/**
 * XDS model over the conformance corpus:
 * (a) every ebRIM 3.0 submission (ITI-41/42 bodies) and LeafClass query response: parse → model → ebXML →
 *     XML → parse → model gives an equal model;
 * (c) the same message written with other namespace styles (default namespaces, other prefixes,
 *     shadowed prefixes) gives the same model.
 */
import { parseAdhocQueryResponse, parseProvideAndRegisterRequest, parseSubmitObjectsRequest } from '../ebxml/parse';
import { buildSubmitObjectsRequest } from '../ebxml/build';
import type { RegistryObjectListItem } from '../ebxml/types';
import { scanCorpus, type CorpusMessage } from '../ebxml/testSupport/corpus';
import { EXPECTED_REJECTIONS } from '../ebxml/testSupport/messages';
import { serialize, type NamespaceStyle } from '../ebxml/testSupport/serialize';
import type { XmlElement } from '../xml/tree';
import { parseXml } from '../xml/parse';
import { submissionFromEbxml } from './fromEbxml';
import { submissionToEbxml } from './toEbxml';

// Measured: 60 files (18 SubmitObjectsRequest, 37 ProvideAndRegister, 5 AdhocQueryResponse).
const MODEL_FLOOR = 57;

const OBJECTS_OF: Partial<Record<CorpusMessage['kind'], (el: XmlElement) => RegistryObjectListItem[]>> = {
  SubmitObjectsRequest: (el) => parseSubmitObjectsRequest(el).objects,
  ProvideAndRegisterDocumentSetRequest: (el) => parseProvideAndRegisterRequest(el).submitObjectsRequest.objects,
  AdhocQueryResponse: (el) => parseAdhocQueryResponse(el).objects,
};

const withObjects = scanCorpus().messages.filter((m) => OBJECTS_OF[m.kind] && !(m.file in EXPECTED_REJECTIONS));
const objectsOf = (m: CorpusMessage, el = m.body): RegistryObjectListItem[] => (OBJECTS_OF[m.kind] as (e: XmlElement) => RegistryObjectListItem[])(el);

function failures(check: (m: CorpusMessage) => void): string[] {
  return withObjects.flatMap((m) => {
    try {
      check(m);
      return [];
    } catch (e) {
      return [`${m.file}: ${(e as Error).message.slice(0, 600)}`];
    }
  });
}

describe('XDS model round trip over the corpus', () => {
  it(`covers ${withObjects.length} submissions and query responses (floor ${MODEL_FLOOR}) with real content`, () => {
    expect(withObjects.length).toBeGreaterThanOrEqual(MODEL_FLOOR);
    const totals = { submissionSets: 0, documentEntries: 0, folders: 0, associations: 0 };
    for (const m of withObjects) {
      const s = submissionFromEbxml(objectsOf(m));
      for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += s[k].length;
    }
    // Measured: 55 SubmissionSets, 69 DocumentEntries, 5 Folders, 90 Associations.
    expect(totals.submissionSets).toBeGreaterThanOrEqual(52);
    expect(totals.documentEntries).toBeGreaterThanOrEqual(65);
    expect(totals.folders).toBeGreaterThanOrEqual(5);
    expect(totals.associations).toBeGreaterThanOrEqual(85);
  });

  it('parse → model → ebXML → XML → parse → model gives an equal model for every file', () => {
    expect(
      failures((m) => {
        const model = submissionFromEbxml(objectsOf(m));
        const xml = buildSubmitObjectsRequest({ objects: submissionToEbxml(model) });
        expect(submissionFromEbxml(parseSubmitObjectsRequest(parseXml(xml)).objects)).toEqual(model);
      }),
    ).toEqual([]);
  });

  it.each<NamespaceStyle>(['default', 'rootPrefixes', 'shadowed'])('the same messages written with %s namespaces give the same model', (style) => {
    expect(
      failures((m) => {
        const variant = serialize(m.body, style);
        expect(submissionFromEbxml(objectsOf(m, parseXml(variant)))).toEqual(submissionFromEbxml(objectsOf(m)));
      }),
    ).toEqual([]);
  });

  it("the toolkit's default-namespace submission (regsubmit/submitInheritNsDirect) reads like a prefixed one", () => {
    const direct = withObjects.find((m) => m.file === 'iti42/nist-testkit/regsubmit/submitInheritNsDirect/body.txt') as CorpusMessage;
    expect(direct).toBeDefined();
    const model = submissionFromEbxml(objectsOf(direct));
    expect(model.documentEntries).toHaveLength(1);
    expect(model.submissionSets).toHaveLength(1);
    expect(model.documentEntries[0].classCode?.code).toBeTruthy();
    expect(model.documentEntries[0].authors.length).toBeGreaterThan(0);
    const prefixed = parseSubmitObjectsRequest(parseXml(buildSubmitObjectsRequest({ objects: objectsOf(direct) })));
    expect(submissionFromEbxml(prefixed.objects)).toEqual(model);
  });
});
