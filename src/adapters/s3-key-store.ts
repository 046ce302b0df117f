import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { KeyStore } from '../ports.js';
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

  static objectKey(contentId: string, kid: string): string {
    return `${contentId}/${kid}`;
  }

  async put(contentId: string, kid: string, key: Buffer): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: S3KeyStore.objectKey(contentId, kid),
          Body: key,
          ContentType: 'application/octet-stream',
          CacheControl: 'private, max-age=300',
        }),
      );
    } catch (error) {
      throw dependencyFault('key-store', error);
    }
  }

  async get(contentId: string, kid: string): Promise<Buffer | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: S3KeyStore.objectKey(contentId, kid) }));
      return object.Body ? Buffer.from(await object.Body.transformToByteArray()) : undefined;
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
      throw dependencyFault('key-store', error);
    }
  }
}
