import { loadTemplate, type Json } from './load-template.js';

/** template.yaml's security resources of issue 14: trust conditions, throttling, access logs, custom key delivery domain. */
const template = loadTemplate();
const resources = template.Resources as Record<string, Json>;
const api = resources.SpekeApi!.Properties;

describe('template.yaml: security resources', () => {
  it.each(['MediaPackageSpekeRole', 'MediaConvertSpekeRole'])('%s trusts its service only when acting for this account (aws:SourceAccount)', (id) => {
    const [statement] = resources[id]!.Properties.AssumeRolePolicyDocument.Statement as Json[];
    expect(statement.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
  });

  it('throttles POST /copyProtection at the stage with the rate and burst parameters', () => {
    const settings = (api.MethodSettings as Json[]).find((m) => m.ResourcePath === '/~1copyProtection');
    expect(settings).toEqual({
      ResourcePath: '/~1copyProtection',
      HttpMethod: 'POST',
      LoggingLevel: 'OFF',
      DataTraceEnabled: false,
      ThrottlingRateLimit: { Ref: 'CopyProtectionRateLimit' },
      ThrottlingBurstLimit: { Ref: 'CopyProtectionBurstLimit' },
    });
    expect(template.Parameters.CopyProtectionRateLimit).toMatchObject({ Type: 'Number', Default: 50, MinValue: 1 });
    expect(template.Parameters.CopyProtectionBurstLimit).toMatchObject({ Type: 'Number', Default: 100, MinValue: 1 });
  });

  it('writes access logs with caller ARN, status and latency, never a body or header value, kept AccessLogRetentionDays', () => {
    const setting = api.AccessLogSetting;
    expect(setting.DestinationArn).toEqual({ 'Fn::GetAtt': ['SpekeApiAccessLogGroup', 'Arn'] });
    const fields = JSON.parse(setting.Format as string) as Record<string, string>;
    expect(fields).toMatchObject({
      caller: '$context.identity.userArn',
      status: '$context.status',
      responseLatencyMs: '$context.responseLatency',
      requestId: '$context.requestId',
    });
    for (const value of Object.values(fields))
      expect(value).toMatch(
        /^\$context\.(requestId|requestTime|identity\.(userArn|accountId|sourceIp)|httpMethod|resourcePath|status|responseLatency|integrationLatency|responseLength)$/,
      );
    expect(setting.Format).not.toMatch(/body|\$input|header|authorization/i);
    expect(resources.SpekeApiAccessLogGroup!.Properties.RetentionInDays).toEqual({ Ref: 'AccessLogRetentionDays' });
    expect(template.Parameters.AccessLogRetentionDays).toMatchObject({ Default: 365 });
  });

  it('sets the account’s API Gateway logging role unless told one exists', () => {
    expect(template.Conditions.CreateApiGatewayLoggingRole).toEqual({ 'Fn::Equals': [{ Ref: 'ApiGatewayLoggingRole' }, 'create'] });
    expect(resources.ApiGatewayAccountSettings).toMatchObject({
      Type: 'AWS::ApiGateway::Account',
      Condition: 'CreateApiGatewayLoggingRole',
      Properties: { CloudWatchRoleArn: { 'Fn::GetAtt': ['ApiGatewayLoggingRoleResource', 'Arn'] } },
    });
    const role = resources.ApiGatewayLoggingRoleResource!;
    expect(role.Condition).toBe('CreateApiGatewayLoggingRole');
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'apigateway.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
    expect(role.Properties.ManagedPolicyArns).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs' },
    ]);
  });

  it('serves keys on an optional custom domain with its ACM certificate, SNI and TLS 1.2 at least', () => {
    const config = resources.KeyDistribution!.Properties.DistributionConfig;
    expect(config.Aliases).toEqual({ 'Fn::If': ['UseKeyDeliveryDomain', [{ Ref: 'KeyDeliveryDomainName' }], { Ref: 'AWS::NoValue' }] });
    expect(config.ViewerCertificate).toEqual({
      'Fn::If': [
        'UseKeyDeliveryDomain',
        { AcmCertificateArn: { Ref: 'KeyDeliveryCertificateArn' }, SslSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021' },
        { Ref: 'AWS::NoValue' },
      ],
    });
    const arn = new RegExp(template.Parameters.KeyDeliveryCertificateArn.AllowedPattern as string);
    expect(arn.test('')).toBe(true);
    expect(arn.test('arn:aws:acm:us-east-1:123456789012:certificate/0f3c2b1a-1234-4abc-9def-0123456789ab')).toBe(true);
    expect(arn.test('arn:aws:acm:eu-west-1:123456789012:certificate/0f3c2b1a-1234-4abc-9def-0123456789ab')).toBe(false); // CloudFront takes us-east-1 only
    const domain = new RegExp(template.Parameters.KeyDeliveryDomainName.AllowedPattern as string);
    expect(['', 'keys.example.com'].every((d) => domain.test(d))).toBe(true);
    expect(['https://keys.example.com', 'Keys.Example.com', 'keys'].some((d) => domain.test(d))).toBe(false);
    // Both or neither.
    const rules = template.Rules ?? {};
    expect(
      Object.keys(rules)
        .filter((r) => r.startsWith('KeyDelivery'))
        .sort(),
    ).toEqual(['KeyDeliveryCertificateNeedsDomain', 'KeyDeliveryDomainNeedsCertificate']);
  });

  it('writes CloudFront standard logs of key delivery (no cookies) to a private bucket that expires them after CdnLogRetentionDays', () => {
    const config = resources.KeyDistribution!.Properties.DistributionConfig;
    expect(config.Logging).toEqual({ Bucket: { 'Fn::GetAtt': ['KeyDeliveryLogBucket', 'DomainName'] }, Prefix: 'key-delivery/', IncludeCookies: false });
    const bucket = resources.KeyDeliveryLogBucket!.Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    // CloudFront delivers with an ACL grant: this bucket alone keeps ACLs.
    expect(bucket.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] });
    expect(bucket.LifecycleConfiguration.Rules[0]).toMatchObject({ Status: 'Enabled', ExpirationInDays: { Ref: 'CdnLogRetentionDays' } });
    expect(template.Parameters.CdnLogRetentionDays).toMatchObject({ Type: 'Number', Default: 90, MinValue: 1 });
    const deny = resources.KeyDeliveryLogBucketPolicy!.Properties.PolicyDocument.Statement[0];
    expect(deny).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });
});
