#!/usr/bin/env bash
# The functions as Lambda runs them, on this machine, with no Docker: `cargo lambda watch`
# (cargo-lambda's Lambda runtime emulator) serves every function of the workspace, and
# `cargo lambda invoke --data-file events/...` sends each an event, against the emulated
# AWS (moto, provisioned from template.yaml for env `invoke-<pid>`).
#
#   scripts/invoke-local.sh                      an HTTP function (register) and a consumer
#                                                (audit), answers checked
#   scripts/invoke-local.sh FUNCTION EVENT_FILE  one invocation, answer printed
#   scripts/invoke-local.sh --prebuilt           what CI runs: the same check with the two
#                                                binaries `cargo test` just built (their
#                                                tests/configuration.rs makes it build them)
#                                                under `cargo lambda watch --only-lambda-apis`
#
# Plain `cargo lambda watch` builds each function with `cargo run`, whose features differ
# from `cargo test --workspace`'s (tokio's test-util, the adapters' test switches), so in
# CI it would rebuild the SDK stack; --prebuilt reuses the test stage's binaries instead.
# Uses the emulator at DASHTAM_TEST_AWS_ENDPOINT if set (CI's), else starts one.
set -euo pipefail
prebuilt=""
if [[ "${1:-}" == "--prebuilt" ]]; then prebuilt=1; shift; fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/bootstrap.sh
export PATH="$root/.venv/bin:$PATH"
free_port() { .venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

emulator_port="" watch_pid="" function_pids=()
cleanup() {
    for pid in "${function_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [[ -n "$watch_pid" ]]; then kill -- "-$watch_pid" 2>/dev/null || true; fi
    if [[ -n "$emulator_port" ]]; then scripts/emulator.sh stop "$emulator_port"; fi
}
trap cleanup EXIT
endpoint="${DASHTAM_TEST_AWS_ENDPOINT:-}"
if [[ -z "$endpoint" ]]; then
    emulator_port="$(free_port)"
    scripts/emulator.sh start "$emulator_port"
    endpoint="http://127.0.0.1:$emulator_port"
fi

# The functions' environment: what template.yaml gives them, pointed at the emulator.
mkdir -p .local
env_file=.local/invoke.env
# A stack of its own on each run (an emulator may be shared, and the event registers ada).
.venv/bin/python infra/provision.py --endpoint "$endpoint" --env "invoke-$$" 2>.local/invoke-provision.log \
    | .venv/bin/python -c 'import json, sys
for k, v in json.load(sys.stdin).items():
    print(f"{k}={v}")' >"$env_file"
cat >>"$env_file" <<VARS
AWS_ENDPOINT_URL=$endpoint
AWS_REGION=us-east-1
AWS_ACCESS_KEY_ID=test
AWS_SECRET_ACCESS_KEY=test
DASHTAM_API_BASE_URL=http://127.0.0.1
RUST_LOG=info
VARS

invoke_port="$(free_port)"
log=.local/cargo-lambda-watch.log
watch_args=(--invoke-port "$invoke_port" --invoke-address 127.0.0.1 --ignore-changes --env-file "$env_file")
if [[ -n "$prebuilt" ]]; then watch_args+=(--only-lambda-apis); fi
setsid cargo lambda watch "${watch_args[@]}" >"$log" 2>&1 &
watch_pid=$!
for _ in $(seq 1 100); do
    # The port accepts connections (a request to / may wait for a function).
    (exec 3<>"/dev/tcp/127.0.0.1/$invoke_port") 2>/dev/null && break
    kill -0 "$watch_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.2
done

# --prebuilt: each function polls the emulator's runtime API for its own name, as Lambda's
# runtime does, with the environment watch would have given it.
if [[ -n "$prebuilt" ]]; then
    target_dir="$(cargo metadata --no-deps --format-version 1 | .venv/bin/python -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
    for fn in dashtam-users dashtam-audit-consumer; do
        [[ -x "$target_dir/debug/$fn" ]] || { echo "invoke-local: $target_dir/debug/$fn missing (run cargo test first)" >&2; exit 1; }
        (
            set -a && . "$env_file" && set +a
            export AWS_LAMBDA_FUNCTION_NAME="$fn" AWS_LAMBDA_FUNCTION_VERSION=1 AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256
            export AWS_LAMBDA_RUNTIME_API="http://127.0.0.1:$invoke_port/.rt/$fn"
            exec "$target_dir/debug/$fn"
        ) >>"$log" 2>&1 &
        function_pids+=($!)
    done
fi

invoke() { # invoke FUNCTION EVENT_FILE -> the function's answer
    cargo lambda invoke --invoke-address 127.0.0.1 --invoke-port "$invoke_port" "$1" --data-file "$2" --output-format json
}

if [[ $# -eq 2 ]]; then
    invoke "$1" "$2"
    exit 0
fi

fail() { echo "invoke-local: $*" >&2; echo "--- cargo lambda watch log ($log):" >&2; tail -n 40 "$log" >&2; exit 1; }
answer="$(invoke dashtam-users events/apigw-register.json)" || fail "dashtam-users failed"
status="$(.venv/bin/python -c 'import json, sys; print(json.loads(sys.argv[1])["statusCode"])' "$answer")"
[[ "$status" == 201 ]] || fail "dashtam-users answered $status: $answer"
echo "invoke-local: dashtam-users, events/apigw-register.json -> $status"

answer="$(invoke dashtam-audit-consumer events/sqs-audit.json)" || fail "dashtam-audit-consumer failed"
failures="$(.venv/bin/python -c 'import json, sys; print(len(json.loads(sys.argv[1])["batchItemFailures"]))' "$answer")"
[[ "$failures" == 0 ]] || fail "dashtam-audit-consumer reported failures: $answer"
echo "invoke-local: dashtam-audit-consumer, events/sqs-audit.json -> no batch item failures"
# The lines Lambda would send to CloudWatch: JSON with the request id, EMF metrics.
grep -m1 '"request_id"' "$log" || fail "no JSON log line with a request id"
grep -m1 '"_aws"' "$log" || fail "no EMF metric line"
