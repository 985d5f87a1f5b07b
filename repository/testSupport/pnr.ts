/** Test-only: ITI-41 / ITI-43 request bodies built from the shared metadata helper. */
import { createHash } from 'node:crypto';
import { hrefForContentId } from '../../shared/mtom/contentType';
import { NS } from '../../shared/xml/namespaces';
import { escapeText } from '../../shared/xml/write';
import { submitObjectsRequestXml, type SubmissionSpec } from '../../test/helpers/metadata';

export type PnrDocument = { id: string; inline: Buffer | string } | { id: string; contentId: string };

export function sha1Hex(data: Buffer | string): string {
  return createHash('sha1').update(data).digest('hex');
}

export function documentXml(d: PnrDocument): string {
  if ('inline' in d) {
    const b64 = (typeof d.inline === 'string' ? Buffer.from(d.inline) : d.inline).toString('base64');
    return `<xds:Document id="${escapeText(d.id)}">${b64}</xds:Document>`;
  }
  return `<xds:Document id="${escapeText(d.id)}"><xop:Include xmlns:xop="${NS.xop}" href="${hrefForContentId(d.contentId)}"/></xds:Document>`;
}

/** xds:ProvideAndRegisterDocumentSetRequest with the metadata of `spec` and these xds:Document elements. */
export function pnrXml(spec: SubmissionSpec, documents: PnrDocument[]): string {
  return `<xds:ProvideAndRegisterDocumentSetRequest xmlns:xds="${NS.xds}">${submitObjectsRequestXml(spec)}${documents.map(documentXml).join('')}</xds:ProvideAndRegisterDocumentSetRequest>`;
}

export function retrieveXml(requests: { repositoryUniqueId: string; documentUniqueId: string; homeCommunityId?: string }[]): string {
  const items = requests
    .map(
      (r) =>
        `<xds:DocumentRequest>${r.homeCommunityId ? `<xds:HomeCommunityId>${escapeText(r.homeCommunityId)}</xds:HomeCommunityId>` : ''}` +
        `<xds:RepositoryUniqueId>${escapeText(r.repositoryUniqueId)}</xds:RepositoryUniqueId><xds:DocumentUniqueId>${escapeText(r.documentUniqueId)}</xds:DocumentUniqueId></xds:DocumentRequest>`,
    )
    .join('');
  return `<xds:RetrieveDocumentSetRequest xmlns:xds="${NS.xds}">${items}</xds:RetrieveDocumentSetRequest>`;
}
