import { pbkdf2Sync } from 'node:crypto';
import { SpekeValidationError } from '../errors.js';
import { hkdfDeriver, type ContentKeyDeriver } from './content-key-deriver.js';
import { KEY_BYTES } from './derive.js';

/**
 * Key derivation compatible with the Python reference server (awslabs/speke-reference-server,
 * src/key_generator.py `derived_key`), for migrating content it already protects:
 *
 *   key = PBKDF2-HMAC-SHA256(password = UTF-8 of the ContentKey@kid string exactly as sent,
 *                            salt     = UTF-8 of the content ID's secret string,
 *                            5,000 iterations, 16 bytes)
 *
 * The secret string lives in Secrets Manager as `speke/<content ID>`. Because the KID is used as
 * sent, `98EE…` and `98ee…` give different keys there, and so they do here.
 *
 * IVs are NOT reproduced: the reference set a missing FairPlay explicitIV to the key itself. IVs
 * come from HKDF over our master secret, as in the default derivation.
 */
export const REFERENCE_PBKDF2_ITERATIONS = 5_000;

/** The reference server's secret name prefix in Secrets Manager. */
export const REFERENCE_SECRET_PREFIX = 'speke/';

/** Secrets Manager secret names: 1–512 characters of ASCII letters, digits and /_+=.@- */
const SECRET_NAME_MAX = 512;
const SECRET_NAME_CHARACTERS = /^[A-Za-z0-9/_+=.@-]+$/;
export const REFERENCE_CONTENT_ID_MAX = SECRET_NAME_MAX - REFERENCE_SECRET_PREFIX.length;

/**
 * Refuses (422) a content ID that cannot be part of a Secrets Manager secret name. The reference
 * server used content IDs unchecked; such IDs never had a working secret there, so nothing is lost.
 * Applied in every reference-mode deployment (local too), so both refuse the same IDs.
 */
export function checkReferenceContentId(contentId: string): void {
  if (!SECRET_NAME_CHARACTERS.test(contentId)) {
    throw new SpekeValidationError(
      'Content ID not usable with reference key derivation: it may contain only ASCII letters, digits and the characters / _ + = . @ -',
      'content-id-not-a-secret-name',
    );
  }
  if (contentId.length > REFERENCE_CONTENT_ID_MAX) {
    throw new SpekeValidationError(
      `Content ID not usable with reference key derivation: it is longer than ${REFERENCE_CONTENT_ID_MAX} characters`,
      'content-id-not-a-secret-name',
    );
  }
}

/** `speke/<content ID>`, the reference server's secret name (the content ID must pass the check above). */
export function referenceSecretName(contentId: string): string {
  checkReferenceContentId(contentId);
  return `${REFERENCE_SECRET_PREFIX}${contentId}`;
}

/** The reference server's content key for one KID, given the content ID's secret string. */
export function referenceContentKey(contentSecret: string, kidAsSent: string): Buffer {
  return pbkdf2Sync(Buffer.from(kidAsSent, 'utf8'), Buffer.from(contentSecret, 'utf8'), REFERENCE_PBKDF2_ITERATIONS, KEY_BYTES, 'sha256');
}

/** Keys as the reference server derived them; IVs from HKDF over the master secret. */
export function referenceDeriver(contentSecret: string, masterSecret: Uint8Array, contentId: string): ContentKeyDeriver {
  const ivs = hkdfDeriver(masterSecret, contentId);
  return {
    contentKey: (_kid, kidAsSent) => referenceContentKey(contentSecret, kidAsSent),
    iv: (kid, kidAsSent) => ivs.iv(kid, kidAsSent),
  };
}
