import type { APIGatewayProxyEvent } from 'aws-lambda';

/** An API Gateway proxy event's body as bytes: base64-decoded when API Gateway encoded it (binary media types). */
export function eventBody(event: APIGatewayProxyEvent): Buffer {
  if (event.body === null || event.body === undefined) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}
