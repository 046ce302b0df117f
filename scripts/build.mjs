// Bundles the Lambda handlers the way `sam build` does with the template's esbuild metadata: one
// ESM file per function in one folder, each exporting `handler`:
//   dist/speke/speke.mjs             SpekeFunction            (Handler speke.handler)
//   dist/speke/clearkey-license.mjs  ClearKeyLicenseFunction  (Handler clearkey-license.handler)
// Each is a complete bundle of its own (no shared chunks), as sam build makes it. The createRequire
// banner lets CommonJS dependencies bundled into ESM (aws-xray-sdk-core under Powertools Tracer)
// call require().
import { build } from 'esbuild';
import { realpathSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const OUT_DIR = 'dist/speke';

/** Output name (without .mjs) → entry point; template.yaml's Handler of each function is `<name>.handler`. */
export const ENTRY_POINTS = {
  speke: 'src/handlers/speke.ts',
  'clearkey-license': 'src/handlers/clearkey-license.ts',
};

/** The esbuild settings of every Lambda bundle (bench/lambda-warm.ts bundles its own entries with them too). */
export const LAMBDA_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  minify: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  logLevel: 'warning',
};

export async function buildHandler({ outdir = OUT_DIR, metafile = false } = {}) {
  await rm(outdir, { recursive: true, force: true });
  return build({ ...LAMBDA_BUNDLE_OPTIONS, entryPoints: ENTRY_POINTS, outdir, metafile });
}

// Run as a script (not imported): compared as real paths, since the module's URL percent-encodes
// what argv[1] leaves as it is (a checkout path with a space built nothing, silently).
if (process.argv[1] !== undefined && realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1])) {
  await buildHandler();
  console.log(
    `built ${Object.keys(ENTRY_POINTS)
      .map((name) => `${OUT_DIR}/${name}.mjs`)
      .join(', ')}`,
  );
}
