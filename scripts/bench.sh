#!/usr/bin/env bash
# Cold-start benchmark of every Lambda function against a bare lambda_runtime
# hello-world (ARCHITECTURE.md, "Performance budgets").
#
#   scripts/bench.sh                 # 20 interleaved cold starts per binary
#   scripts/bench.sh --runs 5        # extra arguments go to dashtam-coldstart
#
# Builds release binaries (dashtam-hello-lambda, dashtam-coldstart, dashtam-warm-bench,
# dashtam-sync-bench and every package under functions/; a function that fails to build
# is reported and skipped), then runs dashtam-coldstart over the function binaries with
# the hello-world as baseline, then the warm-request and the sync benchmarks (the sync
# one needs the emulator from scripts/bootstrap.sh's .venv, or DASHTAM_TEST_AWS_ENDPOINT;
# without either it is skipped).
# Writes target/bench/coldstart.json; child logs go to target/bench/logs/.
#
# A function with functions/<dir>/bench-skip is left out (the file says why).
# First-invocation events: functions/<dir>/bench-event.json if present; otherwise an
# empty SQS batch for packages named *-consumer; otherwise the built-in API Gateway
# HTTP API v2 `GET /__bench/not-found`. Rate limiting is off: with it, a routed request's
# first step is a DynamoDB call, which the emulator does not provide.
#
# Exit status: 0 when everything built and ran; 1 when a function failed to build or a
# binary failed at run time (the table is printed either way).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

json_query() { # json_query PYTHON_EXPR JQ_EXPR  (stdin: JSON)
    if command -v python3 >/dev/null 2>&1; then
        python3 -c "import json,sys; d=json.load(sys.stdin); $1"
    elif command -v jq >/dev/null 2>&1; then
        jq -r "$2"
    else
        echo "bench.sh: needs python3 or jq to read cargo metadata" >&2
        return 1
    fi
}

metadata=$(cargo metadata --format-version 1 --no-deps) || {
    echo "bench.sh: cargo metadata failed" >&2
    exit 1
}
target_dir=$(json_query 'print(d["target_directory"])' '.target_directory' <<<"$metadata")
release="$target_dir/release"
bench_dir="$target_dir/bench"

# One line per function package: "<package> <manifest dir> <bin> [<bin>...]".
functions=$(json_query '
import os
fdir = os.path.join(os.path.realpath(os.getcwd()), "functions") + os.sep
for p in sorted(d["packages"], key=lambda p: p["name"]):
    if not os.path.realpath(p["manifest_path"]).startswith(fdir):
        continue
    bins = [t["name"] for t in p["targets"] if "bin" in t["kind"]]
    print(p["name"], os.path.dirname(p["manifest_path"]), *bins)
' '.packages | sort_by(.name)[]
  | select(.manifest_path | startswith("'"$root"'/functions/"))
  | [.name, (.manifest_path | sub("/Cargo.toml$"; ""))] + [.targets[] | select(.kind | index("bin")) | .name]
  | join(" ")' <<<"$metadata") || exit 1

echo "==> building the baseline and the benchmark tool (release)"
if ! cargo build --release -p dashtam-hello-lambda -p dashtam-coldstart -p dashtam-warm-bench \
    -p dashtam-sync-bench; then
    echo "bench.sh: building dashtam-hello-lambda / dashtam-coldstart failed" >&2
    exit 1
fi

packages=()
while read -r pkg _; do
    [[ -n "$pkg" ]] && packages+=("$pkg")
done <<<"$functions"

failed_builds=()
if ((${#packages[@]} == 0)); then
    echo "==> no function packages under functions/"
else
    echo "==> building ${#packages[@]} function packages (release): ${packages[*]}"
    pargs=()
    for pkg in "${packages[@]}"; do pargs+=(-p "$pkg"); done
    if ! cargo build --release "${pargs[@]}"; then
        echo "==> the combined build failed; building each function on its own"
        mkdir -p "$bench_dir"
        for pkg in "${packages[@]}"; do
            log="$bench_dir/build-$pkg.log"
            if cargo build --release --color never -p "$pkg" >"$log" 2>&1; then
                echo "    $pkg: built"
            else
                first_error=$(grep -m1 -E '^error' "$log")
                echo "!! $pkg failed to build; skipping it ($first_error; full output: $log)" >&2
                failed_builds+=("$pkg")
            fi
        done
    fi
fi

binaries=()
event_args=()
while read -r pkg dir bins; do
    [[ -z "$pkg" ]] && continue
    if [[ " ${failed_builds[*]} " == *" $pkg "* ]]; then continue; fi
    if [[ -z "$bins" ]]; then
        echo "!! $pkg has no binary target; skipping it" >&2
        continue
    fi
    if [[ -f "$dir/bench-skip" ]]; then
        echo "==> not benchmarked: $pkg ($(head -n1 "$dir/bench-skip"))"
        continue
    fi
    event=""
    if [[ -f "$dir/bench-event.json" ]]; then
        event="$dir/bench-event.json"
    elif [[ "$pkg" == *-consumer ]]; then
        event="$root/tools/coldstart/events/sqs-empty-batch.json"
    fi
    for bin in $bins; do
        if [[ ! -x "$release/$bin" ]]; then
            echo "!! $release/$bin missing after the build; skipping it" >&2
            continue
        fi
        binaries+=("$release/$bin")
        [[ -n "$event" ]] && event_args+=(--event-for "$bin=$event")
    done
done <<<"$functions"

mkdir -p "$bench_dir"
echo "==> cold start: ${#binaries[@]} function binaries against dashtam-hello-lambda"
"$release/dashtam-coldstart" \
    --baseline "$release/dashtam-hello-lambda" \
    --json "$bench_dir/coldstart.json" \
    --log-dir "$bench_dir/logs" \
    --env DASHTAM_TABLE=bench \
    --env DASHTAM_EVENT_BUS=bench \
    --env DASHTAM_JWT_SECRET_ID=bench \
    --env DASHTAM_AUDIT_QUEUE_URL=http://127.0.0.1:9/q \
    --env DASHTAM_EMAIL_QUEUE_URL=http://127.0.0.1:9/q \
    --env DASHTAM_EMAIL_FROM=bench@example.com \
    --env DASHTAM_API_BASE_URL=http://bench \
    --env DASHTAM_RATE_LIMITS=off \
    --env "SSL_CERT_FILE=${BENCH_SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}" \
    "${event_args[@]}" \
    "$@" \
    "${binaries[@]}"
status=$?

echo
echo "==> warm handler overhead (in-memory adapters)"
"$release/dashtam-warm-bench" || status=1

echo
echo "==> sync of 10,000 transactions over the emulated DynamoDB, against BatchWriteItem"
if [[ -x "$root/.venv/bin/python" || -n "${DASHTAM_TEST_AWS_ENDPOINT:-}" ]]; then
    "$release/dashtam-sync-bench" || status=1
else
    echo "!! skipped: no .venv (run scripts/bootstrap.sh) and no DASHTAM_TEST_AWS_ENDPOINT" >&2
fi

if ((${#failed_builds[@]} > 0)); then
    echo "!! not benchmarked, failed to build: ${failed_builds[*]}" >&2
    status=1
fi
exit "$status"
