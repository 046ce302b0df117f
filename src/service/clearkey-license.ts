import { checkLicenseContentId, CLEARKEY_LIMITS, clearKeyLicense as buildLicense, kidToBase64Url, parseClearKeyRequest } from '../clearkey/license.js';
import type { ContentKeyDeriver } from '../keys/content-key-deriver.js';
import { sharedWithDrm, type KeyGrant } from '../keys/key-grant.js';
import type { GrantStore } from '../ports.js';
import type { RequestFacts } from '../speke/answer.js';
import { ClearKeyRequestError } from '../errors.js';
import type { Limits } from '../speke/limits.js';
import { runBounded } from './bounded-concurrency.js';
import type { HttpAnswer } from './copy-protection.js';
import { JSON_HEADERS } from './edge.js';

/**
 * What the license endpoint needs: the content ID limit, the grants SPEKE answers recorded, and
 * key material that never creates anything (reference mode: an existing content secret only).
 */
export interface ClearKeyLicenseDependencies {
  core: { limits: Pick<Limits, 'maxContentIdLength'> };
  keysFor(contentId: string): Promise<ContentKeyDeriver>;
  grants: GrantStore;
  /**
   * SPEKE_CLEARKEY_ALLOW_SHARED_KEYS: answer KIDs that were issued for Widevine, PlayReady or
   * FairPlay in the same request too (default false: such a license would give away a DRM key).
   */
  allowSharedKeys: boolean;
}

export interface ClearKeyLicenseRequest {
  body: Uint8Array;
  /** From `?contentId=`, decoded; undefined when absent. */
  contentId: string | undefined;
}

/** Largest body the license endpoint reads; entry points stop reading past it. */
export const CLEARKEY_MAX_BODY_BYTES = CLEARKEY_LIMITS.maxBodyBytes;

/** Grant lookups in flight per license request (at most CLEARKEY_LIMITS.maxKids KIDs). */
const GRANT_LOOKUP_CONCURRENCY = 16;

/**
 * CORS of the license route: EME license requests come from the player page's origin and carry a
 * JSON Content-Type, so browsers send an OPTIONS preflight first. Authorization is allowed for the
 * bearer token players send when SPEKE_KEY_ACCESS_TOKEN is set.
 */
export const LICENSE_CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type, Authorization',
};

/**
 * POST /clearkey/license, the same for the Lambda handler and the local server. The request is
 * validated, then every KID must have a grant: a SPEKE answer issued it for ClearKey use (W3C
 * common PSSH or ClearKey AES-128) under this content ID. A KID without one is refused (403), and
 * so is a KID issued with Widevine, PlayReady or FairPlay unless shared keys are allowed. Only
 * then is key material fetched; the answer is the JSON Web Key set of the KIDs asked for.
 */
export async function clearKeyLicense(request: ClearKeyLicenseRequest, deps: ClearKeyLicenseDependencies, facts: RequestFacts = {}): Promise<HttpAnswer> {
  const contentId = checkLicenseContentId(request.contentId, deps.core.limits.maxContentIdLength);
  facts.contentId = contentId;
  const parsed = parseClearKeyRequest(request.body);
  facts.keyCount = parsed.kids.length;
  const grants = await grantsFor(contentId, parsed.kids, deps);
  const deriver = await deps.keysFor(contentId);
  return { status: 200, headers: JSON_HEADERS, body: JSON.stringify(buildLicense(grants, deriver)) };
}

/** The grant of every KID asked for, in request order; refuses (403) the first KID that may not be answered. */
async function grantsFor(contentId: string, kids: string[], deps: ClearKeyLicenseDependencies): Promise<KeyGrant[]> {
  const found = new Array<KeyGrant | undefined>(kids.length);
  await runBounded(
    kids.map((kid, i) => async () => {
      found[i] = await deps.grants.find(contentId, kid);
    }),
    GRANT_LOOKUP_CONCURRENCY,
  );
  // One text for both refusals: a caller must not learn which KIDs are in use for a commercial DRM
  // under a content ID (the reasons, kid-not-granted and key-shared-with-drm, are in the log line).
  const refused = (kid: string, reason: string) =>
    new ClearKeyRequestError(`KID ${kidToBase64Url(kid)} is not given out in a ClearKey license under this content ID`, 403, reason);
  return kids.map((kid, i) => {
    const grant = found[i];
    if (grant === undefined || grant.contentId !== contentId || grant.kid !== kid) throw refused(kid, 'kid-not-granted');
    if (!deps.allowSharedKeys && sharedWithDrm(grant)) throw refused(kid, 'key-shared-with-drm');
    return grant;
  });
}
