/** Ports: what the application needs from the outside world. Adapters live in src/adapters/. */

import type { KeyGrant } from './keys/key-grant.js';

/** Where AES-128 keys are published for players (S3 behind CloudFront, or the local data folder). */
export interface KeyStore {
  /**
   * Publishes the 16 key bytes under (content ID, KID). Idempotent: the same key may be put again.
   * `signal`, aborted when the request was given up (the Lambda's early timeout), aborts a call in
   * flight where the store can (S3).
   */
  put(contentId: string, kid: string, key: Buffer, signal?: AbortSignal): Promise<void>;
  /** The published key, or undefined when there is none. */
  get(contentId: string, kid: string): Promise<Buffer | undefined>;
  /**
   * True when this key is known, without waiting, to be published with these bytes (a memo hit: a
   * put would write nothing); false when a put is needed to know. Optional.
   */
  isKnownPublished?(contentId: string, kid: string, key: Buffer): boolean;
}

/**
 * Key grants (src/keys/key-grant.ts): which KIDs SPEKE answers issued for ClearKey use (S3 object
 * per grant in AWS, the data folder locally). The license endpoint answers only recorded KIDs.
 */
export interface GrantStore {
  /** Records a grant under (content ID, KID), replacing an earlier one; `signal` as for KeyStore.put. */
  record(grant: KeyGrant, signal?: AbortSignal): Promise<void>;
  /** The grant for (content ID, canonical KID), or undefined when none was recorded. */
  find(contentId: string, kid: string): Promise<KeyGrant | undefined>;
}

/** The master secret every key is derived from (Secrets Manager, or the local data folder). */
export interface SecretSource {
  masterSecret(): Promise<Uint8Array>;
  /**
   * The master secret when the source holds it fresh and can give it without waiting (a cache hit:
   * the same bytes masterSecret() would resolve to); undefined when masterSecret() must be asked.
   * Optional: lets the warm path skip the promises (each paid again under the X-Ray SDK's async hook).
   */
  cachedMasterSecret?(): Uint8Array | undefined;
}

/**
 * Per-content-ID secret strings for the reference-server-compatible key derivation (Secrets Manager
 * `speke/<content ID>`, or the local data folder). A missing secret is created once, even when
 * several requests for a new content ID arrive together.
 */
export interface ContentSecretStore {
  secretFor(contentId: string): Promise<string>;
}

/** Randomness and time, passed in so the core stays deterministic under test. */
export interface Entropy {
  randomBytes(size: number): Buffer;
}

export interface Clock {
  now(): Date;
}

/**
 * The bearer token players must send to the ClearKey license route: a Secrets Manager secret in
 * AWS (the stack generates it), or SPEKE_KEY_ACCESS_TOKEN as it is.
 */
export interface AccessTokenSource {
  accessToken(): Promise<string>;
}
