/**
 * Places where the corpus (NOTES.md / MANIFEST.md / the testkit itself) contradicts itself or the XDS.b rules,
 * and the reading the runner follows. Rendered into docs/CONFORMANCE.md.
 */

export interface Inconsistency {
  topic: string;
  /** What the sources say. */
  sources: string;
  /** What the runner does, and why. */
  reading: string;
}

export const INCONSISTENCIES: Inconsistency[] = [
  {
    topic: '11897/no_matching_classcode',
    sources: 'The plan expects Failure (its Rule speaks of a ClassCode/ClassCodeScheme count mismatch) but the query is well-formed and the readme says it must return nothing; the section is not in index.idx (NOTES §8, MANIFEST negative index).',
    reading: 'Not run (the toolkit does not run un-indexed sections). Per ITI a well-formed query without match is Success with an empty list, so it must not be used as a negative case.',
  },
  {
    topic: '12004 resubmission with a different hash',
    sources: 'readme names XDSDuplicateUniqueIdInRegistry; the plan asserts the substring XDSNonIdenticalHash.',
    reading: 'The plan (XDSNonIdenticalHash): it is what the toolkit checks, what ITI TF defines for a DocumentEntry uniqueId with another hash, and what dcm4chee asserts.',
  },
  {
    topic: '12029 retrieve compares with another file',
    sources: 'The submit step attaches readme.txt, the retrieve step compares the answer with my_document.pdf (NOTES §8).',
    reading: 'Retrieved bytes are compared with the bytes the runner actually submitted for that uniqueId; the step notes the mismatch of the plan. Intent of the test: a retrieve returns what was provided.',
  },
  {
    topic: 'Codes not asserted by the source',
    sources: '11998a, 12084, 12370/not_configured, 11993/11994 deprecated targets, 15806 and the stored-query syntax errors only require Failure; MANIFEST adds TF/SRC codes for them.',
    reading: 'Only Failure is required (as the toolkit does); the codes actually returned are shown in the matrix. The answer checks still require every returned code to be one the toolkit defines for the transaction.',
  },
  {
    topic: 'Missing required stored-query parameter',
    sources: 'ITI names XDSStoredQueryMissingParam; the NIST reference registry answers XDSRegistryError (MANIFEST sq-req-missing-stat).',
    reading: 'Either code is accepted.',
  },
  {
    topic: 'PnrNoXop/eval and AssignedUids of a verbatim body',
    sources: 'The eval step UseIds AssignedUids of the HttpTransaction step, which the toolkit never records for verbatim bodies.',
    reading: 'For verbatim bodies the runner records the uniqueIds written in the body as that step\'s AssignedUids, so the eval query asks for the SubmissionSet that was really sent.',
  },
  {
    topic: 'Fixed ids in verbatim bodies',
    sources: 'PnrXop/Xop and PnrNoXop carry the same SubmissionSet uniqueId and patient SR7^^^&1.2.260&ISO; their patientFeed sections feed a new id the bodies never use (NOTES §8).',
    reading: 'Every test with verbatim bodies runs in its own fresh registry/repository, and the patient ids written in its bodies are fed before it runs.',
  },
  {
    topic: 'regsubmit $ssid$',
    sources: 'submitInheritNsDirect/body.txt (hasLinkage) and evalInheritNsDirect/query1.xml use $ssid$, which no UseId/UseReport binds.',
    reading: 'A placeholder no step binds gets one fresh OID per test, so submit and eval agree.',
  },
  {
    topic: '15816 Retrieve section and $repuid$',
    sources: 'The Retrieve section is not in index.idx and its UseReport for $repuid$ is commented out; NOTES §7 recommends running it.',
    reading: 'The section is run; $repuid$ is bound to the repository\'s configured uniqueId (what the toolkit takes from its site configuration).',
  },
  {
    topic: 'Patient feed helpers 15817 / 15817b / 15818',
    sources: 'The toolkit shares the patient of one 15817 run across a session; NOTES §6 asks for a fresh patient per test.',
    reading: 'Each test gets its own patient (and alternate patient), fed through POST /admin/patients; test="15817"/"15818" $patientid$ is that patient, test="15817b" the alternate.',
  },
  {
    topic: 'AltPatientId vs 15817b',
    sources: '11996 (AltPatientId) needs the alternate id to be unknown to the registry; 11997 and 12002 (15817b) need it known (NOTES §6).',
    reading: 'AltPatientId rewrites the step with a fresh id that is never fed; the 15817b report is a fed alternate patient.',
  },
  {
    topic: '12379 support / no_support',
    sources: 'index.idx runs only support (extra slots stored and returned); no_support expects Success with the warning XDSExtraMetadataNotSaved.',
    reading: 'Only support is run, so the registry must keep extra (urn:) slots; no_support is listed as not run.',
  },
  {
    topic: 'IPF ebRS 3.0 SubmitObjectsRequest fixtures',
    sources: 'MANIFEST: "Success (parses and round-trips)" from IPF\'s marshalling test.',
    reading: 'As ITI-42 Register requests they cannot pass: four scheme UUIDs are written with a blank inside ("…-92fd- a8ffeff98427" for DocumentEntry.patientId, and the SubmissionSet uniqueId, patientId and contentTypeCode schemes), repositoryUniqueId/size/hash are missing and the sourceId 3670984664 is not an OID: must fail with XDSRegistryMetadataError.',
  },
  {
    topic: 'IPF Continua PnR',
    sources: 'MANIFEST: "Success (per Continua profile)"; the metadata carries hash aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd and size 0815.',
    reading: 'A repository must check a supplied size/hash against the document (11981, 12369): must fail with XDSRepositoryMetadataError.',
  },
  {
    topic: 'dcm4chee sq/*.xml (stored-query loader)',
    sources: 'MANIFEST: Success (dcm4chee StoredQueryTest setup). All five files put rim:Name/Description before rim:Slot and omit the required registryObject of their ExternalIdentifiers (xmllint rejects them against lcm.xsd); the first is the violation MANIFEST lists as a must-fail case (pnr-element-order.xml); single_doc_w_fol.xml also has the SubmissionSet uniqueId "SubmissionSet01_uniqueid".',
    reading: 'As written they must fail (XDSRegistryMetadataError, schema order), consistent with pnr-element-order. The runner also sends each file repaired to the schema (children reordered, registryObject set to the parent id): those must succeed, except single_doc_w_fol.xml whose SubmissionSet uniqueId is not an OID (ITI TF-3 Table 4.2.3.3-1, digest "OID (R)"): XDSRegistryMetadataError.',
  },
  {
    topic: 'XDS-SD example metadata',
    sources: 'MANIFEST: "Success once converted to 3.0 and the CDA attached (no expectation stated)", basis FN. Its authorPerson is "^^^^^^^^&1.3.6.4.1.4.1.2835.2.1234&ISO" (no id, no name, only an assigning authority) and its authorInstitution "Dr. Wisemans Clinic^^aaaaabbbbb^^^&…&ISO" fills XON.3.',
    reading: 'Both values break the XCN/XON rules (digest section 3.9: an XCN needs an id or a name, and XCN.9 only with XCN.1; XON.2-5 must be empty): must fail with a metadata error.',
  },
  {
    topic: 'Which actor reports a metadata error in a PnR',
    sources: 'MANIFEST gives pnr-assoc-to-self "XDSRegistryMetadataError (or XDSRepositoryMetadataError if caught by repository)" but pnr-bad-uplink only XDSRegistryMetadataError.',
    reading: 'Both codes are accepted for every PnR metadata case: a repository that validates metadata itself answers XDSRepositoryMetadataError (digest section 5).',
  },
  {
    topic: 'OpenXDS retrieve sample',
    sources: 'MANIFEST: Success against OpenXDS demo data.',
    reading: 'The document does not exist here: must fail with XDSDocumentUniqueIdError or XDSUnknownRepositoryId.',
  },
  {
    topic: 'Captures that replace a fixed urn:uuid',
    sources: 'multipart.body.txt, sample_mtom_message.txt and simple.body.txt RPLC a DocumentEntry that must already exist (MANIFEST: "Success only if the RPLC target exists").',
    reading: 'Replayed on an empty registry: must fail (an RPLC to an unknown entry); the code is not asserted for multipart.body.txt and simple.body.txt.',
  },
  {
    topic: 'sim-proxy/sample_mtom_message.txt',
    sources: 'MANIFEST: "Success only if the RPLC target exists". Its xop:Include points at cid:1.694859…@apache.org while its parts are <1.694859…> (root) and <2.694859…> (the document): the proxy that recorded it renamed the Content-IDs.',
    reading: 'The message can never succeed: must fail with XDSMissingDocument, whatever the RPLC target.',
  },
  {
    topic: 'soap-pnr-element-order.xml',
    sources: 'MANIFEST: "Failure: schema violation"; the message also carries no documents.',
    reading: 'Failure with XDSRepositoryMetadataError or XDSRegistryMetadataError, as the manifest says (a repository that reports XDSMissingDocument first fails this case).',
  },
  {
    topic: 'Toolkit Validator quirks',
    sources: 'The toolkit\'s SSwithTwoDoc ignores its own association result and DocumentEntries/MustOnlyInclude returns at its first match (Validator.java).',
    reading: 'The documented meaning is applied: every association of the pattern must exist; MustOnlyInclude checks presence, objectType and that nothing else came back.',
  },
  {
    topic: 'Testdata sets without a patient feed',
    sources: 'Patient_1000_Documents_in_Folder says the patient feed is up to the user and leaves $patientid$ unbound.',
    reading: '$patientid$ / $altpatientid$ that no step binds are the test\'s own fed patients.',
  },
  {
    topic: 'PnR eval sections query "the public registry"',
    sources: '11966/11979 eval validations.txt: publicregistry=true (NOTES §6).',
    reading: 'They query our registry, the one the repository forwards to.',
  },
  {
    topic: 'dcm4chee concurrent registration / merged patient',
    sources: 'dcm4chee creates unknown patients on the fly; CheckErrorsTest also uses a merged patient.',
    reading: 'Known-patients mode: the fixture patients are fed first. The merged-patient mutation is listed as not applicable (no merge feed).',
  },
  {
    topic: '12021/retrieve testdir="submit"',
    sources: 'Written relative to the test, not the section as elsewhere.',
    reading: 'A testdir that names no section relative to the section directory is resolved relative to the test directory.',
  },
];
