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
    # A stage that failed leaves its background neighbour running.
    local pids
    pids="$(jobs -pr)"
    if [[ -n "$pids" ]]; then kill $pids 2>/dev/null || true; fi
    end_stage
    if [[ -n "$port" ]]; then scripts/emulator.sh stop "$port"; fi
    local took=$((SECONDS - run_start))
    printf '\nstage durations (wall):\n'
    printf '%s\n' "${timings[@]}"
    printf '%4d:%02d  total (exit %d)\n' $((took / 60)) $((took % 60)) "$rc"
}
trap on_exit EXIT

# Python's installs (network and disk) run while clippy compiles (CPU).
step "bootstrap (.venv) alongside cargo fmt --check and cargo clippy"
mkdir -p .local
scripts/bootstrap.sh >.local/bootstrap.out 2>&1 &
bootstrap=$!
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
if ! wait "$bootstrap"; then
    cat .local/bootstrap.out >&2
    exit 1
fi

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

# The deploy build (release profile, fat LTO per function) is scripts/build-lambdas.sh;
# CI proves every function cross-builds and links for arm64 with the dev profile. It runs
# (at low priority) while the contract run, which is bounded by time, not by CPU, waits
# on the server; the contract builds nothing itself (the test stage did).
nice -n 19 scripts/build-lambdas.sh --check >.local/cross-build.log 2>&1 &
cross_build=$!
step "HTTP contract (schemathesis against the in-memory local stack), arm64 cross-build alongside"
CONTRACT_PREBUILT=1 scripts/contract-test.sh

step "cfn-lint template.yaml"
.venv/bin/cfn-lint template.yaml

if [[ -x .venv/bin/sam ]]; then
    step "sam validate --lint"
    .venv/bin/sam validate --lint --region us-east-1 --template-file template.yaml
fi

step "Lambda cross-build (arm64, dev profile): the rest of it"
if ! wait "$cross_build"; then
    cat .local/cross-build.log >&2
    exit 1
fi
tail -n 1 .local/cross-build.log
