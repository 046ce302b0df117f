import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { parseMasterSecret } from '../keys/derive.js';
import type { SecretSource } from '../ports.js';
import { DependencyError } from '../speke/errors.js';
import { dependencyFault } from './dependency-faults.js';

/**
 * The master secret from AWS Secrets Manager through Powertools Parameters, cached for
 * `maxAgeSeconds` (so a rotated secret is picked up within that time). The secret string is base64
 * of at least 32 bytes; the stack generates a 64-character alphanumeric string, which is such text.
 */
export class SecretsManagerSecret implements SecretSource {
  private readonly provider: SecretsProvider;

  constructor(
    client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly maxAgeSeconds: number,
  ) {
    this.provider = new SecretsProvider({ awsSdkV3Client: client });
  }

  async masterSecret(): Promise<Uint8Array> {
    let value: unknown;
    try {
      value = await this.provider.get(this.secretId, { maxAge: this.maxAgeSeconds });
    } catch (error) {
      throw dependencyFault('secret-source', error);
    }
    if (typeof value !== 'string') throw new DependencyError('secret-source', false, { cause: new Error('Master secret has no SecretString') });
    try {
      return parseMasterSecret(value);
    } catch (error) {
      throw new DependencyError('secret-source', false, { cause: error });
    }
  }
}
