/** FindSubmissionSets: SubmissionSets of one patient. */
import type { SubmissionSetFilter } from '../store/RegistryStore';
import { P } from './definitions';
import { timeRange } from './filters';
import type { QueryParameters } from './parse';
import { objectsOf, type QueryContext, type StoredQueryObjects } from './result';

export function findSubmissionSetsFilter(params: QueryParameters): SubmissionSetFilter {
  const f: SubmissionSetFilter = {};
  const patientId = params.text(P.ssPatientId);
  if (patientId !== undefined) f.patientId = patientId;
  const statuses = params.texts(P.ssStatus);
  if (statuses !== undefined) f.statuses = statuses;
  const sourceIds = params.texts(P.ssSourceId);
  if (sourceIds !== undefined) f.sourceIds = sourceIds;
  const contentTypes = params.codes(P.ssContentType);
  if (contentTypes !== undefined) f.contentTypeCodes = contentTypes;
  const authors = params.texts(P.ssAuthorPerson);
  if (authors !== undefined) f.authorPersons = authors;
  const submissionTime = timeRange(params, P.ssSubmissionTimeFrom, P.ssSubmissionTimeTo);
  if (submissionTime !== undefined) f.submissionTime = submissionTime;
  return f;
}

export async function runFindSubmissionSets(params: QueryParameters, ctx: QueryContext): Promise<StoredQueryObjects> {
  return objectsOf({ submissionSets: await ctx.store.findSubmissionSets(findSubmissionSetsFilter(params), ctx.limit) });
}
