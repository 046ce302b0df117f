import fc from 'fast-check';
import { SpekeHttpError } from '../../src/errors.js';
import { answer } from '../support/core.js';
import { all, CPIX, parse, PSKC } from '../support/xml.js';
import { SYSTEM, v1Aes128, v2Request } from '../support/requests.js';

/**
 * Property-based tests: whatever arrives, the core either answers or refuses with a 4xx; it never
 * throws anything else (which the entry points would turn into a 500) and never crashes.
 */
function outcome(body: string | Buffer, header?: string): number {
  try {
    answer(body, header);
    return 200;
  } catch (error) {
    if (error instanceof SpekeHttpError && error.status >= 400 && error.status < 500) return error.status;
    throw error;
  }
}

const headers = fc.constantFrom(undefined, '2.0', '2.1', '2.2', '', 'garbage');
const RUNS = { numRuns: 300 };

describe('property: no input produces anything but an answer or a 4xx', () => {
  it('arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), headers, (bytes, header) => outcome(Buffer.from(bytes), header) >= 200),
      RUNS,
    );
  });

  it('arbitrary strings, including XML-looking noise', () => {
    const xmlish = fc.stringMatching(/^[<>/="a-zA-Z0-9:\s!?&;#x-]{0,300}$/);
    fc.assert(
      fc.property(fc.oneof(fc.string(), xmlish), headers, (text, header) => outcome(text, header) >= 200),
      RUNS,
    );
  });

  it('arbitrary XML trees built from the CPIX vocabulary', () => {
    const names = fc.constantFrom(
      'CPIX',
      'ContentKeyList',
      'ContentKey',
      'DRMSystemList',
      'DRMSystem',
      'PSSH',
      'HLSSignalingData',
      'ContentKeyUsageRuleList',
      'ContentKeyUsageRule',
      'VideoFilter',
      'AudioFilter',
      'KeyPeriodFilter',
      'ContentKeyPeriodList',
      'ContentKeyPeriod',
      'DeliveryDataList',
      'URIExtXKey',
      'Data',
    );
    const attrNames = fc.constantFrom(
      'id',
      'kid',
      'systemId',
      'contentId',
      'version',
      'commonEncryptionScheme',
      'explicitIV',
      'intendedTrackType',
      'playlist',
      'periodId',
      'index',
    );
    const values = fc.oneof(
      fc.uuid(),
      fc.constantFrom('2.3', 'cbcs', 'cenc', 'ALL', 'media', 'master', SYSTEM.hlsAes128, SYSTEM.clearKeyAes128, SYSTEM.commonPssh, ''),
      fc.stringMatching(/^[a-zA-Z0-9 ._-]{0,20}$/),
    );
    const tree = fc.letrec<{ node: string }>((tie) => ({
      node: fc
        .tuple(
          names,
          fc.array(fc.tuple(attrNames, values), { maxLength: 4 }),
          fc.oneof({ depthSize: 'small', maxDepth: 6 }, fc.constant([]), fc.array(tie('node'), { maxLength: 4 })),
        )
        .map(([name, attrs, children]) => {
          const unique = new Map(attrs);
          const a = [...unique].map(([k, v]) => ` ${k}="${v}"`).join('');
          return `<cpix:${name}${a}>${children.join('')}</cpix:${name}>`;
        }),
    }));
    fc.assert(
      fc.property(tree.node, headers, (xml, header) => {
        const doc = xml.replace(/^<cpix:(\w+)/, '<cpix:$1 xmlns:cpix="urn:dashif:org:cpix"');
        return outcome(doc, header) >= 200;
      }),
      RUNS,
    );
  });

  it('mutations of valid requests', () => {
    const valid = [
      v1Aes128(),
      v2Request(),
      v2Request({ periods: true, systems: [{ systemId: SYSTEM.commonPssh, children: '<cpix:PSSH/><cpix:ContentProtectionData/>' }] }),
    ];
    const mutation = fc.record({
      doc: fc.nat(valid.length - 1),
      at: fc.nat(),
      len: fc.nat(40),
      insert: fc.oneof(
        fc.string({ maxLength: 20 }),
        fc.constantFrom('<', '>', '"', '&', '</cpix:CPIX>', '<cpix:ContentKey kid="x"/>', 'xmlns:cpix="urn:other"', '&#0;', ']]>'),
      ),
      header: headers,
    });
    fc.assert(
      fc.property(mutation, ({ doc, at, len, insert, header }) => {
        const source = valid[doc]!;
        const i = at % source.length;
        return outcome(source.slice(0, i) + insert + source.slice(i + len), header) >= 200;
      }),
      { numRuns: 500 },
    );
  });
});

describe('property: valid requests always round-trip', () => {
  const keySet = fc.uniqueArray(fc.uuid(), { minLength: 1, maxLength: 8, selector: (u) => u.toLowerCase() });
  const scheme = fc.constantFrom('cenc', 'cbc1', 'cens', 'cbcs');
  const systems = fc.subarray(
    [
      { systemId: SYSTEM.clearKeyAes128, children: '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>' },
      { systemId: SYSTEM.commonPssh, children: '<cpix:PSSH/><cpix:ContentProtectionData/>' },
    ],
    { minLength: 1 },
  );
  const contentId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);

  it('every key answered once, the answer parses, and answering the answer gives the same keys', () => {
    fc.assert(
      fc.property(keySet, scheme, systems, contentId, (kids, s, sys, id) => {
        const keys = kids.map((kid, i) => ({ kid, trackType: `TRACK_${i}`, filter: i % 2 ? '<cpix:AudioFilter/>' : '<cpix:VideoFilter/>' }));
        const request = v2Request({ contentId: id, scheme: s, keys, systems: sys });
        const first = answer(request, '2.0').body;
        const doc = parse(first);
        expect(all(doc, CPIX, 'ContentKey').map((k) => k.attrs.kid)).toEqual(kids);
        expect(all(doc, PSKC, 'PlainValue')).toHaveLength(kids.length);
        expect(all(doc, CPIX, 'DRMSystem')).toHaveLength(kids.length * sys.length);
        expect(answer(first, '2.0').body).toBe(first);
      }),
      { numRuns: 100 },
    );
  });
});
