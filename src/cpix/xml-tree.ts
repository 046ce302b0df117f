/**
 * A namespace-resolved XML tree: every element and attribute carries its namespace URI.
 * The request document is read into this tree, filled in place, and rendered back, so order,
 * attributes and unknown elements of the request are kept.
 */
export interface XmlAttribute {
  /** Namespace URI; '' for an unprefixed attribute (attributes do not take the default namespace). */
  ns: string;
  local: string;
  /** Prefix used in the request, '' when none. */
  prefix: string;
  value: string;
}

export interface XmlElement {
  kind: 'element';
  ns: string;
  local: string;
  prefix: string;
  attributes: XmlAttribute[];
  children: XmlNode[];
}

export interface XmlText {
  kind: 'text';
  text: string;
}

export type XmlNode = XmlElement | XmlText;

export function element(ns: string, local: string, children: XmlNode[] = [], attributes: XmlAttribute[] = []): XmlElement {
  return { kind: 'element', ns, local, prefix: '', attributes, children };
}

export function text(value: string): XmlText {
  return { kind: 'text', text: value };
}

export function isElement(node: XmlNode | undefined): node is XmlElement {
  return node !== undefined && node.kind === 'element';
}

export function childElements(parent: XmlElement): XmlElement[] {
  return parent.children.filter(isElement);
}

export function childrenNamed(parent: XmlElement, ns: string, local: string): XmlElement[] {
  return parent.children.filter((c): c is XmlElement => c.kind === 'element' && c.ns === ns && c.local === local);
}

export function firstChild(parent: XmlElement, ns: string, local: string): XmlElement | undefined {
  return parent.children.find((c): c is XmlElement => c.kind === 'element' && c.ns === ns && c.local === local);
}

/** Value of an unqualified attribute (the only kind CPIX defines). */
export function attr(el: XmlElement, local: string): string | undefined {
  return el.attributes.find((a) => a.ns === '' && a.local === local)?.value;
}

export function setAttr(el: XmlElement, local: string, value: string): void {
  const existing = el.attributes.find((a) => a.ns === '' && a.local === local);
  if (existing) existing.value = value;
  else el.attributes.push({ ns: '', local, prefix: '', value });
}

export function removeAttr(el: XmlElement, local: string): void {
  el.attributes = el.attributes.filter((a) => !(a.ns === '' && a.local === local));
}

/** Concatenated text content of an element's direct text children. */
export function textContent(el: XmlElement): string {
  return el.children.map((c) => (c.kind === 'text' ? c.text : '')).join('');
}

export function setText(el: XmlElement, value: string): void {
  el.children = [text(value)];
}
