/**
 * Symbolic ids → fresh entryUUIDs (digest 4.3). Every id in the submission that is not a urn:uuid: gets a new
 * UUID, and every reference to it (association source/target, classifiedObject, registryObject) is rewritten.
 * Ids already in urn:uuid: form are kept (lowercased).
 */
import type { Submission, XdsObject } from '../../shared/xds/model';
import { isUuidId, newEntryUuid, normalizeUuid } from '../../shared/xds/ids';

export type IdMap = Map<string, string>;

/** Map of every top-level id in the submission to its final UUID. */
export function buildIdMap(sub: Submission): IdMap {
  const map: IdMap = new Map();
  for (const o of allObjects(sub)) {
    if (!map.has(o.entryUuid)) map.set(o.entryUuid, isUuidId(o.entryUuid) ? normalizeUuid(o.entryUuid) : newEntryUuid());
  }
  return map;
}

export function allObjects(sub: Submission): XdsObject[] {
  return [...sub.submissionSets, ...sub.documentEntries, ...sub.folders, ...sub.associations];
}

/** Resolve a reference: a submitted id maps to its new UUID; any other value is normalised (an existing object). */
export function resolveRef(map: IdMap, ref: string): string {
  return map.get(ref) ?? normalizeUuid(ref);
}

const REFERENCE_KEYS = new Set(['classifiedObject', 'registryObject', 'sourceObject', 'targetObject']);

/** Deep copy of a model object with ids assigned and references rewritten. */
export function remapObject<T extends XdsObject>(obj: T, map: IdMap): T {
  const copy = remap(obj, map) as T;
  copy.entryUuid = resolveRef(map, obj.entryUuid);
  return copy;
}

function remap(value: unknown, map: IdMap): unknown {
  if (Array.isArray(value)) return value.map((v) => remap(v, map));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' && REFERENCE_KEYS.has(k)) out[k] = resolveRef(map, v);
    else if (k === 'id' && typeof v === 'string') out[k] = subObjectId(map, v);
    else out[k] = remap(v, map);
  }
  return out;
}

function subObjectId(map: IdMap, id: string): string {
  const known = map.get(id);
  if (known) return known;
  if (isUuidId(id)) return normalizeUuid(id);
  const fresh = newEntryUuid();
  map.set(id, fresh);
  return fresh;
}
