/** Namespace URIs of CPIX documents. Elements are always matched by URI, never by prefix. */
export const NS = {
  cpix: 'urn:dashif:org:cpix',
  pskc: 'urn:ietf:params:xml:ns:keyprov:pskc',
  speke: 'urn:aws:amazon:com:speke',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  enc: 'http://www.w3.org/2001/04/xmlenc#',
} as const;

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** The prefixes our answers use for the namespaces we know. */
export const CANONICAL_PREFIXES: ReadonlyMap<string, string> = new Map(
  Object.entries(NS).map(([prefix, uri]) => [uri, prefix]),
);
