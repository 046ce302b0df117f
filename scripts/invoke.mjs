// npm run invoke -- events/<file>.json [more events...]
//
// Runs the Lambda bundles — the artefacts `sam build` produces from template.yaml's esbuild
// metadata — with API Gateway events and prints each response, with no SAM CLI, no Docker and no
// AWS account: S3 and Secrets Manager are answered by loopback stand-ins (scripts/lib/local-aws.mjs).
// Each event goes to the function of its route, as API Gateway would send it: /clearkey/license to
// clearkey-license.mjs (ClearKeyLicenseFunction, run with SPEKE_CLEARKEY_LICENSE=true), anything
// else to speke.mjs (SpekeFunction). Both share the stand-ins, so they derive from one master secret
// and the license function reads the grants the SPEKE function recorded; SPEKE events run first.
//
// Options:
//   --bundle-dir <dir>    take each event's bundle, <dir>/<speke|clearkey-license>.mjs, as it is
//                         (default: build both into dist/speke first, as `npm run build`)
//   --bundle <file.mjs>   run this one bundle for every event, whatever its route
//   --results <file.json> also write the responses (and the keys each one published) as JSON
//   --as-deployed         run each function in a process of its own with the environment it has
//                         once deployed: the template's variables at default parameters (NODE_OPTIONS
//                         --enable-source-maps included), the Lambda runtime's, tracing on (X-Ray
//                         segments to a loopback receiver, counted per answer), metrics on (EMF on
//                         stdout)
// Settings such as SPEKE_WIDEVINE_PROVIDER, SPEKE_KEY_DERIVATION or SPEKE_KEY_ACCESS_TOKEN may be
// exported beforehand.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleNameFor, startBundle, startBundles } from './lib/run-bundle.mjs';

const USAGE = 'usage: npm run invoke -- [--bundle-dir <dir> | --bundle <file.mjs>] [--results <file.json>] [--as-deployed] <event.json>...';

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      bundle: { type: 'string' },
      'bundle-dir': { type: 'string' },
      results: { type: 'string' },
      'as-deployed': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals.length === 0 || (values.bundle && values['bundle-dir'])) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const asDeployed = values['as-deployed'] === true;
  const given = await Promise.all(positionals.map(async (path) => ({ path, event: JSON.parse(await readFile(path, 'utf8')) })));
  // SPEKE events first, then license events (each group in the order given): a license answers
  // only KIDs a SPEKE answer granted earlier, as a player asks after the packager got its keys.
  const events = [...given.filter(({ event }) => bundleNameFor(event) === 'speke'), ...given.filter(({ event }) => bundleNameFor(event) !== 'speke')];

  let runner;
  if (values.bundle !== undefined) {
    runner = await startBundle(values.bundle, { asDeployed });
  } else {
    let dir = values['bundle-dir'];
    if (dir === undefined) {
      const { buildHandler, OUT_DIR } = await import('./build.mjs');
      await buildHandler();
      dir = OUT_DIR;
    }
    // Only the bundles the events need.
    const names = [...new Set(events.map(({ event }) => bundleNameFor(event)))];
    runner = await startBundles(Object.fromEntries(names.map((name) => [name, join(dir, `${name}.mjs`)])), { asDeployed });
  }

  const results = [];
  try {
    for (const { path, event } of events) {
      const before = new Set(await runner.aws.listKeys());
      const response = await runner.invoke(event);
      const published = (await runner.aws.listKeys()).filter((k) => !before.has(k));
      const publishedKeys = await Promise.all(published.map(async (key) => ({ key, value: (await runner.aws.getObject(key)).bytes.toString('base64') })));
      const bundle = values.bundle ?? `${bundleNameFor(event)}.mjs`;
      results.push({ event: path, bundle, ...response, publishedKeys });
      print(path, bundle, response, published);
    }
  } finally {
    await runner.stop();
  }
  if (values.results) await writeFile(values.results, JSON.stringify(results, null, 2));
  return 0;
}

function print(path, bundle, response, publishedKeys) {
  const body = response.isBase64Encoded ? Buffer.from(response.body, 'base64').toString('utf8') : response.body;
  const lines = [`\n=== ${path} → ${bundle} → HTTP ${response.statusCode}`];
  for (const [name, value] of Object.entries(response.headers ?? {})) lines.push(`${name}: ${value}`);
  lines.push('', body);
  for (const key of publishedKeys) lines.push(`--- key published to the key bucket: ${key}`);
  console.log(lines.join('\n'));
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
