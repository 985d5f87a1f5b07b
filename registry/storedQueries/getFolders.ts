/** GetFolders, GetFoldersForDocument and GetFolderAndContents. */
import { ASSOCIATION_TYPE } from '../../shared/xds/constants';
import type { AssociationFilter, DocumentEntryFilter, FolderFilter } from '../store/RegistryStore';
import { P } from './definitions';
import { documentEntryContentFilter } from './filters';
import type { QueryParameters } from './parse';
import { idKey, idSet, objectsOf, type QueryContext, type StoredQueryObjects } from './result';

/** Folders by entryUUID, uniqueId or logicalID (GetFolders; single-valued for GetFolderAndContents). */
export function getFoldersFilter(params: QueryParameters): FolderFilter {
  const f: FolderFilter = {};
  const entryUuids = params.texts(P.folderEntryUuid);
  if (entryUuids !== undefined) f.entryUuids = entryUuids;
  const uniqueIds = params.texts(P.folderUniqueId);
  if (uniqueIds !== undefined) f.uniqueIds = uniqueIds;
  const lids = params.texts(P.folderLogicalId);
  if (lids !== undefined) f.lids = lids;
  return f;
}

export async function runGetFolders(params: QueryParameters, ctx: QueryContext): Promise<StoredQueryObjects> {
  return objectsOf({ folders: await ctx.store.findFolders(getFoldersFilter(params), ctx.limit) });
}

/** The focus DocumentEntry of GetFoldersForDocument / GetRelatedDocuments (entryUUID or uniqueId). */
export function focusDocumentEntryFilter(params: QueryParameters): DocumentEntryFilter {
  const entryUuid = params.text(P.deEntryUuid);
  if (entryUuid !== undefined) return { entryUuids: [entryUuid] };
  const uniqueId = params.text(P.deUniqueId);
  return uniqueId !== undefined ? { uniqueIds: [uniqueId] } : { entryUuids: [] };
}

/** The Folders that have a HasMember to the DocumentEntry. */
export async function runGetFoldersForDocument(params: QueryParameters, ctx: QueryContext): Promise<StoredQueryObjects> {
  const documentEntries = await ctx.store.findDocumentEntries(focusDocumentEntryFilter(params));
  if (documentEntries.length === 0) return objectsOf({});
  const memberships = await ctx.store.findAssociations({ targetObjects: documentEntries.map((d) => d.entryUuid), types: [ASSOCIATION_TYPE.HasMember] });
  if (memberships.length === 0) return objectsOf({});
  // Sources are SubmissionSets and Folders; findFolders keeps only the Folders.
  return objectsOf({ folders: await ctx.store.findFolders({ entryUuids: memberships.map((a) => a.sourceObject) }, ctx.limit) });
}

/** Folder → member HasMember associations, optionally restricted by $XDSAssociationStatus. */
export function folderMembershipFilter(folderId: string, params: QueryParameters): AssociationFilter {
  const f: AssociationFilter = { sourceObjects: [folderId], types: [ASSOCIATION_TYPE.HasMember] };
  const statuses = params.texts(P.associationStatus);
  if (statuses !== undefined) f.statuses = statuses;
  return f;
}

/** The Folder, its member DocumentEntries (content filters apply) and the Folder → returned DE HasMembers. */
export async function runGetFolderAndContents(params: QueryParameters, ctx: QueryContext): Promise<StoredQueryObjects> {
  const folders = await ctx.store.findFolders(getFoldersFilter(params));
  const folder = folders[0];
  if (!folder) return objectsOf({});
  // No limit on lookups that are filtered afterwards: a truncated list would silently lose results.
  const memberships = await ctx.store.findAssociations(folderMembershipFilter(folder.entryUuid, params));
  if (memberships.length === 0) return objectsOf({ folders: [folder] });
  const documentEntries = await ctx.store.findDocumentEntries(
    { ...documentEntryContentFilter(params), entryUuids: memberships.map((a) => a.targetObject) },
    ctx.limit,
  );
  const returned = idSet(documentEntries);
  return objectsOf({ folders: [folder], documentEntries, associations: memberships.filter((a) => returned.has(idKey(a.targetObject))) });
}
