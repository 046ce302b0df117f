import { NodeHttpHandler, type NodeHttpHandlerOptions } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

/**
 * Deadlines on every wait for S3 and Secrets Manager. The SDK's own `requestTimeout` is a socket
 * idle timer that, depending on the version, only logs a warning; a store that accepts the
 * connection and never answers then held a request for 95 s. Here every HTTP attempt is aborted
 * (AbortSignal.timeout) after AWS_ATTEMPT_DEADLINE_MS, and each call our adapters make is aborted
 * after AWS_CALL_DEADLINE_MS whatever the retries; the abort is a retryable fault, so the request
 * answers 503 (docs/security.md "Deadlines").
 */
export const AWS_ATTEMPT_DEADLINE_MS = 2_000;
export const AWS_CALL_DEADLINE_MS = 4_000;
/** TCP connect (and TLS) per attempt. */
export const AWS_CONNECT_TIMEOUT_MS = 1_000;
/**
 * Sockets per client: above the writes one request runs at once (PUBLISH_CONCURRENCY = 32), so a
 * request with 1,000 AES-128 keys queues in our code, not for a socket against the SDK's timers.
 */
export const AWS_MAX_SOCKETS = 64;

/** The send options of one adapter call: aborted after AWS_CALL_DEADLINE_MS, or when `signal` is (the request was given up). */
export function callDeadline(signal?: AbortSignal): { abortSignal: AbortSignal } {
  const deadline = AbortSignal.timeout(AWS_CALL_DEADLINE_MS);
  return { abortSignal: signal === undefined ? deadline : AbortSignal.any([deadline, signal]) };
}

type HandleArguments = Parameters<NodeHttpHandler['handle']>;

/** NodeHttpHandler whose every attempt is aborted after `attemptMs`, on top of any caller's signal. */
export class DeadlineHttpHandler extends NodeHttpHandler {
  constructor(
    options: NodeHttpHandlerOptions,
    private readonly attemptMs: number,
  ) {
    super(options);
  }

  override handle(request: HandleArguments[0], options: HandleArguments[1] = {}): ReturnType<NodeHttpHandler['handle']> {
    const deadline = AbortSignal.timeout(this.attemptMs);
    const caller = options.abortSignal as AbortSignal | undefined;
    const abortSignal = caller ? AbortSignal.any([deadline, caller]) : deadline;
    return super.handle(request, { ...options, abortSignal: abortSignal as NonNullable<HandleArguments[1]>['abortSignal'] });
  }
}

/** The request handler of one SDK client: deadlines per attempt, a keep-alive pool of AWS_MAX_SOCKETS. */
export function deadlineRequestHandler(): DeadlineHttpHandler {
  const agentOptions = { keepAlive: true, maxSockets: AWS_MAX_SOCKETS };
  return new DeadlineHttpHandler(
    {
      connectionTimeout: AWS_CONNECT_TIMEOUT_MS,
      requestTimeout: AWS_ATTEMPT_DEADLINE_MS,
      // The socket timer fails the attempt too (by default it only logs a warning).
      throwOnRequestTimeout: true,
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    },
    AWS_ATTEMPT_DEADLINE_MS,
  );
}
