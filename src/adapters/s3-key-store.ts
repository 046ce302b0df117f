import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { KeyStore } from '../ports.js';
import { callDeadline } from './aws-deadlines.js';
import { dependencyFault } from './dependency-faults.js';
import { republishAfterMs } from './key-republish.js';

export interface S3KeyStoreOptions {
  /**
   * The key bucket's lifecycle expiry in days (SPEKE_KEY_RETENTION_DAYS, the stack's
   * KeyRetentionDays); 0 (default): none. With one, a key asked for again is rewritten once its
   * object is a day old, so that it does not expire while it is in use (republishAfterMs).
   */
  retentionDays?: number;
  /** Milliseconds since the epoch, compared with the objects' LastModified. */
  now?: () => number;
}

/**
 * Publishes AES-128 keys to S3, where CloudFront serves them at `<key URL prefix>/<content ID>/<kid>`.
 * The object key is `<content ID>/<kid>`: the key URL carries the content ID percent-encoded as a
 * single segment (no '/', no dot segment), and S3 decodes it back to exactly this name. S3 names
 * are flat, so a content ID such as `../x` is the literal name `../x/<kid>` and reaches nothing else.
 */
export class S3KeyStore implements KeyStore {
  private readonly republishAfterMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    options: S3KeyStoreOptions = {},
  ) {
    this.republishAfterMs = republishAfterMs(options.retentionDays ?? 0);
    this.now = options.now ?? Date.now;
  }

  /** `<content ID>/<kid>`, the KID lower-case like the file store's, however the caller spells it. */
  static objectKey(contentId: string, kid: string): string {
    return `${contentId}/${kid.toLowerCase()}`;
  }

  /**
   * Publishes the key unless the object already holds exactly these bytes: a conditional PutObject
   * (If-None-Match: *) writes a new key in one call; when the object exists (412), it is read and
   * written again if its bytes differ (a rotated master secret) or, with a retention, it was
   * written a day ago or more (so the lifecycle rule counts from now). That refresh is best effort:
   * the object still holds the right key for days, so a failed refresh does not fail the request
   * (the next put of the key, at the latest when the published-key memo forgets it, tries again).
   * A 409 (a concurrent conditional write) is treated like an existing object.
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
      if (existing?.bytes.equals(key)) {
        if (this.dueForRepublishing(existing.lastModified)) await this.send(contentId, kid, key, false, signal).catch(() => undefined);
        return;
      }
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
      return (await this.read(contentId, kid))?.bytes;
    } catch (error) {
      throw dependencyFault('key-store', error);
    }
  }

  /** Whether an object with the right bytes is old enough to be written again (an object without a date is). */
  private dueForRepublishing(lastModified: Date | undefined): boolean {
    if (this.republishAfterMs === Number.POSITIVE_INFINITY) return false;
    return lastModified === undefined || this.now() - lastModified.getTime() >= this.republishAfterMs;
  }

  private async read(contentId: string, kid: string, signal?: AbortSignal): Promise<{ bytes: Buffer; lastModified: Date | undefined } | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: S3KeyStore.objectKey(contentId, kid) }), callDeadline(signal));
      return object.Body ? { bytes: Buffer.from(await object.Body.transformToByteArray()), lastModified: object.LastModified } : undefined;
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
