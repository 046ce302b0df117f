import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseKeyGrant, type KeyGrant } from '../keys/key-grant.js';
import type { GrantStore } from '../ports.js';
import { callDeadline } from './aws-deadlines.js';
import { dependencyFault } from './dependency-faults.js';

/**
 * Key grants as S3 objects `<content ID>/<kid>` (JSON) in their own bucket (template.yaml
 * GrantBucket): never the key bucket, which CloudFront serves. The SPEKE function may only put
 * them, the ClearKey license function may only get them.
 */
export class S3GrantStore implements GrantStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  static objectKey(contentId: string, kid: string): string {
    return `${contentId}/${kid.toLowerCase()}`;
  }

  async record(grant: KeyGrant, signal?: AbortSignal): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: S3GrantStore.objectKey(grant.contentId, grant.kid),
          Body: JSON.stringify(grant),
          ContentType: 'application/json',
        }),
        callDeadline(signal),
      );
    } catch (error) {
      throw dependencyFault('grant-store', error);
    }
  }

  async find(contentId: string, kid: string): Promise<KeyGrant | undefined> {
    let text: string | undefined;
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: S3GrantStore.objectKey(contentId, kid) }), callDeadline());
      text = await object.Body?.transformToString('utf-8');
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
      throw dependencyFault('grant-store', error);
    }
    if (text === undefined) return undefined;
    try {
      return parseKeyGrant(text);
    } catch (error) {
      throw dependencyFault('grant-store', error);
    }
  }
}
