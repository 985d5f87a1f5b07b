/** GetAssociations: the Associations whose sourceObject or targetObject is one of the given entryUUIDs. */
import type { AssociationFilter } from '../store/RegistryStore';
import { P } from './definitions';
import type { QueryParameters } from './parse';
import { objectsOf, type QueryContext, type StoredQueryObjects } from './result';

export function getAssociationsFilter(params: QueryParameters): AssociationFilter {
  return { sourceOrTarget: params.texts(P.uuid) ?? [] };
}

export async function runGetAssociations(params: QueryParameters, ctx: QueryContext): Promise<StoredQueryObjects> {
  return objectsOf({ associations: await ctx.store.findAssociations(getAssociationsFilter(params), ctx.limit) });
}
