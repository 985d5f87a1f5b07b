import { XdsError } from '../../shared/errors';
import {
  toAssociationType,
  toCode,
  toMetadataLevel,
  toObjectType,
  toStatus,
  toText,
  toTime,
  toUuid,
  tokenizeValue,
  tokenizeValues,
  type ValueToken,
} from './params';

const APPROVED = 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved';
const DEPRECATED = 'urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated';

function q(text: string): ValueToken {
  return { form: 'quoted', text };
}

/** The XdsError a call throws (fails the test when it does not throw one). */
function thrown(fn: () => unknown): XdsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof XdsError) return e;
    throw e;
  }
  throw new Error('expected an XdsError');
}

function expectSyntaxError(fn: () => unknown, parameter: string, valueFragment: string): void {
  const err = thrown(fn);
  expect(err.errors).toHaveLength(1);
  expect(err.errors[0]?.errorCode).toBe('XDSRegistryError');
  expect(err.errors[0]?.codeContext).toContain(parameter);
  expect(err.errors[0]?.codeContext).toContain(valueFragment);
}

describe('tokenizeValue: accepted forms', () => {
  it('reads a quoted string', () => {
    expect(tokenizeValue('$p', "'P-1001^^^&1.2.3.4.100&ISO'")).toEqual([q('P-1001^^^&1.2.3.4.100&ISO')]);
  });

  it("turns a doubled quote into one quote ('' escape)", () => {
    expect(tokenizeValue('$p', "'O''Brien'")).toEqual([q("O'Brien")]);
    expect(tokenizeValue('$p', "''''")).toEqual([q("'")]);
  });

  it('reads a bare number (times)', () => {
    expect(tokenizeValue('$t', '20240101')).toEqual([{ form: 'bare', text: '20240101' }]);
  });

  it('ignores surrounding whitespace', () => {
    expect(tokenizeValue('$t', '\n   20240101  \n')).toEqual([{ form: 'bare', text: '20240101' }]);
    expect(tokenizeValue('$p', "  'a'  ")).toEqual([q('a')]);
  });

  it('reads a one-element list', () => {
    expect(tokenizeValue('$s', `('${APPROVED}')`)).toEqual([q(APPROVED)]);
  });

  it('reads a list with and without spaces after the comma', () => {
    expect(tokenizeValue('$s', `('${APPROVED}','${DEPRECATED}')`)).toEqual([q(APPROVED), q(DEPRECATED)]);
    expect(tokenizeValue('$s', `( '${APPROVED}' ,  '${DEPRECATED}' )`)).toEqual([q(APPROVED), q(DEPRECATED)]);
  });

  it('keeps commas and parentheses inside quoted list items', () => {
    expect(tokenizeValue('$a', "('Smith, John (Dr)','x''y')")).toEqual([q('Smith, John (Dr)'), q("x'y")]);
  });

  it('tolerates bare integers inside a list', () => {
    expect(tokenizeValue('$l', "(1, '2')")).toEqual([{ form: 'bare', text: '1' }, q('2')]);
  });

  it('joins several rim:Value elements of one slot into one OR-list', () => {
    expect(tokenizeValues('$c', ["('A^^1')", "('B^^1')", "'C^^1'"])).toEqual([q('A^^1'), q('B^^1'), q('C^^1')]);
  });
});

describe('tokenizeValue: syntax errors name the parameter and the value', () => {
  it('sq-req-bad-pid-format.xml: patient id not enclosed in quotes', () => {
    expectSyntaxError(() => tokenizeValue('$XDSDocumentEntryPatientId', 'c4d77e21d0dd487^^^&1.3.6.1.4.1.21367.2005.3.7&ISO'), '$XDSDocumentEntryPatientId', 'c4d77e21d0dd487');
  });

  it('sq-req-bad-stat-format1.xml: status without ( ) and without quotes', () => {
    expectSyntaxError(() => tokenizeValue('$XDSDocumentEntryStatus', APPROVED), '$XDSDocumentEntryStatus', APPROVED);
  });

  it('sq-req-bad-stat-format2.xml: status in ( ) but not quoted', () => {
    expectSyntaxError(() => tokenizeValue('$XDSDocumentEntryStatus', `(${APPROVED})`), '$XDSDocumentEntryStatus', APPROVED);
  });

  it("negative/ipf/iti18request.xml: the injection tail after '' leaves the string unterminated", () => {
    const raw = "'593603^^^&2.16.756.5.33.2.5.1.5.1&ISO''%20and%20611%3d611--%20";
    expectSyntaxError(() => tokenizeValue('$XDSDocumentEntryPatientId', raw), '$XDSDocumentEntryPatientId', '593603');
  });

  it.each([
    ['an empty value', ''],
    ['only whitespace', '   '],
    ['an unterminated string', "'abc"],
    ['text after the closing quote', "'abc'def"],
    ['two strings without a list', "'a','b'"],
    ['an unclosed list', "('a','b'"],
    ['an empty list', '()'],
    ['a trailing comma', "('a',)"],
    ['a missing comma', "('a' 'b')"],
    ['an empty list item', "('a',,'b')"],
    ['a non-numeric bare word', 'abc'],
    ['a list closed without being opened', "'a')"],
  ])('rejects %s', (_what, raw) => {
    expectSyntaxError(() => tokenizeValue('$XDSDocumentEntryClassCode', raw), '$XDSDocumentEntryClassCode', raw.trim() === '' ? "'" : raw.trim().slice(0, 3));
  });

  it('rejects a slot without any Value', () => {
    expectSyntaxError(() => tokenizeValues('$XDSDocumentEntryStatus', []), '$XDSDocumentEntryStatus', 'none');
  });
});

describe('per-kind conversion', () => {
  it('strings must be quoted and non-empty', () => {
    expect(toText('$p', q('x'))).toBe('x');
    expectSyntaxError(() => toText('$p', { form: 'bare', text: '123' }), '$p', '123');
    expectSyntaxError(() => toText('$p', q('')), '$p', "''");
  });

  it('times: bare or quoted, 4 to 14 digits', () => {
    expect(toTime('$t', { form: 'bare', text: '2005' })).toBe('2005');
    expect(toTime('$t', q('20221015151515'))).toBe('20221015151515');
    expectSyntaxError(() => toTime('$t', { form: 'bare', text: '200' }), '$t', '200');
    expectSyntaxError(() => toTime('$t', { form: 'bare', text: '202210151515151' }), '$t', '202210151515151');
    expectSyntaxError(() => toTime('$t', q('2022-10-15')), '$t', '2022-10-15');
  });

  it('codes: code^^scheme', () => {
    expect(toCode('$c', q('11490-0^^2.16.840.1.113883.6.1'))).toEqual({ code: '11490-0', scheme: '2.16.840.1.113883.6.1' });
    expect(toCode('$c', q('urn:ihe:rad:TEXT^^1.3.6.1.4.1.19376.1.2.3'))).toEqual({ code: 'urn:ihe:rad:TEXT', scheme: '1.3.6.1.4.1.19376.1.2.3' });
  });

  it('codes: a display name in the middle component is tolerated', () => {
    expect(toCode('$c', q('N^Normal^2.16.840.1.113883.5.25'))).toEqual({ code: 'N', scheme: '2.16.840.1.113883.5.25' });
  });

  it("sq-req-bad-code.xml: 'value^^' (no coding scheme) is a syntax error", () => {
    expectSyntaxError(() => toCode('$XDSDocumentEntryClassCode', q('value^^')), '$XDSDocumentEntryClassCode', 'value^^');
  });

  it.each([
    ['11897/old_scheme: a code without ^^scheme', 'Dialysis'],
    ['11897/classcode_scheme_mismatch: a^^', 'a^^'],
    ['an empty code', '^^1.2.3'],
    ['too many components', 'a^^b^^c'],
    ['a single caret', 'a^1.2.3'],
  ])('rejects %s', (_what, value) => {
    expectSyntaxError(() => toCode('$XDSDocumentEntryPracticeSettingCode', q(value)), '$XDSDocumentEntryPracticeSettingCode', value);
  });

  it('status: a URN', () => {
    expect(toStatus('$s', q(APPROVED))).toBe(APPROVED);
    expectSyntaxError(() => toStatus('$s', q('Approved')), '$s', 'Approved');
  });

  it('objectType: a urn:uuid, lower-cased', () => {
    expect(toObjectType('$t', q('urn:uuid:7EDCA82F-054D-47F2-A032-9B2A5B5186C1'))).toBe('urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1');
    expectSyntaxError(() => toObjectType('$t', q('stable')), '$t', 'stable');
  });

  it('uuid: urn:uuid values are lower-cased, other ids kept', () => {
    expect(toUuid('$u', q('urn:uuid:AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE'))).toBe('urn:uuid:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee');
    expect(toUuid('$u', q('Document01'))).toBe('Document01');
  });

  it('association type: a URN', () => {
    expect(toAssociationType('$a', q('urn:ihe:iti:2007:AssociationType:RPLC'))).toBe('urn:ihe:iti:2007:AssociationType:RPLC');
    expectSyntaxError(() => toAssociationType('$a', q('RPLC')), '$a', 'RPLC');
  });

  it('metadata level: a number, quoted or bare', () => {
    expect(toMetadataLevel('$MetadataLevel', { form: 'bare', text: '1' })).toBe('1');
    expect(toMetadataLevel('$MetadataLevel', q('2'))).toBe('2');
    expectSyntaxError(() => toMetadataLevel('$MetadataLevel', q('one')), '$MetadataLevel', 'one');
  });
});
