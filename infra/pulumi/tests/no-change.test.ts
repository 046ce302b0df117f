// `pulumi up` with nothing changed must update nothing: the program, run twice with the same
// configuration and bundle, registers exactly the same inputs (template body, parameters,
// capabilities, code zip key). A NoEcho parameter left empty is not passed at all: CloudFormation
// answers NoEcho values as ****, so passing one would differ from the stack's state on every run.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type * as pulumi from '@pulumi/pulumi';
import { fakeBundle, installMocks, readTemplate, valueOf, type Json } from './support/mocks';

const registered = installMocks({ bundleDir: fakeBundle() });

/** How Pulumi's mocks hand over a value marked secret. */
const SECRET_SIG = { key: '4dabf18193072939515e22adb298388d', value: '1b47061264138c4ac30d75fd1eb44270' };
const isSecret = (value: Json) => value !== null && typeof value === 'object' && value[SECRET_SIG.key] === SECRET_SIG.value;

let deploySpeke: typeof import('../src/speke-stack.js').deploySpeke;
async function run(template?: Json): Promise<Json[]> {
  const from = registered.length;
  const { outputs } = deploySpeke(template);
  await Promise.all(Object.values(outputs).map((o) => valueOf(o as pulumi.Output<string>)));
  return registered.slice(from);
}

let first: Json[];
let second: Json[];
before(async () => {
  ({ deploySpeke } = await import('../src/speke-stack.js'));
  first = await run();
  second = await run();
});

describe('pulumi up with nothing changed', () => {
  it('registers the same resources with the same inputs as the run before', () => {
    assert.deepEqual(
      second.map((r) => [r.type, r.name]),
      first.map((r) => [r.type, r.name]),
    );
    for (const [i, resource] of first.entries()) {
      if (resource.type === 'aws:s3/bucketObject:BucketObject') {
        // The archive is compared by what it holds; its key follows the content hash.
        const { source: a, ...restA } = resource.inputs;
        const { source: b, ...restB } = second[i].inputs;
        assert.deepEqual(restB, restA);
        assert.deepEqual(Object.keys(b.assets).sort(), Object.keys(a.assets).sort());
      } else {
        assert.deepEqual(second[i].inputs, resource.inputs, resource.type);
      }
    }
  });

  it('passes the CloudFormation parameters as plain values the stack reports back unchanged (no NoEcho parameter)', () => {
    const stack = first.find((r) => r.type === 'aws:cloudformation/stack:Stack')!;
    assert.equal(isSecret(stack.inputs.parameters), false);
    assert.ok(Object.values(stack.inputs.parameters as Record<string, string>).every((v) => typeof v === 'string' && v !== '****'));
  });

  it('leaves out a NoEcho parameter that is empty, so that CloudFormation keeps its default and nothing differs', async () => {
    const template = readTemplate();
    template.Parameters.ViewerToken = { Type: 'String', NoEcho: true, Default: '', Description: 'A hidden parameter, for this test' };
    const third = await run(template);
    const stack = third.find((r) => r.type === 'aws:cloudformation/stack:Stack')!;
    assert.equal(isSecret(stack.inputs.parameters), false);
    assert.equal('ViewerToken' in stack.inputs.parameters, false);
    const before = first.find((r) => r.type === 'aws:cloudformation/stack:Stack')!;
    assert.deepEqual(stack.inputs.parameters, before.inputs.parameters);
  });

  // docs/deploy-pulumi.md promised this and no test held it (found by review).
  it('passes a NoEcho parameter that is set as a Pulumi secret, so its value is encrypted in the state', async () => {
    const template = readTemplate();
    template.Parameters.ViewerToken = { Type: 'String', NoEcho: true, Default: 'a-hidden-value', Description: 'A hidden parameter, for this test' };
    const stack = (await run(template)).find((r) => r.type === 'aws:cloudformation/stack:Stack')!;
    assert.equal(isSecret(stack.inputs.parameters), true);
    assert.equal(JSON.parse(JSON.stringify(stack.inputs.parameters)).value.ViewerToken, 'a-hidden-value');
  });
});
