/**
 * ITI-18 stored query execution, independent of HTTP/SOAP: validate (parse.ts), run the query family,
 * then apply the result rules (XDSTooManyResults, XDSResultNotSinglePatient, ObjectRef).
 * Errors are thrown as XdsError; the caller answers them with status Failure and no objects.
 */
import type { AdhocQueryRequest } from '../../shared/ebxml/types';
import { registryError, XdsError } from '../../shared/errors';
import type { RegistryStore } from '../store/RegistryStore';
import type { StoredQueryName } from './definitions';
import { runFindDocuments, runFindDocumentsByReferenceId } from './findDocuments';
import { runFindFolders } from './findFolders';
import { runFindSubmissionSets } from './findSubmissionSets';
import { runGetAll } from './getAll';
import { runGetAssociations } from './getAssociations';
import { runGetDocuments, runGetDocumentsAndAssociations } from './getDocuments';
import { runGetFolderAndContents, runGetFolders, runGetFoldersForDocument } from './getFolders';
import { runGetRelatedDocuments } from './getRelatedDocuments';
import { runGetSubmissionSetAndContents, runGetSubmissionSets } from './getSubmissionSets';
import { parseStoredQuery, type QueryParameters } from './parse';
import { countObjects, normalizeObjects, type QueryContext, type StoredQueryObjects } from './result';

export type QueryRunner = (params: QueryParameters, ctx: QueryContext) => Promise<StoredQueryObjects>;

/** Which family module runs each query. */
export const QUERY_RUNNERS: Record<StoredQueryName, QueryRunner> = {
  FindDocuments: runFindDocuments,
  FindDocumentsByReferenceId: runFindDocumentsByReferenceId,
  FindSubmissionSets: runFindSubmissionSets,
  FindFolders: runFindFolders,
  GetAll: runGetAll,
  GetDocuments: runGetDocuments,
  GetFolders: runGetFolders,
  GetAssociations: runGetAssociations,
  GetDocumentsAndAssociations: runGetDocumentsAndAssociations,
  GetSubmissionSets: runGetSubmissionSets,
  GetSubmissionSetAndContents: runGetSubmissionSetAndContents,
  GetFolderAndContents: runGetFolderAndContents,
  GetFoldersForDocument: runGetFoldersForDocument,
  GetRelatedDocuments: runGetRelatedDocuments,
};

export interface StoredQueryOptions {
  /** More objects than this (all types together) → XDSTooManyResults. */
  maxResults: number;
  /** Refuse LeafClass results that mix patient ids (XDSResultNotSinglePatient). */
  checkSinglePatient: boolean;
}

interface ResultBase {
  queryName: StoredQueryName;
  queryId: string;
  home?: string;
}

/** LeafClass: the objects themselves, each list sorted by entryUUID. */
export interface LeafClassResult extends ResultBase, StoredQueryObjects {
  returnType: 'LeafClass';
}

/** ObjectRef: ids only, in the order SubmissionSets, Folders, DocumentEntries, Associations. */
export interface ObjectRefResult extends ResultBase {
  returnType: 'ObjectRef';
  objectRefs: string[];
}

export type StoredQueryResult = LeafClassResult | ObjectRefResult;

/** XDSTooManyResults when the result holds more than maxResults objects. */
export function tooManyResultsError(count: number, maxResults: number): XdsError | undefined {
  if (count <= maxResults) return undefined;
  return new XdsError(registryError('XDSTooManyResults', `The query matched more than the limit of ${maxResults} objects; refine the query`, `maxResults=${maxResults}`));
}

/** The distinct patient ids of the DocumentEntries, SubmissionSets and Folders (Associations carry none). */
export function patientIdsOf(o: StoredQueryObjects): string[] {
  const ids = new Set<string>();
  for (const x of [...o.documentEntries, ...o.submissionSets, ...o.folders]) if (x.patientId?.value !== undefined) ids.add(x.patientId.value);
  return [...ids];
}

export function notSinglePatientError(o: StoredQueryObjects): XdsError | undefined {
  const ids = patientIdsOf(o);
  if (ids.length <= 1) return undefined;
  return new XdsError(registryError('XDSResultNotSinglePatient', `A LeafClass result would contain objects of ${ids.length} patients: ${ids.join(', ')}`, ids.join(', ')));
}

export function objectRefsOf(o: StoredQueryObjects): string[] {
  return [...o.submissionSets, ...o.folders, ...o.documentEntries, ...o.associations].map((x) => x.entryUuid);
}

export async function executeStoredQuery(store: RegistryStore, req: AdhocQueryRequest, opts: StoredQueryOptions): Promise<StoredQueryResult> {
  const parsed = parseStoredQuery(req);
  const { name, id } = parsed.definition;
  const ctx: QueryContext = { store, limit: opts.maxResults + 1 };
  const objects = normalizeObjects(await QUERY_RUNNERS[name](parsed.params, ctx));

  const tooMany = tooManyResultsError(countObjects(objects), opts.maxResults);
  if (tooMany) throw tooMany;

  const base: ResultBase = { queryName: name, queryId: id };
  if (parsed.home !== undefined) base.home = parsed.home;
  if (parsed.returnType === 'ObjectRef') return { ...base, returnType: 'ObjectRef', objectRefs: objectRefsOf(objects) };

  if (opts.checkSinglePatient) {
    const mixed = notSinglePatientError(objects);
    if (mixed) throw mixed;
  }
  return { ...base, returnType: 'LeafClass', ...objects };
}
