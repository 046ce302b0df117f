import { checkLicenseContentId, CLEARKEY_LIMITS, clearKeyLicense as buildLicense, parseClearKeyRequest } from '../keys/clearkey-license.js';
import type { RequestFacts } from '../speke/answer.js';
import { errorResponse } from '../speke/errors.js';
import type { CopyProtectionDependencies, HttpAnswer } from './copy-protection.js';

/** What the license endpoint needs: the content ID limit and the same key material as SPEKE answers. */
export type ClearKeyLicenseDependencies = Pick<CopyProtectionDependencies, 'keysFor'> & {
  core: Pick<CopyProtectionDependencies['core'], 'limits'>;
};

export interface ClearKeyLicenseRequest {
  body: Uint8Array;
  /** From `?contentId=` or the path segment after /clearkey/license/, decoded; undefined when absent. */
  contentId: string | undefined;
}

/** Largest body the license endpoint reads; entry points stop reading past it. */
export const CLEARKEY_MAX_BODY_BYTES = CLEARKEY_LIMITS.maxBodyBytes;

const JSON_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };

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
 * validated before any key material is fetched; the answer is the JSON Web Key set for the KIDs
 * asked for. It hands out the key of any (content ID, KID) it is asked for, like key delivery, so
 * it is for ClearKey and test content and can be switched off (SPEKE_CLEARKEY_LICENSE).
 */
export async function clearKeyLicense(request: ClearKeyLicenseRequest, deps: ClearKeyLicenseDependencies, facts: RequestFacts = {}): Promise<HttpAnswer> {
  const contentId = checkLicenseContentId(request.contentId, deps.core.limits.maxContentIdLength);
  facts.contentId = contentId;
  const parsed = parseClearKeyRequest(request.body);
  facts.keyCount = parsed.kids.length;
  const deriver = await deps.keysFor(contentId);
  return { status: 200, headers: JSON_HEADERS, body: JSON.stringify(buildLicense(parsed, deriver)) };
}

/** Any error as the license endpoint answers it: the typed status and `{"error": "…"}`. */
export function clearKeyErrorAnswer(error: unknown): HttpAnswer & { reason: string } {
  const mapped = errorResponse(error);
  return { status: mapped.status, headers: JSON_HEADERS, body: JSON.stringify({ error: mapped.body }), reason: mapped.reason };
}
