/**
 * ITI-42 Register Document Set-b: the registry side of a submission (digest sections 4.2–4.4).
 *
 *   validate metadata → check patients → assign UUIDs → check uniqueIds → resolve associations
 *   (HasMember, RPLC/XFRM_RPLC/APND/XFRM/signs) → deprecate replaced entries → folder bookkeeping
 *   → one atomic store write.
 *
 * Every client-caused problem is an XdsError carrying the exact IHE code; nothing is stored unless all passes.
 */
import { registryError, XdsError, type RegistryError } from '../../shared/errors';
import { ASSOCIATION_TYPE, AVAILABILITY_STATUS } from '../../shared/xds/constants';
import { isUuidId, newEntryUuid, normalizeUuid, nowDtm } from '../../shared/xds/ids';
import type { Submission, SubmissionSet, XdsAssociation, XdsObject } from '../../shared/xds/model';
import { validateSubmission } from '../../shared/validation/validate';
import type { ValidationProfile } from '../../shared/validation/types';
import type { RegistryStore, SubmissionChanges } from '../store/RegistryStore';
import { allObjects, buildIdMap, remapObject } from './assignIds';
import { checkPatientIds, type PatientPolicy } from './patientPolicy';

export interface RegisterOptions {
  patients: PatientPolicy;
  profile?: ValidationProfile;
  now?: () => string;
}

const { Approved, Deprecated } = AVAILABILITY_STATUS;
const RELATIONSHIPS = new Set<string>([ASSOCIATION_TYPE.RPLC, ASSOCIATION_TYPE.XFRM_RPLC, ASSOCIATION_TYPE.APND, ASSOCIATION_TYPE.XFRM, ASSOCIATION_TYPE.signs]);
const REPLACING = new Set<string>([ASSOCIATION_TYPE.RPLC, ASSOCIATION_TYPE.XFRM_RPLC]);

/** Register a submission. Returns warnings (status Success); throws XdsError (status Failure). */
export async function registerDocumentSet(store: RegistryStore, submitted: Submission, opts: RegisterOptions): Promise<RegistryError[]> {
  const findings = validateSubmission(submitted, 'ITI-42', opts.profile);
  const errors = findings.filter((f) => f.severity === 'Error');
  if (errors.length > 0) throw new XdsError(errors);
  const warnings = findings.filter((f) => f.severity === 'Warning');

  await checkPatientIds(store, submitted, opts.patients);
  await checkSubmittedUuidsAreNew(store, submitted);

  const ids = buildIdMap(submitted);
  const now = (opts.now ?? nowDtm)();
  const sub: Submission = {
    submissionSets: submitted.submissionSets.map((o) => initialise(remapObject(o, ids))),
    documentEntries: submitted.documentEntries.map((o) => initialise(remapObject(o, ids))),
    folders: submitted.folders.map((o) => ({ ...initialise(remapObject(o, ids)), lastUpdateTime: [now] })),
    associations: submitted.associations.map((o) => initialise(remapObject(o, ids))),
    unclassified: [],
  };

  await checkUniqueIds(store, sub);
  const changes: SubmissionChanges = {
    documentEntries: sub.documentEntries,
    submissionSets: sub.submissionSets,
    folders: sub.folders,
    associations: sub.associations,
    statusChanges: [],
    folderUpdates: [],
  };
  await resolveAssociations(store, sub, changes, now);
  await store.applySubmission(changes);
  return warnings;
}

/** lid, version and status on a new object; `home` is never kept from a submission. */
function initialise<T extends XdsObject>(o: T): T {
  const out = { ...o, lid: o.entryUuid, version: '1', status: Approved };
  delete out.home;
  return out;
}

async function checkSubmittedUuidsAreNew(store: RegistryStore, sub: Submission): Promise<void> {
  const seen = new Set<string>();
  const errs: RegistryError[] = [];
  for (const o of allObjects(sub)) {
    const key = normalizeUuid(o.entryUuid); // symbolic ids are case-sensitive, urn:uuid ids are not
    if (seen.has(key)) errs.push(registryError('XDSRegistryMetadataError', `id ${o.entryUuid} is used by more than one object in the submission`, o.entryUuid));
    seen.add(key);
  }
  const uuids = allObjects(sub).map((o) => o.entryUuid).filter(isUuidId);
  if (uuids.length > 0) {
    for (const existing of await store.getObjects(uuids)) {
      errs.push(registryError('XDSRegistryMetadataError', `${existing.type} entryUUID ${existing.entryUuid} already exists in the registry; a submission must use new ids`, existing.entryUuid));
    }
  }
  if (errs.length) throw new XdsError(errs);
}

async function checkUniqueIds(store: RegistryStore, sub: Submission): Promise<void> {
  const errs: RegistryError[] = [];
  const ssUids = sub.submissionSets.map((s) => s.uniqueId?.value).filter((v): v is string => !!v);
  for (const s of ssUids.length ? await store.findSubmissionSets({ uniqueIds: ssUids }) : []) {
    errs.push(registryError('XDSDuplicateUniqueIdInRegistry', `SubmissionSet uniqueId ${s.uniqueId?.value} already exists in the registry`, s.entryUuid));
  }
  const folUids = sub.folders.map((f) => f.uniqueId?.value).filter((v): v is string => !!v);
  for (const f of folUids.length ? await store.findFolders({ uniqueIds: folUids }) : []) {
    errs.push(registryError('XDSDuplicateUniqueIdInRegistry', `Folder uniqueId ${f.uniqueId?.value} already exists in the registry`, f.entryUuid));
  }
  const deByUid = new Map(sub.documentEntries.filter((d) => d.uniqueId?.value).map((d) => [d.uniqueId?.value as string, d]));
  if (deByUid.size) {
    for (const existing of await store.findDocumentEntries({ uniqueIds: [...deByUid.keys()] })) {
      const uid = existing.uniqueId?.value as string;
      const mine = deByUid.get(uid);
      if (!mine) continue;
      const [h1, h2] = [existing.hash?.[0]?.toLowerCase(), mine.hash?.[0]?.toLowerCase()];
      const [s1, s2] = [existing.size?.[0], mine.size?.[0]];
      if (h1 !== h2) {
        errs.push(registryError('XDSNonIdenticalHash', `DocumentEntry uniqueId ${uid} is already registered with hash ${h1 ?? '(none)'}; this submission has hash ${h2 ?? '(none)'}`, mine.entryUuid));
      } else if (s1 !== s2) {
        errs.push(registryError('XDSNonIdenticalSize', `DocumentEntry uniqueId ${uid} is already registered with size ${s1 ?? '(none)'}; this submission has size ${s2 ?? '(none)'}`, mine.entryUuid));
      }
    }
  }
  if (errs.length) throw new XdsError(errs);
}

type Target = { obj: XdsObject; isNew: boolean };

/** Check every association's ends and work out the status changes and folder updates it implies. */
async function resolveAssociations(store: RegistryStore, sub: Submission, changes: SubmissionChanges, now: string): Promise<void> {
  const newObjects = new Map<string, XdsObject>(allObjects(sub).map((o) => [o.entryUuid, o]));
  const externalIds = new Set<string>();
  for (const a of sub.associations) for (const id of [a.sourceObject, a.targetObject]) if (!newObjects.has(id)) externalIds.add(id);
  const existing = new Map<string, XdsObject>((externalIds.size ? await store.getObjects([...externalIds]) : []).map((o) => [o.entryUuid.toLowerCase(), o]));
  const lookup = (id: string): Target | undefined => {
    const n = newObjects.get(id);
    if (n) return { obj: n, isNew: true };
    const e = existing.get(id.toLowerCase());
    return e ? { obj: e, isNew: false } : undefined;
  };

  const ss = sub.submissionSets[0] as SubmissionSet;
  const errs: RegistryError[] = [];
  const touchedFolders = new Set<string>();
  const deprecate = new Set<string>();

  for (const a of sub.associations) {
    const source = lookup(a.sourceObject);
    const target = lookup(a.targetObject);
    if (!source || !target) {
      const missing = !source ? a.sourceObject : a.targetObject;
      errs.push(registryError('XDSRegistryMetadataError', `Association ${a.entryUuid} (${shortType(a.associationType)}) references ${missing}, which is neither in the submission nor in the registry`, a.entryUuid));
      continue;
    }
    if (a.associationType === ASSOCIATION_TYPE.HasMember) {
      checkHasMember(a, source, target, ss, errs, touchedFolders);
    } else if (RELATIONSHIPS.has(a.associationType)) {
      checkRelationship(a, source, target, errs);
      if (REPLACING.has(a.associationType) && target.obj.type === 'DocumentEntry' && !target.isNew) deprecate.add(target.obj.entryUuid);
    }
  }
  if (errs.length) throw new XdsError(errs);

  // Replaced entries are deprecated, with APND/XFRM children hanging off them (NIST test 12022), and the
  // replacement joins every folder the original was in (NIST test 12327).
  for (const a of sub.associations) {
    if (!REPLACING.has(a.associationType) || !deprecate.has(a.targetObject)) continue;
    for (const folderAssoc of await store.findAssociations({ targetObjects: [a.targetObject], types: [ASSOCIATION_TYPE.HasMember], statuses: [Approved] })) {
      const folder = (await store.getObjects([folderAssoc.sourceObject]))[0];
      if (folder?.type !== 'Folder' || folder.status !== Approved) continue;
      changes.associations.push(newHasMember(folder.entryUuid, a.sourceObject));
      touchedFolders.add(folder.entryUuid);
    }
  }
  for (const uuid of await withAppendedChildren(store, [...deprecate])) {
    changes.statusChanges.push({ entryUuid: uuid, expected: Approved, status: Deprecated });
  }
  const newFolderIds = new Set(sub.folders.map((f) => f.entryUuid));
  for (const f of touchedFolders) if (!newFolderIds.has(f)) changes.folderUpdates.push({ entryUuid: f, lastUpdateTime: now });
}

function checkHasMember(a: XdsAssociation, source: Target, target: Target, ss: SubmissionSet, errs: RegistryError[], touchedFolders: Set<string>): void {
  const src = source.obj;
  const tgt = target.obj;
  if (src.type === 'SubmissionSet') {
    if (src.entryUuid !== ss.entryUuid) {
      errs.push(registryError('XDSRegistryMetadataError', `HasMember ${a.entryUuid} has source SubmissionSet ${src.entryUuid}, which is not the SubmissionSet of this submission`, a.entryUuid));
      return;
    }
    if (tgt.type === 'DocumentEntry') {
      const status = a.submissionSetStatus?.[0];
      if (status === 'Original' && !target.isNew) {
        errs.push(registryError('XDSRegistryMetadataError', `HasMember ${a.entryUuid} has SubmissionSetStatus Original but DocumentEntry ${tgt.entryUuid} is not part of this submission`, a.entryUuid));
      } else if (status === 'Reference' && target.isNew) {
        errs.push(registryError('XDSRegistryMetadataError', `HasMember ${a.entryUuid} has SubmissionSetStatus Reference but DocumentEntry ${tgt.entryUuid} is new in this submission`, a.entryUuid));
      } else if (!target.isNew && tgt.status === Deprecated) {
        errs.push(registryError('XDSRegistryDeprecatedDocumentError', `HasMember ${a.entryUuid} references DocumentEntry ${tgt.entryUuid} (uniqueId ${tgt.uniqueId?.value}), which is Deprecated`, a.entryUuid));
      }
    } else if (tgt.type === 'Association') {
      if (!target.isNew) errs.push(registryError('XDSRegistryMetadataError', `HasMember ${a.entryUuid} targets Association ${tgt.entryUuid}, which is not part of this submission`, a.entryUuid));
    } else if (tgt.type === 'SubmissionSet') {
      errs.push(registryError('XDSRegistryMetadataError', `HasMember ${a.entryUuid} links SubmissionSet to SubmissionSet ${tgt.entryUuid}`, a.entryUuid));
    }
    return;
  }
  if (src.type === 'Folder') {
    if (tgt.type !== 'DocumentEntry') {
      errs.push(registryError('XDSRegistryMetadataError', `HasMember ${a.entryUuid} from Folder ${src.entryUuid} must target a DocumentEntry, not a ${tgt.type}`, a.entryUuid));
      return;
    }
    if (!source.isNew && src.status !== Approved) {
      errs.push(registryError('XDSRegistryMetadataError', `HasMember ${a.entryUuid} adds to Folder ${src.entryUuid}, which is not Approved`, a.entryUuid));
    }
    if (!target.isNew && tgt.status === Deprecated) {
      errs.push(registryError('XDSRegistryDeprecatedDocumentError', `HasMember ${a.entryUuid} adds Deprecated DocumentEntry ${tgt.entryUuid} (uniqueId ${tgt.uniqueId?.value}) to Folder ${src.entryUuid}`, a.entryUuid));
    }
    const fp = src.patientId?.value;
    const dp = tgt.patientId?.value;
    if (fp !== dp) {
      errs.push(registryError('XDSPatientIdDoesNotMatch', `Folder ${src.entryUuid} has patientId ${fp} but DocumentEntry ${tgt.entryUuid} added to it has patientId ${dp}`, a.entryUuid));
    }
    touchedFolders.add(src.entryUuid);
    return;
  }
  errs.push(registryError('XDSRegistryMetadataError', `HasMember ${a.entryUuid} has a ${src.type} as source; only a SubmissionSet or a Folder may have members`, a.entryUuid));
}

function checkRelationship(a: XdsAssociation, source: Target, target: Target, errs: RegistryError[]): void {
  const kind = shortType(a.associationType);
  const src = source.obj;
  const tgt = target.obj;
  if (!source.isNew || src.type !== 'DocumentEntry') {
    errs.push(registryError('XDSRegistryMetadataError', `${kind} Association ${a.entryUuid}: sourceObject ${src.entryUuid} must be a DocumentEntry submitted in this submission`, a.entryUuid));
    return;
  }
  const signsSubmissionSet = a.associationType === ASSOCIATION_TYPE.signs && tgt.type === 'SubmissionSet';
  if (tgt.type !== 'DocumentEntry' && !signsSubmissionSet) {
    errs.push(registryError('XDSRegistryMetadataError', `${kind} Association ${a.entryUuid}: targetObject ${tgt.entryUuid} is a ${tgt.type}, not a DocumentEntry`, a.entryUuid));
    return;
  }
  if (tgt.type === 'DocumentEntry' && !target.isNew && a.associationType !== ASSOCIATION_TYPE.signs && tgt.status !== Approved) {
    errs.push(registryError('XDSRegistryDeprecatedDocumentError', `${kind} Association ${a.entryUuid}: target DocumentEntry ${tgt.entryUuid} (uniqueId ${tgt.uniqueId?.value}) is Deprecated`, a.entryUuid));
    return;
  }
  if (tgt.type === 'DocumentEntry' && target.isNew && a.associationType !== ASSOCIATION_TYPE.signs) {
    errs.push(registryError('XDSRegistryMetadataError', `${kind} Association ${a.entryUuid}: target DocumentEntry ${tgt.entryUuid} must already be in the registry`, a.entryUuid));
    return;
  }
  const sp = src.patientId?.value;
  const tp = tgt.type === 'DocumentEntry' || tgt.type === 'SubmissionSet' ? tgt.patientId?.value : undefined;
  if (sp !== tp) {
    errs.push(registryError('XDSPatientIdDoesNotMatch', `${kind} Association ${a.entryUuid}: new DocumentEntry ${src.entryUuid} has patientId ${sp} but the original ${tgt.entryUuid} has patientId ${tp}`, a.entryUuid));
  }
}

/** The replaced entries plus, recursively, the Approved APND/XFRM entries that hang off them. */
async function withAppendedChildren(store: RegistryStore, roots: string[]): Promise<string[]> {
  const out = new Set(roots);
  let frontier = roots;
  while (frontier.length) {
    const children = await store.findAssociations({ targetObjects: frontier, types: [ASSOCIATION_TYPE.APND, ASSOCIATION_TYPE.XFRM], statuses: [Approved] });
    const next: string[] = [];
    const candidates = await store.getObjects(children.map((c) => c.sourceObject));
    for (const de of candidates) {
      if (de.type === 'DocumentEntry' && de.status === Approved && !out.has(de.entryUuid)) {
        out.add(de.entryUuid);
        next.push(de.entryUuid);
      }
    }
    frontier = next;
  }
  return [...out];
}

function newHasMember(folderUuid: string, entryUuid: string): XdsAssociation {
  const id = newEntryUuid();
  return {
    type: 'Association',
    entryUuid: id,
    lid: id,
    version: '1',
    status: Approved,
    associationType: ASSOCIATION_TYPE.HasMember,
    sourceObject: folderUuid,
    targetObject: entryUuid,
    extraSlots: [],
  };
}

function shortType(urn: string): string {
  return urn.slice(urn.lastIndexOf(':') + 1);
}

