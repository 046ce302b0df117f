import type { APIGatewayProxyResult } from 'aws-lambda';
import { AnswerTooLargeError } from '../errors.js';
import type { HttpAnswer } from '../service/copy-protection.js';
import { lambdaResult } from './lambda-edge.js';

/** What a synchronous Lambda invocation may return: its serialised result, at most 6 MB. */
export const LAMBDA_RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024;

/** Room kept for what is added after the check (the edge's headers, the runtime's framing). */
const HEADROOM_BYTES = 4 * 1024;

/**
 * JSON writes a character in at most 6 bytes (`\u001f`): a body shorter than this cannot make a
 * result past the limit, so only larger ones are measured.
 */
const MEASURED_FROM_CHARS = Math.floor(LAMBDA_RESPONSE_LIMIT_BYTES / 6);

/**
 * The answer, unless its Lambda result (status, headers and the body as JSON text) would be past
 * Lambda's limit: Lambda would then fail the invocation and API Gateway answer 502 to an answer
 * the function logged as a 200 (1,000 keys x three DRM systems, within the default limits, make a
 * 7 MB answer). Refused with a 413 that says how large it was, so the encryptor can ask for fewer
 * keys per request (or the operator lower SPEKE_MAX_CONTENT_KEYS).
 */
export function withinLambdaResponseLimit(answer: HttpAnswer): HttpAnswer {
  if (answer.body.length < MEASURED_FROM_CHARS) return answer;
  const result: APIGatewayProxyResult = lambdaResult(answer);
  const bytes = Buffer.byteLength(JSON.stringify(result), 'utf8');
  if (bytes > LAMBDA_RESPONSE_LIMIT_BYTES - HEADROOM_BYTES) {
    throw new AnswerTooLargeError(
      `The answer would be ${bytes} bytes, more than the ${LAMBDA_RESPONSE_LIMIT_BYTES} bytes a Lambda function can return: ask for fewer keys or DRM systems per request`,
    );
  }
  return answer;
}
