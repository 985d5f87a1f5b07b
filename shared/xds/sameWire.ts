/**
 * Equality of ebRIM sub-objects up to what carries no meaning:
 * - the order of Slots with different names;
 * - an absent objectType versus the standard one (we always emit it);
 * - registry defaults and empty values versus absence: home="", lid equal to the id, an empty Name or Description,
 *   VersionInfo versionName="1.1" (the schema default) and an empty nodeRepresentation.
 * Used to decide whether a Classification / ExternalIdentifier can be represented by a model value
 * without loss: map it, map it back, compare.
 */
import type { Classification, ExternalIdentifier } from '../ebxml/types';
import { OBJECT_TYPE } from './constants';

type SubObject = Classification | ExternalIdentifier;

const STANDARD_TYPE: Record<SubObject['kind'], string> = {
  Classification: OBJECT_TYPE.classification,
  ExternalIdentifier: OBJECT_TYPE.externalIdentifier,
};

function normalize(o: SubObject): Record<string, unknown> {
  const n: Record<string, unknown> = {
    ...o,
    objectType: o.objectType ?? STANDARD_TYPE[o.kind],
    // Stable sort: same-name slots keep their relative order.
    slots: [...o.slots].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)),
    classifications: o.classifications.map(normalize),
    externalIdentifiers: o.externalIdentifiers.map(normalize),
  };
  // Values that say nothing beyond their absence (registries decorate sub-objects with them).
  if (o.home === '') delete n.home;
  if (o.lid === o.id) delete n.lid;
  if (o.name?.length === 0) delete n.name;
  if (o.description?.length === 0) delete n.description;
  if (o.versionInfo?.versionName === '1.1' && o.versionInfo.comment === undefined) delete n.versionInfo;
  if (o.kind === 'Classification' && o.nodeRepresentation === '') delete n.nodeRepresentation;
  return n;
}

/** Structural equality of JSON-like values; a key holding `undefined` counts as absent. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => deepEqual(ra[k], rb[k]));
}

export function sameWire(a: SubObject, b: SubObject): boolean {
  return a.kind === b.kind && deepEqual(normalize(a), normalize(b));
}
