import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3KeyStore } from '../../src/adapters/s3-key-store.js';
import { KID_A } from '../support/requests.js';

const s3 = mockClient(S3Client);
const KEY = Buffer.alloc(16, 1);
const OTHER_KEY = Buffer.alloc(16, 2);

const failed = (name: string, status: number) => new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });
const body = (bytes: Buffer) => ({ Body: { transformToByteArray: async () => new Uint8Array(bytes) } }) as unknown as GetObjectCommandOutput;

function store(): S3KeyStore {
  return new S3KeyStore(new S3Client({ region: 'eu-west-1' }), 'keys');
}

beforeEach(() => s3.reset());

describe('S3 key store: an identical key object is not written again', () => {
  it('writes a new key with one conditional PutObject (If-None-Match: *)', async () => {
    s3.on(PutObjectCommand).resolves({});
    await store().put('channel-1', KID_A, KEY);
    const puts = s3.commandCalls(PutObjectCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0]!.args[0].input).toMatchObject({
      Bucket: 'keys',
      Key: `channel-1/${KID_A}`,
      Body: KEY,
      IfNoneMatch: '*',
      ContentType: 'application/octet-stream',
    });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('leaves an existing object with the same bytes alone (412, then a read, no second write)', async () => {
    s3.on(PutObjectCommand).rejects(failed('PreconditionFailed', 412));
    s3.on(GetObjectCommand).resolves(body(KEY));
    await store().put('channel-1', KID_A, KEY);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'keys', Key: `channel-1/${KID_A}` });
  });

  it('replaces an existing object with other bytes (a rotated master secret) unconditionally', async () => {
    s3.on(PutObjectCommand).callsFake((input: { IfNoneMatch?: string }) => {
      if (input.IfNoneMatch === '*') throw failed('PreconditionFailed', 412);
      return {};
    });
    s3.on(GetObjectCommand).resolves(body(OTHER_KEY));
    await store().put('channel-1', KID_A, KEY);
    const puts = s3.commandCalls(PutObjectCommand);
    expect(puts).toHaveLength(2);
    expect(puts[1]!.args[0].input.IfNoneMatch).toBeUndefined();
    expect(puts[1]!.args[0].input.Body).toEqual(KEY);
  });

  it('treats a concurrent conditional write (409) like an existing object', async () => {
    s3.on(PutObjectCommand).rejects(failed('ConditionalRequestConflict', 409));
    s3.on(GetObjectCommand).resolves(body(KEY));
    await store().put('channel-1', KID_A, KEY);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(1);
  });

  it('still turns other S3 failures into a key-store fault', async () => {
    s3.on(PutObjectCommand).rejects(failed('SlowDown', 503));
    await expect(store().put('channel-1', KID_A, KEY)).rejects.toMatchObject({ reason: 'key-store-failure' });
    s3.reset();
    s3.on(PutObjectCommand).rejects(failed('PreconditionFailed', 412));
    s3.on(GetObjectCommand).rejects(failed('AccessDenied', 403));
    await expect(store().put('channel-1', KID_A, KEY)).rejects.toMatchObject({ reason: 'key-store-failure' });
  });
});

// With KeyRetentionDays set, the key bucket's lifecycle rule expires an object N days after it was
// written; a key that is never rewritten (same bytes) vanished from its key URL after N days while
// a live channel that does not rotate keys was still using it (found by review).
describe('S3 key store with a retention: a key in use is rewritten once its object is a day old', () => {
  const NOW = Date.parse('2026-12-04T12:00:00Z');
  const HOUR = 60 * 60 * 1000;
  const existing = (bytes: Buffer, hoursOld: number) => ({ ...body(bytes), LastModified: new Date(NOW - hoursOld * HOUR) }) as GetObjectCommandOutput;
  const retaining = (days: number) => new S3KeyStore(new S3Client({ region: 'eu-west-1' }), 'keys', { retentionDays: days, now: () => NOW });

  beforeEach(() => {
    s3.on(PutObjectCommand).callsFake((input: { IfNoneMatch?: string }) => {
      if (input.IfNoneMatch === '*') throw failed('PreconditionFailed', 412);
      return {};
    });
  });

  const unconditionalPuts = () => s3.commandCalls(PutObjectCommand).filter((c) => c.args[0].input.IfNoneMatch === undefined);

  it.each([
    [30, 23, 0],
    [30, 24, 1],
    [30, 24 * 40, 1],
    [1, 11, 0],
    [1, 12, 1],
    [0, 24 * 3650, 0],
  ])('retention %i days, same bytes written %i hours ago: %i rewrite(s)', async (days, hoursOld, rewrites) => {
    s3.on(GetObjectCommand).resolves(existing(KEY, hoursOld));
    await retaining(days).put('live-1', KID_A, KEY);
    const puts = unconditionalPuts();
    expect(puts).toHaveLength(rewrites);
    for (const put of puts) expect(put.args[0].input).toMatchObject({ Key: `live-1/${KID_A}`, Body: KEY, ContentType: 'application/octet-stream' });
  });

  // The object still holds the right key for days: S3 throttling the refresh must not turn a
  // request for a published key into a 5xx (found by review).
  it('a refresh that fails leaves the request answered: the key is still published', async () => {
    s3.on(PutObjectCommand).callsFake((input: { IfNoneMatch?: string }) => {
      throw input.IfNoneMatch === '*' ? failed('PreconditionFailed', 412) : failed('SlowDown', 503);
    });
    s3.on(GetObjectCommand).resolves(existing(KEY, 48));
    await expect(retaining(30).put('live-1', KID_A, KEY)).resolves.toBeUndefined();
    expect(unconditionalPuts()).toHaveLength(1);
    // Other bytes must be written: that failure still fails.
    s3.on(GetObjectCommand).resolves(existing(OTHER_KEY, 48));
    await expect(retaining(30).put('live-1', KID_A, KEY)).rejects.toMatchObject({ reason: 'key-store-failure' });
  });

  it('rewrites an object S3 gave no date for, and still replaces other bytes at once', async () => {
    s3.on(GetObjectCommand).resolves(body(KEY));
    await retaining(30).put('live-1', KID_A, KEY);
    expect(unconditionalPuts()).toHaveLength(1);
    s3.resetHistory();
    s3.on(GetObjectCommand).resolves(existing(OTHER_KEY, 1));
    await retaining(30).put('live-1', KID_A, KEY);
    expect(unconditionalPuts().map((c) => c.args[0].input.Body)).toEqual([KEY]);
  });
});
