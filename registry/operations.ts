/**
 * The registry's SOAP operations: ITI-42 Register Document Set-b and ITI-18 Registry Stored Query.
 * Each is wire → ebXML objects → XDS model → transaction logic → response; the logic lives in transactions/
 * and storedQueries/.
 */
import { NS } from '../shared/xml/namespaces';
import { SoapFault, type RegistryError } from '../shared/errors';
import { parseAdhocQueryRequest, parseSubmitObjectsRequest } from '../shared/ebxml/parse';
import { buildAdhocQueryRequest, buildAdhocQueryResponse, buildRegistryResponse } from '../shared/ebxml/build';
import type { AdhocQueryRequest, ResponseStatus } from '../shared/ebxml/types';
import { submissionFromEbxml } from '../shared/xds/fromEbxml';
import { ACTION } from '../shared/xds/constants';
import type { IncomingSoap, SoapOperation } from '../shared/soap/endpoint';
import type { RegistryStore } from './store/RegistryStore';
import { registerDocumentSet, type RegisterOptions } from './transactions/registerDocumentSet';
import { executeStoredQuery } from './storedQueries/execute';
import { queryResultToEbxml } from './queryResponse';

export interface RegistryContext {
  store: RegistryStore;
  register: RegisterOptions;
  query: { maxResults: number; checkSinglePatient: boolean };
}

function statusOf(errors: RegistryError[]): ResponseStatus {
  return errors.some((e) => e.severity === 'Error') ? 'Failure' : 'Success';
}

export function registerOperation(ctx: RegistryContext): SoapOperation<never> {
  return {
    action: ACTION.iti42,
    internalErrorCode: 'XDSRegistryError',
    async handle(msg: IncomingSoap<never>) {
      const body = msg.soap.body;
      if (body.ns !== NS.lcm || body.local !== 'SubmitObjectsRequest') {
        throw new SoapFault('Sender', `ITI-42 expects lcm:SubmitObjectsRequest in the Body, got {${body.ns}}${body.local}`);
      }
      const request = parseSubmitObjectsRequest(body);
      const submission = submissionFromEbxml(request.objects);
      const ss = submission.submissionSets[0];
      if (ss?.patientId) msg.audit.patientIds = [ss.patientId.value];
      if (ss?.uniqueId) msg.audit.submissionSetUniqueId = ss.uniqueId.value;
      const warnings = await registerDocumentSet(ctx.store, submission, ctx.register);
      return { body: buildRegistryResponse({ status: 'Success', errors: warnings }) };
    },
    failure(errors) {
      return { body: buildRegistryResponse({ status: statusOf(errors), errors }) };
    },
  };
}

export function storedQueryOperation(ctx: RegistryContext): SoapOperation<never> {
  return {
    action: ACTION.iti18,
    internalErrorCode: 'XDSRegistryError',
    async handle(msg: IncomingSoap<never>) {
      const body = msg.soap.body;
      if (body.ns !== NS.query || body.local !== 'AdhocQueryRequest') {
        throw new SoapFault('Sender', `ITI-18 expects query:AdhocQueryRequest in the Body, got {${body.ns}}${body.local}`);
      }
      const request: AdhocQueryRequest = parseAdhocQueryRequest(body);
      msg.audit.query = { id: request.queryId, requestXml: buildAdhocQueryRequest(request) };
      const patientIds = queryPatientIds(request);
      if (patientIds.length) msg.audit.patientIds = patientIds;
      const result = await executeStoredQuery(ctx.store, request, ctx.query);
      return { body: buildAdhocQueryResponse({ status: 'Success', errors: [], objects: queryResultToEbxml(result) }) };
    },
    failure(errors) {
      return { body: buildAdhocQueryResponse({ status: statusOf(errors), errors, objects: [] }) };
    },
  };
}


const PATIENT_PARAMS = new Set(['$XDSDocumentEntryPatientId', '$XDSSubmissionSetPatientId', '$XDSFolderPatientId', '$patientId']);

/** The patient ids a stored query names (for the audit record), without their quotes. */
export function queryPatientIds(request: AdhocQueryRequest): string[] {
  const ids = new Set<string>();
  for (const p of request.parameters) {
    if (!PATIENT_PARAMS.has(p.name)) continue;
    for (const v of p.values) ids.add(v.trim().replace(/^'(.*)'$/s, '$1').replace(/''/g, "'"));
  }
  return [...ids];
}
