import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createServer, type Server, type Socket } from 'node:net';
import { AWS_ATTEMPT_DEADLINE_MS, AWS_CALL_DEADLINE_MS } from '../../src/adapters/aws-deadlines.js';
import { S3GrantStore } from '../../src/adapters/s3-grant-store.js';
import { S3KeyStore } from '../../src/adapters/s3-key-store.js';
import { awsClientSettings, createLambdaDependencies } from '../../src/composition.js';
import { loadLambdaConfig } from '../../src/config.js';
import { copyProtection } from '../../src/service/copy-protection.js';
import { LAMBDA_TEST_ENV } from '../support/lambda.js';
import { removeDir, startLocalServer } from '../support/local-server.js';
import { KID_A, v1Aes128 } from '../support/requests.js';

/**
 * A store that accepts connections and never answers (issue 14: the SDK's requestTimeout only
 * logged a warning, and such a store held a request for 95 s). A loopback TCP listener plays it:
 * every S3 and Secrets Manager call must give up within its documented deadline
 * (AWS_CALL_DEADLINE_MS per call, AWS_ATTEMPT_DEADLINE_MS per attempt) and the request answer 503.
 */
let blackHole: Server;
let endpoint: string;
const sockets = new Set<Socket>();
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
/** Slack over a deadline for timers and the abort itself on a loaded 2-core machine. */
const SLACK_MS = 1_500;

beforeAll(async () => {
  blackHole = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(blackHole.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => blackHole.close(resolve));
});

const s3 = () => new S3Client({ ...awsClientSettings(), region: 'us-east-1', endpoint, forcePathStyle: true, credentials: CREDENTIALS });
const secretsManager = () => new SecretsManagerClient({ ...awsClientSettings(), region: 'us-east-1', endpoint, credentials: CREDENTIALS });

async function timed(work: () => Promise<unknown>): Promise<{ outcome: unknown; ms: number }> {
  const started = performance.now();
  let outcome: unknown;
  try {
    outcome = await work();
  } catch (error) {
    outcome = error;
  }
  return { outcome, ms: performance.now() - started };
}

describe('every S3 and Secrets Manager call has a deadline', () => {
  it('S3 key store and grant store: a 503 fault within the call deadline', async () => {
    for (const call of [
      () => new S3KeyStore(s3(), 'keys').put('c', KID_A, Buffer.alloc(16)),
      () => new S3KeyStore(s3(), 'keys').get('c', KID_A),
      () => new S3GrantStore(s3(), 'grants').find('c', KID_A),
    ] as (() => Promise<unknown>)[]) {
      const { outcome, ms } = await timed(call);
      expect(outcome).toMatchObject({ status: 503 });
      expect(ms).toBeLessThan(AWS_CALL_DEADLINE_MS + SLACK_MS);
    }
  }, 30_000);

  it('the SPEKE Lambda composition answers 503 when Secrets Manager never answers (master secret through Powertools: per-attempt deadline)', async () => {
    const deps = createLambdaDependencies(loadLambdaConfig(LAMBDA_TEST_ENV), { s3: s3(), secretsManager: secretsManager() });
    const { outcome, ms } = await timed(() => copyProtection({ body: Buffer.from(v1Aes128()), spekeVersionHeader: undefined }, deps));
    expect(outcome).toMatchObject({ status: 503, message: 'Secret source unavailable' });
    // At most AWS_MAX_ATTEMPTS attempts of AWS_ATTEMPT_DEADLINE_MS each, plus the SDK's short backoff.
    expect(ms).toBeLessThan(3 * AWS_ATTEMPT_DEADLINE_MS + SLACK_MS);
  }, 30_000);

  it('the SPEKE Lambda composition answers 503 when S3 never answers, and never a document', async () => {
    const sm = secretsManager();
    const smMock = mockClient(sm);
    smMock.on(GetSecretValueCommand).resolves({ SecretString: Buffer.alloc(32, 1).toString('base64') });
    const deps = createLambdaDependencies(loadLambdaConfig(LAMBDA_TEST_ENV), { s3: s3(), secretsManager: sm });
    const { outcome, ms } = await timed(() => copyProtection({ body: Buffer.from(v1Aes128()), spekeVersionHeader: undefined }, deps));
    expect(outcome).toMatchObject({ status: 503, message: 'Key store unavailable' });
    expect(ms).toBeLessThan(AWS_CALL_DEADLINE_MS + SLACK_MS);
    smMock.restore();
  }, 30_000);

  it('the local server with SPEKE_KEY_BUCKET at that endpoint answers 503 in time', async () => {
    process.env.AWS_ACCESS_KEY_ID ??= CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY ??= CREDENTIALS.secretAccessKey;
    const server = await startLocalServer({ SPEKE_KEY_BUCKET: 'keys', SPEKE_S3_ENDPOINT: endpoint, AWS_REGION: 'us-east-1' });
    try {
      const { outcome, ms } = await timed(() => fetch(`${server.url}/copyProtection`, { method: 'POST', body: v1Aes128() }));
      const res = outcome as Response;
      expect(res.status).toBe(503);
      expect(await res.text()).toBe('Key store unavailable');
      expect(ms).toBeLessThan(AWS_CALL_DEADLINE_MS + SLACK_MS);
    } finally {
      await server.stop();
      await removeDir(server.dataDir);
    }
  }, 30_000);
});
