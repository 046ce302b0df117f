import { grantsToRecord, parseKeyGrant, sharedWithDrm } from '../../src/keys/key-grant.js';
import { answer } from '../support/core.js';
import { KID_A, KID_B, SYSTEM, v1Aes128, v2Request } from '../support/requests.js';

const KID_C = '0e4cfe3d-2e4c-4d53-9b1b-b9c0d1e2f3a4';

describe('key grants an answer issues', () => {
  it('one per KID asked for with the W3C common PSSH or ClearKey AES-128, listing every system asked for with it', () => {
    const grants = grantsToRecord(
      'movie-1',
      [KID_A, KID_B, KID_C].map((kid) => ({ kid, kidAsSent: kid.toUpperCase() })),
      [
        { kid: KID_A, systemId: SYSTEM.commonPssh },
        { kid: KID_A, systemId: SYSTEM.widevine.toUpperCase() },
        { kid: KID_B, systemId: SYSTEM.clearKeyAes128 },
        { kid: KID_C, systemId: SYSTEM.playready },
        { kid: KID_C, systemId: SYSTEM.hlsAes128 },
      ],
    );
    expect(grants).toEqual([
      { contentId: 'movie-1', kid: KID_A, kidAsSent: KID_A.toUpperCase(), systemIds: [SYSTEM.commonPssh, SYSTEM.widevine].sort() },
      { contentId: 'movie-1', kid: KID_B, kidAsSent: KID_B.toUpperCase(), systemIds: [SYSTEM.clearKeyAes128] },
    ]);
  });

  it('a KID issued also for Widevine, PlayReady or FairPlay is shared; with HLS AES-128 or alone it is not', () => {
    const grant = (systemIds: string[]) => ({ contentId: 'c', kid: KID_A, kidAsSent: KID_A, systemIds, issuedAt: '2026-01-01T00:00:00Z' });
    for (const drm of [SYSTEM.widevine, SYSTEM.playready, SYSTEM.fairplay]) expect(sharedWithDrm(grant([SYSTEM.commonPssh, drm]))).toBe(true);
    expect(sharedWithDrm(grant([SYSTEM.commonPssh]))).toBe(false);
    expect(sharedWithDrm(grant([SYSTEM.clearKeyAes128, SYSTEM.hlsAes128]))).toBe(false);
  });

  it('the core answer carries them: SPEKE v2 with common PSSH and ClearKey AES-128; none for HLS AES-128 (v1) alone', () => {
    const v2 = answer(
      v2Request({
        contentId: 'film',
        keys: [
          { kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' },
          { kid: KID_B, trackType: 'AUDIO', filter: '<cpix:AudioFilter/>' },
        ],
        systems: [
          { systemId: SYSTEM.commonPssh, children: '<cpix:PSSH/>' },
          { systemId: SYSTEM.widevine, children: '<cpix:PSSH/>' },
        ],
      }),
      '2.0',
    );
    expect(v2.grants.map((g) => [g.kid, g.systemIds])).toEqual([
      [KID_A, [SYSTEM.commonPssh, SYSTEM.widevine].sort()],
      [KID_B, [SYSTEM.commonPssh, SYSTEM.widevine].sort()],
    ]);
    expect(answer(v1Aes128()).grants).toEqual([]);
  });

  it('reads back only a complete grant record', () => {
    const record = { contentId: 'c', kid: KID_A, kidAsSent: KID_A, systemIds: [SYSTEM.commonPssh], issuedAt: '2026-01-01T00:00:00.000Z' };
    expect(parseKeyGrant(JSON.stringify(record))).toEqual(record);
    for (const bad of ['null', '[]', '{}', JSON.stringify({ ...record, systemIds: [1] }), JSON.stringify({ ...record, kid: undefined })]) {
      expect(() => parseKeyGrant(bad)).toThrow();
    }
  });
});
