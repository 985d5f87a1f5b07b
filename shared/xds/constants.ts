/** XDS identifiers from the digest, sections 3 and 4 (copied exactly). */

export const OBJECT_TYPE = {
  stableDocumentEntry: 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1',
  onDemandDocumentEntry: 'urn:uuid:34268e47-fdf5-41a6-ba33-82133c465248',
  registryPackage: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:RegistryPackage',
  classification: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Classification',
  externalIdentifier: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:ExternalIdentifier',
  association: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Association',
} as const;

export const NODE = {
  submissionSet: 'urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd',
  folder: 'urn:uuid:d9d542f3-6cc4-48b6-8870-ea235fbc94c2',
  limitedDocumentEntry: 'urn:uuid:ab9b591b-83ab-4d03-8f5d-f93b1fb92e85',
  limitedSubmissionSet: 'urn:uuid:5003a9db-8d8d-49e6-bf0c-990e34ac7707',
  limitedFolder: 'urn:uuid:2c144a76-29a9-4b7c-af54-b25409fe7d03',
} as const;

export const CLASSIFICATION_SCHEME = {
  docAuthor: 'urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d',
  classCode: 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a',
  confidentialityCode: 'urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f',
  eventCode: 'urn:uuid:2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4',
  formatCode: 'urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d',
  healthcareFacilityTypeCode: 'urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1',
  practiceSettingCode: 'urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead',
  typeCode: 'urn:uuid:f0306f51-975f-434e-a61c-c59651d33983',
  ssAuthor: 'urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d',
  contentTypeCode: 'urn:uuid:aa543740-bdda-424e-8c96-df4873be8500',
  folderCodeList: 'urn:uuid:1ba97051-7806-41a8-a48b-8fce7af683c5',
  associationDocumentation: 'urn:uuid:abd807a3-4432-4053-87b4-fd82c643d1f3',
} as const;

export const IDENTIFICATION_SCHEME = {
  docPatientId: 'urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427',
  docUniqueId: 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab',
  ssPatientId: 'urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446',
  ssUniqueId: 'urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8',
  ssSourceId: 'urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832',
  folderPatientId: 'urn:uuid:f64ffdf0-4b97-4e06-b79f-a52b38ec2f8a',
  folderUniqueId: 'urn:uuid:75df8f67-9973-4fbe-a900-df66cefecc5a',
} as const;

export const IDENTIFIER_NAME: Record<string, string> = {
  [IDENTIFICATION_SCHEME.docPatientId]: 'XDSDocumentEntry.patientId',
  [IDENTIFICATION_SCHEME.docUniqueId]: 'XDSDocumentEntry.uniqueId',
  [IDENTIFICATION_SCHEME.ssPatientId]: 'XDSSubmissionSet.patientId',
  [IDENTIFICATION_SCHEME.ssUniqueId]: 'XDSSubmissionSet.uniqueId',
  [IDENTIFICATION_SCHEME.ssSourceId]: 'XDSSubmissionSet.sourceId',
  [IDENTIFICATION_SCHEME.folderPatientId]: 'XDSFolder.patientId',
  [IDENTIFICATION_SCHEME.folderUniqueId]: 'XDSFolder.uniqueId',
};

export const ASSOCIATION_TYPE = {
  HasMember: 'urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember',
  RPLC: 'urn:ihe:iti:2007:AssociationType:RPLC',
  APND: 'urn:ihe:iti:2007:AssociationType:APND',
  XFRM: 'urn:ihe:iti:2007:AssociationType:XFRM',
  XFRM_RPLC: 'urn:ihe:iti:2007:AssociationType:XFRM_RPLC',
  signs: 'urn:ihe:iti:2007:AssociationType:signs',
  IsSnapshotOf: 'urn:ihe:iti:2010:AssociationType:IsSnapshotOf',
  UpdateAvailabilityStatus: 'urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus',
  SubmitAssociation: 'urn:ihe:iti:2010:AssociationType:SubmitAssociation',
} as const;

export const AVAILABILITY_STATUS = {
  Approved: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved',
  Deprecated: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated',
  Submitted: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Submitted',
} as const;

export const DOCUMENT_AVAILABILITY = {
  Online: 'urn:ihe:iti:2010:DocumentAvailability:Online',
  Offline: 'urn:ihe:iti:2010:DocumentAvailability:Offline',
} as const;

export const SLOT = {
  creationTime: 'creationTime',
  languageCode: 'languageCode',
  sourcePatientId: 'sourcePatientId',
  sourcePatientInfo: 'sourcePatientInfo',
  legalAuthenticator: 'legalAuthenticator',
  serviceStartTime: 'serviceStartTime',
  serviceStopTime: 'serviceStopTime',
  hash: 'hash',
  size: 'size',
  URI: 'URI',
  repositoryUniqueId: 'repositoryUniqueId',
  documentAvailability: 'documentAvailability',
  referenceIdList: 'urn:ihe:iti:xds:2013:referenceIdList',
  submissionTime: 'submissionTime',
  intendedRecipient: 'intendedRecipient',
  lastUpdateTime: 'lastUpdateTime',
  codingScheme: 'codingScheme',
  submissionSetStatus: 'SubmissionSetStatus',
  previousVersion: 'PreviousVersion',
  authorPerson: 'authorPerson',
  authorInstitution: 'authorInstitution',
  authorRole: 'authorRole',
  authorSpecialty: 'authorSpecialty',
  authorTelecommunication: 'authorTelecommunication',
} as const;

export const ACTION = {
  iti41: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b',
  iti42: 'urn:ihe:iti:2007:RegisterDocumentSet-b',
  iti18: 'urn:ihe:iti:2007:RegistryStoredQuery',
  iti43: 'urn:ihe:iti:2007:RetrieveDocumentSet',
  iti57: 'urn:ihe:iti:2010:UpdateDocumentSet',
  iti62: 'urn:ihe:iti:2010:DeleteDocumentSet',
  iti86: 'urn:ihe:iti:2017:RemoveDocuments',
  iti38: 'urn:ihe:iti:2007:CrossGatewayQuery',
  iti39: 'urn:ihe:iti:2007:CrossGatewayRetrieve',
} as const;

/** The response Action is the request Action + "Response". */
export function responseAction(requestAction: string): string {
  return `${requestAction}Response`;
}
