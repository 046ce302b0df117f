// npm run invoke -- events/<file>.json [more events...]
//
// Runs the Lambda bundle — the artefact `sam build` produces from template.yaml's esbuild metadata —
// with API Gateway events and prints each response, with no SAM CLI, no Docker and no AWS account:
// S3 and Secrets Manager are answered by loopback stand-ins (scripts/lib/local-aws.mjs).
//
// Options:
//   --bundle <file.mjs>   run this bundle as it is (default: build dist/speke/speke.mjs first, as `npm run build`)
//   --results <file.json> also write the responses (and the keys each one published) as JSON
// Settings such as SPEKE_WIDEVINE_PROVIDER or SPEKE_KEY_DERIVATION may be exported beforehand.
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startBundle } from './lib/run-bundle.mjs';

const USAGE = 'usage: npm run invoke -- [--bundle <file.mjs>] [--results <file.json>] <event.json>...';

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { bundle: { type: 'string' }, results: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help || positionals.length === 0) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const events = await Promise.all(positionals.map(async (path) => ({ path, event: JSON.parse(await readFile(path, 'utf8')) })));

  let bundle = values.bundle;
  if (bundle === undefined) {
    const { buildHandler, OUT_DIR } = await import('./build.mjs');
    await buildHandler();
    bundle = `${OUT_DIR}/speke.mjs`;
  }

  const runner = await startBundle(bundle);
  const results = [];
  try {
    for (const { path, event } of events) {
      const before = new Set(await runner.aws.listKeys());
      const response = await runner.invoke(event);
      const published = (await runner.aws.listKeys()).filter((k) => !before.has(k));
      const publishedKeys = await Promise.all(
        published.map(async (key) => ({ key, value: (await runner.aws.getObject(key)).bytes.toString('base64') })),
      );
      results.push({ event: path, ...response, publishedKeys });
      print(path, response, published);
    }
  } finally {
    await runner.stop();
  }
  if (values.results) await writeFile(values.results, JSON.stringify(results, null, 2));
  return 0;
}

function print(path, response, publishedKeys) {
  const body = response.isBase64Encoded ? Buffer.from(response.body, 'base64').toString('utf8') : response.body;
  const lines = [`\n=== ${path} → HTTP ${response.statusCode}`];
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
