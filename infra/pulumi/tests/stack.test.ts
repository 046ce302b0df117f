// The program under Pulumi's mocks with no configuration but the bundle: the resources it
// registers, the CloudFormation stack against template.yaml (read here, at test time, so a change
// to the template that the program does not follow fails), the defaults and the outputs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import type * as pulumi from '@pulumi/pulumi';
import { fakeBundle, fakeOutput, installMocks, readTemplate, valueOf, type Json, type Registered } from './support/mocks';

const bundle = fakeBundle();
const registered = installMocks({ bundleDir: bundle });
const template = readTemplate();

let program: Record<string, pulumi.Output<string>>;
let exported: Record<string, string>;

function only(type: string): Registered {
  const found = registered.filter((r) => r.type === type);
  assert.equal(found.length, 1, `expected one ${type}, found ${found.length}`);
  return found[0]!;
}

before(async () => {
  program = (await import('../index.js')).default as unknown as Record<string, pulumi.Output<string>>;
  // Every resource precedes the stack outputs, so once they are known everything is registered.
  exported = Object.fromEntries(await Promise.all(Object.entries(program).map(async ([name, output]) => [name, await valueOf(output)])));
});

describe('resources', () => {
  it('registers the artifact bucket, its public access block, the bundle and one CloudFormation stack, nothing else', () => {
    assert.deepEqual(registered.map((r) => r.type).sort(), [
      'aws:cloudformation/stack:Stack',
      'aws:s3/bucket:Bucket',
      'aws:s3/bucketObject:BucketObject',
      'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
    ]);
  });

  it('blocks all public access to the artifact bucket and lets `pulumi destroy` empty it', () => {
    const bucket = only('aws:s3/bucket:Bucket');
    assert.equal(bucket.inputs.forceDestroy, true);
    const block = only('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock');
    assert.equal(block.inputs.bucket, 'speke-artifacts-4f2a9c1');
    for (const flag of ['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets']) assert.equal(block.inputs[flag], true, flag);
  });
});

describe('the CloudFormation stack', () => {
  it('is named after the Pulumi project and stack', () => {
    assert.equal(only('aws:cloudformation/stack:Stack').inputs.name, 'speke-key-server-test');
  });

  it('acknowledges the capabilities of a SAM template with IAM roles (and no named IAM)', () => {
    const { capabilities } = only('aws:cloudformation/stack:Stack').inputs;
    assert.deepEqual([...capabilities].sort(), ['CAPABILITY_AUTO_EXPAND', 'CAPABILITY_IAM']);
  });

  it('has template.yaml as its body, the function code location alone changed to the uploaded zip', () => {
    const stack = only('aws:cloudformation/stack:Stack');
    const object = only('aws:s3/bucketObject:BucketObject');
    const body = JSON.parse(stack.inputs.templateBody);

    assert.deepEqual(template.Resources.SpekeFunction.Properties.CodeUri, './', 'template.yaml builds the function from the repository');
    assert.deepEqual(body.Resources.SpekeFunction.Properties.CodeUri, { Bucket: object.inputs.bucket, Key: object.inputs.key });

    const expected = structuredClone(template);
    expected.Resources.SpekeFunction.Properties.CodeUri = body.Resources.SpekeFunction.Properties.CodeUri;
    assert.deepEqual(body, expected);
    // The same, section by section, for a readable failure when only one of them differs.
    for (const section of ['Transform', 'Parameters', 'Conditions', 'Globals', 'Outputs']) assert.deepEqual(body[section], template[section], section);
    assert.deepEqual(Object.keys(body.Resources), Object.keys(template.Resources));
  });

  it('fits in an inline TemplateBody', () => {
    assert.ok(Buffer.byteLength(only('aws:cloudformation/stack:Stack').inputs.templateBody) <= 51_200);
  });

  it('gets every template parameter, at the template default when not configured', () => {
    const { parameters } = only('aws:cloudformation/stack:Stack').inputs;
    const defaults = Object.fromEntries(
      Object.entries(template.Parameters as Record<string, Json>).map(([name, p]) => [name, Array.isArray(p.Default) ? p.Default.join(',') : String(p.Default)]),
    );
    assert.deepEqual(parameters, defaults);
  });
});

describe('the Lambda bundle', () => {
  it('uploads a zip named by the content hash into the artifact bucket', () => {
    const object = only('aws:s3/bucketObject:BucketObject');
    assert.equal(object.inputs.bucket, 'speke-artifacts-4f2a9c1');
    assert.match(object.inputs.key, /^speke-key-server\/speke-[0-9a-f]{32}\.zip$/);
  });

  it("holds the handler module of the template's Handler at the zip root, with its source map", async () => {
    const { source } = only('aws:s3/bucketObject:BucketObject').inputs;
    const assets: Record<string, Json> = await source.assets;
    const [module] = (template.Resources.SpekeFunction.Properties.Handler as string).split('.');
    assert.deepEqual(Object.keys(assets).sort(), [`${module}.mjs`, `${module}.mjs.map`]);
    assert.equal(await assets[`${module}.mjs`].path, path.join(bundle, 'speke.mjs'));
    assert.equal(readFileSync(await assets[`${module}.mjs`].path, 'utf8'), readFileSync(path.join(bundle, 'speke.mjs'), 'utf8'));
  });
});

describe('outputs', () => {
  it("are exactly the template's Outputs, under the same names", () => {
    assert.deepEqual(Object.keys(program), Object.keys(template.Outputs));
  });

  it("are the CloudFormation stack's outputs", () => {
    assert.deepEqual(exported, Object.fromEntries(Object.keys(template.Outputs).map((name) => [name, fakeOutput(name)])));
  });

  it('include the SPEKE URL, the role ARNs, the key bucket and the key delivery domain', () => {
    for (const name of ['SpekeUrl', 'MediaPackageRoleArn', 'MediaConvertRoleArn', 'KeyBucketName', 'KeyDeliveryDomain']) assert.ok(name in program, name);
  });
});
