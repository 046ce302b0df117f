import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { S3KeyStore } from '../../src/adapters/s3-key-store.js';
import { removeDir, startLocalServer } from '../support/local-server.js';
import { CPIX, one, parse, PSKC } from '../support/xml.js';
import { KID_A, KID_B, v1Aes128 } from '../support/requests.js';

const BUCKET = 'speke-keys';
let s3rver: S3rver;
let endpoint: string;
let dir: string;

beforeAll(async () => {
  // The SDK reads credentials from the environment; s3rver accepts its documented fixed pair.
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  dir = await mkdtemp(join(tmpdir(), 's3rver-'));
  s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: BUCKET, configs: [] }] });
  const { port } = (await s3rver.run()) as { port: number };
  endpoint = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await s3rver.close();
  await removeDir(dir);
});

function client(): S3Client {
  return new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
}

describe('S3 key store against an S3-compatible server on loopback', () => {
  it('puts a key as <content ID>/<kid> and reads it back', async () => {
    const store = new S3KeyStore(client(), BUCKET);
    const key = Buffer.alloc(16, 0xab);
    await store.put('channel-1', KID_A, key);
    expect(await store.get('channel-1', KID_A)).toEqual(key);
    const object = await client().send(new GetObjectCommand({ Bucket: BUCKET, Key: `channel-1/${KID_A}` }));
    expect(object.ContentType).toBe('application/octet-stream');
    expect(Buffer.from(await object.Body!.transformToByteArray())).toEqual(key);
  });

  it('lower-cases the KID in the object name, like the file store: one object however the KID is spelled', async () => {
    const store = new S3KeyStore(client(), BUCKET);
    const key = Buffer.alloc(16, 0xcd);
    await store.put('channel-2', KID_A.toUpperCase(), key);
    const object = await client().send(new GetObjectCommand({ Bucket: BUCKET, Key: `channel-2/${KID_A.toLowerCase()}` }));
    expect(Buffer.from(await object.Body!.transformToByteArray())).toEqual(key);
    expect(await store.get('channel-2', KID_A)).toEqual(key);
    expect(await store.get('channel-2', KID_A.toUpperCase())).toEqual(key);
  });

  it('answers undefined for a key that was never published', async () => {
    expect(await new S3KeyStore(client(), BUCKET).get('channel-1', KID_B)).toBeUndefined();
  });

  it('turns an unreachable or missing bucket into a key-store fault', async () => {
    await expect(new S3KeyStore(client(), 'no-such-bucket').put('c', KID_A, Buffer.alloc(16))).rejects.toMatchObject({ reason: 'key-store-failure' });
  });

  it('is what the local server uses when a bucket and endpoint are configured', async () => {
    const server = await startLocalServer({ SPEKE_KEY_BUCKET: BUCKET, SPEKE_S3_ENDPOINT: endpoint, AWS_REGION: 'us-east-1' });
    try {
      const res = await fetch(`${server.url}/copyProtection`, { method: 'POST', body: v1Aes128({ contentId: 'via-s3', kid: KID_B }) });
      expect(res.status).toBe(200);
      const doc = parse(await res.text());
      const key = Buffer.from(one(doc, PSKC, 'PlainValue').text, 'base64');
      // published to the bucket …
      expect(await new S3KeyStore(client(), BUCKET).get('via-s3', KID_B)).toEqual(key);
      // … and served from it at the key URL of the answer
      const url = Buffer.from(one(doc, CPIX, 'URIExtXKey').text, 'base64').toString();
      expect(Buffer.from(await (await fetch(url)).arrayBuffer())).toEqual(key);
    } finally {
      await server.stop();
      await removeDir(server.dataDir);
    }
  });
});
