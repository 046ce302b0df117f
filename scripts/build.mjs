// Bundles the Lambda handler the way `sam build` does with the template's esbuild metadata:
// one ESM file, dist/speke/speke.mjs, exporting `handler`. The createRequire banner lets
// CommonJS dependencies bundled into ESM (aws-xray-sdk-core under Powertools Tracer) call require().
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

export const OUT_DIR = 'dist/speke';

export async function buildHandler({ outdir = OUT_DIR, metafile = false } = {}) {
  await rm(outdir, { recursive: true, force: true });
  return build({
    entryPoints: { speke: 'src/handlers/speke.ts' },
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    minify: true,
    sourcemap: true,
    metafile,
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildHandler();
  console.log(`built ${OUT_DIR}/speke.mjs`);
}
