import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { derive } from '../../src/keys/derive.js';
import { apiGatewayEvent, lambdaContext, spekeHandlerUnderTest } from '../support/lambda.js';
import { KID_A, KID_B, SYSTEM, v21Request } from '../support/requests.js';
import { all, CPIX, parse, PSKC } from '../support/xml.js';

/**
 * SPEKE v2.1 through the Lambda handler (the edge, API Gateway header spelling, mocked Secrets Manager
 * and S3), with the output-protection settings read from the Lambda environment as the template
 * sets them.
 */
const SECRET = Buffer.alloc(48, 0x21);
const s3 = mockClient(S3Client);
const secrets = mockClient(SecretsManagerClient);
const HLS_PAIR = '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>';
const ENV = { SPEKE_HDCP_LEVELS: 'VIDEO=TYPE-1,AUDIO=NONE', SPEKE_ROBUSTNESS: 'playready:VIDEO=3000', SPEKE_HLS_ALLOWED_CPC: 'fairplay:VIDEO=AppleMain/Main' };
const BODY = v21Request({
  contentId: 'live-21',
  keys: [
    { kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' },
    { kid: KID_B, trackType: 'AUDIO', filter: '<cpix:AudioFilter/>' },
  ],
  systems: [
    { systemId: SYSTEM.playready, children: `<cpix:PSSH/><cpix:ContentProtectionData/>${HLS_PAIR}` },
    { systemId: SYSTEM.fairplay, children: HLS_PAIR },
  ],
  periodList: [{ id: 'keyPeriod_1', attributes: 'start="2026-01-01T00:00:00Z" end="2026-01-01T00:00:06Z"' }],
});

beforeEach(() => {
  s3.reset();
  secrets.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: SECRET.toString('base64') });
  s3.on(PutObjectCommand).resolves({});
});

describe('Lambda handler: SPEKE v2.1', () => {
  it('answers header x-speke-version 2.1 (any spelling) with the keys of the master secret, echoing the version', async () => {
    const { handler } = spekeHandlerUnderTest({ env: ENV });
    const res = await handler(apiGatewayEvent(BODY, { headers: { 'x-SPEKE-version': '2.1' }, base64: true }), lambdaContext);
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({ 'Content-Type': 'application/xml', 'X-Speke-Version': '2.1' });
    const doc = parse(res.body);
    const keys = all(doc, CPIX, 'ContentKey');
    expect(keys.map((k) => all(k, PSKC, 'PlainValue')[0]!.text)).toEqual(
      [KID_A, KID_B].map((kid) => derive(SECRET, 'content-key', 'live-21', kid).toString('base64')),
    );
    expect(keys.map((k) => all(k, CPIX, 'HDCPData')[0]?.attrs.HLSHDCPLevel)).toEqual(['TYPE-1', 'NONE']);
    const video = all(doc, CPIX, 'DRMSystem').filter((d) => d.attrs.kid === KID_A);
    expect(all(video[0]!, CPIX, 'ContentProtectionData')[0]!.attrs.robustness).toBe('3000');
    expect(video[1]!.attrs.HLSAllowedCPC).toBe('com.apple.streamingkeydelivery:AppleMain/Main');
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0); // nothing players fetch
  });

  it('refuses a malformed period with 422 plain text before reading the secret', async () => {
    const { handler } = spekeHandlerUnderTest({ env: ENV });
    const res = await handler(
      apiGatewayEvent(BODY.replace('end="2026-01-01T00:00:06Z"', 'end="soon"'), { headers: { 'X-Speke-Version': '2.1' } }),
      lambdaContext,
    );
    expect(res).toMatchObject({
      statusCode: 422,
      body: 'Malformed ContentKeyPeriod keyPeriod_1: @end "soon" is not an xs:dateTime (for example 2026-01-01T00:00:06Z)',
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('logs the request as SPEKE v2.1, without keys', async () => {
    const { handler, logs, emf } = spekeHandlerUnderTest({ env: ENV });
    const res = await handler(apiGatewayEvent(BODY, { headers: { 'X-Speke-Version': '2.1' } }), lambdaContext);
    const key = all(parse(res.body), PSKC, 'PlainValue')[0]!.text;
    const lines = logs.join('\n');
    expect(lines).toContain('"spekeVersion":"v2.1"');
    expect(lines).not.toContain(key);
    expect(emf.join('\n')).toContain('"SpekeVersion":"v2.1"');
  });
});
