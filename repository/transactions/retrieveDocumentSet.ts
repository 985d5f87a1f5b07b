/**
 * ITI-43 Retrieve Document Set, repository side (digest 7.1). Each DocumentRequest is answered on its own:
 * a RepositoryUniqueId that is not ours → XDSUnknownRepositoryId, an unknown document → XDSDocumentUniqueIdError,
 * otherwise a DocumentResponse whose bytes stream from the BlobStore as an XOP part when the answer is written.
 * Status: every request served → Success, some → PartialSuccess, none → Failure. The registry is not consulted.
 */
import { registryError, type RegistryError } from '../../shared/errors';
import type { DocumentResponse, ResponseStatus, RetrieveDocumentSetRequest, RetrieveDocumentSetResponse } from '../../shared/ebxml/types';
import { hrefForContentId } from '../../shared/mtom/contentType';
import { newContentId } from '../../shared/mtom/writer';
import type { MtomOutPart } from '../../shared/soap/endpoint';
import type { BlobStore } from '../store/BlobStore';

export interface RetrieveDeps {
  store: BlobStore;
  repositoryUniqueId: string;
}

export interface RetrieveResult {
  response: RetrieveDocumentSetResponse;
  /** One XOP part per DocumentResponse, in the same order; each opens its stream only when written. */
  parts: MtomOutPart[];
}

export async function retrieveDocumentSet(request: RetrieveDocumentSetRequest, deps: RetrieveDeps): Promise<RetrieveResult> {
  const errors: RegistryError[] = [];
  const documentResponses: DocumentResponse[] = [];
  const parts: MtomOutPart[] = [];
  for (const r of request.documentRequests) {
    const repositoryUniqueId = r.repositoryUniqueId.trim();
    const documentUniqueId = r.documentUniqueId.trim();
    if (repositoryUniqueId !== deps.repositoryUniqueId) {
      errors.push(
        registryError('XDSUnknownRepositoryId', `RepositoryUniqueId ${repositoryUniqueId} is not this repository (${deps.repositoryUniqueId}); document ${documentUniqueId}`, repositoryUniqueId),
      );
      continue;
    }
    const info = await deps.store.info(documentUniqueId);
    if (!info) {
      errors.push(registryError('XDSDocumentUniqueIdError', `DocumentUniqueId ${documentUniqueId} is not stored in repository ${repositoryUniqueId}`, documentUniqueId));
      continue;
    }
    const contentId = newContentId('xds.repository');
    const response: DocumentResponse = {
      repositoryUniqueId,
      documentUniqueId,
      mimeType: info.mimeType,
      content: { kind: 'xop', href: hrefForContentId(contentId) },
    };
    if (r.homeCommunityId !== undefined) response.homeCommunityId = r.homeCommunityId;
    documentResponses.push(response);
    const openSource = deps.store.openSource?.bind(deps.store);
    const open = openSource ? () => openSource(documentUniqueId) : () => deps.store.open(documentUniqueId);
    parts.push({ contentId, contentType: info.mimeType, open });
  }
  return { response: { registryResponse: { status: statusOf(documentResponses.length, request.documentRequests.length), errors }, documentResponses }, parts };
}

function statusOf(served: number, requested: number): ResponseStatus {
  if (served === requested) return 'Success';
  return served === 0 ? 'Failure' : 'PartialSuccess';
}
