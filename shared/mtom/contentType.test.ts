import { SoapFault } from '../errors';
import { contentIdFromHref, hrefForContentId, isMultipartRelated, normalizeContentId, parseContentType } from './contentType';

describe('parseContentType', () => {
  it('reads the MTOM outer header with quoted and unquoted values in any order', () => {
    const header =
      'Multipart/Related; BOUNDARY=MIMEBoundary_ba2e; type="application/xop+xml"; Start="<0.urn:uuid:3D4B@apache.org>";' +
      ' start-info="application/soap+xml"; action="urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b" ';
    expect(parseContentType(header)).toEqual({
      mediaType: 'multipart/related',
      params: {
        boundary: 'MIMEBoundary_ba2e',
        type: 'application/xop+xml',
        start: '<0.urn:uuid:3D4B@apache.org>',
        'start-info': 'application/soap+xml',
        action: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b',
      },
    });
  });

  it('handles no parameters, blanks around =, ; inside quotes, escapes, unquoted <>, empty and bare parameters', () => {
    expect(parseContentType(' text/plain ')).toEqual({ mediaType: 'text/plain', params: {} });
    const header =
      'application/xop+xml;charset=utf-8;type="application/soap+xml" ; a = "x;y" ; b="q\\"uote\\\\";' +
      ' start=<r@x> ;; bare; c=; charset=latin1';
    const p = parseContentType(header).params;
    expect(p).toEqual({ charset: 'utf-8', type: 'application/soap+xml', a: 'x;y', b: 'q"uote\\', start: '<r@x>', c: '' });
  });

  it('throws a Sender fault for a missing type/subtype or an unterminated quote', () => {
    for (const bad of ['', 'multipart', '; boundary=x', 'multipart/related; boundary="abc']) {
      expect(() => parseContentType(bad)).toThrow(SoapFault);
    }
  });
});

describe('Content-ID helpers', () => {
  it('isMultipartRelated never throws', () => {
    expect(isMultipartRelated('multipart/related; boundary=x')).toBe(true);
    expect(isMultipartRelated('MULTIPART/RELATED')).toBe(true);
    expect(isMultipartRelated('application/soap+xml; charset=UTF-8')).toBe(false);
    expect(isMultipartRelated('multipart/related; boundary="x')).toBe(false);
    expect(isMultipartRelated(undefined)).toBe(false);
  });

  it('normalizeContentId strips blanks and <>', () => {
    expect(normalizeContentId(' <1.urn:uuid:ab@apache.org> ')).toBe('1.urn:uuid:ab@apache.org');
    expect(normalizeContentId('1.urn:uuid:ab@apache.org')).toBe('1.urn:uuid:ab@apache.org');
    expect(normalizeContentId('< a@b >')).toBe('a@b');
  });

  it('contentIdFromHref strips cid: in any case and decodes %xx as UTF-8 (RFC 2392)', () => {
    expect(contentIdFromHref('cid:fdf975cc-9f08-1@urn%3Aihe%3Aiti%3Axds-b%3A2007')).toBe('fdf975cc-9f08-1@urn:ihe:iti:xds-b:2007');
    expect(contentIdFromHref('CID:1.urn:uuid:3D4B@apache.org')).toBe('1.urn:uuid:3D4B@apache.org');
    expect(contentIdFromHref('cid:%3Ca%40b%3E')).toBe('a@b');
    expect(contentIdFromHref('cid:caf%C3%A9%20ü@x')).toBe('café ü@x');
    expect(contentIdFromHref('cid:100%@x%2')).toBe('100%@x%2');
  });

  it('hrefForContentId escapes only what a URL cannot hold, and round-trips', () => {
    expect(hrefForContentId('<1.urn:uuid:3D4B@apache.org>')).toBe('cid:1.urn:uuid:3D4B@apache.org');
    expect(hrefForContentId('a b/%é@x')).toBe('cid:a%20b%2F%25%C3%A9@x');
    for (const id of ['a b/%é@x', 'http://tempuri.org/0', 'x<y>z"@q']) {
      expect(contentIdFromHref(hrefForContentId(id))).toBe(normalizeContentId(id));
    }
  });
});
