import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildHandler } from '../../scripts/build.mjs';
import { samEsbuildArgs } from '../support/sam-esbuild.js';
import { loadTemplate, serverlessFunctions } from './load-template.js';

/**
 * What `sam build` needs from this repository (SAM CLI 1.147.1 or later, the first with nodejs24.x).
 * For BuildMethod esbuild, SAM's NodejsNpmEsbuildBuilder copies CodeUri (minus node_modules, .git,
 * .aws-sam) to a scratch folder, installs the dependencies there (`npm ci` with UseNpmCi and a lock
 * file, else `npm install --omit=dev`), and runs the esbuild it finds in that folder's
 * `$(npm root)/.bin`; without one it fails with "Esbuild Failed: Cannot find esbuild".
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const template = loadTemplate();
const FUNCTIONS = serverlessFunctions(template);
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; dev?: boolean; dependencies?: Record<string, string> }>;
};

describe('sam build: esbuild is installed by the build itself', () => {
  it('has esbuild as a runtime dependency in package.json and package-lock.json (installed even with --omit=dev)', () => {
    expect(packageJson.dependencies.esbuild).toBeDefined();
    expect(packageJson.devDependencies.esbuild).toBeUndefined();
    expect(lock.packages['']!.dependencies!.esbuild).toBe(packageJson.dependencies.esbuild);
    expect(lock.packages['node_modules/esbuild']!.dev).toBeUndefined();
  });

  it.each(FUNCTIONS)('%s: esbuild build method, npm ci from the lock file, code at the folder of package.json', (id) => {
    const resource = template.Resources[id]!;
    expect(resource.Metadata.BuildMethod).toBe('esbuild');
    expect(resource.Metadata.BuildProperties.UseNpmCi).toBe(true);
    expect(resource.Properties.CodeUri).toBe('./');
    for (const file of ['package.json', 'package-lock.json']) expect(existsSync(join(ROOT, resource.Properties.CodeUri, file))).toBe(true);
  });

  it('finds esbuild in the scratch folder after a production-only install from the lock file', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'speke-sam-scratch-'));
    try {
      for (const file of ['package.json', 'package-lock.json']) await copyFile(join(ROOT, file), join(scratch, file));
      // The strictest of SAM's installs (dev dependencies left out); --offline: from npm's cache only.
      await run('npm', ['ci', '--omit=dev', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: scratch, timeout: 120_000 });
      const { stdout: npmRoot } = await run('npm', ['root'], { cwd: scratch });
      const { stdout: version } = await run(join(npmRoot.trim(), '.bin', 'esbuild'), ['--version'], { cwd: scratch });
      expect(version.trim()).toBe(lock.packages['node_modules/esbuild']!.version);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }, 150_000);
});

describe("sam build: the template's esbuild command makes the bundle npm run build makes", () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'speke-sam-esbuild-'));
    await buildHandler({ outdir: join(work, 'npm-run-build') });
  }, 60_000);
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it.each(FUNCTIONS)(
    '%s: same handler module, byte for byte, with its source map',
    async (id) => {
      const resource = template.Resources[id]!;
      const module = String(resource.Properties.Handler).replace(/\.[^.]+$/, '');
      const artifacts = join(work, `sam-${id}`);
      const args = samEsbuildArgs(resource.Metadata.BuildProperties, ROOT, artifacts);
      await run(join(ROOT, 'node_modules', '.bin', 'esbuild'), [...args, '--log-level=warning'], { cwd: ROOT, timeout: 60_000 });
      const sam = await readFile(join(artifacts, `${module}.mjs`), 'utf8');
      expect(sam).toBe(await readFile(join(work, 'npm-run-build', `${module}.mjs`), 'utf8'));
      expect(sam).toMatch(new RegExp(`//# sourceMappingURL=${module}\\.mjs\\.map\\n$`));
      expect(existsSync(join(artifacts, `${module}.mjs.map`))).toBe(true);
    },
    60_000,
  );
});

// `npm run build` compared the module's URL (a space percent-encoded) with argv[1] (not), so in a
// checkout whose path has a space it exited 0 having built nothing (found by review).
describe('npm run build (node scripts/build.mjs)', () => {
  it('builds the bundles when run from a checkout whose path has a space', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'speke build '));
    try {
      await mkdir(join(dir, 'scripts'));
      await copyFile(join(ROOT, 'scripts', 'build.mjs'), join(dir, 'scripts', 'build.mjs'));
      await symlink(join(ROOT, 'src'), join(dir, 'src'));
      await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
      await writeFile(join(dir, 'package.json'), '{"type": "module"}\n');
      const { stdout } = await run(process.execPath, ['scripts/build.mjs'], { cwd: dir, timeout: 60_000 });
      expect(stdout).toMatch(/^built dist\/speke\/speke\.mjs, dist\/speke\/clearkey-license\.mjs/);
      expect(existsSync(join(dir, 'dist', 'speke', 'speke.mjs'))).toBe(true);
      expect(existsSync(join(dir, 'dist', 'speke', 'clearkey-license.mjs'))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
