/** XML namespace URIs used on the XDS.b wire (digest section 1.1). */
export const NS = {
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  wsa: 'http://www.w3.org/2005/08/addressing',
  xop: 'http://www.w3.org/2004/08/xop/include',
  xmime: 'http://www.w3.org/2005/05/xmlmime',
  rim: 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0',
  rs: 'urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0',
  lcm: 'urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0',
  query: 'urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0',
  xds: 'urn:ihe:iti:xds-b:2007',
  rmd: 'urn:ihe:iti:rmd:2017',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const;

/** Conventional prefixes used when we build messages. */
export const PREFIX_DECLS = {
  rim: `xmlns:rim="${NS.rim}"`,
  rs: `xmlns:rs="${NS.rs}"`,
  lcm: `xmlns:lcm="${NS.lcm}"`,
  query: `xmlns:query="${NS.query}"`,
  xds: `xmlns:xds="${NS.xds}"`,
} as const;
