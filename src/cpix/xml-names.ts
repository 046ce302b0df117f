import { create } from 'xmlbuilder2';
import { MalformedRequestError } from '../errors.js';
import { CANONICAL_PREFIXES, XML_NS } from './namespaces.js';
import type { XmlElement } from './xml-tree.js';

/** xmlbuilder2 writes void elements of this namespace HTML-style (`<br />`) and skips `template` content. */
export const HTML_NS = 'http://www.w3.org/1999/xhtml';

/**
 * Chooses one prefix per namespace used anywhere in the tree: our canonical prefix for the CPIX
 * family (cpix, pskc, speke, ds, enc), otherwise the request's own prefix, otherwise a fresh one.
 * All of them are declared on the root, so every emitted namespace is declared exactly once.
 * Also reports whether the tree has elements xmlbuilder2 serializes as HTML (see writeXml).
 */
export function assignPrefixes(root: XmlElement): { prefixes: Map<string, string>; html: boolean } {
  const prefixes = new Map<string, string>();
  const requested = new Map<string, string>();
  let html = false;
  const stack: XmlElement[] = [root];
  for (let el = stack.pop(); el !== undefined; el = stack.pop()) {
    note(el.ns, el.prefix);
    if (el.ns === HTML_NS) html = true;
    for (const a of el.attributes) if (a.ns !== '') note(a.ns, a.prefix);
    for (const c of el.children) if (c.kind === 'element') stack.push(c);
  }
  function note(ns: string, prefix: string): void {
    if (ns === '' || ns === XML_NS || prefixes.has(ns)) return;
    const canonical = CANONICAL_PREFIXES.get(ns);
    if (canonical !== undefined) prefixes.set(ns, canonical);
    else if (!requested.has(ns)) requested.set(ns, prefix);
  }
  // Only namespaces outside the CPIX family need a prefix chosen (none, in what encryptors send).
  if (requested.size > 0) {
    const taken = new Set<string>(['xml', 'xmlns', ...CANONICAL_PREFIXES.values()]);
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
  }
  return { prefixes, html };
}

export function qualified(prefixes: Map<string, string>, ns: string, local: string): string {
  if (ns === '') return local;
  if (ns === XML_NS) return `xml:${local}`;
  return `${prefixes.get(ns)}:${local}`;
}

/** The root's namespace declarations in the order they are written: the root's own namespace first. */
export function declarationsOf(root: XmlElement, prefixes: Map<string, string>): [string, string][] {
  return [...prefixes].sort(([a], [b]) => (a === root.ns ? -1 : b === root.ns ? 1 : 0));
}

/**
 * Names known to pass checkName: per kind, namespace and prefix, the local names (so a lookup
 * hashes the parts as read, never a freshly joined qualified name). Bounded, emptied when full.
 */
const CHECKED = { e: new Map<string, Map<string, Set<string>>>(), a: new Map<string, Map<string, Set<string>>>() };
const CHECKED_MAX = 4096;
let checkedCount = 0;
let scratch: ScratchDocument | undefined;

interface ScratchDocument {
  createElement(qualifiedName: string): object;
  createElementNS(namespace: string, qualifiedName: string): object;
  createAttributeNS(namespace: string | null, qualifiedName: string): object;
}

/**
 * checkName, remembered: a name checked once (in any request) is not checked again. Only names
 * that passed are kept, so a refused name is refused every time. `qname` is `prefix:local`, or
 * `local` when the prefix is empty.
 */
export function checkedName(kind: 'e' | 'a', ns: string, qname: string): void {
  const colon = qname.indexOf(':');
  checkedParts(kind, ns, colon < 0 ? '' : qname.slice(0, colon), colon < 0 ? qname : qname.slice(colon + 1), qname);
}

function checkedParts(kind: 'e' | 'a', ns: string, prefix: string, local: string, qname: string): void {
  let byPrefix = CHECKED[kind].get(ns);
  let known = byPrefix?.get(prefix);
  if (known?.has(local)) return;
  checkName((scratch ??= create().node as unknown as ScratchDocument), kind, ns, qname);
  if (checkedCount >= CHECKED_MAX) {
    CHECKED.e.clear();
    CHECKED.a.clear();
    checkedCount = 0;
    byPrefix = known = undefined;
  }
  if (byPrefix === undefined) CHECKED[kind].set(ns, (byPrefix = new Map<string, Set<string>>()));
  if (known === undefined) byPrefix.set(prefix, (known = new Set()));
  known.add(local);
  checkedCount++;
}

/**
 * Refuses, with a 400, a name xmlbuilder2's namespace-aware builder cannot write: an element name
 * that is not an XML Name (no namespace) or a qualified name that is not a QName (two colons, a
 * trailing colon) or contradicts its namespace (`xml`, `xmlns`), an attribute name that is not a
 * QName, a namespace starting with `@` (which the builder takes for an alias). Such a request is not
 * namespace-well-formed; the DOM checks run on the render's scratch document, once per distinct name.
 */
function checkName(scratch: ScratchDocument, kind: 'e' | 'a', ns: string, qname: string): void {
  try {
    if (ns.startsWith('@')) throw new Error('namespace alias');
    if (kind === 'a') scratch.createAttributeNS(ns === '' ? null : ns, qname);
    else if (ns === '') scratch.createElement(qname);
    else scratch.createElementNS(ns, qname);
  } catch {
    const local = qname.slice(qname.indexOf(':') + 1);
    const shown = (value: string) => (value.length > 80 ? `${value.slice(0, 80)}…` : value);
    throw new MalformedRequestError(
      `Body is not well-formed XML: ${kind === 'e' ? 'element' : 'attribute'} name "${shown(local)}"${ns === '' ? '' : ` in namespace "${shown(ns)}"`} is not namespace-well-formed`,
    );
  }
}

/** Qualified names of one render, each checked (checkedName) the first time it is met. */
export class Names {
  private readonly known = { e: new Map<string, Map<string, string>>(), a: new Map<string, Map<string, string>>() };

  constructor(private readonly prefixes: Map<string, string>) {}

  of(kind: 'e' | 'a', ns: string, local: string): string {
    let byLocal = this.known[kind].get(ns);
    if (byLocal === undefined) this.known[kind].set(ns, (byLocal = new Map<string, string>()));
    let qname = byLocal.get(local);
    if (qname === undefined) {
      const prefix = ns === '' ? '' : ns === XML_NS ? 'xml' : `${this.prefixes.get(ns)}`;
      qname = prefix === '' ? local : `${prefix}:${local}`;
      checkedParts(kind, ns, prefix, local, qname);
      byLocal.set(local, qname);
    }
    return qname;
  }
}
