import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';

/**
 * The esbuild command line `sam build` runs for a function with `BuildMethod: esbuild`, made from
 * its Metadata BuildProperties the way SAM CLI and aws-lambda-builders make it:
 * - SAM CLI (samcli/lib/samlib/resource_metadata_normalizer.py, normalize_build_properties) turns
 *   each PascalCase key into snake_case (`OutExtension` → `out_extension`);
 * - aws-lambda-builders (workflows/nodejs_npm_esbuild/esbuild.py, EsbuildCommandBuilder) writes the
 *   entry points, then `--bundle --platform=node --outdir=<artifacts>` plus `--target=es2020`,
 *   `--format=cjs` and `--minify` where the properties do not set them, then every other property:
 *   `true` as `--key`, `false` as nothing, a string as `--key=value`, a list as `--key:item` per
 *   item (keys in kebab-case). `bundle`, `platform` and `outdir` are its own; `use_npm_ci` and
 *   `entry_points` are not esbuild options.
 * It leaves dependencies in the bundle unless `External` holds `./node_modules/*` (not used here).
 */
const NON_CONFIGURABLE = new Set(['bundle', 'platform', 'outdir']);
const NOT_ESBUILD = new Set(['use_npm_ci', 'entry_points']);

export function snakeCase(key: string): string {
  return key.replace(/(?<!^)(?=[A-Z])/g, '_').toLowerCase();
}

export function samEsbuildArgs(buildProperties: Record<string, unknown>, workingDirectory: string, artifactsDirectory: string): string[] {
  const config = Object.fromEntries(Object.entries(buildProperties).map(([key, value]) => [snakeCase(key), value]));
  const entryPoints = config.entry_points;
  if (!Array.isArray(entryPoints) || entryPoints.length === 0) throw new Error('entry_points must be a non-empty list');
  const args: string[] = [];
  for (const entry of entryPoints as string[]) {
    // An entry point with a suffix must exist as written; one without gets .ts or .js.
    if (extname(entry) !== '') {
      if (!existsSync(join(workingDirectory, entry))) throw new Error(`entry point ${entry} does not exist`);
      args.push(entry);
    } else {
      const found = ['.ts', '.js'].find((ext) => existsSync(join(workingDirectory, entry + ext)));
      if (!found) throw new Error(`entry point ${entry} does not exist`);
      args.push(entry + found);
    }
  }
  args.push('--bundle', '--platform=node', `--outdir=${artifactsDirectory}`);
  if (!('target' in config)) args.push('--target=es2020');
  if (!('format' in config)) args.push('--format=cjs');
  if (!('minify' in config)) args.push('--minify');
  for (const [key, value] of Object.entries(config)) {
    if (NON_CONFIGURABLE.has(key) || NOT_ESBUILD.has(key)) continue;
    const flag = `--${key.replaceAll('_', '-')}`;
    if (typeof value === 'boolean') {
      if (value) args.push(flag);
    } else if (typeof value === 'string') {
      args.push(`${flag}=${value}`);
    } else if (Array.isArray(value)) {
      for (const item of value) args.push(`${flag}:${String(item)}`);
    } else {
      throw new Error(`Failed to determine the type of the configuration: ${key}`);
    }
  }
  return args;
}
