// npm run lint:template — cfn-lint over template.yaml, as `sam validate --lint` runs it, and a check
// that the template's own cfn-lint configuration hides nothing but SAM's output.
//
// 1. `cfn-lint template.yaml` in the regions below: no finding at all. cfn-lint transforms the SAM
//    template itself (with the SAM translator it ships) and reads Metadata.cfn-lint.config from the
//    template, exactly as `sam validate --lint` (samcli/commands/validate/validate.py → cfnlint.api.lint)
//    does.
// 2. The same with the template's ignore_checks overridden (`--ignore-checks` on the command line
//    replaces them): each finding must be one of the ignored checks, at a place the SAM transform
//    generated (a path that does not exist in template.yaml as written), and each ignored check must
//    still fire there (an ignore that no longer fires is removed, not kept "just in case").
//
// cfn-lint is a Python tool (pip install cfn-lint); it is on this project's machines. Without it the
// script fails under CI=true and says so otherwise.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { yamlParse } from 'yaml-cfn';

const TEMPLATE = process.argv[2] ?? 'template.yaml';
/** Regions where MediaPackage and MediaConvert run the SPEKE integration this stack serves; linted for resource availability. */
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-northeast-1', 'ap-southeast-2', 'sa-east-1'];
const run = promisify(execFile);

async function cfnLint(extraArgs) {
  try {
    const { stdout } = await run('cfn-lint', ['--format', 'json', '--regions', ...REGIONS, ...extraArgs, '--', TEMPLATE], { maxBuffer: 16 * 1024 * 1024 });
    return JSON.parse(stdout || '[]');
  } catch (error) {
    // cfn-lint exits non-zero when it finds something; its JSON is still on stdout.
    if (error.code === 'ENOENT') throw error;
    if (typeof error.stdout === 'string' && error.stdout.trim().startsWith('[')) return JSON.parse(error.stdout);
    throw error;
  }
}

/** Whether `path` (from Resources down) leads somewhere in the template as written. */
function writtenInTemplate(template, path) {
  let node = template;
  for (const step of path) {
    if (node === null || typeof node !== 'object' || !(step in node)) return false;
    node = node[step];
  }
  return true;
}

const describe = (m) => `${m.Rule.Id} ${m.Location.Path.join('.')} (${TEMPLATE}:${m.Location.Start.LineNumber}): ${m.Message}`;

async function main() {
  try {
    await run('cfn-lint', ['--version']);
  } catch {
    const message = 'cfn-lint is not installed (pip install cfn-lint): template not linted';
    if (process.env.CI === 'true') throw new Error(message);
    console.log(message);
    return 0;
  }
  const template = yamlParse(readFileSync(TEMPLATE, 'utf8'));
  const ignored = template.Metadata?.['cfn-lint']?.config?.ignore_checks ?? [];
  const problems = [];

  const findings = await cfnLint([]);
  for (const m of findings) problems.push(`finding: ${describe(m)}`);

  // A check id that matches nothing keeps cfn-lint's default set while replacing the template's list.
  const unfiltered = await cfnLint(['--ignore-checks', 'X9999']);
  for (const m of unfiltered) {
    if (!ignored.includes(m.Rule.Id)) continue; // already reported above
    if (writtenInTemplate(template, m.Location.Path)) problems.push(`ignored check hides a finding in the template as written: ${describe(m)}`);
  }
  for (const id of ignored) {
    if (!unfiltered.some((m) => m.Rule.Id === id)) problems.push(`ignore_checks lists ${id}, which no longer fires: remove it`);
  }

  if (problems.length > 0) {
    console.error(`cfn-lint ${TEMPLATE}:\n  ${problems.join('\n  ')}`);
    return 1;
  }
  const hidden = unfiltered.filter((m) => ignored.includes(m.Rule.Id)).length;
  console.log(`cfn-lint ${TEMPLATE}: no findings in ${REGIONS.length} regions (${hidden} in SAM-generated parts ignored: ${ignored.join(', ') || 'none'})`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error.message ?? error);
    process.exit(1);
  },
);
