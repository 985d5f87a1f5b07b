/** entryUUIDs: `urn:uuid:` + RFC 4122 UUID, compared case-insensitively; anything else is a symbolic id. */
import { randomUUID } from 'node:crypto';

const UUID_URN_RE = /^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function isUuidId(id: string): boolean {
  return UUID_URN_RE.test(id);
}

export function normalizeUuid(id: string): string {
  return isUuidId(id) ? id.toLowerCase() : id;
}

export function newEntryUuid(): string {
  return `urn:uuid:${randomUUID()}`;
}

/** Current time as an XDS DTM in UTC, second precision (YYYYMMDDhhmmss). */
export function nowDtm(date = new Date()): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
