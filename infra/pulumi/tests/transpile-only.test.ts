// `pulumi up` with PULUMI_NODEJS_TRANSPILE_ONLY=true: Pulumi's Node.js runtime registers ts-node
// with this project's tsconfig.json and transpileOnly (@pulumi/pulumi cmd/run/run.js), where a
// tsconfig without rootDir failed with TS5011. The program's modules are loaded here the same way,
// with and without type checking, in a process of their own (index.ts itself would start a
// deployment, so its modules are loaded instead).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const PROJECT = path.resolve(__dirname, '..');
const MODULES = ['./src/template.ts', './src/bundle.ts', './src/speke-stack.ts'];

async function load(transpileOnly: boolean): Promise<string> {
  const script = `
    require('ts-node').register({ compiler: 'typescript', transpileOnly: ${transpileOnly}, project: 'tsconfig.json', compilerOptions: {} });
    for (const m of ${JSON.stringify(MODULES)}) require(m);
    console.log('loaded');
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { cwd: PROJECT, env: { ...process.env, NODE_OPTIONS: '' }, timeout: 120_000 });
  return stdout.trim();
}

describe('the program under ts-node, as Pulumi runs it', () => {
  it('compiles with PULUMI_NODEJS_TRANSPILE_ONLY=true (transpileOnly)', async () => {
    assert.equal(await load(true), 'loaded');
  });

  it('compiles with type checking (the default)', async () => {
    assert.equal(await load(false), 'loaded');
  });
});
