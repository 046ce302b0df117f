import { conditionalItem, loadTemplate, type Json } from './load-template.js';

/**
 * docs/deploy-sam.md "The ClearKey license route" / docs/security.md "Key delivery access control": the ClearKey license route is off by
 * default; with ClearKeyLicense=true it is POST/OPTIONS /clearkey/license on the SPEKE API, without
 * IAM authorization (browsers cannot sign), open unless ClearKeyLicenseAccessToken=generated, and
 * throttled on its own.
 */
const template = loadTemplate();
const resources = template.Resources;
const props = (id: string): Json => resources[id]!.Properties;

/** What SAM makes of the license function's events (and the API's own), by path and method. */
function apiEvents(functionId: string): { path: string; method: string; auth: Json; api: Json }[] {
  return Object.values(props(functionId).Events as Record<string, Json>)
    .filter((e) => e.Type === 'Api')
    .map((e) => ({ path: e.Properties.Path, method: e.Properties.Method, auth: e.Properties.Auth, api: e.Properties.RestApiId }));
}

describe('template.yaml: ClearKey license parameters', () => {
  it('default to disabled and open, and say what that means', () => {
    const { ClearKeyLicense: enabled, ClearKeyLicenseAccessToken: token } = template.Parameters;
    expect(enabled).toMatchObject({ Type: 'String', Default: 'false', AllowedValues: ['false', 'true'] });
    expect(enabled.Description).toMatch(/answers only\s+KIDs that a SPEKE answer issued for ClearKey use/);
    expect(enabled.Description).toMatch(/refused \(403\), never derived/);
    const shared = template.Parameters.ClearKeyAllowSharedKeys;
    expect(shared).toMatchObject({ Type: 'String', Default: 'false', AllowedValues: ['false', 'true'] });
    expect(shared.Description).toMatch(/Widevine, PlayReady or FairPlay/);
    expect(token).toMatchObject({ Type: 'String', Default: 'off', AllowedValues: ['off', 'generated'] });
    expect(token.Description).toMatch(/OPEN/);
    expect(token.Description).toMatch(/Authorization: Bearer <token>/);
  });

  it('never take the token itself as a parameter: it is a secret the stack generates (no NoEcho parameter for sam deploy --guided)', () => {
    expect(template.Parameters.ClearKeyLicenseAccessToken.NoEcho).toBeUndefined();
    expect(template.Conditions.RequireClearKeyLicenseToken).toEqual({
      'Fn::And': [{ Condition: 'EnableClearKeyLicense' }, { 'Fn::Equals': [{ Ref: 'ClearKeyLicenseAccessToken' }, 'generated'] }],
    });
    const secret = resources.ClearKeyLicenseAccessTokenSecret!;
    expect(secret).toMatchObject({ Type: 'AWS::SecretsManager::Secret', Condition: 'RequireClearKeyLicenseToken' });
    // 48 letters and digits: a token src/config.ts accepts (16 to 512 visible ASCII characters).
    expect(secret.Properties.GenerateSecretString).toEqual({ PasswordLength: 48, ExcludePunctuation: true, IncludeSpace: false });
    expect(template.Outputs.ClearKeyLicenseAccessTokenSecretArn).toMatchObject({
      Condition: 'RequireClearKeyLicenseToken',
      Value: { Ref: 'ClearKeyLicenseAccessTokenSecret' },
    });
  });

  it('give the license function the secret to read, and only when a token is asked for', () => {
    expect(props('ClearKeyLicenseFunction').Environment.Variables.SPEKE_KEY_ACCESS_TOKEN_SECRET_ID).toEqual({
      'Fn::If': ['RequireClearKeyLicenseToken', { Ref: 'ClearKeyLicenseAccessTokenSecret' }, ''],
    });
  });

  it('are grouped together for the console', () => {
    const groups = template.Metadata['AWS::CloudFormation::Interface'].ParameterGroups as Json[];
    expect(groups.find((g) => g.Parameters.includes('ClearKeyLicense'))?.Parameters).toEqual([
      'ClearKeyLicense',
      'ClearKeyLicenseAccessToken',
      'ClearKeyAllowSharedKeys',
      'ClearKeyLicensePlayerTokens',
    ]);
  });
});

describe('template.yaml: the ClearKey license function exists only with ClearKeyLicense=true', () => {
  it('is conditional on EnableClearKeyLicense, with its log group and role', () => {
    expect(template.Conditions.EnableClearKeyLicense).toEqual({ 'Fn::Equals': [{ Ref: 'ClearKeyLicense' }, 'true'] });
    for (const id of ['ClearKeyLicenseFunction', 'ClearKeyLicenseLogGroup', 'ClearKeyLicenseFunctionRole']) {
      expect(resources[id]!.Condition).toBe('EnableClearKeyLicense');
    }
    const conditional = Object.entries(resources)
      .filter(([, r]) => r.Condition === 'EnableClearKeyLicense')
      .map(([id]) => id)
      .sort();
    expect(conditional).toEqual(['ClearKeyLicenseFunction', 'ClearKeyLicenseFunctionRole', 'ClearKeyLicenseLogGroup']);
    expect(props('ClearKeyLicenseFunction')).toMatchObject({
      Handler: 'clearkey-license.handler',
      Role: { 'Fn::GetAtt': ['ClearKeyLicenseFunctionRole', 'Arn'] },
    });
    expect(props('ClearKeyLicenseFunction').Policies).toBeUndefined();
  });

  it('and so are its outputs, the license URL among them', () => {
    expect(template.Outputs.ClearKeyLicenseUrl).toMatchObject({
      Condition: 'EnableClearKeyLicense',
      Value: { 'Fn::Sub': 'https://${SpekeApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${StageName}/clearkey/license' },
    });
    expect(template.Outputs.ClearKeyLicenseFunctionLogGroup).toMatchObject({ Condition: 'EnableClearKeyLicense', Value: { Ref: 'ClearKeyLicenseLogGroup' } });
  });
});

describe('template.yaml: the license route on the SPEKE API', () => {
  it('is POST and OPTIONS /clearkey/license on SpekeApi, each with the authorizer NONE', () => {
    const events = apiEvents('ClearKeyLicenseFunction');
    expect(events.map((e) => `${e.method} ${e.path}`).sort()).toEqual(['OPTIONS /clearkey/license', 'POST /clearkey/license']);
    for (const event of events) {
      expect(event.api).toEqual({ Ref: 'SpekeApi' });
      // SAM lifts the API's DefaultAuthorizer (AWS_IAM) from a method whose event says NONE.
      expect(event.auth).toEqual({ Authorizer: 'NONE' });
    }
  });

  it('leaves POST /copyProtection, and the API default, IAM-authorized', () => {
    expect(apiEvents('SpekeFunction')).toEqual([
      { path: '/copyProtection', method: 'POST', auth: { Authorizer: 'AWS_IAM', InvokeRole: 'NONE' }, api: { Ref: 'SpekeApi' } },
    ]);
    expect(props('SpekeApi').Auth).toEqual({ DefaultAuthorizer: 'AWS_IAM', InvokeRole: 'NONE' });
    // No other function and no other method is on the API without authorization.
    const unauthorized = Object.keys(resources)
      .filter((id) => resources[id]!.Type === 'AWS::Serverless::Function')
      .flatMap((id) => apiEvents(id).map((e) => ({ id, ...e })))
      .filter((e) => e.auth?.Authorizer !== 'AWS_IAM');
    expect(unauthorized.map((e) => e.id)).toEqual(['ClearKeyLicenseFunction', 'ClearKeyLicenseFunction']);
  });

  it('is throttled on its own when it exists: POST and its CORS preflight (OPTIONS) at /~1clearkey~1license (API Gateway escapes "/" as ~1)', () => {
    const settings = (props('SpekeApi').MethodSettings as Json[]).map(conditionalItem);
    const license = settings.filter((s) => s.condition === 'EnableClearKeyLicense');
    // Both invoke the function; the preflight was unthrottled (found by review).
    expect(license.map((s) => s.value)).toEqual(
      ['POST', 'OPTIONS'].map((HttpMethod) => ({
        ResourcePath: '/~1clearkey~1license',
        HttpMethod,
        LoggingLevel: 'OFF',
        DataTraceEnabled: false,
        ThrottlingBurstLimit: 50,
        ThrottlingRateLimit: 20,
      })),
    );
    // The stage-wide entry stays unconditional and unthrottled; POST /copyProtection has its own
    // limits (tests/template/security-resources.test.ts).
    const unconditional = settings.filter((s) => s.condition === undefined).map((s) => s.value);
    expect(unconditional[0]).toEqual({ ResourcePath: '/*', HttpMethod: '*', LoggingLevel: 'OFF', DataTraceEnabled: false });
    expect(unconditional.map((s) => s.ResourcePath)).toEqual(['/*', '/~1copyProtection']);
  });

  // API Gateway's own 4xx/5xx (429 throttling, 403 for a route it does not have) had no CORS
  // header, so a browser player saw an opaque CORS failure instead of the status (found by review).
  it("lets browser players read API Gateway's own errors: DEFAULT_4XX and DEFAULT_5XX carry the route's CORS origin", () => {
    expect(props('SpekeApi').GatewayResponses).toEqual({
      DEFAULT_4XX: { ResponseParameters: { Headers: { 'Access-Control-Allow-Origin': "'*'" } } },
      DEFAULT_5XX: { ResponseParameters: { Headers: { 'Access-Control-Allow-Origin': "'*'" } } },
    });
  });

  it('is deployed to the stage whenever the stack changes, so switching ClearKeyLicense takes effect', () => {
    // SAM redeploys only when the definition text changes; the route sits in it under an Fn::If.
    expect(props('SpekeApi').AlwaysDeploy).toBe(true);
  });
});

describe('template.yaml: license route parameters that do not go together', () => {
  const template = loadTemplate();
  // With player tokens required the function checks those only: a generated access token would
  // be a secret nothing checks, and the documented Bearer-token call a 401 (found by review).
  it('refuses ClearKeyLicenseAccessToken=generated while ClearKeyLicensePlayerTokens=required', () => {
    expect(template.Rules?.PlayerTokensOrAccessToken).toEqual({
      RuleCondition: { 'Fn::Equals': [{ Ref: 'ClearKeyLicensePlayerTokens' }, 'required'] },
      Assertions: [
        {
          Assert: { 'Fn::Equals': [{ Ref: 'ClearKeyLicenseAccessToken' }, 'off'] },
          AssertDescription:
            'ClearKeyLicenseAccessToken=generated needs ClearKeyLicensePlayerTokens=off (with player tokens required, the license route checks those, not the access token)',
        },
      ],
    });
  });

  it('retains the API Gateway logging role it creates: the account setting outlives the stack', () => {
    expect(template.Resources.ApiGatewayLoggingRoleResource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});
