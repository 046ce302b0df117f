import { answer } from '../support/core.js';
import { all, CPIX, one, parse, PSKC } from '../support/xml.js';
import { KID_A, KID_B, SYSTEM, v21Request, v2Request, type V2Period } from '../support/requests.js';

const CLEARKEY = { systemId: SYSTEM.clearKeyAes128, children: '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>' };
const VIDEO_AUDIO = [
  { kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' },
  { kid: KID_B, trackType: 'AUDIO', filter: '<cpix:AudioFilter/>' },
];

function refusal(body: string, header = '2.1'): { status: number; message: string } {
  try {
    answer(body, header);
  } catch (error) {
    return { status: (error as { status: number }).status, message: (error as Error).message };
  }
  throw new Error('expected the request to be refused');
}

describe('SPEKE v2.1 version dispatch', () => {
  it('answers header 2.1 with CPIX@version 2.4, echoing X-Speke-Version 2.1 and the version', () => {
    const out = answer(v21Request({ scheme: 'cbc1', systems: [CLEARKEY] }), '2.1');
    expect(out.headers).toEqual({
      'Content-Type': 'application/xml',
      'X-Speke-User-Agent': expect.stringMatching(/^speke-key-server\//),
      'X-Speke-Version': '2.1',
    });
    const doc = parse(out.body);
    expect(doc.attrs).toMatchObject({ contentId: 'movie-1', version: '2.4' });
    expect(Buffer.from(one(doc, PSKC, 'PlainValue').text, 'base64')).toHaveLength(16);
  });

  it('echoes the header value as sent', () => {
    expect(answer(v21Request(), ' 2.1 ').headers['X-Speke-Version']).toBe(' 2.1 ');
  });

  it.each([
    ['2.1', '2.3'],
    ['2.1', '2.0'],
    ['2.1', '3'],
    ['2.0', '2.4'],
  ])('header %s with CPIX@version %s is Unsupported CPIX@version (422)', (header, version) => {
    expect(refusal(v2Request({ cpixVersion: version }), header)).toEqual({ status: 422, message: 'Unsupported CPIX@version' });
  });

  it('header 2.1 without CPIX@version is Missing CPIX@version', () => {
    expect(refusal(v21Request().replace('version="2.4"', ''))).toEqual({ status: 422, message: 'Missing CPIX@version' });
  });

  it('keeps the v2.0 checks (contentId, schemes, contract) with their texts', () => {
    expect(refusal(v21Request({ contentId: '' }))).toEqual({ status: 422, message: 'Missing CPIX@contentId' });
    expect(refusal(v21Request({ keys: [{ kid: KID_A, trackType: 'VIDEO' }] }))).toEqual({ status: 422, message: 'Missing CPIX encryption contract' });
    const mixed = v21Request({ keys: VIDEO_AUDIO }).replace(
      `kid="${KID_B}" commonEncryptionScheme="cbcs"`,
      `kid="${KID_B}" commonEncryptionScheme="SAMPLE-AES"`,
    );
    expect(refusal(mixed)).toEqual({ status: 422, message: 'Non compliant ContentKey@commonEncryptionScheme combination' });
  });

  it('gives the same keys as v2.0 for the same content ID and KIDs', () => {
    const v20 = parse(answer(v2Request({ keys: VIDEO_AUDIO, systems: [CLEARKEY], scheme: 'cbc1' }), '2.0').body);
    const v21 = parse(answer(v21Request({ keys: VIDEO_AUDIO, systems: [CLEARKEY], scheme: 'cbc1' }), '2.1').body);
    expect(all(v21, PSKC, 'PlainValue').map((p) => p.text)).toEqual(all(v20, PSKC, 'PlainValue').map((p) => p.text));
  });
});

describe('SPEKE v2.1 ContentKeyPeriod timing', () => {
  const periods = (list: V2Period[], keys = VIDEO_AUDIO) => v21Request({ keys, periodList: list, systems: [CLEARKEY], scheme: 'cbc1' });
  const periodAttrs = (body: string) => all(parse(answer(body, '2.1').body), CPIX, 'ContentKeyPeriod').map((p) => p.attrs);

  it('accepts live periods with and without @index and echoes every attribute byte for byte', () => {
    const list = [
      { id: 'keyPeriod_0909829f-40ff-4625-90fa-75da3e53278f', attributes: 'index="1" start="2026-01-01T00:00:00Z" end="2026-01-01T00:00:06Z"' },
      { id: 'keyPeriod_2', attributes: 'start="2026-01-01T01:00:06.000+01:00" end="2026-01-01T00:00:12.5Z"' },
    ];
    expect(periodAttrs(periods(list))).toEqual([
      { id: list[0]!.id, index: '1', start: '2026-01-01T00:00:00Z', end: '2026-01-01T00:00:06Z' },
      { id: 'keyPeriod_2', start: '2026-01-01T01:00:06.000+01:00', end: '2026-01-01T00:00:12.5Z' },
    ]);
  });

  it('accepts VOD offsets and echoes them', () => {
    const list = [
      { id: 'p0', attributes: 'index="0" startOffset="PT0S" endOffset="PT30S"' },
      { id: 'p1', attributes: 'index="1" startOffset="PT30S" endOffset="PT1M0.5S"' },
    ];
    expect(periodAttrs(periods(list))).toEqual([
      { id: 'p0', index: '0', startOffset: 'PT0S', endOffset: 'PT30S' },
      { id: 'p1', index: '1', startOffset: 'PT30S', endOffset: 'PT1M0.5S' },
    ]);
  });

  it('accepts the other CPIX 2.4 pairs: start + duration and startOffset + duration, and index-only periods', () => {
    expect(() => answer(periods([{ id: 'a', attributes: 'start="2026-01-01T00:00:00Z" duration="PT6S"' }]), '2.1')).not.toThrow();
    expect(() => answer(periods([{ id: 'a', attributes: 'startOffset="PT0S" duration="PT6S"' }]), '2.1')).not.toThrow();
    expect(() => answer(periods([{ id: 'a', attributes: 'index="7"' }]), '2.1')).not.toThrow();
  });

  it('a KeyPeriodFilter naming no period is a Malformed encryption contract', () => {
    const body = v21Request({ keys: [{ ...VIDEO_AUDIO[0]!, periods: ['missing'] }], periodList: [{ id: 'p0', attributes: 'index="0"' }] });
    expect(refusal(body)).toEqual({ status: 422, message: 'Malformed encryption contract' });
  });

  const bad: [string, string, string][] = [
    ['end before start', 'start="2026-01-01T00:00:06Z" end="2026-01-01T00:00:00Z"', 'Malformed ContentKeyPeriod p: @end must be after @start'],
    [
      'end equal to start, in other time zones',
      'start="2026-01-01T01:00:00+01:00" end="2026-01-01T00:00:00Z"',
      'Malformed ContentKeyPeriod p: @end must be after @start',
    ],
    ['endOffset before startOffset', 'startOffset="PT30S" endOffset="PT0S"', 'Malformed ContentKeyPeriod p: @endOffset must be after @startOffset'],
    ['a lone start', 'index="1" start="2026-01-01T00:00:00Z"', 'Malformed ContentKeyPeriod p: @start without @end'],
    ['a lone end', 'index="1" end="2026-01-01T00:00:00Z"', 'Malformed ContentKeyPeriod p: @end without @start'],
    ['a lone startOffset', 'startOffset="PT0S"', 'Malformed ContentKeyPeriod p: @startOffset without @endOffset'],
    ['a lone endOffset', 'endOffset="PT0S"', 'Malformed ContentKeyPeriod p: @endOffset without @startOffset'],
    [
      'live and VOD mixed',
      'start="2026-01-01T00:00:00Z" end="2026-01-01T00:00:06Z" startOffset="PT0S" endOffset="PT6S"',
      'Malformed ContentKeyPeriod p: live times (@start/@end) and VOD offsets (@startOffset/@endOffset) are mixed in one period',
    ],
    [
      'start not an xs:dateTime',
      'start="2026-01-01 00:00:00" end="2026-01-01T00:00:06Z"',
      'Malformed ContentKeyPeriod p: @start "2026-01-01 00:00:00" is not an xs:dateTime (for example 2026-01-01T00:00:06Z)',
    ],
    [
      'end on 30 February',
      'start="2026-01-01T00:00:00Z" end="2026-02-30T00:00:00Z"',
      'Malformed ContentKeyPeriod p: @end "2026-02-30T00:00:00Z" is not an xs:dateTime (for example 2026-01-01T00:00:06Z)',
    ],
    [
      'offset not an xs:duration',
      'startOffset="0" endOffset="PT30S"',
      'Malformed ContentKeyPeriod p: @startOffset "0" is not an xs:duration (for example PT30S)',
    ],
    ['a negative offset', 'startOffset="-PT5S" endOffset="PT30S"', 'Malformed ContentKeyPeriod p: @startOffset "-PT5S" is negative'],
    [
      'duration with end',
      'start="2026-01-01T00:00:00Z" end="2026-01-01T00:00:06Z" duration="PT6S"',
      'Malformed ContentKeyPeriod p: @duration cannot be combined with @end',
    ],
    [
      'duration with endOffset',
      'startOffset="PT0S" endOffset="PT6S" duration="PT6S"',
      'Malformed ContentKeyPeriod p: @duration cannot be combined with @endOffset',
    ],
    ['a zero duration', 'start="2026-01-01T00:00:00Z" duration="PT0S"', 'Malformed ContentKeyPeriod p: @duration must be longer than zero'],
    ['no index and no times', 'label="x"', 'Malformed ContentKeyPeriod p: neither @index nor @start/@end or @startOffset/@endOffset'],
    ['an index that is not an integer', 'index="one"', 'Malformed ContentKeyPeriod p: @index "one" is not a non-negative integer'],
    [
      'a zone on one end only, within 14 hours',
      'start="2026-01-01T00:00:00" end="2026-01-01T06:00:00Z"',
      'Malformed ContentKeyPeriod p: the order of @start and @end is indeterminate (one has a time zone, the other not)',
    ],
    [
      'offsets of months against days',
      'startOffset="P1M" endOffset="P30D"',
      'Malformed ContentKeyPeriod p: the order of @startOffset and @endOffset is indeterminate (months against days)',
    ],
  ];
  it.each(bad)('refuses %s with 422 and a clear text', (_name, attributes, message) => {
    expect(refusal(periods([{ id: 'p', attributes }]))).toEqual({ status: 422, message });
  });

  it('refuses overlapping periods for one key, and allows adjacent ones', () => {
    const overlapping = [
      { id: 'a', attributes: 'index="1" start="2026-01-01T00:00:00Z" end="2026-01-01T00:00:06Z"' },
      { id: 'b', attributes: 'index="2" start="2026-01-01T00:00:05.999Z" end="2026-01-01T00:00:12Z"' },
    ];
    expect(refusal(periods(overlapping))).toEqual({ status: 422, message: `Malformed ContentKeyPeriod b: it overlaps ContentKeyPeriod a for KID ${KID_A}` });
    const adjacent = [overlapping[0]!, { id: 'b', attributes: 'index="2" start="2026-01-01T00:00:06Z" end="2026-01-01T00:00:12Z"' }];
    expect(() => answer(periods(adjacent), '2.1')).not.toThrow();
    const vod = [
      { id: 'a', attributes: 'startOffset="PT0S" endOffset="PT30S"' },
      { id: 'b', attributes: 'startOffset="PT20S" duration="PT30S"' },
    ];
    expect(refusal(periods(vod))).toEqual({ status: 422, message: `Malformed ContentKeyPeriod b: it overlaps ContentKeyPeriod a for KID ${KID_A}` });
  });

  it('allows the same times in periods of different keys (each key has its own time line)', () => {
    const list = [
      { id: 'video', attributes: 'start="2026-01-01T00:00:00Z" end="2026-01-01T00:00:06Z"' },
      { id: 'audio', attributes: 'start="2026-01-01T00:00:00Z" end="2026-01-01T00:00:06Z"' },
    ];
    const keys = [
      { ...VIDEO_AUDIO[0]!, periods: ['video'] },
      { ...VIDEO_AUDIO[1]!, periods: ['audio'] },
    ];
    expect(() => answer(periods(list, keys), '2.1')).not.toThrow();
  });

  it('refuses a period id used twice', () => {
    const list = [
      { id: 'p', attributes: 'index="1"' },
      { id: 'p', attributes: 'index="2"' },
    ];
    expect(refusal(periods(list))).toEqual({ status: 422, message: 'Duplicate ContentKeyPeriod@id p' });
  });

  it('ignores timing attributes in a v2.0 request, as before', () => {
    const body = v2Request({ keys: VIDEO_AUDIO, systems: [CLEARKEY], scheme: 'cbc1', periodList: [{ id: 'p', attributes: 'index="1" start="garbage"' }] });
    expect(all(parse(answer(body, '2.0').body), CPIX, 'ContentKeyPeriod')[0]!.attrs).toEqual({ id: 'p', index: '1', start: 'garbage' });
  });
});
