import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XdsError } from '../../shared/errors';
import { OBJECT_TYPE } from '../../shared/xds/constants';
import { P, STORED_QUERIES, findStoredQuery, storedQueryByName } from './definitions';
import { parseStoredQuery } from './parse';
import { adhocQuery, readAdhocQueryRequest } from './testing/readAdhocQuery';

const CORPUS = path.resolve(__dirname, '../../../shared/conformance/corpus');
const corpusFile = (rel: string): string => readFileSync(path.join(CORPUS, rel), 'utf8');

const FIND_DOCUMENTS = storedQueryByName('FindDocuments').id;
const GET_DOCUMENTS = storedQueryByName('GetDocuments').id;
const GET_SS_AND_CONTENTS = storedQueryByName('GetSubmissionSetAndContents').id;
const GET_RELATED = storedQueryByName('GetRelatedDocuments').id;
const APPROVED = "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')";
const PID = "'P-1^^^&1.2.3&ISO'";

function errorsOf(fn: () => unknown): { codes: string[]; contexts: string[] } {
  try {
    fn();
  } catch (e) {
    if (e instanceof XdsError) return { codes: e.errors.map((x) => x.errorCode), contexts: e.errors.map((x) => x.codeContext) };
    throw e;
  }
  throw new Error('expected an XdsError');
}

describe('definitions', () => {
  it('has the 14 stored queries with distinct ids, and finds them case-insensitively', () => {
    expect(STORED_QUERIES).toHaveLength(14);
    expect(new Set(STORED_QUERIES.map((q) => q.id)).size).toBe(14);
    expect(findStoredQuery(FIND_DOCUMENTS.toUpperCase().replace('URN:UUID:', 'urn:uuid:'))?.name).toBe('FindDocuments');
  });

  it('declares each parameter once per query, and every alternative group has at least two members', () => {
    for (const q of STORED_QUERIES) {
      const names = q.parameters.map((p) => p.name);
      expect(new Set(names).size).toBe(names.length);
      const groups = new Map<string, number>();
      for (const p of q.parameters) if (p.alternativeGroup) groups.set(p.alternativeGroup, (groups.get(p.alternativeGroup) ?? 0) + 1);
      for (const n of groups.values()) expect(n).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('parseStoredQuery: validation steps, in order', () => {
  it('1. unknown query id → XDSUnknownStoredQuery naming the id (before anything else)', () => {
    const id = 'urn:uuid:3d1bdb10-39a2-11de-89c2-2f44d94eaa9f'; // FindDocumentsForMultiplePatients: not supported
    const r = errorsOf(() => parseStoredQuery(adhocQuery(id, [], 'Nonsense')));
    expect(r.codes).toEqual(['XDSUnknownStoredQuery']);
    expect(r.contexts[0]).toContain(id);
  });

  it('2. returnType other than LeafClass/ObjectRef → XDSRegistryError "unsupported returnType" (before missing params)', () => {
    const r = errorsOf(() => parseStoredQuery(adhocQuery(FIND_DOCUMENTS, [], 'RegistryObject')));
    expect(r.codes).toEqual(['XDSRegistryError']);
    expect(r.contexts[0]).toContain('unsupported returnType RegistryObject');
  });

  it('3. missing required parameters → XDSStoredQueryMissingParam naming each (before param-number and syntax errors)', () => {
    const r = errorsOf(() => parseStoredQuery(adhocQuery(FIND_DOCUMENTS, [[P.deClassCode, ["'bad'", "'also bad'"]]])));
    expect(r.codes).toEqual(['XDSStoredQueryMissingParam', 'XDSStoredQueryMissingParam']);
    expect(r.contexts.join(' ')).toContain(P.dePatientId);
    expect(r.contexts.join(' ')).toContain(P.deStatus);
  });

  it('3. sq-req-missing-stat.xml (corpus): FindDocuments without $XDSDocumentEntryStatus', () => {
    const r = errorsOf(() => parseStoredQuery(readAdhocQueryRequest(corpusFile('negative/nist-wire/messagevalidator/sq-req-missing-stat.xml'))));
    expect(r.codes).toEqual(['XDSStoredQueryMissingParam']);
    expect(r.contexts[0]).toContain(P.deStatus);
  });

  it('3. none of an alternative group → XDSStoredQueryMissingParam naming the alternatives', () => {
    const r = errorsOf(() => parseStoredQuery(adhocQuery(GET_DOCUMENTS, [])));
    expect(r.codes).toEqual(['XDSStoredQueryMissingParam']);
    expect(r.contexts[0]).toContain(P.deEntryUuid);
    expect(r.contexts[0]).toContain(P.deUniqueId);
  });

  it('4. a single-valued parameter with several values → XDSStoredQueryParamNumber (before syntax errors)', () => {
    const r = errorsOf(() =>
      parseStoredQuery(adhocQuery(FIND_DOCUMENTS, [[P.dePatientId, ["('a','b')"]], [P.deStatus, [APPROVED]], [P.deClassCode, ["'not-a-code'"]]])),
    );
    expect(r.codes).toEqual(['XDSStoredQueryParamNumber']);
    expect(r.contexts[0]).toContain(P.dePatientId);
    expect(r.contexts[0]).toContain("('a','b')");
  });

  it('4. several values spread over several rim:Value elements also count', () => {
    const r = errorsOf(() => parseStoredQuery(adhocQuery(FIND_DOCUMENTS, [[P.dePatientId, [PID, PID]], [P.deStatus, [APPROVED]]])));
    expect(r.codes).toEqual(['XDSStoredQueryParamNumber']);
  });

  it('4. a repeated slot of a non-AND/OR parameter → XDSStoredQueryParamNumber', () => {
    const r = errorsOf(() =>
      parseStoredQuery(adhocQuery(FIND_DOCUMENTS, [[P.dePatientId, [PID]], [P.deStatus, [APPROVED]], [P.deClassCode, ["('A^^1')"]], [P.deClassCode, ["('B^^1')"]]])),
    );
    expect(r.codes).toEqual(['XDSStoredQueryParamNumber']);
    expect(r.contexts[0]).toContain(P.deClassCode);
  });

  it('4. two members of one alternative group → XDSStoredQueryParamNumber', () => {
    const r = errorsOf(() => parseStoredQuery(adhocQuery(GET_SS_AND_CONTENTS, [[P.ssEntryUuid, ["'urn:uuid:a'"]], [P.ssUniqueId, ["'1.2.3'"]]])));
    expect(r.codes).toEqual(['XDSStoredQueryParamNumber']);
    expect(r.contexts[0]).toContain(P.ssEntryUuid);
    expect(r.contexts[0]).toContain(P.ssUniqueId);
  });

  it('5. bad syntax → XDSRegistryError naming parameter and value', () => {
    const r = errorsOf(() => parseStoredQuery(adhocQuery(FIND_DOCUMENTS, [[P.dePatientId, [PID]], [P.deStatus, [APPROVED]], [P.deCreationTimeFrom, ["'yesterday'"]]])));
    expect(r.codes).toEqual(['XDSRegistryError']);
    expect(r.contexts[0]).toContain(P.deCreationTimeFrom);
    expect(r.contexts[0]).toContain('yesterday');
  });

  it.each([
    ['sq-req-bad-code.xml', '$XDSDocumentEntryClassCode', 'value^^'],
    ['sq-req-bad-pid-format.xml', '$XDSDocumentEntryPatientId', 'c4d77e21d0dd487'],
    ['sq-req-bad-stat-format1.xml', '$XDSDocumentEntryStatus', 'StatusType:Approved'],
    ['sq-req-bad-stat-format2.xml', '$XDSDocumentEntryStatus', '(urn:oasis'],
  ])('5. corpus negative/nist-wire/messagevalidator/%s → XDSRegistryError', (file, parameter, value) => {
    const r = errorsOf(() => parseStoredQuery(readAdhocQueryRequest(corpusFile(`negative/nist-wire/messagevalidator/${file}`))));
    expect(r.codes).toEqual(['XDSRegistryError']);
    expect(r.contexts[0]).toContain(parameter);
    expect(r.contexts[0]).toContain(value);
  });

  it('5. corpus negative/ipf/iti18request.xml: the injected patient id is refused; the quoted time would have been accepted', () => {
    const r = errorsOf(() => parseStoredQuery(readAdhocQueryRequest(corpusFile('negative/ipf/iti18request.xml'))));
    expect(r.codes).toEqual(['XDSRegistryError']);
    expect(r.contexts[0]).toContain(P.dePatientId);
    expect(r.contexts[0]).toContain('611');
  });

  it('5. $MetadataLevel other than 1 → XDSRegistryError (no Metadata Update option); 1 is accepted', () => {
    const base: Array<[string, string[]]> = [[P.deEntryUuid, ["('urn:uuid:11111111-2222-3333-4444-555555555555')"]]];
    const r = errorsOf(() => parseStoredQuery(adhocQuery(GET_DOCUMENTS, [...base, [P.metadataLevel, ['2']]])));
    expect(r.codes).toEqual(['XDSRegistryError']);
    expect(r.contexts[0]).toContain(P.metadataLevel);
    expect(parseStoredQuery(adhocQuery(GET_DOCUMENTS, [...base, [P.metadataLevel, ['1']]])).params.text(P.metadataLevel)).toBe('1');
    expect(parseStoredQuery(adhocQuery(GET_DOCUMENTS, [...base, [P.metadataLevel, ["'1'"]]])).params.text(P.metadataLevel)).toBe('1');
  });

  it('reports every syntax error of the request at once', () => {
    const r = errorsOf(() =>
      parseStoredQuery(adhocQuery(FIND_DOCUMENTS, [[P.dePatientId, ['unquoted']], [P.deStatus, ['Approved']], [P.deClassCode, ["('x^^')"]]])),
    );
    expect(r.codes).toEqual(['XDSRegistryError', 'XDSRegistryError', 'XDSRegistryError']);
  });
});

describe('parseStoredQuery: accepted requests', () => {
  it('6. unknown parameters and the deprecated ...Scheme parameters are ignored (11897/practicesetting_scheme)', () => {
    const parsed = parseStoredQuery(
      adhocQuery(FIND_DOCUMENTS, [
        [P.dePatientId, [PID]],
        [P.deStatus, [APPROVED]],
        [P.dePracticeSettingCode, ["('Practice-D^^1.3.6.1.4.1.21367.2017.3')"]],
        ['$XDSDocumentEntryPracticeSettingCodeScheme', ["('Connect-a-thon practiceSettingCodes')"]],
        ['$SomethingElse', ['garbage that would not parse']],
      ]),
    );
    expect(parsed.params.names().sort()).toEqual([P.dePatientId, P.dePracticeSettingCode, P.deStatus].sort());
    expect(parsed.params.codes(P.dePracticeSettingCode)).toEqual([{ code: 'Practice-D', scheme: '1.3.6.1.4.1.21367.2017.3' }]);
  });

  it('AND/OR parameters: each slot is one OR-group (11897/eventcode_multi_select)', () => {
    const parsed = parseStoredQuery(
      adhocQuery(FIND_DOCUMENTS, [
        [P.dePatientId, [PID]],
        [P.deStatus, [APPROVED]],
        [P.deEventCodeList, ["('a^^1')", "('b^^1')"]],
        [P.deEventCodeList, ["('c^^2')"]],
      ]),
    );
    expect(parsed.params.codeGroups(P.deEventCodeList)).toEqual([
      [
        { code: 'a', scheme: '1' },
        { code: 'b', scheme: '1' },
      ],
      [{ code: 'c', scheme: '2' }],
    ]);
  });

  it('several rim:Value elements form one OR-list; values are typed per kind', () => {
    const parsed = parseStoredQuery(
      adhocQuery(FIND_DOCUMENTS, [
        [P.dePatientId, [PID]],
        [P.deStatus, [APPROVED, "('urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated')"]],
        [P.deCreationTimeFrom, ['2004']],
        [P.deCreationTimeTo, ["'20050101'"]],
        [P.deType, [`('${OBJECT_TYPE.stableDocumentEntry.toUpperCase().replace('URN:UUID:', 'urn:uuid:')}')`]],
      ]),
    );
    expect(parsed.params.text(P.dePatientId)).toBe('P-1^^^&1.2.3&ISO');
    expect(parsed.params.texts(P.deStatus)).toEqual(['urn:oasis:names:tc:ebxml-regrep:StatusType:Approved', 'urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated']);
    expect(parsed.params.text(P.deCreationTimeFrom)).toBe('2004');
    expect(parsed.params.text(P.deCreationTimeTo)).toBe('20050101');
    expect(parsed.params.texts(P.deType)).toEqual([OBJECT_TYPE.stableDocumentEntry]);
    expect(parsed.returnType).toBe('LeafClass');
  });

  it('a single-valued parameter may be written as a one-element list', () => {
    const parsed = parseStoredQuery(adhocQuery(GET_RELATED, [[P.deUniqueId, ["('1.2.3')"]], [P.associationTypes, ["('urn:ihe:iti:2007:AssociationType:RPLC')"]]], 'ObjectRef'));
    expect(parsed.params.text(P.deUniqueId)).toBe('1.2.3');
    expect(parsed.returnType).toBe('ObjectRef');
  });

  it('passes AdhocQuery/@home through (11901/homeCommunityId)', () => {
    const req = { ...adhocQuery(GET_DOCUMENTS, [[P.deUniqueId, ["('1.2.3')"]]]), home: 'urn:oid:1.1.1' };
    expect(parseStoredQuery(req).home).toBe('urn:oid:1.1.1');
  });

  it('the corpus FindDocuments sample (nist-wire sq-req.xml) parses', () => {
    const parsed = parseStoredQuery(readAdhocQueryRequest(corpusFile('iti18/nist-wire/messagevalidator/sq-req.xml')));
    expect(parsed.definition.name).toBe('FindDocuments');
    expect(parsed.params.codes(P.deClassCode)).toEqual([{ code: 'value', scheme: 'scheme' }]);
  });
});
