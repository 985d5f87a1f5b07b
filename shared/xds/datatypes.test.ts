import {
  isCxi,
  isDtm,
  isLanguageCode,
  isMimeType,
  isOid,
  isSha1Hex,
  isSize,
  isUuidUrn,
  isValidCx,
  isValidXcn,
  isValidXon,
  isValidXtn,
  padDtm,
  parseCx,
} from './datatypes';

/** Every good value passes and every bad value fails. */
function check(fn: (v: string) => boolean, good: string[], bad: string[]): void {
  expect(good.filter((v) => !fn(v))).toEqual([]);
  expect(bad.filter((v) => fn(v))).toEqual([]);
}

describe('DTM', () => {
  it('accepts the six precisions with valid ranges only', () => {
    check(
      isDtm,
      ['2024', '202401', '20240131', '2024013112', '202401311200', '20240131120000', '20240229', '20000229', '20051224', '19991231235959'],
      [
        '',
        '202',
        '2024013',
        '2024-01-31',
        '20240131120000+0100', // no time-zone offset
        '20240131120000.123', // no fraction
        '202401311200000',
        '20241301',
        '202400',
        '20240230',
        '20230229',
        '19000229', // not a leap year
        '20240431',
        '20240100',
        '2024013124',
        '202401311260',
        '20240131120060',
      ],
    );
  });

  it('padDtm right-pads with 0 to 14 digits', () => {
    expect(padDtm('2024')).toBe('20240000000000');
    expect(padDtm('202401311200')).toBe('20240131120000');
    expect(padDtm('20240131120000')).toBe('20240131120000');
    expect(padDtm('2024') < padDtm('20240101')).toBe(true);
  });
});

describe('identifiers', () => {
  it('isOid: dotted decimal, no leading zeros, at most 64 chars', () => {
    const long64 = `1.${'2.'.repeat(30)}34`; // 64 chars
    expect(long64).toHaveLength(64);
    check(isOid, ['1.2.3.4.5', '2.16.840.1.113883.6.1', '1.19.6.24.109.42.1', '1.0.3', long64], ['', '1', '01.2', '1.02', '1..2', '1.2.', 'urn:oid:1.2.3', '1.2.a', `${long64}6`]);
  });

  it('isUuidUrn: urn:uuid: plus an 8-4-4-4-12 hex UUID, any case', () => {
    check(
      isUuidUrn,
      ['urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1', 'urn:uuid:7EDCA82F-054D-47F2-A032-9B2A5B5186C1'],
      ['Document01', '7edca82f-054d-47f2-a032-9b2a5b5186c1', 'urn:uuid:7edca82f054d47f2a0329b2a5b5186c1', 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c', 'urn:uuid:7edca82g-054d-47f2-a032-9b2a5b5186c1', 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1 '],
    );
  });

  it('isSha1Hex: 40 hex characters', () => {
    check(isSha1Hex, ['e543712c0e10501972de13a5bfcbe826c49feb75', 'E543712C0E10501972DE13A5BFCBE826C49FEB75'], ['', 'e543712c0e10501972de13a5bfcbe826c49feb7', 'e543712c0e10501972de13a5bfcbe826c49feb75a', 'g543712c0e10501972de13a5bfcbe826c49feb75']);
  });

  it('isSize: a non-negative decimal integer', () => {
    check(isSize, ['0', '36', '1234567890'], ['', '-1', '1.5', ' 36', '1e3', '0x10', '99999999999999999999']);
  });

  it('isLanguageCode: BCP 47 shape', () => {
    check(isLanguageCode, ['en-US', 'en-us', 'de', 'zh-Hant-TW', 'i-klingon'], ['', 'en_US', 'en-', 'toolonglang', 'en-US-', 'e n']);
  });

  it('isMimeType: type/subtype with optional parameters', () => {
    check(isMimeType, ['text/plain', 'application/pdf', 'application/hl7-v3+xml', 'text/xml; charset=UTF-8', 'text/plain;format="flowed"'], ['', 'text', 'text/', '/plain', 'text/plain/x', 'text plain', 'text/plain;', 'text/pl(ain']);
  });
});

describe('HL7 v2 composites', () => {
  it('parseCx splits id, assigning authority and id type code', () => {
    expect(parseCx('P-1001^^^&1.2.3.4.100&ISO')).toEqual({
      id: 'P-1001',
      assigningAuthority: { namespaceId: '', universalId: '1.2.3.4.100', universalIdType: 'ISO' },
      idTypeCode: '',
      components: ['P-1001', '', '', '&1.2.3.4.100&ISO'],
    });
    expect(parseCx('r^^^NS^urn:ihe:iti:xds:2013:order')).toMatchObject({ id: 'r', assigningAuthority: { namespaceId: 'NS', universalId: '', universalIdType: '' }, idTypeCode: 'urn:ihe:iti:xds:2013:order' });
  });

  it('isValidCx: only CX.1 and CX.4, CX.4 = &OID&ISO with empty namespace', () => {
    check(
      isValidCx,
      ['P-1001^^^&1.2.3.4.100&ISO', '89765a87b^^^&1.3.4.5&ISO', 'SELF-5^^^&1.3.6.1.4.1.21367.2005.3.7&ISO', 'P^^^&1.2&ISO^'],
      ['', 'P-1001', '^^^&1.2&ISO', 'P^^^NS&1.2&ISO', 'P^^^&1.2&L', 'P^^^&abc&ISO', 'P^^^&1.2', 'P^1^^&1.2&ISO', 'P^^x^&1.2&ISO', 'P^^^&1.2&ISO^PI', 'P&x^^^&1.2&ISO'],
    );
  });

  it('isCxi: CX.1 and CX.5 required, CX.4 optional but complete, nothing else', () => {
    check(
      isCxi,
      ['ref1^^^&1.2.3&ISO^urn:ihe:iti:xds:2013:order', 'ref^^^^urn:ihe:iti:xds:2013:uniqueId', 'ref^^^NS^urn:ihe:iti:xds:2015:encounterId'],
      ['', 'ref^^^&1.2&ISO', '^^^&1.2&ISO^urn:ihe:iti:xds:2013:order', 'r^1^^&1.2&ISO^urn:x', 'r^^^&1.2&^urn:x', 'r^^^&1.2&ISO^urn:x^facility'],
    );
  });

  it('isValidXcn: an id or a family name; an assigning authority (namespace allowed, as OpenXDS sends) only with an id, and then ISO', () => {
    check(
      isValidXcn,
      ['^Welby^Marcus^^^Dr', '^Smitty^Gerald^^^', 'ID1^Welby^^^^^^^&1.2.3&ISO', 'GE_DB1^^^^^^^^&1.3.6.1.4.1.21367.2010.1.2.300&ISO', '2.3.515.3.12345^DePinto^John^F^II^Mr.^^^IHENA&1.3.6.1.4.1.21367.2010.1.2.300&ISO', 'ID1', 'Sherry Dopplemeyer'],
      ['', '^^Marcus', '^Welby^^^^^^^&1.2.3&ISO', 'ID1^^^^^^^^&1.2.3&L', 'ID1^^^^^^^^NS&1.2.3&L'],
    );
  });

  it('isValidXon: name required, only XON.1, 6 and 10, non-OID XON.10 needs XON.6', () => {
    check(
      isValidXon,
      ['Some Hospital^^^^^^^^^1.2.3.9.1789.45', 'Cleveland Clinic', 'Org^^^^^&1.2.3&ISO^^^^ORG-1', 'Org^^^^^&1.2.3&ISO'],
      ['', '^^^^^^^^^1.2.3', 'Org^x', 'Org^^^^^^x', 'Org^^^^^^^^^ORG-1', 'Org^^^^^NS&1.2&ISO', 'Org^^^^^&1.2&L', 'Org^^^^^^^^^1.2^extra'],
    );
  });

  it('isValidXtn: Internet needs an email and no phone parts; PH/CP need exactly one phone form', () => {
    check(
      isValidXtn,
      ['^^Internet^mwel@healthcare.example.org', '^NET^Internet^a@b.c', '^PRN^PH^^^555^1234567', '^PRN^CP^^^^^^^^^+15551234567'],
      ['', '^^Internet^', '^WPN^Internet^a@b', '^^Internet^a@b^1', '^^Internet^a@b^^^^^^^^12', '^NET^PH^^^^123', '^^PH^^^1^2^^^^^3', '^^PH', '^^PH^a@b^^^123', '^^FX^^^^123', 'mwel@example.org'],
    );
  });
});

describe('isOidLenient', () => {
  it('accepts dotted decimal arcs with leading zeros (real Axis2 senders) but nothing else, at most 64 chars', async () => {
    const { isOidLenient } = await import('./datatypes');
    check(isOidLenient, ['1.3.6.1.4.1.21367.2009.1.2.182.097130838508642', '1.2', '2.25.0001'], ['1', '1.2.', 'urn:oid:1.2.3', '1.2.3^ext', '1.2.a', `1.${'2'.repeat(63)}`]);
  });
});
