import type { ContentKeyDeriver } from '../keys/content-key-deriver.js';
import type { KeyStore } from '../ports.js';
import { answerCpix, readCpixRequest, type CoreContext, type CpixRequest, type RequestFacts } from '../speke/answer.js';

export interface CopyProtectionDependencies {
  core: CoreContext;
  /** Key material for a content ID (may fetch a secret; sources cache what they fetch). */
  keysFor(contentId: string): Promise<ContentKeyDeriver>;
  keyStore: KeyStore;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * POST /copyProtection, the same for the Lambda handler and the local server: the core validates,
 * key material is fetched for the content ID, the core answers, then every key that players fetch is published before the answer is returned. If publishing
 * fails the caller gets a 5xx and no document; a retry derives and publishes the same keys.
 */
export async function copyProtection(request: CpixRequest, deps: CopyProtectionDependencies, facts: RequestFacts = {}): Promise<HttpAnswer> {
  const validated = readCpixRequest(request, deps.core, facts);
  const deriver = await deps.keysFor(validated.contentId);
  const answer = answerCpix(validated, deps.core, deriver, request.spekeVersionHeader);
  await Promise.all(answer.keysToPublish.map((k) => deps.keyStore.put(k.contentId, k.kid, k.key)));
  return { status: 200, headers: answer.headers, body: answer.body };
}
