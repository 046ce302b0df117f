import { collectReferences, loadTemplate, type Json } from './load-template.js';
import { MASTER_SECRET_REFERENCE } from './master-secret-reference.js';

/**
 * Keys that are the same across regions (docs/deploy-sam.md): the first region's stack replicates its master
 * secret (MasterSecretReplicaRegion), the second region's stack uses that replica
 * (ExistingMasterSecretArn) instead of generating one, so both derive the same keys.
 */
const template = loadTemplate();
const { Parameters: parameters, Resources: resources, Conditions: conditions } = template;
const matches = (name: string, value: string) => new RegExp(parameters[name].AllowedPattern as string).test(value);

describe('template.yaml: one master secret for two regions', () => {
  it('has both parameters, empty by default (one region, a generated secret)', () => {
    expect(parameters.MasterSecretReplicaRegion).toMatchObject({ Type: 'String', Default: '' });
    expect(parameters.ExistingMasterSecretArn).toMatchObject({ Type: 'String', Default: '' });
  });

  it('creates the secret only without ExistingMasterSecretArn, and replicates it only when a region is given', () => {
    expect(conditions.CreateMasterSecret).toEqual({ 'Fn::Equals': [{ Ref: 'ExistingMasterSecretArn' }, ''] });
    expect(conditions.ReplicateMasterSecret).toEqual({
      'Fn::And': [{ Condition: 'CreateMasterSecret' }, { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'MasterSecretReplicaRegion' }, ''] }] }],
    });
    expect(resources.MasterSecret!.Condition).toBe('CreateMasterSecret');
    expect(resources.MasterSecret!.Properties.ReplicaRegions).toEqual({
      'Fn::If': ['ReplicateMasterSecret', [{ Region: { Ref: 'MasterSecretReplicaRegion' } }], { Ref: 'AWS::NoValue' }],
    });
    // The replica keeps the value: the stack retains the secret when deleted or replaced.
    expect(resources.MasterSecret).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('refers to the secret only through the choice between the generated one and the existing ARN', () => {
    const direct = collectReferences({ Resources: resources, Outputs: template.Outputs, Globals: template.Globals }).filter((r) => r.target === 'MasterSecret');
    const uses = (node: Json): number => JSON.stringify(node).split(JSON.stringify(MASTER_SECRET_REFERENCE)).length - 1;
    // Every Ref to MasterSecret sits inside that Fn::If (a bare one would fail when it is not created).
    expect(uses({ Resources: resources, Outputs: template.Outputs, Globals: template.Globals })).toBe(direct.length);
    expect(direct.length).toBeGreaterThanOrEqual(4); // variable, two read grants, output
    expect(template.Globals.Function.Environment.Variables.SPEKE_MASTER_SECRET_ID).toEqual(MASTER_SECRET_REFERENCE);
    expect(template.Outputs.MasterSecretArn?.Value).toEqual(MASTER_SECRET_REFERENCE);
  });

  it.each(['us-west-2', 'eu-central-1', 'ap-southeast-2', 'us-gov-west-1', ''])('takes region %p', (region) => {
    expect(matches('MasterSecretReplicaRegion', region)).toBe(true);
  });
  it.each(['US-WEST-2', 'us-west', 'us_west_2', 'arn:aws:secretsmanager:us-west-2'])('refuses region %p', (region) => {
    expect(matches('MasterSecretReplicaRegion', region)).toBe(false);
  });

  it('takes the ARN of a replica and refuses a name or another service', () => {
    expect(matches('ExistingMasterSecretArn', 'arn:aws:secretsmanager:us-west-2:123456789012:secret:MasterSecret-AbCdEf')).toBe(true);
    expect(matches('ExistingMasterSecretArn', '')).toBe(true);
    expect(matches('ExistingMasterSecretArn', 'MasterSecret-AbCdEf')).toBe(false);
    expect(matches('ExistingMasterSecretArn', 'arn:aws:s3:::bucket')).toBe(false);
  });
});
