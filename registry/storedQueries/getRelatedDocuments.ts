/**
 * GetRelatedDocuments: the associations of the listed types in which the focus DocumentEntry is source or
 * target and the other end is a DocumentEntry, plus those DocumentEntries and the focus one. Empty when
 * nothing is related. Deprecated associations are left out (as NIST does below MetadataLevel 2).
 * $XDSDocumentEntryType (default: stable) filters the related DocumentEntries; the focus entry is named
 * by id and returned whatever its type.
 */
import { AVAILABILITY_STATUS } from '../../shared/xds/constants';
import type { XdsAssociation } from '../../shared/xds/model';
import type { AssociationFilter } from '../store/RegistryStore';
import { P } from './definitions';
import { documentEntryTypes } from './filters';
import { focusDocumentEntryFilter } from './getFolders';
import type { QueryParameters } from './parse';
import { idKey, idSet, objectsOf, otherEnd, type QueryContext, type StoredQueryObjects } from './result';

export function relatedAssociationFilter(focusIds: string[], params: QueryParameters): AssociationFilter {
  return { sourceOrTarget: focusIds, types: params.texts(P.associationTypes) ?? [] };
}

export function isLiveAssociation(a: XdsAssociation): boolean {
  return a.status !== AVAILABILITY_STATUS.Deprecated;
}

export async function runGetRelatedDocuments(params: QueryParameters, ctx: QueryContext): Promise<StoredQueryObjects> {
  const focus = await ctx.store.findDocumentEntries(focusDocumentEntryFilter(params));
  if (focus.length === 0) return objectsOf({});
  const focusIds = idSet(focus);
  // No limit: the candidates are filtered afterwards.
  const candidates = (await ctx.store.findAssociations(relatedAssociationFilter(focus.map((d) => d.entryUuid), params))).filter(isLiveAssociation);
  const others = candidates.map((a) => otherEnd(a, focusIds)).filter((id) => !focusIds.has(idKey(id)));
  if (others.length === 0) return objectsOf({});
  const related = await ctx.store.findDocumentEntries({ entryUuids: others, objectTypes: documentEntryTypes(params) }, ctx.limit);
  const relatedIds = idSet(related);
  const associations = candidates.filter((a) => relatedIds.has(idKey(otherEnd(a, focusIds))));
  if (associations.length === 0) return objectsOf({});
  return objectsOf({ documentEntries: [...focus, ...related], associations });
}
