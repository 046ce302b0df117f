import { NS } from '../cpix/namespaces.js';
import { element, text, type XmlElement } from '../cpix/xml-tree.js';

/** ContentKey children that the CPIX schema places after Data (cpix:KeyType sequence). */
const AFTER_DATA = new Set(['UserId', 'Policy', 'Extensions']);

/**
 * Puts `<cpix:Data><pskc:Secret>…</pskc:Secret></cpix:Data>` into a ContentKey, replacing any
 * Data the request carried, at the position the schema gives it.
 */
export function setKeyData(contentKey: XmlElement, secretChildren: XmlElement[]): void {
  const data = element(NS.cpix, 'Data', [element(NS.pskc, 'Secret', secretChildren)]);
  const kept = contentKey.children.filter(
    (c) => !(c.kind === 'element' && c.ns === NS.cpix && c.local === 'Data') && !(c.kind === 'text' && c.text.trim() === ''),
  );
  const at = kept.findIndex((c) => c.kind === 'element' && c.ns === NS.cpix && AFTER_DATA.has(c.local));
  kept.splice(at < 0 ? kept.length : at, 0, data);
  contentKey.children = kept;
}

export function plainValue(key: Buffer): XmlElement {
  return element(NS.pskc, 'PlainValue', [text(key.toString('base64'))]);
}
