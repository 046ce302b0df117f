// Pulumi's mock runtime for the program's tests: no engine, no CLI, no cloud. Every resource the
// program registers is recorded with its (resolved) inputs; the CloudFormation stack "returns"
// one value per template output, as CloudFormation would after a deployment.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { yamlParse } from 'yaml-cfn';

export const PROJECT = 'speke-key-server';
export const STACK = 'test';

/** template.yaml, read by the tests on their own (not through the program's loader). */
export const TEMPLATE_FILE = path.resolve(__dirname, '..', '..', '..', '..', 'template.yaml');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;
export function readTemplate(): Json {
  return yamlParse(readFileSync(TEMPLATE_FILE, 'utf8'));
}

export interface Registered {
  type: string;
  name: string;
  inputs: Json;
}

/** What the mocked CloudFormation stack reports for output `name`. */
export function fakeOutput(name: string): string {
  return `value-of-${name}`;
}

const scratchDirs: string[] = [];
process.once('exit', () => {
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory under the system's temporary folder, removed when the test process exits (each run left hundreds behind). */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  scratchDirs.push(dir);
  return dir;
}

/** The bundles `npm run build` writes to dist/speke (scripts/build.mjs), one per function. */
export const BUNDLE_MODULES = ['speke', 'clearkey-license'];

/** A stand-in for `npm run build`'s dist/speke: a tiny <module>.mjs and its map per function, in a fresh directory. */
export function fakeBundle(contents = 'export const handler = async () => ({ statusCode: 200 });\n'): string {
  const dir = scratchDir('speke-bundle-');
  for (const module of BUNDLE_MODULES) {
    writeFileSync(path.join(dir, `${module}.mjs`), `// ${module}\n${contents}`);
    writeFileSync(path.join(dir, `${module}.mjs.map`), '{"version":3,"sources":[],"mappings":""}');
  }
  return dir;
}

/**
 * Installs the mocks and the project configuration (keys without the `speke-key-server:` prefix).
 * Call before importing the program.
 */
export function installMocks(config: Record<string, string>): Registered[] {
  const registered: Registered[] = [];
  const outputNames = Object.keys(readTemplate().Outputs as Record<string, unknown>);
  void pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const state: Json = { ...args.inputs };
        if (args.type === 'aws:s3/bucket:Bucket') {
          state.bucket = args.inputs.bucket ?? `${args.name}-4f2a9c1`;
          state.arn = `arn:aws:s3:::${state.bucket}`;
          return { id: state.bucket, state };
        }
        if (args.type === 'aws:cloudformation/stack:Stack') {
          state.outputs = Object.fromEntries(outputNames.map((name) => [name, fakeOutput(name)]));
        }
        return { id: `${args.name}-id`, state };
      },
      call(args) {
        throw new Error(`the program made an unexpected provider call: ${args.token}`);
      },
    },
    PROJECT,
    STACK,
    false,
  );
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([key, value]) => [`${PROJECT}:${key}`, value])));
  return registered;
}

/** An output's value (under the mocks every value is known). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}
