#!/usr/bin/env bash
# Every check, on a clean clone, with no Docker and no AWS account: formatting,
# clippy, the workspace's tests against a moto server started for this run, the
# template lint, and the arm64 release build of the Lambda functions.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export SAM_CLI_TELEMETRY=0
step() { printf '\n==> %s\n' "$*"; }

step "bootstrap (.venv)"
scripts/bootstrap.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "AWS emulator"
port="$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
trap 'scripts/emulator.sh stop "$port"' EXIT
scripts/emulator.sh start "$port"
export DASHTAM_TEST_AWS_ENDPOINT="http://127.0.0.1:$port"

step "cargo test"
cargo test --workspace

step "HTTP contract (schemathesis against the in-memory local stack)"
scripts/contract-test.sh

step "cfn-lint template.yaml"
.venv/bin/cfn-lint template.yaml

if [[ -x .venv/bin/sam ]]; then
    step "sam validate --lint"
    .venv/bin/sam validate --lint --region us-east-1 --template-file template.yaml
fi

step "Lambda release build (arm64)"
scripts/build-lambdas.sh
