import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseMasterSecret } from '../keys/derive.js';
import type { SecretSource } from '../ports.js';
import { DependencyError } from '../errors.js';
import { SecretsManagerString } from './secrets-manager-string.js';

/**
 * The master secret from AWS Secrets Manager through Powertools Parameters, cached for
 * `maxAgeSeconds` (so a rotated secret is picked up within that time). The secret string is base64
 * of at least 32 bytes; the stack generates a 64-character alphanumeric string, which is such text.
 */
export class SecretsManagerSecret implements SecretSource {
  private readonly secret: SecretsManagerString;

  constructor(client: SecretsManagerClient, secretId: string, maxAgeSeconds: number) {
    this.secret = new SecretsManagerString(client, secretId, maxAgeSeconds, 'Master secret');
  }

  async masterSecret(): Promise<Uint8Array> {
    const value = await this.secret.value();
    try {
      return parseMasterSecret(value);
    } catch (error) {
      throw new DependencyError('secret-source', false, { cause: error });
    }
  }
}
