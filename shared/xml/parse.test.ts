import { parseXml } from './parse';
import { child, qattr } from './tree';
import { LimitError, SoapFault } from '../errors';
import { NS } from './namespaces';

describe('parseXml', () => {
  it('resolves namespaces whatever prefix the sender uses', () => {
    const variants = [
      `<rim:ExtrinsicObject xmlns:rim="${NS.rim}" id="a"><rim:Slot name="x"/></rim:ExtrinsicObject>`,
      `<ns2:ExtrinsicObject xmlns:ns2="${NS.rim}" id="a"><ns2:Slot name="x"/></ns2:ExtrinsicObject>`,
      `<ExtrinsicObject xmlns="${NS.rim}" id="a"><Slot name="x"/></ExtrinsicObject>`,
      `<w xmlns:r="${NS.rim}"><r:ExtrinsicObject id="a"><Slot xmlns="${NS.rim}" name="x"/></r:ExtrinsicObject></w>`,
    ];
    for (const v of variants) {
      let el = parseXml(v);
      if (el.local === 'w') el = el.children[0];
      expect(el.ns).toBe(NS.rim);
      expect(el.local).toBe('ExtrinsicObject');
      expect(el.attrs.id).toBe('a');
      expect(child(el, NS.rim, 'Slot')?.attrs.name).toBe('x');
    }
  });

  it('rejects an element in the wrong namespace as a different element', () => {
    const el = parseXml(`<foo:SubmitObjectsRequest xmlns:foo="urn:wrong"/>`);
    expect(el.ns).toBe('urn:wrong');
  });

  it('keys namespaced attributes by {uri}local and drops xmlns declarations', () => {
    const el = parseXml(`<a xmlns="urn:x" xmlns:p="urn:p" xml:lang="no" p:q="1" r="2"/>`);
    expect(el.attrs).toEqual({ [qattr(NS.xml, 'lang')]: 'no', '{urn:p}q': '1', r: '2' });
  });

  it('decodes predefined entities and character references, and CDATA', () => {
    const el = parseXml(`<a>P1^^^&amp;1.2&amp;ISO &#229;<![CDATA[<x>]]></a>`);
    expect(el.text).toBe('P1^^^&1.2&ISO å<x>');
  });

  it('refuses a DOCTYPE (XXE and entity bombs are never resolved)', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>`;
    expect(() => parseXml(xxe)).toThrow(SoapFault);
    expect(() => parseXml(xxe)).toThrow(/DOCTYPE/);
    const bomb = `<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>`;
    expect(() => parseXml(bomb)).toThrow(/DOCTYPE/);
  });

  it('refuses undeclared entities', () => {
    expect(() => parseXml('<a>&nbsp;</a>')).toThrow(/not well-formed/);
  });

  it('enforces depth, element count, attribute count and size limits', () => {
    const deep = '<a>'.repeat(70) + '</a>'.repeat(70);
    expect(() => parseXml(deep)).toThrow(LimitError);
    const many = `<a>${'<b/>'.repeat(101)}</a>`;
    expect(() => parseXml(many, { maxElements: 100 })).toThrow(/more than 100 elements/);
    const attrsMany = `<a ${Array.from({ length: 11 }, (_, i) => `x${i}="1"`).join(' ')}/>`;
    expect(() => parseXml(attrsMany, { maxAttributesPerElement: 10 })).toThrow(LimitError);
    expect(() => parseXml('<a>0123456789</a>', { maxBytes: 10 })).toThrow(/exceeds the limit/);
  });

  it('reports malformed XML as a Sender fault without a stack in the message', () => {
    try {
      parseXml('<soapenv:Envelope xmlns:soapenv="x"><soapenv:Body></soapenv');
      throw new Error('expected a fault');
    } catch (e) {
      expect(e).toBeInstanceOf(SoapFault);
      expect((e as SoapFault).code).toBe('Sender');
      expect((e as SoapFault).message).not.toMatch(/at .*\.js/);
    }
  });

  it('accepts a leading BOM and an XML declaration', () => {
    expect(parseXml('\uFEFF<?xml version="1.0" encoding="UTF-8"?><a/>').local).toBe('a');
  });
});
