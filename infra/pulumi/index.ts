// Pulumi program: deploys the repository's template.yaml as a CloudFormation stack (see
// docs/deploy-pulumi.md). The stack outputs are the template's Outputs, under the same names.
import { deploySpeke } from './src/speke-stack';

export = deploySpeke().outputs;
