import { scanCorpus } from '../testSupport/corpus';
import * as P from '../parse';
it('scan', () => {
  const s = scanCorpus();
  const counts: Record<string, number> = {};
  const fails: string[] = [];
  for (const m of s.messages) {
    counts[m.kind] = (counts[m.kind] ?? 0) + 1;
    const fn = ({ SubmitObjectsRequest: P.parseSubmitObjectsRequest, ProvideAndRegisterDocumentSetRequest: P.parseProvideAndRegisterRequest, AdhocQueryRequest: P.parseAdhocQueryRequest, AdhocQueryResponse: P.parseAdhocQueryResponse, RegistryResponse: P.parseRegistryResponse, RetrieveDocumentSetRequest: P.parseRetrieveDocumentSetRequest, RetrieveDocumentSetResponse: P.parseRetrieveDocumentSetResponse, RemoveObjectsRequest: P.parseRemoveObjectsRequest } as Record<string, (e: any) => unknown>)[m.kind];
    try { fn(m.body); } catch (e) { fails.push(m.file + ': ' + (e as Error).message); }
  }
  console.log(JSON.stringify(counts), s.messages.length, s.notXml.length, '\n' + fails.join('\n'));
});
