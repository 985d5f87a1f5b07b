/**
 * Pure mappings from validated query parameters to RegistryStore filters that several query families share.
 * A filter field is set only when its parameter is present (absent field = no filtering).
 */
import { OBJECT_TYPE } from '../../shared/xds/constants';
import type { DocumentEntryFilter, TimeRange } from '../store/RegistryStore';
import { P } from './definitions';
import type { QueryParameters } from './parse';

/** From/To parameters → TimeRange, or undefined when neither is given. */
export function timeRange(params: QueryParameters, fromName: string, toName: string): TimeRange | undefined {
  const from = params.text(fromName);
  const to = params.text(toName);
  if (from === undefined && to === undefined) return undefined;
  const range: TimeRange = {};
  if (from !== undefined) range.from = from;
  if (to !== undefined) range.to = to;
  return range;
}

/** $XDSDocumentEntryType, defaulting to stable DocumentEntries only when absent (digest 6.2). */
export function documentEntryTypes(params: QueryParameters): string[] {
  return params.texts(P.deType) ?? [OBJECT_TYPE.stableDocumentEntry];
}

/** Assign only defined values, so a filter never carries `field: undefined`. */
function setIfDefined<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

/**
 * Every DocumentEntry attribute parameter a query may carry (FindDocuments' list plus the content filters of
 * GetAll / Get...AndContents). Parameters a query does not declare never reach here (parse.ts drops them).
 * Does not include the patient id, the status or the objectType: callers decide those.
 */
export function documentEntryAttributeFilter(params: QueryParameters): DocumentEntryFilter {
  const f: DocumentEntryFilter = {};
  setIfDefined(f, 'classCodes', params.codes(P.deClassCode));
  setIfDefined(f, 'typeCodes', params.codes(P.deTypeCode));
  setIfDefined(f, 'practiceSettingCodes', params.codes(P.dePracticeSettingCode));
  setIfDefined(f, 'healthcareFacilityTypeCodes', params.codes(P.deHealthcareFacilityTypeCode));
  setIfDefined(f, 'formatCodes', params.codes(P.deFormatCode));
  setIfDefined(f, 'eventCodes', params.codeGroups(P.deEventCodeList));
  setIfDefined(f, 'confidentialityCodes', params.codeGroups(P.deConfidentialityCode));
  setIfDefined(f, 'authorPersons', params.texts(P.deAuthorPerson));
  setIfDefined(f, 'referenceIds', params.textGroups(P.deReferenceIdList));
  setIfDefined(f, 'creationTime', timeRange(params, P.deCreationTimeFrom, P.deCreationTimeTo));
  setIfDefined(f, 'serviceStartTime', timeRange(params, P.deServiceStartTimeFrom, P.deServiceStartTimeTo));
  setIfDefined(f, 'serviceStopTime', timeRange(params, P.deServiceStopTimeFrom, P.deServiceStopTimeTo));
  return f;
}

/** The DocumentEntry content filters of GetAll / GetSubmissionSetAndContents / GetFolderAndContents. */
export function documentEntryContentFilter(params: QueryParameters): DocumentEntryFilter {
  return { ...documentEntryAttributeFilter(params), objectTypes: documentEntryTypes(params) };
}
