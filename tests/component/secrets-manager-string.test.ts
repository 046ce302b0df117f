import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretsManagerString } from '../../src/adapters/secrets-manager-string.js';

/**
 * The cache in front of every secret the functions read (master secret, ClearKey access token,
 * player-token key): a value rotated in Secrets Manager is in use within maxAge of the read that
 * got the old one, however long that read took, and a burst of callers shares one read.
 */
const secretsManager = mockClient(SecretsManagerClient);
const T0 = 1_000_000;

beforeEach(() => {
  secretsManager.reset();
  jest.useFakeTimers({ now: T0, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
});
afterEach(() => jest.useRealTimers());

/** A secret whose GetSecretValue takes `readMs` (a cold TLS handshake takes hundreds of milliseconds). */
function rotatingSecret(readMs: number) {
  const state = { current: 'v1', reads: 0 };
  secretsManager.on(GetSecretValueCommand).callsFake(() => {
    state.reads++;
    const value = state.current;
    jest.setSystemTime(Date.now() + readMs);
    return { SecretString: value };
  });
  return state;
}

describe('SecretsManagerString', () => {
  it('serves the value it read for maxAge from the start of that read, then reads anew and gets the rotated value', async () => {
    const secret = rotatingSecret(300);
    const source = new SecretsManagerString(new SecretsManagerClient({ region: 'us-east-1' }), 'speke-master', 60, 'the master secret');
    expect(await source.value()).toBe('v1');
    secret.current = 'v2';
    jest.setSystemTime(T0 + 59_900);
    expect([source.cached(), await source.value(), secret.reads]).toEqual(['v1', 'v1', 1]);
    // maxAge after the first read began (not after it ended): stale, so a new GetSecretValue.
    jest.setSystemTime(T0 + 60_100);
    expect(source.cached()).toBeUndefined();
    expect(await source.value()).toBe('v2');
    expect(secret.reads).toBe(2);
  });

  it('shares one read among callers that find the value stale at the same time', async () => {
    const secret = rotatingSecret(0);
    const source = new SecretsManagerString(new SecretsManagerClient({ region: 'us-east-1' }), 'speke-master', 60, 'the master secret');
    const burst = await Promise.all([source.value(), source.value(), source.value()]);
    expect(burst).toEqual(['v1', 'v1', 'v1']);
    expect(secret.reads).toBe(1);
    jest.setSystemTime(T0 + 61_000);
    secret.current = 'v2';
    expect(await Promise.all([source.value(), source.value()])).toEqual(['v2', 'v2']);
    expect(secret.reads).toBe(2);
  });

  it('reads every time with maxAge 0, and a failed read is a dependency fault that the next call retries', async () => {
    const secret = rotatingSecret(0);
    const source = new SecretsManagerString(new SecretsManagerClient({ region: 'us-east-1' }), 'speke-master', 0, 'the master secret');
    await source.value();
    await source.value();
    expect(secret.reads).toBe(2);
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error('throttled'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    await expect(source.value()).rejects.toMatchObject({ name: 'DependencyError' });
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'v3' });
    expect(await source.value()).toBe('v3');
  });
});
