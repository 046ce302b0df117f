import { NS } from '../cpix/namespaces.js';
import type { XmlElement } from '../cpix/xml-tree.js';

/**
 * Removes from a v2 answer every element and attribute in the deprecated SPEKE v1 namespace
 * (`urn:aws:amazon:com:speke`) wherever the request put them, so the namespace is neither used nor
 * declared (SPEKE.md §3.1; MediaPackage v2 refuses v1 markup). DRMSystem children, URIExtXKey
 * among them, are dropped earlier by fillDrmSystem; this catches the rest of the tree.
 */
export function removeV1OnlyMarkup(root: XmlElement): void {
  const stack: XmlElement[] = [root];
  for (let el = stack.pop(); el !== undefined; el = stack.pop()) {
    if (el.attributes.some((a) => a.ns === NS.speke)) el.attributes = el.attributes.filter((a) => a.ns !== NS.speke);
    if (el.children.some((c) => c.kind === 'element' && c.ns === NS.speke)) {
      el.children = el.children.filter((c) => c.kind !== 'element' || c.ns !== NS.speke);
    }
    for (const c of el.children) if (c.kind === 'element') stack.push(c);
  }
}
