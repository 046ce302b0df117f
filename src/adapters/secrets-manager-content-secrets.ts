import { CreateSecretCommand, GetRandomPasswordCommand, GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { referenceSecretName } from '../keys/reference-deriver.js';
import type { ContentSecretStore } from '../ports.js';
import { DependencyError, NotFoundError } from '../errors.js';
import { callDeadline } from './aws-deadlines.js';
import { dependencyFault } from './dependency-faults.js';

/** The reference server's settings for a new content ID secret (src/key_generator.py). */
export const CONTENT_SECRET_LENGTH = 64;
export const CONTENT_SECRET_DESCRIPTION = 'SPEKE content ID secret value for key generation';

/**
 * The content ID's secret exists but cannot be used (→ 500; the request log line names the reason).
 * Scheduled for deletion: restore it (`aws secretsmanager restore-secret`) or its keys are lost.
 */
export class UnusableContentSecretError extends DependencyError {
  override readonly name = 'UnusableContentSecretError';
  override readonly reason: string;
  constructor(reason: 'content-secret-scheduled-for-deletion' | 'content-secret-not-a-string', cause: unknown) {
    super('secret-source', false, { cause });
    this.reason = reason;
  }
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/**
 * Per-content-ID secrets in AWS Secrets Manager, exactly where the reference server keeps them:
 * `speke/<content ID>`, a SecretString made by GetRandomPassword (64 characters, default character
 * classes). Reads first; when absent, creates; when another instance created it meanwhile
 * (ResourceExistsException), reads the winner's secret, so every instance derives the same keys.
 * Cache in front of it with ContentSecretCache.
 *
 * With `create: false` (the ClearKey license function, which players reach without SigV4) a missing
 * secret is a 404 instead: only the SPEKE endpoint, which encryptors call, may create secrets.
 */
export class SecretsManagerContentSecrets implements ContentSecretStore {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly options: { create: boolean } = { create: true },
  ) {}

  async secretFor(contentId: string): Promise<string> {
    const name = referenceSecretName(contentId);
    const existing = await this.read(name);
    if (existing !== undefined) return existing;
    if (!this.options.create) throw new NotFoundError('No keys were issued for this content ID', 'unknown-content-id');
    return this.create(name);
  }

  /** The secret string, or undefined when no secret has that name. */
  private async read(name: string): Promise<string | undefined> {
    let secretString: string | undefined;
    try {
      ({ SecretString: secretString } = await this.client.send(new GetSecretValueCommand({ SecretId: name }), callDeadline()));
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return undefined;
      // GetSecretValue on a secret scheduled for deletion: "...because it was marked for deletion".
      if (errorName(error) === 'InvalidRequestException') throw new UnusableContentSecretError('content-secret-scheduled-for-deletion', error);
      throw dependencyFault('secret-source', error);
    }
    if (secretString === undefined) {
      throw new UnusableContentSecretError('content-secret-not-a-string', new Error(`Secret ${name} has no SecretString (binary secrets are not supported)`));
    }
    return secretString;
  }

  private async create(name: string): Promise<string> {
    let secret: string | undefined;
    try {
      ({ RandomPassword: secret } = await this.client.send(new GetRandomPasswordCommand({ PasswordLength: CONTENT_SECRET_LENGTH }), callDeadline()));
    } catch (error) {
      throw dependencyFault('secret-source', error);
    }
    if (!secret) throw new DependencyError('secret-source', true, { cause: new Error('GetRandomPassword returned no password') });
    try {
      await this.client.send(new CreateSecretCommand({ Name: name, SecretString: secret, Description: CONTENT_SECRET_DESCRIPTION }), callDeadline());
      return secret;
    } catch (error) {
      if (errorName(error) === 'ResourceExistsException') return this.readWinner(name);
      // CreateSecret with the name of a secret scheduled for deletion: restore it, or wait out the deletion.
      if (errorName(error) === 'InvalidRequestException') throw new UnusableContentSecretError('content-secret-scheduled-for-deletion', error);
      throw dependencyFault('secret-source', error);
    }
  }

  /** Another instance created the secret first: its value is the one every instance must use. */
  private async readWinner(name: string): Promise<string> {
    const winner = await this.read(name);
    // Exists for CreateSecret yet not found for GetSecretValue: not visible yet, so a retry will do.
    if (winner === undefined) throw new DependencyError('secret-source', true, { cause: new Error(`Secret ${name} exists but could not be read yet`) });
    return winner;
  }
}
