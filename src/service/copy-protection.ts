import { required } from '../required.js';
import type { ContentKeyDeriver } from '../keys/content-key-deriver.js';
import type { Clock, GrantStore, KeyStore } from '../ports.js';
import { answerCpix, readCpixRequest, type CoreContext, type CpixAnswer, type CpixRequest, type RequestFacts } from '../speke/answer.js';
import { runBounded } from './bounded-concurrency.js';

/**
 * Key store and grant store writes in flight per request. The AWS clients' socket pools are sized
 * for it (composition.ts), so 1,000 AES-128 keys in one request queue here, not for a socket.
 */
export const PUBLISH_CONCURRENCY = 32;

export interface CopyProtectionDependencies {
  core: CoreContext;
  /** Key material for a content ID (may fetch a secret; sources cache what they fetch). */
  keysFor(contentId: string): Promise<ContentKeyDeriver>;
  keyStore: KeyStore;
  /** Where ClearKey grants are recorded; undefined: none are (the license endpoint then answers no KID). */
  grants: GrantStore | undefined;
  /** Stamps grants. */
  clock: Clock;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * POST /copyProtection, the same for the Lambda handler and the local server: the core validates,
 * key material is fetched for the content ID, the core answers, then every key that players fetch
 * is published and every ClearKey grant recorded (one step, bounded concurrency) before the answer
 * is returned. If a write fails the caller gets a 5xx and no document; a retry derives, publishes
 * and records the same again.
 */
export async function copyProtection(request: CpixRequest, deps: CopyProtectionDependencies, facts: RequestFacts = {}): Promise<HttpAnswer> {
  const validated = readCpixRequest(request, deps.core, facts);
  const deriver = await deps.keysFor(validated.contentId);
  const answer = answerCpix(validated, deps.core, deriver, request.spekeVersionHeader);
  await publish(answer, deps);
  return { status: 200, headers: answer.headers, body: answer.body };
}

/** Publishes the answer's AES-128 keys and records its ClearKey grants. */
export async function publish(answer: Pick<CpixAnswer, 'keysToPublish' | 'grants'>, deps: Pick<CopyProtectionDependencies, 'keyStore' | 'grants' | 'clock'>): Promise<void> {
  const { keyStore, grants } = deps;
  const writes: (() => Promise<void>)[] = answer.keysToPublish.map((k) => () => keyStore.put(k.contentId, k.kid, k.key));
  if (grants && answer.grants.length > 0) {
    const issuedAt = deps.clock.now().toISOString();
    for (const grant of answer.grants) writes.push(() => grants.record({ ...grant, issuedAt }));
  }
  // One write (an AES-128 key, the usual v1 request) needs no runner; none needs nothing.
  if (writes.length === 1) await required(writes[0], 'the one write')();
  else if (writes.length > 1) await runBounded(writes, PUBLISH_CONCURRENCY);
}
