/** A stored query result (XDS model objects) as the ebRIM objects of an AdhocQueryResponse. */
import type { RegistryObjectListItem } from '../shared/ebxml/types';
import { xdsObjectToEbxml } from '../shared/xds/toEbxml';
import type { StoredQueryResult } from './storedQueries/execute';

export function queryResultToEbxml(result: StoredQueryResult): RegistryObjectListItem[] {
  if (result.returnType === 'ObjectRef') return result.objectRefs.map((id) => ({ kind: 'ObjectRef', id }));
  return [...result.submissionSets, ...result.folders, ...result.documentEntries, ...result.associations].map(xdsObjectToEbxml);
}
