import { jest } from '@jest/globals';
import { NamespaceScope } from '../../src/cpix/namespace-scope.js';
import { XML_NS } from '../../src/cpix/namespaces.js';
import { readXml } from '../../src/cpix/read.js';
import type { XmlElement } from '../../src/cpix/xml-tree.js';
import { repeatedNamespaceDeclarations } from '../support/requests.js';

const elements = (node: XmlElement): XmlElement[] => node.children.filter((c): c is XmlElement => c.kind === 'element');

describe('namespace scope chain', () => {
  it('an element that declares one prefix stores one binding, whatever its parent holds (no copy)', () => {
    const root = NamespaceScope.root(XML_NS).child();
    for (let i = 0; i < 8000; i++) root.declare(`p${i}`, `urn:p${i}`);
    const child = root.child();
    child.declare('q', 'urn:q');
    expect(root.ownBindings).toBe(8000);
    expect(child.ownBindings).toBe(1);
    expect(child.lookup('p7999')).toBe('urn:p7999');
    expect(child.lookup('q')).toBe('urn:q');
    expect(root.lookup('q')).toBeUndefined();
    expect(child.lookup('xml')).toBe(XML_NS);
  });

  it('inner declarations shadow outer ones, and an empty default namespace undeclares the outer default', () => {
    const outer = NamespaceScope.root(XML_NS).child();
    outer.declare('', 'urn:outer');
    outer.declare('a', 'urn:a');
    const inner = outer.child();
    inner.declare('a', 'urn:inner-a');
    inner.declare('', '');
    expect(inner.lookup('a')).toBe('urn:inner-a');
    expect(inner.lookup('')).toBe('');
    expect(outer.lookup('a')).toBe('urn:a');
    expect(outer.lookup('')).toBe('urn:outer');
  });

  it('reads a document: siblings do not see each other’s declarations, children see their ancestors’', () => {
    const root = readXml('<r xmlns="urn:d" xmlns:a="urn:a"><a:x xmlns:b="urn:b"><b:y/><z/></a:x><w xmlns=""><a:v/></w><b:u xmlns:b="urn:b2"/></r>');
    const [x, w, u] = elements(root);
    expect([root.ns, x!.ns, u!.ns]).toEqual(['urn:d', 'urn:a', 'urn:b2']);
    expect(elements(x!).map((e) => e.ns)).toEqual(['urn:b', 'urn:d']);
    expect(w!.ns).toBe('');
    expect(elements(w!)[0]!.ns).toBe('urn:a');
    expect(() => readXml('<r><a:x xmlns:a="urn:a"/><a:y/></r>')).toThrow(/prefix "a" of a:y is not declared/);
  });

  it('reading work grows with the document, not with declarations × declaring elements', () => {
    // Counts every Map entry stored while reading (the parser's own included): linear reading adds
    // a few per redeclaring element; copying the in-scope bindings added `prefixes` per element.
    const entriesStored = (redeclaring: number): number => {
      const { body } = repeatedNamespaceDeclarations({ prefixes: 2000, redeclaring });
      const set = jest.spyOn(Map.prototype, 'set');
      try {
        readXml(body);
        return set.mock.calls.length;
      } finally {
        set.mockRestore();
      }
    };
    const perElement = (entriesStored(2000) - entriesStored(1000)) / 1000;
    expect(perElement).toBeLessThan(10);
  });

  it('reads the 649 KB request with 8,000 prefixes and 25,000 redeclaring elements and resolves every element', () => {
    const { body, redeclaring } = repeatedNamespaceDeclarations();
    expect(body.length).toBeGreaterThan(600 * 1024);
    const root = readXml(body);
    const junk = elements(root).filter((e) => e.ns === 'urn:example:x');
    expect(junk).toHaveLength(redeclaring);
    expect(root.attributes.length).toBe(1); // id; the 8,000 declarations are bindings, not attributes
  });
});
