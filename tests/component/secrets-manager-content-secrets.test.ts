import { S3Client } from '@aws-sdk/client-s3';
import {
  CreateSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  InternalServiceError,
  InvalidRequestException,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  type CreateSecretCommandInput,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { ContentSecretCache } from '../../src/adapters/content-secret-cache.js';
import { CONTENT_SECRET_DESCRIPTION, SecretsManagerContentSecrets } from '../../src/adapters/secrets-manager-content-secrets.js';
import { createLambdaDependencies } from '../../src/composition.js';
import { loadLambdaConfig } from '../../src/config.js';
import { referenceContentKey } from '../../src/keys/reference-deriver.js';
import type { ContentSecretStore } from '../../src/ports.js';
import { DependencyError, SpekeHttpError, SpekeValidationError } from '../../src/errors.js';
import { KID_A } from '../support/requests.js';

const sm = mockClient(SecretsManagerClient);
const meta = { $metadata: {} };
const notFound = () => new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", ...meta });
const exists = () => new ResourceExistsException({ message: 'The operation failed because the secret speke/movie-1 already exists.', ...meta });
const scheduledForDeletion = () =>
  new InvalidRequestException({ message: "You can't perform this operation on the secret because it was marked for deletion.", ...meta });

const EXISTING = 'existing-secret-string-from-the-reference-server-0123456789abcdef';
const GENERATED = 'Gx7!generated-by-GetRandomPassword-64-characters-long-1234567890';
const OTHER = 'Zq2#secret-the-other-instance-created-first-64-characters-long-00';
const MASTER_SECRET_ID = 'speke-master';

function store(): SecretsManagerContentSecrets {
  return new SecretsManagerContentSecrets(new SecretsManagerClient({ region: 'eu-west-1' }));
}

async function failure(promise: Promise<unknown>): Promise<SpekeHttpError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SpekeHttpError);
    return error as SpekeHttpError;
  }
  throw new Error('expected a failure');
}

beforeEach(() => {
  sm.reset();
  sm.on(GetRandomPasswordCommand).resolves({ RandomPassword: GENERATED });
});

describe('Secrets Manager content secrets (speke/<content ID>, as the reference server kept them)', () => {
  it("reads an existing secret and never replaces it (the reference's keys depend on it)", async () => {
    sm.on(GetSecretValueCommand, { SecretId: 'speke/movie-1' }).resolves({ SecretString: EXISTING });
    await expect(store().secretFor('movie-1')).resolves.toBe(EXISTING);
    expect(sm.commandCalls(CreateSecretCommand)).toHaveLength(0);
  });

  it('creates a missing secret as the reference did: a 64-character random password named speke/<content ID>', async () => {
    sm.on(GetSecretValueCommand).rejects(notFound());
    sm.on(CreateSecretCommand).resolves({ Name: 'speke/movie-1' });
    await expect(store().secretFor('movie-1')).resolves.toBe(GENERATED);
    expect(sm.commandCalls(GetRandomPasswordCommand)[0]!.args[0].input).toEqual({ PasswordLength: 64 });
    const created: CreateSecretCommandInput = sm.commandCalls(CreateSecretCommand)[0]!.args[0].input;
    expect(created).toMatchObject({ Name: 'speke/movie-1', SecretString: GENERATED, Description: CONTENT_SECRET_DESCRIPTION });
  });

  it('after losing a creation race (ResourceExistsException), uses the secret the winner stored', async () => {
    sm.on(GetSecretValueCommand).rejectsOnce(notFound()).resolves({ SecretString: OTHER });
    sm.on(CreateSecretCommand).rejects(exists());
    await expect(store().secretFor('movie-1')).resolves.toBe(OTHER);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('answers 503 when the winner of a race cannot be read yet, so the encryptor retries', async () => {
    sm.on(GetSecretValueCommand).rejects(notFound());
    sm.on(CreateSecretCommand).rejects(exists());
    const error = await failure(store().secretFor('movie-1'));
    expect(error).toBeInstanceOf(DependencyError);
    expect(error.status).toBe(503);
  });

  it.each([
    ['GetSecretValue', () => sm.on(GetSecretValueCommand).rejects(scheduledForDeletion())],
    [
      'CreateSecret',
      () => {
        sm.on(GetSecretValueCommand).rejects(notFound());
        sm.on(CreateSecretCommand).rejects(
          new InvalidRequestException({ message: "You can't create this secret because a secret with this name is already scheduled for deletion.", ...meta }),
        );
      },
    ],
  ])('answers 500 with the log reason content-secret-scheduled-for-deletion when %s finds the secret scheduled for deletion', async (_call, arrange) => {
    arrange();
    const error = await failure(store().secretFor('movie-1'));
    expect(error.status).toBe(500);
    expect(error.reason).toBe('content-secret-scheduled-for-deletion');
    expect(error.message).toBe('Secret source unavailable');
  });

  it('answers 500 for a secret without a SecretString', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
    const error = await failure(store().secretFor('movie-1'));
    expect(error.status).toBe(500);
    expect(error.reason).toBe('content-secret-not-a-string');
  });

  it('answers 503 for a retryable Secrets Manager fault and 500 for any other', async () => {
    sm.on(GetSecretValueCommand).rejects(new InternalServiceError({ message: 'internal', ...meta }));
    expect((await failure(store().secretFor('movie-1'))).status).toBe(503);
    sm.reset();
    sm.on(GetSecretValueCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    expect((await failure(store().secretFor('movie-1'))).status).toBe(500);
  });

  it('refuses (422) a content ID that cannot be a secret name, without calling Secrets Manager', async () => {
    const error = await failure(store().secretFor('movie 1'));
    expect(error).toBeInstanceOf(SpekeValidationError);
    expect(error.status).toBe(422);
    expect(sm.calls()).toHaveLength(0);
  });
});

describe('reference mode on Lambda (createLambdaDependencies with SPEKE_KEY_DERIVATION=reference)', () => {
  const env = {
    SPEKE_KEY_BUCKET: 'keys',
    SPEKE_KEY_URL_PREFIX: 'https://d.example.com',
    SPEKE_MASTER_SECRET_ID: MASTER_SECRET_ID,
    SPEKE_KEY_DERIVATION: 'reference',
  };
  const instance = () =>
    createLambdaDependencies(loadLambdaConfig(env), {
      s3: new S3Client({ region: 'eu-west-1' }),
      secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
    });

  /** An in-memory Secrets Manager: GetSecretValue/CreateSecret on a map, slow enough for callers to overlap. */
  function fakeSecretsManager(): Map<string, string> {
    const secrets = new Map<string, string>([[MASTER_SECRET_ID, Buffer.alloc(32, 7).toString('base64')]]);
    let passwords = 0;
    const later = () => new Promise((resolve) => setImmediate(resolve));
    sm.on(GetRandomPasswordCommand).callsFake(async () => ({ RandomPassword: `password-${++passwords}`.padEnd(64, '!') }));
    sm.on(GetSecretValueCommand).callsFake(async ({ SecretId }: { SecretId: string }) => {
      await later();
      const value = secrets.get(SecretId);
      if (value === undefined) throw notFound();
      return { SecretString: value };
    });
    sm.on(CreateSecretCommand).callsFake(async ({ Name, SecretString }: { Name: string; SecretString: string }) => {
      await later();
      if (secrets.has(Name)) throw exists();
      secrets.set(Name, SecretString);
      return { Name };
    });
    return secrets;
  }

  it('concurrent first requests for one content ID create one secret and get the same keys', async () => {
    const secrets = fakeSecretsManager();
    const app = instance();
    const derivers = await Promise.all(Array.from({ length: 5 }, () => app.keysFor('movie-1')));
    expect(sm.commandCalls(CreateSecretCommand)).toHaveLength(1);
    const expected = referenceContentKey(secrets.get('speke/movie-1')!, KID_A);
    for (const deriver of derivers) expect(deriver.contentKey(KID_A, KID_A)).toEqual(expected);

    // Cached: later requests for the content ID do not look the secret up again.
    const lookups = sm.commandCalls(GetSecretValueCommand, { SecretId: 'speke/movie-1' }).length;
    await app.keysFor('movie-1');
    expect(sm.commandCalls(GetSecretValueCommand, { SecretId: 'speke/movie-1' })).toHaveLength(lookups);
  });

  it('two instances racing to create the secret end up with the same keys', async () => {
    const secrets = fakeSecretsManager();
    const [a, b] = await Promise.all([instance().keysFor('movie-1'), instance().keysFor('movie-1')]);
    expect(sm.commandCalls(CreateSecretCommand)).toHaveLength(2);
    expect(secrets.get('speke/movie-1')).toBeDefined();
    expect(a.contentKey(KID_A, KID_A)).toEqual(referenceContentKey(secrets.get('speke/movie-1')!, KID_A));
    expect(b.contentKey(KID_A, KID_A)).toEqual(a.contentKey(KID_A, KID_A));
  });

  it('a failed lookup is not cached: the next request tries again', async () => {
    const secrets = fakeSecretsManager();
    secrets.set('speke/movie-1', EXISTING);
    sm.on(GetSecretValueCommand, { SecretId: 'speke/movie-1' })
      .rejectsOnce(new InternalServiceError({ message: 'internal', ...meta }))
      .resolves({ SecretString: EXISTING });
    const app = instance();
    expect((await failure(app.keysFor('movie-1'))).status).toBe(503);
    const deriver = await app.keysFor('movie-1');
    expect(deriver.contentKey(KID_A, KID_A)).toEqual(referenceContentKey(EXISTING, KID_A));
  });

  it('when the master secret fails, answers only once the content secret lookup has settled too (nothing runs on into the next invocation)', async () => {
    fakeSecretsManager();
    let settled = false;
    sm.on(GetSecretValueCommand, { SecretId: MASTER_SECRET_ID }).rejects(new InternalServiceError({ message: 'internal', ...meta }));
    sm.on(GetSecretValueCommand, { SecretId: 'speke/movie-2' }).callsFake(async () => {
      await new Promise((r) => setTimeout(r, 50));
      settled = true;
      return { SecretString: EXISTING };
    });
    expect((await failure(instance().keysFor('movie-2'))).status).toBe(503);
    expect(settled).toBe(true);
  });

  it('refuses (422) a content ID that cannot be a secret name before any lookup', async () => {
    fakeSecretsManager();
    const error = await failure(instance().keysFor('urn:movie:1'));
    expect(error.status).toBe(422);
    expect(sm.commandCalls(GetSecretValueCommand, { SecretId: 'speke/urn:movie:1' })).toHaveLength(0);
  });
});

describe('ContentSecretCache', () => {
  function countingStore(): ContentSecretStore & { lookups: string[] } {
    const lookups: string[] = [];
    return { lookups, secretFor: async (contentId) => (lookups.push(contentId), `secret-of-${contentId}`) };
  }

  it('keeps at most the configured number of content IDs, dropping the least recently used', async () => {
    const inner = countingStore();
    const cache = new ContentSecretCache(inner, 2);
    await cache.secretFor('a');
    await cache.secretFor('b');
    await cache.secretFor('a'); // a is now the most recently used
    await cache.secretFor('c'); // drops b
    await cache.secretFor('a');
    await cache.secretFor('b');
    expect(inner.lookups).toEqual(['a', 'b', 'c', 'b']);
  });
});
