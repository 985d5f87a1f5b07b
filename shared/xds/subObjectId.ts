/**
 * Deterministic ids for Classifications / ExternalIdentifiers the model does not carry an id for
 * (objects built in code rather than parsed). Same owner + same role always gives the same id, so
 * re-serialising an object is stable.
 *
 * - Owner id is a urn:uuid: → a name-based (version 5) UUID from the lower-cased owner id and the role,
 *   so the result is a valid, unique entryUUID-style id.
 * - Owner id is symbolic → `<owner>.<role>`, still symbolic, so the registry maps it like any other
 *   symbolic id in the submission.
 */
import { createHash } from 'node:crypto';

/** Our own namespace UUID for version-5 sub-object ids (random, fixed forever). */
const NAMESPACE = Buffer.from('4caf61b71d6546bf95a29dbcea33147b', 'hex');

function uuidV5(name: string): string {
  const b = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Id for the sub-object playing `role` (e.g. `classCode`, `author.0`, `patientId`) under `ownerId`. */
export function subObjectId(ownerId: string, role: string): string {
  if (/^urn:uuid:/i.test(ownerId)) return `urn:uuid:${uuidV5(`${ownerId.toLowerCase()}/${role}`)}`;
  return `${ownerId}.${role}`;
}
