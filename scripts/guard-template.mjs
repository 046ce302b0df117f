// npm run guard:template — policy check of template.yaml with cfn-guard and the AWS Control Tower
// proactive-control rules, both shipped inside the npm package @cdklabs/cdk-validator-cfnguard
// (tools/cfn-guard: its own package.json and lock; the binary is in the package, nothing is
// downloaded when it runs).
//
// The rules are written for CloudFormation resource types (AWS::Lambda::Function, AWS::ApiGateway::Stage,
// ...), so they are run over the template after the SAM transform (scripts/sam-transform.py, the
// transform cfn-lint and `sam validate --lint` use), conditional resources included. Every finding
// must be listed, with its reason, in tools/cfn-guard/suppressions.yaml: a finding that is not
// (a new resource or a new rule) fails the run, and so does an entry that matches nothing.
//
// Needs: npm ci in tools/cfn-guard, and python3 with cfn-lint (on this project's machines) for the
// transform. Without them it fails under CI=true and says so otherwise.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { yamlParse } from 'yaml-cfn';

const TEMPLATE = process.argv[2] ?? 'template.yaml';
const SUPPRESSIONS = 'tools/cfn-guard/suppressions.yaml';
const run = promisify(execFile);

function unavailable(message) {
  if (process.env.CI === 'true') throw new Error(message);
  console.log(`${message}: template not checked`);
  return 0;
}

async function main() {
  let CfnGuardValidator;
  try {
    ({ CfnGuardValidator } = createRequire(join(process.cwd(), 'tools/cfn-guard/package.json'))('@cdklabs/cdk-validator-cfnguard'));
  } catch {
    return unavailable('cfn-guard is not installed (npm ci --prefix tools/cfn-guard)');
  }
  const work = await mkdtemp(join(tmpdir(), 'speke-guard-'));
  try {
    const transformed = join(work, 'template.json');
    try {
      await run('python3', ['scripts/sam-transform.py', TEMPLATE, transformed]);
    } catch (error) {
      if (/ModuleNotFoundError|ENOENT/.test(`${error.code} ${error.stderr}`))
        return unavailable('python3 with cfn-lint is needed for the SAM transform (pip install cfn-lint)');
      throw new Error(`SAM transform of ${TEMPLATE} failed:\n${error.stderr ?? error.message}`);
    }
    const validator = new CfnGuardValidator({});
    const report = validator.validate({ templatePaths: [transformed] });

    const suppressions = yamlParse(await readFile(SUPPRESSIONS, 'utf8'));
    const accepted = new Map(suppressions.map((s) => [s.rule, new Set(s.resources)]));
    const used = new Set();
    const problems = [];
    let findings = 0;
    for (const violation of report.violations) {
      for (const { resourceLogicalId } of violation.violatingResources) {
        findings++;
        if (accepted.get(violation.ruleName)?.has(resourceLogicalId)) {
          used.add(`${violation.ruleName} ${resourceLogicalId}`);
          continue;
        }
        problems.push(`${violation.ruleName} on ${resourceLogicalId}: ${violation.description}\n      fix: ${violation.fix}`);
      }
    }
    for (const { rule, resources, reason } of suppressions) {
      if (typeof reason !== 'string' || reason.trim().length < 20) problems.push(`${SUPPRESSIONS}: ${rule} needs a reason`);
      for (const id of resources) if (!used.has(`${rule} ${id}`)) problems.push(`${SUPPRESSIONS}: ${rule} on ${id} no longer fires: remove it`);
    }
    if (problems.length > 0) {
      console.error(
        `cfn-guard ${TEMPLATE} (SAM-transformed), Control Tower rules:\n  ${problems.join('\n  ')}\n(fix the template, or list the finding with its reason in ${SUPPRESSIONS})`,
      );
      return 1;
    }
    console.log(
      `cfn-guard ${TEMPLATE} (SAM-transformed): ${validator.ruleIds.length} Control Tower rules, ${findings} findings, all listed with reasons in ${SUPPRESSIONS}`,
    );
    return 0;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error.message ?? error);
    process.exit(1);
  },
);
