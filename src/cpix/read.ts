import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MalformedRequestError } from '../speke/errors.js';
import { NamespaceScope } from './namespace-scope.js';
import { XML_NS, XMLNS_NS } from './namespaces.js';
import type { XmlAttribute, XmlElement } from './xml-tree.js';

/** CPIX documents nest about eight levels; anything far deeper is hostile. */
export const MAX_ELEMENT_DEPTH = 64;

/** fast-xml-parser's options for reading requests (exported for the benchmarks' library-cost figures). */
export const XML_PARSER_OPTIONS = {
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
  // Callbacks get the path matcher instead of a path string built for every tag (none is used).
  jPath: false,
} as const;

/** XMLValidator's options: attributes must have values. */
export const XML_VALIDATOR_OPTIONS = { allowBooleanAttributes: false } as const;

const parser = new XMLParser(XML_PARSER_OPTIONS);

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

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes a request body: UTF-8 only (an initial BOM is tolerated), never a lossy decode. */
export function decodeUtf8(body: Uint8Array): string {
  try {
    // One decoder for every call: a whole-body decode (no `stream`) starts from a clean state.
    return utf8.decode(body);
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
  if (/<!(?:DOCTYPE|ENTITY)/i.test(xml)) {
    throw new MalformedRequestError('DOCTYPE and entity declarations are not allowed');
  }
  const valid = XMLValidator.validate(xml, XML_VALIDATOR_OPTIONS);
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
  scope: NamespaceScope;
  depth: number;
}

/**
 * Iterative conversion (no recursion, so hostile nesting cannot exhaust the stack). Whitespace
 * between elements is layout, not content: once an element is complete, if it has element
 * children, its whitespace-only text children are dropped, so the answer can be laid out anew.
 */
function convert(rootRaw: RawNode): XmlElement {
  const rootScope = NamespaceScope.root(XML_NS);
  const rootName = elementName(rootRaw)!;
  const root = convertElement(rootRaw, rootName, rootScope);
  const stack: Frame[] = [{ raw: childrenOf(rootRaw, rootName), index: 0, target: root.element, scope: root.scope, depth: 1 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.index >= frame.raw.length) {
      stack.pop();
      dropWhitespaceBetweenElements(frame.target);
      continue;
    }
    const node = frame.raw[frame.index++]!;
    const textValue = node['#text'];
    if (typeof textValue === 'string') {
      pushText(frame.target, decodeEntities(textValue));
      continue;
    }
    const cdataValue = node['#cdata'];
    if (Array.isArray(cdataValue)) {
      const cdata = (cdataValue as RawNode[]).map((c) => String(c['#text'] ?? '')).join('');
      pushText(frame.target, cdata);
      continue;
    }
    if (node['#comment'] !== undefined) continue;
    if (frame.depth >= MAX_ELEMENT_DEPTH) throw new MalformedRequestError(`XML nesting deeper than ${MAX_ELEMENT_DEPTH} levels`);
    const name = elementName(node)!;
    const child = convertElement(node, name, frame.scope);
    frame.target.children.push(child.element);
    stack.push({ raw: childrenOf(node, name), index: 0, target: child.element, scope: child.scope, depth: frame.depth + 1 });
  }
  return root.element;
}

function childrenOf(node: RawNode, name: string | undefined): RawNode[] {
  const children = name === undefined ? undefined : node[name];
  return Array.isArray(children) ? (children as RawNode[]) : [];
}

function pushText(target: XmlElement, value: string): void {
  const last = target.children[target.children.length - 1];
  if (last?.kind === 'text') last.text += value;
  else target.children.push({ kind: 'text', text: value });
}

function isDeclaration(name: string): boolean {
  return name === 'xmlns' || name.startsWith('xmlns:');
}

function convertElement(node: RawNode, qname: string, parentScope: NamespaceScope): { element: XmlElement; scope: NamespaceScope } {
  const rawAttributes = node[':@'];
  const names = rawAttributes === undefined ? [] : Object.keys(rawAttributes);
  let scope = parentScope;
  for (const name of names) {
    if (isDeclaration(name)) {
      // Only this element's own declarations are stored; the parent's are reached through the chain.
      if (scope === parentScope) scope = parentScope.child();
      scope.declare(name === 'xmlns' ? '' : name.slice(6), decodeEntities(rawAttributes![name]!));
    }
  }
  const colon = qname.indexOf(':');
  const prefix = colon < 0 ? '' : qname.slice(0, colon);
  const local = colon < 0 ? qname : qname.slice(colon + 1);
  const ns = resolve(scope, prefix, qname);
  const attributes: XmlAttribute[] = [];
  for (const name of names) {
    if (isDeclaration(name)) continue;
    const at = name.indexOf(':');
    const attrPrefix = at < 0 ? '' : name.slice(0, at);
    // Unprefixed attributes are in no namespace, whatever the default namespace is.
    const attrNs = attrPrefix === '' ? '' : resolve(scope, attrPrefix, name);
    if (attrNs === XMLNS_NS) continue;
    attributes.push({ ns: attrNs, local: at < 0 ? name : name.slice(at + 1), prefix: attrPrefix, value: decodeEntities(rawAttributes![name]!) });
  }
  return { element: { kind: 'element', ns, local, prefix, attributes, children: [] }, scope };
}

function resolve(scope: NamespaceScope, prefix: string, qname: string): string {
  const uri = scope.lookup(prefix);
  if (uri !== undefined) return uri;
  if (prefix === '') return '';
  throw new MalformedRequestError(`Body is not well-formed XML: prefix "${prefix}" of ${qname} is not declared`);
}

/** Drops the whitespace-only text children of an element that has element children. */
function dropWhitespaceBetweenElements(node: XmlElement): void {
  const children = node.children;
  let elements = false;
  let blank = false;
  for (const c of children) {
    if (c.kind === 'element') elements = true;
    else if (c.text.trim() === '') blank = true;
  }
  if (elements && blank) node.children = children.filter((c) => c.kind === 'element' || c.text.trim() !== '');
}
