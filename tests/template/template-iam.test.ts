import {
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  type GetObjectCommandInput,
  type GetObjectCommandOutput,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import {
  CreateSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
  type GetSecretValueCommandInput,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { createClearKeyLicenseDependencies, createLambdaDependencies, createLicenseAccessToken } from '../../src/composition.js';
import { loadLambdaConfig } from '../../src/config.js';
import { clearKeyLicense, type ClearKeyLicenseDependencies } from '../../src/service/clearkey-license.js';
import { copyProtection, type CopyProtectionDependencies } from '../../src/service/copy-protection.js';
import { KID_A, SYSTEM, v2Request } from '../support/requests.js';
import { functionEnvironment, list, loadTemplate, permissionStatements, type FoundStatement, type Json } from './load-template.js';
import { MASTER_SECRET_REFERENCE } from './master-secret-reference.js';

const template = loadTemplate();
const statements = permissionStatements(template);
const allows = statements.filter((s) => s.statement.Effect === 'Allow');
const actionsOf = (found: FoundStatement[]) => [...new Set(found.flatMap((s) => list(s.statement.Action)))].sort();

/** Actions whose only valid resource is '*' (the services offer no resource-level permissions). */
const STAR_RESOURCE_ONLY = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'secretsmanager:GetRandomPassword']);
/** Resource patterns with a wildcard that the service requires: object keys and per-content secrets are open-ended. */
const ALLOWED_WILDCARD_RESOURCES = [
  { 'Fn::Sub': '${KeyBucket.Arn}/*' }, // objects <content ID>/<kid>
  { 'Fn::Sub': '${GrantBucket.Arn}/*' }, // grants <content ID>/<kid>
  { 'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:speke/*' }, // reference mode: speke/<content ID>
];
/** Writing the function's own logs and traces: platform needs, not adapter calls. */
const PLATFORM_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'];

const MASTER_SECRET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789Zz';
const IAM_PREFIX = new Map<unknown, string>([
  [S3Client, 's3'],
  [SecretsManagerClient, 'secretsmanager'],
]);

interface SentCall {
  action: string;
  input: Record<string, unknown>;
}

/** A SPEKE request for content ID channel-7 (what SpekeFunction answers): ClearKey AES-128, so a key is published and a grant recorded. */
const spekeRequest = (deps: CopyProtectionDependencies) =>
  copyProtection(
    {
      body: Buffer.from(
        v2Request({
          contentId: 'channel-7',
          keys: [{ kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' }],
          systems: [{ systemId: SYSTEM.clearKeyAes128, children: '' }],
        }),
      ),
      spekeVersionHeader: '2.0',
    },
    deps,
  );
/** A ClearKey license request for the same content ID (what ClearKeyLicenseFunction answers). */
const licenseRequest = (deps: ClearKeyLicenseDependencies) =>
  clearKeyLicense(
    { body: Buffer.from(JSON.stringify({ kids: [Buffer.from(KID_A.replace(/-/g, ''), 'hex').toString('base64url')] })), contentId: 'channel-7' },
    deps,
  );

const GRANT = { contentId: 'channel-7', kid: KID_A, kidAsSent: KID_A, systemIds: [SYSTEM.clearKeyAes128], issuedAt: '2026-12-01T00:00:00.000Z' };

/**
 * Runs a request through the Lambda composition (the SPEKE function's, or the license function's)
 * with mocked SDK clients and returns every command the adapters sent, as IAM actions
 * (`PutObjectCommand` on S3Client → `s3:PutObject`).
 */
async function commandsSent(
  keyDerivation: 'hkdf' | 'reference',
  fn: 'speke' | 'license' = 'speke',
  options: { existingSecrets?: string[] } = {},
): Promise<SentCall[]> {
  const s3 = new S3Client({ region: 'us-east-1' });
  const secretsManager = new SecretsManagerClient({ region: 'us-east-1' });
  const s3Mock = mockClient(s3);
  const smMock = mockClient(secretsManager);
  // Objects by bucket and key. A conditional put of an object that exists fails with 412; GetObject
  // then reads it back. The grant of (channel-7, KID_A) is there for the license function to read.
  const objects = new Map<string, Uint8Array | string>([[`grant-bucket/channel-7/${KID_A}`, JSON.stringify(GRANT)]]);
  const objectKey = (input: { Bucket?: string; Key?: string }) => `${input.Bucket}/${input.Key}`;
  s3Mock.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => {
    if (input.IfNoneMatch === '*' && objects.has(objectKey(input)))
      throw Object.assign(new Error('precondition failed'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    objects.set(objectKey(input), input.Body as Uint8Array | string);
    return {};
  });
  s3Mock.on(GetObjectCommand).callsFake((input: GetObjectCommandInput) => {
    const body = objects.get(objectKey(input));
    if (body === undefined) throw Object.assign(new Error('no such key'), { name: 'NoSuchKey' });
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const output: unknown = {
      Body: { transformToByteArray: () => Promise.resolve(bytes), transformToString: () => Promise.resolve(Buffer.from(bytes).toString('utf8')) },
    };
    return output as GetObjectCommandOutput;
  });
  const created = new Map<string, string>((options.existingSecrets ?? []).map((name) => [name, MASTER_SECRET]));
  smMock.on(GetSecretValueCommand).callsFake((input: GetSecretValueCommandInput) => {
    if (input.SecretId === 'master-secret-arn') return { SecretString: MASTER_SECRET };
    const value = created.get(String(input.SecretId));
    if (value === undefined) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
    return { SecretString: value };
  });
  smMock.on(GetRandomPasswordCommand).resolves({ RandomPassword: MASTER_SECRET });
  smMock.on(CreateSecretCommand).callsFake((input: { Name: string; SecretString: string }) => {
    created.set(input.Name, input.SecretString);
    return {};
  });
  const config = loadLambdaConfig({
    SPEKE_KEY_BUCKET: 'key-bucket',
    SPEKE_GRANT_BUCKET: 'grant-bucket',
    SPEKE_KEY_URL_PREFIX: 'https://d111111abcdef8.cloudfront.net',
    SPEKE_MASTER_SECRET_ID: 'master-secret-arn',
    SPEKE_KEY_DERIVATION: keyDerivation,
  });
  // SPEKE requests run on two cold starts: the second finds its keys already published.
  for (let start = 0; start < (fn === 'speke' ? 2 : 1); start++) {
    const answer =
      fn === 'speke'
        ? await spekeRequest(createLambdaDependencies(config, { s3, secretsManager }))
        : await licenseRequest(createClearKeyLicenseDependencies(config, { s3, secretsManager }));
    expect(answer.status).toBe(200);
  }
  const sent: SentCall[] = [];
  for (const [client, mock] of [
    [S3Client, s3Mock],
    [SecretsManagerClient, smMock],
  ] as const) {
    for (const call of mock.calls()) {
      const command = call.args[0] as unknown as { constructor: { name: string }; input: Record<string, unknown> };
      sent.push({ action: `${IAM_PREFIX.get(client)}:${command.constructor.name.replace(/Command$/, '')}`, input: command.input });
    }
  }
  s3Mock.restore();
  smMock.restore();
  return sent;
}

const functionStatements = allows.filter((s) => s.resource === 'SpekeFunctionRole');
const unconditional = functionStatements.filter((s) => s.condition === undefined);
const referenceOnly = functionStatements.filter((s) => s.condition === 'UseReferenceDerivation');

describe('template.yaml: IAM of the function', () => {
  it('uses its own role, with no managed policies and no SAM policy templates', () => {
    const fn = template.Resources.SpekeFunction!.Properties;
    expect(fn.Role).toEqual({ 'Fn::GetAtt': ['SpekeFunctionRole', 'Arn'] });
    expect(fn.Policies).toBeUndefined();
    const role = template.Resources.SpekeFunctionRole!.Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    expect(functionStatements.every((s) => s.condition === undefined || s.condition === 'UseReferenceDerivation')).toBe(true);
  });

  it('grants exactly the SDK commands the adapters send (hkdf): S3 PutObject (keys, grants) and GetObject (keys), Secrets Manager GetSecretValue', async () => {
    const sent = await commandsSent('hkdf');
    const sentActions = [...new Set(sent.map((c) => c.action))].sort();
    expect(sentActions).toEqual(['s3:GetObject', 's3:PutObject', 'secretsmanager:GetSecretValue']);
    const granted = actionsOf(unconditional).filter((a) => !PLATFORM_ACTIONS.includes(a));
    expect(granted).toEqual(sentActions);
    expect(actionsOf(unconditional)).toEqual([...sentActions, ...PLATFORM_ACTIONS].sort());
  });

  it('scopes those grants to the resources the function is configured with', () => {
    const fnEnv = functionEnvironment(template, 'SpekeFunction');
    const grant = (action: string) => unconditional.filter((s) => list(s.statement.Action).includes(action));
    // PutObject on objects of the buckets named by SPEKE_KEY_BUCKET and SPEKE_GRANT_BUCKET, GetObject on
    // the key bucket's, and nothing else.
    expect(fnEnv.SPEKE_KEY_BUCKET).toEqual({ Ref: 'KeyBucket' });
    expect(fnEnv.SPEKE_GRANT_BUCKET).toEqual({ Ref: 'GrantBucket' });
    expect(grant('s3:PutObject').map((s) => s.statement.Resource)).toEqual([{ 'Fn::Sub': '${KeyBucket.Arn}/*' }, { 'Fn::Sub': '${GrantBucket.Arn}/*' }]);
    expect(grant('s3:GetObject').map((s) => s.statement.Resource)).toEqual([{ 'Fn::Sub': '${KeyBucket.Arn}/*' }]);
    // GetSecretValue on the secret named by SPEKE_MASTER_SECRET_ID, and nothing else.
    expect(fnEnv.SPEKE_MASTER_SECRET_ID).toEqual(MASTER_SECRET_REFERENCE);
    expect(grant('secretsmanager:GetSecretValue').map((s) => s.statement.Resource)).toEqual([MASTER_SECRET_REFERENCE]);
    // Logs only to its own log group.
    expect(grant('logs:PutLogEvents').map((s) => s.statement.Resource)).toEqual([{ 'Fn::GetAtt': ['SpekeLogGroup', 'Arn'] }]);
  });

  it('adds, only when KeyDerivation is reference, what reference derivation sends', async () => {
    expect(template.Conditions.UseReferenceDerivation).toEqual({ 'Fn::Equals': [{ Ref: 'KeyDerivation' }, 'reference'] });
    const sent = await commandsSent('reference');
    const extra = sent.filter(
      (c) => !(c.action === 'secretsmanager:GetSecretValue' && c.input.SecretId === 'master-secret-arn') && !c.action.startsWith('s3:'),
    );
    expect([...new Set(extra.map((c) => c.action))].sort()).toEqual([
      'secretsmanager:CreateSecret',
      'secretsmanager:GetRandomPassword',
      'secretsmanager:GetSecretValue',
    ]);
    expect(extra.filter((c) => c.input.SecretId ?? c.input.Name).every((c) => String(c.input.SecretId ?? c.input.Name).startsWith('speke/'))).toBe(true);
    expect(actionsOf(referenceOnly)).toEqual(['secretsmanager:CreateSecret', 'secretsmanager:GetRandomPassword', 'secretsmanager:GetSecretValue']);
    const perContent = referenceOnly.filter((s) => list(s.statement.Action).includes('secretsmanager:CreateSecret'));
    expect(perContent.map((s) => s.statement.Resource)).toEqual([ALLOWED_WILDCARD_RESOURCES[2]]);
  });
});

describe('template.yaml: IAM of the ClearKey license function', () => {
  const licenseStatements = allows.filter((s) => s.resource === 'ClearKeyLicenseFunctionRole');
  const licenseUnconditional = licenseStatements.filter((s) => s.condition === undefined);
  const licenseReferenceOnly = licenseStatements.filter((s) => s.condition === 'UseReferenceDerivation');

  it('uses its own role, which exists only with the function, with no managed policies', () => {
    expect(template.Resources.ClearKeyLicenseFunctionRole!.Condition).toBe('EnableClearKeyLicense');
    const role = template.Resources.ClearKeyLicenseFunctionRole!.Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    expect(
      licenseStatements.every((s) => [undefined, 'UseReferenceDerivation', 'RequireClearKeyLicenseToken', 'RequirePlayerTokens'].includes(s.condition)),
    ).toBe(true);
  });

  it('adds, only with player tokens required (the default), GetSecretValue on the player-token key, the secret the function is told to read', () => {
    expect(template.Conditions.RequirePlayerTokens).toEqual({
      'Fn::And': [{ Condition: 'EnableClearKeyLicense' }, { 'Fn::Equals': [{ Ref: 'ClearKeyLicensePlayerTokens' }, 'required'] }],
    });
    expect(template.Parameters.ClearKeyLicensePlayerTokens).toMatchObject({ Default: 'required', AllowedValues: ['required', 'off'] });
    const tokenOnly = licenseStatements.filter((s) => s.condition === 'RequirePlayerTokens');
    expect(tokenOnly.map((s) => [s.statement.Action, s.statement.Resource])).toEqual([['secretsmanager:GetSecretValue', { Ref: 'PlayerTokenSecret' }]]);
    expect(functionEnvironment(template, 'ClearKeyLicenseFunction').SPEKE_PLAYER_TOKEN_SECRET_ID).toEqual({
      'Fn::If': ['RequirePlayerTokens', { Ref: 'PlayerTokenSecret' }, ''],
    });
    expect(template.Resources.PlayerTokenSecret).toMatchObject({
      Condition: 'RequirePlayerTokens',
      Properties: { GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true } },
    });
  });

  it('adds, only with a generated access token, GetSecretValue on that token secret (what the function reads it with)', async () => {
    const tokenOnly = licenseStatements.filter((s) => s.condition === 'RequireClearKeyLicenseToken');
    expect(tokenOnly.map((s) => [s.statement.Action, s.statement.Resource])).toEqual([
      ['secretsmanager:GetSecretValue', { Ref: 'ClearKeyLicenseAccessTokenSecret' }],
    ]);
    expect(functionEnvironment(template, 'ClearKeyLicenseFunction').SPEKE_KEY_ACCESS_TOKEN_SECRET_ID).toEqual({
      'Fn::If': ['RequireClearKeyLicenseToken', { Ref: 'ClearKeyLicenseAccessTokenSecret' }, ''],
    });
    // The adapter sends exactly that command, for exactly that secret ID.
    const secretsManager = new SecretsManagerClient({ region: 'us-east-1' });
    const smMock = mockClient(secretsManager);
    smMock.on(GetSecretValueCommand).resolves({ SecretString: 'Gq7vXk2mR9sT4wY1zB6nC3dF8hJ0lP5aE2uI7oK9' });
    const config = loadLambdaConfig({
      SPEKE_KEY_BUCKET: 'b',
      SPEKE_KEY_URL_PREFIX: 'https://k.example.com',
      SPEKE_MASTER_SECRET_ID: 'm',
      SPEKE_KEY_ACCESS_TOKEN_SECRET_ID: 'token-secret-arn',
    });
    await createLicenseAccessToken(config, { s3: new S3Client({ region: 'us-east-1' }), secretsManager })!.accessToken();
    expect(
      smMock
        .calls()
        .map((c) => [(c.args[0] as unknown as { constructor: { name: string } }).constructor.name, (c.args[0].input as { SecretId: string }).SecretId]),
    ).toEqual([['GetSecretValueCommand', 'token-secret-arn']]);
    smMock.restore();
  });

  it('grants exactly the SDK commands a license sends (hkdf): GetObject on grants, GetSecretValue on the master secret', async () => {
    const sent = await commandsSent('hkdf', 'license');
    expect([...new Set(sent.map((c) => c.action))].sort()).toEqual(['s3:GetObject', 'secretsmanager:GetSecretValue']);
    expect(sent.filter((c) => c.action === 's3:GetObject').map((c) => c.input.Bucket)).toEqual(['grant-bucket']);
    // ListBucket is what makes S3 answer NoSuchKey (a 403 for an ungranted KID) instead of AccessDenied (a 500).
    expect(actionsOf(licenseUnconditional)).toEqual(['s3:GetObject', 's3:ListBucket', 'secretsmanager:GetSecretValue', ...PLATFORM_ACTIONS].sort());
    const grant = (action: string) => licenseUnconditional.filter((s) => list(s.statement.Action).includes(action));
    expect(functionEnvironment(template, 'ClearKeyLicenseFunction').SPEKE_MASTER_SECRET_ID).toEqual(MASTER_SECRET_REFERENCE);
    expect(grant('secretsmanager:GetSecretValue').map((s) => s.statement.Resource)).toEqual([MASTER_SECRET_REFERENCE]);
    expect(grant('logs:PutLogEvents').map((s) => s.statement.Resource)).toEqual([{ 'Fn::GetAtt': ['ClearKeyLicenseLogGroup', 'Arn'] }]);
    expect(functionEnvironment(template, 'ClearKeyLicenseFunction').SPEKE_GRANT_BUCKET).toEqual({ Ref: 'GrantBucket' });
    expect(grant('s3:GetObject').map((s) => s.statement.Resource)).toEqual([{ 'Fn::Sub': '${GrantBucket.Arn}/*' }]);
    expect(grant('s3:ListBucket').map((s) => s.statement.Resource)).toEqual([{ 'Fn::GetAtt': ['GrantBucket', 'Arn'] }]);
    // Never the key bucket, never a write.
    expect(licenseStatements.flatMap((s) => list(s.statement.Resource)).filter((r) => JSON.stringify(r).includes('KeyBucket'))).toEqual([]);
    expect(licenseStatements.flatMap((s) => list(s.statement.Action)).filter((a) => a.startsWith('s3:Put') || a.startsWith('s3:Delete'))).toEqual([]);
  });

  it('adds, only when KeyDerivation is reference, read access to speke/* secrets and never the right to create them', async () => {
    // The license function is built as its entry point builds it: it never creates content secrets.
    const sent = await commandsSent('reference', 'license', { existingSecrets: ['speke/channel-7'] });
    const extra = sent.filter(
      (c) => !(c.action === 'secretsmanager:GetSecretValue' && c.input.SecretId === 'master-secret-arn') && c.action !== 's3:GetObject',
    );
    expect(extra.map((c) => [c.action, c.input.SecretId])).toEqual([['secretsmanager:GetSecretValue', 'speke/channel-7']]);
    expect(actionsOf(licenseReferenceOnly)).toEqual(['secretsmanager:GetSecretValue']);
    expect(licenseReferenceOnly.map((s) => s.statement.Resource)).toEqual([ALLOWED_WILDCARD_RESOURCES[2]]);
    expect(licenseStatements.flatMap((s) => list(s.statement.Action))).not.toContain('secretsmanager:CreateSecret');
    expect(licenseStatements.flatMap((s) => list(s.statement.Action))).not.toContain('secretsmanager:GetRandomPassword');
  });

  it('answers 404, creating nothing, for granted content whose reference secret does not exist (any more)', async () => {
    const s3 = new S3Client({ region: 'us-east-1' });
    const secretsManager = new SecretsManagerClient({ region: 'us-east-1' });
    const s3Mock = mockClient(s3);
    s3Mock.on(GetObjectCommand).resolves({ Body: { transformToString: async () => JSON.stringify(GRANT) } } as never);
    const smMock = mockClient(secretsManager);
    smMock.on(GetSecretValueCommand).callsFake((input: GetSecretValueCommandInput) => {
      if (input.SecretId === 'master-secret-arn') return { SecretString: MASTER_SECRET };
      throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
    });
    const config = loadLambdaConfig({
      SPEKE_KEY_BUCKET: 'b',
      SPEKE_GRANT_BUCKET: 'g',
      SPEKE_KEY_URL_PREFIX: 'https://k.example.com',
      SPEKE_MASTER_SECRET_ID: 'master-secret-arn',
      SPEKE_KEY_DERIVATION: 'reference',
    });
    const deps = createClearKeyLicenseDependencies(config, { s3, secretsManager });
    await expect(licenseRequest(deps)).rejects.toMatchObject({ status: 404, reason: 'unknown-content-id' });
    expect(smMock.commandCalls(CreateSecretCommand)).toHaveLength(0);
    expect(smMock.commandCalls(GetRandomPasswordCommand)).toHaveLength(0);
    smMock.restore();
    s3Mock.restore();
  });
});

describe('template.yaml: roles for MediaPackage and MediaConvert', () => {
  const invoke = statements.filter((s) => s.resource === 'SpekeInvokePolicy');

  it('allow only execute-api:Invoke on POST /copyProtection of this API and stage', () => {
    expect(invoke.map((s) => s.statement)).toEqual([
      {
        Sid: expect.any(String),
        Effect: 'Allow',
        Action: 'execute-api:Invoke',
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${SpekeApi}/${StageName}/POST/copyProtection' },
      },
    ]);
  });

  it.each([
    ['MediaPackageSpekeRole', ['mediapackage.amazonaws.com', 'mediapackagev2.amazonaws.com']],
    ['MediaConvertSpekeRole', ['mediaconvert.amazonaws.com']],
  ])('%s can be assumed by %p and holds only the invoke policy', (id, services) => {
    const role = template.Resources[id]!.Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: services },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
    expect(role.ManagedPolicyArns).toEqual([{ Ref: 'SpekeInvokePolicy' }]);
    expect(role.Policies).toBeUndefined();
  });
});

describe('template.yaml: no wildcard beyond what a service requires', () => {
  const isWild = (value: Json) => JSON.stringify(value).includes('*');

  it('never allows a wildcard action', () => {
    expect(allows.filter((s) => list(s.statement.Action).some((a) => a.includes('*'))).map((s) => s.statement)).toEqual([]);
  });

  it("allows Resource '*' only for actions that accept nothing else", () => {
    const star = allows.filter((s) => list(s.statement.Resource).includes('*'));
    expect(star.length).toBeGreaterThan(0);
    for (const { statement } of star) {
      expect(list(statement.Action).filter((a) => !STAR_RESOURCE_ONLY.has(a))).toEqual([]);
    }
  });

  it('allows wildcard resource patterns only for bucket objects and reference per-content secrets', () => {
    const patterns = allows.flatMap((s) => list(s.statement.Resource)).filter((r) => r !== '*' && isWild(r));
    for (const pattern of patterns) expect(ALLOWED_WILDCARD_RESOURCES).toContainEqual(pattern);
  });

  it('uses wildcards in Deny statements only to take permissions away (TLS-only bucket access)', () => {
    const denies = statements.filter((s) => s.statement.Effect === 'Deny');
    for (const { statement } of denies) expect(statement.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
  });

  it('has no Allow statement with a wildcard principal', () => {
    expect(allows.filter((s) => s.statement.Principal !== undefined && isWild(s.statement.Principal))).toEqual([]);
  });
});
