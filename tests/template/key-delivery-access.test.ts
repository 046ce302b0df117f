import { loadTemplate } from './load-template.js';

/** docs/security.md "Key delivery access control": open by default, signed URLs/cookies when a public key is given. */
describe('key delivery access control in template.yaml', () => {
  const template = loadTemplate();

  it('is open by default: the public key parameter defaults to empty and says what open means', () => {
    const parameter = template.Parameters.KeyDeliveryPublicKey;
    expect(parameter.Default).toBe('');
    expect(parameter.Description).toMatch(/OPEN/);
    expect(template.Conditions.RestrictKeyDelivery).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'KeyDeliveryPublicKey' }, ''] }] });
  });

  it('puts the CloudFront behaviour behind a trusted key group holding that public key when it is given', () => {
    const { KeyDeliveryPublicKeyEntry: publicKey, KeyDeliveryKeyGroup: keyGroup, KeyDistribution: distribution } = template.Resources;
    expect(publicKey).toMatchObject({ Type: 'AWS::CloudFront::PublicKey', Condition: 'RestrictKeyDelivery' });
    expect(publicKey!.Properties.PublicKeyConfig.EncodedKey).toEqual({ Ref: 'KeyDeliveryPublicKey' });
    expect(keyGroup).toMatchObject({ Type: 'AWS::CloudFront::KeyGroup', Condition: 'RestrictKeyDelivery' });
    expect(keyGroup!.Properties.KeyGroupConfig.Items).toEqual([{ Ref: 'KeyDeliveryPublicKeyEntry' }]);
    expect(distribution!.Properties.DistributionConfig.DefaultCacheBehavior.TrustedKeyGroups).toEqual({
      'Fn::If': ['RestrictKeyDelivery', [{ Ref: 'KeyDeliveryKeyGroup' }], { Ref: 'AWS::NoValue' }],
    });
    expect(template.Outputs.KeyDeliveryPublicKeyId).toMatchObject({ Value: { Ref: 'KeyDeliveryPublicKeyEntry' } });
  });
});
