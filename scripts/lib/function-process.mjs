// One deployed function in a process of its own (scripts/lib/run-bundle.mjs, asDeployed): imports
// the bundle named on the command line with the environment it was started with (the function's
// as deployed), then answers each event the parent sends over IPC, setting _X_AMZN_TRACE_ID per
// invocation as the Lambda runtime does. Logs and EMF metrics go to stdout, as on Lambda.
import { pathToFileURL } from 'node:url';
import { lambdaContext, newTraceHeader } from './lambda-environment.mjs';

const bundlePath = process.argv[2];
let handler;
try {
  ({ handler } = await import(pathToFileURL(bundlePath).href));
  if (typeof handler !== 'function') throw new Error(`${bundlePath} does not export a handler`);
} catch (error) {
  process.send({ error: String(error?.stack ?? error) });
  process.exit(1);
}

process.on('message', async ({ id, event }) => {
  process.env._X_AMZN_TRACE_ID = newTraceHeader();
  try {
    const answer = await handler(event, lambdaContext(process.env.AWS_LAMBDA_FUNCTION_NAME));
    process.send({ id, answer, sourceMapsEnabled: process.sourceMapsEnabled });
  } catch (error) {
    process.send({ id, error: String(error?.stack ?? error) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
