import { basename, extname } from 'node:path';
import { ENTRY_POINTS } from '../../scripts/build.mjs';
import { LAMBDA_ENV, loadLambdaConfig } from '../../src/config.js';
import { parseMasterSecret } from '../../src/keys/derive.js';
import {
  collectReferences,
  conditionalItem,
  functionEnvironment,
  list,
  loadTemplate,
  PSEUDO_PARAMETERS,
  serverlessFunctions,
  type Json,
} from './load-template.js';
import { MASTER_SECRET_REFERENCE } from './master-secret-reference.js';

const template = loadTemplate();
const resources = template.Resources;
const props = (id: string): Json => {
  const resource = resources[id];
  if (!resource) throw new Error(`template.yaml has no resource ${id}`);
  return resource.Properties ?? {};
};
const fn = props('SpekeFunction');
/** SpekeFunction's environment as deployed: Globals.Function merged with its own variables. */
const env = functionEnvironment(template, 'SpekeFunction');
const FUNCTIONS = serverlessFunctions(template);
/** Each function's log group, as its LoggingConfig names it. */
const LOG_GROUPS: Record<string, string> = { SpekeFunction: 'SpekeLogGroup', ClearKeyLicenseFunction: 'ClearKeyLicenseLogGroup' };

describe('template.yaml: references', () => {
  it('is a SAM template', () => {
    expect(template.Transform).toBe('AWS::Serverless-2016-10-31');
  });

  it('refers only to parameters, resources and pseudo parameters that exist', () => {
    const names = new Set([...Object.keys(template.Parameters), ...Object.keys(resources), ...PSEUDO_PARAMETERS]);
    const refs = collectReferences({ Resources: resources, Outputs: template.Outputs, Conditions: template.Conditions, Globals: template.Globals });
    expect(refs.length).toBeGreaterThan(20);
    const dangling = refs.filter((r) => (r.kind === 'Condition' ? !(r.target in template.Conditions) : !names.has(r.target)));
    expect(dangling).toEqual([]);
    // GetAtt and Sub attributes point at resources, never at parameters.
    const attributeOfParameter = refs.filter((r) => r.kind === 'GetAtt' && !(r.target in resources));
    expect(attributeOfParameter).toEqual([]);
  });

  it('uses every parameter, and groups every parameter for the console', () => {
    const refs = collectReferences({ Resources: resources, Outputs: template.Outputs, Conditions: template.Conditions, Globals: template.Globals });
    const used = new Set(refs.map((r) => r.target));
    expect(Object.keys(template.Parameters).filter((p) => !used.has(p))).toEqual([]);
    const grouped = (template.Metadata['AWS::CloudFormation::Interface'].ParameterGroups as Json[]).flatMap((g) => g.Parameters as string[]);
    expect([...grouped].sort()).toEqual(Object.keys(template.Parameters).sort());
  });

  it('describes every parameter', () => {
    const undescribed = Object.entries(template.Parameters).filter(([, p]) => typeof p.Description !== 'string' || p.Description.length < 20);
    expect(undescribed.map(([name]) => name)).toEqual([]);
  });
});

describe('template.yaml: the function', () => {
  it('has the SPEKE function and the ClearKey license function, and no other', () => {
    expect(FUNCTIONS).toEqual(['SpekeFunction', 'ClearKeyLicenseFunction']);
  });

  it.each(FUNCTIONS)('%s sets every environment variable the Lambda configuration reads, and no SPEKE_ variable it does not', (id) => {
    const fnEnv = functionEnvironment(template, id);
    const missing = LAMBDA_ENV.filter((name) => fnEnv[name] === undefined);
    expect(missing).toEqual([]);
    const unread = Object.keys(fnEnv).filter((name) => name.startsWith('SPEKE_') && !(LAMBDA_ENV as readonly string[]).includes(name));
    expect(unread).toEqual([]);
  });

  it('writes the shared environment once, in Globals, and per function only what differs', () => {
    const globals = template.Globals.Function.Environment.Variables as Record<string, Json>;
    expect(Object.keys(globals).length).toBeGreaterThan(10);
    for (const id of FUNCTIONS) {
      expect(Object.keys(props(id).Environment.Variables).sort()).toEqual([
        'SPEKE_CLEARKEY_LICENSE',
        'SPEKE_KEY_ACCESS_TOKEN',
        'SPEKE_KEY_ACCESS_TOKEN_SECRET_ID',
        'SPEKE_PLAYER_TOKEN_SECRET_ID',
      ]);
    }
    // The SPEKE API is IAM-authorized for encryptors: no license route, no viewer token there.
    expect(env.SPEKE_CLEARKEY_LICENSE).toBe('false');
    expect(env.SPEKE_KEY_ACCESS_TOKEN).toBe('');
    expect(env.SPEKE_KEY_ACCESS_TOKEN_SECRET_ID).toBe('');
    expect(env.SPEKE_PLAYER_TOKEN_SECRET_ID).toBe('');
    const license = functionEnvironment(template, 'ClearKeyLicenseFunction');
    expect(license.SPEKE_CLEARKEY_LICENSE).toBe('true');
    // The token is never in the function's configuration: only the secret's ARN is.
    expect(license.SPEKE_KEY_ACCESS_TOKEN).toBe('');
    expect(license.SPEKE_KEY_ACCESS_TOKEN_SECRET_ID).toEqual({ 'Fn::If': ['RequireClearKeyLicenseToken', { Ref: 'ClearKeyLicenseAccessTokenSecret' }, ''] });
  });

  it('wires bucket, key URL prefix, secret and settings to their resources and parameters', () => {
    expect(env.SPEKE_KEY_BUCKET).toEqual({ Ref: 'KeyBucket' });
    // Key URLs are <prefix>/<content ID>/<kid> and objects <content ID>/<kid>: the prefix is the bare distribution.
    expect(env.SPEKE_KEY_URL_PREFIX).toEqual({
      'Fn::If': ['UseKeyDeliveryDomain', { 'Fn::Sub': 'https://${KeyDeliveryDomainName}' }, { 'Fn::Sub': 'https://${KeyDistribution.DomainName}' }],
    });
    expect(env.SPEKE_MASTER_SECRET_ID).toEqual(MASTER_SECRET_REFERENCE);
    expect(env.SPEKE_KEY_DERIVATION).toEqual({ Ref: 'KeyDerivation' });
    expect(env.SPEKE_WIDEVINE_PROVIDER).toEqual({ Ref: 'WidevineProvider' });
    expect(env.SPEKE_PLAYREADY_LA_URL).toEqual({ Ref: 'PlayReadyLaUrl' });
    expect(env.SPEKE_FAIRPLAY_KEY_URI_TEMPLATE).toEqual({ Ref: 'FairPlayKeyUriTemplate' });
    expect(env.SPEKE_ALLOW_EXPIRED_CERTIFICATES).toEqual({ Ref: 'AllowExpiredCertificates' });
    // The key bucket's lifecycle expiry, so that keys in use are rewritten before it (S3KeyStore).
    expect(env.SPEKE_KEY_RETENTION_DAYS).toEqual({ Ref: 'KeyRetentionDays' });
    expect(env.POWERTOOLS_LOG_LEVEL).toEqual({ Ref: 'LogLevel' });
    for (const limit of [
      'SPEKE_MAX_BODY_BYTES',
      'SPEKE_MAX_CONTENT_KEYS',
      'SPEKE_MAX_DRM_SYSTEMS',
      'SPEKE_MAX_CONTENT_ID_LENGTH',
      'SPEKE_MASTER_SECRET_MAX_AGE_SECONDS',
    ]) {
      expect(env[limit]).toHaveProperty('Ref');
      expect(template.Parameters[env[limit].Ref].Type).toBe('Number');
    }
    expect(env.POWERTOOLS_LOGGER_LOG_EVENT).toBe('false');
    expect(env.POWERTOOLS_TRACER_CAPTURE_RESPONSE).toBe('false');
  });

  it('keeps parameter defaults inside the ranges src/config.ts accepts', () => {
    const p = template.Parameters;
    // Within the config's 1024 to 6 MiB, and 5 MiB at most: the event carrying the body, JSON-quoted,
    // must fit a Lambda invocation (6 MB), or the function never gets to answer its 413.
    expect([p.MaxBodyBytes.MinValue, p.MaxBodyBytes.MaxValue]).toEqual([1024, 5 * 1024 * 1024]);
    expect([p.MaxContentKeys.MinValue, p.MaxContentKeys.MaxValue]).toEqual([1, 100_000]);
    expect([p.MaxDrmSystems.MinValue, p.MaxDrmSystems.MaxValue]).toEqual([1, 500_000]);
    expect([p.MaxContentIdLength.MinValue, p.MaxContentIdLength.MaxValue]).toEqual([1, 4096]);
    expect([p.MasterSecretMaxAgeSeconds.MinValue, p.MasterSecretMaxAgeSeconds.MaxValue]).toEqual([0, 86_400]);
    expect(p.KeyDerivation).toMatchObject({ Default: 'hkdf', AllowedValues: ['hkdf', 'reference'] });
    expect(p.AllowExpiredCertificates).toMatchObject({ Default: 'false', AllowedValues: ['false', 'true'] });
    expect(p.KeyRetentionDays).toMatchObject({ Type: 'Number', Default: 0, MinValue: 0, MaxValue: 36_500 });
  });

  it.each([
    ['SpekeFunction', false],
    ['ClearKeyLicenseFunction', true],
  ])('%s starts with the parameter defaults: src/config.ts accepts the environment the template sets', (id, clearKeyLicense) => {
    const placeholders: Record<string, string> = {
      SPEKE_KEY_BUCKET: 'speke-key-server-keybucket-abc123',
      SPEKE_GRANT_BUCKET: 'speke-key-server-grantbucket-abc123',
      SPEKE_KEY_URL_PREFIX: 'https://d111111abcdef8.cloudfront.net',
      SPEKE_MASTER_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:MasterSecret-AbCdEf',
    };
    const resolved = Object.fromEntries(
      Object.entries(functionEnvironment(template, id)).map(([name, value]) => {
        if (typeof value === 'string') return [name, value];
        if (value.Ref in template.Parameters) return [name, String(template.Parameters[value.Ref].Default)];
        return [name, placeholders[name]];
      }),
    );
    expect(() => loadLambdaConfig(resolved)).not.toThrow();
    const config = loadLambdaConfig(resolved);
    expect(config.keyDerivation).toBe('hkdf');
    expect(config.clearKeyLicense).toBe(clearKeyLicense);
    expect(config.keyAccessToken).toBeUndefined(); // open by default
    expect(config.grantBucket).toBe('speke-key-server-grantbucket-abc123');
    expect(config.clearKeyAllowSharedKeys).toBe(false);
    expect(config.keyRetentionDays).toBe(0);
  });

  it.each(FUNCTIONS)('%s runs on nodejs24.x, arm64, traced, with a retained log group of its own', (id) => {
    const f = props(id);
    expect(f).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Tracing: 'Active' });
    expect(f.MemorySize).toBeGreaterThanOrEqual(256);
    expect(f.Timeout).toBeLessThan(29); // API Gateway's integration timeout
    const logGroup = LOG_GROUPS[id]!;
    expect(f.LoggingConfig.LogGroup).toEqual({ Ref: logGroup });
    expect(resources[logGroup]!.Type).toBe('AWS::Logs::LogGroup');
    expect(resources[logGroup]!.Condition).toBe(resources[id]!.Condition);
    expect(props(logGroup).RetentionInDays).toEqual({ Ref: 'LogRetentionDays' });
  });

  it('has every function bundled by scripts/build.mjs under the module name of its Handler (npm run build, npm run invoke, Pulumi)', () => {
    const bundled = Object.fromEntries(
      FUNCTIONS.map((id) => [props(id).Handler.slice(0, props(id).Handler.lastIndexOf('.')), resources[id]!.Metadata.BuildProperties.EntryPoints[0]]),
    );
    expect(bundled).toEqual(ENTRY_POINTS);
  });

  it('gives each function its own log group name', () => {
    expect(props('SpekeLogGroup').LogGroupName).toEqual({ 'Fn::Sub': '/aws/lambda/${AWS::StackName}-speke' });
    expect(props('ClearKeyLicenseLogGroup').LogGroupName).toEqual({ 'Fn::Sub': '/aws/lambda/${AWS::StackName}-clearkey-license' });
  });

  it.each([
    ['SpekeFunction', 'src/handlers/speke.ts'],
    ['ClearKeyLicenseFunction', 'src/handlers/clearkey-license.ts'],
  ])('%s is built by esbuild as an ESM bundle whose file and export match Handler', (id, entryPoint) => {
    const f = props(id);
    const metadata = resources[id]!.Metadata;
    expect(metadata.BuildMethod).toBe('esbuild');
    const build = metadata.BuildProperties;
    expect(build.Format).toBe('esm');
    expect(build.OutExtension).toEqual(['.js=.mjs']);
    expect(build.EntryPoints).toEqual([entryPoint]);
    // Powertools Tracer (aws-xray-sdk-core) calls require(): an ESM bundle needs one in scope.
    expect(build.Banner).toEqual([expect.stringMatching(/^js=import \{ createRequire \} from 'module'; const require = createRequire\(import\.meta\.url\);$/)]);
    const entry = basename(build.EntryPoints[0], extname(build.EntryPoints[0]));
    expect(f.Handler).toBe(`${entry}.handler`);
    expect(f.CodeUri).toBe('./');
    // The same bundle settings for both (scripts/build.mjs bundles them together).
    const { EntryPoints: _speke, ...spekeSettings } = resources.SpekeFunction!.Metadata.BuildProperties;
    const { EntryPoints: _own, ...ownSettings } = build;
    expect(ownSettings).toEqual(spekeSettings);
  });
});

describe('template.yaml: the API', () => {
  const event = fn.Events.CopyProtection;

  it('is a REST API with POST /copyProtection behind IAM (SigV4) authorization', () => {
    expect(resources.SpekeApi!.Type).toBe('AWS::Serverless::Api');
    expect(event.Type).toBe('Api');
    expect(event.Properties).toMatchObject({ RestApiId: { Ref: 'SpekeApi' }, Path: '/copyProtection', Method: 'POST' });
    expect(event.Properties.Auth).toEqual({ Authorizer: 'AWS_IAM', InvokeRole: 'NONE' });
    expect(props('SpekeApi').Auth).toMatchObject({ DefaultAuthorizer: 'AWS_IAM', InvokeRole: 'NONE' });
    expect(Object.keys(fn.Events)).toEqual(['CopyProtection']);
  });

  it('takes its stage name from a parameter and never logs bodies', () => {
    expect(props('SpekeApi').StageName).toEqual({ Ref: 'StageName' });
    expect(template.Parameters.StageName.Type).toBe('String');
    for (const setting of props('SpekeApi').MethodSettings as Json[]) expect(conditionalItem(setting).value.DataTraceEnabled).toBe(false);
    expect(template.Globals.Api.OpenApiVersion).toBeDefined();
  });
});

describe('template.yaml: key bucket and key delivery', () => {
  const bucket = props('KeyBucket');
  const distribution = props('KeyDistribution').DistributionConfig;

  it('encrypts at rest, blocks all public access, enforces bucket-owner ownership, expires keys', () => {
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.OwnershipControls.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    const [rule, ...others] = bucket.LifecycleConfiguration.Rules as Json[];
    expect(others).toEqual([]);
    // Kept by default (0): VOD keys are fetched for as long as the title is played.
    expect(rule).toMatchObject({ Status: 'Enabled', ExpirationInDays: { 'Fn::If': ['ExpireKeys', { Ref: 'KeyRetentionDays' }, { Ref: 'AWS::NoValue' }] } });
    expect(template.Conditions.ExpireKeys).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'KeyRetentionDays' }, 0] }] });
    expect(rule.Prefix ?? rule.Filter).toBeUndefined(); // every key object expires
  });

  it('is read through CloudFront with Origin Access Control, not a legacy origin access identity', () => {
    expect(Object.values(resources).map((r) => r.Type)).not.toContain('AWS::CloudFront::CloudFrontOriginAccessIdentity');
    expect(resources.KeyOriginAccessControl!.Type).toBe('AWS::CloudFront::OriginAccessControl');
    expect(props('KeyOriginAccessControl').OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    const [origin, ...others] = distribution.Origins as Json[];
    expect(others).toEqual([]);
    expect(origin.DomainName).toEqual({ 'Fn::GetAtt': ['KeyBucket', 'RegionalDomainName'] });
    expect(origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': ['KeyOriginAccessControl', 'Id'] });
    expect(origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
  });

  it('lets only that distribution read the bucket, and only objects', () => {
    const policy = props('KeyBucketPolicy');
    expect(policy.Bucket).toEqual({ Ref: 'KeyBucket' });
    const allows = (policy.PolicyDocument.Statement as Json[]).filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Sid: expect.any(String),
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: { 'Fn::Sub': '${KeyBucket.Arn}/*' },
        Condition: { StringEquals: { 'AWS:SourceArn': { 'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${KeyDistribution}' } } },
      },
    ]);
  });

  it('serves over HTTPS only, GET and HEAD only, with CORS for browser players', () => {
    const behaviour = distribution.DefaultCacheBehavior;
    expect(behaviour.ViewerProtocolPolicy).toBe('https-only');
    expect([...behaviour.AllowedMethods].sort()).toEqual(['GET', 'HEAD']);
    expect(distribution.CacheBehaviors).toBeUndefined();
    expect(behaviour.ResponseHeadersPolicyId).toEqual({ Ref: 'KeyResponseHeadersPolicy' });
    const cors = props('KeyResponseHeadersPolicy').ResponseHeadersPolicyConfig.CorsConfig;
    expect(cors.AccessControlAllowMethods.Items).toEqual(['GET', 'HEAD']);
    expect(cors.AccessControlAllowOrigins.Items).toEqual({ Ref: 'KeyAllowedOrigins' });
    expect(cors.AccessControlAllowCredentials).toBe(false);
  });
});

describe('template.yaml: the master secret', () => {
  it('is generated by the stack as 64 letters and digits, which is valid base64 of 48 bytes', () => {
    expect(resources.MasterSecret!.Type).toBe('AWS::SecretsManager::Secret');
    const generate = props('MasterSecret').GenerateSecretString;
    expect(generate).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
    expect(generate.IncludeSpace).not.toBe(true);
    expect(generate.GenerateStringKey).toBeUndefined(); // a plain string, not JSON
    const sample = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789Zz';
    expect(sample).toHaveLength(64);
    expect(parseMasterSecret(sample)).toHaveLength(48);
  });

  it('survives stack deletion and replacement (keys must stay derivable)', () => {
    expect(resources.MasterSecret).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('template.yaml: outputs', () => {
  it('gives the SPEKE URL, role ARNs, key bucket and key delivery domain', () => {
    const outputs = template.Outputs;
    expect(outputs.SpekeUrl!.Value).toEqual({
      'Fn::Sub': 'https://${SpekeApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${StageName}/copyProtection',
    });
    expect(outputs.MediaPackageRoleArn!.Value).toEqual({ 'Fn::GetAtt': ['MediaPackageSpekeRole', 'Arn'] });
    expect(outputs.MediaConvertRoleArn!.Value).toEqual({ 'Fn::GetAtt': ['MediaConvertSpekeRole', 'Arn'] });
    expect(outputs.KeyBucketName!.Value).toEqual({ Ref: 'KeyBucket' });
    expect(outputs.KeyDeliveryDomain!.Value).toEqual({ 'Fn::GetAtt': ['KeyDistribution', 'DomainName'] });
    for (const output of Object.values(outputs)) expect(list(output.Description).length).toBe(1);
  });
});
