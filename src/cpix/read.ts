import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MalformedRequestError } from '../speke/errors.js';
import { XML_NS, XMLNS_NS } from './namespaces.js';
import type { XmlAttribute, XmlElement, XmlNode } from './xml-tree.js';

/** CPIX documents nest about eight levels; anything far deeper is hostile. */
export const MAX_ELEMENT_DEPTH = 64;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Entities are decoded below, where undefined ones are refused; DOCTYPE never reaches the parser.
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: '#comment',
  cdataPropName: '#cdata',
});

type RawNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&([^;&\s]{0,12});?/g, (match, name: string) => {
    if (!match.endsWith(';')) throw new MalformedRequestError('Body is not well-formed XML: bare "&"');
    const predefined = PREDEFINED[name];
    if (predefined !== undefined) return predefined;
    const code = /^#x[0-9a-fA-F]+$/.test(name) ? parseInt(name.slice(2), 16) : /^#[0-9]+$/.test(name) ? parseInt(name.slice(1), 10) : NaN;
    if (Number.isNaN(code)) throw new MalformedRequestError(`Body is not well-formed XML: undefined entity &${name};`);
    if (code > 0x10ffff || code === 0 || (code >= 0xd800 && code <= 0xdfff)) {
      throw new MalformedRequestError('Body is not well-formed XML: invalid character reference');
    }
    return String.fromCodePoint(code);
  });
}

function splitName(qname: string): { prefix: string; local: string } {
  const i = qname.indexOf(':');
  return i < 0 ? { prefix: '', local: qname } : { prefix: qname.slice(0, i), local: qname.slice(i + 1) };
}

/** Decodes a request body: UTF-8 only (an initial BOM is tolerated), never a lossy decode. */
export function decodeUtf8(body: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
  } catch {
    throw new MalformedRequestError('Body is not valid UTF-8');
  }
}

/**
 * Parses an XML document into a namespace-resolved tree. Refuses DOCTYPE and entity declarations,
 * undefined entities, unbound prefixes, more than one root and nesting deeper than MAX_ELEMENT_DEPTH.
 */
export function readXml(xml: string): XmlElement {
  if (xml.trim() === '') throw new MalformedRequestError('Body is empty');
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) {
    throw new MalformedRequestError('DOCTYPE and entity declarations are not allowed');
  }
  const valid = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  if (valid !== true) throw new MalformedRequestError(`Body is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  let raw: RawNode[];
  try {
    raw = parser.parse(xml) as RawNode[];
  } catch (error) {
    throw new MalformedRequestError(`Body is not well-formed XML: ${(error as Error).message}`);
  }
  const roots = raw.filter((n) => elementName(n) !== undefined);
  const strayText = raw.some((n) => typeof n['#text'] === 'string' && (n['#text'] as string).trim() !== '');
  if (roots.length !== 1 || strayText) throw new MalformedRequestError('Body is not well-formed XML: a document has exactly one root element');
  return convert(roots[0]!);
}

function elementName(node: RawNode): string | undefined {
  for (const key of Object.keys(node)) if (key !== ':@' && key !== '#text' && key !== '#comment' && key !== '#cdata') return key;
  return undefined;
}

interface Frame {
  raw: RawNode[];
  index: number;
  target: XmlElement;
  scope: Map<string, string>;
  depth: number;
}

/** Iterative conversion (no recursion, so hostile nesting cannot exhaust the stack). */
function convert(rootRaw: RawNode): XmlElement {
  const rootScope = new Map<string, string>([['xml', XML_NS]]);
  const root = convertElement(rootRaw, rootScope);
  const stack: Frame[] = [{ raw: childrenOf(rootRaw), index: 0, target: root.element, scope: root.scope, depth: 1 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.index >= frame.raw.length) {
      stack.pop();
      continue;
    }
    const node = frame.raw[frame.index++]!;
    if (typeof node['#text'] === 'string') {
      pushText(frame.target, decodeEntities(node['#text']));
      continue;
    }
    if (Array.isArray(node['#cdata'])) {
      const cdata = (node['#cdata'] as RawNode[]).map((c) => String(c['#text'] ?? '')).join('');
      pushText(frame.target, cdata);
      continue;
    }
    if (node['#comment'] !== undefined) continue;
    if (frame.depth >= MAX_ELEMENT_DEPTH) throw new MalformedRequestError(`XML nesting deeper than ${MAX_ELEMENT_DEPTH} levels`);
    const child = convertElement(node, frame.scope);
    frame.target.children.push(child.element);
    stack.push({ raw: childrenOf(node), index: 0, target: child.element, scope: child.scope, depth: frame.depth + 1 });
  }
  dropWhitespaceBetweenElements(root.element);
  return root.element;
}

function childrenOf(node: RawNode): RawNode[] {
  const name = elementName(node);
  const children = name === undefined ? undefined : node[name];
  return Array.isArray(children) ? (children as RawNode[]) : [];
}

function pushText(target: XmlElement, value: string): void {
  const last = target.children[target.children.length - 1];
  if (last?.kind === 'text') last.text += value;
  else target.children.push({ kind: 'text', text: value });
}

function convertElement(node: RawNode, parentScope: Map<string, string>): { element: XmlElement; scope: Map<string, string> } {
  const qname = elementName(node)!;
  const rawAttributes = node[':@'] ?? {};
  let scope = parentScope;
  for (const [name, value] of Object.entries(rawAttributes)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (scope === parentScope) scope = new Map(parentScope);
      const uri = decodeEntities(value);
      scope.set(name === 'xmlns' ? '' : name.slice(6), uri);
    }
  }
  const { prefix, local } = splitName(qname);
  const ns = resolve(scope, prefix, qname);
  const attributes: XmlAttribute[] = [];
  for (const [name, value] of Object.entries(rawAttributes)) {
    if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
    const a = splitName(name);
    // Unprefixed attributes are in no namespace, whatever the default namespace is.
    const attrNs = a.prefix === '' ? '' : resolve(scope, a.prefix, name);
    if (attrNs === XMLNS_NS) continue;
    attributes.push({ ns: attrNs, local: a.local, prefix: a.prefix, value: decodeEntities(value) });
  }
  return { element: { kind: 'element', ns, local, prefix, attributes, children: [] }, scope };
}

function resolve(scope: Map<string, string>, prefix: string, qname: string): string {
  const uri = scope.get(prefix);
  if (uri !== undefined) return uri;
  if (prefix === '') return '';
  throw new MalformedRequestError(`Body is not well-formed XML: prefix "${prefix}" of ${qname} is not declared`);
}

/** Whitespace between elements is layout, not content: dropped so the answer can be laid out anew. */
function dropWhitespaceBetweenElements(root: XmlElement): void {
  const stack: XmlNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.kind !== 'element') continue;
    if (node.children.some((c) => c.kind === 'element')) {
      node.children = node.children.filter((c) => c.kind === 'element' || c.text.trim() !== '');
    }
    for (const child of node.children) stack.push(child);
  }
}
