import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { yamlParse } from 'yaml-cfn';

/** template.yaml parsed with the CloudFormation tags (!Ref → { Ref }, !GetAtt A.B → { 'Fn::GetAtt': [A, B] }, …). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Template {
  Transform: string;
  Parameters: Record<string, Json>;
  Conditions: Record<string, Json>;
  Globals?: Json;
  Resources: Record<string, { Type: string; Properties?: Json; Metadata?: Json; Condition?: string; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;
  Outputs: Record<string, { Value: Json; Description?: string }>;
  Metadata?: Json;
  Rules?: Record<string, Json>;
}

export const TEMPLATE_PATH = fileURLToPath(new URL('../../template.yaml', import.meta.url));

export function loadTemplate(): Template {
  return yamlParse(readFileSync(TEMPLATE_PATH, 'utf8')) as Template;
}

export const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

export interface Reference {
  kind: 'Ref' | 'GetAtt' | 'Sub' | 'Condition';
  target: string;
  /** Where it was found, for failure messages. */
  at: string;
}

/** `${Name}` / `${Name.Attr}` variables of a Fn::Sub string (`${!Literal}` is not a variable). */
export function subVariables(text: string): string[] {
  return [...text.matchAll(/\$\{([^!}][^}]*)\}/g)].map((m) => m[1]!.trim());
}

/**
 * Every reference made anywhere under `node`: Ref targets, GetAtt resources, Fn::Sub variables
 * (minus the Sub's own variable map) and the conditions named by Fn::If.
 */
export function collectReferences(node: Json, at = ''): Reference[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => collectReferences(item, `${at}[${i}]`));
  if (node === null || typeof node !== 'object') return [];
  const out: Reference[] = [];
  for (const [key, value] of Object.entries(node as Record<string, Json>)) {
    const here = `${at}.${key}`;
    if (key === 'Ref') out.push({ kind: 'Ref', target: String(value), at: here });
    else if (key === 'Fn::GetAtt') out.push({ kind: 'GetAtt', target: String(Array.isArray(value) ? value[0] : String(value).split('.')[0]), at: here });
    else if (key === 'Fn::Sub') {
      const [text, vars] = Array.isArray(value) ? [value[0] as string, (value[1] ?? {}) as Record<string, Json>] : [value as string, {}];
      for (const variable of subVariables(text)) {
        const name = variable.includes('::') ? variable : variable.split('.')[0]!;
        if (!(name in vars)) out.push({ kind: 'Sub', target: name, at: here });
      }
      out.push(...collectReferences(vars, here));
      continue;
    } else if (key === 'Fn::If') {
      out.push({ kind: 'Condition', target: String((value as Json[])[0]), at: here });
      out.push(...collectReferences((value as Json[]).slice(1), here));
      continue;
    }
    out.push(...collectReferences(value, here));
  }
  return out;
}

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: Json;
  Action: string | string[];
  Resource?: Json;
  Condition?: Json;
}

export interface FoundStatement {
  statement: Statement;
  /** Logical ID of the resource whose policy holds it. */
  resource: string;
  /** The condition it depends on (a Fn::If around its policy), if any. */
  condition?: string;
  policyName?: string;
}

/** Unwraps `Fn::If [cond, value, AWS::NoValue]` around a policy (or any list item). */
function unwrapIf(node: Json): { value: Json; condition?: string } {
  if (node && typeof node === 'object' && 'Fn::If' in node) {
    const [condition, whenTrue, whenFalse] = node['Fn::If'] as [string, Json, Json];
    if (!(whenFalse && whenFalse.Ref === 'AWS::NoValue')) throw new Error('Fn::If around a policy must fall back to AWS::NoValue');
    return { value: whenTrue, condition };
  }
  return { value: node };
}

/** Every permission statement in the template: role inline policies, managed policies, bucket policies. */
export function permissionStatements(template: Template): FoundStatement[] {
  const out: FoundStatement[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    const documents: { document: Json; condition?: string; policyName?: string }[] = [];
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of (props.Policies ?? []) as Json[]) {
        const { value, condition } = unwrapIf(policy);
        documents.push({ document: value.PolicyDocument, condition, policyName: value.PolicyName });
      }
    } else if (resource.Type === 'AWS::IAM::ManagedPolicy' || resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::S3::BucketPolicy') {
      documents.push({ document: props.PolicyDocument });
    } else if (resource.Type === 'AWS::Serverless::Function' && props.Policies !== undefined) {
      throw new Error(`${id}: SAM Policies would add statements this test cannot see; use the explicit role`);
    }
    for (const { document, condition, policyName } of documents) {
      for (const statement of document.Statement as Statement[]) {
        out.push({ statement, resource: id, ...(condition ? { condition } : {}), ...(policyName ? { policyName } : {}) });
      }
    }
  }
  return out;
}

/** Logical IDs of the template's SAM functions, in template order. */
export function serverlessFunctions(template: Template): string[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Serverless::Function')
    .map(([id]) => id);
}

/**
 * A function's environment variables as SAM deploys them: Globals.Function.Environment.Variables
 * merged with the function's own, which win on the same name.
 */
export function functionEnvironment(template: Template, functionId: string): Record<string, Json> {
  const resource = template.Resources[functionId];
  if (!resource || resource.Type !== 'AWS::Serverless::Function') throw new Error(`template.yaml has no AWS::Serverless::Function ${functionId}`);
  const globals = (template.Globals?.Function?.Environment?.Variables ?? {}) as Record<string, Json>;
  const own = (resource.Properties?.Environment?.Variables ?? {}) as Record<string, Json>;
  return { ...globals, ...own };
}

/**
 * Unwraps `Fn::If [cond, value, AWS::NoValue]` around a list item (e.g. a method setting):
 * the value, and the condition it is present under (undefined when unconditional).
 */
export function conditionalItem(node: Json): { value: Json; condition?: string } {
  return unwrapIf(node);
}

export function list<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
