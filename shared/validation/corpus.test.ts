/**
 * The validator on real third-party messages from the conformance corpus (shared/conformance/corpus):
 * the dcm4chee CheckErrorsTest mutations (MANIFEST "Derived negative cases"), NIST's malformed PnR
 * messages, and the corpus submissions expected to succeed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseProvideAndRegisterRequest, parseSubmitObjectsRequest } from '../ebxml/parse';
import type { RegistryObject, RegistryObjectListItem } from '../ebxml/types';
import { CLASSIFICATION_SCHEME as CS, IDENTIFICATION_SCHEME as IS, SLOT } from '../xds/constants';
import { submissionFromEbxml } from '../xds/fromEbxml';
import { parseXml } from '../xml/parse';
import type { XmlElement } from '../xml/tree';
import type { Transaction } from './types';
import { runRules, validateSubmission } from './validate';

const CORPUS = path.resolve(__dirname, '../../../shared/conformance/corpus');

/** The RegistryObjectList of a corpus file holding a SubmitObjectsRequest or a PnR request, bare or in a SOAP envelope. */
function loadObjects(relative: string): { objects: RegistryObjectListItem[]; kind: 'register' | 'provideAndRegister' } {
  const root = parseXml(fs.readFileSync(path.join(CORPUS, relative), 'utf8'));
  const body: XmlElement | undefined = root.local === 'Envelope' ? root.children.find((c) => c.local === 'Body')?.children[0] : root;
  if (body?.local === 'SubmitObjectsRequest') return { objects: parseSubmitObjectsRequest(body).objects, kind: 'register' };
  if (body?.local === 'ProvideAndRegisterDocumentSetRequest') {
    return { objects: parseProvideAndRegisterRequest(body).submitObjectsRequest.objects, kind: 'provideAndRegister' };
  }
  throw new Error(`${relative}: not a submission`);
}

function validateFile(relative: string, tx: Transaction) {
  return validateSubmission(submissionFromEbxml(loadObjects(relative).objects), tx);
}

describe('dcm4chee CheckErrorsTest mutations of CreateFolderWithDocument.xml (ITI-42)', () => {
  const BASE = 'iti42/dcm4chee-xds2/CreateFolderWithDocument.xml';
  const DE_ID = 'urn:uuid:aabbccdd-bdda-424e-8c96-df4873ba9101';
  const FOLDER_ID = 'urn:uuid:aabbccdd-bdda-424e-8c96-df4873ba9102';
  const SS_ID = 'urn:uuid:aabbccdd-bdda-424e-8c96-df4873ba9103';

  function objectById(objects: RegistryObjectListItem[], id: string): RegistryObject {
    const o = objects.find((x): x is RegistryObject => x.kind !== 'ObjectRef' && x.id === id);
    if (o === undefined) throw new Error(`no object ${id} in ${BASE}`);
    return o;
  }

  function mutated(change: (objects: RegistryObjectListItem[]) => void): RegistryObjectListItem[] {
    const objects = loadObjects(BASE).objects;
    change(objects);
    return objects;
  }

  function errorsOf(objects: RegistryObjectListItem[]) {
    return validateSubmission(submissionFromEbxml(objects), 'ITI-42');
  }

  function setPatientId(o: RegistryObject, scheme: string, value: string): void {
    const e = o.externalIdentifiers.find((x) => x.identificationScheme === scheme);
    if (e === undefined) throw new Error(`no identifier ${scheme} on ${o.id}`);
    e.value = value;
  }

  it('the unmutated message passes', () => {
    expect(validateFile(BASE, 'ITI-42')).toEqual([]);
  });

  it('unknown patient on DE, Folder and SS: metadata is consistent, so the validator says nothing (XDSUnknownPatientId is the patient feed check)', () => {
    const objects = mutated((list) => {
      setPatientId(objectById(list, DE_ID), IS.docPatientId, '11111^^^&1.2.3&ISO');
      setPatientId(objectById(list, FOLDER_ID), IS.folderPatientId, '11111^^^&1.2.3&ISO');
      setPatientId(objectById(list, SS_ID), IS.ssPatientId, '11111^^^&1.2.3&ISO');
    });
    expect(errorsOf(objects)).toEqual([]);
  });

  it.each([
    ['another patient', 'test1234_2^^^&1.2.3.45.4.3.2.1&ISO'],
    ['a patient merged into another (the registry maps it; here it differs from SS/Folder)', 'test1234_merged^^^&1.2.3.45.4.3.2.1&ISO'],
  ])('DocumentEntry patientId set to %s: XDSPatientIdDoesNotMatch with both values', (_what, pid) => {
    const errors = errorsOf(mutated((list) => setPatientId(objectById(list, DE_ID), IS.docPatientId, pid)));
    expect(errors.map((e) => e.errorCode)).toEqual(['XDSPatientIdDoesNotMatch']);
    expect(errors[0]?.codeContext).toContain(pid);
    expect(errors[0]?.codeContext).toContain('test1234_1^^^&1.2.3.45.4.3.2.1&ISO');
  });

  const metadataCases: [string, (list: RegistryObjectListItem[]) => void][] = [
    ['DocumentEntry id set to empty', (list) => void (objectById(list, DE_ID).id = '')],
    ['Folder id set to empty', (list) => void (objectById(list, FOLDER_ID).id = '')],
    ['SubmissionSet id set to empty', (list) => void (objectById(list, SS_ID).id = '')],
    [
      'mimeType set to empty',
      (list) => {
        const de = objectById(list, DE_ID);
        if (de.kind === 'ExtrinsicObject') de.mimeType = '';
      },
    ],
    ...[SLOT.creationTime, SLOT.repositoryUniqueId, SLOT.size, SLOT.hash, SLOT.sourcePatientId, SLOT.languageCode].map(
      (name): [string, (list: RegistryObjectListItem[]) => void] => [
        `DocumentEntry slot ${name} removed`,
        (list) => {
          const de = objectById(list, DE_ID);
          de.slots = de.slots.filter((s) => s.name !== name);
        },
      ],
    ),
    [
      'SubmissionSet slot submissionTime removed',
      (list) => {
        const ss = objectById(list, SS_ID);
        ss.slots = ss.slots.filter((s) => s.name !== SLOT.submissionTime);
      },
    ],
    ...(
      [
        ['classCode', DE_ID, CS.classCode],
        ['confidentialityCode', DE_ID, CS.confidentialityCode],
        ['formatCode', DE_ID, CS.formatCode],
        ['healthcareFacilityTypeCode', DE_ID, CS.healthcareFacilityTypeCode],
        ['practiceSettingCode', DE_ID, CS.practiceSettingCode],
        ['typeCode', DE_ID, CS.typeCode],
        ['Folder codeList', FOLDER_ID, CS.folderCodeList],
        ['SubmissionSet contentTypeCode', SS_ID, CS.contentTypeCode],
      ] as const
    ).map(([what, owner, scheme]): [string, (list: RegistryObjectListItem[]) => void] => [
      `${what} Classification removed`,
      (list) => {
        const o = objectById(list, owner);
        o.classifications = o.classifications.filter((c) => c.classificationScheme !== scheme);
      },
    ]),
    ...(
      [
        ['DocumentEntry patientId', DE_ID, IS.docPatientId],
        ['DocumentEntry uniqueId', DE_ID, IS.docUniqueId],
        ['Folder patientId', FOLDER_ID, IS.folderPatientId],
        ['Folder uniqueId', FOLDER_ID, IS.folderUniqueId],
        ['SubmissionSet patientId', SS_ID, IS.ssPatientId],
        ['SubmissionSet uniqueId', SS_ID, IS.ssUniqueId],
        ['SubmissionSet sourceId', SS_ID, IS.ssSourceId],
      ] as const
    ).map(([what, owner, scheme]): [string, (list: RegistryObjectListItem[]) => void] => [
      `${what} ExternalIdentifier removed`,
      (list) => {
        const o = objectById(list, owner);
        o.externalIdentifiers = o.externalIdentifiers.filter((e) => e.identificationScheme !== scheme);
      },
    ]),
  ];

  it.each(metadataCases)('%s: XDSRegistryMetadataError', (_what, change) => {
    const errors = errorsOf(mutated(change));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.errorCode).toBe('XDSRegistryMetadataError');
    expect(errors.every((e) => e.severity === 'Error')).toBe(true);
  });
});

describe('NIST malformed PnR messages (negative/nist-wire/messagevalidator)', () => {
  const BAD_UPLINK = 'negative/nist-wire/messagevalidator/pnr-bad-uplink.xml';

  it('pnr-bad-uplink.xml (ITI-41): only the nested Classification classifying Document011 inside Document01 is wrong', () => {
    const results = runRules(submissionFromEbxml(loadObjects(BAD_UPLINK).objects), 'ITI-41');
    expect(results.map((r) => [r.ruleId, r.error.errorCode])).toEqual([['structure.subObject.enclosing', 'XDSRepositoryMetadataError']]);
    expect(results[0]?.error.codeContext).toContain("classifiedObject 'Document011'");
    expect(results[0]?.error.codeContext).toContain("DocumentEntry 'Document01'");
  });

  it('pnr-bad-uplink.xml seen by the registry (ITI-42): XDSRegistryMetadataError', () => {
    const results = runRules(submissionFromEbxml(loadObjects(BAD_UPLINK).objects), 'ITI-42').filter((r) => r.ruleId === 'structure.subObject.enclosing');
    expect(results.map((r) => r.error.errorCode)).toEqual(['XDSRegistryMetadataError']);
  });

  it('pnr-assoc-to-self.xml: a HasMember whose target is itself', () => {
    const results = runRules(submissionFromEbxml(loadObjects('negative/nist-wire/messagevalidator/pnr-assoc-to-self.xml').objects), 'ITI-41');
    expect(results.map((r) => r.ruleId)).toContain('assoc.endpoints.notSelf');
    expect(results.every((r) => r.error.errorCode === 'XDSRepositoryMetadataError')).toBe(true);
  });

  it('pnr-limited.xml: XDR limited metadata is refused in XDS', () => {
    const ids = runRules(submissionFromEbxml(loadObjects('negative/nist-wire/messagevalidator/pnr-limited.xml').objects), 'ITI-41').map((r) => r.ruleId);
    expect(ids).toEqual(expect.arrayContaining(['de.limitedMetadata', 'ss.limitedMetadata', 'de.classCode.required', 'ss.patientId.required']));
  });
});

describe('corpus submissions expected to succeed', () => {
  const register = [
    'iti42/dcm4chee-xds2/CreateFolder.xml',
    'iti42/dcm4chee-xds2/CreateFolderWithDocument.xml',
    'iti42/dcm4chee-xds2/RegisterAssocBeforeDoc.xml',
    'iti42/dcm4chee-xds2/RegisterOneDocument.xml',
    'iti42/dcm4chee-xds2/RegisterOneDocumentConcurrent1.xml',
    'iti42/dcm4chee-xds2/RegisterOneDocumentConcurrent2.xml',
    'iti42/dcm4chee-xds2/RegisterTwoDocuments.xml',
    'iti42/dcm4chee-xds2/RegisterTwoDocumentsForDeletion.xml',
    'iti42/dcm4chee-xds2/ResubmitInitialDoc.xml',
    'iti42/dcm4chee-xds2/persistence/RegisterOneDocument.xml',
    'iti42/ipf/submission-set.xml',
    // Metadata-valid; its expected failure (XDSNonIdenticalHash) needs the registry's stored copy.
    'negative/dcm4chee-xds2/ResubmitWrongHash.xml',
  ];
  const provideAndRegister = [
    'iti41/ipf/ProvideAndRegisterDocumentSet.xml',
    'iti41/nist-wire/it-tests/PnR1Doc.xml',
    'iti41/nist-wire/messages/pnr.xml',
    'iti41/nist-wire/messagevalidator/pnr.xml',
    'iti41/nist-wire/messagevalidator/soap-pnr.xml',
    'iti41/openxds/samples/ProvideAndRegisterDocumentSet-bRequest.xml',
    'iti41/nist-testkit/ReposAcceptanceTest-1111/SubmitSingleDoc/single_doc.xml',
    'iti41/nist-testkit/ReposAcceptanceTest-1113/SubmitFolder/single_fol.xml',
    'iti41/nist-testkit/ReposAcceptanceTest-1113/SubmitFolderwDoc/fol_doc.xml',
    'iti41/nist-testkit/ReposAcceptanceTest-1113/SubmitTwoDocs/two_doc.xml',
  ];

  it.each(register)('%s passes as ITI-42', (file) => {
    expect(loadObjects(file).kind).toBe('register');
    expect(validateFile(file, 'ITI-42')).toEqual([]);
  });

  it.each(provideAndRegister)('%s passes as ITI-41', (file) => {
    expect(loadObjects(file).kind).toBe('provideAndRegister');
    expect(validateFile(file, 'ITI-41')).toEqual([]);
  });
});
