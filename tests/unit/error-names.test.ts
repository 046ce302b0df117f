import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { jest } from '@jest/globals';
import { UnusableContentSecretError } from '../../src/adapters/secrets-manager-content-secrets.js';
import { UntrustedFileError } from '../../src/adapters/trusted-file.js';
import { ConfigError } from '../../src/config.js';
import {
  AnswerTooLargeError,
  ClearKeyRequestError,
  DependencyError,
  MalformedRequestError,
  NotFoundError,
  PayloadTooLargeError,
  SpekeValidationError,
  UnauthorizedError,
  UnsupportedVersionError,
} from '../../src/errors.js';
import { CertificateProblem } from '../../src/keys/delivery-certificate.js';
import { BodyBudgetExceededError } from '../../src/local/body-budget.js';
import { JsonLineLogger } from '../../src/local/json-line-logger.js';
import { logRequest } from '../../src/service/request-log.js';

/** One of each error class in src/, by the name its logs must show. */
const ERRORS: Record<string, Error> = {
  MalformedRequestError: new MalformedRequestError('Body is not well-formed XML'),
  PayloadTooLargeError: new PayloadTooLargeError('Request body is too large'),
  AnswerTooLargeError: new AnswerTooLargeError('The answer would be 7168395 bytes'),
  SpekeValidationError: new SpekeValidationError('Missing content ID'),
  NotFoundError: new NotFoundError('No key was issued for this content ID', 'unknown-content-id'),
  UnsupportedVersionError: new UnsupportedVersionError(),
  ClearKeyRequestError: new ClearKeyRequestError('Body is not JSON'),
  UnauthorizedError: new UnauthorizedError(),
  DependencyError: new DependencyError('key-store', true, { cause: new Error('socket hang up') }),
  UnusableContentSecretError: new UnusableContentSecretError('content-secret-scheduled-for-deletion', new Error('InvalidRequestException')),
  BodyBudgetExceededError: new BodyBudgetExceededError(),
  UntrustedFileError: new UntrustedFileError('/data/master-secret', 'it is a symbolic link'),
  ConfigError: new ConfigError(['SPEKE_PORT must be a port number']),
  CertificateProblem: new CertificateProblem('The certificate has expired', 'certificate-expired'),
};

/** Every `class X extends Y` in src/ whose chain reaches Error (followed by class name through the files). */
function errorClassesInSrc(): string[] {
  const files = readdirSync('src', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const parents = new Map<string, string>();
  for (const file of files) {
    for (const [, name, parent] of readFileSync(join('src', file), 'utf8').matchAll(/class (\w+) extends (\w+)/g)) parents.set(name!, parent!);
  }
  const reachesError = (name: string): boolean => {
    const parent = parents.get(name);
    return parent === 'Error' || (parent !== undefined && reachesError(parent));
  };
  return [...parents.keys()].filter(reachesError).sort();
}

describe('every error class names itself', () => {
  it('the list below holds one of each error class in src/ (but the abstract base)', () => {
    expect(errorClassesInSrc().filter((name) => name !== 'SpekeHttpError')).toEqual(Object.keys(ERRORS).sort());
  });

  it.each(Object.entries(ERRORS))('%s: name, toString and the stack show the class', (className, error) => {
    expect(error.name).toBe(className);
    expect(String(error)).toBe(`${className}: ${error.message}`);
    expect(error.stack?.split('\n')[0]).toBe(`${className}: ${error.message.split('\n')[0]}`);
  });

  it.each(Object.entries(ERRORS))('%s: the Lambda log (Powertools Logger) serialises it under its class name', (className, error) => {
    const lines: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    };
    // Error lines go to stderr (console.error), the others to stdout; both are captured.
    const writes = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
    try {
      new Logger({ serviceName: 'error-names-test' }).error('request failed', error);
    } finally {
      for (const write of writes) write.mockRestore();
    }
    const logged = JSON.parse(lines.join('')) as { error: { name: string; message: string } };
    expect(logged.error).toMatchObject({ name: className, message: error.message });
  });

  it('the request log line of a 5xx names the class and its cause', () => {
    const lines: string[] = [];
    const logger = new JsonLineLogger({ service: 'error-names-test', write: (chunk) => lines.push(chunk) });
    logRequest(logger, { facts: {}, status: 503, durationMs: 1, reason: 'key-store-failure', error: ERRORS.DependencyError });
    logger.flush();
    expect(JSON.parse(lines.join(''))).toMatchObject({ level: 'ERROR', errorName: 'DependencyError', cause: 'Error', reason: 'key-store-failure' });
  });
});
