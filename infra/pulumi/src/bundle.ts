// The Lambda code: the esbuild bundles `npm run build` writes to dist/speke (scripts/build.mjs),
// one per function, zipped together with each handler module at the root of the archive, as the
// template's Handlers expect. Every function takes its code from this one zip.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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
  return new pulumi.asset.AssetArchive(Object.fromEntries(Object.entries(bundle.files).map(([name, file]) => [name, new pulumi.asset.FileAsset(file)])));
}

/** What the bundles are built from: every file under src/, package.json, package-lock.json and scripts/build.mjs. */
export function bundleSources(root: string = REPO_ROOT): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.isFile()) files.push(file);
    }
  };
  if (existsSync(path.join(root, 'src'))) walk(path.join(root, 'src'));
  for (const file of ['package.json', 'package-lock.json', path.join('scripts', 'build.mjs')]) {
    if (existsSync(path.join(root, file))) files.push(path.join(root, file));
  }
  return files;
}

/**
 * Refuses a bundle older than the sources it is built from: `pulumi up` would deploy stale code
 * (the zip's key follows the bundle's content, so nothing would even look changed). Throws, naming
 * the newest source and how to rebuild.
 */
export function assertBundleFresh(bundle: LambdaBundle, sources: string[], root: string = REPO_ROOT): void {
  if (sources.length === 0) return;
  const newest = sources.map((file) => ({ file, mtimeMs: statSync(file).mtimeMs })).reduce((a, b) => (b.mtimeMs > a.mtimeMs ? b : a));
  const stale = Object.values(bundle.files).filter((file) => statSync(file).mtimeMs < newest.mtimeMs);
  if (stale.length > 0) {
    throw new Error(
      `The Lambda bundle is older than its sources: ${stale.map((f) => path.relative(root, f)).join(', ')} was built before ${path.relative(root, newest.file)} changed (${new Date(newest.mtimeMs).toISOString()}). ` +
        `Run \`npm ci && npm run build\` in the repository root (${root}) first, or set bundleDir to a bundle built from these sources`,
    );
  }
}
