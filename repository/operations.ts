/**
 * The repository's SOAP operations: ITI-41 Provide and Register Document Set-b and ITI-43 Retrieve Document Set.
 * Each is wire → transaction logic → answer; the logic lives in transactions/.
 */
import { SoapFault, XdsError, type RegistryError } from '../shared/errors';
import { buildRegistryResponse, buildRetrieveDocumentSetResponse } from '../shared/ebxml/build';
import { parseRetrieveDocumentSetRequest } from '../shared/ebxml/parse';
import type { ResponseStatus } from '../shared/ebxml/types';
import type { IncomingSoap, SoapOperation } from '../shared/soap/endpoint';
import { ACTION, IDENTIFICATION_SCHEME } from '../shared/xds/constants';
import type { XmlElement } from '../shared/xml/tree';
import { NS } from '../shared/xml/namespaces';
import type { StagedDocument } from './store/BlobStore';
import { provideAndRegister, type ProvideAndRegisterDeps } from './transactions/provideAndRegister';
import { retrieveDocumentSet, type RetrieveDeps } from './transactions/retrieveDocumentSet';

export type RepositoryContext = ProvideAndRegisterDeps & RetrieveDeps & { registryUrl?: string };

/** The SubmissionSet's patient id and uniqueId, read straight from the request (for the audit record). */
export function submissionSetIdentity(body: XmlElement): { patientIds?: string[]; submissionSetUniqueId?: string } {
  const out: { patientIds?: string[]; submissionSetUniqueId?: string } = {};
  const walk = (el: XmlElement): void => {
    if (el.ns === NS.rim && el.local === 'ExternalIdentifier') {
      const scheme = el.attrs.identificationScheme;
      if (scheme === IDENTIFICATION_SCHEME.ssPatientId && el.attrs.value) out.patientIds = [el.attrs.value];
      if (scheme === IDENTIFICATION_SCHEME.ssUniqueId && el.attrs.value) out.submissionSetUniqueId = el.attrs.value;
      return;
    }
    for (const c of el.children) walk(c);
  };
  walk(body);
  return out;
}

function statusOf(errors: RegistryError[]): ResponseStatus {
  return errors.some((e) => e.severity === 'Error') ? 'Failure' : 'Success';
}

export function provideAndRegisterOperation(ctx: RepositoryContext): SoapOperation<StagedDocument> {
  return {
    action: ACTION.iti41,
    internalErrorCode: 'XDSRepositoryError',
    async handle(msg: IncomingSoap<StagedDocument>) {
      const body = msg.soap.body;
      if (body.ns !== NS.xds || body.local !== 'ProvideAndRegisterDocumentSetRequest') {
        throw new SoapFault('Sender', `ITI-41 expects xds:ProvideAndRegisterDocumentSetRequest in the Body, got {${body.ns}}${body.local}`);
      }
      Object.assign(msg.audit, submissionSetIdentity(body));
      const registryUrl = ctx.registryUrl ?? 'registry';
      const registry: RepositoryContext['registry'] = {
        register: async (objects) => {
          try {
            const answer = await ctx.registry.register(objects);
            msg.audit.registryCall = { url: registryUrl, ok: answer.status === 'Success', errorCodes: answer.errors.map((e) => e.errorCode) };
            return answer;
          } catch (e) {
            msg.audit.registryCall = { url: registryUrl, ok: false, errorCodes: e instanceof XdsError ? e.errors.map((r) => r.errorCode) : [] };
            throw e;
          }
        },
      };
      const answer = await provideAndRegister({ request: body, attachments: msg.attachments }, { ...ctx, registry });
      // A registry Failure is relayed unchanged; raising it lets the endpoint record the request as failed.
      if (answer.status === 'Failure' && answer.errors.some((e) => e.severity === 'Error')) throw new XdsError(answer.errors);
      return { body: buildRegistryResponse(answer) };
    },
    failure(errors) {
      return { body: buildRegistryResponse({ status: statusOf(errors), errors }) };
    },
  };
}

export function retrieveDocumentSetOperation(ctx: RepositoryContext): SoapOperation<StagedDocument> {
  return {
    action: ACTION.iti43,
    internalErrorCode: 'XDSRepositoryError',
    async handle(msg: IncomingSoap<StagedDocument>) {
      const body = msg.soap.body;
      if (body.ns !== NS.xds || body.local !== 'RetrieveDocumentSetRequest') {
        throw new SoapFault('Sender', `ITI-43 expects xds:RetrieveDocumentSetRequest in the Body, got {${body.ns}}${body.local}`);
      }
      let request;
      try {
        request = parseRetrieveDocumentSetRequest(body);
      } catch (e) {
        if (e instanceof XdsError) throw new XdsError(e.errors.map((r) => ({ ...r, errorCode: 'XDSRepositoryError' })));
        throw e;
      }
      const { response, parts } = await retrieveDocumentSet(request, ctx);
      msg.audit.documents = response.documentResponses.map((d) => ({
        uniqueId: d.documentUniqueId,
        repositoryUniqueId: d.repositoryUniqueId,
        ...(d.homeCommunityId ? { homeCommunityId: d.homeCommunityId } : {}),
      }));
      if (response.registryResponse.status === 'Failure') throw new XdsError(response.registryResponse.errors);
      return { body: buildRetrieveDocumentSetResponse(response), parts, mtom: true };
    },
    failure(errors) {
      return {
        body: buildRetrieveDocumentSetResponse({ registryResponse: { status: statusOf(errors), errors }, documentResponses: [] }),
        mtom: true,
      };
    },
  };
}
