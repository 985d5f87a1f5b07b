/**
 * An inline (non-MTOM) xds:Document: its base64 text is decoded slice by slice into a staging sink, so the
 * decoded bytes never exist whole in memory next to the text.
 */
import { registryError, SoapFault, XdsError } from '../../shared/errors';
import { Base64Decoder } from '../../shared/mtom/base64';
import { endAndWait, writeChunk } from '../../shared/mtom/streams';
import type { BlobStore, StagedDocument } from '../store/BlobStore';

/** Characters of base64 text decoded per step (a multiple of 4 keeps slices aligned when there is no whitespace). */
const SLICE_CHARS = 256 * 1024;

/**
 * Stages the decoded bytes of `base64`. Resolves when the staged document is complete (its `done` resolved).
 * Invalid base64 → XdsError XDSRepositoryMetadataError naming the document; the staged bytes are discarded.
 */
export async function stageInlineDocument(store: BlobStore, documentId: string, base64: string, maxBytes?: number): Promise<StagedDocument> {
  const { sink, staged } = await store.stage(maxBytes === undefined ? {} : { maxBytes });
  const decoder = new Base64Decoder(`xds:Document ${documentId}`);
  try {
    for (let i = 0; i < base64.length; i += SLICE_CHARS) {
      // utf8 turns any non-ASCII character into bytes >= 0x80, which the decoder refuses.
      const bytes = decoder.push(Buffer.from(base64.slice(i, i + SLICE_CHARS), 'utf8'));
      if (bytes.length > 0) await writeChunk(sink, bytes);
    }
    const rest = decoder.end();
    if (rest.length > 0) await writeChunk(sink, rest);
    await endAndWait(sink);
    await staged.done;
    return staged;
  } catch (e) {
    if (!sink.destroyed) sink.destroy(e instanceof Error ? e : new Error(String(e)));
    await store.discard(staged);
    // The staging sink reports its own failure (e.g. a LimitError) through `done`; prefer that over a generic one.
    const cause = await staged.done.then(
      () => e,
      (doneError: unknown) => doneError,
    );
    if (cause instanceof SoapFault && cause.name !== 'LimitError') {
      throw new XdsError(registryError('XDSRepositoryMetadataError', cause.message, documentId));
    }
    throw cause;
  }
}
