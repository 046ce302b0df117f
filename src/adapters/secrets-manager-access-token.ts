import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { isAccessToken } from '../service/bearer-token.js';
import type { AccessTokenSource } from '../ports.js';
import { DependencyError } from '../errors.js';
import { SecretsManagerString } from './secrets-manager-string.js';

/**
 * The ClearKey license route's bearer token from AWS Secrets Manager (SPEKE_KEY_ACCESS_TOKEN_SECRET_ID),
 * cached for `maxAgeSeconds` so that a new value (`aws secretsmanager put-secret-value`) is in use
 * within that time. A secret that is not a usable token (16 to 512 visible ASCII characters) is our
 * fault, never a reason to let a request through: the request gets a 5xx.
 */
export class SecretsManagerAccessToken implements AccessTokenSource {
  private readonly secret: SecretsManagerString;

  constructor(client: SecretsManagerClient, secretId: string, maxAgeSeconds: number) {
    this.secret = new SecretsManagerString(client, secretId, maxAgeSeconds, 'The access token secret');
  }

  async accessToken(): Promise<string> {
    const value = (await this.secret.value()).trim();
    if (!isAccessToken(value)) {
      throw new DependencyError('secret-source', false, { cause: new Error('The access token secret is not 16 to 512 visible ASCII characters') });
    }
    return value;
  }
}
