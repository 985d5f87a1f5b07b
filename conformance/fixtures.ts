/**
 * The corpus material that is not a toolkit test plan, as must-succeed / must-fail cases with the outcome
 * MANIFEST.md gives (or, where the manifest's expectation comes from a non-registry context, the outcome our
 * XDS.b reading requires; see inconsistencies.ts): dcm4chee-xds2 and IPF submissions, OpenXDS PnR fixtures,
 * NIST wire-level captures, the malformed-message cases, and dcm4chee's CheckErrorsTest mutations.
 */
import { parseXml } from '../shared/xml/parse';
import type { XmlElement } from '../shared/xml/tree';
import { ACTION, CLASSIFICATION_SCHEME, IDENTIFICATION_SCHEME, NODE } from '../shared/xds/constants';
import { readCorpusBytes, readCorpusText } from './corpus';
import { convertEbrim21, isEbrim21, repairEbrim30Schema } from './ebrim21';
import { contentCheck, type FixtureCase, type FixtureRequest, type FixtureStep, type FixtureTools } from './fixtureRunner';
import { prepareSubmission } from './metadataPrep';
import { substituteOpenTokens } from './substitution';
import { allElements, serializeXml } from './xmlTree';
import type { PnrDocument } from './transactions';

// ---------------------------------------------------------------- helpers

export function stripDeclaration(text: string): string {
  return text.replace(/^\uFEFF?\s*<\?xml[^?]*\?>/, '').trim();
}

function submitObjectsRequestIn(root: XmlElement): XmlElement {
  const sor = root.local === 'SubmitObjectsRequest' ? root : allElements(root).find((e) => e.local === 'SubmitObjectsRequest');
  if (!sor) throw new Error(`no SubmitObjectsRequest in ${root.local}`);
  return sor;
}

function registerFile(rel: string, edit?: (text: string) => string): FixtureRequest {
  const text = stripDeclaration(readCorpusText(rel));
  return { kind: 'register', xml: edit ? edit(text) : text };
}

/** A metadata body as the toolkit would send it: 2.1 converted, patient/uniqueIds rewritten, documents attached. */
async function pnrLikeToolkit(t: FixtureTools, rel: string, documentFor: (symbol: string) => Buffer | undefined): Promise<FixtureRequest> {
  const parsed = parseXml(readCorpusBytes(rel));
  const sor = isEbrim21(parsed) ? convertEbrim21(parsed) : submitObjectsRequestIn(parsed);
  const assignments = prepareSubmission(sor, { patientId: await t.patient(), assignUids: 'all', newUniqueId: t.uid, assignUuids: false });
  const documents: PnrDocument[] = [];
  for (const eo of allElements(sor).filter((e) => e.local === 'ExtrinsicObject')) {
    const id = eo.attrs.id ?? '';
    const bytes = documentFor(id);
    if (bytes) documents.push({ id, bytes, contentType: 'application/octet-stream' });
  }
  if (assignments.uids.size === 0) throw new Error(`${rel}: no uniqueIds found`);
  return { kind: 'pnr', sorXml: serializeXml(sor), documents, mtom: true };
}

/** A PnR body file as written, documents attached per ExtrinsicObject (the file carries none). */
function pnrFileWithDocuments(rel: string, documentFor: (symbol: string) => Buffer): FixtureRequest {
  const root = parseXml(readCorpusBytes(rel));
  const sor = submitObjectsRequestIn(root);
  const documents = allElements(sor)
    .filter((e) => e.local === 'ExtrinsicObject')
    .map((eo) => ({ id: eo.attrs.id ?? '', bytes: documentFor(eo.attrs.id ?? ''), contentType: 'text/plain' }));
  return { kind: 'pnr', sorXml: serializeXml(sor), documents, mtom: true };
}

function generatedDocument(label: string): Buffer {
  return Buffer.from(`Conformance runner test document for ${label}.\nIt only has to arrive intact.\n`, 'utf8');
}

/** An HTTP capture (request line, headers, blank line, body) → Content-Type and body bytes. */
export function parseCapture(capture: Buffer): { contentType: string; body: Buffer } {
  const crlf = capture.indexOf('\r\n\r\n');
  const lf = capture.indexOf('\n\n');
  const split = crlf !== -1 && (lf === -1 || crlf < lf) ? { at: crlf, len: 4 } : { at: lf, len: 2 };
  if (split.at === -1) throw new Error('capture without a header block');
  const head = capture.subarray(0, split.at).toString('latin1').split(/\r?\n/);
  const ct = head.find((l) => /^content-type\s*:/i.test(l));
  if (!ct) throw new Error('capture without Content-Type');
  return { contentType: ct.replace(/^content-type\s*:\s*/i, '').trim(), body: capture.subarray(split.at + split.len) };
}

/** Content-Type for a raw MTOM body that comes without headers: boundary and start from its first part. */
export function contentTypeForRawMtom(body: Buffer, action: string): string {
  const text = body.subarray(0, 2048).toString('latin1');
  const boundary = /^--(\S+)/.exec(text)?.[1];
  const start = /Content-ID:\s*(<[^>\r\n]+>)/i.exec(text)?.[1];
  if (!boundary || !start) throw new Error('raw MTOM body without boundary or Content-ID');
  return `multipart/related; boundary="${boundary}"; type="application/xop+xml"; start="${start}"; start-info="application/soap+xml"; action="${action}"`;
}

function verbatimCapture(rel: string, target: 'registry' | 'repository'): FixtureRequest {
  const { contentType, body } = parseCapture(readCorpusBytes(rel));
  return { kind: 'verbatim', target, contentType, body };
}

function verbatimFile(rel: string, target: 'registry' | 'repository', contentType: string): FixtureRequest {
  return { kind: 'verbatim', target, contentType, body: readCorpusBytes(rel) };
}

function query(rel: string): FixtureRequest {
  return { kind: 'soap', target: 'registry', action: ACTION.iti18, xml: stripDeclaration(readCorpusText(rel)) };
}

function success(id: string, sends: string, transaction: FixtureStep['transaction'], build: FixtureStep['build']): FixtureStep {
  return { id, sends, transaction, build, expect: { statuses: ['Success'] } };
}

const SOAP = 'application/soap+xml; charset=UTF-8';

// ---------------------------------------------------------------- dcm4chee-xds2

const DCM_PATIENTS = ['test1234_1^^^&1.2.3.45.4.3.2.1&ISO', 'test1234_2^^^&1.2.3.45.4.3.2.1&ISO', 'concurrentTestPatId^^^&1.2.3.45.4.3.2.1&ISO'];
const DCM = 'iti42/dcm4chee-xds2';
/** In load order: rplc.xml replaces single_doc_for_rplc.xml by its fixed entryUUID. */
const SQ_FILES = ['single_doc.xml', 'single_doc_w_fol.xml', 'two_doc_w_fol.xml', 'single_doc_for_rplc.xml', 'rplc.xml'];

function dcmSingle(file: string, title: string): FixtureCase {
  return {
    id: `dcm4chee/${file.replace(/\.xml$/, '')}`,
    title,
    sources: [`${DCM}/${file}`],
    family: 'dcm4chee-xds2',
    patients: DCM_PATIENTS,
    steps: [success('register', `ITI-42 ${file} as written`, 'R', () => registerFile(`${DCM}/${file}`))],
  };
}

const HASH_SLOT = /(<rim:Slot name="hash">\s*<rim:ValueList>\s*<rim:Value>)([^<]*)(<\/rim:Value>)/;

function hashIn(text: string): string {
  const m = HASH_SLOT.exec(text);
  if (!m) throw new Error('no hash slot');
  return m[2] ?? '';
}

/** The dcm4chee base message with fresh entryUUIDs and uniqueIds, so each mutation stands alone. */
function freshCreateFolderWithDocument(t: FixtureTools): XmlElement {
  const root = parseXml(readCorpusBytes(`${DCM}/CreateFolderWithDocument.xml`));
  const ids = new Map<string, string>();
  for (const e of allElements(root)) {
    const id = e.attrs.id;
    if (id && id.startsWith('urn:uuid:aabbccdd') && !ids.has(id)) ids.set(id, t.uuid());
  }
  for (const e of allElements(root)) {
    for (const a of ['id', 'classifiedObject', 'registryObject', 'sourceObject', 'targetObject']) {
      const v = e.attrs[a];
      const mapped = v === undefined ? undefined : ids.get(v);
      if (mapped) e.attrs[a] = mapped;
    }
  }
  prepareSubmission(root, { assignUids: 'all', newUniqueId: t.uid, assignUuids: false });
  return root;
}

type Role = 'DocumentEntry' | 'Folder' | 'SubmissionSet';

function objectOf(root: XmlElement, role: Role): XmlElement {
  if (role === 'DocumentEntry') {
    const eo = allElements(root).find((e) => e.local === 'ExtrinsicObject');
    if (!eo) throw new Error('no ExtrinsicObject');
    return eo;
  }
  const node = role === 'Folder' ? NODE.folder : NODE.submissionSet;
  const classified = allElements(root).find((e) => e.local === 'Classification' && e.attrs.classificationNode === node)?.attrs.classifiedObject;
  const pkg = allElements(root).find((e) => e.local === 'RegistryPackage' && e.attrs.id === classified);
  if (!pkg) throw new Error(`no ${role}`);
  return pkg;
}

function removeWhere(root: XmlElement, pred: (e: XmlElement) => boolean): number {
  let removed = 0;
  for (const e of allElements(root)) {
    const before = e.children.length;
    e.children = e.children.filter((c) => !pred(c));
    removed += before - e.children.length;
  }
  return removed;
}

interface Mutation {
  id: string;
  what: string;
  code: string;
  apply(root: XmlElement): void;
}

function mustRemove(root: XmlElement, pred: (e: XmlElement) => boolean, what: string): void {
  if (removeWhere(root, pred) === 0) throw new Error(`mutation found nothing to remove: ${what}`);
}

function dcmMutations(): Mutation[] {
  const pidSchemes = [IDENTIFICATION_SCHEME.docPatientId, IDENTIFICATION_SCHEME.folderPatientId, IDENTIFICATION_SCHEME.ssPatientId] as string[];
  const m: Mutation[] = [
    {
      id: 'unknown-patient',
      what: 'DocumentEntry, Folder and SubmissionSet patientId set to 11111^^^&1.2.3&ISO (never fed)',
      code: 'XDSUnknownPatientId',
      apply: (root) => {
        for (const e of allElements(root)) if (e.local === 'ExternalIdentifier' && pidSchemes.includes(e.attrs.identificationScheme ?? '')) e.attrs.value = '11111^^^&1.2.3&ISO';
      },
    },
    {
      id: 'de-patient-differs',
      what: 'DocumentEntry patientId set to test1234_2 (SubmissionSet and Folder keep test1234_1)',
      code: 'XDSPatientIdDoesNotMatch',
      apply: (root) => {
        const de = objectOf(root, 'DocumentEntry');
        for (const e of de.children) if (e.local === 'ExternalIdentifier' && e.attrs.identificationScheme === IDENTIFICATION_SCHEME.docPatientId) e.attrs.value = 'test1234_2^^^&1.2.3.45.4.3.2.1&ISO';
      },
    },
  ];
  for (const role of ['DocumentEntry', 'Folder', 'SubmissionSet'] as Role[]) {
    m.push({ id: `empty-id-${role}`, what: `${role} id attribute set to ""`, code: 'XDSRegistryMetadataError', apply: (root) => void (objectOf(root, role).attrs.id = '') });
  }
  m.push({ id: 'empty-mimeType', what: 'DocumentEntry mimeType set to ""', code: 'XDSRegistryMetadataError', apply: (root) => void (objectOf(root, 'DocumentEntry').attrs.mimeType = '') });
  const slots: Array<[Role, string]> = [
    ['DocumentEntry', 'creationTime'],
    ['DocumentEntry', 'repositoryUniqueId'],
    ['DocumentEntry', 'size'],
    ['DocumentEntry', 'hash'],
    ['DocumentEntry', 'sourcePatientId'],
    ['DocumentEntry', 'languageCode'],
    ['SubmissionSet', 'submissionTime'],
  ];
  for (const [role, slot] of slots) {
    m.push({
      id: `no-slot-${slot}`,
      what: `${role} slot ${slot} removed`,
      code: 'XDSRegistryMetadataError',
      apply: (root) => {
        const obj = objectOf(root, role);
        mustRemove(obj, (e) => e.local === 'Slot' && e.attrs.name === slot && obj.children.includes(e), slot);
      },
    });
  }
  const classifications: Array<[Role, string, string]> = [
    ['DocumentEntry', 'classCode', CLASSIFICATION_SCHEME.classCode],
    ['DocumentEntry', 'confidentialityCode', CLASSIFICATION_SCHEME.confidentialityCode],
    ['DocumentEntry', 'formatCode', CLASSIFICATION_SCHEME.formatCode],
    ['DocumentEntry', 'healthcareFacilityTypeCode', CLASSIFICATION_SCHEME.healthcareFacilityTypeCode],
    ['DocumentEntry', 'practiceSettingCode', CLASSIFICATION_SCHEME.practiceSettingCode],
    ['DocumentEntry', 'typeCode', CLASSIFICATION_SCHEME.typeCode],
    ['Folder', 'codeList', CLASSIFICATION_SCHEME.folderCodeList],
    ['SubmissionSet', 'contentTypeCode', CLASSIFICATION_SCHEME.contentTypeCode],
  ];
  for (const [role, name, scheme] of classifications) {
    m.push({
      id: `no-${name}`,
      what: `${role} ${name} classification removed`,
      code: 'XDSRegistryMetadataError',
      apply: (root) => {
        const id = objectOf(root, role).attrs.id;
        mustRemove(root, (e) => e.local === 'Classification' && e.attrs.classificationScheme === scheme && e.attrs.classifiedObject === id, name);
      },
    });
  }
  const identifiers: Array<[Role, string, string]> = [
    ['DocumentEntry', 'patientId', IDENTIFICATION_SCHEME.docPatientId],
    ['DocumentEntry', 'uniqueId', IDENTIFICATION_SCHEME.docUniqueId],
    ['Folder', 'patientId', IDENTIFICATION_SCHEME.folderPatientId],
    ['Folder', 'uniqueId', IDENTIFICATION_SCHEME.folderUniqueId],
    ['SubmissionSet', 'patientId', IDENTIFICATION_SCHEME.ssPatientId],
    ['SubmissionSet', 'uniqueId', IDENTIFICATION_SCHEME.ssUniqueId],
    ['SubmissionSet', 'sourceId', IDENTIFICATION_SCHEME.ssSourceId],
  ];
  for (const [role, name, scheme] of identifiers) {
    m.push({
      id: `no-${role}-${name}`,
      what: `${role}.${name} ExternalIdentifier removed`,
      code: 'XDSRegistryMetadataError',
      apply: (root) => {
        const id = objectOf(root, role).attrs.id;
        mustRemove(root, (e) => e.local === 'ExternalIdentifier' && e.attrs.identificationScheme === scheme && e.attrs.registryObject === id, `${role}.${name}`);
      },
    });
  }
  return m;
}

function dcm4cheeCases(): FixtureCase[] {
  const cases: FixtureCase[] = [
    dcmSingle('CreateFolder.xml', 'SubmissionSet with one Folder'),
    dcmSingle('CreateFolderWithDocument.xml', 'Folder with a DocumentEntry in it'),
    dcmSingle('RegisterAssocBeforeDoc.xml', 'Association before the DocumentEntry it references'),
    dcmSingle('RegisterOneDocument.xml', 'One DocumentEntry, urn:uuid ids'),
    dcmSingle('RegisterTwoDocuments.xml', 'Two DocumentEntries'),
    dcmSingle('RegisterTwoDocumentsForDeletion.xml', 'Two DocumentEntries (dcm4chee delete-test data)'),
    dcmSingle('persistence/RegisterOneDocument.xml', 'One DocumentEntry (persistence-layer variant)'),
    {
      id: 'dcm4chee/RegisterGenericDocument',
      title: 'Template DocumentEntry with its placeholders filled in',
      sources: [`${DCM}/RegisterGenericDocument.xml`],
      family: 'dcm4chee-xds2',
      patients: [],
      steps: [
        success('register', 'ITI-42 template with MYPATIENTID/DOCUMENTENTRYUID/SUBMISSIONSETUID/UUIDPREFIX replaced (fed patient, fresh ids)', 'R', async (t) => {
          const patient = await t.patient();
          return registerFile(`${DCM}/RegisterGenericDocument.xml`, (x) =>
            substituteOpenTokens(x, new Map([['MYPATIENTID', patient], ['DOCUMENTENTRYUID', t.uid()], ['SUBMISSIONSETUID', t.uid()], ['UUIDPREFIX', t.uuid().slice(18, 27)]]), { xml: true }),
          );
        }),
      ],
    },
    {
      id: 'dcm4chee/RegisterOneDocumentConcurrent',
      title: 'Two submissions for the same patient sent at the same time',
      sources: [`${DCM}/RegisterOneDocumentConcurrent1.xml`, `${DCM}/RegisterOneDocumentConcurrent2.xml`],
      family: 'dcm4chee-xds2',
      patients: DCM_PATIENTS,
      steps: [
        success('concurrent-pair', 'ITI-42 Concurrent1 and Concurrent2 in parallel', 'R', () => [
          registerFile(`${DCM}/RegisterOneDocumentConcurrent1.xml`),
          registerFile(`${DCM}/RegisterOneDocumentConcurrent2.xml`),
        ]),
      ],
    },
    {
      id: 'dcm4chee/ResubmitWrongHash',
      title: 'Resubmission of a DocumentEntry uniqueId with a different hash',
      sources: [`${DCM}/ResubmitInitialDoc.xml`, 'negative/dcm4chee-xds2/ResubmitWrongHash.xml'],
      family: 'dcm4chee-xds2',
      patients: DCM_PATIENTS,
      steps: [
        success('initial', 'ITI-42 ResubmitInitialDoc.xml', 'R', () => registerFile(`${DCM}/ResubmitInitialDoc.xml`)),
        {
          id: 'wrong-hash',
          sends: 'ITI-42 ResubmitWrongHash.xml (same DocumentEntry uniqueId, other hash)',
          transaction: 'R',
          build: () => registerFile('negative/dcm4chee-xds2/ResubmitWrongHash.xml'),
          expect: { statuses: ['Failure'], allCodes: ['XDSNonIdenticalHash'] },
          verify: (r) => (r.errors[0]?.errorCode === 'XDSNonIdenticalHash' ? [] : [`first RegistryError is ${r.errors[0]?.errorCode ?? 'none'}, expected XDSNonIdenticalHash`]),
        },
        success('restored-hash', 'ITI-42 ResubmitWrongHash.xml with the original hash restored', 'R', () => {
          const original = hashIn(readCorpusText(`${DCM}/ResubmitInitialDoc.xml`));
          return registerFile('negative/dcm4chee-xds2/ResubmitWrongHash.xml', (x) => x.replace(HASH_SLOT, (_m, a: string, _h: string, c: string) => `${a}${original}${c}`));
        }),
      ],
    },
    {
      id: 'dcm4chee/sq-data',
      title: 'dcm4chee stored-query loader (ebRIM 3.0 rewrite of NIST 12346): as written (not schema-valid) and repaired to the schema',
      sources: SQ_FILES.map((f) => `${DCM}/sq/${f}`),
      family: 'dcm4chee-xds2',
      patients: DCM_PATIENTS,
      steps: [
        ...SQ_FILES.map(
          (f): FixtureStep => ({
            id: `${f.replace(/\.xml$/, '')} as written`,
            sends: `ITI-42 sq/${f} as written (rim:Name/Description before rim:Slot; ExternalIdentifiers without registryObject)`,
            transaction: 'R',
            build: () => registerFile(`${DCM}/sq/${f}`),
            expect: { statuses: ['Failure'], allCodes: ['XDSRegistryMetadataError'] },
          }),
        ),
        ...SQ_FILES.map(
          (f): FixtureStep => ({
            id: `${f.replace(/\.xml$/, '')} repaired`,
            sends:
              `ITI-42 sq/${f} repaired by the runner to the ebRIM 3.0 schema (children in sequence order, ExternalIdentifier@registryObject added)` +
              (f === 'single_doc_w_fol.xml' ? ' (SubmissionSet uniqueId "SubmissionSet01_uniqueid" is not an OID)' : f === 'rplc.xml' ? ' (RPLC of single_doc_for_rplc by fixed urn:uuid)' : ''),
            transaction: 'R',
            build: () => {
              const root = parseXml(readCorpusBytes(`${DCM}/sq/${f}`));
              if (repairEbrim30Schema(root) === 0) throw new Error(`sq/${f} needed no repair`);
              return { kind: 'register', xml: serializeXml(root) };
            },
            expect: f === 'single_doc_w_fol.xml' ? { statuses: ['Failure'], allCodes: ['XDSRegistryMetadataError'] } : { statuses: ['Success'] },
          }),
        ),
      ],
    },
    {
      id: 'dcm4chee/CheckErrorsTest',
      title: "dcm4chee CheckErrorsTest mutations of CreateFolderWithDocument.xml (MANIFEST 'Derived negative cases')",
      sources: [`${DCM}/CreateFolderWithDocument.xml`],
      family: 'dcm4chee-xds2',
      patients: DCM_PATIENTS,
      steps: [
        success('base', 'ITI-42 CreateFolderWithDocument.xml with fresh ids (control: must succeed)', 'R', (t) => ({ kind: 'register', xml: serializeXml(freshCreateFolderWithDocument(t)) })),
        ...dcmMutations().map(
          (mu): FixtureStep => ({
            id: mu.id,
            sends: `ITI-42 CreateFolderWithDocument.xml, fresh ids, ${mu.what}`,
            transaction: 'R',
            build: (t) => {
              const root = freshCreateFolderWithDocument(t);
              mu.apply(root);
              return { kind: 'register', xml: serializeXml(root) };
            },
            expect: { statuses: ['Failure'], allCodes: [mu.code] },
          }),
        ),
      ],
    },
  ];
  cases.push({
    id: 'dcm4chee/CheckErrorsTest-merged-patient',
    title: 'DocumentEntry patientId of a patient merged into another (XDSPatientIdDoesNotMatch)',
    sources: [`${DCM}/CreateFolderWithDocument.xml`],
    family: 'dcm4chee-xds2',
    patients: [],
    steps: [],
    notApplicable: 'needs a patient merge (ITI-8/ITI-44 merge); our registry only offers POST /admin/patients to add known patients',
  });
  return cases;
}

// ---------------------------------------------------------------- IPF

const IPF_PATIENT = 'SELF-5^^^&1.3.6.1.4.1.21367.2005.3.7&ISO';

function ipfCases(): FixtureCase[] {
  const ebrs = (file: string, title: string): FixtureCase => ({
    id: `ipf/${file.replace(/\.xml$/, '')}`,
    title,
    sources: [`iti42/ipf/${file}`],
    family: 'ipf',
    patients: [IPF_PATIENT],
    steps: [
      {
        id: 'register',
        sends: `ITI-42 ${file} as written (four scheme UUIDs written with a blank inside: DocumentEntry.patientId, SubmissionSet uniqueId/patientId/contentTypeCode; no repositoryUniqueId/size/hash; sourceId 3670984664 is not an OID)`,
        transaction: 'R',
        build: () => registerFile(`iti42/ipf/${file}`),
        expect: { statuses: ['Failure'], allCodes: ['XDSRegistryMetadataError'] },
      },
    ],
  });
  return [
    ebrs('SubmitObjectsRequest_ebrs30.xml', 'IPF ebRS 3.0 round-trip fixture sent as a Register request'),
    ebrs('SubmitObjectsRequest_ebrs30_2.xml', 'IPF variant: SubmissionSet classification inside the RegistryPackage'),
    ebrs('SubmitObjectsRequest_ebrs3_extra_metadata.xml', 'IPF variant with extra (urn:) slots'),
    {
      id: 'ipf/submission-set',
      title: 'IPF Camel-test SubmitObjectsRequest (one document)',
      sources: ['iti42/ipf/submission-set.xml'],
      family: 'ipf',
      patients: ['103^^^&2.3.4&ISO'],
      steps: [success('register', 'ITI-42 submission-set.xml as written', 'R', () => registerFile('iti42/ipf/submission-set.xml'))],
    },
    {
      id: 'ipf/ProvideAndRegisterDocumentSet',
      title: 'Continua HRN PnR with an inline PHMR document whose hash/size slots are placeholders',
      sources: ['iti41/ipf/ProvideAndRegisterDocumentSet.xml'],
      family: 'ipf',
      patients: [IPF_PATIENT],
      steps: [
        {
          id: 'pnr',
          sends: 'ITI-41 body as written (document inline base64; hash aaaa…dddd, size 0815)',
          transaction: 'P',
          build: () => ({ kind: 'soap', target: 'repository', action: ACTION.iti41, xml: stripDeclaration(readCorpusText('iti41/ipf/ProvideAndRegisterDocumentSet.xml')) }),
          expect: { statuses: ['Failure'], allCodes: ['XDSRepositoryMetadataError'] },
        },
      ],
    },
    {
      id: 'ipf/iti18request-injection',
      title: 'FindDocuments whose patient id carries an SQL-injection tail',
      sources: ['negative/ipf/iti18request.xml'],
      family: 'ipf',
      patients: [],
      steps: [
        {
          id: 'query',
          sends: 'ITI-18 FindDocuments as written',
          transaction: 'SQ',
          build: () => query('negative/ipf/iti18request.xml'),
          expect: { statuses: ['Failure', 'Success'] },
          verify: (r) => {
            const list = r.body?.children.find((c) => c.local === 'RegistryObjectList');
            return r.status === 'Success' && list && list.children.length > 0 ? [`injected patient id matched ${list.children.length} object(s)`] : [];
          },
        },
      ],
    },
  ];
}

// ---------------------------------------------------------------- OpenXDS

const OX = 'iti41/openxds';

function openXdsPnr(file: string, tokens: (t: FixtureTools, patient: string) => Map<string, string>, documents: Array<[string, string]>): (t: FixtureTools) => Promise<FixtureRequest> {
  return async (t) => {
    const patient = t.vars.get('patient') ?? (await t.patient());
    t.vars.set('patient', patient);
    const bindings = tokens(t, patient);
    const text = substituteOpenTokens(stripDeclaration(readCorpusText(`${OX}/${file}`)), bindings, { xml: true });
    const sor = submitObjectsRequestIn(parseXml(text));
    const docs: PnrDocument[] = documents.map(([symbol, payload]) => ({ id: bindings.get(symbol) ?? symbol, bytes: readCorpusBytes(`${OX}/${payload}`), contentType: 'text/xml' }));
    return { kind: 'pnr', sorXml: serializeXml(sor), documents: docs, mtom: true };
  };
}

function openXdsCases(): FixtureCase[] {
  const base = (t: FixtureTools, patient: string, extra: Array<[string, string]> = []): Map<string, string> =>
    new Map<string, string>([['$patientId', patient], ['$XDSDocumentEntry.uniqueId', t.uid()], ['$XDSSubmissionSet.uniqueId', t.uid()], ...extra]);
  /** submit_document.xml with a fresh entryUUID remembered under `name`. */
  const submitTarget = (name: string): FixtureStep =>
    success(`submit_document(${name})`, `ITI-41 submit_document.xml ($doc1 = fresh urn:uuid, medical_summary.xml attached)`, 'P', async (t) => {
      const uuid = t.uuid();
      t.vars.set(name, uuid);
      return openXdsPnr('submit_document.xml', (tt, p) => base(tt, p, [['$doc1', uuid]]), [['$doc1', 'medical_summary.xml']])(t);
    });
  const lifecycle = (file: string, token: string, target: string, assoc: string): FixtureStep =>
    success(file.replace(/\.xml$/, ''), `ITI-41 ${file} (${assoc} of the entry submitted just before)`, 'P', (t) =>
      openXdsPnr(file, (tt, p) => base(tt, p, [[token, t.vars.get(target) ?? 'unset']]), [['doc1', 'referral_summary.xml']])(t),
    );
  return [
    {
      id: 'openxds/pnr-fixtures',
      title: 'OpenXDS ProvideAndRegisterDocumentSetTest fixtures (submit, multiple, folder, RPLC, APND, XFRM, XFRM_RPLC)',
      sources: [
        `${OX}/submit_document.xml`,
        `${OX}/submit_multiple_documents.xml`,
        `${OX}/add_document2_folder.xml`,
        `${OX}/document_replacement.xml`,
        `${OX}/document_addendum.xml`,
        `${OX}/document_transformation.xml`,
        `${OX}/document_trans_replace.xml`,
        `${OX}/medical_summary.xml`,
        `${OX}/referral_summary.xml`,
      ],
      family: 'openxds',
      patients: [],
      steps: [
        submitTarget('rplcTarget'),
        success('submit_multiple_documents', 'ITI-41 submit_multiple_documents.xml (two CDA documents)', 'P', (t) =>
          openXdsPnr(
            'submit_multiple_documents.xml',
            (tt, p) => base(tt, p, [['$XDSDocumentEntry.uniqueId1', tt.uid()], ['$doc1', tt.uuid()], ['$doc2', tt.uuid()], ['$doc1sub', tt.uuid()], ['$doc2sub', tt.uuid()]]),
            [
              ['$doc1', 'referral_summary.xml'],
              ['$doc2', 'medical_summary.xml'],
            ],
          )(t),
        ),
        success('add_document2_folder', 'ITI-41 add_document2_folder.xml (new folder with the document)', 'P', (t) =>
          openXdsPnr('add_document2_folder.xml', (tt, p) => base(tt, p, [['$folder_uniqueid', tt.uid()]]), [['doc1', 'medical_summary.xml']])(t),
        ),
        lifecycle('document_replacement.xml', '$rplc_doc_uuid', 'rplcTarget', 'RPLC'),
        submitTarget('apndTarget'),
        lifecycle('document_addendum.xml', '$appendum_doc_uuid', 'apndTarget', 'APND'),
        submitTarget('xfrmTarget'),
        lifecycle('document_transformation.xml', '$tran_doc_uuid', 'xfrmTarget', 'XFRM'),
        submitTarget('xfrmRplcTarget'),
        lifecycle('document_trans_replace.xml', '$tran_rplc_doc_uuid', 'xfrmRplcTarget', 'XFRM_RPLC'),
      ],
    },
    {
      id: 'openxds/sample-PnR',
      title: 'OpenXDS published PnR sample (ObjectRefs first, inline base64 document, no hash/size)',
      sources: [`${OX}/samples/ProvideAndRegisterDocumentSet-bRequest.xml`],
      family: 'openxds',
      patients: ['1100099^^^&1.3.6.1.4.1.21367.2010.1.2.300&ISO'],
      steps: [
        success('pnr', 'ITI-41 sample body as written (plain SOAP, document inline)', 'P', () => ({
          kind: 'soap',
          target: 'repository',
          action: ACTION.iti41,
          xml: stripDeclaration(readCorpusText(`${OX}/samples/ProvideAndRegisterDocumentSet-bRequest.xml`)),
        })),
      ],
    },
    {
      id: 'openxds/sample-FindDocuments',
      title: 'OpenXDS FindDocuments sample (patient unknown here: empty answer)',
      sources: ['iti18/openxds/samples/RegistryStoredQueryFindDocs.xml'],
      family: 'openxds',
      patients: [],
      steps: [{ ...success('query', 'ITI-18 sample as written', 'SQ', () => query('iti18/openxds/samples/RegistryStoredQueryFindDocs.xml')), contents: [contentCheck('None')] }],
    },
    {
      id: 'openxds/sample-Retrieve',
      title: 'OpenXDS RetrieveDocumentSet sample (document unknown here)',
      sources: ['iti43/openxds/samples/RetrieveDocumentSetRequest.xml'],
      family: 'openxds',
      patients: [],
      steps: [
        {
          id: 'retrieve',
          sends: 'ITI-43 sample as written',
          transaction: 'RS',
          build: () => ({ kind: 'soap', target: 'repository', action: ACTION.iti43, xml: stripDeclaration(readCorpusText('iti43/openxds/samples/RetrieveDocumentSetRequest.xml')) }),
          expect: { statuses: ['Failure'], anyCode: ['XDSDocumentUniqueIdError', 'XDSUnknownRepositoryId'] },
        },
      ],
    },
  ];
}

// ---------------------------------------------------------------- NIST wire captures and malformed messages

const NIST_PNR_PATIENT = '53ff11cb404344e^^^&1.3.6.1.4.1.21367.2005.3.7&ISO';
const MV = 'negative/nist-wire/messagevalidator';

function wirePnrWithDocs(id: string, rel: string, title: string, expect: FixtureStep['expect']): FixtureCase {
  return {
    id,
    title,
    sources: [rel],
    family: 'nist-wire',
    patients: [NIST_PNR_PATIENT],
    steps: [
      {
        id: 'pnr',
        sends: `ITI-41 ${rel.split('/').pop() ?? rel} as written, a generated text document attached per ExtrinsicObject (MTOM)`,
        transaction: 'P',
        build: () => pnrFileWithDocuments(rel, (sym) => generatedDocument(`${id} ${sym}`)),
        expect,
      },
    ],
  };
}

function failureOrFault(): FixtureStep['expect'] {
  return { statuses: ['Failure', 'Fault'] };
}

function wireCases(): FixtureCase[] {
  const fault = (id: string, rel: string, title: string, target: 'registry' | 'repository'): FixtureCase => ({
    id,
    title,
    sources: [rel],
    family: 'nist-wire',
    patients: [],
    steps: [{ id: 'send', sends: `${rel.split('/').pop() ?? rel} verbatim as ${SOAP} to the ${target}`, transaction: target === 'registry' ? 'SQ' : 'P', build: () => verbatimFile(rel, target, SOAP), expect: { statuses: ['Fault'] } }],
  });
  const sqFailure = (file: string, title: string, anyCode?: string[]): FixtureCase => ({
    id: `nist-wire/${file.replace(/\.xml$/, '')}`,
    title,
    sources: [`${MV}/${file}`],
    family: 'nist-wire',
    patients: [],
    steps: [{ id: 'query', sends: `ITI-18 ${file} as written`, transaction: 'SQ', build: () => query(`${MV}/${file}`), expect: anyCode ? { statuses: ['Failure'], anyCode } : { statuses: ['Failure'] } }],
  });
  const metadataCodes = ['XDSRegistryMetadataError', 'XDSRepositoryMetadataError'];
  return [
    {
      id: 'nist-wire/PnR1Doc',
      title: 'Toolkit it-test PnR body (one document) with a document attached',
      sources: ['iti41/nist-wire/it-tests/PnR1Doc.xml'],
      family: 'nist-wire',
      patients: [],
      steps: [success('pnr', 'ITI-41 PnR1Doc.xml like the toolkit sends it (fed patient, fresh uniqueIds, generated document, MTOM)', 'P', (t) => pnrLikeToolkit(t, 'iti41/nist-wire/it-tests/PnR1Doc.xml', (s) => generatedDocument(`PnR1Doc ${s}`)))],
    },
    {
      id: 'nist-wire/messages-pnr',
      title: 'Toolkit sample PnR (two documents, LOINC codes) with documents attached',
      sources: ['iti41/nist-wire/messages/pnr.xml'],
      family: 'nist-wire',
      patients: [],
      steps: [success('pnr', 'ITI-41 messages/pnr.xml like the toolkit sends it (fed patient, fresh uniqueIds, two generated documents)', 'P', (t) => pnrLikeToolkit(t, 'iti41/nist-wire/messages/pnr.xml', (s) => generatedDocument(`messages/pnr ${s}`)))],
    },
    wirePnrWithDocs('nist-wire/messagevalidator-pnr', 'iti41/nist-wire/messagevalidator/pnr.xml', "The message validator's good PnR (base of the negative variants)", { statuses: ['Success'] }),
    {
      id: 'nist-wire/http-mtom-pnr',
      title: 'Captured Axis2 MTOM PnR (LF line ends, trailing blanks in headers) replayed byte for byte',
      sources: ['iti41/nist-wire/messagevalidator/http-mtom-pnr.txt'],
      family: 'nist-wire',
      patients: ['11^^^&1.1&ISO'],
      steps: [success('replay', 'body of the capture verbatim with its Content-Type', 'P', () => verbatimCapture('iti41/nist-wire/messagevalidator/http-mtom-pnr.txt', 'repository'))],
    },
    {
      id: 'nist-wire/selftest-socket',
      title: 'Captured 2009 Axis2 MTOM PnR (socket self-test) replayed byte for byte',
      sources: ['iti41/nist-wire/selftest-socket/request.txt'],
      family: 'nist-wire',
      patients: ['509b043eb50145b^^^&1.3.6.1.4.1.21367.2005.3.7&ISO'],
      steps: [success('replay', 'body of the capture verbatim with its Content-Type', 'P', () => verbatimCapture('iti41/nist-wire/selftest-socket/request.txt', 'repository'))],
    },
    {
      id: 'nist-wire/config-datatypes-multipart',
      title: 'Captured MTOM PnR that replaces a fixed urn:uuid absent from this registry',
      sources: ['iti41/nist-wire/config-datatypes/multipart.header.txt', 'iti41/nist-wire/config-datatypes/multipart.body.txt'],
      family: 'nist-wire',
      patients: ['P20170823030905.2^^^&1.3.6.1.4.1.21367.2005.13.20.1000&ISO'],
      steps: [
        {
          id: 'replay',
          sends: 'multipart.body.txt verbatim with the Content-Type of multipart.header.txt',
          transaction: 'P',
          build: () => {
            const header = parseCapture(Buffer.concat([readCorpusBytes('iti41/nist-wire/config-datatypes/multipart.header.txt'), Buffer.from('\n\n')]));
            return { kind: 'verbatim', target: 'repository', contentType: header.contentType, body: readCorpusBytes('iti41/nist-wire/config-datatypes/multipart.body.txt') };
          },
          expect: { statuses: ['Failure'] },
        },
      ],
    },
    {
      id: 'nist-wire/sim-proxy-sample_mtom_message',
      title: 'Raw MTOM PnR (no headers) whose xop:Include names no part (the proxy renamed the Content-IDs); it also replaces a fixed urn:uuid absent here',
      sources: ['iti41/nist-wire/sim-proxy/sample_mtom_message.txt'],
      family: 'nist-wire',
      patients: ['P20170823094140.2^^^&1.3.6.1.4.1.21367.2005.13.20.1000&ISO'],
      steps: [
        {
          id: 'replay',
          sends: 'body verbatim; Content-Type built from its first boundary and Content-ID',
          transaction: 'P',
          build: () => {
            const body = readCorpusBytes('iti41/nist-wire/sim-proxy/sample_mtom_message.txt');
            return { kind: 'verbatim', target: 'repository', contentType: contentTypeForRawMtom(body, ACTION.iti41), body };
          },
          expect: { statuses: ['Failure'], allCodes: ['XDSMissingDocument'] },
        },
      ],
    },
    {
      id: 'nist-wire/soap-pnr',
      title: 'PnR in a plain SOAP envelope without any document',
      sources: ['iti41/nist-wire/messagevalidator/soap-pnr.xml'],
      family: 'nist-wire',
      patients: [NIST_PNR_PATIENT],
      steps: [
        {
          id: 'send',
          sends: `soap-pnr.xml verbatim as ${SOAP}`,
          transaction: 'P',
          build: () => verbatimFile('iti41/nist-wire/messagevalidator/soap-pnr.xml', 'repository', `${SOAP}; action="${ACTION.iti41}"`),
          expect: { statuses: ['Failure'], allCodes: ['XDSMissingDocument'] },
        },
      ],
    },
    {
      id: 'nist-wire/config-datatypes-simple',
      title: 'Captured SOAP Register that replaces a fixed urn:uuid absent from this registry',
      sources: ['iti42/nist-wire/config-datatypes/simple.header.txt', 'iti42/nist-wire/config-datatypes/simple.body.txt'],
      family: 'nist-wire',
      patients: ['P20170823030905.2^^^&1.3.6.1.4.1.21367.2005.13.20.1000&ISO'],
      steps: [
        {
          id: 'replay',
          sends: 'simple.body.txt verbatim with the Content-Type of simple.header.txt',
          transaction: 'R',
          build: () => {
            const header = parseCapture(Buffer.concat([readCorpusBytes('iti42/nist-wire/config-datatypes/simple.header.txt'), Buffer.from('\n\n')]));
            return { kind: 'verbatim', target: 'registry', contentType: header.contentType, body: readCorpusBytes('iti42/nist-wire/config-datatypes/simple.body.txt') };
          },
          expect: { statuses: ['Failure'] },
        },
      ],
    },
    {
      id: 'nist-wire/soap-sq-req',
      title: 'SOAP FindDocuments for a patient this registry does not hold',
      sources: ['iti18/nist-wire/messagevalidator/soap-sq-req.xml'],
      family: 'nist-wire',
      patients: [],
      steps: [{ ...success('query', `soap-sq-req.xml verbatim as ${SOAP}`, 'SQ', () => verbatimFile('iti18/nist-wire/messagevalidator/soap-sq-req.xml', 'registry', SOAP)), contents: [contentCheck('None')] }],
    },
    {
      id: 'nist-wire/sq-req',
      title: "Bare FindDocuments (the message validator's good query)",
      sources: ['iti18/nist-wire/messagevalidator/sq-req.xml'],
      family: 'nist-wire',
      patients: [],
      steps: [{ ...success('query', 'ITI-18 sq-req.xml in an envelope', 'SQ', () => query('iti18/nist-wire/messagevalidator/sq-req.xml')), contents: [contentCheck('None')] }],
    },
    {
      id: 'nist-wire/soap-ret-req',
      title: 'SOAP RetrieveDocumentSet for two documents unknown to this repository',
      sources: ['iti43/nist-wire/messagevalidator/soap-ret-req.xml'],
      family: 'nist-wire',
      patients: [],
      steps: [
        {
          id: 'retrieve',
          sends: `soap-ret-req.xml verbatim as ${SOAP}`,
          transaction: 'RS',
          build: () => verbatimFile('iti43/nist-wire/messagevalidator/soap-ret-req.xml', 'repository', SOAP),
          expect: { statuses: ['Failure'], anyCode: ['XDSDocumentUniqueIdError', 'XDSUnknownRepositoryId'] },
        },
      ],
    },
    {
      id: 'nist-wire/http-simple',
      title: 'PnR sent as a single application/xml part while the body references a cid: part',
      sources: ['negative/nist-wire/httpParser/http-simple.txt'],
      family: 'nist-wire',
      patients: ['11^^^&1.1&ISO'],
      steps: [
        {
          id: 'replay',
          sends: 'body of the capture verbatim with its Content-Type (application/xml)',
          transaction: 'P',
          build: () => verbatimCapture('negative/nist-wire/httpParser/http-simple.txt', 'repository'),
          expect: { statuses: ['Failure', 'Fault'], anyCode: ['XDSMissingDocument'] },
        },
      ],
    },
    fault('nist-wire/empty-soap-wrapper', `${MV}/empty-soap-wrapper.xml`, 'Well-formed SOAP envelope with an empty Body', 'registry'),
    wirePnrWithDocs('nist-wire/pnr-assoc-to-self', `${MV}/pnr-assoc-to-self.xml`, 'HasMember Association whose targetObject is itself', { statuses: ['Failure'], anyCode: metadataCodes }),
    wirePnrWithDocs('nist-wire/pnr-bad-uplink', `${MV}/pnr-bad-uplink.xml`, 'Classification whose classifiedObject is not its parent', { statuses: ['Failure'], anyCode: metadataCodes }),
    wirePnrWithDocs('nist-wire/pnr-element-order', `${MV}/pnr-element-order.xml`, 'Name/Description before Slot (ebRIM schema order)', { statuses: ['Failure'], anyCode: metadataCodes }),
    wirePnrWithDocs('nist-wire/pnr-limited', `${MV}/pnr-limited.xml`, 'XDR limited-metadata PnR sent to an XDS repository', { statuses: ['Failure'], anyCode: metadataCodes }),
    fault('nist-wire/soap-noaction-pnr', `${MV}/soap-noaction-pnr.xml`, 'SOAP envelope with an empty Header (no wsa:Action)', 'repository'),
    {
      id: 'nist-wire/soap-pnr-element-order',
      title: 'Valid envelope, ebRIM element order wrong inside',
      sources: [`${MV}/soap-pnr-element-order.xml`],
      family: 'nist-wire',
      patients: [NIST_PNR_PATIENT],
      steps: [
        {
          id: 'send',
          sends: `soap-pnr-element-order.xml verbatim as ${SOAP}`,
          transaction: 'P',
          build: () => verbatimFile(`${MV}/soap-pnr-element-order.xml`, 'repository', SOAP),
          expect: { statuses: ['Failure'], anyCode: metadataCodes },
        },
      ],
    },
    fault('nist-wire/soap-pnr-soap-order', `${MV}/soap-pnr-soap-order.xml`, 'SOAP Header after the Body', 'repository'),
    {
      id: 'nist-wire/soap-ret-req-order',
      title: 'RetrieveDocumentSet DocumentRequest children in the wrong order',
      sources: [`${MV}/soap-ret-req-order.xml`],
      family: 'nist-wire',
      patients: [],
      steps: [{ id: 'retrieve', sends: `soap-ret-req-order.xml verbatim as ${SOAP}`, transaction: 'RS', build: () => verbatimFile(`${MV}/soap-ret-req-order.xml`, 'repository', SOAP), expect: failureOrFault() }],
    },
    sqFailure('sq-req-bad-code.xml', "FindDocuments classCode 'value^^' (no coding scheme)"),
    sqFailure('sq-req-bad-pid-format.xml', 'Patient id not enclosed in single quotes'),
    sqFailure('sq-req-bad-stat-format1.xml', 'Multi-valued $XDSDocumentEntryStatus without ( ) and quotes'),
    sqFailure('sq-req-bad-stat-format2.xml', '$XDSDocumentEntryStatus in ( ) but not quoted'),
    sqFailure('sq-req-missing-stat.xml', 'FindDocuments without the required $XDSDocumentEntryStatus', ['XDSStoredQueryMissingParam', 'XDSRegistryError']),
    fault('nist-wire/xml-parse-error', `${MV}/xml-parse-error.xml`, 'Not well-formed XML', 'registry'),
    {
      id: 'nist-examples/XDS-SD',
      title: 'XDS-SD scanned-document example (ebRIM 2.1, no testplan): its authorPerson has no id and no name, its authorInstitution fills XON.3',
      sources: ['iti41/nist-examples/XDS-SD/metadata.xml', 'iti41/nist-examples/XDS-SD/ScanSample.xml'],
      family: 'nist-examples',
      patients: [],
      steps: [
        {
          id: 'pnr',
          sends: 'ITI-41 metadata.xml converted to ebRIM 3.0 like the toolkit (fed patient, fresh uniqueIds), ScanSample.xml attached',
          transaction: 'P',
          build: (t) => pnrLikeToolkit(t, 'iti41/nist-examples/XDS-SD/metadata.xml', () => readCorpusBytes('iti41/nist-examples/XDS-SD/ScanSample.xml')),
          expect: { statuses: ['Failure'], anyCode: ['XDSRepositoryMetadataError', 'XDSRegistryMetadataError'] },
        },
      ],
    },
  ];
}

/** Corpus files that are answers or reference data rather than requests: exercised by unit tests, listed as n/a. */
function referenceOnlyCases(): FixtureCase[] {
  const files = [
    `${MV}/regresp-fail-noerr.xml`,
    `${MV}/regresp-suc-err.xml`,
    `${MV}/sq-resp-lc-no-objectType.xml`,
    `${MV}/sq-resp-lc-no-status.xml`,
    `${MV}/sq-resp-nostat-objectref.xml`,
  ];
  return [
    {
      id: 'nist-wire/invalid-response-examples',
      title: 'Invalid answers (Failure without errors, Success with an error, LeafClass objects without objectType/status, no status)',
      sources: files,
      family: 'nist-wire',
      patients: [],
      steps: [],
      notApplicable: 'answers, not requests: conformance/responseRules.test.ts proves the runner rejects each of them',
    },
    {
      id: 'nist-reference/TransactionDefinedErrorCodes',
      title: 'NIST table of error codes per transaction',
      sources: ['negative/nist-reference/TransactionDefinedErrorCodes.txt'],
      family: 'nist-reference',
      patients: [],
      steps: [],
      notApplicable: 'reference data: every errorCode in every answer is checked against this table (responseRules.ts)',
    },
  ];
}

export function fixtureCases(): FixtureCase[] {
  return [...dcm4cheeCases(), ...ipfCases(), ...openXdsCases(), ...wireCases(), ...referenceOnlyCases()];
}
