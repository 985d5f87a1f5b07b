import { builtinBindings, hl7Date, hl7Timestamp, nowRoundedUp, placeholdersIn, substitute, substituteOpenTokens } from './substitution';

describe('placeholder substitution', () => {
  it('replaces bound $name$ tokens, XML-escaping values, and reports the unbound ones', () => {
    const text = `<Value>'$patient_id$'</Value><x a="$uuid$"/><y>$ssid$</y>`;
    const res = substitute(text, new Map([['$patient_id$', 'p1^^^&1.2.3&ISO'], ['$uuid$', 'urn:uuid:1']]), { xml: true });
    expect(res.text).toBe(`<Value>'p1^^^&amp;1.2.3&amp;ISO'</Value><x a="urn:uuid:1"/><y>$ssid$</y>`);
    expect(res.unresolved).toEqual(['$ssid$']);
    expect(substitute('$a$', new Map([['$a$', 'x&y']]), { xml: false }).text).toBe('x&y');
  });

  it('finds tokens but not stored-query parameter names', () => {
    expect(placeholdersIn(`<Slot name="$XDSDocumentEntryPatientId"><Value>'$patient_id$'</Value></Slot> $uid1$ $uid1$`)).toEqual(['$patient_id$', '$uid1$']);
  });

  it('replaces OpenXDS open tokens longest first', () => {
    const text = 'a=$XDSDocumentEntry.uniqueId b=$XDSDocumentEntry.uniqueId1 c=$doc1 d=$doc1sub';
    const out = substituteOpenTokens(
      text,
      new Map([
        ['$XDSDocumentEntry.uniqueId', '1.1'],
        ['$XDSDocumentEntry.uniqueId1', '2.2'],
        ['$doc1', 'U1'],
        ['$doc1sub', 'S1'],
      ]),
      { xml: true },
    );
    expect(out).toBe('a=1.1 b=2.2 c=U1 d=S1');
  });

  it('formats the built-ins as HL7 timestamps in UTC, $now$ rounded up to the second', () => {
    const instant = new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 400));
    expect(hl7Timestamp(instant)).toBe('20240229235959');
    expect(hl7Date(instant)).toBe('20240229');
    expect(nowRoundedUp(instant).toISOString()).toBe('2024-03-01T00:00:00.000Z');
    expect(nowRoundedUp(new Date(Date.UTC(2024, 0, 1, 0, 0, 5, 0))).toISOString()).toBe('2024-01-01T00:00:05.000Z');
    const b = builtinBindings(instant, 'urn:oid:1.2.3');
    expect(b.get('$now$')).toBe('20240301000000');
    expect(b.get('$lastyear$')).toBe('20230301000000');
    expect(b.get('$homeCommunityId$')).toBe('urn:oid:1.2.3');
  });
});
