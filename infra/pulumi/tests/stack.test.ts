// The program under Pulumi's mocks with no configuration but the bundle: the resources it
// registers, the CloudFormation stack against template.yaml (read here, at test time, so a change
// to the template that the program does not follow fails), the defaults and the outputs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import type * as pulumi from '@pulumi/pulumi';
import { BUNDLE_MODULES, fakeBundle, fakeOutput, installMocks, readTemplate, valueOf, type Json, type Registered } from './support/mocks';

const bundle = fakeBundle();
const registered = installMocks({ bundleDir: bundle });
const template = readTemplate();
/** Logical IDs of the template's SAM functions, read here on their own (not through the program). */
const functions = Object.keys(template.Resources).filter((id) => template.Resources[id].Type === 'AWS::Serverless::Function');
const handlerModuleOf = (id: string) => {
  const handler = template.Resources[id].Properties.Handler as string;
  return handler.slice(0, handler.lastIndexOf('.'));
};

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
  it('registers the artifact bucket with its guards, the bundle and one CloudFormation stack, nothing else', () => {
    assert.deepEqual(registered.map((r) => r.type).sort(), [
      'aws:cloudformation/stack:Stack',
      'aws:s3/bucket:Bucket',
      'aws:s3/bucketObject:BucketObject',
      'aws:s3/bucketOwnershipControls:BucketOwnershipControls',
      'aws:s3/bucketPolicy:BucketPolicy',
      'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock',
      'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
    ]);
  });

  // The artifact bucket had only its public access block, where every bucket of the template also
  // refuses plain HTTP and sets SSE-S3 and bucket-owner-enforced (found by review); the code it
  // holds runs with the functions' roles.
  it("guards the artifact bucket as the template guards its buckets: SSE-S3, bucket-owner-enforced, HTTPS only (the template's own statement)", () => {
    const bucket = 'speke-artifacts-4f2a9c1';
    const encryption = only('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration');
    assert.equal(encryption.inputs.bucket, bucket);
    assert.deepEqual(encryption.inputs.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }]);
    const ownership = only('aws:s3/bucketOwnershipControls:BucketOwnershipControls');
    assert.equal(ownership.inputs.bucket, bucket);
    assert.deepEqual(ownership.inputs.rule, { objectOwnership: 'BucketOwnerEnforced' });
    const policy = only('aws:s3/bucketPolicy:BucketPolicy');
    assert.equal(policy.inputs.bucket, bucket);
    const arn = `arn:aws:s3:::${bucket}`;
    const [statement, ...others] = JSON.parse(policy.inputs.policy as string).Statement;
    assert.deepEqual(others, []);
    // The same statement as the template's GrantBucketPolicy, for this bucket.
    const templateStatement = structuredClone(
      template.Resources.GrantBucketPolicy.Properties.PolicyDocument.Statement.find((s: Json) => s.Sid === 'DenyInsecureTransport'),
    );
    templateStatement.Resource = [arn, `${arn}/*`];
    assert.deepEqual(statement, templateStatement);
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

  it('has template.yaml as its body, every function code location alone changed to the uploaded zip', () => {
    const stack = only('aws:cloudformation/stack:Stack');
    const object = only('aws:s3/bucketObject:BucketObject');
    const body = JSON.parse(stack.inputs.templateBody);

    assert.deepEqual(functions, ['SpekeFunction', 'ClearKeyLicenseFunction']);
    const expected = structuredClone(template);
    for (const id of functions) {
      assert.deepEqual(template.Resources[id].Properties.CodeUri, './', `template.yaml builds ${id} from the repository`);
      assert.deepEqual(body.Resources[id].Properties.CodeUri, { Bucket: object.inputs.bucket, Key: object.inputs.key }, id);
      expected.Resources[id].Properties.CodeUri = body.Resources[id].Properties.CodeUri;
    }
    assert.deepEqual(body, expected);
    // The same, section by section, for a readable failure when only one of them differs.
    for (const section of ['Transform', 'Parameters', 'Conditions', 'Globals', 'Outputs']) assert.deepEqual(body[section], template[section], section);
    assert.deepEqual(Object.keys(body.Resources), Object.keys(template.Resources));
  });

  it('fits in an inline TemplateBody', () => {
    assert.ok(Buffer.byteLength(only('aws:cloudformation/stack:Stack').inputs.templateBody) <= 51_200);
  });

  it('gets every template parameter, at the template default when not configured', () => {
    // Not secret: every NoEcho parameter is at its empty default.
    const { parameters } = only('aws:cloudformation/stack:Stack').inputs;
    const defaults = Object.fromEntries(
      Object.entries(template.Parameters as Record<string, Json>).map(([name, p]) => [
        name,
        Array.isArray(p.Default) ? p.Default.join(',') : String(p.Default),
      ]),
    );
    assert.deepEqual(parameters, defaults);
  });
});

describe('the Lambda bundle', () => {
  it('uploads a zip named by the content hash into the artifact bucket', () => {
    const object = only('aws:s3/bucketObject:BucketObject');
    assert.equal(object.inputs.bucket, 'speke-artifacts-4f2a9c1');
    assert.match(object.inputs.key, /^speke-key-server\/lambda-[0-9a-f]{32}\.zip$/);
  });

  it("holds the handler module of every function's Handler at the zip root, with its source map, and nothing else", async () => {
    const { source } = only('aws:s3/bucketObject:BucketObject').inputs;
    const assets: Record<string, Json> = await source.assets;
    const modules = [...new Set(functions.map(handlerModuleOf))];
    assert.deepEqual([...modules].sort(), [...BUNDLE_MODULES].sort(), 'the template has a function per bundle of scripts/build.mjs');
    assert.deepEqual(Object.keys(assets).sort(), modules.flatMap((m) => [`${m}.mjs`, `${m}.mjs.map`]).sort());
    for (const id of functions) {
      const file = `${handlerModuleOf(id)}.mjs`;
      assert.equal(await assets[file].path, path.join(bundle, file), id);
      assert.equal(readFileSync(await assets[file].path, 'utf8'), readFileSync(path.join(bundle, file), 'utf8'), id);
    }
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
    for (const name of ['SpekeUrl', 'MediaPackageRoleArn', 'MediaConvertRoleArn', 'KeyBucketName', 'KeyDeliveryDomain', 'ClearKeyLicenseUrl'])
      assert.ok(name in program, name);
  });
});
