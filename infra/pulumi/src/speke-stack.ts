// The SPEKE key server as Pulumi deploys it: template.yaml itself, as one CloudFormation stack (the
// SAM transform runs in CloudFormation, as with `sam deploy`), its functions' code taken from a zip
// of the esbuild bundles that this program uploads to an artifact bucket of its own.
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { assertBundleFresh, bundleArchive, bundleDir, bundleSources, lambdaBundle } from './bundle';
import {
  configKey,
  handlerModules,
  loadTemplate,
  noEchoParameters,
  outputNames,
  parameterValues,
  requiredCapabilities,
  stackParameterValues,
  templateBody,
  withCodeUri,
  type Template,
} from './template';

/** Configuration keys of this program that are not template parameters. */
export const EXTRA_CONFIG_KEYS = ['bundleDir'] as const;

export interface SpekeDeployment {
  template: Template;
  artifactBucket: aws.s3.Bucket;
  bundleObject: aws.s3.BucketObject;
  stack: aws.cloudformation.Stack;
  /** One per template output, under the same name. */
  outputs: Record<string, pulumi.Output<string>>;
}

/** The CloudFormation stack's name: `<project>-<stack>`, in the characters CloudFormation accepts. */
export function cloudFormationStackName(project: string, stack: string): string {
  const name = `${project}-${stack}`.replace(/[^A-Za-z0-9-]/g, '-');
  return (/^[A-Za-z]/.test(name) ? name : `s-${name}`).slice(0, 128);
}

/** Refuses keys in this project's namespace that mean nothing here (a mistyped key would silently leave a default). */
function checkConfigKeys(template: Template): void {
  const project = pulumi.getProject();
  const known = new Set<string>([...Object.keys(template.Parameters ?? {}).map(configKey), ...EXTRA_CONFIG_KEYS]);
  const unknown = Object.keys(pulumi.runtime.allConfig())
    .filter((key) => key.startsWith(`${project}:`))
    .map((key) => key.slice(project.length + 1))
    .filter((key) => !known.has(key));
  if (unknown.length > 0) {
    throw new Error(`Unknown configuration key(s) ${unknown.map((k) => `${project}:${k}`).join(', ')}; known keys: ${[...known].join(', ')}`);
  }
}

/** The bucket policy of the template's buckets (DenyInsecureTransport): every S3 request without TLS is refused. */
export function httpsOnlyPolicy(bucketArn: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  };
}

export function deploySpeke(template: Template = loadTemplate()): SpekeDeployment {
  const config = new pulumi.Config();
  checkConfigKeys(template);
  const parameters = parameterValues(template, (key) => config.get(key));
  const configuredBundleDir = config.get('bundleDir');
  const bundle = lambdaBundle(bundleDir(configuredBundleDir), handlerModules(template));
  // The repository's own dist/speke must have been built from the sources as they are now.
  if (configuredBundleDir === undefined) assertBundleFresh(bundle, bundleSources());
  // A NoEcho parameter that is set stays secret in Pulumi's state and output, as CloudFormation
  // hides it (Pulumi then shows all the stack's parameters as [secret]); an empty one is left out
  // (stackParameterValues), so that an unchanged program updates nothing.
  const hidden = new Set(noEchoParameters(template));
  const stackParameters = Object.fromEntries(
    Object.entries(stackParameterValues(template, parameters)).map(([name, value]): [string, pulumi.Input<string>] => [
      name,
      hidden.has(name) ? pulumi.secret(value) : value,
    ]),
  );

  // Holds only the code zips; emptied and deleted with the Pulumi stack. Guarded like the
  // template's buckets (the code it holds runs with the functions' roles): no public access, SSE-S3,
  // bucket-owner-enforced, HTTPS only.
  const artifactBucket = new aws.s3.Bucket('speke-artifacts', { forceDestroy: true });
  // One bucket setting at a time: S3 answers concurrent configuration calls on a bucket with
  // OperationAborted ("A conflicting conditional operation is in progress").
  const artifactOwnership = new aws.s3.BucketOwnershipControls('speke-artifacts', {
    bucket: artifactBucket.id,
    rule: { objectOwnership: 'BucketOwnerEnforced' },
  });
  const artifactAccess = new aws.s3.BucketPublicAccessBlock(
    'speke-artifacts',
    { bucket: artifactBucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    { dependsOn: [artifactOwnership] },
  );
  const artifactEncryption = new aws.s3.BucketServerSideEncryptionConfiguration(
    'speke-artifacts',
    { bucket: artifactBucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] },
    { dependsOn: [artifactAccess] },
  );
  const artifactPolicy = new aws.s3.BucketPolicy(
    'speke-artifacts',
    { bucket: artifactBucket.id, policy: artifactBucket.arn.apply((arn) => JSON.stringify(httpsOnlyPolicy(arn))) },
    { dependsOn: [artifactEncryption] },
  );
  const bundleObject = new aws.s3.BucketObject(
    'speke-bundle',
    { bucket: artifactBucket.id, key: bundle.key, source: bundleArchive(bundle), contentType: 'application/zip' },
    { dependsOn: [artifactPolicy] },
  );

  const stack = new aws.cloudformation.Stack(
    'speke',
    {
      name: cloudFormationStackName(pulumi.getProject(), pulumi.getStack()),
      templateBody: pulumi.all([artifactBucket.bucket, bundleObject.key]).apply(([Bucket, Key]) => templateBody(withCodeUri(template, { Bucket, Key }))),
      parameters: stackParameters,
      capabilities: requiredCapabilities(template),
    },
    // A first deployment creates a CloudFront distribution, which alone can take a quarter of an hour.
    { customTimeouts: { create: '60m', update: '60m', delete: '60m' } },
  );

  const outputs = Object.fromEntries(outputNames(template).map((name) => [name, stack.outputs.apply((values) => values[name] as string)]));
  return { template, artifactBucket, bundleObject, stack, outputs };
}
