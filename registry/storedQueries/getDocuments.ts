/** GetDocuments and GetDocumentsAndAssociations: DocumentEntries by entryUUID, uniqueId or logicalID. */
import type { DocumentEntryFilter } from '../store/RegistryStore';
import { P } from './definitions';
import type { QueryParameters } from './parse';
import { objectsOf, type QueryContext, type StoredQueryObjects } from './result';

/** No status or objectType filter: GetDocuments returns whatever the ids name. */
export function getDocumentsFilter(params: QueryParameters): DocumentEntryFilter {
  const f: DocumentEntryFilter = {};
  const entryUuids = params.texts(P.deEntryUuid);
  if (entryUuids !== undefined) f.entryUuids = entryUuids;
  const uniqueIds = params.texts(P.deUniqueId);
  if (uniqueIds !== undefined) f.uniqueIds = uniqueIds;
  const lids = params.texts(P.deLogicalId);
  if (lids !== undefined) f.lids = lids;
  return f;
}

export async function runGetDocuments(params: QueryParameters, ctx: QueryContext): Promise<StoredQueryObjects> {
  return objectsOf({ documentEntries: await ctx.store.findDocumentEntries(getDocumentsFilter(params), ctx.limit) });
}

/** The DocumentEntries plus every Association that has one of them as source or target. */
export async function runGetDocumentsAndAssociations(params: QueryParameters, ctx: QueryContext): Promise<StoredQueryObjects> {
  const documentEntries = await ctx.store.findDocumentEntries(getDocumentsFilter(params), ctx.limit);
  if (documentEntries.length === 0) return objectsOf({});
  const associations = await ctx.store.findAssociations({ sourceOrTarget: documentEntries.map((d) => d.entryUuid) }, ctx.limit);
  return objectsOf({ documentEntries, associations });
}
