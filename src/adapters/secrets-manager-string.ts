import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { DependencyError } from '../errors.js';
import { dependencyFault } from './dependency-faults.js';

/**
 * One Secrets Manager secret's SecretString through Powertools Parameters, cached for `maxAgeSeconds`
 * from when its read began (a value rotated after a read is in use within that time of the read).
 * Callers that find it stale while a read is under way share that read. A failed call is a
 * dependency fault; a secret with no SecretString is our fault (5xx), described by `what`.
 */
export class SecretsManagerString {
  private readonly provider: SecretsProvider;
  /** The value last read and when it stops being fresh: when its read began + maxAge. */
  private last: { value: string; freshUntil: number } | undefined;
  /** The read under way, which callers that find the value stale meanwhile share. */
  private reading: Promise<string> | undefined;

  constructor(
    client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly maxAgeSeconds: number,
    private readonly what: string,
  ) {
    this.provider = new SecretsProvider({ awsSdkV3Client: client });
  }

  /** The value while it is fresh (read less than maxAgeSeconds ago), without waiting; else undefined. */
  cached(): string | undefined {
    const last = this.last;
    return last !== undefined && Date.now() < last.freshUntil ? last.value : undefined;
  }

  async value(): Promise<string> {
    const cached = this.cached();
    if (cached !== undefined) return cached;
    this.reading ??= this.read().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async read(): Promise<string> {
    const readAt = Date.now();
    let value: unknown;
    try {
      // Always a new GetSecretValue: the provider's own cache runs from the end of its read, so it
      // could hand back the old value after ours ran out and have it kept for another maxAge.
      value = await this.provider.get(this.secretId, { maxAge: this.maxAgeSeconds, forceFetch: true });
    } catch (error) {
      throw dependencyFault('secret-source', error);
    }
    if (typeof value !== 'string') throw new DependencyError('secret-source', false, { cause: new Error(`${this.what} has no SecretString`) });
    this.last = { value, freshUntil: readAt + this.maxAgeSeconds * 1000 };
    return value;
  }
}
