import fc from 'fast-check';
import { compareXsDateTime, parseXsDateTime, parseXsDuration } from '../../src/cpix/xs-time.js';
import { SpekeHttpError } from '../../src/errors.js';
import { answer } from '../support/core.js';
import { KID_A, KID_B, SYSTEM, v21Request } from '../support/requests.js';
import { all, CPIX, parse } from '../support/xml.js';

/**
 * Property-based tests of what SPEKE v2.1 reads: key-period times. Whatever they hold, the core
 * answers (echoing them exactly) or refuses with a 4xx, and the xs:dateTime reader agrees with the
 * platform's ISO reader on every instant both understand.
 */
const RUNS = { numRuns: 300 };
const CLEARKEY = { systemId: SYSTEM.clearKeyAes128, children: '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>' };
const KEYS = [
  { kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' },
  { kid: KID_B, trackType: 'AUDIO', filter: '<cpix:AudioFilter/>' },
];

function outcome(body: string): { status: number; body?: string } {
  try {
    return { status: 200, body: answer(body, '2.1').body };
  } catch (error) {
    if (error instanceof SpekeHttpError && error.status >= 400 && error.status < 500) return { status: error.status };
    throw error;
  }
}

/** Dates from year 1 to 9999 in every time zone XSD allows, with up to 12 fractional digits. */
const instant = fc.record({
  ms: fc.integer({ min: Date.UTC(1, 0, 1) + 86_400_000, max: Date.UTC(9999, 11, 30) }),
  zoneMinutes: fc.integer({ min: -14 * 60, max: 14 * 60 }),
  extraDigits: fc.stringMatching(/^[0-9]{0,9}$/),
});
function lexical({ ms, zoneMinutes, extraDigits }: { ms: number; zoneMinutes: number; extraDigits: string }): string {
  const local = new Date(ms + zoneMinutes * 60_000).toISOString(); // the clock reading in that zone
  const zone =
    zoneMinutes === 0
      ? 'Z'
      : `${zoneMinutes < 0 ? '-' : '+'}${String(Math.floor(Math.abs(zoneMinutes) / 60)).padStart(2, '0')}:${String(Math.abs(zoneMinutes) % 60).padStart(2, '0')}`;
  return `${local.slice(0, 23)}${extraDigits}${zone}`;
}

describe('property: xs:dateTime agrees with the platform on instants', () => {
  it('orders any two instants, in any time zones, as Date does (ties broken by the extra digits)', () => {
    fc.assert(
      fc.property(instant, instant, (a, b) => {
        const x = parseXsDateTime(lexical(a));
        const y = parseXsDateTime(lexical(b));
        const expected = a.ms !== b.ms ? Math.sign(a.ms - b.ms) : Math.sign(Number(`0.${a.extraDigits || '0'}`) - Number(`0.${b.extraDigits || '0'}`));
        return x !== undefined && y !== undefined && compareXsDateTime(x, y) === expected;
      }),
      RUNS,
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^-?[0-9PTYMDHS:.Z+-]{0,30}$/)), (text) => {
        parseXsDateTime(text);
        parseXsDuration(text);
        return true;
      }),
      RUNS,
    );
  });
});

describe('property: any period timing is answered or refused with a 4xx, never a 5xx', () => {
  const value = fc.oneof(
    instant.map(lexical),
    fc.constantFrom('PT0S', 'PT30S', 'P1M', 'P30D', '-PT1S', 'PT', '', '2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', 'x'),
    fc.stringMatching(/^-?P([0-9]{1,3}[YMDW])?(T[0-9]{1,3}(\.[0-9]{1,3})?[HMS])?$/),
    fc.string({ maxLength: 12 }).filter((s) => !/[<&"]/.test(s)),
  );
  const attributes = fc.dictionary(fc.constantFrom('index', 'start', 'end', 'startOffset', 'endOffset', 'duration', 'label'), value, { maxKeys: 4 });
  const periods = fc.array(attributes, { minLength: 1, maxLength: 3 });

  it('and an answer echoes every period attribute exactly', () => {
    fc.assert(
      fc.property(periods, (list) => {
        const periodList = list.map((attrs, i) => ({
          id: `p${i}`,
          attributes: Object.entries(attrs)
            .map(([k, v]) => `${k}="${v}"`)
            .join(' '),
        }));
        const result = outcome(v21Request({ keys: KEYS, systems: [CLEARKEY], scheme: 'cbc1', periodList }));
        if (result.status !== 200) return result.status >= 400 && result.status < 500;
        const echoed = all(parse(result.body!), CPIX, 'ContentKeyPeriod').map((p) => p.attrs);
        return JSON.stringify(echoed) === JSON.stringify(list.map((attrs, i) => ({ id: `p${i}`, ...attrs })));
      }),
      RUNS,
    );
  });
});
