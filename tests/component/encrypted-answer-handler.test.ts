import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { derive } from '../../src/keys/derive.js';
import { openAnswer, privateKey, withDeliveryData } from '../support/encryption.js';
import { apiGatewayEvent, lambdaContext, spekeHandlerUnderTest } from '../support/lambda.js';
import { KID_A, KID_B, SYSTEM, v1Aes128, v2Request } from '../support/requests.js';

/** Encrypted CPIX through the Lambda handler (Powertools, through the edge) with mocked S3 and Secrets Manager. */

const SECRET = Buffer.alloc(32, 0x24);

const s3 = mockClient(S3Client);
const secrets = mockClient(SecretsManagerClient);

const handlerWith = (env: Record<string, string> = {}) => spekeHandlerUnderTest({ env });

beforeEach(() => {
  s3.reset();
  secrets.reset();
  secrets.on(GetSecretValueCommand).resolves({ SecretString: SECRET.toString('base64') });
  s3.on(PutObjectCommand).resolves({});
});

describe('Lambda handler: encrypted answers', () => {
  it('v1: the content key decrypts to the derived key, the one published to S3 for players', async () => {
    const { handler, logs } = handlerWith();
    const res = await handler(apiGatewayEvent(withDeliveryData(v1Aes128({ contentId: 'channel-1', kid: KID_B }))), lambdaContext);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('PlainValue');

    const opened = openAnswer(res.body, privateKey('rsa-2048'));
    const key = derive(SECRET, 'content-key', 'channel-1', KID_B);
    expect(opened.keys.get(KID_B)).toEqual(key);
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(Buffer.from(put.Body as Uint8Array)).toEqual(key);
    expect(logs.join('\n')).not.toContain(key.toString('base64'));
  });

  it('v2 (base64 event body): every content key decrypts to its derived key, for each recipient', async () => {
    const request = v2Request({
      contentId: 'movie-1',
      keys: [
        { kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' },
        { kid: KID_B, trackType: 'AUDIO', filter: '<cpix:AudioFilter/>' },
      ],
      systems: [{ systemId: SYSTEM.commonPssh, children: '<cpix:PSSH/>' }],
    });
    const recipients = [
      { id: 'recipient-1', certificate: 'rsa-2048' as const },
      { id: 'recipient-2', certificate: 'rsa-3072' as const },
    ];
    const { handler } = handlerWith();
    const res = await handler(apiGatewayEvent(withDeliveryData(request, recipients), { base64: true, headers: { 'X-Speke-Version': '2.0' } }), lambdaContext);
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({ 'X-Speke-Version': '2.0' });

    const expected = new Map([KID_A, KID_B].map((kid) => [kid, derive(SECRET, 'content-key', 'movie-1', kid)]));
    expect(openAnswer(res.body, privateKey('rsa-2048'), 'recipient-1').keys).toEqual(expected);
    expect(openAnswer(res.body, privateKey('rsa-3072'), 'recipient-2').keys).toEqual(expected);
  });

  it('refuses a certificate that is not RSA with a 422 plain-text message and publishes nothing', async () => {
    const { handler } = handlerWith();
    const res = await handler(apiGatewayEvent(withDeliveryData(v1Aes128(), [{ id: 'd1', certificate: 'ec-p256' }])), lambdaContext);
    expect(res).toMatchObject({
      statusCode: 422,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      body: 'DeliveryData d1: certificate is not RSA (its key type is ec)',
    });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('refuses an expired certificate unless SPEKE_ALLOW_EXPIRED_CERTIFICATES is true', async () => {
    const event = apiGatewayEvent(withDeliveryData(v1Aes128(), [{ id: 'd1', certificate: 'rsa-2048-expired' }]));
    const refused = await handlerWith().handler(event, lambdaContext);
    expect(refused).toMatchObject({ statusCode: 422, body: 'DeliveryData d1: certificate expired on 2021-01-01T00:00:00.000Z' });

    const allowed = await handlerWith({ SPEKE_ALLOW_EXPIRED_CERTIFICATES: 'true' }).handler(event, lambdaContext);
    expect(allowed.statusCode).toBe(200);
    expect(openAnswer(allowed.body, privateKey('rsa-2048-expired')).keys.get(KID_B)).toHaveLength(16);
  });
});
