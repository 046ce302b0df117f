"""Writes template.yaml as CloudFormation sees it after the SAM transform, as JSON.

Usage: python3 scripts/sam-transform.py <template.yaml> <out.json> [region]

The transform is the one cfn-lint runs before linting (cfnlint.template.transforms._sam, the SAM
translator with local code URIs replaced by placeholder S3 locations and managed policies read
from cfn-lint's own copy), which is also what `sam validate --lint` lints. Conditions are not
resolved: resources under a Condition stay in the output, so policy checks see every resource the
template can create.
"""

import json
import sys

from cfnlint.decode import decode
from cfnlint.template.transforms._sam import Transform


def main() -> int:
    source, target = sys.argv[1], sys.argv[2]
    region = sys.argv[3] if len(sys.argv) > 3 else "us-east-1"
    template, matches = decode(source)
    if matches:
        for match in matches:
            print(match, file=sys.stderr)
        return 1
    transform = Transform(source, template, region)
    errors = transform.transform_template()
    if errors:
        for error in errors:
            print(error.message, file=sys.stderr)
        return 1
    with open(target, "w", encoding="utf-8") as out:
        json.dump(transform.template(), out, indent=1, sort_keys=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
