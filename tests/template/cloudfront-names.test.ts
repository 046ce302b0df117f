import { loadTemplate, type Json } from './load-template.js';

/**
 * CloudFront is global: OAC, response headers policy, public key and key group names (and a public
 * key's CallerReference) must be unique in the whole account. Names made from the stack name alone
 * clash when the same stack name is deployed in a second region; these are made from the region
 * and the stack's UUID (the last part of AWS::StackId), unique per stack and region.
 */
const template = loadTemplate();

/** The name-like properties of each account-wide CloudFront resource type, and CloudFront's length limit for them. */
const NAMED: Record<string, { config: string; properties: string[]; maxLength: number }> = {
  'AWS::CloudFront::OriginAccessControl': { config: 'OriginAccessControlConfig', properties: ['Name'], maxLength: 64 },
  'AWS::CloudFront::ResponseHeadersPolicy': { config: 'ResponseHeadersPolicyConfig', properties: ['Name'], maxLength: 128 },
  'AWS::CloudFront::PublicKey': { config: 'PublicKeyConfig', properties: ['Name', 'CallerReference'], maxLength: 128 },
  'AWS::CloudFront::KeyGroup': { config: 'KeyGroupConfig', properties: ['Name'], maxLength: 128 },
};
const named = Object.entries(template.Resources).filter(([, r]) => r.Type in NAMED);

interface Stack {
  name: string;
  region: string;
  uuid: string;
}
const stackId = (s: Stack) => `arn:aws:cloudformation:${s.region}:123456789012:stack/${s.name}/${s.uuid}`;

/** Evaluates the few intrinsic functions these names use, for one stack. */
function evaluate(node: Json, stack: Stack, vars: Record<string, string> = {}): string {
  if (typeof node === 'string') return node;
  if ('Ref' in node) {
    const pseudo: Record<string, string> = { 'AWS::StackName': stack.name, 'AWS::Region': stack.region, 'AWS::StackId': stackId(stack) };
    if (!(node.Ref in pseudo)) throw new Error(`unexpected Ref ${node.Ref}`);
    return pseudo[node.Ref]!;
  }
  if ('Fn::Select' in node) {
    const [index, list] = node['Fn::Select'] as [number, Json];
    if (!('Fn::Split' in list)) throw new Error('Fn::Select over something else than Fn::Split');
    const [separator, text] = list['Fn::Split'] as [string, Json];
    return evaluate(text, stack).split(separator)[index]!;
  }
  if ('Fn::Sub' in node) {
    const [text, map] = Array.isArray(node['Fn::Sub']) ? (node['Fn::Sub'] as [string, Record<string, Json>]) : [node['Fn::Sub'] as string, {}];
    const bound = { ...vars, ...Object.fromEntries(Object.entries(map).map(([k, v]) => [k, evaluate(v, stack)])) };
    return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => bound[name] ?? evaluate({ Ref: name }, stack));
  }
  throw new Error(`unexpected ${JSON.stringify(node)}`);
}

const nameCases = named.flatMap(([id, r]) =>
  NAMED[r.Type]!.properties.map((property) => ({ id, type: r.Type, property, value: r.Properties![NAMED[r.Type]!.config][property] })),
);

describe('account-wide CloudFront names', () => {
  it('cover every CloudFront resource with a name: OAC, response headers policy, public key, key group', () => {
    const types = Object.values(template.Resources)
      .map((r) => r.Type)
      .filter((t) => t.startsWith('AWS::CloudFront::') && t !== 'AWS::CloudFront::Distribution');
    expect([...new Set(types)].sort()).toEqual(Object.keys(NAMED).sort());
  });

  it.each(nameCases.map((c) => [`${c.id}.${c.property}`, c] as const))(
    '%s is made from the region and the stack UUID, never from the stack name',
    (_label, { value }) => {
      expect(JSON.stringify(value)).not.toContain('AWS::StackName');
      const sameNameElsewhere = [
        { name: 'speke-key-server', region: 'us-east-1', uuid: '1f0c8a70-0b1e-11ef-9d2c-0a8f5e8c1b21' },
        { name: 'speke-key-server', region: 'eu-west-1', uuid: '1f0c8a70-0b1e-11ef-9d2c-0a8f5e8c1b21' },
        { name: 'speke-key-server', region: 'us-east-1', uuid: '6b3e92d0-0b1f-11ef-8a41-12ce4f0a9d77' },
      ];
      const names = sameNameElsewhere.map((stack) => evaluate(value, stack));
      expect(new Set(names).size).toBe(names.length);
    },
  );

  it.each(nameCases.map((c) => [`${c.id}.${c.property}`, c] as const))(
    "%s stays within CloudFront's length and character limits in every region",
    (_label, { type, value }) => {
      // The longest region names (15 characters), a stack name of CloudFormation's maximum length.
      const name = evaluate(value, { name: 'x'.repeat(128), region: 'us-isof-south-1', uuid: '1f0c8a70-0b1e-11ef-9d2c-0a8f5e8c1b21' });
      expect(name.length).toBeLessThanOrEqual(NAMED[type]!.maxLength);
      expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    },
  );
});
