import { MalformedRequestError } from '../../src/errors.js';
import { answerAtEdge, type EdgeOutcome } from '../../src/service/edge.js';
import type { LogFields, RequestLogger } from '../../src/service/request-log.js';

/**
 * answerAtEdge and a request given up while it ran (the Lambda handlers: Middy's early timeout,
 * which answers, logs and counts the invocation itself): the late outcome is dropped, so it cannot
 * land in a later invocation's log context, metrics record or trace.
 */
function recording() {
  const lines: [string, LogFields][] = [];
  const outcomes: EdgeOutcome[] = [];
  const logger: RequestLogger = {
    info: (m, f) => void lines.push([m, f]),
    warn: (m, f) => void lines.push([m, f]),
    error: (m, f) => void lines.push([m, f]),
  };
  return { lines, outcomes, observe: (o: EdgeOutcome) => void outcomes.push(o), logger };
}

/** `value()` a few milliseconds later: its result, or its error as the rejection. */
async function later<T>(value: () => T): Promise<T> {
  await new Promise((resolve) => setTimeout(resolve, 5));
  return value();
}

describe('answerAtEdge with a request that was given up', () => {
  it('logs and observes an answer once while the request stands', async () => {
    const { lines, outcomes, observe, logger } = recording();
    const answer = await answerAtEdge({ logger, errors: 'text', observe, signal: new AbortController().signal }, () =>
      later(() => ({ status: 200, headers: {}, body: 'ok' })),
    );
    expect(answer.status).toBe(200);
    expect(lines.map(([m, f]) => [m, f.status])).toEqual([['request answered', 200]]);
    expect(outcomes.map((o) => o.status)).toEqual([200]);
  });

  it('neither logs nor observes an answer that arrives after the request was given up', async () => {
    const { lines, outcomes, observe, logger } = recording();
    const given = new AbortController();
    const running = answerAtEdge({ logger, errors: 'text', observe, signal: given.signal }, () => later(() => ({ status: 200, headers: {}, body: 'late' })));
    given.abort();
    expect((await running).body).toBe('late');
    expect(lines).toEqual([]);
    expect(outcomes).toEqual([]);
  });

  it('neither logs nor observes a late refusal or fault either', async () => {
    const { lines, outcomes, observe, logger } = recording();
    const given = new AbortController();
    given.abort();
    const refused = await answerAtEdge({ logger, errors: 'text', observe, signal: given.signal }, () =>
      later(() => {
        throw new MalformedRequestError('Invalid CPIX');
      }),
    );
    const fault = answerAtEdge({ logger, errors: 'json', observe, signal: given.signal }, () => {
      throw new Error('boom');
    });
    expect([refused.status, (fault as { status: number }).status]).toEqual([400, 500]);
    expect(lines).toEqual([]);
    expect(outcomes).toEqual([]);
  });
});
