/** FindDocuments and FindDocumentsByReferenceId: DocumentEntries of one patient matching attribute filters. */
import type { DocumentEntryFilter } from '../store/RegistryStore';
import { P } from './definitions';
import { documentEntryAttributeFilter, documentEntryTypes } from './filters';
import type { QueryParameters } from './parse';
import { objectsOf, type QueryContext, type StoredQueryObjects } from './result';

/** FindDocuments parameters → filter. The referenceIdList is included when present (ByReferenceId). */
export function findDocumentsFilter(params: QueryParameters): DocumentEntryFilter {
  const filter: DocumentEntryFilter = {
    ...documentEntryAttributeFilter(params),
    objectTypes: documentEntryTypes(params),
  };
  const patientId = params.text(P.dePatientId);
  if (patientId !== undefined) filter.patientId = patientId;
  const statuses = params.texts(P.deStatus);
  if (statuses !== undefined) filter.statuses = statuses;
  return filter;
}

export async function runFindDocuments(params: QueryParameters, ctx: QueryContext): Promise<StoredQueryObjects> {
  return objectsOf({ documentEntries: await ctx.store.findDocumentEntries(findDocumentsFilter(params), ctx.limit) });
}

/** Same query; the $XDSDocumentEntryReferenceIdList parameter is required by its definition. */
export const runFindDocumentsByReferenceId = runFindDocuments;
