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
export const CANONICAL_PREFIXES: ReadonlyMap<string, string> = new Map(Object.entries(NS).map(([prefix, uri]) => [uri, prefix]));

const KNOWN_NAMESPACES: readonly string[] = [...Object.values(NS), XML_NS, XMLNS_NS];

/**
 * The same namespace URI, as the module's own string when it is one we know: a request's
 * declarations are fresh strings, and the tree's URIs are compared and looked up many times per
 * request (one string for each known URI compares by identity and keeps its hash).
 */
export function knownNamespace(uri: string): string {
  for (const known of KNOWN_NAMESPACES) if (uri.length === known.length && uri === known) return known;
  return uri;
}
