import type { KeyContext } from '../../../src/drm/drm-system.js';
import { DEFAULT_DRM_SETTINGS } from '../../../src/drm/drm-settings.js';
import { fairPlay } from '../../../src/drm/fairplay.js';
import { hlsKeyTag } from '../../../src/drm/hls.js';
import { parseHlsTag } from '../../support/drm-decoders.js';
import { KID_A } from '../../support/requests.js';

const IV = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');

function context(overrides: Partial<KeyContext> = {}): KeyContext {
  return {
    contentId: 'movie-1',
    kid: KID_A,
    key: Buffer.alloc(16, 7),
    iv: IV,
    scheme: 'cbcs',
    keyUrl: 'https://k/x',
    ...overrides,
  };
}

describe('FairPlay signalling', () => {
  it('names the KID in the default skd:// URI (SPEKE.md §5.7 example)', () => {
    const signalling = fairPlay(DEFAULT_DRM_SETTINGS).signal(context());
    expect(hlsKeyTag('media', signalling.hls!)).toBe(
      '#EXT-X-KEY:METHOD=SAMPLE-AES,KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1",URI="skd://98ee5596-cd3e-a20d-163a-e382420c6eff"',
    );
    expect(hlsKeyTag('master', signalling.hls!)).toBe(
      '#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES,KEYFORMAT="com.apple.streamingkeydelivery",KEYFORMATVERSIONS="1",URI="skd://98ee5596-cd3e-a20d-163a-e382420c6eff"',
    );
  });

  it('gives v1 the URI, KeyFormat com.apple.streamingkeydelivery and KeyFormatVersions 1', () => {
    const signalling = fairPlay(DEFAULT_DRM_SETTINGS).signal(context({ scheme: undefined }));
    expect(signalling).toMatchObject({
      uriExtXKey: `skd://${KID_A}`,
      keyFormat: 'com.apple.streamingkeydelivery',
      keyFormatVersions: '1',
    });
  });

  it('fills every placeholder of the configured template', () => {
    const template = 'skd://{contentId}/{kid}?k={kidHex}&iv={ivHex}&b={iv}';
    const uri = fairPlay({ fairPlayKeyUriTemplate: template }).signal(context({ contentId: 'live/ch 1"' })).uriExtXKey!;
    expect(uri).toBe(`skd://live%2Fch%201%22/${KID_A}?k=98ee5596cd3ea20d163ae382420c6eff&iv=0123456789abcdeffedcba9876543210&b=${IV.toString('base64')}`);
  });

  it('uses the IV of the key context, so media and master and the ContentKey agree', () => {
    const system = fairPlay({ fairPlayKeyUriTemplate: 'skd://{kid}:{ivHex}' });
    const a = system.signal(context());
    const b = system.signal(context({ iv: Buffer.alloc(16, 0xaa) }));
    expect(a.hls!.uri).toBe(`skd://${KID_A}:0123456789abcdeffedcba9876543210`);
    expect(b.hls!.uri).toBe(`skd://${KID_A}:${'aa'.repeat(16)}`);
    const media = parseHlsTag(hlsKeyTag('media', a.hls!));
    const master = parseHlsTag(hlsKeyTag('master', a.hls!));
    expect(master.attributes).toEqual(media.attributes);
    expect(media.attributes.IV).toBeUndefined();
  });

  it('asks the core for an IV and accepts only cbcs', () => {
    const system = fairPlay(DEFAULT_DRM_SETTINGS);
    expect(system.needsIv).toBe(true);
    expect(system.supportsScheme('cbcs')).toBe(true);
    expect(['cenc', 'cbc1', 'cens'].some((s) => system.supportsScheme(s as 'cenc'))).toBe(false);
  });

  it('has no PSSH, ContentProtectionData or PlayReady header', () => {
    const signalling = fairPlay(DEFAULT_DRM_SETTINGS).signal(context());
    expect(signalling.pssh).toBeUndefined();
    expect(signalling.contentProtectionData).toBeUndefined();
    expect(signalling.playReadyObject).toBeUndefined();
  });
});
