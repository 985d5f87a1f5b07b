/**
 * ITI-41 Provide and Register Document Set-b, the repository side (digest 4.5):
 *
 *   parse → pair xds:Document with DocumentEntries → validate (ITI-41) → stage inline documents →
 *   check hash/size/repositoryUniqueId → set the slots → commit the bytes (durable) → ITI-42 to the registry →
 *   on a registry Failure or an unreachable registry, remove the documents this submission created.
 *
 * Success is answered only after the bytes are durable and the registry said Success, so no document is ever
 * kept without its metadata and no metadata points to bytes that were not kept.
 */
import { registryError, XdsError, type RegistryError } from '../../shared/errors';
import { parseProvideAndRegisterRequest } from '../../shared/ebxml/parse';
import type { DocumentContent, ExtrinsicObject, ProvideAndRegisterDocumentSetRequest, RegistryObjectListItem, RegistryResponse, Slot } from '../../shared/ebxml/types';
import { contentIdFromHref } from '../../shared/mtom/contentType';
import { validateSubmission } from '../../shared/validation/validate';
import type { ValidationProfile } from '../../shared/validation/types';
import { SLOT } from '../../shared/xds/constants';
import { submissionFromEbxml } from '../../shared/xds/fromEbxml';
import type { DocumentEntry, Submission } from '../../shared/xds/model';
import type { XmlElement } from '../../shared/xml/tree';
import type { Logger } from '../../shared/logger';
import type { KeyedMutex } from '../keyedMutex';
import type { RegistryClient } from '../registryClient';
import type { BlobStore, StagedDocument } from '../store/BlobStore';
import { stageInlineDocument } from './inlineDocument';

export interface ProvideAndRegisterDeps {
  store: BlobStore;
  registry: Pick<RegistryClient, 'register'>;
  /** This repository's OID. */
  repositoryUniqueId: string;
  maxDocumentBytes?: number;
  profile?: ValidationProfile;
  /** uniqueIds whose submission is between commit and the registry's answer (shared by all requests). */
  inFlight: KeyedMutex;
  logger?: Logger;
}

export interface ProvideAndRegisterInput {
  /** The xds:ProvideAndRegisterDocumentSetRequest element. */
  request: XmlElement;
  /** MIME attachments the endpoint already staged, by Content-ID (without <>). */
  attachments: ReadonlyMap<string, StagedDocument>;
}

/** A DocumentEntry with the xds:Document that carries its bytes. */
interface PairedDocument {
  entry: DocumentEntry;
  uniqueId: string;
  content: DocumentContent;
}

const METADATA_ERROR = 'XDSRepositoryMetadataError';

/**
 * Runs ITI-41. Resolves with the RegistryResponse for the source: Success (with warnings) or the registry's own
 * non-Success answer, relayed unchanged. Rejects with XdsError for what the repository itself refuses.
 */
export async function provideAndRegister(input: ProvideAndRegisterInput, deps: ProvideAndRegisterDeps): Promise<RegistryResponse> {
  const pnr = asRepositoryError(() => parseProvideAndRegisterRequest(input.request));
  const objects = pnr.submitObjectsRequest.objects;
  const submission = asRepositoryError(() => submissionFromEbxml(objects));

  const findings = validateSubmission(submission, 'ITI-41', deps.profile);
  const warnings = findings.filter((f) => f.severity === 'Warning');
  const errors = findings.filter((f) => f.severity === 'Error');
  const { paired, errors: pairingErrors } = pairDocuments(submission, pnr, input.attachments);
  errors.push(...pairingErrors, ...duplicateUniqueIds(paired), ...foreignRepositoryIds(paired, deps.repositoryUniqueId));
  if (errors.length > 0) throw new XdsError(errors);

  const ownStaged: StagedDocument[] = [];
  try {
    const staged = new Map<PairedDocument, StagedDocument>();
    for (const p of paired) {
      if (p.content.kind === 'inline') {
        const s = await stageInlineDocument(deps.store, p.entry.entryUuid, p.content.base64, deps.maxDocumentBytes);
        ownStaged.push(s);
        staged.set(p, s);
      } else {
        staged.set(p, input.attachments.get(contentIdFromHref(p.content.href)) as StagedDocument);
      }
    }
    const computed = new Map<PairedDocument, { size: number; hash: string }>();
    for (const p of paired) computed.set(p, await (staged.get(p) as StagedDocument).done);
    const mismatches = paired.flatMap((p) => hashAndSizeMismatches(p, computed.get(p) as { size: number; hash: string }));
    if (mismatches.length > 0) throw new XdsError(mismatches);

    const forwarded = withRepositorySlots(objects, paired, computed, deps.repositoryUniqueId);
    const release = await deps.inFlight.acquire(paired.map((p) => p.uniqueId));
    try {
      const { created } = await deps.store.commit(
        paired.map((p) => ({ staged: staged.get(p) as StagedDocument, uniqueId: p.uniqueId, mimeType: p.entry.mimeType ?? 'application/octet-stream' })),
      );
      let answer: RegistryResponse;
      try {
        answer = await deps.registry.register(forwarded);
      } catch (e) {
        await rollback(deps, created, 'the registry call failed');
        throw e;
      }
      if (answer.status !== 'Success') {
        await rollback(deps, created, `the registry answered ${answer.status}`);
        return answer;
      }
      return { status: 'Success', errors: [...warnings, ...answer.errors] };
    } finally {
      release();
    }
  } finally {
    for (const s of ownStaged) await deps.store.discard(s).catch(() => undefined);
  }
}

/** Parse / model errors carry the registry's code; at the repository they are XDSRepositoryMetadataError. */
function asRepositoryError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof XdsError) {
      throw new XdsError(e.errors.map((r) => (r.errorCode === 'XDSRegistryMetadataError' ? { ...r, errorCode: METADATA_ERROR } : r)));
    }
    throw e;
  }
}

function describeEntry(entry: DocumentEntry): string {
  const uid = entry.uniqueId?.value;
  return uid === undefined ? `DocumentEntry ${entry.entryUuid}` : `DocumentEntry ${entry.entryUuid} (uniqueId ${uid})`;
}

/**
 * Pairs xds:Document with DocumentEntries by id (exact string equality) and XOP references with MIME parts:
 * an entry without a document → XDSMissingDocument; a document or MIME part without an entry →
 * XDSMissingDocumentMetadata.
 */
export function pairDocuments(
  submission: Submission,
  pnr: ProvideAndRegisterDocumentSetRequest,
  attachments: ReadonlyMap<string, unknown>,
): { paired: PairedDocument[]; errors: RegistryError[] } {
  const errors: RegistryError[] = [];
  const documents = new Map<string, DocumentContent>();
  for (const d of pnr.documents) {
    if (documents.has(d.id)) errors.push(registryError(METADATA_ERROR, `xds:Document id ${d.id} appears more than once`, d.id));
    else documents.set(d.id, d.content);
  }
  const entryIds = new Set(submission.documentEntries.map((e) => e.entryUuid));
  const referencedParts = new Map<string, string>();
  const paired: PairedDocument[] = [];
  for (const entry of submission.documentEntries) {
    const content = documents.get(entry.entryUuid);
    if (!content) {
      errors.push(registryError('XDSMissingDocument', `${describeEntry(entry)} has no xds:Document with id ${entry.entryUuid}`, entry.entryUuid));
      continue;
    }
    if (content.kind === 'xop') {
      const cid = contentIdFromHref(content.href);
      const other = referencedParts.get(cid);
      if (other !== undefined) {
        errors.push(registryError(METADATA_ERROR, `xds:Document ${entry.entryUuid} and ${other} both reference the MIME part ${content.href}`, entry.entryUuid));
        continue;
      }
      referencedParts.set(cid, entry.entryUuid);
      if (!attachments.has(cid)) {
        errors.push(registryError('XDSMissingDocument', `xds:Document ${entry.entryUuid} references ${content.href} but the message has no MIME part with Content-ID <${cid}>`, entry.entryUuid));
        continue;
      }
    }
    if (entry.uniqueId?.value !== undefined) paired.push({ entry, uniqueId: entry.uniqueId.value, content });
  }
  for (const d of pnr.documents) {
    if (!entryIds.has(d.id)) {
      errors.push(registryError('XDSMissingDocumentMetadata', `xds:Document ${d.id} matches no DocumentEntry (rim:ExtrinsicObject id) in the metadata`, d.id));
      if (d.content.kind === 'xop') referencedParts.set(contentIdFromHref(d.content.href), d.id);
    }
  }
  for (const cid of attachments.keys()) {
    if (!referencedParts.has(cid)) {
      errors.push(registryError('XDSMissingDocumentMetadata', `MIME part <${cid}> is referenced by no xds:Document, so no DocumentEntry describes it`));
    }
  }
  return { paired, errors };
}

function duplicateUniqueIds(paired: PairedDocument[]): RegistryError[] {
  const seen = new Map<string, string>();
  const errors: RegistryError[] = [];
  for (const p of paired) {
    const first = seen.get(p.uniqueId);
    if (first !== undefined) {
      errors.push(
        registryError('XDSRepositoryDuplicateUniqueIdInMessage', `uniqueId ${p.uniqueId} is used by DocumentEntry ${first} and ${p.entry.entryUuid}`, p.entry.entryUuid),
      );
    } else seen.set(p.uniqueId, p.entry.entryUuid);
  }
  return errors;
}

function foreignRepositoryIds(paired: PairedDocument[], ours: string): RegistryError[] {
  const errors: RegistryError[] = [];
  for (const p of paired) {
    for (const v of p.entry.repositoryUniqueId ?? []) {
      if (v.trim() !== ours) {
        errors.push(registryError(METADATA_ERROR, `${describeEntry(p.entry)}: repositoryUniqueId is ${v} but this repository is ${ours}`, p.entry.entryUuid));
      }
    }
  }
  return errors;
}

/** hash (case-insensitive) and size sent in the metadata must describe the bytes received. */
export function hashAndSizeMismatches(p: PairedDocument, computed: { size: number; hash: string }): RegistryError[] {
  const errors: RegistryError[] = [];
  for (const sent of p.entry.hash ?? []) {
    if (sent.trim().toLowerCase() !== computed.hash) {
      errors.push(registryError(METADATA_ERROR, `${describeEntry(p.entry)}: hash sent ${sent} but the document's SHA-1 is ${computed.hash}`, p.entry.entryUuid));
    }
  }
  for (const sent of p.entry.size ?? []) {
    if (!/^\d+$/.test(sent.trim()) || Number(sent.trim()) !== computed.size) {
      errors.push(registryError(METADATA_ERROR, `${describeEntry(p.entry)}: size sent ${sent} but the document has ${computed.size} bytes`, p.entry.entryUuid));
    }
  }
  return errors;
}

/** The metadata for ITI-42: each paired ExtrinsicObject gets hash, size and repositoryUniqueId (set or replaced). */
function withRepositorySlots(
  objects: RegistryObjectListItem[],
  paired: PairedDocument[],
  computed: Map<PairedDocument, { size: number; hash: string }>,
  repositoryUniqueId: string,
): RegistryObjectListItem[] {
  const byId = new Map(paired.map((p) => [p.entry.entryUuid, p]));
  return objects.map((o) => {
    if (o.kind !== 'ExtrinsicObject') return o;
    const p = byId.get(o.id);
    if (!p) return o;
    const c = computed.get(p) as { size: number; hash: string };
    return setSlots(o, [
      { name: SLOT.hash, values: [c.hash] },
      { name: SLOT.size, values: [String(c.size)] },
      { name: SLOT.repositoryUniqueId, values: [repositoryUniqueId] },
    ]);
  });
}

function setSlots(o: ExtrinsicObject, slots: Slot[]): ExtrinsicObject {
  const names = new Set(slots.map((s) => s.name));
  return { ...o, slots: [...o.slots.filter((s) => !names.has(s.name)), ...slots] };
}

async function rollback(deps: ProvideAndRegisterDeps, created: string[], why: string): Promise<void> {
  for (const uniqueId of created) {
    try {
      await deps.store.remove(uniqueId);
    } catch (e) {
      deps.logger?.error('ITI-41 rollback could not remove a stored document', { why, error: e instanceof Error ? e.message : String(e) });
    }
  }
}
