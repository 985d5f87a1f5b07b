/**
 * Shared by every BlobStore's commit(): the staged records for a commit (refusing a uniqueId used twice), and the
 * conflicts between a stored document and the same uniqueId submitted again.
 */
import { registryError, XdsError, type RegistryError } from '../../shared/errors';
import type { StagedDocument } from './BlobStore';

export function stagedRecordsFor<R extends { state: string }>(items: { staged: StagedDocument; uniqueId: string }[], staging: ReadonlyMap<string, R>): R[] {
  const seen = new Set<string>();
  const records: R[] = [];
  for (const item of items) {
    if (seen.has(item.uniqueId)) {
      throw new XdsError(registryError('XDSRepositoryDuplicateUniqueIdInMessage', `document uniqueId ${item.uniqueId} appears more than once in the submission`));
    }
    seen.add(item.uniqueId);
    const record = staging.get(item.staged.stagingId);
    if (!record || (record.state !== 'staged' && record.state !== 'receiving')) {
      throw new Error(`staged document ${item.staged.stagingId} is unknown, discarded or already committed`);
    }
    records.push(record);
  }
  return records;
}

/** The conflicts between a stored document and the bytes submitted again under its uniqueId (none: identical). */
export function nonIdenticalErrors(uniqueId: string, stored: { size: number; hash: string }, submitted: { size: number; hash: string }): RegistryError[] {
  const errors: RegistryError[] = [];
  if (stored.size !== submitted.size) {
    errors.push(registryError('XDSNonIdenticalSize', `document uniqueId ${uniqueId} is already stored with size ${stored.size}; the submitted document has size ${submitted.size}`, uniqueId));
  }
  if (stored.hash.toLowerCase() !== submitted.hash.toLowerCase()) {
    errors.push(registryError('XDSNonIdenticalHash', `document uniqueId ${uniqueId} is already stored with hash ${stored.hash}; the submitted document has hash ${submitted.hash}`, uniqueId));
  }
  return errors;
}
