/**
 * The stored-query test data NIST test 12346 registers (and 12374, the same data under a second patient),
 * rebuilt as XDS model objects and loaded through RegistryStore.applySubmission, so that any store backend
 * can be filled with it. Source: shared/conformance/corpus/iti18/nist-testkit/12346/<section>/*.xml and
 * 12374/<section>/*.xml (ebRIM 2.1 metadata the toolkit converts and registers with fresh UUIDs/uniqueIds).
 *
 * Sections, in order (12374 names in brackets):
 *   single_doc     [submit_doc]          SS + DocA (+ referenceIdList; 12374: classCode REPORTS, no refIds)
 *   doc_w_fol      [submit_doc_w_fol]    SS + Folder + DocB in the folder
 *   two_doc_w_fol  [submit_2doc_w_fol]   SS + Folder + DocC + DocD, both in the folder
 *   doc_for_rplc   [submit_doc_for_rplc] SS + DocE
 *   rplc           [rplc]                SS + DocF RPLC DocE (DocE becomes Deprecated)
 *
 * What the registry (not the submitter) sets is reproduced too: status Approved, lid = entryUUID, version 1,
 * Folder.lastUpdateTime = time of registration (the submitted value is replaced).
 */
import { randomUUID } from 'node:crypto';
import {
  ASSOCIATION_TYPE,
  AVAILABILITY_STATUS,
  OBJECT_TYPE,
} from '../../../shared/xds/constants';
import type { Author, Code, DocumentEntry, Folder, SubmissionSet, XdsAssociation } from '../../../shared/xds/model';
import type { RegistryStore, SubmissionChanges } from '../../store/RegistryStore';

export type FixtureSection = 'single_doc' | 'doc_w_fol' | 'two_doc_w_fol' | 'doc_for_rplc' | 'rplc';
export const FIXTURE_SECTIONS: readonly FixtureSection[] = ['single_doc', 'doc_w_fol', 'two_doc_w_fol', 'doc_for_rplc', 'rplc'];

/** 12374's section directory names → the 12346 names used here. */
export const SECTION_OF_12374: Record<string, FixtureSection> = {
  submit_doc: 'single_doc',
  submit_doc_w_fol: 'doc_w_fol',
  submit_2doc_w_fol: 'two_doc_w_fol',
  submit_doc_for_rplc: 'doc_for_rplc',
  rplc: 'rplc',
};

/** Like the toolkit's AssignedUuids / AssignedUids logs: symbolic id (Document01, Folder, ...) → value. */
export interface LoadedSection {
  uuids: Record<string, string>;
  uids: Record<string, string>;
}

export interface LoadedFixture {
  patientId: string;
  sections: Record<FixtureSection, LoadedSection>;
}

export interface FixtureOptions {
  /** Which NIST test's data: '12374' differs only in DocA. */
  variant: '12346' | '12374';
  patientId: string;
  /** Prefix for the uniqueIds the toolkit would assign (must differ between loads into one store). */
  uniqueIdPrefix: string;
  /** Registration time (DTM), used for Folder.lastUpdateTime. */
  registeredAt: string;
}

// ---- coded values of the test data ----

const SCHEME = {
  classCode: '1.3.6.1.4.1.19376.1.2.6.1',
  confidentiality: '2.16.840.1.113883.5.25',
  format: '1.3.6.1.4.1.19376.1.2.3',
  snomed: '2.16.840.1.113883.6.96',
  connectathon: '1.3.6.1.4.1.21367.2017.3',
  loinc: '2.16.840.1.113883.6.1',
};

function code(value: string, scheme: string): Code {
  return { code: value, scheme };
}

const GERALD_SMITTY: Author = {
  person: '^Smitty^Gerald^^^',
  institutions: ['Cleveland Clinic', 'Parma Community'],
  roles: ['Attending'],
  specialties: ['Orthopedic'],
  telecoms: [],
};
const SHERRY_DOPPLEMEYER: Author = {
  person: '^Dopplemeyer^Sherry^^^',
  institutions: ['Cleveland Clinic', 'Berea Community'],
  roles: ['Primary Surgon'],
  specialties: ['Orthopedic'],
  telecoms: [],
};
const SHERRY_FORD: Author = { ...SHERRY_DOPPLEMEYER, person: '^Ford^Sherry^^^' };

/** The attributes that differ between the six DocumentEntries. */
interface DocumentData {
  title: string;
  creationTime: string;
  serviceStartTime: string;
  serviceStopTime: string;
  authors: Author[];
  classCode: string;
  confidentialityCode: string;
  formatCode: string;
  healthcareFacilityTypeCode: string;
  practiceSettingCode: Code;
  eventCodes: string[];
  referenceIds?: string[];
}

const DOC_A: DocumentData = {
  title: 'DocA',
  creationTime: '20061224',
  serviceStartTime: '200612230800',
  serviceStopTime: '200612230900',
  authors: [GERALD_SMITTY, SHERRY_DOPPLEMEYER],
  classCode: 'IMAGES',
  confidentialityCode: 'N',
  formatCode: 'urn:ihe:rad:TEXT',
  healthcareFacilityTypeCode: '66280005',
  practiceSettingCode: code('Practice-D', SCHEME.connectathon),
  eventCodes: ['urn:connectathon:bppc:foundational:policy', 'urn:connectathon:policy:full-access'],
  referenceIds: ['2013001^^^&1.2.3.4.5.6&ISO^urn:ihe:iti:xds:2013:accession', '20061223^^^&1.2.5643.2&ISO^urn:ihe:iti:xds:2013:uniqueId'],
};
/** 12374/submit_doc: DocA with classCode REPORTS and no referenceIdList. */
const DOC_A_12374: DocumentData = { ...DOC_A, classCode: 'REPORTS', referenceIds: undefined };
const DOC_B: DocumentData = {
  title: 'DocB',
  creationTime: '20041224',
  serviceStartTime: '200412230800',
  serviceStopTime: '200412241600',
  authors: [GERALD_SMITTY, SHERRY_DOPPLEMEYER],
  classCode: 'SUMMARIES',
  confidentialityCode: 'V',
  formatCode: 'urn:ihe:rad:TEXT',
  healthcareFacilityTypeCode: '44860005',
  practiceSettingCode: code('309927009', SCHEME.snomed),
  eventCodes: ['urn:connectathon:policy:deny-access'],
};
const DOC_C: DocumentData = {
  title: 'DocC',
  creationTime: '20051224',
  serviceStartTime: '200512240800',
  serviceStopTime: '200512241100',
  authors: [GERALD_SMITTY, SHERRY_DOPPLEMEYER],
  classCode: 'HEALTH',
  confidentialityCode: 'R',
  formatCode: 'urn:ihe:rad:TEXT',
  healthcareFacilityTypeCode: '419955002',
  practiceSettingCode: code('Practice-C', SCHEME.connectathon),
  eventCodes: [],
};
const DOC_D: DocumentData = {
  ...DOC_C,
  title: 'DocD',
  authors: [SHERRY_FORD],
  classCode: 'DISPENSATIONS',
  confidentialityCode: 'N',
  formatCode: 'urn:ihe:pcc:aps:2007',
  healthcareFacilityTypeCode: '264372000',
  practiceSettingCode: code('Practice-D', SCHEME.connectathon),
};
const DOC_E: DocumentData = {
  title: 'DocE',
  creationTime: '20061224',
  serviceStartTime: '200612230800',
  serviceStopTime: '200612230900',
  authors: [GERALD_SMITTY, SHERRY_DOPPLEMEYER],
  classCode: 'REPORTS',
  confidentialityCode: 'N',
  formatCode: 'urn:ihe:rad:TEXT',
  healthcareFacilityTypeCode: '264372000',
  practiceSettingCode: code('Practice-D', SCHEME.connectathon),
  eventCodes: [],
};
const DOC_F: DocumentData = {
  ...DOC_E,
  title: 'DocF',
  practiceSettingCode: code('Practice-G', SCHEME.connectathon),
  eventCodes: ['urn:connectathon:policy:full-access'],
};

// ---- builders ----

class SectionBuilder {
  readonly uuids: Record<string, string> = {};
  readonly uids: Record<string, string> = {};
  readonly changes: SubmissionChanges = { documentEntries: [], submissionSets: [], folders: [], associations: [], statusChanges: [], folderUpdates: [] };

  constructor(
    private readonly opts: FixtureOptions,
    private readonly section: FixtureSection,
  ) {}

  private assign(symbol: string, withUid: boolean): { entryUuid: string; uniqueId: string } {
    const entryUuid = `urn:uuid:${randomUUID()}`;
    this.uuids[symbol] = entryUuid;
    const uniqueId = `${this.opts.uniqueIdPrefix}.${FIXTURE_SECTIONS.indexOf(this.section) + 1}.${Object.keys(this.uids).length + 1}`;
    if (withUid) this.uids[symbol] = uniqueId;
    return { entryUuid, uniqueId };
  }

  document(symbol: string, d: DocumentData): string {
    const { entryUuid, uniqueId } = this.assign(symbol, true);
    const de: DocumentEntry = {
      type: 'DocumentEntry',
      entryUuid,
      lid: entryUuid,
      version: '1',
      status: AVAILABILITY_STATUS.Approved,
      objectType: OBJECT_TYPE.stableDocumentEntry,
      mimeType: 'text/xml',
      title: [{ value: d.title }],
      extraSlots: [],
      patientId: { value: this.opts.patientId },
      uniqueId: { value: uniqueId },
      classCode: code(d.classCode, SCHEME.classCode),
      typeCode: code('11369-6', SCHEME.loinc),
      formatCode: code(d.formatCode, SCHEME.format),
      healthcareFacilityTypeCode: code(d.healthcareFacilityTypeCode, SCHEME.snomed),
      practiceSettingCode: d.practiceSettingCode,
      confidentialityCodes: [code(d.confidentialityCode, SCHEME.confidentiality)],
      eventCodes: d.eventCodes.map((c) => code(c, SCHEME.connectathon)),
      authors: d.authors,
      creationTime: [d.creationTime],
      serviceStartTime: [d.serviceStartTime],
      serviceStopTime: [d.serviceStopTime],
      languageCode: ['en-us'],
      sourcePatientId: ['89765a87b^^^&1.3.4.5&ISO'],
      hash: ['e543712c0e10501972de13a5bfcbe826c49feb75'],
      size: ['36'],
      repositoryUniqueId: ['1.19.6.24.109.42.1'],
    };
    if (d.referenceIds) de.referenceIds = d.referenceIds;
    this.changes.documentEntries.push(de);
    return entryUuid;
  }

  submissionSet(): string {
    const { entryUuid, uniqueId } = this.assign('SubmissionSet01', true);
    const ss: SubmissionSet = {
      type: 'SubmissionSet',
      entryUuid,
      lid: entryUuid,
      version: '1',
      status: AVAILABILITY_STATUS.Approved,
      title: [{ value: 'Physical' }],
      comments: [{ value: 'Annual physical' }],
      extraSlots: [],
      patientId: { value: this.opts.patientId },
      uniqueId: { value: uniqueId },
      sourceId: { value: '1.3.6.1.4.1.21367.2008.1.2.178' },
      contentTypeCode: code('225728007', SCHEME.snomed),
      authors: [SHERRY_DOPPLEMEYER],
      submissionTime: ['20041225235050'],
      marker: { nested: false },
    };
    this.changes.submissionSets.push(ss);
    return entryUuid;
  }

  folder(): string {
    const { entryUuid, uniqueId } = this.assign('Folder', true);
    const folder: Folder = {
      type: 'Folder',
      entryUuid,
      lid: entryUuid,
      version: '1',
      status: AVAILABILITY_STATUS.Approved,
      title: [{ value: 'FOLDER' }],
      extraSlots: [],
      patientId: { value: this.opts.patientId },
      uniqueId: { value: uniqueId },
      codes: [code('Referrals', SCHEME.connectathon)],
      lastUpdateTime: [this.opts.registeredAt],
      marker: { nested: false },
    };
    this.changes.folders.push(folder);
    return entryUuid;
  }

  association(associationType: string, sourceObject: string, targetObject: string, symbol?: string, submissionSetStatus?: 'Original'): string {
    const entryUuid = symbol ? this.assign(symbol, false).entryUuid : `urn:uuid:${randomUUID()}`;
    const a: XdsAssociation = {
      type: 'Association',
      entryUuid,
      lid: entryUuid,
      version: '1',
      status: AVAILABILITY_STATUS.Approved,
      extraSlots: [],
      associationType,
      sourceObject,
      targetObject,
    };
    if (submissionSetStatus) a.submissionSetStatus = [submissionSetStatus];
    this.changes.associations.push(a);
    return entryUuid;
  }

  hasMember(source: string, target: string, symbol?: string): string {
    return this.association(ASSOCIATION_TYPE.HasMember, source, target, symbol);
  }

  /** SS → DE HasMember with SubmissionSetStatus Original. */
  ssHasDocument(ss: string, de: string): string {
    return this.association(ASSOCIATION_TYPE.HasMember, ss, de, undefined, 'Original');
  }
}

/** Build the five submissions in order. `rplcTarget` is DocE's entryUUID (from doc_for_rplc). */
function buildSection(section: FixtureSection, opts: FixtureOptions, rplcTarget: string | undefined): SectionBuilder {
  const b = new SectionBuilder(opts, section);
  switch (section) {
    case 'single_doc': {
      const doc = b.document('Document01', opts.variant === '12374' ? DOC_A_12374 : DOC_A);
      const ss = b.submissionSet();
      b.ssHasDocument(ss, doc);
      break;
    }
    case 'doc_w_fol': {
      const doc = b.document('Document01', DOC_B);
      const folder = b.folder();
      const ss = b.submissionSet();
      b.hasMember(ss, folder);
      const folDoc = b.hasMember(folder, doc, 'FolderDocument01Assoc');
      b.hasMember(ss, folDoc);
      b.ssHasDocument(ss, doc);
      break;
    }
    case 'two_doc_w_fol': {
      const doc1 = b.document('Document01', DOC_C);
      const doc2 = b.document('Document02', DOC_D);
      const folder = b.folder();
      const ss = b.submissionSet();
      b.ssHasDocument(ss, doc1);
      b.ssHasDocument(ss, doc2);
      b.hasMember(ss, folder);
      b.hasMember(ss, b.hasMember(folder, doc1, 'FolderDocument01Assoc'));
      b.hasMember(ss, b.hasMember(folder, doc2, 'FolderDocument02Assoc'));
      break;
    }
    case 'doc_for_rplc': {
      const doc = b.document('Document01', DOC_E);
      b.ssHasDocument(b.submissionSet(), doc);
      break;
    }
    case 'rplc': {
      if (rplcTarget === undefined) throw new Error('rplc needs doc_for_rplc first');
      const doc = b.document('Document01', DOC_F);
      b.ssHasDocument(b.submissionSet(), doc);
      b.association(ASSOCIATION_TYPE.RPLC, doc, rplcTarget);
      b.changes.statusChanges.push({ entryUuid: rplcTarget, expected: AVAILABILITY_STATUS.Approved, status: AVAILABILITY_STATUS.Deprecated });
      break;
    }
  }
  return b;
}

/** Register the five 12346 (or 12374) submissions into the store, in NIST order. */
export async function loadNistSqFixture(store: RegistryStore, opts: FixtureOptions): Promise<LoadedFixture> {
  const sections = {} as Record<FixtureSection, LoadedSection>;
  await store.addKnownPatients([opts.patientId]);
  for (const section of FIXTURE_SECTIONS) {
    const b = buildSection(section, opts, sections.doc_for_rplc?.uuids.Document01);
    await store.applySubmission(b.changes);
    sections[section] = { uuids: b.uuids, uids: b.uids };
  }
  return { patientId: opts.patientId, sections };
}
