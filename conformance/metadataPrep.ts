/**
 * What the toolkit rewrites in a submission before sending it (NOTES.md section 5.1), on an ebRIM 3.0 tree:
 * patientId of every DocumentEntry/SubmissionSet/Folder (unless NoPatientId), uniqueIds (unless NoAssignUids),
 * the SubmissionSet sourceId, and, with AssignUuids, symbolic ids → urn:uuid. Everything assigned is returned
 * per symbol (the object's id as written in the file) so later steps can UseId it.
 */
import { randomUUID } from 'node:crypto';
import type { XmlElement } from '../shared/xml/tree';
import { IDENTIFICATION_SCHEME } from '../shared/xds/constants';
import { allElements } from './xmlTree';

const PATIENT_SCHEMES = new Set<string>([IDENTIFICATION_SCHEME.docPatientId, IDENTIFICATION_SCHEME.ssPatientId, IDENTIFICATION_SCHEME.folderPatientId]);
const UNIQUE_ID_SCHEMES = new Set<string>([IDENTIFICATION_SCHEME.docUniqueId, IDENTIFICATION_SCHEME.ssUniqueId, IDENTIFICATION_SCHEME.folderUniqueId]);
const REFERENCE_ATTRS = ['id', 'classifiedObject', 'registryObject', 'sourceObject', 'targetObject'];

export interface Assignments {
  /** symbol → uniqueId, for every DocumentEntry/SubmissionSet/Folder (assigned or as sent). */
  uids: Map<string, string>;
  /** symbol → urn:uuid, for every object id the runner replaced (AssignUuids). */
  uuids: Map<string, string>;
  /** symbol → patient id as sent. */
  patientIds: Map<string, string>;
  /** symbol → sourceId as sent. */
  sourceIds: Map<string, string>;
}

export interface PrepareOptions {
  /** Overwrite every patientId ExternalIdentifier with this value; undefined = NoPatientId. */
  patientId?: string;
  /** uniqueId assignment: 'all', 'none', or all except these symbols. */
  assignUids: 'all' | 'none' | { except: ReadonlySet<string> };
  newUniqueId: () => string;
  sourceId?: string;
  assignUuids: boolean;
  newUuid?: () => string;
}

/** The registry object an ExternalIdentifier belongs to: its parent element, else its registryObject. */
function ownerSymbol(ei: XmlElement, parentOf: Map<XmlElement, XmlElement>): string {
  const parent = parentOf.get(ei);
  return parent?.attrs.id ?? ei.attrs.registryObject ?? '';
}

function parentMap(root: XmlElement): Map<XmlElement, XmlElement> {
  const map = new Map<XmlElement, XmlElement>();
  for (const el of allElements(root)) for (const c of el.children) map.set(c, el);
  return map;
}

/** Mutates the submission in place and returns what was assigned. */
export function prepareSubmission(root: XmlElement, opts: PrepareOptions): Assignments {
  const result: Assignments = { uids: new Map(), uuids: new Map(), patientIds: new Map(), sourceIds: new Map() };
  const parentOf = parentMap(root);
  const identifiers = allElements(root).filter((e) => e.local === 'ExternalIdentifier');

  for (const ei of identifiers) {
    const scheme = ei.attrs.identificationScheme ?? '';
    const symbol = ownerSymbol(ei, parentOf);
    if (PATIENT_SCHEMES.has(scheme)) {
      if (opts.patientId !== undefined) ei.attrs.value = opts.patientId;
      result.patientIds.set(symbol, ei.attrs.value ?? '');
    } else if (UNIQUE_ID_SCHEMES.has(scheme)) {
      const assign = opts.assignUids === 'all' || (opts.assignUids !== 'none' && !opts.assignUids.except.has(symbol));
      if (assign) ei.attrs.value = opts.newUniqueId();
      result.uids.set(symbol, ei.attrs.value ?? '');
    } else if (scheme === IDENTIFICATION_SCHEME.ssSourceId) {
      if (opts.sourceId !== undefined) ei.attrs.value = opts.sourceId;
      result.sourceIds.set(symbol, ei.attrs.value ?? '');
    }
  }

  if (opts.assignUuids) {
    const newUuid = opts.newUuid ?? (() => `urn:uuid:${randomUUID()}`);
    const elements = allElements(root);
    for (const el of elements) {
      const id = el.attrs.id;
      if (id !== undefined && id !== '' && !id.startsWith('urn:uuid:') && !result.uuids.has(id) && el.local !== 'AdhocQuery') {
        result.uuids.set(id, newUuid());
      }
    }
    for (const el of elements) {
      for (const attr of REFERENCE_ATTRS) {
        const v = el.attrs[attr];
        if (v !== undefined) {
          const mapped = result.uuids.get(v);
          if (mapped !== undefined) el.attrs[attr] = mapped;
        }
      }
    }
  }
  return result;
}

/** `1.2.42.<yyyyMMddHHmmss>.<n>`: the runner's uniqueId factory (one per run). */
export function uniqueIdFactory(now: Date): () => string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  let n = 0;
  return () => `1.2.42.${stamp}.${++n}`;
}
