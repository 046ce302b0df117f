import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { apiGatewayEvent, lambdaContext, spekeHandlerUnderTest } from '../support/lambda.js';
import { clearKeys, openAnswer, privateKey, withDeliveryData } from '../support/encryption.js';
import { all, CPIX, parse } from '../support/xml.js';
import { KID_A, KID_B, SYSTEM, v1Aes128, v2Request } from '../support/requests.js';

const SECRET = Buffer.alloc(48, 0x5a);
const s3 = mockClient(S3Client);
const secrets = mockClient(SecretsManagerClient);

const HLS_PAIR = '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>';
const WV = { systemId: SYSTEM.widevine, children: `<cpix:PSSH/><cpix:ContentProtectionData/>${HLS_PAIR}` };
const PR = { systemId: SYSTEM.playready, children: `<cpix:PSSH/><cpix:ContentProtectionData/>${HLS_PAIR}<cpix:SmoothStreamingProtectionHeaderData/>` };
const FP = { systemId: SYSTEM.fairplay, children: HLS_PAIR };
const CK = { systemId: SYSTEM.clearKeyAes128, children: HLS_PAIR };
const VIDEO_AUDIO = [
  { kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' },
  { kid: KID_B, trackType: 'AUDIO', filter: '<cpix:AudioFilter/>' },
];

/** The request mix of the test suite: every DRM system, v1 and v2, clear and encrypted, and refusals. */
const MIX: { name: string; body: string; version?: string; encrypted?: boolean }[] = [
  { name: 'v1 AES-128 live', body: v1Aes128({ contentId: 'live-1', kid: KID_A }) },
  {
    name: 'v1 DASH Widevine + PlayReady',
    body: `<cpix:CPIX id="vod-1" xmlns:cpix="urn:dashif:org:cpix" xmlns:speke="urn:aws:amazon:com:speke"><cpix:ContentKeyList><cpix:ContentKey kid="${KID_A}"/></cpix:ContentKeyList><cpix:DRMSystemList><cpix:DRMSystem kid="${KID_A}" systemId="${SYSTEM.widevine}"><cpix:PSSH/></cpix:DRMSystem><cpix:DRMSystem kid="${KID_A}" systemId="${SYSTEM.playready}"><cpix:PSSH/><speke:ProtectionHeader/></cpix:DRMSystem></cpix:DRMSystemList></cpix:CPIX>`,
  },
  {
    name: 'v1 FairPlay',
    body: `<cpix:CPIX id="fp-1" xmlns:cpix="urn:dashif:org:cpix" xmlns:speke="urn:aws:amazon:com:speke"><cpix:ContentKeyList><cpix:ContentKey kid="${KID_B}"/></cpix:ContentKeyList><cpix:DRMSystemList><cpix:DRMSystem kid="${KID_B}" systemId="${SYSTEM.fairplay}"><cpix:URIExtXKey/><speke:KeyFormat/><speke:KeyFormatVersions/></cpix:DRMSystem></cpix:DRMSystemList></cpix:CPIX>`,
  },
  { name: 'v2 CMAF cbcs WV+PR+FP', body: v2Request({ contentId: 'cmaf-1', keys: VIDEO_AUDIO, systems: [WV, PR, FP], periods: true }), version: '2.0' },
  { name: 'v2 cenc WV+PR', body: v2Request({ contentId: 'dash-1', scheme: 'cenc', keys: VIDEO_AUDIO, systems: [WV, PR] }), version: '2.0' },
  { name: 'v2 ClearKey AES-128', body: v2Request({ contentId: 'ts-1', scheme: 'cbc1', systems: [CK] }), version: '2.0' },
  {
    name: 'v2 encrypted',
    body: withDeliveryData(v2Request({ contentId: 'enc-1', keys: VIDEO_AUDIO, systems: [WV, PR, FP] })),
    version: '2.0',
    encrypted: true,
  },
  { name: 'v1 encrypted', body: withDeliveryData(v1Aes128({ contentId: 'enc-live', kid: KID_B })), encrypted: true },
  { name: 'v2 refused', body: v2Request({ contentId: '' }), version: '2.0' },
  { name: 'bad version', body: v1Aes128(), version: '3.0' },
  { name: 'not XML', body: 'garbage' },
];

function encodings(bytes: Buffer): string[] {
  const hex = bytes.toString('hex');
  return [bytes.toString('base64'), bytes.toString('base64url'), hex, hex.toUpperCase(), bytes.toString('base64').replace(/=+$/, '')];
}

beforeEach(() => {
  s3.reset();
  secrets.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: SECRET.toString('base64') });
  s3.on(PutObjectCommand).resolves({});
});

function setup() {
  const tracer = new Tracer({ enabled: false });
  const annotations: unknown[] = [];
  jest.spyOn(tracer, 'putAnnotation').mockImplementation((key, value) => void annotations.push([key, value]));
  jest.spyOn(tracer, 'putMetadata').mockImplementation((key, value) => void annotations.push([key, value]));
  return { ...spekeHandlerUnderTest({ tracer }), annotations };
}

describe('no key leaves where it should not', () => {
  it('no key, IV, master secret, document key or MAC key appears in any log line, metric or trace annotation', async () => {
    const { handler, logs, emf, annotations } = setup();
    const secrets_: Buffer[] = [SECRET];
    for (const request of MIX) {
      const res = await handler(apiGatewayEvent(request.body, { headers: request.version ? { 'X-Speke-Version': request.version } : {} }), lambdaContext);
      if (res.statusCode !== 200) continue;
      const doc = parse(res.body);
      for (const key of all(doc, CPIX, 'ContentKey')) if (key.attrs.explicitIV) secrets_.push(Buffer.from(key.attrs.explicitIV, 'base64'));
      if (request.encrypted) {
        const opened = openAnswer(res.body, privateKey('rsa-2048'));
        secrets_.push(opened.documentKey, opened.macKey, ...opened.keys.values());
      } else {
        secrets_.push(...clearKeys(res.body).values());
      }
    }
    expect(secrets_.length).toBeGreaterThan(15);
    const everything = [...logs, ...emf, JSON.stringify(annotations)].join('\n');
    expect(logs.length).toBeGreaterThanOrEqual(MIX.length);
    for (const secret of secrets_) for (const encoded of encodings(secret)) expect(everything).not.toContain(encoded);
    expect(everything).not.toContain('<cpix:');
    expect(everything).not.toContain('PlainValue');
  });

  it('writes only AES-128 keys to the key store, never Widevine, PlayReady or FairPlay keys', async () => {
    const { handler } = setup();
    const keys = [...VIDEO_AUDIO, { kid: '11111111-2222-4333-8444-555555555555', trackType: 'HD', filter: '<cpix:VideoFilter minPixels="1"/>' }];
    // Widevine, PlayReady and FairPlay for the video and audio keys; ClearKey AES-128 alone for the third.
    const body = v2Request({ contentId: 'mixed', keys, systems: [WV, PR, FP] })
      .replace(/<cpix:DRMSystem kid="11111111-2222-4333-8444-555555555555"[^>]*>.*?<\/cpix:DRMSystem>/g, '')
      .replace(
        `</cpix:DRMSystemList>`,
        `<cpix:DRMSystem kid="11111111-2222-4333-8444-555555555555" systemId="${SYSTEM.clearKeyAes128}">${HLS_PAIR}</cpix:DRMSystem></cpix:DRMSystemList>`,
      );
    const res = await handler(apiGatewayEvent(body, { headers: { 'X-Speke-Version': '2.0' } }), lambdaContext);
    expect(res.statusCode).toBe(200);
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key);
    expect(puts).toEqual(['mixed/11111111-2222-4333-8444-555555555555']);
  });

  it('refuses (422) a KID asked for ClearKey AES-128 and Widevine at once, and publishes nothing: its key would be at a URL that needs no license', async () => {
    const { handler } = setup();
    const body = v2Request({ contentId: 'shared', keys: VIDEO_AUDIO, systems: [WV, CK] });
    const res = await handler(apiGatewayEvent(body, { headers: { 'X-Speke-Version': '2.0' } }), lambdaContext);
    expect(res.statusCode).toBe(422);
    expect(res.body).toBe(
      `KID ${KID_A} is asked for ClearKey AES-128 and for Widevine: its key would be published at a key URL that needs no license. ` +
        'Use a separate KID for each (or set SPEKE_CLEARKEY_ALLOW_SHARED_KEYS=true)',
    );
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('publishes a shared KID when SPEKE_CLEARKEY_ALLOW_SHARED_KEYS=true (the operator accepts it)', async () => {
    const { handler } = spekeHandlerUnderTest({ env: { SPEKE_CLEARKEY_ALLOW_SHARED_KEYS: 'true' } });
    const body = v1Aes128({ contentId: 'shared-v1', kid: KID_A }).replace(
      '</cpix:DRMSystemList>',
      `<cpix:DRMSystem kid="${KID_A}" systemId="${SYSTEM.fairplay}"><cpix:URIExtXKey/><speke:KeyFormat/><speke:KeyFormatVersions/></cpix:DRMSystem></cpix:DRMSystemList>`,
    );
    const res = await handler(apiGatewayEvent(body), lambdaContext);
    expect(res.statusCode).toBe(200);
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual([`shared-v1/${KID_A}`]);
  });
});

describe('metrics, traces and logs', () => {
  const blobs = (emf: string[]) =>
    emf.map(
      (l) =>
        JSON.parse(l) as Record<string, unknown> & {
          _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
        },
    );

  it('publishes one record per invocation: requests by version and outcome, keys issued, DRM systems and duration', async () => {
    const { handler, emf } = setup();
    await handler(apiGatewayEvent(MIX[3]!.body, { headers: { 'X-Speke-Version': '2.0' } }), lambdaContext);
    const records = blobs(emf).filter((b) => !('ColdStart' in b));
    expect(records).toHaveLength(1);
    const main = records[0]!;
    expect(main).toMatchObject({ Requests: 1, KeysIssued: 2, SpekeVersion: 'v2', Outcome: 'success' });
    expect(typeof main.Duration).toBe('number');
    expect(main._aws.CloudWatchMetrics).toHaveLength(1);
    expect(main._aws.CloudWatchMetrics[0]!.Namespace).toBe('SpekeKeyServer');
    expect(main._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'SpekeVersion', 'Outcome']]);
    const systems = main._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name).filter((n) => n.startsWith('DrmSystemRequests.'));
    expect(systems.sort()).toEqual(['DrmSystemRequests.fairplay', 'DrmSystemRequests.playready', 'DrmSystemRequests.widevine']);
    for (const name of systems) expect(main[name]).toBe(1);
  });

  it('publishes one record per invocation for every request of the mix (the cold-start metric once more)', async () => {
    const { handler, emf } = setup();
    for (const request of MIX)
      await handler(apiGatewayEvent(request.body, { headers: request.version ? { 'X-Speke-Version': request.version } : {} }), lambdaContext);
    expect(blobs(emf).filter((b) => !('ColdStart' in b))).toHaveLength(MIX.length);
  });

  it('counts client errors by reason and server errors', async () => {
    const { handler, emf } = setup();
    await handler(apiGatewayEvent(v2Request({ contentId: '' }), { headers: { 'X-Speke-Version': '2.0' } }), lambdaContext);
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('x'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } }));
    await handler(apiGatewayEvent(v1Aes128()), lambdaContext);
    const all_ = blobs(emf).filter((b) => !('ColdStart' in b));
    expect(all_).toHaveLength(2);
    expect(all_[0]).toMatchObject({ ClientErrors: 1, Requests: 1, Reason: 'missing-content-id', Outcome: 'client-error' });
    expect(all_[1]).toMatchObject({ ServerErrors: 1, Requests: 1, Reason: 'key-store-failure', Outcome: 'server-error' });
    for (const record of all_)
      expect(record._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([
        ['service', 'SpekeVersion', 'Outcome'],
        ['service', 'Reason'],
      ]);
  });

  it('annotates the trace with version, status and key count', async () => {
    const { handler, annotations } = setup();
    await handler(apiGatewayEvent(v1Aes128()), lambdaContext);
    expect(annotations).toEqual(
      expect.arrayContaining([
        ['spekeVersion', 'v1'],
        ['status', 200],
        ['keyCount', 1],
      ]),
    );
  });

  it('logs carry the request id, content ID, counts and outcome', async () => {
    const { handler, logs } = setup();
    await handler(apiGatewayEvent(v1Aes128({ contentId: 'ch-42' })), lambdaContext);
    const line = logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.message === 'request answered');
    expect(line).toMatchObject({ function_request_id: lambdaContext.awsRequestId, contentId: 'ch-42', keyCount: 1, status: 200, spekeVersion: 'v1' });
  });
});
