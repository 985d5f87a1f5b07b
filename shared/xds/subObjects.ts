/**
 * Model values that live in a nested Classification or ExternalIdentifier: Code, Author, Identifier and
 * classification-node markers (SubmissionSet/Folder type, limitedMetadata).
 *
 * Each has an encoder (model → wire, used by toEbxml) and a decoder (wire → model, used by fromEbxml).
 * A decoder accepts a wire object only when encoding its result gives the same wire object back
 * (sameWire); otherwise it returns undefined and the caller keeps the wire object verbatim in
 * extraClassifications / extraExternalIdentifiers. That is what makes the transforms lossless.
 */
import type { Classification, ExternalIdentifier, Slot } from '../ebxml/types';
import type { Author, Code, Identifier } from './model';
import { OBJECT_TYPE, SLOT } from './constants';
import { sameWire } from './sameWire';
import { subObjectId } from './subObjectId';

function classification(id: string, ownerId: string, rest: Partial<Classification>): Classification {
  return {
    kind: 'Classification',
    id,
    objectType: OBJECT_TYPE.classification,
    slots: [],
    classifications: [],
    externalIdentifiers: [],
    classifiedObject: ownerId,
    ...rest,
  };
}

// ---- Code ----

export function codeToClassification(code: Code, ownerId: string, scheme: string, role: string): Classification {
  const c = classification(code.id ?? subObjectId(ownerId, role), ownerId, {
    classificationScheme: scheme,
    nodeRepresentation: code.code,
    slots: [{ name: SLOT.codingScheme, values: [code.scheme] }, ...(code.extraSlots ?? [])],
  });
  if (code.displayName) c.name = code.displayName;
  return c;
}

export function codeFromClassification(c: Classification, ownerId: string): Code | undefined {
  const first = c.slots.findIndex((s) => s.name === SLOT.codingScheme);
  const schemeSlot = c.slots[first];
  if (!schemeSlot || schemeSlot.values.length !== 1 || c.nodeRepresentation === undefined || !c.classificationScheme) return undefined;
  const code: Code = { code: c.nodeRepresentation, scheme: schemeSlot.values[0], id: c.id };
  if (c.name) code.displayName = c.name;
  const extra = c.slots.filter((_, i) => i !== first);
  if (extra.length > 0) code.extraSlots = extra;
  return sameWire(c, codeToClassification(code, ownerId, c.classificationScheme, '')) ? code : undefined;
}

// ---- Author ----

const AUTHOR_LISTS = [
  [SLOT.authorInstitution, 'institutions'],
  [SLOT.authorRole, 'roles'],
  [SLOT.authorSpecialty, 'specialties'],
  [SLOT.authorTelecommunication, 'telecoms'],
] as const;

export function authorToClassification(author: Author, ownerId: string, scheme: string, role: string): Classification {
  const slots: Slot[] = [];
  if (author.person !== undefined) slots.push({ name: SLOT.authorPerson, values: [author.person] });
  for (const [name, field] of AUTHOR_LISTS) if (author[field].length > 0) slots.push({ name, values: [...author[field]] });
  if (author.extraSlots) slots.push(...author.extraSlots);
  return classification(author.id ?? subObjectId(ownerId, role), ownerId, { classificationScheme: scheme, nodeRepresentation: '', slots });
}

export function authorFromClassification(c: Classification, ownerId: string): Author | undefined {
  if (!c.classificationScheme) return undefined;
  const author: Author = { institutions: [], roles: [], specialties: [], telecoms: [], id: c.id };
  const extra: Slot[] = [];
  const seen = new Set<string>();
  for (const s of c.slots) {
    const first = !seen.has(s.name) && s.slotType === undefined;
    seen.add(s.name);
    const list = AUTHOR_LISTS.find(([name]) => name === s.name);
    if (first && s.name === SLOT.authorPerson && s.values.length === 1) author.person = s.values[0];
    else if (first && list && s.values.length > 0) author[list[1]] = [...s.values];
    else extra.push(s); // repeated slot, several authorPerson values, slotType, or an unknown name
  }
  if (extra.length > 0) author.extraSlots = extra;
  return sameWire(c, authorToClassification(author, ownerId, c.classificationScheme, '')) ? author : undefined;
}

// ---- Identifier ----

export function identifierToExternalIdentifier(i: Identifier, ownerId: string, scheme: string, role: string): ExternalIdentifier {
  const e: ExternalIdentifier = {
    kind: 'ExternalIdentifier',
    id: i.id ?? subObjectId(ownerId, role),
    objectType: OBJECT_TYPE.externalIdentifier,
    slots: [],
    classifications: [],
    externalIdentifiers: [],
    registryObject: ownerId,
    identificationScheme: scheme,
    value: i.value,
  };
  if (i.name) e.name = i.name;
  return e;
}

export function identifierFromExternalIdentifier(e: ExternalIdentifier, ownerId: string): Identifier | undefined {
  const i: Identifier = { value: e.value, id: e.id };
  if (e.name) i.name = e.name;
  return sameWire(e, identifierToExternalIdentifier(i, ownerId, e.identificationScheme, '')) ? i : undefined;
}

// ---- Classification-node markers ----

export function nodeToClassification(id: string | undefined, ownerId: string, node: string, role: string): Classification {
  return classification(id ?? subObjectId(ownerId, role), ownerId, { classificationNode: node });
}

/** The marker's id when `c` is exactly a `node` marker on `ownerId`. */
export function nodeFromClassification(c: Classification, ownerId: string, node: string): { id: string } | undefined {
  if (c.classificationNode !== node) return undefined;
  return sameWire(c, nodeToClassification(c.id, ownerId, node, '')) ? { id: c.id } : undefined;
}
