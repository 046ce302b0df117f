import { XMLNS_NS } from './namespaces.js';
import { writeXmlWithXmlbuilder2 } from './write-xmlbuilder2.js';
import { assignPrefixes, checkedName, declarationsOf, Names } from './xml-names.js';
import type { XmlElement } from './xml-tree.js';
import { required } from '../required.js';

/**
 * Renders the tree as a UTF-8 XML document with every namespace it uses declared on the root: the
 * answer's text, written directly from the project's tree.
 *
 * The output is byte for byte what xmlbuilder2 writes for the same tree (writeXmlWithXmlbuilder2,
 * the reference renderer; tests/unit/render-identity.test.ts renders every fixture and random trees
 * both ways): its declaration, its pretty-printing rules (two-space indentation; an element with no
 * children, or only empty text, as `<name/>`; text-only content on the element's line; in mixed
 * content every non-empty text on a line of its own), its escaping (`&` not starting an entity or a
 * decimal character reference, `<`, `>`; in attribute values also `"`), a repeated attribute name
 * keeping its first place and its last value. Names are checked as xmlbuilder2's namespace-aware
 * builder checks them (checkName), in document order, so a request it could not write is refused
 * with the same 400. A tree with XHTML elements, which xmlbuilder2 writes HTML-style, is rendered by
 * xmlbuilder2 itself.
 */
export function writeXml(root: XmlElement, options: { pretty?: boolean } = {}): string {
  const { prefixes, html } = assignPrefixes(root);
  if (html) return writeXmlWithXmlbuilder2(root, options);
  const pretty = options.pretty ?? true;
  const nl = pretty ? '\n' : '';
  const names = new Names(prefixes);
  // One string built by appending (V8 joins the pieces once, when the text is first read whole).
  let out = `<?xml version="1.0" encoding="UTF-8"?>${nl}`;

  /** This render's scratch list of an element's attribute names. */
  const attributeNames: string[] = [];

  /** The start tag up to (not including) its closing `>` or `/>`, names checked in document order. */
  const openTag = (el: XmlElement, qname: string, level: number, isRoot: boolean): string => {
    let tag = `${pretty ? indent(level) : ''}<${qname}`;
    if (!isRoot && el.attributes.length <= 8) {
      // The common case: a few attributes, no name twice, written in their order.
      const n = el.attributes.length;
      for (const [i, a] of el.attributes.entries()) attributeNames[i] = names.of('a', a.ns, a.local);
      let unique = true;
      for (let i = 1; i < n && unique; i++) for (let j = 0; j < i; j++) if (attributeNames[i] === attributeNames[j]) unique = false;
      if (unique) {
        for (const [i, a] of el.attributes.entries()) tag += ` ${required(attributeNames[i], 'the attribute name')}="${escapeAttribute(a.value)}"`;
        return tag;
      }
    }
    // The root's namespace declarations come first, checked right after the root's own name.
    const attributes: [string, string][] = isRoot
      ? declarationsOf(root, prefixes).map(([ns, prefix]): [string, string] => {
          const name = `xmlns:${prefix}`;
          checkedName('a', XMLNS_NS, name);
          return [name, ns];
        })
      : [];
    // As the DOM's setAttribute: a name set again keeps its first place and takes the new value
    // (looked up in a map once an element has more than a few attributes).
    let at: Map<string, number> | undefined;
    for (const a of el.attributes) {
      const name = names.of('a', a.ns, a.local);
      let existing = -1;
      if (at !== undefined) existing = at.get(name) ?? -1;
      else {
        for (const [i, [n]] of attributes.entries()) if (n === name) existing = i;
        if (attributes.length >= 8) at = new Map(attributes.map(([n], i) => [n, i]));
      }
      const same = attributes[existing];
      if (same !== undefined) same[1] = a.value;
      else {
        at?.set(name, attributes.length);
        attributes.push([name, a.value]);
      }
    }
    for (const [name, value] of attributes) tag += ` ${name}="${escapeAttribute(value)}"`;
    return tag;
  };

  // Iterative (nesting depth never costs stack): a frame per element whose children are elements.
  const stack: { el: XmlElement; qname: string; index: number; level: number }[] = [];
  const open = (el: XmlElement, level: number, isRoot: boolean) => {
    const qname = names.of('e', el.ns, el.local);
    const tag = openTag(el, qname, level, isRoot);
    const children = el.children;
    let textOnly = true;
    for (const c of children) {
      if (c.kind === 'element') {
        textOnly = false;
        break;
      }
    }
    if (children.length === 0) {
      out += `${tag}/>${nl}`;
    } else if (textOnly) {
      let content = '';
      for (const c of children) if (c.kind === 'text') content += escapeText(c.text);
      // Pretty-printed, an element whose texts are all empty is written as an empty element.
      if (pretty && content === '') out += `${tag}/>${nl}`;
      else out += `${tag}>${content}</${qname}>${nl}`;
    } else {
      out += `${tag}>${nl}`;
      stack.push({ el, qname, index: 0, level });
    }
  };

  open(root, 0, true);
  for (let frame = stack.at(-1); frame !== undefined; frame = stack.at(-1)) {
    const child = frame.el.children[frame.index++];
    if (child === undefined) {
      stack.pop();
      out += `${pretty ? indent(frame.level) : ''}</${frame.qname}>${nl}`;
    } else if (child.kind === 'element') {
      open(child, frame.level + 1, false);
    } else if (child.text !== '') {
      out += pretty ? `${indent(frame.level + 1)}${escapeText(child.text)}\n` : escapeText(child.text);
    }
  }
  // xmlbuilder2 drops the pretty-printed document's final newline.
  return pretty && out.endsWith('\n') ? out.slice(0, -1) : out;
}

const INDENTS: string[] = [''];

/** xmlbuilder2's pretty-print indentation: two spaces a level. */
function indent(level: number): string {
  for (let last = INDENTS.length - 1; last < level; last++) INDENTS.push(`${required(INDENTS[last], 'the indentation')}  `);
  return required(INDENTS[level], 'the indentation');
}

/**
 * Whether a text needs escaping: three indexOf scans, much faster than one character-class regex
 * over the long base64 texts of an answer (same answer: true exactly when `&`, `<` or `>` occurs).
 */
function hasTextSpecial(text: string): boolean {
  return text.indexOf('&') >= 0 || text.indexOf('<') >= 0 || text.indexOf('>') >= 0;
}

function escapeText(text: string): string {
  if (!hasTextSpecial(text)) return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(value: string): string {
  if (!hasTextSpecial(value) && value.indexOf('"') < 0) return value;
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
