import { XMLParser } from 'fast-xml-parser';

/**
 * A small namespace-aware reader for assertions, independent of the server's own reader:
 * finds elements by namespace URI and local name with a DOM-like walk of fast-xml-parser output.
 */
export interface Node {
  ns: string;
  name: string;
  attrs: Record<string, string>;
  children: Node[];
  text: string;
}

const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, trimValues: true });

export function parse(xml: string): Node {
  const raw = parser.parse(xml) as Record<string, unknown>[];
  const rootRaw = raw.find((n) => Object.keys(n).some((k) => !k.startsWith('?') && k !== ':@' && k !== '#text'))!;
  return build(rootRaw, new Map());
}

function build(raw: Record<string, unknown>, scope: Map<string, string>): Node {
  const qname = Object.keys(raw).find((k) => k !== ':@')!;
  const rawAttrs = (raw[':@'] ?? {}) as Record<string, string>;
  const inner = new Map(scope);
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawAttrs)) {
    if (k === 'xmlns') inner.set('', v);
    else if (k.startsWith('xmlns:')) inner.set(k.slice(6), v);
    else attrs[k] = v;
  }
  const [prefix, local] = qname.includes(':') ? qname.split(':') : ['', qname];
  const ns = inner.get(prefix!);
  if (ns === undefined && prefix !== '') throw new Error(`undeclared prefix ${prefix}`);
  const kids = (raw[qname] as Record<string, unknown>[] | undefined) ?? [];
  const children = kids.filter((k) => !('#text' in k)).map((k) => build(k, inner));
  const text = kids
    .filter((k) => '#text' in k)
    .map((k) => String(k['#text']))
    .join('');
  return { ns: ns ?? '', name: local!, attrs, children, text };
}

export function all(node: Node, ns: string, name: string): Node[] {
  const out: Node[] = [];
  const walk = (n: Node) => {
    if (n.ns === ns && n.name === name) out.push(n);
    n.children.forEach(walk);
  };
  walk(node);
  return out;
}

export function one(node: Node, ns: string, name: string): Node {
  const found = all(node, ns, name);
  if (found.length !== 1) throw new Error(`expected one ${name}, found ${found.length}`);
  return found[0]!;
}

export const CPIX = 'urn:dashif:org:cpix';
export const PSKC = 'urn:ietf:params:xml:ns:keyprov:pskc';
export const SPEKE = 'urn:aws:amazon:com:speke';
