/**
 * GetAll: every SubmissionSet, DocumentEntry and Folder of the patient that passes the filters, plus the
 * Associations among the returned objects (including SubmissionSet → Association HasMembers).
 */
import type { DocumentEntryFilter, FolderFilter, SubmissionSetFilter } from '../store/RegistryStore';
import { P } from './definitions';
import { documentEntryContentFilter } from './filters';
import type { QueryParameters } from './parse';
import { associationsAmong, idSet, type QueryContext, type StoredQueryObjects } from './result';

export interface GetAllFilters {
  documentEntries: DocumentEntryFilter;
  submissionSets: SubmissionSetFilter;
  folders: FolderFilter;
}

export function getAllFilters(params: QueryParameters): GetAllFilters {
  const patientId = params.text(P.patientId);
  const withPatient = <T extends { patientId?: string; statuses?: string[] }>(f: T, statuses: string[] | undefined): T => {
    if (patientId !== undefined) f.patientId = patientId;
    if (statuses !== undefined) f.statuses = statuses;
    return f;
  };
  return {
    documentEntries: withPatient<DocumentEntryFilter>(documentEntryContentFilter(params), params.texts(P.deStatus)),
    submissionSets: withPatient<SubmissionSetFilter>({}, params.texts(P.ssStatus)),
    folders: withPatient<FolderFilter>({}, params.texts(P.folderStatus)),
  };
}

export async function runGetAll(params: QueryParameters, ctx: QueryContext): Promise<StoredQueryObjects> {
  const filters = getAllFilters(params);
  const [documentEntries, submissionSets, folders] = await Promise.all([
    ctx.store.findDocumentEntries(filters.documentEntries, ctx.limit),
    ctx.store.findSubmissionSets(filters.submissionSets, ctx.limit),
    ctx.store.findFolders(filters.folders, ctx.limit),
  ]);
  const returned = [...documentEntries, ...submissionSets, ...folders];
  // Every association kept by associationsAmong has a returned object as its source.
  const candidates = returned.length === 0 ? [] : await ctx.store.findAssociations({ sourceObjects: returned.map((o) => o.entryUuid) });
  const ids = idSet(returned);
  return { documentEntries, submissionSets, folders, associations: associationsAmong(ids, candidates) };
}
