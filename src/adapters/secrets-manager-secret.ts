import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseMasterSecret } from '../keys/derive.js';
import type { SecretSource } from '../ports.js';
import { DependencyError } from '../errors.js';
import { SecretsManagerString } from './secrets-manager-string.js';

/**
 * The master secret from AWS Secrets Manager through Powertools Parameters, cached for
 * `maxAgeSeconds` (so a rotated secret is picked up within that time). The secret string is base64
 * of at least 32 bytes; the stack generates a 64-character alphanumeric string, which is such text.
 * Callers never change the bytes they get (the same object is returned while the string is the same).
 */
export class SecretsManagerSecret implements SecretSource {
  private readonly secret: SecretsManagerString;
  /** The secret string last read and its bytes: the same string gives the same object, so what is derived from it once (HKDF-Extract) is reused. */
  private parsed: { value: string; bytes: Uint8Array } | undefined;

  constructor(client: SecretsManagerClient, secretId: string, maxAgeSeconds: number) {
    this.secret = new SecretsManagerString(client, secretId, maxAgeSeconds, 'Master secret');
  }

  cachedMasterSecret(): Uint8Array | undefined {
    const value = this.secret.cached();
    return value !== undefined && this.parsed?.value === value ? this.parsed.bytes : undefined;
  }

  async masterSecret(): Promise<Uint8Array> {
    const value = await this.secret.value();
    if (this.parsed?.value === value) return this.parsed.bytes;
    try {
      const bytes = parseMasterSecret(value);
      this.parsed = { value, bytes };
      return bytes;
    } catch (error) {
      throw new DependencyError('secret-source', false, { cause: error });
    }
  }
}
