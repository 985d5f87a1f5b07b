/**
 * ExpectedContents checks on a stored-query answer, with the meaning the toolkit's Validator gives them
 * (NOTES.md section 4.4): object counts, the SSwith… patterns (counts plus the HasMember associations that must
 * link them), status checks, lifecycle associations, and DocumentEntries/MustOnlyInclude.
 */
import type { XmlElement } from '../shared/xml/tree';
import { ASSOCIATION_TYPE, AVAILABILITY_STATUS, IDENTIFICATION_SCHEME, NODE } from '../shared/xds/constants';
import type { ContentCheck, PlanNode } from './testplan';
import { allElements } from './xmlTree';

export interface ResponseMetadata {
  extrinsicObjects: XmlElement[];
  submissionSets: XmlElement[];
  folders: XmlElement[];
  associations: XmlElement[];
  objectRefs: XmlElement[];
}

/** Objects of an AdhocQueryResponse (or any element with a RegistryObjectList), by XDS role. */
export function responseMetadata(body: XmlElement | undefined): ResponseMetadata {
  const md: ResponseMetadata = { extrinsicObjects: [], submissionSets: [], folders: [], associations: [], objectRefs: [] };
  const list = body?.children.find((c) => c.local === 'RegistryObjectList');
  if (!list) return md;
  const nodeOf = new Map<string, string>();
  for (const cl of allElements(list).filter((e) => e.local === 'Classification' && e.attrs.classificationNode)) {
    nodeOf.set(cl.attrs.classifiedObject ?? '', cl.attrs.classificationNode ?? '');
  }
  for (const obj of list.children) {
    if (obj.local === 'ExtrinsicObject') md.extrinsicObjects.push(obj);
    else if (obj.local === 'Association') md.associations.push(obj);
    else if (obj.local === 'ObjectRef') md.objectRefs.push(obj);
    else if (obj.local === 'RegistryPackage') {
      const node = nodeOf.get(obj.attrs.id ?? '');
      const schemes = obj.children.filter((c) => c.local === 'ExternalIdentifier').map((c) => c.attrs.identificationScheme);
      if (node === NODE.submissionSet || (node === undefined && schemes.includes(IDENTIFICATION_SCHEME.ssUniqueId))) md.submissionSets.push(obj);
      else if (node === NODE.folder || (node === undefined && schemes.includes(IDENTIFICATION_SCHEME.folderUniqueId))) md.folders.push(obj);
    }
  }
  return md;
}

function shortName(value: string | undefined): string {
  return (value ?? '').replace(/^.*:/, '');
}

class Checker {
  readonly errors: string[] = [];
  constructor(private readonly md: ResponseMetadata) {}

  err(msg: string): void {
    this.errors.push(msg);
  }

  count(what: string, list: XmlElement[], n: number): void {
    if (list.length !== n) this.err(`found ${list.length} ${what} instead of ${n}`);
  }

  hasSubmissionSet(): XmlElement | undefined {
    const ss = this.md.submissionSets[0];
    if (!ss) this.err('no SubmissionSet found');
    return ss;
  }

  noSubmissionSet(): void {
    if (this.md.submissionSets.length > 0) this.err('a SubmissionSet was found');
  }

  association(source: XmlElement | undefined, targets: XmlElement[], type: string): XmlElement | undefined {
    const sourceId = source?.attrs.id ?? '';
    const targetIds = targets.map((t) => t.attrs.id ?? '');
    const found = this.md.associations.find(
      (a) => a.attrs.sourceObject === sourceId && targetIds.includes(a.attrs.targetObject ?? '') && a.attrs.associationType === type,
    );
    if (!found) this.err(`${shortName(type)} association missing from ${sourceId} to ${targetIds.length === 1 ? targetIds[0] : `one of ${targetIds.join(', ')}`}`);
    return found;
  }

  statusIs(el: XmlElement, what: string, status: string): boolean {
    if (el.attrs.status !== status) {
      this.err(`${what} ${el.attrs.id ?? ''} has status ${shortName(el.attrs.status) || '(none)'} instead of ${shortName(status)}`);
      return false;
    }
    return true;
  }

  ssApproved(): void {
    const ss = this.md.submissionSets[0];
    if (!ss) this.err('no SubmissionSet');
    else this.statusIs(ss, 'SubmissionSet', AVAILABILITY_STATUS.Approved);
  }

  ssWithDocs(n: 1 | 2): void {
    const ss = this.hasSubmissionSet();
    this.count('Documents', this.md.extrinsicObjects, n);
    this.count('Associations', this.md.associations, n);
    if (this.errors.length > 0) return;
    for (const doc of this.md.extrinsicObjects) this.association(ss, [doc], ASSOCIATION_TYPE.HasMember);
  }

  ssWithOneFol(): void {
    const ss = this.hasSubmissionSet();
    this.count('Documents', this.md.extrinsicObjects, 0);
    this.count('Folders', this.md.folders, 1);
    if (this.errors.length > 0) return;
    this.count('Associations', this.md.associations, 1);
    this.association(ss, this.md.folders.slice(0, 1), ASSOCIATION_TYPE.HasMember);
  }

  /** Every listed document is in the folder: SS→doc, SS→folder, folder→doc, SS→(folder→doc). */
  ssWithDocsInFolder(nDocs: 1 | 2, nAssocs: number): void {
    const ss = this.hasSubmissionSet();
    this.count('Documents', this.md.extrinsicObjects, nDocs);
    this.count('Folders', this.md.folders, 1);
    if (this.errors.length > 0) return;
    this.count('Associations', this.md.associations, nAssocs);
    const folder = this.md.folders[0];
    for (const doc of this.md.extrinsicObjects) this.association(ss, [doc], ASSOCIATION_TYPE.HasMember);
    this.association(ss, folder ? [folder] : [], ASSOCIATION_TYPE.HasMember);
    for (const doc of this.md.extrinsicObjects) {
      const folderDoc = this.association(folder, [doc], ASSOCIATION_TYPE.HasMember);
      if (folderDoc) this.association(ss, [folderDoc], ASSOCIATION_TYPE.HasMember);
    }
  }

  /** Two documents, one folder, one of the documents in the folder (5 associations). */
  ssWithTwoDocOneFolOneDocInFol(): void {
    const ss = this.hasSubmissionSet();
    this.count('Documents', this.md.extrinsicObjects, 2);
    this.count('Folders', this.md.folders, 1);
    if (this.errors.length > 0) return;
    this.count('Associations', this.md.associations, 5);
    const folder = this.md.folders[0];
    for (const doc of this.md.extrinsicObjects) this.association(ss, [doc], ASSOCIATION_TYPE.HasMember);
    this.association(ss, folder ? [folder] : [], ASSOCIATION_TYPE.HasMember);
    const folderDoc = this.association(folder, this.md.extrinsicObjects, ASSOCIATION_TYPE.HasMember);
    if (folderDoc) this.association(ss, [folderDoc], ASSOCIATION_TYPE.HasMember);
  }

  allDocs(status: string): void {
    for (const eo of this.md.extrinsicObjects) if (!this.statusIs(eo, 'DocumentEntry', status)) return;
  }

  allFolders(status: string): void {
    for (const f of this.md.folders) if (!this.statusIs(f, 'Folder', status)) return;
  }

  exactlyOneDoc(status: string): void {
    const n = this.md.extrinsicObjects.filter((eo) => eo.attrs.status === status).length;
    if (n !== 1) this.err(`found ${n} ${shortName(status)} DocumentEntries instead of one`);
  }

  /** At least one association of the type, and never two of them to the same target. */
  uniqueRelationship(type: string): void {
    const targets = this.md.associations.filter((a) => a.attrs.associationType === type).map((a) => a.attrs.targetObject ?? '');
    if (targets.length === 0) this.err(`${shortName(type)} association not found`);
    if (new Set(targets).size !== targets.length) this.err(`several ${shortName(type)} associations point at the same DocumentEntry`);
  }

  docReplacesDoc(): void {
    this.count('Documents', this.md.extrinsicObjects, 2);
    this.count('Associations', this.md.associations, 1);
    const [a, b] = this.md.extrinsicObjects;
    if (!a || !b) return;
    const [newer, older] = a.attrs.status === AVAILABILITY_STATUS.Approved ? [a, b] : [b, a];
    this.association(newer, [older], ASSOCIATION_TYPE.RPLC);
    this.statusIs(older, 'DocumentEntry', AVAILABILITY_STATUS.Deprecated);
  }

  none(): void {
    this.noSubmissionSet();
    this.count('Documents', this.md.extrinsicObjects, 0);
    this.count('Folders', this.md.folders, 0);
    if (this.errors.length > 0) return;
    this.count('Associations', this.md.associations, 0);
  }

  objectRefsOnly(n: number): void {
    this.count('ObjectRefs', this.md.objectRefs, n);
    this.noSubmissionSet();
    this.count('Documents', this.md.extrinsicObjects, 0);
    this.count('Folders', this.md.folders, 0);
    this.count('Associations', this.md.associations, 0);
  }

  /** DocumentEntries/MustOnlyInclude|Include|Exclude with DocumentEntry{UseId, DocumentEntryType}, DocumentEntryType. */
  documentEntries(node: PlanNode, resolveUseId: (useId: PlanNode) => string): void {
    for (const part of node.children) {
      if (part.name === 'DocumentEntryType') {
        const expected = part.text.trim();
        for (const eo of this.md.extrinsicObjects) {
          if (eo.attrs.objectType !== expected) this.err(`ExtrinsicObject ${eo.attrs.id ?? ''} objectType ${eo.attrs.objectType ?? '(none)'} is not ${expected}`);
        }
        continue;
      }
      if (!['MustOnlyInclude', 'Include', 'Exclude'].includes(part.name)) {
        this.err(`DocumentEntries/${part.name} is not understood`);
        continue;
      }
      let matched = 0;
      for (const de of part.children.filter((c) => c.name === 'DocumentEntry')) {
        const useId = de.children.find((c) => c.name === 'UseId');
        const id = useId ? resolveUseId(useId) : '';
        const eo = this.md.extrinsicObjects.find((e) => e.attrs.id === id);
        if (part.name === 'Exclude') {
          if (eo) this.err(`DocumentEntry ${id} must not be in the answer`);
          continue;
        }
        if (!eo) {
          this.err(`DocumentEntry ${id || '(unresolved UseId)'} is not in the answer`);
          continue;
        }
        matched++;
        const type = de.children.find((c) => c.name === 'DocumentEntryType')?.text.trim();
        if (type && eo.attrs.objectType !== type) this.err(`DocumentEntry ${id} objectType ${eo.attrs.objectType ?? '(none)'} is not ${type}`);
      }
      if (part.name === 'MustOnlyInclude' && matched !== this.md.extrinsicObjects.length) {
        this.err(`answer holds ${this.md.extrinsicObjects.length} DocumentEntries, only ${matched} were expected`);
      }
    }
  }
}

export interface ContentsOptions {
  /** Resolves a nested `<UseId>` (DocumentEntries checks) to the id it names. */
  resolveUseId: (useId: PlanNode) => string;
  /** Registry answer status, for RegistryResponseIsValid. */
  status?: string;
}

/** Evaluate every check; returns the problems found (empty = all pass). Unknown checks are problems too. */
export function checkExpectedContents(body: XmlElement | undefined, checks: ContentCheck[], opts: ContentsOptions): string[] {
  const problems: string[] = [];
  const md = responseMetadata(body);
  for (const check of checks) {
    const c = new Checker(md);
    const n = check.count ?? -1;
    switch (check.name) {
      case 'Documents':
        c.count('Documents', md.extrinsicObjects, n);
        break;
      case 'Folders':
        c.count('Folders', md.folders, n);
        break;
      case 'SubmissionSets':
        c.count('SubmissionSets', md.submissionSets, n);
        break;
      case 'Associations':
        c.count('Associations', md.associations, n);
        break;
      case 'ObjectRefs':
        c.objectRefsOnly(n);
        break;
      case 'SSwithOneDoc':
        c.ssWithDocs(1);
        c.ssApproved();
        break;
      case 'SSwithTwoDoc':
        c.ssWithDocs(2);
        c.ssApproved();
        break;
      case 'SSwithOneDocOnly':
        c.ssWithDocs(1);
        break;
      case 'SSwithTwoDocOnly':
        c.ssWithDocs(2);
        break;
      case 'SSwithOneFol':
        c.ssWithOneFol();
        break;
      case 'SSwithOneDocOneFol':
        c.ssWithDocsInFolder(1, 4);
        break;
      case 'SSwithTwoDocOneFol':
        c.ssWithDocsInFolder(2, 7);
        break;
      case 'SSwithTwoDocOneFolOneDocInFol':
        c.ssWithTwoDocOneFolOneDocInFol();
        break;
      case 'SSApproved':
        c.ssApproved();
        break;
      case 'DocApp':
        c.allDocs(AVAILABILITY_STATUS.Approved);
        break;
      case 'DocDep':
        c.allDocs(AVAILABILITY_STATUS.Deprecated);
        break;
      case 'OneDocApp':
        c.exactlyOneDoc(AVAILABILITY_STATUS.Approved);
        break;
      case 'OneDocDep':
        c.exactlyOneDoc(AVAILABILITY_STATUS.Deprecated);
        break;
      case 'FolApp':
        c.allFolders(AVAILABILITY_STATUS.Approved);
        break;
      case 'FolDep':
        c.allFolders(AVAILABILITY_STATUS.Deprecated);
        break;
      case 'None':
        c.none();
        break;
      case 'NoSubmissionSet':
        c.noSubmissionSet();
        break;
      case 'NoDocument':
        c.count('Documents', md.extrinsicObjects, 0);
        break;
      case 'HasRPLC':
        c.uniqueRelationship(ASSOCIATION_TYPE.RPLC);
        break;
      case 'HasAPND':
        c.uniqueRelationship(ASSOCIATION_TYPE.APND);
        break;
      case 'HasXFRM_RPLC':
        c.uniqueRelationship(ASSOCIATION_TYPE.XFRM_RPLC);
        break;
      case 'DocRplcDoc':
        c.docReplacesDoc();
        break;
      case 'RegistryResponseIsValid':
        if (opts.status === 'Failure') c.err('answer status is Failure');
        break;
      case 'DocumentEntries':
        c.documentEntries(check.node, opts.resolveUseId);
        break;
      default:
        c.err(`ExpectedContents/${check.name} is not understood by the runner`);
    }
    for (const e of c.errors) problems.push(`${check.name}${check.count !== undefined ? `(${check.count})` : ''}: ${e}`);
  }
  return problems;
}
