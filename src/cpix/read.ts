import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { MalformedRequestError } from '../errors.js';
import { required } from '../required.js';
import { NamespaceScope } from './namespace-scope.js';
import { knownNamespace, XML_NS, XMLNS_NS } from './namespaces.js';
import type { XmlAttribute, XmlElement } from './xml-tree.js';

/** CPIX documents nest about eight levels; anything far deeper is hostile. */
export const MAX_ELEMENT_DEPTH = 64;

/** Not an XML name character: a marked name cannot be mistaken for one as written. */
const NAME_MARK = '$';

/** Marks a name once (fast-xml-parser transforms a self-closing tag's name twice). */
function markName(name: string): string {
  return name.startsWith(NAME_MARK) ? name : NAME_MARK + name;
}

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
  // Every element and attribute name becomes a property name marked with NAME_MARK, so that no
  // name is one fast-xml-parser guards against prototype pollution: unmarked, it refuses
  // `<constructor/>` and renames `<toString/>` to `__toString` (echoed altered).
  transformTagName: markName,
  transformAttributeName: markName,
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
    if (!isXmlChar(code)) throw new MalformedRequestError('Body is not well-formed XML: invalid character reference');
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
 *
 * Documents written the way encryptors write them (see readPlainXml) are read in one pass over the
 * text; anything else, every malformed document included, goes to fast-xml-parser (validator, then
 * parser), which gives the same tree or the same refusal (tests/unit/read-identity.test.ts).
 */
export function readXml(xml: string): XmlElement {
  return readPlainXml(xml) ?? readXmlWithFastXmlParser(xml);
}

/**
 * XML 1.0's Char production: tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD, U+10000–U+10FFFF. Any other
 * character, literal or as a reference (`&#1;`), makes a document not well-formed; echoed, it
 * would make the answer so too.
 */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** Literal characters outside Char (a UTF-8 body has no lone surrogates: decodeUtf8 refuses them). */
// Control characters are what this pattern is for: one regex scan of the body, not a loop.
// eslint-disable-next-line no-control-regex
const DISALLOWED_LITERAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

function refuseDisallowedCharacters(xml: string): void {
  const found = DISALLOWED_LITERAL.exec(xml);
  if (found !== null) {
    const code = found[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new MalformedRequestError(`Body is not well-formed XML: character U+${code} is not allowed`);
  }
}

/** The reference reader: fast-xml-parser's validator and parser, then namespace resolution. */
export function readXmlWithFastXmlParser(xml: string): XmlElement {
  refuseDisallowedCharacters(xml);
  if (xml.trim() === '') throw new MalformedRequestError('Body is empty');
  if (/<!(?:DOCTYPE|ENTITY)/i.test(xml)) {
    throw new MalformedRequestError('DOCTYPE and entity declarations are not allowed');
  }
  // fast-xml-parser 5 marks XMLValidator deprecated in favour of its separate fast-xml-validator
  // package, whose validator has other defaults (it checks the XML declaration's attribute order)
  // and texts; the refusals here are pinned (tests/unit/read-identity.test.ts, the v2 texts), so the
  // move is a change of behaviour of its own, not part of a lint clean-up.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const valid = XMLValidator.validate(xml, XML_VALIDATOR_OPTIONS);
  if (valid !== true) throw new MalformedRequestError(`Body is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  let raw: RawNode[];
  try {
    raw = parser.parse(xml) as RawNode[];
  } catch (error) {
    throw new MalformedRequestError(`Body is not well-formed XML: ${(error as Error).message}`);
  }
  const roots = raw.filter((n) => elementKey(n) !== undefined);
  const strayText = raw.some((n) => typeof n['#text'] === 'string' && n['#text'].trim() !== '');
  if (roots.length !== 1 || strayText) throw new MalformedRequestError('Body is not well-formed XML: a document has exactly one root element');
  return convert(required(roots[0], 'the root element'));
}

/** The property holding an element's children: its marked name (see NAME_MARK). */
function elementKey(node: RawNode): string | undefined {
  for (const key of Object.keys(node)) if (key.startsWith(NAME_MARK)) return key;
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
  const rootKey = required(elementKey(rootRaw), 'the root element name');
  const root = convertElement(attributePairs(rootRaw), rootKey.slice(NAME_MARK.length), rootScope);
  const stack: Frame[] = [{ raw: childrenOf(rootRaw, rootKey), index: 0, target: root.element, scope: root.scope, depth: 1 }];
  for (let frame = stack.at(-1); frame !== undefined; frame = stack.at(-1)) {
    const node = frame.raw[frame.index++];
    if (node === undefined) {
      stack.pop();
      dropWhitespaceBetweenElements(frame.target);
      continue;
    }
    const textValue = node['#text'];
    if (typeof textValue === 'string') {
      pushText(frame.target, decodeEntities(textValue));
      continue;
    }
    const cdataValue = node['#cdata'];
    if (Array.isArray(cdataValue)) {
      const cdata = (cdataValue as { '#text'?: string | number }[]).map((c) => String(c['#text'] ?? '')).join('');
      pushText(frame.target, cdata);
      continue;
    }
    if (node['#comment'] !== undefined) continue;
    if (frame.depth >= MAX_ELEMENT_DEPTH) throw new MalformedRequestError(`XML nesting deeper than ${MAX_ELEMENT_DEPTH} levels`);
    const key = required(elementKey(node), 'the element name');
    const child = convertElement(attributePairs(node), key.slice(NAME_MARK.length), frame.scope);
    frame.target.children.push(child.element);
    stack.push({ raw: childrenOf(node, key), index: 0, target: child.element, scope: child.scope, depth: frame.depth + 1 });
  }
  return root.element;
}

function childrenOf(node: RawNode, key: string): RawNode[] {
  const children = node[key];
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

/** fast-xml-parser's attributes of an element as [name, raw value] pairs, in document order. */
function attributePairs(node: RawNode): [string, string][] {
  const rawAttributes = node[':@'];
  return rawAttributes === undefined ? [] : Object.entries(rawAttributes).map(([key, value]) => [key.slice(NAME_MARK.length), value]);
}

function notNamespaceWellFormed(detail: string): MalformedRequestError {
  return new MalformedRequestError(`Body is not well-formed XML: ${detail}`);
}

/**
 * Where a name's prefix ends: -1 for none. Refuses a name that is no QName (Namespaces in XML 1.0
 * §4): more than one colon, or an empty prefix or local part (`<:a/>`, `<a:/>`, `xmlns:`), which
 * fast-xml-parser reads as names.
 */
function prefixEnd(name: string): number {
  const colon = name.indexOf(':');
  if (colon >= 0 && (colon === 0 || colon === name.length - 1 || name.indexOf(':', colon + 1) >= 0)) {
    throw notNamespaceWellFormed(`${name} is not a qualified name`);
  }
  return colon;
}

/**
 * A namespace declaration, as Namespaces in XML 1.0 §3 allows it: `xml` only for its own
 * namespace and that namespace for no other prefix, neither the `xmlns` prefix nor its namespace
 * declared, and no prefix undeclared (`xmlns:p=""`, a 1.1 feature; the default namespace may be).
 */
function declare(scope: NamespaceScope, prefix: string, uri: string): void {
  if (prefix === 'xmlns' || uri === XMLNS_NS) throw notNamespaceWellFormed('the xmlns prefix and namespace cannot be declared');
  if ((prefix === 'xml') !== (uri === XML_NS)) throw notNamespaceWellFormed(`the xml prefix is bound to ${XML_NS} only, and that namespace to no other prefix`);
  if (prefix !== '' && uri === '') throw notNamespaceWellFormed(`prefix "${prefix}" cannot be undeclared`);
  scope.declare(prefix, uri);
}

/** An element from its qualified name and attributes ([name, value as written] pairs, document order). */
function convertElement(pairs: [string, string][], qname: string, parentScope: NamespaceScope): { element: XmlElement; scope: NamespaceScope } {
  let scope = parentScope;
  for (const [name, value] of pairs) {
    if (isDeclaration(name)) {
      // Only this element's own declarations are stored; the parent's are reached through the chain.
      if (scope === parentScope) scope = parentScope.child();
      declare(scope, name === 'xmlns' ? '' : name.slice(prefixEnd(name) + 1), knownNamespace(decodeEntities(value)));
    }
  }
  const colon = prefixEnd(qname);
  const prefix = colon < 0 ? '' : qname.slice(0, colon);
  const local = colon < 0 ? qname : qname.slice(colon + 1);
  const ns = resolve(scope, prefix, qname);
  const attributes: XmlAttribute[] = [];
  let prefixed = 0;
  for (const [name, value] of pairs) {
    if (isDeclaration(name)) continue;
    const at = prefixEnd(name);
    const attrPrefix = at < 0 ? '' : name.slice(0, at);
    // Unprefixed attributes are in no namespace, whatever the default namespace is.
    const attrNs = attrPrefix === '' ? '' : resolve(scope, attrPrefix, name);
    if (attrPrefix !== '') prefixed++;
    attributes.push({ ns: attrNs, local: at < 0 ? name : name.slice(at + 1), prefix: attrPrefix, value: decodeEntities(value) });
  }
  // Two prefixes bound to one namespace make two attribute names one (`a:x` and `b:x`); names
  // written twice the parsers refuse themselves.
  if (prefixed > 1) refuseRepeatedAttributes(attributes, qname);
  return { element: { kind: 'element', ns, local, prefix, attributes, children: [] }, scope };
}

function refuseRepeatedAttributes(attributes: XmlAttribute[], qname: string): void {
  const seen = new Set<string>();
  for (const a of attributes) {
    if (a.ns === '') continue;
    const expanded = `{${a.ns}}${a.local}`;
    if (seen.has(expanded)) throw notNamespaceWellFormed(`attribute ${expanded} appears twice on ${qname}`);
    seen.add(expanded);
  }
}

function resolve(scope: NamespaceScope, prefix: string, qname: string): string {
  const uri = scope.lookup(prefix);
  if (uri !== undefined) return uri;
  if (prefix === '') return '';
  throw notNamespaceWellFormed(`prefix "${prefix}" of ${qname} is not declared`);
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

/** The XML declaration as encryptors write it, at the very start. */
const DECLARATION = /<\?xml version="1\.[0-9]"(?: encoding="[A-Za-z][A-Za-z0-9._-]*")?(?: standalone="(?:yes|no)")?\?>/y;
/** An element or attribute name of ASCII letters, digits, `._-`, with at most one prefix. */
const NAME = /[A-Za-z_][A-Za-z0-9._-]*(?::[A-Za-z_][A-Za-z0-9._-]*)?/y;
const SPACE = /[ \t\r\n]*/y;

interface PlainFrame {
  qname: string;
  element: XmlElement;
  scope: NamespaceScope;
}

/**
 * The one-pass reader for documents in the plain form encryptors send: an optional XML
 * declaration, elements with ASCII names and quoted attributes (no name twice), text, comments
 * without `--` inside, LF line ends only, whitespace around the root, nesting within MAX_ELEMENT_DEPTH. It builds the
 * same tree readXmlWithFastXmlParser builds (same namespace resolution, entity decoding and
 * whitespace rules: the functions are shared). Returns undefined for anything outside that form,
 * or on any error, so that the reference reader decides, with its own message.
 */
export function readPlainXml(xml: string): XmlElement | undefined {
  // Characters XML does not allow are refused by the reference reader, with its message.
  if (DISALLOWED_LITERAL.test(xml)) return undefined;
  try {
    return scanPlainXml(xml);
  } catch {
    return undefined;
  }
}

function scanPlainXml(xml: string): XmlElement | undefined {
  // fast-xml-parser turns CR LF and CR into LF everywhere; such documents are left to it.
  if (xml.includes('\r')) return undefined;
  const end = xml.length;
  let i = 0;
  if (xml.startsWith('<?', 0)) {
    DECLARATION.lastIndex = 0;
    if (!DECLARATION.test(xml)) return undefined;
    i = DECLARATION.lastIndex;
  }
  const skipMisc = (): boolean => {
    for (;;) {
      SPACE.lastIndex = i;
      SPACE.test(xml);
      i = SPACE.lastIndex;
      if (!xml.startsWith('<!--', i)) return true;
      const close = xml.indexOf('--', i + 4);
      if (close < 0 || xml.charCodeAt(close + 2) !== 0x3e) return false;
      i = close + 3;
    }
  };
  if (!skipMisc() || xml.charCodeAt(i) !== 0x3c) return undefined;
  let root: XmlElement | undefined;
  const stack: PlainFrame[] = [];
  const rootScope = NamespaceScope.root(XML_NS);
  while (i < end && (root === undefined || stack.length > 0)) {
    const lt = xml.indexOf('<', i);
    const top = stack[stack.length - 1];
    if (lt !== i) {
      // Text (only inside the root).
      if (top === undefined || lt < 0) return undefined;
      const text = xml.slice(i, lt);
      if (text.includes(']]>')) return undefined;
      pushText(top.element, decodeEntities(text));
      i = lt;
      continue;
    }
    const next = xml.charCodeAt(i + 1);
    if (next === 0x2f) {
      // </name>
      if (top === undefined || !xml.startsWith(top.qname, i + 2) || xml.charCodeAt(i + 2 + top.qname.length) !== 0x3e) return undefined;
      i += 3 + top.qname.length;
      stack.pop();
      dropWhitespaceBetweenElements(top.element);
      continue;
    }
    if (next === 0x21) {
      // A comment inside the root; CDATA and declarations go to the reference reader.
      if (top === undefined || !xml.startsWith('<!--', i)) return undefined;
      const close = xml.indexOf('--', i + 4);
      if (close < 0 || xml.charCodeAt(close + 2) !== 0x3e) return undefined;
      i = close + 3;
      continue;
    }
    NAME.lastIndex = i + 1;
    if (!NAME.test(xml)) return undefined;
    const qname = xml.slice(i + 1, NAME.lastIndex);
    i = NAME.lastIndex;
    const pairs: [string, string][] = [];
    for (;;) {
      // One attribute: whitespace, a NAME, `=`, a value in either quote without `<`; scanned by
      // hand (no regex match array per attribute). Anything else ends the list.
      let j = i;
      for (let c = xml.charCodeAt(j); c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a; c = xml.charCodeAt(++j));
      if (j === i) break;
      NAME.lastIndex = j;
      if (!NAME.test(xml)) break;
      const nameEnd = NAME.lastIndex;
      if (xml.charCodeAt(nameEnd) !== 0x3d) break;
      const quote = xml.charCodeAt(nameEnd + 1);
      if (quote !== 0x22 && quote !== 0x27) break;
      const close = xml.indexOf(quote === 0x22 ? '"' : "'", nameEnd + 2);
      if (close < 0) break;
      const value = xml.slice(nameEnd + 2, close);
      if (value.includes('<')) break;
      const name = xml.slice(j, nameEnd);
      for (const [n] of pairs) if (n === name) return undefined;
      pairs.push([name, value]);
      i = close + 1;
    }
    SPACE.lastIndex = i;
    SPACE.test(xml);
    i = SPACE.lastIndex;
    const selfClosing = xml.charCodeAt(i) === 0x2f;
    if (selfClosing) i++;
    if (xml.charCodeAt(i) !== 0x3e) return undefined;
    i++;
    if (stack.length >= MAX_ELEMENT_DEPTH) return undefined;
    const converted = convertElement(pairs, qname, top?.scope ?? rootScope);
    if (top === undefined) root = converted.element;
    else top.element.children.push(converted.element);
    if (!selfClosing) stack.push({ qname, element: converted.element, scope: converted.scope });
  }
  if (root === undefined || stack.length > 0) return undefined;
  if (!skipMisc() || i !== end) return undefined;
  return root;
}
