#!/usr/bin/env bash
# Every check, on a clean clone, with no Docker and no AWS account: formatting,
# clippy, the workspace's tests against a moto server started for this run, the
# template lint, two functions invoked through cargo-lambda's runtime emulator, and the
# arm64 cross-build of the Lambda functions.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export SAM_CLI_TELEMETRY=0

# Each stage's wall time, printed when it ends and again, with the total, on exit.
stage="" stage_start=$SECONDS run_start=$SECONDS port=""
timings=()
end_stage() {
    [[ -n "$stage" ]] || return 0
    local took=$((SECONDS - stage_start))
    timings+=("$(printf '%4d:%02d  %s' $((took / 60)) $((took % 60)) "$stage")")
    printf '<== %s: %d s\n' "$stage" "$took"
    stage=""
}
step() {
    end_stage
    stage="$*" stage_start=$SECONDS
    printf '\n==> %s\n' "$*"
}
on_exit() {
    local rc=$?
    end_stage
    if [[ -n "$port" ]]; then scripts/emulator.sh stop "$port"; fi
    local took=$((SECONDS - run_start))
    printf '\nstage durations (wall):\n'
    printf '%s\n' "${timings[@]}"
    printf '%4d:%02d  total (exit %d)\n' $((took / 60)) $((took % 60)) "$rc"
}
trap on_exit EXIT

step "bootstrap (.venv)"
scripts/bootstrap.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "AWS emulator"
port="$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
scripts/emulator.sh start "$port"
export DASHTAM_TEST_AWS_ENDPOINT="http://127.0.0.1:$port"

step "cargo test"
cargo test --workspace

# Two functions as Lambda runs them (cargo lambda watch + invoke), on the same emulator,
# with the binaries the test stage built (nothing is compiled here).
step "Lambda invoke (cargo lambda watch + invoke: an HTTP function, a consumer)"
scripts/invoke-local.sh --prebuilt

step "HTTP contract (schemathesis against the in-memory local stack)"
scripts/contract-test.sh

step "cfn-lint template.yaml"
.venv/bin/cfn-lint template.yaml

if [[ -x .venv/bin/sam ]]; then
    step "sam validate --lint"
    .venv/bin/sam validate --lint --region us-east-1 --template-file template.yaml
fi

# The deploy build (release profile, fat LTO per function) is scripts/build-lambdas.sh;
# CI proves every function cross-builds and links for arm64 with the dev profile.
step "Lambda cross-build (arm64, dev profile)"
scripts/build-lambdas.sh --check
