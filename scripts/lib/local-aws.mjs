// Loopback stand-ins for the two AWS services the Lambda bundle calls, so that the real bundle can
// run on a machine with no AWS account, no SAM CLI and no Docker:
// - S3: an in-process s3rver with the key bucket and the grant bucket (PutObject, GetObject, and
//   ListObjectsV2 for inspection);
// - Secrets Manager: a tiny awsJson1_1 server answering GetSecretValue (plus CreateSecret and
//   GetRandomPassword, which the reference-compatible key derivation uses).
// The SDK v3 clients inside the bundle are pointed here through AWS_ENDPOINT_URL_S3 and
// AWS_ENDPOINT_URL_SECRETS_MANAGER (service-specific endpoint variables honoured by SDK v3).
import { ListObjectsV2Command, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export const LOCAL_BUCKET = 'speke-local-keys';
/** Where the SPEKE bundle records ClearKey grants and the license bundle reads them (template GrantBucket). */
export const LOCAL_GRANT_BUCKET = 'speke-local-grants';
export const LOCAL_SECRET_ID = 'speke-local-master-secret';
export const LOCAL_REGION = 'us-east-1';
// s3rver checks SigV4 signatures against this fixed key pair; nothing here is a real credential.
const FAKE_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** 64 alphanumeric characters: valid base64 of 48 bytes, the shape the stack's generated secret has. */
export function alphanumericSecret(length = 64) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(length)].map((b) => alphabet[b % alphabet.length]).join('');
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on('data', (c) => chunks.push(c));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** An in-memory Secrets Manager speaking the awsJson1_1 protocol for the few operations used. */
function secretsManagerStub(secrets, calls) {
  const arnOf = (name) => `arn:aws:secretsmanager:${LOCAL_REGION}:000000000000:secret:${name}-AbCdEf`;
  const nameOf = (id) => (id.startsWith('arn:') ? id.split(':secret:')[1].replace(/-[A-Za-z0-9]{6}$/, '') : id);
  const operations = {
    GetSecretValue: ({ SecretId }) => {
      const name = nameOf(String(SecretId));
      if (!secrets.has(name)) return [400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }];
      return [
        200,
        {
          ARN: arnOf(name),
          Name: name,
          VersionId: randomUUID(),
          SecretString: secrets.get(name),
          VersionStages: ['AWSCURRENT'],
          CreatedDate: Date.now() / 1000,
        },
      ];
    },
    CreateSecret: ({ Name, SecretString }) => {
      if (secrets.has(Name)) return [400, { __type: 'ResourceExistsException', message: `The operation failed because the secret ${Name} already exists.` }];
      secrets.set(Name, String(SecretString));
      return [200, { ARN: arnOf(Name), Name, VersionId: randomUUID() }];
    },
    GetRandomPassword: ({ PasswordLength = 32 }) => [200, { RandomPassword: alphanumericSecret(PasswordLength) }],
  };
  return createServer(async (request, response) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.replace(/^secretsmanager\./, '');
    const input = JSON.parse((await readBody(request)) || '{}');
    calls.push(operation);
    const handle = operations[operation];
    const [status, output] = handle
      ? handle(input)
      : [400, { __type: 'UnknownOperationException', message: `${operation} is not answered by the local stand-in` }];
    response.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify(output));
  });
}

/**
 * Starts both stand-ins on loopback ports. Returns the environment that points the bundle at them
 * (endpoints, fake credentials, region), a way to list what was written to the key bucket, and stop().
 */
export async function startLocalAws({ masterSecret = alphanumericSecret(), bucket = LOCAL_BUCKET, secretId = LOCAL_SECRET_ID } = {}) {
  const directory = await mkdtemp(join(tmpdir(), 'speke-s3rver-'));
  const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }, { name: LOCAL_GRANT_BUCKET }] });
  let s3Port;
  try {
    ({ port: s3Port } = await s3.run());
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  // An IP-address endpoint: the SDK then addresses buckets path-style by itself (with `localhost`
  // it would try `<bucket>.localhost`), and the bundle's S3Client sets no forcePathStyle.
  const s3Endpoint = `http://127.0.0.1:${s3Port}`;

  const secrets = new Map([[secretId, masterSecret]]);
  const secretsCalls = [];
  const sm = secretsManagerStub(secrets, secretsCalls);
  let smPort;
  try {
    smPort = await listen(sm);
  } catch (error) {
    await s3.close();
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const smEndpoint = `http://127.0.0.1:${smPort}`;

  const env = {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_S3: s3Endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: smEndpoint,
    // No shared config or credentials files: nothing can route a call to a real account.
    AWS_CONFIG_FILE: join(directory, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(directory, 'no-aws-credentials'),
    SPEKE_KEY_BUCKET: bucket,
    SPEKE_GRANT_BUCKET: LOCAL_GRANT_BUCKET,
    SPEKE_MASTER_SECRET_ID: secretId,
  };

  const inspector = new S3Client({ region: LOCAL_REGION, endpoint: s3Endpoint, forcePathStyle: true, credentials: FAKE_CREDENTIALS });
  return {
    env,
    s3Endpoint,
    secretsManagerEndpoint: smEndpoint,
    /** Operations the Secrets Manager stand-in answered, in order. */
    secretsCalls,
    /** Object keys in the key bucket, sorted. */
    async listKeys() {
      const keys = [];
      let ContinuationToken;
      do {
        const out = await inspector.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken }));
        keys.push(...(out.Contents ?? []).map((o) => o.Key));
        ContinuationToken = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (ContinuationToken);
      return keys.sort();
    },
    async getObject(key) {
      const out = await inspector.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return { bytes: Buffer.from(await out.Body.transformToByteArray()), contentType: out.ContentType, cacheControl: out.CacheControl };
    },
    async stop() {
      inspector.destroy();
      await new Promise((resolve) => {
        sm.close(() => resolve());
        sm.closeAllConnections();
      });
      await s3.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
