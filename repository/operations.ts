/**
 * The repository's SOAP operations: ITI-41 Provide and Register Document Set-b and ITI-43 Retrieve Document Set.
 * Each is wire → transaction logic → answer; the logic lives in transactions/.
 */
import { SoapFault, XdsError, type RegistryError } from '../shared/errors';
import { buildRegistryResponse, buildRetrieveDocumentSetResponse } from '../shared/ebxml/build';
import { parseRetrieveDocumentSetRequest } from '../shared/ebxml/parse';
import type { ResponseStatus } from '../shared/ebxml/types';
import type { IncomingSoap, SoapOperation } from '../shared/soap/endpoint';
import { ACTION } from '../shared/xds/constants';
import { NS } from '../shared/xml/namespaces';
import type { StagedDocument } from './store/BlobStore';
import { provideAndRegister, type ProvideAndRegisterDeps } from './transactions/provideAndRegister';
import { retrieveDocumentSet, type RetrieveDeps } from './transactions/retrieveDocumentSet';

export type RepositoryContext = ProvideAndRegisterDeps & RetrieveDeps;

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
      const answer = await provideAndRegister({ request: body, attachments: msg.attachments }, ctx);
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
