import { readXml, decodeUtf8 } from '../../src/cpix/read.js';
import { MalformedRequestError } from '../../src/errors.js';
import { answer } from '../support/core.js';
import { all, CPIX, one, parse, PSKC, SPEKE } from '../support/xml.js';
import { KID_A, SYSTEM } from '../support/requests.js';
import { openAnswer, privateKey, certificateBase64 } from '../support/encryption.js';

/** What `run` throws (undefined when it returns). */
function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

const BODY = (root: string, cpix: (n: string) => string, decl: string) =>
  `<${root} ${decl} id="ch-1"><${cpix('ContentKeyList')}><${cpix('ContentKey')} kid="${KID_A}"/></${cpix('ContentKeyList')}>` +
  `<${cpix('DRMSystemList')}><${cpix('DRMSystem')} kid="${KID_A}" systemId="${SYSTEM.hlsAes128}"><${cpix('URIExtXKey')}/></${cpix('DRMSystem')}></${cpix('DRMSystemList')}></${root.split(' ')[0]}>`;

describe('reading CPIX requests namespace-aware', () => {
  const variants: Record<string, string> = {
    'cpix prefix': BODY('cpix:CPIX', (n) => `cpix:${n}`, 'xmlns:cpix="urn:dashif:org:cpix"'),
    'another prefix': BODY('c:CPIX', (n) => `c:${n}`, 'xmlns:c="urn:dashif:org:cpix"'),
    'default namespace': BODY('CPIX', (n) => n, 'xmlns="urn:dashif:org:cpix"'),
    'prefix bound to pskc name': BODY('pskc:CPIX', (n) => `pskc:${n}`, 'xmlns:pskc="urn:dashif:org:cpix"'),
  };
  const reference = answer(variants['cpix prefix']!).body;

  it.each(Object.keys(variants))('answers a request written with %s', (name) => {
    const out = answer(variants[name]!);
    const doc = parse(out.body);
    expect(doc.ns).toBe(CPIX);
    expect(one(doc, PSKC, 'PlainValue').text).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(one(doc, CPIX, 'URIExtXKey').text).not.toBe('');
    // The same request in any spelling gets the same answer.
    expect(out.body).toBe(reference);
  });

  it('reads speke, pskc and ds children under any prefix or a default namespace', () => {
    const body =
      `<c:CPIX xmlns:c="urn:dashif:org:cpix" xmlns:aws="urn:aws:amazon:com:speke" xmlns:kp="urn:ietf:params:xml:ns:keyprov:pskc" id="ch-1">` +
      `<c:DeliveryDataList><c:DeliveryData id="r1"><c:DeliveryKey><X509Data xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Certificate>${certificateBase64('rsa-2048')}</X509Certificate></X509Data></c:DeliveryKey></c:DeliveryData></c:DeliveryDataList>` +
      `<c:ContentKeyList><c:ContentKey kid="${KID_A}"><c:Data><kp:Secret><kp:PlainValue>stale</kp:PlainValue></kp:Secret></c:Data></c:ContentKey></c:ContentKeyList>` +
      `<c:DRMSystemList><c:DRMSystem kid="${KID_A}" systemId="${SYSTEM.hlsAes128}"><c:URIExtXKey/><aws:KeyFormat/><KeyFormatVersions xmlns="urn:aws:amazon:com:speke"/></c:DRMSystem></c:DRMSystemList></c:CPIX>`;
    const out = answer(body).body;
    const doc = parse(out);
    // speke children under a custom prefix and under a default namespace are both filled
    expect(Buffer.from(one(doc, SPEKE, 'KeyFormat').text, 'base64').toString()).toBe('identity');
    expect(Buffer.from(one(doc, SPEKE, 'KeyFormatVersions').text, 'base64').toString()).toBe('1');
    // the certificate under a default ds namespace was found: the key is encrypted for it (enc declared)
    expect(out).toContain('xmlns:enc="http://www.w3.org/2001/04/xmlenc#"');
    expect(out).not.toContain('stale');
    const opened = openAnswer(out, privateKey('rsa-2048'));
    expect(opened.keys.get(KID_A)).toHaveLength(16);
  });

  it('declares every namespace it emits, even when the request omitted pskc', () => {
    const out = answer(variants['default namespace']!).body;
    expect(out).toContain('xmlns:cpix="urn:dashif:org:cpix"');
    expect(out).toContain('xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc"');
    expect(() => parse(out)).not.toThrow();
  });

  it('keeps unknown elements and attributes, with their namespaces', () => {
    const body = variants['cpix prefix']!.replace(
      '<cpix:ContentKeyList>',
      '<x:Vendor xmlns:x="urn:example:vendor" x:flag="on"><x:Note>kept</x:Note></x:Vendor><cpix:ContentKeyList>',
    );
    const doc = parse(answer(body).body);
    const vendor = one(doc, 'urn:example:vendor', 'Vendor');
    expect(one(vendor, 'urn:example:vendor', 'Note').text).toBe('kept');
    expect(Object.entries(vendor.attrs).some(([k, v]) => k.endsWith(':flag') && v === 'on')).toBe(true);
    // order kept: the vendor element still comes before ContentKeyList
    expect(doc.children.map((c) => c.name)).toEqual(['Vendor', 'ContentKeyList', 'DRMSystemList']);
  });

  it('ignores elements that look like CPIX but are in another namespace', () => {
    const body = `<CPIX xmlns="urn:dashif:org:cpix" id="x"><ContentKeyList xmlns="urn:not-cpix"><ContentKey kid="${KID_A}"/></ContentKeyList></CPIX>`;
    expect(() => answer(body)).toThrow('Missing ContentKeyList');
  });

  it('refuses a root that is not {urn:dashif:org:cpix}CPIX', () => {
    expect(() => answer('<CPIX id="x"/>')).toThrow(MalformedRequestError);
    expect(() => answer('<cpix:Other xmlns:cpix="urn:dashif:org:cpix"/>')).toThrow(MalformedRequestError);
  });
});

describe('hostile or broken XML is refused with a 400', () => {
  const cases: Record<string, string> = {
    DOCTYPE: '<!DOCTYPE CPIX><CPIX xmlns="urn:dashif:org:cpix"/>',
    'entity declaration': '<!DOCTYPE r [<!ENTITY a "aaaa">]><CPIX xmlns="urn:dashif:org:cpix" id="&a;"/>',
    'external entity': '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><CPIX xmlns="urn:dashif:org:cpix" id="&x;"/>',
    'undefined entity': '<CPIX xmlns="urn:dashif:org:cpix" id="&nope;"/>',
    truncated: '<CPIX xmlns="urn:dashif:org:cpix"><ContentKeyList>',
    'two roots': '<CPIX xmlns="urn:dashif:org:cpix"/><CPIX xmlns="urn:dashif:org:cpix"/>',
    'unbound prefix': '<x:CPIX/>',
    'not XML': 'hello world',
    empty: '',
    'deep nesting': `${'<a>'.repeat(50_000)}${'</a>'.repeat(50_000)}`,
  };
  it.each(Object.keys(cases))('%s', (name) => {
    const error = thrownBy(() => readXml(cases[name]!));
    expect(error).toBeInstanceOf(MalformedRequestError);
    expect((error as MalformedRequestError).status).toBe(400);
  });

  it.each([
    ['an element name with two colons', '<cpix:Content:Key/>'],
    ['a prefix bound to the xmlns namespace', '<x:Y xmlns:x="http://www.w3.org/2000/xmlns/"/>'],
    ['a namespace starting with @', '<x:Y xmlns:x="@alias"/>'],
  ])('refuses a document that is not namespace-well-formed (%s) with a 400, never a 500', (_name, element) => {
    const body = BODY('cpix:CPIX', (n) => `cpix:${n}`, 'xmlns:cpix="urn:dashif:org:cpix"').replace('<cpix:ContentKeyList>', `${element}<cpix:ContentKeyList>`);
    const error = thrownBy(() => answer(body));
    expect(error).toBeInstanceOf(MalformedRequestError);
    expect((error as MalformedRequestError).status).toBe(400);
  });

  // Namespaces in XML 1.0 §3-§6, which fast-xml-parser (not namespace-aware) lets through: each was
  // read as something else (`xmlns:="u"` as a default namespace, `<:a/>` as `<a/>`) or echoed into
  // an answer that is not namespace-well-formed.
  it.each([
    ['a prefix undeclared (a Namespaces 1.1 feature)', '<v:X xmlns:v="urn:v"><v:Y xmlns:v=""/></v:X>', 'prefix "v" cannot be undeclared'],
    ['an empty namespace for a prefix', '<v:X xmlns:v=""/>', 'prefix "v" cannot be undeclared'],
    ['a declaration with an empty prefix', '<X xmlns:="urn:v"/>', 'xmlns: is not a qualified name'],
    ['an element name with an empty prefix', '<:X/>', ':X is not a qualified name'],
    ['an element name with an empty local part', '<v: xmlns:v="urn:v"/>', 'v: is not a qualified name'],
    ['an attribute name with two colons', '<X xmlns:v="urn:v" v:a:b="1"/>', 'v:a:b is not a qualified name'],
    ['an attribute name with an empty prefix', '<X :a="1"/>', ':a is not a qualified name'],
    ['the xmlns prefix declared', '<X xmlns:xmlns="urn:v"/>', 'the xmlns prefix and namespace cannot be declared'],
    ['the xmlns namespace as the default', '<X xmlns="http://www.w3.org/2000/xmlns/"/>', 'the xmlns prefix and namespace cannot be declared'],
    ['the xml prefix bound elsewhere', '<X xmlns:xml="urn:v"/>', 'the xml prefix is bound to'],
    ['the xml namespace under another prefix', '<X xmlns:x="http://www.w3.org/XML/1998/namespace"/>', 'the xml prefix is bound to'],
    [
      'one attribute twice under two prefixes of one namespace',
      '<X xmlns:a="urn:v" xmlns:b="urn:v" a:n="1" b:n="2"/>',
      'attribute {urn:v}n appears twice on X',
    ],
  ])('refuses %s with a 400 that says so', (_name, element, message) => {
    const body = BODY('cpix:CPIX', (n) => `cpix:${n}`, 'xmlns:cpix="urn:dashif:org:cpix"').replace('<cpix:ContentKeyList>', `${element}<cpix:ContentKeyList>`);
    // Both readers: the one-pass reader (LF only) and fast-xml-parser's (CR LF line ends).
    for (const xml of [body, body.replace('<cpix:ContentKeyList>', '\r\n<cpix:ContentKeyList>')]) {
      const error = thrownBy(() => answer(xml));
      expect(error).toBeInstanceOf(MalformedRequestError);
      expect((error as MalformedRequestError).message).toContain(`Body is not well-formed XML: ${message}`);
    }
  });

  it('still reads the xml prefix declared for its own namespace, and two prefixes of one namespace on different names', () => {
    const root = readXml('<X xmlns:xml="http://www.w3.org/XML/1998/namespace" xmlns:a="urn:v" xmlns:b="urn:v" a:n="1" b:m="2" xml:lang="en"/>');
    expect(root.attributes.map((a) => [a.ns, a.local, a.value])).toEqual([
      ['urn:v', 'n', '1'],
      ['urn:v', 'm', '2'],
      ['http://www.w3.org/XML/1998/namespace', 'lang', 'en'],
    ]);
  });

  // fast-xml-parser guards its objects against prototype pollution by refusing `constructor`,
  // `__proto__` and `prototype` as names and renaming `hasOwnProperty`, `toString` and the like
  // to `__hasOwnProperty`; documents it reads (CR LF line ends, CDATA) had such elements refused
  // as malformed or echoed renamed. They are plain XML names.
  it.each(['\r\n', '<![CDATA[ ]]>'])('echoes foreign elements and attributes named like JavaScript properties unchanged (document with %j)', (marker) => {
    const names = ['constructor', '__proto__', 'prototype', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__'];
    const foreign = names.map((n) => `<${n} ${n}="v-${n}">t-${n}</${n}><${n}/>`).join('');
    const body = BODY('cpix:CPIX', (n) => `cpix:${n}`, 'xmlns:cpix="urn:dashif:org:cpix"').replace(
      '<cpix:ContentKeyList>',
      `<f:Foreign xmlns:f="urn:f"><f:In>${marker}</f:In>${foreign}</f:Foreign><cpix:ContentKeyList>`,
    );
    // Written back as they were read, laid out anew (the tests' own reader is fast-xml-parser too, so the text is compared).
    expect(answer(body).body.replace(/>\s+</g, '><')).toContain(`${foreign}</f:Foreign>`);
  });

  it('writes a namespace that looks like markup as the plain namespace it is', () => {
    const body = BODY('cpix:CPIX', (n) => `cpix:${n}`, 'xmlns:cpix="urn:dashif:org:cpix"').replace(
      '<cpix:ContentKeyList>',
      '<v:X xmlns:v="{&quot;a&quot;: 1}">t</v:X><cpix:ContentKeyList>',
    );
    const doc = parse(answer(body).body);
    expect(one(doc, '{"a": 1}', 'X').text).toBe('t');
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(() => decodeUtf8(Buffer.from([0x3c, 0x61, 0xff, 0xfe, 0x3e]))).toThrow('Body is not valid UTF-8');
  });

  it('decodes predefined entities and character references', () => {
    const root = readXml('<r a="&lt;&#x41;&#66;&amp;">x &gt; y</r>');
    expect(root.attributes[0]!.value).toBe('<AB&');
    expect(root.children[0]).toEqual({ kind: 'text', text: 'x > y' });
  });
});

describe('answers keep the request layout', () => {
  it('keeps comments out and every element of the request', () => {
    const body = BODY('cpix:CPIX', (n) => `cpix:${n}`, 'xmlns:cpix="urn:dashif:org:cpix" name="event"').replace(
      '<cpix:ContentKeyList>',
      '<!-- a comment --><cpix:ContentKeyList>',
    );
    const doc = parse(answer(body).body);
    expect(doc.attrs.name).toBe('event');
    expect(all(doc, CPIX, 'ContentKey')).toHaveLength(1);
  });
});
