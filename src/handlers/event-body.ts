import type { APIGatewayProxyEvent } from 'aws-lambda';

/** An API Gateway proxy event's body as bytes: base64-decoded when API Gateway encoded it (binary media types). */
export function eventBody(event: APIGatewayProxyEvent): Buffer {
  // `null` without a body; hand-written invoke events may leave it out altogether.
  const body = (event.body as string | null | undefined) ?? '';
  return event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}
