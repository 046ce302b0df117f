// Configuration flows into the stack: every template parameter is a Pulumi configuration key (its
// name in camelCase), each set here to a value other than its default, and each value reaches the
// CloudFormation parameter of the same name. Values the template would refuse, unknown keys and a
// missing bundle stop the program before it registers anything.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import * as pulumi from '@pulumi/pulumi';
import { fakeBundle, installMocks, PROJECT, readTemplate, valueOf, type Json } from './support/mocks';

const template = readTemplate();
const parameters = template.Parameters as Record<string, Json>;

/** Free-form string parameters need a sample value that passes their AllowedPattern. */
const STRING_SAMPLES: Record<string, string> = {
  StageName: 'live_v2',
  WidevineProvider: 'widevine_test',
  PlayReadyLaUrl: 'https://license.example.com/rightsmanager.asmx',
  FairPlayKeyUriTemplate: 'skd://keys.example.com/{contentId}/{kid}',
  KeyDeliveryPublicKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }) as string,
  HdcpLevels: 'SD=NONE,HD=TYPE-0,UHD=TYPE-1',
  Robustness: 'widevine:HD=HW_SECURE_DECODE,playready:UHD=3000',
  HlsAllowedCpc: 'fairplay:UHD=AppleMain/Main',
  MasterSecretReplicaRegion: 'us-west-2',
  ExistingMasterSecretArn: 'arn:aws:secretsmanager:us-west-2:123456789012:secret:MasterSecret-AbCdEf',
  KeyDeliveryDomainName: 'keys.example.com',
  KeyDeliveryCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f3c2b1a-1234-4abc-9def-0123456789ab',
};

/** A valid value other than the default, for any parameter. */
function otherValue(name: string, p: Json): string {
  if (p.AllowedValues) {
    const other = (p.AllowedValues as unknown[]).map(String).find((v) => v !== String(p.Default));
    assert.ok(other !== undefined, `${name}: no allowed value other than the default`);
    return other;
  }
  if (p.Type === 'Number') {
    const up = Number(p.Default ?? p.MinValue ?? 0) + 1;
    return String(p.MaxValue !== undefined && up > p.MaxValue ? Number(p.Default) - 1 : up);
  }
  if (name in STRING_SAMPLES) return STRING_SAMPLES[name]!;
  assert.equal(p.AllowedPattern, undefined, `${name} has an AllowedPattern: add a sample value for it to STRING_SAMPLES`);
  return `sample value of ${name}`;
}

const camel = (name: string) => name[0]!.toLowerCase() + name.slice(1);
const lists = Object.keys(parameters).filter((name) => parameters[name].Type === 'CommaDelimitedList');
const configured: Record<string, string> = {};
const expected: Record<string, string> = {};
for (const [name, p] of Object.entries(parameters)) {
  if (p.Type === 'CommaDelimitedList') {
    // A list set with `pulumi config set --path 'key[0]' …` arrives as JSON.
    configured[camel(name)] = JSON.stringify(['https://player.example.com', 'https://www.example.com']);
    expected[name] = 'https://player.example.com,https://www.example.com';
  } else {
    configured[camel(name)] = otherValue(name, p);
    expected[name] = configured[camel(name)]!;
  }
}

const bundle = fakeBundle();
const registered = installMocks({ ...configured, bundleDir: path.relative(path.resolve(__dirname, '..'), bundle) });

let deploySpeke: typeof import('../src/speke-stack.js').deploySpeke;

before(async () => {
  const program = (await import('../index.js')).default as unknown as Record<string, pulumi.Output<string>>;
  await Promise.all(Object.values(program).map(valueOf));
  ({ deploySpeke } = await import('../src/speke-stack.js'));
});

/** How Pulumi's mocks hand over a value marked secret. */
const SECRET_SIG = { key: '4dabf18193072939515e22adb298388d', value: '1b47061264138c4ac30d75fd1eb44270' };
const isSecret = (value: Json) => value !== null && typeof value === 'object' && value[SECRET_SIG.key] === SECRET_SIG.value;
const reveal = (value: Json) => (isSecret(value) ? value.value : value);

function stackInputs(): Json {
  const stacks = registered.filter((r) => r.type === 'aws:cloudformation/stack:Stack');
  assert.equal(stacks.length, 1);
  const { parameters, ...inputs } = stacks[0]!.inputs;
  return { ...inputs, parameters: reveal(parameters), parametersAreSecret: isSecret(parameters) };
}

describe('configuration', () => {
  it('sets every template parameter, through the camelCase key of its name', () => {
    assert.ok(Object.keys(parameters).length > 0);
    assert.deepEqual(stackInputs().parameters, expected);
    for (const name of Object.keys(parameters))
      assert.notEqual(expected[name], String(parameters[name].Default), `${name} is tested with a value other than its default`);
  });

  it('passes the parameters as plain values: the template has no NoEcho parameter (the license token is a generated secret)', () => {
    assert.deepEqual(
      Object.keys(parameters).filter((name) => parameters[name].NoEcho !== undefined),
      [],
    );
    assert.equal(stackInputs().parametersAreSecret, false);
    assert.equal(stackInputs().parameters.ClearKeyLicenseAccessToken, 'generated');
  });

  it('passes a list parameter configured as a list as comma-separated text', () => {
    assert.ok(lists.length > 0, 'the template has a CommaDelimitedList parameter');
    for (const name of lists) assert.equal(stackInputs().parameters[name], 'https://player.example.com,https://www.example.com');
  });

  it('resolves a relative bundleDir against the Pulumi project directory', async () => {
    const object = registered.find((r) => r.type === 'aws:s3/bucketObject:BucketObject')!;
    const assets: Record<string, Json> = await object.inputs.source.assets;
    assert.equal(await assets['speke.mjs'].path, path.join(bundle, 'speke.mjs'));
  });
});

describe('refused configuration (nothing registered)', () => {
  function refuses(key: string, value: string, message: RegExp): void {
    const before = registered.length;
    const saved = pulumi.runtime.getConfig(`${PROJECT}:${key}`);
    pulumi.runtime.setConfig(`${PROJECT}:${key}`, value);
    try {
      assert.throws(() => deploySpeke(), message);
    } finally {
      if (saved === undefined) {
        const all = pulumi.runtime.allConfig();
        Reflect.deleteProperty(all, `${PROJECT}:${key}`);
        pulumi.runtime.setAllConfig(all);
      } else pulumi.runtime.setConfig(`${PROJECT}:${key}`, saved);
    }
    assert.equal(registered.length, before, 'no resource registered');
  }

  it('a value outside AllowedValues', () => {
    const name = Object.keys(parameters).find((n) => parameters[n].AllowedValues && parameters[n].Type === 'String')!;
    refuses(camel(name), 'not-an-allowed-value', new RegExp(`${camel(name)} \\(${name}\\) must be one of`));
  });

  it('a number out of range, or not a number', () => {
    const name = Object.keys(parameters).find((n) => parameters[n].Type === 'Number' && parameters[n].MaxValue !== undefined)!;
    refuses(camel(name), String(parameters[name].MaxValue + 1), new RegExp(`${camel(name)} \\(${name}\\) must be at most`));
    refuses(camel(name), 'many', new RegExp(`${camel(name)} \\(${name}\\) must be a number`));
  });

  it('a value that does not match AllowedPattern', () => {
    refuses('stageName', 'no spaces allowed', /stageName \(StageName\) must match/);
  });

  it('a key that is no template parameter (e.g. a typo)', () => {
    refuses('stagename', 'live', /Unknown configuration key\(s\) speke-key-server:stagename/);
  });

  it('no bundle where bundleDir points', () => {
    refuses('bundleDir', path.join(bundle, 'missing'), /No Lambda bundle at .*speke\.mjs, .*clearkey-license\.mjs: run `npm ci && npm run build`/);
  });
});
