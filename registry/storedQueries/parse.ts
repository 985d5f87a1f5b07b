/**
 * One generic validation of an AdhocQueryRequest against the stored-query definitions (digest 6.3,
 * "Parameter validation, in this order"):
 *
 *   1. unknown query id                                   → XDSUnknownStoredQuery
 *   2. returnType not LeafClass / ObjectRef                → XDSRegistryError
 *   3. required parameter missing, or none of an
 *      alternative group                                  → XDSStoredQueryMissingParam
 *   4. several values for a single-valued parameter, a
 *      repeated non-AND/OR slot, two of one alternative
 *      group                                              → XDSStoredQueryParamNumber
 *   5. bad value syntax (params.ts), unsupported
 *      $MetadataLevel                                     → XDSRegistryError
 *   6. unknown parameters (e.g. the deprecated XDS.a
 *      ...Scheme parameters) are ignored.
 *
 * All errors of the first failing step are reported together.
 */
import { registryError, XdsError, type RegistryError } from '../../shared/errors';
import type { AdhocQueryRequest, Slot } from '../../shared/ebxml/types';
import type { CodeMatch } from '../store/RegistryStore';
import { findStoredQuery, P, type ParameterDefinition, type StoredQueryDefinition } from './definitions';
import { toCode, toTextOfKind, tokenizeValue, tokenizeValues, type ValueToken } from './params';

export type QueryReturnType = 'LeafClass' | 'ObjectRef';

/** Parsed values of one parameter: one group per slot occurrence (only AND/OR parameters have several). */
export type ParameterValues = { kind: 'codes'; groups: CodeMatch[][] } | { kind: 'texts'; groups: string[][] };

/** Typed read access to validated parameters. Absent parameters give undefined. */
export class QueryParameters {
  constructor(private readonly values: ReadonlyMap<string, ParameterValues>) {}

  has(name: string): boolean {
    return this.values.has(name);
  }

  names(): string[] {
    return [...this.values.keys()];
  }

  /** A single-valued text parameter. */
  text(name: string): string | undefined {
    return this.texts(name)?.[0];
  }

  /** All values of a text parameter as one OR-list. */
  texts(name: string): string[] | undefined {
    return this.textGroups(name)?.flat();
  }

  /** AND/OR text parameter: one OR-list per slot. */
  textGroups(name: string): string[][] | undefined {
    const v = this.values.get(name);
    return v?.kind === 'texts' ? v.groups : undefined;
  }

  /** All values of a code parameter as one OR-list. */
  codes(name: string): CodeMatch[] | undefined {
    return this.codeGroups(name)?.flat();
  }

  /** AND/OR code parameter: one OR-list per slot. */
  codeGroups(name: string): CodeMatch[][] | undefined {
    const v = this.values.get(name);
    return v?.kind === 'codes' ? v.groups : undefined;
  }
}

export interface ParsedQuery {
  definition: StoredQueryDefinition;
  returnType: QueryReturnType;
  /** AdhocQuery/@home (homeCommunityId), passed through. */
  home?: string;
  params: QueryParameters;
}

function fail(errors: RegistryError[]): never {
  throw new XdsError(errors);
}

function slotsByDeclaredName(definition: StoredQueryDefinition, slots: readonly Slot[]): Map<string, Slot[]> {
  const declared = new Set(definition.parameters.map((p) => p.name));
  const out = new Map<string, Slot[]>();
  for (const slot of slots) {
    if (!declared.has(slot.name)) continue; // step 6: unknown names are ignored
    const list = out.get(slot.name);
    if (list) list.push(slot);
    else out.set(slot.name, [slot]);
  }
  return out;
}

/** Step 3. */
export function missingParameterErrors(definition: StoredQueryDefinition, present: ReadonlySet<string>): RegistryError[] {
  const errors: RegistryError[] = [];
  for (const p of definition.parameters) {
    if (p.required && !present.has(p.name)) {
      errors.push(registryError('XDSStoredQueryMissingParam', `${definition.name}: required parameter ${p.name} is missing`, p.name));
    }
  }
  for (const [group, members] of alternativeGroups(definition)) {
    if (!members.some((m) => present.has(m.name))) {
      const names = members.map((m) => m.name).join(' or ');
      errors.push(registryError('XDSStoredQueryMissingParam', `${definition.name}: one of ${names} is required (${group})`, names));
    }
  }
  return errors;
}

function alternativeGroups(definition: StoredQueryDefinition): Map<string, ParameterDefinition[]> {
  const groups = new Map<string, ParameterDefinition[]>();
  for (const p of definition.parameters) {
    if (p.alternativeGroup === undefined) continue;
    const list = groups.get(p.alternativeGroup);
    if (list) list.push(p);
    else groups.set(p.alternativeGroup, [p]);
  }
  return groups;
}

/** Count values of a slot for step 4, or undefined when the syntax is broken (reported in step 5). */
function countValues(slot: Slot): number | undefined {
  try {
    return slot.values.reduce((n, raw) => n + tokenizeValue(slot.name, raw).length, 0);
  } catch {
    return undefined;
  }
}

/** Step 4. */
export function parameterNumberErrors(definition: StoredQueryDefinition, slots: ReadonlyMap<string, Slot[]>): RegistryError[] {
  const errors: RegistryError[] = [];
  for (const p of definition.parameters) {
    const occurrences = slots.get(p.name);
    if (!occurrences) continue;
    if (occurrences.length > 1 && !p.andOr) {
      errors.push(registryError('XDSStoredQueryParamNumber', `${definition.name}: parameter ${p.name} appears in ${occurrences.length} slots; it may appear only once`, p.name));
      continue;
    }
    if (!p.multiple) {
      for (const slot of occurrences) {
        const n = countValues(slot);
        if (n !== undefined && n > 1) {
          errors.push(registryError('XDSStoredQueryParamNumber', `${definition.name}: parameter ${p.name} takes one value but has ${n}: ${slot.values.join(', ')}`, p.name));
        }
      }
    }
  }
  for (const [group, members] of alternativeGroups(definition)) {
    const given = members.filter((m) => slots.has(m.name)).map((m) => m.name);
    if (given.length > 1) {
      errors.push(registryError('XDSStoredQueryParamNumber', `${definition.name}: only one of ${given.join(', ')} may be given (${group})`, given.join(', ')));
    }
  }
  return errors;
}

/** Step 5 for one parameter: tokenize and convert every slot. Throws XdsError (XDSRegistryError). */
export function parseParameterValues(p: ParameterDefinition, slots: readonly Slot[]): ParameterValues {
  const tokensPerSlot: ValueToken[][] = slots.map((slot) => tokenizeValues(p.name, slot.values));
  if (p.kind === 'code') return { kind: 'codes', groups: tokensPerSlot.map((tokens) => tokens.map((t) => toCode(p.name, t))) };
  const kind = p.kind;
  return { kind: 'texts', groups: tokensPerSlot.map((tokens) => tokens.map((t) => toTextOfKind(kind, p.name, t))) };
}

/** Only level 1 exists until the Metadata Update option (ITI-57) is implemented. */
const SUPPORTED_METADATA_LEVELS = new Set(['1']);

function metadataLevelErrors(values: ReadonlyMap<string, ParameterValues>): RegistryError[] {
  const v = values.get(P.metadataLevel);
  if (v?.kind !== 'texts') return [];
  const level = v.groups.flat()[0];
  if (level === undefined || SUPPORTED_METADATA_LEVELS.has(String(Number(level)))) return [];
  return [registryError('XDSRegistryError', `${P.metadataLevel} ${level} is not supported (only 1: this registry has no Metadata Update option)`, P.metadataLevel)];
}

/** Validate an AdhocQueryRequest and return its typed parameters. Throws XdsError on the first failing step. */
export function parseStoredQuery(req: AdhocQueryRequest): ParsedQuery {
  const definition = findStoredQuery(req.queryId);
  if (!definition) fail([registryError('XDSUnknownStoredQuery', `Unknown or unsupported stored query id ${req.queryId}`, req.queryId)]);

  if (req.returnType !== 'LeafClass' && req.returnType !== 'ObjectRef') {
    fail([registryError('XDSRegistryError', `unsupported returnType ${req.returnType} (expected LeafClass or ObjectRef)`, 'returnType')]);
  }
  const returnType: QueryReturnType = req.returnType;

  const slots = slotsByDeclaredName(definition, req.parameters);

  const missing = missingParameterErrors(definition, new Set(slots.keys()));
  if (missing.length > 0) fail(missing);

  const number = parameterNumberErrors(definition, slots);
  if (number.length > 0) fail(number);

  const values = new Map<string, ParameterValues>();
  const syntax: RegistryError[] = [];
  for (const p of definition.parameters) {
    const occurrences = slots.get(p.name);
    if (!occurrences) continue;
    try {
      values.set(p.name, parseParameterValues(p, occurrences));
    } catch (e) {
      if (!(e instanceof XdsError)) throw e;
      syntax.push(...e.errors);
    }
  }
  syntax.push(...metadataLevelErrors(values));
  if (syntax.length > 0) fail(syntax);

  const parsed: ParsedQuery = { definition, returnType, params: new QueryParameters(values) };
  if (req.home !== undefined) parsed.home = req.home;
  return parsed;
}
