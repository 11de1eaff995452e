#!/usr/bin/env bash
# Runs Dashtam locally on a fresh machine: installs the Python tools (.venv), starts
# the AWS emulator on 127.0.0.1:4566 unless one answers there, creates the resources
# of template.yaml for env `local`, and serves the API on http://127.0.0.1:3000.
# Extra arguments go to dashtam-local. Stops only the emulator it started itself.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
port="${DASHTAM_EMULATOR_PORT:-4566}"
endpoint="http://127.0.0.1:$port"

scripts/bootstrap.sh

started=""
if ! scripts/emulator.sh status "$port"; then
    scripts/emulator.sh start "$port"
    started=1
fi
cleanup() {
    if [[ -n "$started" ]]; then
        scripts/emulator.sh stop "$port"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

vars="$(.venv/bin/python infra/provision.py --endpoint "$endpoint" --env local 2>.local/provision.log)" || {
    cat .local/provision.log >&2
    exit 1
}
# Export every KEY=VALUE of the JSON object provision.py printed.
while IFS= read -r -d '' assignment; do
    export "$assignment"
done < <(.venv/bin/python -c 'import json, sys
for k, v in json.load(sys.stdin).items():
    sys.stdout.write(f"{k}={v}\0")' <<<"$vars")

export AWS_ENDPOINT_URL="$endpoint"
export AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=test
export AWS_SECRET_ACCESS_KEY=test
export DASHTAM_MAILBOX_DIR="$root/.local/mailbox"
export DASHTAM_API_BASE_URL="${DASHTAM_API_BASE_URL:-http://127.0.0.1:3000}"
export DASHTAM_APP_URL="${DASHTAM_APP_URL:-http://127.0.0.1:3000}"
export RUST_LOG="${RUST_LOG:-info}"
mkdir -p "$DASHTAM_MAILBOX_DIR"

echo "run-local: AWS emulator $endpoint, env local, mailbox .local/mailbox" >&2
if [[ -z "$started" ]]; then
    exec cargo run -p dashtam-local -- --port 3000 "$@"
fi
# Not exec: the EXIT trap must outlive cargo to stop the emulator started above.
# Ctrl-C reaches cargo (foreground); the emulator ignores it and the trap stops it.
status=0
cargo run -p dashtam-local -- --port 3000 "$@" || status=$?
exit "$status"
