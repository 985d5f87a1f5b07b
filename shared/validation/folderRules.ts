/** Folder rules (digest 3.7, 3.8). */
import { SLOT } from '../xds/constants';
import type { Code, Folder, Submission } from '../xds/model';
import { isOidLenient, isValidCx } from '../xds/datatypes';
import {
  FOLDER_SLOTS,
  codingSchemeRule,
  dtmSlotsRule,
  duplicateSlotNameRule,
  extraSlotNameRule,
  formatRule,
  limitedMetadataRule,
  requiredRule,
  select,
  singleValuedSlotsRule,
} from './ruleKit';
import { theFolder } from './testFixtures';
import type { Rule } from './types';

const folders = select.Folder;
const F = 'Folder01';

function mutateFolder(change: (f: Folder) => void): (s: Submission) => Submission {
  return (s) => {
    change(theFolder(s));
    return s;
  };
}

interface RequiredAttribute {
  attribute: string;
  get: (f: Folder) => string | readonly string[] | readonly Code[] | undefined;
  remove: (f: Folder) => void;
}

const REQUIRED: readonly RequiredAttribute[] = [
  { attribute: 'uniqueId', get: (f) => f.uniqueId?.value, remove: (f) => delete f.uniqueId },
  { attribute: 'patientId', get: (f) => f.patientId?.value, remove: (f) => delete f.patientId },
  { attribute: 'codeList', get: (f) => f.codes, remove: (f) => (f.codes = []) },
  { attribute: 'title', get: (f) => (f.title ?? []).map((l) => l.value).filter((v) => v.trim() !== ''), remove: (f) => (f.title = [{ value: ' ' }]) },
];

export const folderRules: Rule[] = [
  ...REQUIRED.map((r) =>
    requiredRule(
      {
        id: `folder.${r.attribute}.required`,
        description: `Folder.${r.attribute} is required`,
        attribute: r.attribute,
        example: { mutate: mutateFolder(r.remove), expectInContext: [r.attribute, F] },
      },
      folders,
      r.get,
    ),
  ),
  formatRule(
    {
      id: 'folder.uniqueId.oid',
      description: 'Folder uniqueId is an OID of at most 64 characters',
      attribute: 'uniqueId',
      problem: 'is not an OID (dotted decimal numbers, at most 64 characters)',
      example: { mutate: mutateFolder((f) => (f.uniqueId = { value: '1.2.3.x4' })), expectInContext: ['uniqueId', '1.2.3.x4', F] },
    },
    folders,
    (f) => f.uniqueId?.value,
    isOidLenient,
  ),
  formatRule(
    {
      id: 'folder.patientId.cx',
      description: 'Folder patientId is a CX id^^^&OID&ISO',
      attribute: 'patientId',
      problem: 'is not a CX of the form id^^^&OID&ISO',
      example: { mutate: mutateFolder((f) => (f.patientId = { value: 'P-1001^^^&1.2.3.4.100&L' })), expectInContext: ['patientId', 'P-1001^^^&1.2.3.4.100&L', F] },
    },
    folders,
    (f) => f.patientId?.value,
    isValidCx,
  ),
  dtmSlotsRule(
    {
      id: 'folder.time.dtm',
      description: 'Folder lastUpdateTime is a DTM',
      example: { mutate: mutateFolder((f) => (f.lastUpdateTime = ['20241301'])), expectInContext: ['lastUpdateTime', '20241301', F] },
    },
    folders,
    FOLDER_SLOTS,
  ),
  singleValuedSlotsRule(
    {
      id: 'folder.slot.singleValued',
      description: 'Folder lastUpdateTime carries one value',
      example: { mutate: mutateFolder((f) => (f.lastUpdateTime = ['20240101', '20240102'])), expectInContext: ['lastUpdateTime', '20240102', F] },
    },
    folders,
    FOLDER_SLOTS,
  ),
  duplicateSlotNameRule(
    {
      id: 'folder.slot.duplicateName',
      description: 'A slot name appears at most once on a Folder',
      example: {
        mutate: mutateFolder((f) => f.extraSlots.push({ name: 'urn:example:tag', values: ['a'] }, { name: 'urn:example:tag', values: ['b'] })),
        expectInContext: ['urn:example:tag', 'duplicate', F],
      },
    },
    folders,
    FOLDER_SLOTS,
  ),
  extraSlotNameRule(
    {
      id: 'folder.slot.extraName',
      description: 'Folder extra slots: urn: names allowed, urn:ihe: reserved (except referenceIdList), other unknown names rejected',
      example: { mutate: mutateFolder((f) => f.extraSlots.push({ name: 'folderColour', values: ['red'] })), expectInContext: ['slot name', 'folderColour', F] },
    },
    folders,
    FOLDER_SLOTS,
  ),
  codingSchemeRule(
    {
      id: 'folder.code.codingScheme',
      description: 'Every Folder codeList Classification has a nodeRepresentation and exactly one codingScheme value',
      example: {
        mutate: mutateFolder((f) => {
          const c = f.codes[0];
          if (c) c.extraSlots = [{ name: SLOT.codingScheme, values: ['1.2.3.99'] }];
        }),
        expectInContext: ['codeList', 'codingScheme', '1.2.3.99', F],
      },
    },
    folders,
  ),
  limitedMetadataRule(
    {
      id: 'folder.limitedMetadata',
      description: 'Folder limitedMetadata classification is rejected in XDS',
      example: { mutate: mutateFolder((f) => (f.limitedMetadata = { id: 'limited-folder' })), expectInContext: ['limitedMetadata', 'limited-folder', F] },
    },
    folders,
  ),
];
