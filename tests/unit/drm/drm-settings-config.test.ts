import { ConfigError, LAMBDA_ENV, loadLambdaConfig, loadLocalConfig } from '../../../src/config.js';

const LAMBDA = { SPEKE_KEY_BUCKET: 'keys', SPEKE_KEY_URL_PREFIX: 'https://cdn.example.com/k', SPEKE_MASTER_SECRET_ID: 'speke/master' };

function problems(env: Record<string, string>): string[] {
  try {
    loadLocalConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('DRM signalling settings', () => {
  it('defaults to no Widevine provider, no LA_URL and skd://{kid}', () => {
    expect(loadLocalConfig({}).drm).toEqual({ widevineProvider: undefined, playReadyLaUrl: undefined, fairPlayKeyUriTemplate: 'skd://{kid}' });
  });

  it('reads the three variables, in the Lambda configuration too', () => {
    const env = {
      SPEKE_WIDEVINE_PROVIDER: 'widevine_test',
      SPEKE_PLAYREADY_LA_URL: 'https://pr.example.com/rightsmanager.asmx?cfg=(kid:header)',
      SPEKE_FAIRPLAY_KEY_URI_TEMPLATE: 'skd://{contentId}/{kidHex}:{ivHex}',
    };
    const expected = {
      widevineProvider: 'widevine_test',
      playReadyLaUrl: 'https://pr.example.com/rightsmanager.asmx?cfg=(kid:header)',
      fairPlayKeyUriTemplate: 'skd://{contentId}/{kidHex}:{ivHex}',
    };
    expect(loadLocalConfig(env).drm).toEqual(expected);
    expect(loadLambdaConfig({ ...LAMBDA, ...env }).drm).toEqual(expected);
  });

  it('lists the variables for the template', () => {
    expect(LAMBDA_ENV).toEqual(expect.arrayContaining(['SPEKE_WIDEVINE_PROVIDER', 'SPEKE_PLAYREADY_LA_URL', 'SPEKE_FAIRPLAY_KEY_URI_TEMPLATE']));
  });

  it.each(['wide vine', 'fournisseur-é', 'x'.repeat(65), 'a"b'])('refuses the Widevine provider %p', (value) => {
    expect(problems({ SPEKE_WIDEVINE_PROVIDER: value })).toEqual([expect.stringContaining('SPEKE_WIDEVINE_PROVIDER must be a short ASCII name')]);
  });

  it.each(['pr.example.com/license', 'ftp://pr.example.com/x', '/rightsmanager.asmx', 'https://', `https://pr.example.com/${'a'.repeat(2100)}`])(
    'refuses the PlayReady LA_URL %p',
    (value) => {
      expect(problems({ SPEKE_PLAYREADY_LA_URL: value })).toEqual([expect.stringContaining('SPEKE_PLAYREADY_LA_URL must be an absolute http(s) URL')]);
    },
  );

  it('names an unknown placeholder and the allowed ones', () => {
    const found = problems({ SPEKE_FAIRPLAY_KEY_URI_TEMPLATE: 'skd://{assetId}/{kid}' });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('SPEKE_FAIRPLAY_KEY_URI_TEMPLATE has unknown placeholder {assetId}');
    expect(found[0]).toContain('{contentId} {kid} {kidHex} {iv} {ivHex}');
  });

  it.each(['https://fps.example.com/{kid}', 'skd://{kid} x', 'skd://"{kid}"', 'skd://{kid'])('refuses the FairPlay template %p', (value) => {
    expect(problems({ SPEKE_FAIRPLAY_KEY_URI_TEMPLATE: value })).toEqual([expect.stringContaining('SPEKE_FAIRPLAY_KEY_URI_TEMPLATE')]);
  });

  it('reports every DRM problem at once, with a ConfigError', () => {
    const env = { SPEKE_WIDEVINE_PROVIDER: 'a b', SPEKE_PLAYREADY_LA_URL: 'nope', SPEKE_FAIRPLAY_KEY_URI_TEMPLATE: 'skd://{x}' };
    expect(() => loadLambdaConfig({ ...LAMBDA, ...env })).toThrow(ConfigError);
    expect(problems(env)).toHaveLength(3);
  });
});
