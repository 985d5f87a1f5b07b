/** GetSubmissionSets and GetSubmissionSetAndContents. */
import { ASSOCIATION_TYPE } from '../../shared/xds/constants';
import type { XdsAssociation } from '../../shared/xds/model';
import type { SubmissionSetFilter } from '../store/RegistryStore';
import { P } from './definitions';
import { documentEntryContentFilter } from './filters';
import type { QueryParameters } from './parse';
import { idKey, idSet, objectsOf, type QueryContext, type StoredQueryObjects } from './result';

/** The SubmissionSets having a HasMember to any listed object, plus those HasMember associations. */
export async function runGetSubmissionSets(params: QueryParameters, ctx: QueryContext): Promise<StoredQueryObjects> {
  const uuids = params.texts(P.uuid) ?? [];
  if (uuids.length === 0) return objectsOf({});
  // No limit here: the list is filtered afterwards, and a truncated list would silently lose results.
  const memberships = await ctx.store.findAssociations({ targetObjects: uuids, types: [ASSOCIATION_TYPE.HasMember] });
  if (memberships.length === 0) return objectsOf({});
  // Sources may also be Folders (Folder → DE); findSubmissionSets keeps only SubmissionSets.
  const submissionSets = await ctx.store.findSubmissionSets({ entryUuids: memberships.map((a) => a.sourceObject) }, ctx.limit);
  const returned = idSet(submissionSets);
  return objectsOf({ submissionSets, associations: memberships.filter((a) => returned.has(idKey(a.sourceObject))) });
}

export function submissionSetByIdFilter(params: QueryParameters): SubmissionSetFilter {
  const entryUuid = params.text(P.ssEntryUuid);
  if (entryUuid !== undefined) return { entryUuids: [entryUuid] };
  const uniqueId = params.text(P.ssUniqueId);
  return uniqueId !== undefined ? { uniqueIds: [uniqueId] } : { entryUuids: [] };
}

/**
 * Which associations GetSubmissionSetAndContents returns, given the SS's HasMembers, the returned members
 * and the HasMembers leaving the returned folders: SS → returned DE/Folder, Folder → returned DE, and
 * SS → (one of those Folder → DE associations). Everything pointing outside the returned set is dropped.
 */
export function submissionSetContentAssociations(
  ssMemberships: readonly XdsAssociation[],
  returnedMemberIds: ReadonlySet<string>,
  folderMemberships: readonly XdsAssociation[],
): XdsAssociation[] {
  const folderToDocument = folderMemberships.filter((a) => returnedMemberIds.has(idKey(a.targetObject)));
  const folderToDocumentIds = idSet(folderToDocument);
  const fromSs = ssMemberships.filter((a) => returnedMemberIds.has(idKey(a.targetObject)) || folderToDocumentIds.has(idKey(a.targetObject)));
  return [...fromSs, ...folderToDocument];
}

export async function runGetSubmissionSetAndContents(params: QueryParameters, ctx: QueryContext): Promise<StoredQueryObjects> {
  const submissionSet = (await ctx.store.findSubmissionSets(submissionSetByIdFilter(params)))[0];
  if (!submissionSet) return objectsOf({});
  const ssMemberships = await ctx.store.findAssociations({ sourceObjects: [submissionSet.entryUuid], types: [ASSOCIATION_TYPE.HasMember] });
  const targets = ssMemberships.map((a) => a.targetObject);
  if (targets.length === 0) return objectsOf({ submissionSets: [submissionSet] });

  const [documentEntries, folders] = await Promise.all([
    ctx.store.findDocumentEntries({ ...documentEntryContentFilter(params), entryUuids: targets }, ctx.limit),
    ctx.store.findFolders({ entryUuids: targets }, ctx.limit),
  ]);
  const folderMemberships =
    folders.length === 0 || documentEntries.length === 0
      ? []
      : await ctx.store.findAssociations(
          { sourceObjects: folders.map((f) => f.entryUuid), targetObjects: documentEntries.map((d) => d.entryUuid), types: [ASSOCIATION_TYPE.HasMember] },
          ctx.limit,
        );
  const returnedMembers = idSet([...documentEntries, ...folders]);
  return objectsOf({
    submissionSets: [submissionSet],
    documentEntries,
    folders,
    associations: submissionSetContentAssociations(ssMemberships, returnedMembers, folderMemberships),
  });
}
