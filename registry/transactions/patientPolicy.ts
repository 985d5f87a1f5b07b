/**
 * Which patient ids the registry accepts (digest 4.2): by default any well-formed CX id, optionally limited to
 * a list of assigning-authority OIDs; in known-patients mode only ids fed to the registry (XDSUnknownPatientId).
 */
import { registryError, XdsError, type RegistryError } from '../../shared/errors';
import type { Submission } from '../../shared/xds/model';
import type { RegistryStore } from '../store/RegistryStore';

export interface PatientPolicy {
  knownPatientsOnly: boolean;
  acceptedAssigningAuthorities: string[];
}

/** The OID of a CX id's assigning authority (`id^^^&OID&ISO`), or undefined. */
export function assigningAuthorityOid(cx: string): string | undefined {
  const hd = cx.split('^')[3];
  return hd?.split('&')[1] || undefined;
}

function submittedPatientIds(sub: Submission): { where: string; value: string }[] {
  const out: { where: string; value: string }[] = [];
  for (const s of sub.submissionSets) if (s.patientId) out.push({ where: `SubmissionSet ${s.entryUuid}`, value: s.patientId.value });
  for (const d of sub.documentEntries) if (d.patientId) out.push({ where: `DocumentEntry ${d.entryUuid}`, value: d.patientId.value });
  for (const f of sub.folders) if (f.patientId) out.push({ where: `Folder ${f.entryUuid}`, value: f.patientId.value });
  return out;
}

export async function checkPatientIds(store: RegistryStore, sub: Submission, policy: PatientPolicy): Promise<void> {
  const errs: RegistryError[] = [];
  const seen = new Set<string>();
  for (const { where, value } of submittedPatientIds(sub)) {
    if (seen.has(value)) continue;
    seen.add(value);
    const oid = assigningAuthorityOid(value);
    if (policy.acceptedAssigningAuthorities.length && (!oid || !policy.acceptedAssigningAuthorities.includes(oid))) {
      errs.push(registryError('XDSUnknownPatientId', `patientId ${value} of ${where} has assigning authority ${oid ?? '(none)'}, which this affinity domain does not accept`));
    } else if (policy.knownPatientsOnly && !(await store.isKnownPatient(value))) {
      errs.push(registryError('XDSUnknownPatientId', `patientId ${value} of ${where} is not known to the registry (no patient identity feed for it)`));
    }
  }
  if (errs.length) throw new XdsError(errs);
}
