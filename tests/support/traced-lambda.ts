import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';

/**
 * Tracing on, as deployed (Tracing: Active), in a test file: a UDP receiver on loopback in place of
 * the X-Ray daemon, and the variables the Lambda runtime sets, which the X-Ray SDK reads when it
 * loads. Call `emulateTracedLambda` before importing anything that loads the Tracer
 * (src/observability.ts, tests/support/lambda.ts): import those dynamically after it.
 */
export interface XrayReceiver {
  socket: Socket;
  /** Every datagram received, as text (a JSON header line, then the segment document). */
  datagrams: string[];
}

/** What the X-Ray SDK sends of a (sub)segment, as far as the tests read it. */
export interface SentSubsegment {
  name: string;
  id: string;
  type: string;
  trace_id: string;
  parent_id: string;
  start_time: number;
  end_time?: number;
  in_progress?: boolean;
  fault?: boolean;
  annotations?: Record<string, unknown>;
  cause?: { exceptions: { type?: string; message?: string }[] };
  subsegments?: SentSubsegment[];
}

export async function emulateTracedLambda(): Promise<XrayReceiver> {
  const socket = createSocket('udp4');
  const datagrams: string[] = [];
  socket.on('message', (message) => datagrams.push(message.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: 'speke',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LAMBDA_TASK_ROOT: '/var/task',
    _HANDLER: 'speke.handler',
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${socket.address().port}`,
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
    POWERTOOLS_TRACE_ENABLED: 'true',
    POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
  });
  return { socket, datagrams };
}

/** A fresh sampled trace header, as the Lambda runtime sets one per invocation. */
export function newTrace(): { root: string; parent: string } {
  const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  const parent = randomBytes(8).toString('hex');
  process.env._X_AMZN_TRACE_ID = `Root=${root};Parent=${parent};Sampled=1`;
  return { root, parent };
}

/** The segment document of each datagram (after its `{"format":"json","version":1}` header line). */
export function sentSubsegments(datagrams: readonly string[]): SentSubsegment[] {
  return datagrams.map((d) => {
    const [header = '', body = ''] = d.split('\n');
    const { format, version } = JSON.parse(header) as { format?: string; version?: number };
    if (format !== 'json' || version !== 1) throw new Error(`not an X-Ray datagram: ${d.slice(0, 80)}`);
    return JSON.parse(body) as SentSubsegment;
  });
}

/**
 * Waits until `datagrams` holds more than `count` entries, then until none has come for 50 ms (a
 * quiet period rather than a fixed pause, so that a slow, loaded machine does not leave a straggler
 * for the next invocation's slice). Throws when none comes within 5 s: a test then fails saying so,
 * instead of asserting on what little arrived.
 */
export async function settle(datagrams: readonly string[], count: number): Promise<void> {
  const pause = () => new Promise((r) => setTimeout(r, 10));
  const deadline = Date.now() + 5000;
  while (datagrams.length <= count) {
    if (Date.now() >= deadline) throw new Error(`No X-Ray datagram beyond the first ${count} arrived within 5 s`);
    await pause();
  }
  for (let seen = datagrams.length, quietSince = Date.now(); Date.now() - quietSince < 50 && Date.now() < deadline; await pause()) {
    if (datagrams.length !== seen) {
      seen = datagrams.length;
      quietSince = Date.now();
    }
  }
}
