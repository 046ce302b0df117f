import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { XMLNS_NS } from './namespaces.js';
import { assignPrefixes, checkedName, declarationsOf, Names } from './xml-names.js';
import type { XmlElement } from './xml-tree.js';

/**
 * The parts of xmlbuilder2's DOM (`XMLBuilder.node` is a W3C DOM implementation) used here to
 * build the document before xmlbuilder2 serializes it.
 */
interface DomDocument {
  readonly documentElement: object | null;
  removeChild(node: object): object;
  createElement(qualifiedName: string): DomElement;
  createElementNS(namespace: string, qualifiedName: string): DomElement;
  createAttributeNS(namespace: string | null, qualifiedName: string): object;
  createTextNode(data: string): object;
  appendChild(node: object): object;
}
interface DomElement {
  setAttribute(qualifiedName: string, value: string): void;
  setAttributeNS(namespace: string, qualifiedName: string, value: string): void;
  appendChild(node: object): object;
}

interface Frame {
  source: XmlElement;
  node: DomElement;
  index: number;
}

/**
 * Renders the tree as a UTF-8 XML document with every namespace it uses declared on the root.
 *
 * Every element and attribute name is written already qualified with the prefix chosen above, and
 * every namespace is declared on the root, so xmlbuilder2 serializes a plain DOM: its namespace
 * fix-up would find nothing to fix, and skipping it (with the per-call overhead of the builder
 * API) is what makes this fast. Each distinct name is first checked as xmlbuilder2's
 * namespace-aware `ele(ns, name)` / `att(ns, name, value)` checks it; a name they refuse is
 * refused with a 400 (see checkName in xml-names.ts). A tree with XHTML elements is built namespace-aware, since
 * xmlbuilder2 writes those HTML-style.
 */
export function writeXmlWithXmlbuilder2(root: XmlElement, options: { pretty?: boolean } = {}): string {
  const { prefixes, html } = assignPrefixes(root);
  const declared = declarationsOf(root, prefixes);
  const writer = new DomWriter(prefixes, html);
  const pretty = options.pretty ?? true;

  // Document order throughout (element, its attributes, then its children), as the builder went;
  // the root's namespace declarations come right after its name.
  const declarations = () => declared.map(([ns, prefix]) => writer.declaration(prefix, ns));
  // Long lists of a large answer are rendered in chunks (see renderChunks): every name is then
  // checked up front, in that order, so that the first bad name is still the one reported.
  let lists = pretty && !html ? root.children.filter((c): c is XmlElement => c.kind === 'element' && isChunkable(c)) : [];
  if (lists.length > 0 && !writer.checkAll(root, declarations)) lists = [];

  const builder = newDocument();
  const doc = builder.node as unknown as DomDocument;
  const top = writer.element(doc, root, declarations);
  doc.appendChild(top);
  const placeholders = new Map(lists.map((list, i) => [list, `${PLACEHOLDER_PREFIX}${i}`]));
  writer.fill(doc, root, top, placeholders);
  let out = builder.end({ prettyPrint: pretty, headless: false });
  for (const [list, placeholder] of placeholders) {
    // The placeholder is the list's only child: a line of its own, two levels in.
    const marker = `${INDENT.repeat(2)}<${placeholder}/>`;
    const at = out.indexOf(marker);
    out = out.slice(0, at) + renderChunks(writer, list) + out.slice(at + marker.length);
  }
  return out;
}

/**
 * Every `&` as `&amp;` before xmlbuilder2 serializes: it escapes an `&` only where it does not
 * start what looks like a reference (`&name;`, `&#123;`), so `AT&T;` came out as `AT&T;`, which is
 * not well-formed, and `&lt;` as a `<`. What it leaves alone is then exactly the `&amp;` put here.
 */
function ampersands(text: string): string {
  return text.indexOf('&') < 0 ? text : text.replaceAll('&', '&amp;');
}

const newDocument = (): XMLBuilder => create({ version: '1.0', encoding: 'UTF-8' });

/** xmlbuilder2's default pretty-print indentation. */
const INDENT = '  ';

/** Children per separately rendered chunk; longer lists directly under the root are chunked. */
const CHUNK_CHILDREN = 128;

/** Placeholders are no-namespace elements named so; a tree with such an element is not chunked. */
const PLACEHOLDER_PREFIX = 'speke-chunk-';

/** A root child with more children than one chunk, all of them elements (no mixed content). */
function isChunkable(list: XmlElement): boolean {
  return list.children.length > CHUNK_CHILDREN && list.children.every((c) => c.kind === 'element');
}

/** Builds DOM nodes for tree elements, with names qualified, checked and remembered per render. */
class DomWriter {
  private readonly names: Names;

  constructor(
    prefixes: Map<string, string>,
    private readonly html: boolean,
  ) {
    this.names = new Names(prefixes);
  }

  name(kind: 'e' | 'a', ns: string, local: string): string {
    return this.names.of(kind, ns, local);
  }

  /** The root's declaration of one namespace, as [qualified name, value]. */
  declaration(prefix: string, ns: string): [string, string] {
    const qname = `xmlns:${prefix}`;
    checkedName('a', XMLNS_NS, qname);
    return [qname, ns];
  }

  /** An element with its attributes (and, for the root, its namespace declarations first). */
  element(doc: DomDocument, el: XmlElement, declarations?: () => [string, string][]): DomElement {
    const html = this.html;
    const qname = this.name('e', el.ns, el.local);
    const node = html && el.ns !== '' ? doc.createElementNS(el.ns, qname) : doc.createElement(qname);
    if (declarations) {
      for (const [name, value] of declarations()) {
        if (html) node.setAttributeNS(XMLNS_NS, name, ampersands(value));
        else node.setAttribute(name, ampersands(value));
      }
    }
    for (const a of el.attributes) {
      const name = this.name('a', a.ns, a.local);
      if (html && a.ns !== '') node.setAttributeNS(a.ns, name, ampersands(a.value));
      else node.setAttribute(name, ampersands(a.value));
    }
    return node;
  }

  /**
   * Builds the subtree below `source` into `node` (iterative: nesting depth never costs stack).
   * An element with a placeholder gets that placeholder as its only child instead of its own.
   */
  fill(doc: DomDocument, source: XmlElement, node: DomElement, placeholders?: ReadonlyMap<XmlElement, string>): void {
    const stack: Frame[] = [{ source, node, index: 0 }];
    for (let frame = stack.at(-1); frame !== undefined; frame = stack.at(-1)) {
      const child = frame.source.children[frame.index++];
      if (child === undefined) stack.pop();
      else if (child.kind === 'text') frame.node.appendChild(doc.createTextNode(ampersands(child.text)));
      else {
        const childNode = this.element(doc, child);
        frame.node.appendChild(childNode);
        const placeholder = placeholders?.get(child);
        if (placeholder !== undefined) childNode.appendChild(doc.createElement(placeholder));
        else stack.push({ source: child, node: childNode, index: 0 });
      }
    }
  }

  /**
   * Checks every name of the tree in document order. Returns false when the tree has an element a
   * chunk placeholder could be taken for (then nothing is chunked).
   */
  checkAll(root: XmlElement, declarations: () => unknown): boolean {
    let placeholderSafe = true;
    const visit = (el: XmlElement) => {
      this.name('e', el.ns, el.local);
      if (el.ns === '' && el.local.startsWith(PLACEHOLDER_PREFIX)) placeholderSafe = false;
      if (el === root) declarations();
      for (const a of el.attributes) this.name('a', a.ns, a.local);
    };
    visit(root);
    const stack: { el: XmlElement; index: number }[] = [{ el: root, index: 0 }];
    for (let frame = stack.at(-1); frame !== undefined; frame = stack.at(-1)) {
      const child = frame.el.children[frame.index++];
      if (child === undefined) stack.pop();
      else if (child.kind === 'element') {
        visit(child);
        stack.push({ el: child, index: 0 });
      }
    }
    return placeholderSafe;
  }
}

/**
 * A long list rendered a chunk of children at a time, each chunk its own small document under a
 * stand-in parent at the list's depth (xmlbuilder2's `offset`), so that the DOM of a 1,000-key
 * answer never lives all at once and its garbage stays young. The lines are exactly those the
 * whole-document serialization writes for these children: indentation and layout of an element
 * depend only on its depth and its own content.
 */
function renderChunks(writer: DomWriter, list: XmlElement): string {
  const builder = newDocument();
  const doc = builder.node as unknown as DomDocument;
  const parts: string[] = [];
  for (let start = 0; start < list.children.length; start += CHUNK_CHILDREN) {
    const parent = doc.createElement('chunk');
    doc.appendChild(parent);
    writer.fill(doc, { ...list, children: list.children.slice(start, start + CHUNK_CHILDREN) }, parent);
    const text = builder.end({ prettyPrint: true, headless: true, offset: 1 });
    doc.removeChild(parent);
    // Drop the stand-in parent's own lines: `  <chunk>` first, `  </chunk>` last.
    parts.push(text.slice(text.indexOf('\n') + 1, text.lastIndexOf('\n')));
  }
  return parts.join('\n');
}
