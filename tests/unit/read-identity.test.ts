import fc from 'fast-check';
import { benchCases } from '../../bench/fixtures.js';
import { readPlainXml, readXml, readXmlWithFastXmlParser } from '../../src/cpix/read.js';
import type { XmlElement } from '../../src/cpix/xml-tree.js';
import { MalformedRequestError } from '../../src/errors.js';
import { baselineBodies } from '../support/baseline-bodies.js';
import { answer } from '../support/core.js';
import { withDeliveryData } from '../support/encryption.js';
import { KID_A, KID_B, SYSTEM, v1Aes128, v21Request, v2Request } from '../support/requests.js';

/**
 * Requests in the plain form encryptors send are read in one pass (readPlainXml); everything else
 * by fast-xml-parser's validator and parser (readXmlWithFastXmlParser, the reference). For any text
 * the two give the same tree, or the same refusal with the same message.
 */
type Outcome = { tree: XmlElement } | { error: string };

function outcome(read: (xml: string) => XmlElement, xml: string): Outcome {
  try {
    return { tree: read(xml) };
  } catch (error) {
    return { error: error instanceof MalformedRequestError ? `400 ${error.message}` : `other ${String(error)}` };
  }
}

function expectSameAsReference(xml: string): void {
  expect(outcome(readXml, xml)).toEqual(outcome(readXmlWithFastXmlParser, xml));
  const plain = readPlainXml(xml);
  // Whatever the one-pass reader accepts, the reference accepts with the same tree.
  if (plain !== undefined) expect(readXmlWithFastXmlParser(xml)).toEqual(plain);
}

const HLS_PAIR = '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>';
const WV = { systemId: SYSTEM.widevine, children: `<cpix:PSSH/><cpix:ContentProtectionData/>${HLS_PAIR}` };
const PR = { systemId: SYSTEM.playready, children: `<cpix:PSSH/><cpix:ContentProtectionData/>${HLS_PAIR}` };
const FP = { systemId: SYSTEM.fairplay, children: HLS_PAIR };
const VIDEO_AUDIO = [
  { kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' },
  { kid: KID_B, trackType: 'AUDIO', filter: '<cpix:AudioFilter/>' },
];

/** Documents in the encryptors' plain form: each must take the one-pass path. */
const PLAIN: [string, string][] = [
  ...benchCases().map((c): [string, string] => [`bench (${c.id})`, c.body.toString('utf8')]),
  ...baselineBodies().map((b): [string, string] => [`baseline ${b.name}`, b.xml]),
  ['v1 AES-128', v1Aes128()],
  ['v1 encrypted', withDeliveryData(v1Aes128())],
  ['v2 CMAF with periods', v2Request({ keys: VIDEO_AUDIO, systems: [WV, PR, FP], periods: true })],
  [
    'v2.1 with times',
    v21Request({
      keys: VIDEO_AUDIO,
      systems: [WV, FP],
      periodList: [{ id: 'p1', attributes: 'index="1" start="2030-01-01T00:00:00Z" end="2030-01-01T01:00:00Z"' }],
    }),
  ],
  [
    'entities, comments, single quotes, a default namespace',
    `<?xml version="1.0" encoding="UTF-8"?>\n<!-- before -->\n<CPIX xmlns="urn:dashif:org:cpix" id='a &amp; &#65;&#x42; &lt;b&gt;' x:y="1" xmlns:x="urn:x"><!-- in -->t&quot;<ContentKeyList>\n\t<ContentKey kid="${KID_A}"/></ContentKeyList>tail</CPIX>\n<!-- after -->\n`,
  ],
];

describe('the one-pass reader reads what fast-xml-parser reads', () => {
  it.each(PLAIN.map(([name, xml]) => ({ name, xml })))('$name takes the one-pass path and gives the reference tree', ({ xml }) => {
    const plain = readPlainXml(xml);
    expect(plain).toBeDefined();
    expect(plain).toEqual(readXmlWithFastXmlParser(xml));
  });

  it.each([
    ['CDATA', '<r><![CDATA[x]]></r>'],
    ['a processing instruction', '<r><?pi x?></r>'],
    ['a DOCTYPE', '<!DOCTYPE r><r/>'],
    ['a non-ASCII name', '<é/>'],
    ['a comment with -- inside', '<r><!-- a -- b --></r>'],
    ['an attribute value with <', '<r a="<"/>'],
    ['whitespace before the declaration', ' <?xml version="1.0"?><r/>'],
    ['a closing tag with a space', '<r></r >'],
    ['CR LF line ends', '<r a="x\r\ny">t\r\n</r>'],
    // fast-xml-parser drops text after the root element (and so accepts it): left to it, as before.
    ['text after the root', '<r/>trailing'],
  ])('leaves %s to the reference reader, with the same outcome', (_name, xml) => {
    expect(readPlainXml(xml)).toBeUndefined();
    expectSameAsReference(xml);
  });
});

/** Malformed documents: refused with a 400 by the reader, and by the whole core. */
const MALFORMED: Record<string, string> = {
  'truncated inside an element': '<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"><cpix:ContentKeyList>',
  'truncated inside a start tag': '<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"><cpix:ContentKeyList',
  'truncated inside an attribute value': '<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" id="abc',
  'truncated inside an end tag': '<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"></cpix:CPI',
  'truncated comment': '<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"><!-- never closed',
  'unbalanced tags': '<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"><cpix:ContentKeyList></cpix:DRMSystemList></cpix:CPIX>',
  'unbalanced: child left open': '<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"><cpix:ContentKeyList></cpix:CPIX>',
  'crossed tags': '<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"><a><b></a></b></cpix:CPIX>',
  'an extra end tag': '<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"></cpix:CPIX></cpix:CPIX>',
  'an end tag only': '</cpix:CPIX>',
  'two roots': '<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"/><cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"/>',
  'text before the root': 'leading<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"/>',
  'an unquoted attribute': '<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" id=abc/>',
  'an attribute without a value': '<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" id/>',
  'an attribute twice': '<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" id="a" id="b"/>',
  'attributes without space between': '<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" id="a"name="b"/>',
  'a name starting with a digit': '<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"><1a/></cpix:CPIX>',
  'a bare < in text': '<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix">a < b</cpix:CPIX>',
  'a bare & in text': '<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix">a & b</cpix:CPIX>',
  'an undefined entity': '<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix" id="&nope;"/>',
  'an unbound prefix': '<x:CPIX/>',
  'an empty tag': '<cpix:CPIX xmlns:cpix="urn:dashif:org:cpix"><></cpix:CPIX>',
};

describe('malformed documents are refused with a 400 (reader and core)', () => {
  it.each(Object.keys(MALFORMED))('%s', (name) => {
    const xml = MALFORMED[name]!;
    expect(readPlainXml(xml)).toBeUndefined();
    expect(() => readXml(xml)).toThrow(MalformedRequestError);
    expectSameAsReference(xml);
    let error: unknown;
    try {
      answer(xml, '2.0');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MalformedRequestError);
    expect((error as MalformedRequestError).status).toBe(400);
  });
});

describe('property: any text reads the same both ways', () => {
  const valid = [v1Aes128(), v2Request({ keys: VIDEO_AUDIO, systems: [WV, PR, FP], periods: true }), PLAIN[PLAIN.length - 1]![1]];
  const inserts = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.constantFrom(
      '<',
      '>',
      '"',
      "'",
      '&',
      '&amp;',
      '&#0;',
      '&#x41;',
      '&lt;',
      '/',
      '=',
      ' ',
      '\n',
      '\r\n',
      '\t',
      '<!--',
      '-->',
      '--',
      ']]>',
      '<![CDATA[',
      '<?x?>',
      '</cpix:CPIX>',
      '<a>',
      '</a>',
      '<a/>',
      ' a="1"',
      " a='1'",
      ' xmlns:q="urn:q"',
      ' q:a="1"',
      ' xmlns="urn:d"',
      ' xmlns:q=""',
      ' xmlns:xml="urn:q"',
      '<:x/>',
      '<q:/>',
      '<constructor/>',
      '<toString>',
      'xmlns:cpix="urn:other"',
      '<q:x/>',
      'é',
      '\u0000',
    ),
  );

  it('mutations of plain requests (insertions, deletions, replacements)', () => {
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.nat(), fc.nat(12), inserts, (doc, at, len, insert) => {
        const source = valid[doc]!;
        const i = at % (source.length + 1);
        expectSameAsReference(source.slice(0, i) + insert + source.slice(i + len));
      }),
      { numRuns: 3000 },
    );
  });

  it('small generated documents with every kind of name, attribute and text', () => {
    const names = fc.constantFrom('a', 'b', 'q:a', 'cpix:CPIX', 'x.y-z_1', '_u', 'a:b:c', 'xmlns', 'xml:lang', 'constructor', 'toString', 'r:a');
    const values = fc.oneof(fc.constantFrom('', 'v', 'a&amp;b', '&#65;', '&lt;', "it's", 'say "hi"', 'a\nb', 'urn:q', 'a>b'), fc.string({ maxLength: 6 }));
    const attr = fc
      .tuple(fc.constantFrom('a', 'b', 'q:a', 'r:a', 'xmlns', 'xmlns:q', 'xmlns:r', 'xml:lang', 'xmlns:xml', '__proto__'), values, fc.constantFrom('"', "'"))
      .map(([n, v, q]) => (v.includes(q) ? '' : ` ${n}=${q}${v}${q}`));
    const text = fc.oneof(fc.constantFrom('', ' ', '\n  ', 't', 'a&amp;b', 'x > y', '&#x10FFFF;', ']]>', '&'), fc.string({ maxLength: 6 }));
    const tree = fc.letrec<{ el: string; node: string }>((tie) => ({
      el: fc
        .tuple(
          names,
          fc.array(attr, { maxLength: 3 }),
          fc.oneof({ depthSize: 'small', maxDepth: 4 }, fc.constant(null), fc.array(tie('node'), { maxLength: 4 })),
        )
        .map(([n, a, c]) => (c === null ? `<${n}${a.join('')}/>` : `<${n}${a.join('')}>${c.join('')}</${n}>`)),
      node: fc.oneof({ depthSize: 'small', maxDepth: 4 }, text, tie('el'), fc.constant('<!-- c -->')),
    }));
    const prolog = fc.constantFrom('', '<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?>\n', '\n', '<!-- p -->');
    fc.assert(
      fc.property(prolog, tree.el, fc.constantFrom('', '\n', ' <!-- e -->'), (p, el, epilog) =>
        expectSameAsReference(`${p}${el.replace(/^<([^ />]+)/, '<$1 xmlns:q="urn:q"')}${epilog}`),
      ),
      { numRuns: 3000 },
    );
  });
});
