import { DEMO_PROTECTION_LEVELS } from '../../demo/demo-protection-levels.js';
// The demo page's own request builder (plain browser JavaScript, also importable in Node).
import { buildRequest, PERIODS, PRESETS, type DemoPreset } from '../../demo/public/requests.js';
import { useLocalServer } from '../support/local-server.js';
import { all, CPIX, parse } from '../support/xml.js';

/** Every preset of the demo page builds a request the server answers, and the v2.1 ones show what v2.1 adds. */
type Preset = DemoPreset;

describe('the demo page presets, answered over HTTP', () => {
  const server = useLocalServer({ ...DEMO_PROTECTION_LEVELS });
  const send = async (preset: Preset) => {
    const body = buildRequest({ ...preset, contentId: 'demo/channel-1' });
    const header: Record<string, string> = preset.version === '1' ? {} : { 'X-Speke-Version': preset.version === '2.1' ? '2.1' : '2.0' };
    const res = await fetch(`${server.url}/copyProtection`, { method: 'POST', body, headers: { 'Content-Type': 'application/xml', ...header } });
    return { status: res.status, body: await res.text(), request: body };
  };

  it.each(PRESETS.map((p) => [p.name, p]))('%s → 200', async (_name, preset) => {
    const { status, body } = await send(preset);
    expect({ status, body: status === 200 ? '' : body }).toEqual({ status: 200, body: '' });
  });

  it('the v2.1 presets carry CPIX 2.4 and timed periods, and get HDCP data back', async () => {
    const v21 = PRESETS.filter((p) => p.version === '2.1');
    expect(v21.length).toBeGreaterThanOrEqual(3);
    const live = await send(v21.find((p) => p.periods === 'live')!);
    const doc = parse(live.body);
    expect(doc.attrs.version).toBe('2.4');
    expect(all(doc, CPIX, 'ContentKeyPeriod')[0]!.attrs).toMatchObject({ start: expect.stringMatching(/Z$/), end: expect.stringMatching(/Z$/) });
    expect(all(doc, CPIX, 'HDCPData').map((h) => h.attrs.HLSHDCPLevel)).toEqual(['NONE', 'TYPE-0', 'TYPE-1']);
    const vod = parse((await send(v21.find((p) => p.periods === 'vod')!)).body);
    expect(all(vod, CPIX, 'ContentKeyPeriod').map((p) => p.attrs.startOffset)).toEqual(['PT0S', 'PT30S']);
  });

  it.each(PERIODS)('period option %s builds a request v2.1 accepts', async (periods) => {
    const preset = { ...PRESETS.find((p) => p.version === '2.1')!, periods };
    expect((await send(preset)).status).toBe(200);
  });
});
