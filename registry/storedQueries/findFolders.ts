/** FindFolders: Folders of one patient. */
import type { FolderFilter } from '../store/RegistryStore';
import { P } from './definitions';
import { timeRange } from './filters';
import type { QueryParameters } from './parse';
import { objectsOf, type QueryContext, type StoredQueryObjects } from './result';

export function findFoldersFilter(params: QueryParameters): FolderFilter {
  const f: FolderFilter = {};
  const patientId = params.text(P.folderPatientId);
  if (patientId !== undefined) f.patientId = patientId;
  const statuses = params.texts(P.folderStatus);
  if (statuses !== undefined) f.statuses = statuses;
  const codes = params.codeGroups(P.folderCodeList);
  if (codes !== undefined) f.codes = codes;
  const lastUpdateTime = timeRange(params, P.folderLastUpdateTimeFrom, P.folderLastUpdateTimeTo);
  if (lastUpdateTime !== undefined) f.lastUpdateTime = lastUpdateTime;
  return f;
}

export async function runFindFolders(params: QueryParameters, ctx: QueryContext): Promise<StoredQueryObjects> {
  return objectsOf({ folders: await ctx.store.findFolders(findFoldersFilter(params), ctx.limit) });
}
