import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { isAccessToken } from '../config.js';
import type { AccessTokenSource } from '../ports.js';
import { DependencyError } from '../speke/errors.js';
import { dependencyFault } from './dependency-faults.js';

/**
 * The ClearKey license route's bearer token from AWS Secrets Manager (SPEKE_KEY_ACCESS_TOKEN_SECRET_ID),
 * cached for `maxAgeSeconds` so that a new value (`aws secretsmanager put-secret-value`) is in use
 * within that time. A secret that is not a usable token (16 to 512 visible ASCII characters) is our
 * fault, never a reason to let a request through: the request gets a 5xx.
 */
export class SecretsManagerAccessToken implements AccessTokenSource {
  private readonly provider: SecretsProvider;

  constructor(
    client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly maxAgeSeconds: number,
  ) {
    this.provider = new SecretsProvider({ awsSdkV3Client: client });
  }

  async accessToken(): Promise<string> {
    let value: unknown;
    try {
      value = await this.provider.get(this.secretId, { maxAge: this.maxAgeSeconds });
    } catch (error) {
      throw dependencyFault('secret-source', error);
    }
    if (typeof value !== 'string' || !isAccessToken(value.trim())) {
      throw new DependencyError('secret-source', false, { cause: new Error('The access token secret is not 16 to 512 visible ASCII characters') });
    }
    return value.trim();
  }
}
