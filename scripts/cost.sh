#!/usr/bin/env bash
# Refreshes the cost model's inputs and the README's sizing and cost tables:
#   1. the DynamoDB calls of each request kind, recorded by the round-trip test against
#      the emulator (infra/measurements/dynamodb-calls.json);
#   2. with --sizing, the CPU times under CPU limits (scripts/sizing.sh; a release build);
#   3. infra/cost.py --write-readme.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/bootstrap.sh

port=""
if [[ -z "${DASHTAM_TEST_AWS_ENDPOINT:-}" ]]; then
    port="$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    scripts/emulator.sh start "$port"
    trap 'scripts/emulator.sh stop "$port"' EXIT
    export DASHTAM_TEST_AWS_ENDPOINT="http://127.0.0.1:$port"
fi
DASHTAM_RECORD_MEASUREMENTS=1 cargo test -p dashtam-container --test container \
    dynamodb_round_trips -- --exact dynamodb_round_trips::each_request_makes_the_documented_dynamodb_calls
if [[ "${1:-}" == "--sizing" ]]; then
    scripts/sizing.sh
fi
.venv/bin/python infra/cost.py --write-readme
