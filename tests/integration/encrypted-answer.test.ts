import { clearKeys, openAnswer, privateKey, withDeliveryData } from '../support/encryption.js';
import { type RunningServer, useLocalServer } from '../support/local-server.js';
import { KID_A, KID_B, SYSTEM, v1Aes128, v2Request } from '../support/requests.js';

/** Encrypted CPIX through the local server (node:http, composition as `npm start` builds it). */

const MASTER_SECRET = Buffer.alloc(32, 0x5a).toString('base64');

const V2 = v2Request({
  contentId: 'movie-7',
  keys: [
    { kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' },
    { kid: KID_B, trackType: 'AUDIO', filter: '<cpix:AudioFilter/>' },
  ],
  systems: [{ systemId: SYSTEM.clearKeyAes128, children: '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>' }],
});

function post(server: RunningServer, body: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/copyProtection`, { method: 'POST', body, headers: { 'Content-Type': 'application/xml', ...headers } });
}

describe('local server: encrypted answers', () => {
  const server = useLocalServer({ SPEKE_MASTER_SECRET: MASTER_SECRET });

  it('v1: the encrypted answer opens to the clear answer’s key, which the key URL also serves', async () => {
    const request = v1Aes128({ contentId: 'channel-9', kid: KID_B });
    const res = await post(server, withDeliveryData(request));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/xml');
    const body = await res.text();
    expect(body).not.toContain('PlainValue');

    const opened = openAnswer(body, privateKey('rsa-2048'));
    const keys = opened.keys;
    const logs = server.logs.join('\n');
    expect(logs).toContain('"encrypted":true');
    for (const secret of [keys.get(KID_B)!, opened.documentKey, opened.macKey]) expect(logs).not.toContain(secret.toString('base64'));

    const clear = clearKeys(await (await post(server, request)).text());
    expect(keys).toEqual(clear);
    const served = Buffer.from(await (await fetch(`${server.url}/keys/channel-9/${KID_B}`)).arrayBuffer());
    expect(keys.get(KID_B)).toEqual(served);
  });

  it('v2: two keys for two recipients, each opening the keys of the clear answer', async () => {
    const res = await post(
      server,
      withDeliveryData(V2, [
        { id: 'recipient-1', certificate: 'rsa-2048' },
        { id: 'recipient-2', certificate: 'rsa-3072' },
      ]),
      { 'X-Speke-Version': '2.0' },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-speke-version')).toBe('2.0');
    const body = await res.text();
    expect(body).not.toContain('PlainValue');

    const clear = clearKeys(await (await post(server, V2, { 'X-Speke-Version': '2.0' })).text());
    expect(clear.size).toBe(2);
    expect(openAnswer(body, privateKey('rsa-2048'), 'recipient-1').keys).toEqual(clear);
    expect(openAnswer(body, privateKey('rsa-3072'), 'recipient-2').keys).toEqual(clear);
  });

  it('refuses an unusable certificate with a 422 plain-text message', async () => {
    const res = await post(server, withDeliveryData(V2, [{ id: 'd1', certificate: 'rsa-1024' }]), { 'X-Speke-Version': '2.0' });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('DeliveryData d1: certificate RSA key has 1024 bits, at least 2048 are required');
  });

  it('refuses an expired certificate by default', async () => {
    const res = await post(server, withDeliveryData(v1Aes128(), [{ id: 'd1', certificate: 'rsa-2048-expired' }]));
    expect(res.status).toBe(422);
    expect(await res.text()).toBe('DeliveryData d1: certificate expired on 2021-01-01T00:00:00.000Z');
  });
});

describe('local server with SPEKE_ALLOW_EXPIRED_CERTIFICATES=true', () => {
  const server = useLocalServer({ SPEKE_MASTER_SECRET: MASTER_SECRET, SPEKE_ALLOW_EXPIRED_CERTIFICATES: 'true' });

  it('encrypts for an expired certificate', async () => {
    const res = await post(server, withDeliveryData(v1Aes128(), [{ id: 'd1', certificate: 'rsa-2048-expired' }]));
    expect(res.status).toBe(200);
    expect(openAnswer(await res.text(), privateKey('rsa-2048-expired')).keys.get(KID_B)).toHaveLength(16);
  });
});
