// The program's pure parts, on small hand-made templates: configuration keys and values, the
// code location rewrite, capabilities, the bundle and the stack name.
import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { assertBundleFresh, bundleDir, bundleSources, DEFAULT_BUNDLE_DIR, lambdaBundle } from '../src/bundle';
import { cloudFormationStackName } from '../src/speke-stack';
import {
  configKey,
  functionIds,
  handlerModule,
  handlerModules,
  loadTemplate,
  noEchoParameters,
  MAX_TEMPLATE_BODY_BYTES,
  parameterValues,
  PROJECT_DIR,
  ruleProblems,
  requiredCapabilities,
  stackParameterValues,
  TEMPLATE_PATH,
  templateBody,
  withCodeUri,
  type Template,
} from '../src/template';
import { scratchDir, TEMPLATE_FILE } from './support/mocks';

const fn = (properties: Record<string, unknown> = {}) => ({
  Type: 'AWS::Serverless::Function',
  Properties: { CodeUri: './', Handler: 'speke.handler', ...properties },
});

describe('template.yaml', () => {
  it('is the one at the repository root', () => {
    assert.equal(TEMPLATE_PATH, TEMPLATE_FILE);
    assert.ok(loadTemplate().Resources.SpekeFunction);
  });

  it('has a function per bundle of scripts/build.mjs: speke and clearkey-license', () => {
    assert.deepEqual(handlerModules(loadTemplate()), ['speke', 'clearkey-license']);
  });
});

describe('configKey', () => {
  it('is the parameter name in camelCase', () => {
    assert.equal(configKey('StageName'), 'stageName');
    assert.equal(configKey('PlayReadyLaUrl'), 'playReadyLaUrl');
    assert.equal(configKey('KeyAllowedOrigins'), 'keyAllowedOrigins');
  });
});

describe('parameterValues', () => {
  const template: Template = {
    Parameters: {
      Name: { Type: 'String', Default: 'abc', AllowedPattern: '[a-z]+', MaxLength: 5 },
      Level: { Type: 'String', Default: 'INFO', AllowedValues: ['INFO', 'DEBUG'] },
      Days: { Type: 'Number', Default: 30, AllowedValues: [1, 30, 60] },
      Size: { Type: 'Number', Default: 2, MinValue: 1, MaxValue: 10 },
      Origins: { Type: 'CommaDelimitedList', Default: '*' },
      Free: { Type: 'String', Default: '' },
    },
    Resources: {},
  };
  const read = (values: Record<string, string>) => (key: string) => values[key];

  it('gives the defaults as strings when nothing is configured', () => {
    assert.deepEqual(parameterValues(template, read({})), { Name: 'abc', Level: 'INFO', Days: '30', Size: '2', Origins: '*', Free: '' });
  });

  it('takes configured values under the camelCase keys', () => {
    const values = parameterValues(
      template,
      read({ name: 'xyz', level: 'DEBUG', days: '60', size: '10', origins: 'https://a.example,https://b.example', free: 'anything at all' }),
    );
    assert.deepEqual(values, { Name: 'xyz', Level: 'DEBUG', Days: '60', Size: '10', Origins: 'https://a.example,https://b.example', Free: 'anything at all' });
  });

  it('joins a list parameter given as a list (JSON)', () => {
    assert.equal(parameterValues(template, read({ origins: '["https://a.example", "https://b.example"]' })).Origins, 'https://a.example,https://b.example');
  });

  it("refuses values the template's constraints refuse, naming them all", () => {
    assert.throws(
      () => parameterValues(template, read({ name: 'ABC', level: 'TRACE', days: '2', size: '11' })),
      (error: Error) => {
        assert.match(error.message, /name \(Name\) must match \[a-z\]\+; got 'ABC'/);
        assert.match(error.message, /level \(Level\) must be one of INFO, DEBUG; got 'TRACE'/);
        assert.match(error.message, /days \(Days\) must be one of 1, 30, 60; got '2'/);
        assert.match(error.message, /size \(Size\) must be at most 10; got 11/);
        return true;
      },
    );
    assert.throws(() => parameterValues(template, read({ size: '0' })), /size \(Size\) must be at least 1/);
    assert.throws(() => parameterValues(template, read({ size: '' })), /size \(Size\) must be a number/);
    assert.throws(() => parameterValues(template, read({ name: 'abcdef' })), /name \(Name\) must be at most 5 characters long/);
  });

  it('matches AllowedPattern against the whole value, as CloudFormation does', () => {
    assert.throws(() => parameterValues(template, read({ name: 'abc1' })), /must match/);
  });

  it('demands a value for a parameter without a default', () => {
    const required: Template = { Parameters: { Secret: { Type: 'String' } }, Resources: {} };
    assert.throws(() => parameterValues(required, read({})), /secret \(Secret\) has no default/);
    assert.deepEqual(parameterValues(required, read({ secret: 's' })), { Secret: 's' });
  });
});

// CloudFormation checks a template's Rules only when the stack is created or updated: `pulumi
// preview` passed a configuration that the template's own rules refuse (docs/deploy-pulumi.md's
// ClearKey example was one), and `pulumi up` failed late (found by review).
describe("ruleProblems: the template's Rules, checked before anything is deployed", () => {
  const real = loadTemplate();
  const defaults = parameterValues(real, () => undefined);
  const read = (values: Record<string, string>) => (key: string) => values[key];

  it('finds none at the defaults', () => {
    assert.deepEqual(ruleProblems(real, defaults), []);
  });

  for (const [config, rule] of [
    [{ clearKeyLicense: 'true', clearKeyLicenseAccessToken: 'generated' }, 'PlayerTokensOrAccessToken'],
    [{ keyDeliveryDomainName: 'keys.example.com' }, 'KeyDeliveryDomainNeedsCertificate'],
    [{ keyDeliveryCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f3c2b1a-1234-4abc-9def-0123456789ab' }, 'KeyDeliveryCertificateNeedsDomain'],
  ] as const) {
    it(`refuses ${JSON.stringify(config)} with rule ${rule} and its description`, () => {
      const description = real.Rules![rule]!.Assertions![0]!.AssertDescription!;
      assert.throws(
        () => parameterValues(real, read(config)),
        (error: Error) => error.message.includes(`template rule ${rule}: ${description}`),
      );
    });
  }

  it('accepts what the rules allow: the access token with player tokens off, a domain with its certificate', () => {
    const ok = {
      clearKeyLicense: 'true',
      clearKeyLicenseAccessToken: 'generated',
      clearKeyLicensePlayerTokens: 'off',
      keyDeliveryDomainName: 'keys.example.com',
      keyDeliveryCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0f3c2b1a-1234-4abc-9def-0123456789ab',
    };
    assert.doesNotThrow(() => parameterValues(real, read(ok)));
  });

  it('evaluates Fn::And, Fn::Or and Fn::Contains over list parameters, and leaves other functions to CloudFormation', () => {
    const template: Template = {
      Parameters: { Mode: { Type: 'String', Default: 'a' }, Regions: { Type: 'CommaDelimitedList', Default: 'eu-west-1,us-east-1' } },
      Rules: {
        Both: {
          RuleCondition: { 'Fn::And': [{ 'Fn::Equals': [{ Ref: 'Mode' }, 'a'] }, { 'Fn::Contains': [{ Ref: 'Regions' }, 'us-east-1'] }] },
          Assertions: [
            {
              Assert: { 'Fn::Or': [{ 'Fn::Equals': [{ Ref: 'Mode' }, 'b'] }, { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Mode' }, 'a'] }] }] },
              AssertDescription: 'never a',
            },
          ],
        },
        Unknown: { Assertions: [{ Assert: { 'Fn::EachMemberIn': [{ 'Fn::ValueOfAll': ['AWS::EC2::VPC::Id', 'Tags'] }, ['x']] } }] },
      },
      Resources: {},
    };
    assert.deepEqual(ruleProblems(template, { Mode: 'a', Regions: 'eu-west-1,us-east-1' }), ['template rule Both: never a']);
    assert.deepEqual(ruleProblems(template, { Mode: 'a', Regions: 'eu-west-1, us-east-1' }), ['template rule Both: never a']);
    assert.deepEqual(ruleProblems(template, { Mode: 'a', Regions: 'eu-west-1' }), []);
    assert.deepEqual(ruleProblems(template, { Mode: 'b', Regions: 'us-east-1' }), []);
  });
});

describe('withCodeUri', () => {
  const license = () => ({ ...fn({ Handler: 'clearkey-license.handler' }), Condition: 'EnableLicense' });
  const template: Template = { Resources: { SpekeFunction: fn(), Other: { Type: 'AWS::S3::Bucket' }, LicenseFunction: license() } };

  it('points every function, conditional ones too, at the S3 object and changes nothing else', () => {
    const rewritten = withCodeUri(template, { Bucket: 'b', Key: 'k.zip' });
    assert.deepEqual(rewritten.Resources.SpekeFunction!.Properties!.CodeUri, { Bucket: 'b', Key: 'k.zip' });
    assert.deepEqual(rewritten.Resources.LicenseFunction!.Properties!.CodeUri, { Bucket: 'b', Key: 'k.zip' });
    assert.deepEqual({ ...rewritten, Resources: { ...rewritten.Resources, SpekeFunction: fn(), LicenseFunction: license() } }, template);
    assert.equal(template.Resources.SpekeFunction!.Properties!.CodeUri, './', 'the original is untouched');
    assert.equal(template.Resources.LicenseFunction!.Properties!.CodeUri, './', 'the original is untouched');
  });

  it('fails when the template has no SAM function', () => {
    assert.throws(() => withCodeUri({ Resources: { Other: { Type: 'AWS::S3::Bucket' } } }, { Bucket: 'b', Key: 'k' }), /no AWS::Serverless::Function/);
  });
});

describe('functionIds and handlerModules', () => {
  const template: Template = {
    Resources: {
      A: fn(),
      Bucket: { Type: 'AWS::S3::Bucket' },
      B: fn({ Handler: 'clearkey-license.handler' }),
      C: fn({ Handler: 'speke.other' }),
      Plain: { Type: 'AWS::Lambda::Function', Properties: { Handler: 'plain.handler' } },
    },
  };

  it('are the SAM functions, and their modules once each, in template order', () => {
    assert.deepEqual(functionIds(template), ['A', 'B', 'C']);
    assert.deepEqual(handlerModules(template), ['speke', 'clearkey-license']);
    assert.throws(() => functionIds({ Resources: {} }), /no AWS::Serverless::Function/);
  });
});

describe('handlerModule', () => {
  it("is the Handler's module", () => {
    assert.equal(handlerModule({ Resources: { SpekeFunction: fn() } }, 'SpekeFunction'), 'speke');
    assert.equal(handlerModule({ Resources: { F: fn({ Handler: 'handlers/main.handle' }) } }, 'F'), 'handlers/main');
    assert.equal(handlerModule({ Resources: { F: fn({ Handler: 'clearkey-license.handler' }) } }, 'F'), 'clearkey-license');
    assert.throws(() => handlerModule({ Resources: { SpekeFunction: fn({ Handler: undefined }) } }, 'SpekeFunction'), /no Handler/);
  });
});

describe('noEchoParameters', () => {
  it('are the parameters CloudFormation hides', () => {
    const template: Template = {
      Parameters: {
        Token: { Type: 'String', NoEcho: true },
        Other: { Type: 'String' },
        Quoted: { Type: 'String', NoEcho: 'true' },
        Off: { Type: 'String', NoEcho: false },
      },
      Resources: {},
    };
    assert.deepEqual(noEchoParameters(template), ['Token', 'Quoted']);
  });
});

describe('stackParameterValues', () => {
  it('leaves out a NoEcho parameter that is empty (CloudFormation would answer it as ****: a change on every pulumi up), keeps everything else', () => {
    const template: Template = {
      Parameters: { Token: { Type: 'String', NoEcho: true, Default: '' }, Set: { Type: 'String', NoEcho: true }, Plain: { Type: 'String', Default: '' } },
      Resources: {},
    };
    assert.deepEqual(stackParameterValues(template, { Token: '', Set: 'secret-value-0123456789', Plain: '' }), { Set: 'secret-value-0123456789', Plain: '' });
  });
});

describe('assertBundleFresh', () => {
  /** A repository with src/, package files, scripts/build.mjs and a built dist/speke, each file dated `at` (seconds). */
  function repository(at: { source: number; bundle: number }): { root: string; bundleDir: string } {
    const root = scratchDir('speke-repo-');
    const files = ['src/handlers/speke.ts', 'src/keys/derive.ts', 'package.json', 'package-lock.json', 'scripts/build.mjs'];
    for (const file of files) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), file);
      utimesSync(path.join(root, file), at.source - 100, at.source - 100);
    }
    utimesSync(path.join(root, 'src/keys/derive.ts'), at.source, at.source); // the newest source
    const bundleDir = path.join(root, 'dist', 'speke');
    mkdirSync(bundleDir, { recursive: true });
    for (const file of ['speke.mjs', 'speke.mjs.map']) {
      writeFileSync(path.join(bundleDir, file), file);
      utimesSync(path.join(bundleDir, file), at.bundle, at.bundle);
    }
    return { root, bundleDir };
  }

  it('takes every file under src/, the package files and the build script as the sources', () => {
    const { root } = repository({ source: 2_000_000_000, bundle: 2_000_000_100 });
    assert.deepEqual(
      bundleSources(root)
        .map((f) => path.relative(root, f))
        .sort(),
      ['package-lock.json', 'package.json', 'scripts/build.mjs', 'src/handlers/speke.ts', 'src/keys/derive.ts'],
    );
  });

  it('accepts a bundle built after its newest source', () => {
    const { root, bundleDir } = repository({ source: 2_000_000_000, bundle: 2_000_000_100 });
    assert.doesNotThrow(() => assertBundleFresh(lambdaBundle(bundleDir, ['speke']), bundleSources(root), root));
  });

  it('refuses a bundle older than a source, naming both and how to rebuild', () => {
    const { root, bundleDir } = repository({ source: 2_000_000_100, bundle: 2_000_000_000 });
    assert.throws(
      () => assertBundleFresh(lambdaBundle(bundleDir, ['speke']), bundleSources(root), root),
      /dist\/speke\/speke\.mjs, dist\/speke\/speke\.mjs\.map was built before src\/keys\/derive\.ts changed .*Run `npm ci && npm run build` in the repository root/,
    );
  });
});

describe('templateBody', () => {
  it('is the template as JSON', () => {
    const template: Template = { Transform: 'AWS::Serverless-2016-10-31', Resources: { SpekeFunction: fn() } };
    assert.deepEqual(JSON.parse(templateBody(template)), template);
  });

  it("refuses a body over CloudFormation's inline limit", () => {
    const big: Template = { Description: 'x'.repeat(MAX_TEMPLATE_BODY_BYTES), Resources: {} };
    assert.throws(() => templateBody(big), /CloudFormation takes at most 51200 inline/);
  });
});

describe('requiredCapabilities', () => {
  it('follows the transform and the IAM resources', () => {
    assert.deepEqual(requiredCapabilities({ Resources: { B: { Type: 'AWS::S3::Bucket' } } }), []);
    assert.deepEqual(requiredCapabilities({ Transform: 'AWS::Serverless-2016-10-31', Resources: { F: fn({ Role: 'arn' }) } }), ['CAPABILITY_AUTO_EXPAND']);
    assert.deepEqual(requiredCapabilities({ Transform: 'AWS::Serverless-2016-10-31', Resources: { F: fn() } }), ['CAPABILITY_AUTO_EXPAND', 'CAPABILITY_IAM']);
    assert.deepEqual(requiredCapabilities({ Resources: { R: { Type: 'AWS::IAM::Role', Properties: {} } } }), ['CAPABILITY_IAM']);
    assert.deepEqual(requiredCapabilities({ Resources: { R: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'r' } } } }), [
      'CAPABILITY_IAM',
      'CAPABILITY_NAMED_IAM',
    ]);
  });
});

describe('lambdaBundle', () => {
  function dir(files: Record<string, string>): string {
    const d = scratchDir('speke-bundle-');
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(d, name), text);
    return d;
  }

  it('zips the handler module and its source map, under a key that follows their content', () => {
    const a = lambdaBundle(dir({ 'speke.mjs': 'a', 'speke.mjs.map': '{}', 'other.txt': 'x' }), ['speke']);
    assert.deepEqual(Object.keys(a.files).sort(), ['speke.mjs', 'speke.mjs.map']);
    assert.match(a.key, /^speke-key-server\/lambda-[0-9a-f]{32}\.zip$/);
    assert.equal(lambdaBundle(dir({ 'speke.mjs': 'a', 'speke.mjs.map': '{}' }), ['speke']).key, a.key);
    assert.notEqual(lambdaBundle(dir({ 'speke.mjs': 'b', 'speke.mjs.map': '{}' }), ['speke']).key, a.key);
    assert.notEqual(lambdaBundle(dir({ 'speke.mjs': 'a', 'speke.mjs.map': '{ }' }), ['speke']).key, a.key);
    assert.deepEqual(Object.keys(lambdaBundle(dir({ 'speke.mjs': 'a' }), ['speke']).files), ['speke.mjs']);
  });

  it('zips every handler module with its map; the key follows each of them', () => {
    const files = { 'speke.mjs': 'a', 'speke.mjs.map': '{}', 'clearkey-license.mjs': 'c', 'clearkey-license.mjs.map': '{}' };
    const both = lambdaBundle(dir(files), ['speke', 'clearkey-license']);
    assert.deepEqual(Object.keys(both.files).sort(), ['clearkey-license.mjs', 'clearkey-license.mjs.map', 'speke.mjs', 'speke.mjs.map']);
    assert.notEqual(lambdaBundle(dir({ ...files, 'clearkey-license.mjs': 'd' }), ['speke', 'clearkey-license']).key, both.key);
    assert.equal(lambdaBundle(dir(files), ['clearkey-license', 'speke']).key, both.key, 'independent of the order of the modules');
  });

  it('tells how to build it when it, or one of the modules, is missing', () => {
    assert.throws(() => lambdaBundle(dir({}), ['speke']), /run `npm ci && npm run build` in the repository root/);
    assert.throws(
      () => lambdaBundle(dir({ 'speke.mjs': 'a' }), ['speke', 'clearkey-license']),
      /No Lambda bundle at .*clearkey-license\.mjs: run `npm ci && npm run build`/,
    );
  });

  it('is dist/speke of the repository unless bundleDir says otherwise (relative to infra/pulumi)', () => {
    assert.equal(bundleDir(undefined), DEFAULT_BUNDLE_DIR);
    assert.equal(DEFAULT_BUNDLE_DIR, path.resolve(TEMPLATE_FILE, '..', 'dist', 'speke'));
    assert.equal(bundleDir('../../build/out'), path.resolve(PROJECT_DIR, '../../build/out'));
    assert.equal(bundleDir('/abs/dir'), '/abs/dir');
  });
});

describe('cloudFormationStackName', () => {
  it('is <project>-<stack> in the characters CloudFormation accepts', () => {
    assert.equal(cloudFormationStackName('speke-key-server', 'dev'), 'speke-key-server-dev');
    assert.equal(cloudFormationStackName('speke-key-server', 'org/prod_eu.1'), 'speke-key-server-org-prod-eu-1');
    assert.equal(cloudFormationStackName('1speke', 'x'), 's-1speke-x');
    assert.equal(cloudFormationStackName('p', 'x'.repeat(200)).length, 128);
  });
});
