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
  /** The same key material without waiting when it can be made at once (the secret cached); undefined: ask keysFor. Optional. */
  keysAtOnce?: ((contentId: string) => ContentKeyDeriver | undefined) | undefined;
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
  return copyProtectionAtOnce(request, deps, facts);
}

/**
 * copyProtection as the Lambda handler runs it: not an async function, so that on the warm path
 * (secret cached, every key already published, no grant) the answer is returned without a
 * promise, since under the X-Ray SDK's async hook (imported with the Tracer) every promise costs.
 * Its errors are thrown (a synchronous step) or rejected (a waited one): callers await it in a try.
 */
export function copyProtectionAtOnce(
  request: CpixRequest,
  deps: CopyProtectionDependencies,
  facts: RequestFacts = {},
  signal?: AbortSignal,
): HttpAnswer | Promise<HttpAnswer> {
  const validated = readCpixRequest(request, deps.core, facts);
  const deriver = deps.keysAtOnce?.(validated.contentId) ?? deps.keysFor(validated.contentId);
  const answerWith = (keys: ContentKeyDeriver): HttpAnswer | Promise<HttpAnswer> => {
    const answer = answerCpix(validated, deps.core, keys, request.spekeVersionHeader);
    const result: HttpAnswer = { status: 200, headers: answer.headers, body: answer.body };
    const published = publish(answer, deps, signal);
    return published === undefined ? result : published.then(() => result);
  };
  return deriver instanceof Promise ? deriver.then(answerWith) : answerWith(deriver);
}

/**
 * Publishes the answer's AES-128 keys and records its ClearKey grants; undefined (nothing to wait
 * for) when there is no grant and the key store knows every key already published with its bytes.
 * Once `signal` is aborted (the Lambda's early timeout answered the request) no new write starts
 * and the stores abort the calls in flight.
 */
export function publish(
  answer: Pick<CpixAnswer, 'keysToPublish' | 'grants'>,
  deps: Pick<CopyProtectionDependencies, 'keyStore' | 'grants' | 'clock'>,
  signal?: AbortSignal,
): Promise<void> | undefined {
  const { keyStore, grants } = deps;
  const writes: (() => Promise<void>)[] = [];
  for (const k of answer.keysToPublish) {
    if (keyStore.isKnownPublished?.(k.contentId, k.kid, k.key) !== true) writes.push(() => keyStore.put(k.contentId, k.kid, k.key, signal));
  }
  if (grants && answer.grants.length > 0) {
    const issuedAt = deps.clock.now().toISOString();
    for (const grant of answer.grants) writes.push(() => grants.record({ ...grant, issuedAt }, signal));
  }
  // One write (an AES-128 key, the usual v1 request) needs no runner; none needs nothing.
  if (writes.length === 1) return required(writes[0], 'the one write')();
  if (writes.length > 1) return runBounded(writes, PUBLISH_CONCURRENCY, signal);
  return undefined;
}
