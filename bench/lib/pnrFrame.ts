/**
 * ITI-41 (Provide and Register Document Set-b) as an MTOM/XOP package whose document bytes are supplied
 * separately: `head` (root part with the SOAP envelope, then the document part's headers), the document, then
 * `tail` (close delimiter). The sender knows the exact length up front, so it can send a Content-Length and
 * stream the document from disk.
 */
import { hrefForContentId } from '../../shared/mtom/contentType';
import { mtomContentType, newBoundary, newContentId } from '../../shared/mtom/writer';
import { buildSoapRequest } from '../../shared/soap/envelope';
import { ACTION } from '../../shared/xds/constants';
import { NS } from '../../shared/xml/namespaces';
import { submitObjectsRequestXml, type SubmissionSpec } from '../../test/helpers/metadata';

export interface PnrFrame {
  contentType: string;
  head: Buffer;
  tail: Buffer;
}

const ROOT_PART_TYPE = 'application/xop+xml; charset=UTF-8; type="application/soap+xml"';

/** Frames one document: `spec.documents[0]` is the DocumentEntry, its `id` names the xds:Document. */
export function pnrFrame(url: string, spec: SubmissionSpec, documentMimeType: string): PnrFrame {
  const doc = spec.documents?.[0];
  if (!doc || spec.documents?.length !== 1) throw new Error('pnrFrame frames exactly one document');
  const boundary = newBoundary();
  const rootId = newContentId('bench.root');
  const docContentId = newContentId('bench.doc');
  const body =
    `<xds:ProvideAndRegisterDocumentSetRequest xmlns:xds="${NS.xds}">${submitObjectsRequestXml(spec)}` +
    `<xds:Document id="${doc.id}"><xop:Include xmlns:xop="${NS.xop}" href="${hrefForContentId(docContentId)}"/></xds:Document>` +
    `</xds:ProvideAndRegisterDocumentSetRequest>`;
  const envelope = buildSoapRequest({ action: ACTION.iti41, to: url, body });
  const head =
    `--${boundary}\r\nContent-Type: ${ROOT_PART_TYPE}\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <${rootId}>\r\n\r\n` +
    `${envelope}\r\n--${boundary}\r\nContent-Type: ${documentMimeType}\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <${docContentId}>\r\n\r\n`;
  return {
    contentType: mtomContentType({ boundary, startId: rootId, action: ACTION.iti41 }),
    head: Buffer.from(head, 'utf8'),
    tail: Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1'),
  };
}
