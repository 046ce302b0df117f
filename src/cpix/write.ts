import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { CANONICAL_PREFIXES, XML_NS, XMLNS_NS } from './namespaces.js';
import type { XmlElement } from './xml-tree.js';

/**
 * Chooses one prefix per namespace used anywhere in the tree: our canonical prefix for the CPIX
 * family (cpix, pskc, speke, ds, enc), otherwise the request's own prefix, otherwise a fresh one.
 * All of them are declared on the root, so every emitted namespace is declared exactly once.
 */
function assignPrefixes(root: XmlElement): Map<string, string> {
  const prefixes = new Map<string, string>();
  const taken = new Set<string>(['xml', 'xmlns', ...CANONICAL_PREFIXES.values()]);
  const requested = new Map<string, string>();
  const stack: XmlElement[] = [root];
  while (stack.length > 0) {
    const el = stack.pop()!;
    note(el.ns, el.prefix);
    for (const a of el.attributes) if (a.ns !== '') note(a.ns, a.prefix);
    for (const c of el.children) if (c.kind === 'element') stack.push(c);
  }
  function note(ns: string, prefix: string): void {
    if (ns === '' || ns === XML_NS || prefixes.has(ns)) return;
    const canonical = CANONICAL_PREFIXES.get(ns);
    if (canonical !== undefined) prefixes.set(ns, canonical);
    else if (!requested.has(ns)) requested.set(ns, prefix);
  }
  let counter = 0;
  for (const [ns, prefix] of requested) {
    let chosen = prefix;
    if (chosen === '' || taken.has(chosen)) {
      do chosen = `ns${++counter}`;
      while (taken.has(chosen));
    }
    taken.add(chosen);
    prefixes.set(ns, chosen);
  }
  return prefixes;
}

function qualified(prefixes: Map<string, string>, ns: string, local: string): string {
  if (ns === '') return local;
  if (ns === XML_NS) return `xml:${local}`;
  return `${prefixes.get(ns)}:${local}`;
}

/** Renders the tree as a UTF-8 XML document with every namespace it uses declared on the root. */
export function writeXml(root: XmlElement, options: { pretty?: boolean } = {}): string {
  const prefixes = assignPrefixes(root);
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const rootBuilder = doc.ele(root.ns === '' ? null : root.ns, qualified(prefixes, root.ns, root.local));
  const declared = [...prefixes].sort(([a], [b]) => (a === root.ns ? -1 : b === root.ns ? 1 : 0));
  for (const [ns, prefix] of declared) rootBuilder.att(XMLNS_NS, `xmlns:${prefix}`, ns);
  fill(rootBuilder, root, prefixes);
  return doc.end({ prettyPrint: options.pretty ?? true, headless: false });
}

function fill(builder: XMLBuilder, el: XmlElement, prefixes: Map<string, string>): void {
  for (const a of el.attributes) {
    if (a.ns === '') builder.att(a.local, a.value);
    else builder.att(a.ns, qualified(prefixes, a.ns, a.local), a.value);
  }
  for (const child of el.children) {
    if (child.kind === 'text') builder.txt(child.text);
    else fill(builder.ele(child.ns === '' ? null : child.ns, qualified(prefixes, child.ns, child.local)), child, prefixes);
  }
}
