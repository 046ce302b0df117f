// Everything the Pulumi program knows about the stack it deploys comes from template.yaml, read
// when the program runs: its parameters become configuration keys, its Outputs the stack outputs,
// its functions' Handlers the modules the code zip must hold, and the template itself, with only
// the functions' code location changed, the CloudFormation template body. Nothing here names a
// template parameter, output or function.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { yamlParse } from 'yaml-cfn';

/** infra/pulumi, where Pulumi.yaml is. */
export const PROJECT_DIR = path.resolve(__dirname, '..');
/** The server's repository root. */
export const REPO_ROOT = path.resolve(PROJECT_DIR, '..', '..');
export const TEMPLATE_PATH = path.join(REPO_ROOT, 'template.yaml');

/** CloudFormation's limit on a TemplateBody passed inline (a larger one has to go to S3 first). */
export const MAX_TEMPLATE_BODY_BYTES = 51_200;

export interface TemplateParameter {
  Type: string;
  Default?: string | number | boolean | (string | number)[];
  AllowedValues?: (string | number | boolean)[];
  AllowedPattern?: string;
  MinLength?: number;
  MaxLength?: number;
  MinValue?: number;
  MaxValue?: number;
  NoEcho?: boolean | string;
  Description?: string;
}

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A Rules entry: when RuleCondition holds (or there is none), every Assert must hold. */
export interface TemplateRule {
  RuleCondition?: unknown;
  Assertions?: { Assert: unknown; AssertDescription?: string }[];
}

/** template.yaml with its short-form tags expanded (!Ref → { Ref }, !Sub → { 'Fn::Sub' }, …). */
export interface Template {
  Transform?: string | string[];
  Parameters?: Record<string, TemplateParameter>;
  Rules?: Record<string, TemplateRule>;
  Resources: Record<string, TemplateResource>;
  Outputs?: Record<string, { Value: unknown; Description?: string }>;
  [key: string]: unknown;
}

export function loadTemplate(file: string = TEMPLATE_PATH): Template {
  const template = yamlParse(readFileSync(file, 'utf8')) as Template;
  if (!template || typeof template !== 'object' || !template.Resources) throw new Error(`${file} is not a CloudFormation template`);
  return template;
}

/** Pulumi configuration key of a template parameter: its name in camelCase (StageName → stageName). */
export function configKey(parameter: string): string {
  return parameter.charAt(0).toLowerCase() + parameter.slice(1);
}

/** A parameter's default as CloudFormation takes parameter values: a string (lists comma-joined). */
export function defaultValue(parameter: TemplateParameter): string | undefined {
  if (parameter.Default === undefined) return undefined;
  return Array.isArray(parameter.Default) ? parameter.Default.join(',') : String(parameter.Default);
}

function isList(parameter: TemplateParameter): boolean {
  return parameter.Type === 'CommaDelimitedList' || parameter.Type.startsWith('List<');
}

/**
 * A configuration value as a CloudFormation parameter value. A list parameter can be set as
 * `a,b` or, with `pulumi config set --path 'key[0]' a`, as a list (which Pulumi hands over as JSON).
 */
function normalize(parameter: TemplateParameter, raw: string): string {
  if (isList(parameter) && raw.trimStart().startsWith('[')) {
    try {
      const items: unknown = JSON.parse(raw);
      if (Array.isArray(items)) return items.map(String).join(',');
    } catch {
      // Not JSON: take it as written.
    }
  }
  return raw;
}

/** What is wrong with `value` for `parameter`, by the template's own constraints (CloudFormation would refuse it). */
export function parameterProblems(name: string, parameter: TemplateParameter, value: string): string[] {
  const key = configKey(name);
  const problems: string[] = [];
  const allowed = parameter.AllowedValues?.map(String);
  if (allowed && !isList(parameter) && !allowed.includes(value)) {
    problems.push(`${key} (${name}) must be one of ${allowed.join(', ')}; got '${value}'`);
  }
  if (parameter.Type === 'Number') {
    const number = Number(value);
    if (value.trim() === '' || !Number.isFinite(number)) problems.push(`${key} (${name}) must be a number; got '${value}'`);
    else {
      if (parameter.MinValue !== undefined && number < parameter.MinValue)
        problems.push(`${key} (${name}) must be at least ${parameter.MinValue}; got ${value}`);
      if (parameter.MaxValue !== undefined && number > parameter.MaxValue)
        problems.push(`${key} (${name}) must be at most ${parameter.MaxValue}; got ${value}`);
    }
  }
  if (parameter.Type === 'String') {
    if (parameter.MinLength !== undefined && value.length < parameter.MinLength)
      problems.push(`${key} (${name}) must be at least ${parameter.MinLength} characters long`);
    if (parameter.MaxLength !== undefined && value.length > parameter.MaxLength)
      problems.push(`${key} (${name}) must be at most ${parameter.MaxLength} characters long`);
    if (parameter.AllowedPattern !== undefined) {
      let pattern: RegExp | undefined;
      try {
        // CloudFormation matches the whole value against the (Java) pattern.
        pattern = new RegExp(`^(?:${parameter.AllowedPattern})$`);
      } catch {
        pattern = undefined; // Not a JavaScript regular expression: leave the check to CloudFormation.
      }
      if (pattern && !pattern.test(value)) problems.push(`${key} (${name}) must match ${parameter.AllowedPattern}; got '${value}'`);
    }
  }
  return problems;
}

/**
 * The CloudFormation parameters of the stack: for every template parameter, the configuration
 * value of its key, or the template's default. Throws, listing every problem, when a value breaks
 * the template's constraints or a parameter without a default is not configured.
 */
export function parameterValues(template: Template, read: (key: string) => string | undefined): Record<string, string> {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, parameter] of Object.entries(template.Parameters ?? {})) {
    const raw = read(configKey(name));
    const value = raw === undefined ? defaultValue(parameter) : normalize(parameter, raw);
    if (value === undefined) {
      problems.push(`${configKey(name)} (${name}) has no default in template.yaml: set it with \`pulumi config set ${configKey(name)} <value>\``);
      continue;
    }
    problems.push(...parameterProblems(name, parameter, value));
    values[name] = value;
  }
  if (problems.length === 0) problems.push(...ruleProblems(template, values));
  if (problems.length > 0) throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  return values;
}

type RuleValue = boolean | string | string[];

/**
 * A rule's condition or assertion over the parameter values, with the rule functions the
 * template uses (Ref, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Fn::Contains); undefined for anything
 * else, which CloudFormation then decides.
 */
function evaluateRule(expression: unknown, values: Record<string, string>, template: Template): RuleValue | undefined {
  if (typeof expression === 'string' || typeof expression === 'number' || typeof expression === 'boolean') {
    return typeof expression === 'boolean' ? expression : String(expression);
  }
  if (Array.isArray(expression)) {
    const items = expression.map((item) => evaluateRule(item, values, template));
    return items.every((item): item is string => typeof item === 'string') ? items : undefined;
  }
  if (expression === null || typeof expression !== 'object') return undefined;
  const [entry, ...more] = Object.entries(expression as Record<string, unknown>);
  if (entry === undefined || more.length > 0) return undefined;
  const [name, argument] = entry;
  if (name === 'Ref') {
    const parameter = typeof argument === 'string' ? template.Parameters?.[argument] : undefined;
    const value = typeof argument === 'string' ? values[argument] : undefined;
    if (parameter === undefined || value === undefined) return undefined;
    // CloudFormation trims the members of a list parameter.
    return isList(parameter) ? value.split(',').map((item) => item.trim()) : value;
  }
  const args = Array.isArray(argument) ? argument.map((item) => evaluateRule(item, values, template)) : undefined;
  if (args === undefined || args.some((a) => a === undefined)) return undefined;
  const [a, b] = args as RuleValue[];
  switch (name) {
    case 'Fn::Equals':
      return args.length === 2 && typeof a === 'string' && typeof b === 'string' ? a === b : undefined;
    case 'Fn::Not':
      return args.length === 1 && typeof a === 'boolean' ? !a : undefined;
    case 'Fn::And':
    case 'Fn::Or': {
      if (!args.every((x): x is boolean => typeof x === 'boolean')) return undefined;
      return name === 'Fn::And' ? args.every(Boolean) : args.some(Boolean);
    }
    case 'Fn::Contains':
      return args.length === 2 && Array.isArray(a) && typeof b === 'string' ? a.includes(b) : undefined;
    default:
      return undefined;
  }
}

/**
 * The template's Rules over the configured values, as CloudFormation checks them before it changes
 * anything: each broken assertion as its rule's name and AssertDescription. A rule with a function
 * this program does not evaluate is left to CloudFormation.
 */
export function ruleProblems(template: Template, values: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [name, rule] of Object.entries(template.Rules ?? {})) {
    const applies = rule.RuleCondition === undefined ? true : evaluateRule(rule.RuleCondition, values, template);
    if (applies !== true) continue;
    for (const assertion of rule.Assertions ?? []) {
      if (evaluateRule(assertion.Assert, values, template) === false) {
        problems.push(`template rule ${name}: ${assertion.AssertDescription ?? 'an assertion does not hold'}`);
      }
    }
  }
  return problems;
}

const SAM_FUNCTION = 'AWS::Serverless::Function';

/**
 * The logical IDs of the template's SAM functions, conditional ones included (their code is
 * uploaded whether or not a condition deploys them). Throws when there is none.
 */
export function functionIds(template: Template): string[] {
  const ids = Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === SAM_FUNCTION)
    .map(([id]) => id);
  if (ids.length === 0) throw new Error(`template.yaml has no ${SAM_FUNCTION}`);
  return ids;
}

/** The module Lambda loads for a function's Handler (`speke.handler` → `speke`). */
export function handlerModule(template: Template, functionId: string): string {
  const handler = template.Resources[functionId]?.Properties?.Handler;
  if (typeof handler !== 'string' || !handler.includes('.')) throw new Error(`template.yaml: ${functionId} has no Handler of the form <module>.<export>`);
  return handler.slice(0, handler.lastIndexOf('.'));
}

/** The handler modules of every function, once each, in template order: what the code zip must hold. */
export function handlerModules(template: Template): string[] {
  return [...new Set(functionIds(template).map((id) => handlerModule(template, id)))];
}

export interface CodeLocation {
  Bucket: string;
  Key: string;
}

/**
 * A copy of the template whose functions all take their code from `location` (SAM's CodeUri as an
 * S3 object): one zip holding every handler module at its root.
 */
export function withCodeUri(template: Template, location: CodeLocation): Template {
  const copy = structuredClone(template);
  for (const id of functionIds(copy)) {
    const fn = copy.Resources[id];
    if (!fn?.Properties) throw new Error(`template.yaml: ${SAM_FUNCTION} ${id} has no Properties`);
    fn.Properties.CodeUri = { Bucket: location.Bucket, Key: location.Key };
  }
  return copy;
}

/** Names of the parameters whose values CloudFormation hides (NoEcho): kept secret in Pulumi's state too. */
export function noEchoParameters(template: Template): string[] {
  return Object.entries(template.Parameters ?? {})
    .filter(([, parameter]) => parameter.NoEcho === true || String(parameter.NoEcho).toLowerCase() === 'true')
    .map(([name]) => name);
}

/**
 * The parameter values to pass to CloudFormation: every value, except a NoEcho parameter left
 * empty. CloudFormation answers a NoEcho parameter's value as `****`, so passing an empty one makes
 * every `pulumi up` see a difference and update the stack although nothing changed; left out,
 * CloudFormation takes the template's default.
 */
export function stackParameterValues(template: Template, values: Record<string, string>): Record<string, string> {
  const hidden = new Set(noEchoParameters(template));
  return Object.fromEntries(Object.entries(values).filter(([name, value]) => !(hidden.has(name) && value === '')));
}

/** The template as CloudFormation's TemplateBody: JSON, which CloudFormation reads like the YAML. */
export function templateBody(template: Template): string {
  const body = JSON.stringify(template);
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_TEMPLATE_BODY_BYTES) {
    throw new Error(
      `The template body is ${bytes} bytes; CloudFormation takes at most ${MAX_TEMPLATE_BODY_BYTES} inline (upload it to S3 and pass templateUrl instead)`,
    );
  }
  return body;
}

/** The template's output names, which are also the Pulumi stack's outputs. */
export function outputNames(template: Template): string[] {
  return Object.keys(template.Outputs ?? {});
}

const NAMED_IAM_PROPERTIES: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::InstanceProfile': 'InstanceProfileName',
};

/**
 * The capabilities CloudFormation demands for the template: CAPABILITY_AUTO_EXPAND for a transform
 * (SAM is a macro), CAPABILITY_IAM for IAM resources (a SAM function without a Role makes one), and
 * CAPABILITY_NAMED_IAM when one of them has a custom name.
 */
export function requiredCapabilities(template: Template): string[] {
  const capabilities = new Set<string>();
  if (template.Transform !== undefined) capabilities.add('CAPABILITY_AUTO_EXPAND');
  for (const resource of Object.values(template.Resources)) {
    const samRole = resource.Type === 'AWS::Serverless::Function' && resource.Properties?.Role === undefined;
    if (resource.Type.startsWith('AWS::IAM::') || samRole) capabilities.add('CAPABILITY_IAM');
    const nameProperty = NAMED_IAM_PROPERTIES[resource.Type];
    if (nameProperty && resource.Properties?.[nameProperty] !== undefined) capabilities.add('CAPABILITY_NAMED_IAM');
  }
  return [...capabilities].sort();
}
