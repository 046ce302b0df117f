// The Lambda code: the esbuild bundles `npm run build` writes to dist/speke (scripts/build.mjs),
// one per function, zipped together with each handler module at the root of the archive, as the
// template's Handlers expect. Every function takes its code from this one zip.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { PROJECT_DIR, REPO_ROOT } from './template';

/** Where `npm run build` (scripts/build.mjs) writes the bundle. */
export const DEFAULT_BUNDLE_DIR = path.join(REPO_ROOT, 'dist', 'speke');

export interface LambdaBundle {
  /** Name in the zip → file on disk. */
  files: Record<string, string>;
  /** SHA-256 over the names and contents of the files. */
  sha256: string;
  /**
   * S3 key of the zip. It changes whenever the code does: CloudFormation updates the function
   * only when the template (here, CodeUri's Key) changes.
   */
  key: string;
}

/** A bundle directory given in configuration is relative to the Pulumi project (infra/pulumi). */
export function bundleDir(configured: string | undefined): string {
  return configured ? path.resolve(PROJECT_DIR, configured) : DEFAULT_BUNDLE_DIR;
}

/** The bundle for handler modules `modules`: each `<module>.mjs`, and its source map when there is one. */
export function lambdaBundle(dir: string, modules: readonly string[]): LambdaBundle {
  if (modules.length === 0) throw new Error('No handler module to bundle');
  const files: Record<string, string> = {};
  const missing: string[] = [];
  for (const module of modules) {
    const main = `${module}.mjs`;
    const mainPath = path.join(dir, main);
    if (!existsSync(mainPath)) {
      missing.push(mainPath);
      continue;
    }
    files[main] = mainPath;
    const map = `${main}.map`;
    if (existsSync(path.join(dir, map))) files[map] = path.join(dir, map);
  }
  if (missing.length > 0) {
    throw new Error(`No Lambda bundle at ${missing.join(', ')}: run \`npm ci && npm run build\` in the repository root (${REPO_ROOT}) first, or set bundleDir`);
  }

  const hash = createHash('sha256');
  for (const [name, file] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    hash.update(`${name}\0`);
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  const sha256 = hash.digest('hex');
  return { files, sha256, key: `speke-key-server/lambda-${sha256.slice(0, 32)}.zip` };
}

/** The zip Pulumi uploads: each file at the archive's root under its name. */
export function bundleArchive(bundle: LambdaBundle): pulumi.asset.AssetArchive {
  return new pulumi.asset.AssetArchive(
    Object.fromEntries(Object.entries(bundle.files).map(([name, file]) => [name, new pulumi.asset.FileAsset(file)])),
  );
}
