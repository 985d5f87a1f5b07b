/** Shared by every BlobStore's commit(): the staged records for a commit, refusing a uniqueId used twice. */
import { registryError, XdsError } from '../../shared/errors';
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
