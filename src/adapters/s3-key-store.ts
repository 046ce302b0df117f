import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { KeyStore } from '../ports.js';
import { callDeadline } from './aws-deadlines.js';
import { dependencyFault } from './dependency-faults.js';

/**
 * Publishes AES-128 keys to S3, where CloudFront serves them at `<key URL prefix>/<content ID>/<kid>`.
 * The object key is `<content ID>/<kid>`: the key URL carries the content ID percent-encoded as a
 * single segment (no '/', no dot segment), and S3 decodes it back to exactly this name. S3 names
 * are flat, so a content ID such as `../x` is the literal name `../x/<kid>` and reaches nothing else.
 */
export class S3KeyStore implements KeyStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  /** `<content ID>/<kid>`, the KID lower-case like the file store's, however the caller spells it. */
  static objectKey(contentId: string, kid: string): string {
    return `${contentId}/${kid.toLowerCase()}`;
  }

  /**
   * Publishes the key unless the object already holds exactly these bytes: a conditional PutObject
   * (If-None-Match: *) writes a new key in one call; when the object exists (412), it is read and
   * written again only if its bytes differ (a rotated master secret). A 409 (a concurrent
   * conditional write) is treated the same way.
   */
  async put(contentId: string, kid: string, key: Buffer, signal?: AbortSignal): Promise<void> {
    try {
      try {
        await this.send(contentId, kid, key, true, signal);
        return;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const existing = await this.read(contentId, kid, signal);
      if (existing?.equals(key)) return;
      await this.send(contentId, kid, key, false, signal);
    } catch (error) {
      throw dependencyFault('key-store', error);
    }
  }

  private async send(contentId: string, kid: string, key: Buffer, onlyIfAbsent: boolean, signal: AbortSignal | undefined): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: S3KeyStore.objectKey(contentId, kid),
        Body: key,
        ContentType: 'application/octet-stream',
        CacheControl: 'private, max-age=300',
        ...(onlyIfAbsent ? { IfNoneMatch: '*' } : {}),
      }),
      callDeadline(signal),
    );
  }

  async get(contentId: string, kid: string): Promise<Buffer | undefined> {
    try {
      return await this.read(contentId, kid);
    } catch (error) {
      throw dependencyFault('key-store', error);
    }
  }

  private async read(contentId: string, kid: string, signal?: AbortSignal): Promise<Buffer | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: S3KeyStore.objectKey(contentId, kid) }), callDeadline(signal));
      return object.Body ? Buffer.from(await object.Body.transformToByteArray()) : undefined;
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
      throw error;
    }
  }
}

/** 412 PreconditionFailed (the object exists) or 409 ConditionalRequestConflict (a concurrent conditional write). */
function isConditionFailure(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e.name === 'PreconditionFailed' || e.name === 'ConditionalRequestConflict' || e.$metadata?.httpStatusCode === 412 || e.$metadata?.httpStatusCode === 409
  );
}
