import type { Tracer } from '@aws-lambda-powertools/tracer';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { deadlineRequestHandler } from './adapters/aws-deadlines.js';
import { ContentSecretCache } from './adapters/content-secret-cache.js';
import { FileContentSecrets } from './adapters/file-content-secrets.js';
import { FileSecret } from './adapters/file-secret.js';
import { FsGrantStore } from './adapters/fs-grant-store.js';
import { FsKeyStore } from './adapters/fs-key-store.js';
import { PublishedKeyMemo } from './adapters/published-key-memo.js';
import { S3GrantStore } from './adapters/s3-grant-store.js';
import { S3KeyStore } from './adapters/s3-key-store.js';
import { SecretsManagerContentSecrets } from './adapters/secrets-manager-content-secrets.js';
import { SecretsManagerAccessToken } from './adapters/secrets-manager-access-token.js';
import { SecretsManagerSecret } from './adapters/secrets-manager-secret.js';
import { ConfigError, type CommonConfig, type LambdaConfig, type LocalConfig, type LocalServerLimits } from './config.js';
import type { RequestOriginSettings } from './service/request-origin.js';
import { clearKeyAes128, hlsAes128 } from './drm/aes128.js';
import { commonPssh } from './drm/common-pssh.js';
import { DEFAULT_DRM_SETTINGS, type DrmSettings } from './drm/drm-settings.js';
import { fairPlay } from './drm/fairplay.js';
import { playReady } from './drm/playready.js';
import { widevine } from './drm/widevine.js';
import { DrmRegistry } from './drm/registry.js';
import { hkdfDeriver } from './keys/content-key-deriver.js';
import { parseMasterSecret } from './keys/derive.js';
import { checkReferenceContentId, referenceDeriver } from './keys/reference-deriver.js';
import type { AccessTokenSource, Clock, ContentSecretStore, KeyStore, SecretSource } from './ports.js';
import type { ClearKeyLicenseDependencies } from './service/clearkey-license.js';
import type { CopyProtectionDependencies } from './service/copy-protection.js';
import { createContentKeyProtection } from './speke/encrypted-key-protection.js';

/** The one place where adapters and the core are put together, once per process (cold start). */

export const USER_AGENT = 'speke-key-server/0.1.0';

/**
 * SDK calls retry a bounded number of times, each attempt aborted after AWS_ATTEMPT_DEADLINE_MS and
 * each adapter call after AWS_CALL_DEADLINE_MS (src/adapters/aws-deadlines.ts), with a socket pool
 * sized for the publishing concurrency: the answer comes well within API Gateway's 29 s. A fresh
 * request handler (and socket pool) per client.
 */
export const AWS_MAX_ATTEMPTS = 3;

export function awsClientSettings() {
  return { maxAttempts: AWS_MAX_ATTEMPTS, requestHandler: deadlineRequestHandler() };
}

export function createDrmRegistry(settings: DrmSettings = DEFAULT_DRM_SETTINGS): DrmRegistry {
  return new DrmRegistry([hlsAes128, clearKeyAes128, commonPssh, widevine(settings), playReady(settings), fairPlay(settings)]);
}

const systemClock: Clock = { now: () => new Date() };

function coreSettings(config: CommonConfig, keyUrlPrefix: string): CopyProtectionDependencies['core'] {
  return {
    registry: createDrmRegistry(config.drm),
    limits: config.limits,
    keyUrlPrefix,
    userAgent: USER_AGENT,
    protectionLevels: config.protectionLevels,
    allowSharedKeys: config.clearKeyAllowSharedKeys,
    protection: createContentKeyProtection({
      entropy: { randomBytes: (size) => randomBytes(size) },
      clock: systemClock,
      allowExpiredCertificates: config.allowExpiredCertificates,
    }),
  };
}

/** The default key derivation: HKDF from the master secret (fetched through the source's cache). */
function hkdfKeys(source: SecretSource): CopyProtectionDependencies['keysFor'] {
  return async (contentId) => hkdfDeriver(await source.masterSecret(), contentId);
}

/** The same derivation made at once while the source holds the master secret fresh (no promise); reference mode: none. */
function keysAtOnce(config: CommonConfig, source: SecretSource): CopyProtectionDependencies['keysAtOnce'] {
  if (config.keyDerivation === 'reference' || source.cachedMasterSecret === undefined) return undefined;
  return (contentId) => {
    const cached = source.cachedMasterSecret?.();
    return cached === undefined ? undefined : hkdfDeriver(cached, contentId);
  };
}

/** SPEKE_KEY_DERIVATION=reference: the reference server's keys from its per-content-ID secret; IVs still from HKDF. */
function referenceKeys(contentSecrets: ContentSecretStore, source: SecretSource): CopyProtectionDependencies['keysFor'] {
  const cache = new ContentSecretCache(contentSecrets);
  return async (contentId) => {
    checkReferenceContentId(contentId);
    // Both reads settle before the request answers, a failure too: none runs on into a later
    // invocation (where its trace subsegments would land in that invocation's trace).
    const [secret, masterSecret] = await Promise.allSettled([cache.secretFor(contentId), source.masterSecret()]);
    if (secret.status === 'rejected') throw secret.reason;
    if (masterSecret.status === 'rejected') throw masterSecret.reason;
    return referenceDeriver(secret.value, masterSecret.value, contentId);
  };
}

function keysFor(config: CommonConfig, source: SecretSource, contentSecrets: () => ContentSecretStore): CopyProtectionDependencies['keysFor'] {
  return config.keyDerivation === 'reference' ? referenceKeys(contentSecrets(), source) : hkdfKeys(source);
}

export interface AwsClients {
  s3: S3Client;
  secretsManager: SecretsManagerClient;
}

/** SDK clients with explicit retry and timeout settings; traced as X-Ray subsegments when a tracer is given. */
export function createAwsClients(tracer?: Tracer): AwsClients {
  const s3 = new S3Client(awsClientSettings());
  const secretsManager = new SecretsManagerClient(awsClientSettings());
  return { s3: tracer ? tracer.captureAWSv3Client(s3) : s3, secretsManager: tracer ? tracer.captureAWSv3Client(secretsManager) : secretsManager };
}

/** The SPEKE Lambda function's dependencies; grants are recorded when SPEKE_GRANT_BUCKET is set. */
export function createLambdaDependencies(config: LambdaConfig, clients: AwsClients = createAwsClients()): CopyProtectionDependencies {
  const source = new SecretsManagerSecret(clients.secretsManager, config.masterSecretId, config.masterSecretMaxAgeSeconds);
  return {
    core: coreSettings(config, config.keyUrlPrefix),
    keysFor: keysFor(config, source, () => new SecretsManagerContentSecrets(clients.secretsManager)),
    keysAtOnce: keysAtOnce(config, source),
    keyStore: new PublishedKeyMemo(new S3KeyStore(clients.s3, config.keyBucket, { retentionDays: config.keyRetentionDays })),
    grants: config.grantBucket === undefined ? undefined : new S3GrantStore(clients.s3, config.grantBucket),
    clock: systemClock,
  };
}

/**
 * The ClearKey license function's dependencies: grants read from SPEKE_GRANT_BUCKET, key material
 * that never creates a reference-mode content secret (only the SPEKE endpoint may).
 */
export function createClearKeyLicenseDependencies(config: LambdaConfig, clients: AwsClients = createAwsClients()): ClearKeyLicenseDependencies {
  if (config.grantBucket === undefined) throw new ConfigError(['SPEKE_GRANT_BUCKET is required for the ClearKey license function']);
  return {
    core: { limits: config.limits },
    keysFor: keysFor(
      config,
      new SecretsManagerSecret(clients.secretsManager, config.masterSecretId, config.masterSecretMaxAgeSeconds),
      () => new SecretsManagerContentSecrets(clients.secretsManager, { create: false }),
    ),
    grants: new S3GrantStore(clients.s3, config.grantBucket),
    allowSharedKeys: config.clearKeyAllowSharedKeys,
  };
}

/** SPEKE_KEY_ACCESS_TOKEN as it is (local server, tests, `npm run invoke`); undefined when unset. */
export function fixedAccessToken(token: string | undefined): AccessTokenSource | undefined {
  return token === undefined ? undefined : { accessToken: () => Promise.resolve(token) };
}

/**
 * The ClearKey license function's bearer token: read from Secrets Manager (cached like the master
 * secret) with SPEKE_KEY_ACCESS_TOKEN_SECRET_ID, else SPEKE_KEY_ACCESS_TOKEN; undefined: open.
 */
export function createLicenseAccessToken(config: LambdaConfig, clients: AwsClients): AccessTokenSource | undefined {
  if (config.keyAccessTokenSecretId !== undefined) {
    return new SecretsManagerAccessToken(clients.secretsManager, config.keyAccessTokenSecretId, config.masterSecretMaxAgeSeconds);
  }
  return fixedAccessToken(config.keyAccessToken);
}

/** The license function's player-token key (SPEKE_PLAYER_TOKEN_SECRET_ID), cached like the master secret; undefined: no player tokens. */
export function createPlayerTokenKey(config: LambdaConfig, clients: AwsClients): SecretSource | undefined {
  if (config.playerTokenSecretId === undefined) return undefined;
  return new SecretsManagerSecret(clients.secretsManager, config.playerTokenSecretId, config.masterSecretMaxAgeSeconds);
}

/**
 * The local server's player-token key: `<data dir>/player-token-key`, 32 random bytes made on first
 * use (mode 0600); with `create: false` (npm run player-token) a missing file is an error, so that a
 * mistyped data folder does not mint tokens with a key no server holds.
 */
export function localPlayerTokenKey(dataDir: string, options: { create: boolean } = { create: true }): Promise<SecretSource> {
  return FileSecret.open(join(dataDir, PLAYER_TOKEN_KEY_FILE), options);
}

export const PLAYER_TOKEN_KEY_FILE = 'player-token-key';

/** The local server's key store: the data folder, or S3 when a bucket is configured. */
function localStore(config: LocalConfig): KeyStore {
  if (!config.s3) return new FsKeyStore(join(config.dataDir, 'keys'), config.keyRetentionDays);
  const client = new S3Client({
    ...awsClientSettings(),
    region: config.s3.region,
    ...(config.s3.endpoint ? { endpoint: config.s3.endpoint, forcePathStyle: true } : {}),
  });
  return new S3KeyStore(client, config.s3.bucket, { retentionDays: config.keyRetentionDays });
}

export async function createLocalSecretSource(config: LocalConfig): Promise<SecretSource> {
  if (config.masterSecret !== undefined) {
    const secret = parseMasterSecret(config.masterSecret);
    return { masterSecret: () => Promise.resolve(secret), cachedMasterSecret: () => secret };
  }
  return FileSecret.open(join(config.dataDir, 'master-secret'));
}

/**
 * The local server's dependencies. Without SPEKE_KEY_URL_PREFIX the key URL prefix is the server's
 * own /keys URL, which the caller sets once the server listens (the port may be chosen by the OS).
 */
export async function createLocalDependencies(config: LocalConfig): Promise<LocalDependencies> {
  const source = await createLocalSecretSource(config);
  const contentSecrets = join(config.dataDir, 'reference-secrets');
  const grants = new FsGrantStore(join(config.dataDir, 'grants'), config.keyRetentionDays);
  const store = localStore(config);
  const core = coreSettings(config, config.keyUrlPrefix ?? `http://${config.host}:${config.port}/keys`);
  return {
    core,
    keysFor: keysFor(config, source, () => new FileContentSecrets(contentSecrets)),
    keysAtOnce: keysAtOnce(config, source),
    keyStore: new PublishedKeyMemo(store),
    grants,
    sweepExpired: async () => (store instanceof FsKeyStore ? await store.sweep() : 0) + (await grants.sweep()),
    clock: systemClock,
    license: {
      core,
      keysFor: keysFor(config, source, () => new FileContentSecrets(contentSecrets, { create: false })),
      grants,
      allowSharedKeys: config.clearKeyAllowSharedKeys,
    },
    clearKeyLicense: config.clearKeyLicense,
    keyAccessToken: config.keyAccessToken,
    playerTokenKey: config.playerTokens ? await localPlayerTokenKey(config.dataDir) : undefined,
    http: {
      allowedHosts: config.allowedHosts,
      corsOrigins: config.corsOrigins,
      bindHost: config.host,
      keyUrlPrefix: config.keyUrlPrefix,
      limits: config.server,
    },
  };
}

/** The local server's dependencies: SPEKE's, the ClearKey license switch, its callers' checks and bounds. */
export interface LocalDependencies extends CopyProtectionDependencies {
  grants: FsGrantStore;
  /** Removes key and grant files past SPEKE_KEY_RETENTION_DAYS (S3 keys expire by the bucket's lifecycle); returns how many. */
  sweepExpired(): Promise<number>;
  /** POST /clearkey/license: grants from the data folder, key material that creates nothing. */
  license: ClearKeyLicenseDependencies;
  /** SPEKE_CLEARKEY_LICENSE: POST /clearkey/license is answered. */
  clearKeyLicense: boolean;
  /** SPEKE_KEY_ACCESS_TOKEN: bearer token required on /copyProtection, /keys and /clearkey/license, when set. */
  keyAccessToken: string | undefined;
  /** SPEKE_PLAYER_TOKENS: the key player tokens are checked with on /keys and /clearkey/license; undefined: off. */
  playerTokenKey: SecretSource | undefined;
  /** Who may call the HTTP server (Host and Origin allow-lists) and its resource bounds. */
  http: RequestOriginSettings & { bindHost: string; keyUrlPrefix: string | undefined; limits: LocalServerLimits };
}
