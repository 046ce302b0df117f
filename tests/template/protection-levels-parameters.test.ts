import { loadLambdaConfig } from '../../src/config.js';
import { SYSTEM } from '../support/requests.js';
import { functionEnvironment, loadTemplate } from './load-template.js';

/**
 * The SPEKE v2.1 output-protection settings as template parameters: each reaches the function's
 * variable, its AllowedPattern takes what src/config.ts takes (so a stack does not deploy with a
 * value the function refuses at start-up) and refuses the obvious mistakes early.
 */
const template = loadTemplate();
const PARAMETERS = { HdcpLevels: 'SPEKE_HDCP_LEVELS', Robustness: 'SPEKE_ROBUSTNESS', HlsAllowedCpc: 'SPEKE_HLS_ALLOWED_CPC' } as const;
const BASE = { SPEKE_KEY_BUCKET: 'b', SPEKE_KEY_URL_PREFIX: 'https://k.example.com', SPEKE_MASTER_SECRET_ID: 's' };

const GOOD: Record<keyof typeof PARAMETERS, string[]> = {
  HdcpLevels: ['', 'SD=NONE,HD=TYPE-0,UHD=TYPE-1', 'SD+HD1=TYPE-0, *=TYPE-1', 'UHD1=TYPE-1'],
  Robustness: ['', 'widevine:HD=HW_SECURE_DECODE,widevine:UHD=HW_SECURE_ALL,playready:UHD=3000', 'playready:*=2000'],
  HlsAllowedCpc: ['', 'fairplay:UHD=AppleMain/Main,fairplay:*=AppleBaseline/AppleMain', 'widevine:HD=Main'],
};
const BAD: Record<keyof typeof PARAMETERS, string[]> = {
  HdcpLevels: ['HD=TYPE-2', 'HD', 'HD=type-1', 'HD=NONE,'],
  Robustness: ['HD=HW_SECURE_ALL', 'widevine:HD=', 'widevine:HD=a b'],
  HlsAllowedCpc: ['fairplay:UHD=Apple Main', 'UHD=Main', 'fairplay:UHD="Main"'],
};

describe.each(Object.entries(PARAMETERS) as [keyof typeof PARAMETERS, string][])('template parameter %s', (name, variable) => {
  const parameter = template.Parameters[name];
  const pattern = new RegExp(parameter.AllowedPattern as string);

  it(`is empty by default, grouped, and sets ${variable} for both functions`, () => {
    expect(parameter).toMatchObject({ Type: 'String', Default: '' });
    for (const id of ['SpekeFunction', 'ClearKeyLicenseFunction']) expect(functionEnvironment(template, id)[variable]).toEqual({ Ref: name });
    expect(parameter.Description).toContain(variable);
  });

  it.each(GOOD[name])('accepts %p, which the function also accepts', (value) => {
    expect(pattern.test(value)).toBe(true);
    expect(() => loadLambdaConfig({ ...BASE, [variable]: value })).not.toThrow();
  });

  it.each(BAD[name])('refuses %p before deploying', (value) => {
    expect(pattern.test(value)).toBe(false);
  });

  it('accepts the example its description gives', () => {
    const example = /e\.g\. (\S+?)\.?(\s|$)/.exec(parameter.Description as string)![1]!;
    expect(pattern.test(example)).toBe(true);
    expect(() => loadLambdaConfig({ ...BASE, [variable]: example })).not.toThrow();
  });
});

it('a refused DRM name passes the template pattern but still stops the function at start-up', () => {
  expect(new RegExp(template.Parameters.Robustness.AllowedPattern as string).test('fairplay:HD=x')).toBe(true);
  expect(() => loadLambdaConfig({ ...BASE, SPEKE_ROBUSTNESS: 'fairplay:HD=x' })).toThrow(/unknown DRM "fairplay"/);
  expect(
    loadLambdaConfig({ ...BASE, SPEKE_ROBUSTNESS: 'widevine:HD=x' })
      .protectionLevels.robustness.get(SYSTEM.widevine)
      ?.get('HD'),
  ).toBe('x');
});
