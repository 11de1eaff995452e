#!/usr/bin/env bash
# Moves the dead letters of the local stack's `audit` or `email` queue back onto the
# queue (after the cause is fixed); the consumers then process them again and drop any
# duplicate by event id. Needs the emulator of scripts/run-local.sh running.
#   scripts/redrive-dlq.sh audit|email
# On AWS use SQS's own redrive:
#   aws sqs start-message-move-task --source-arn <arn of dashtam-audit-dlq-ENV>
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
queue="${1:?usage: scripts/redrive-dlq.sh audit|email}"
endpoint="http://127.0.0.1:${DASHTAM_EMULATOR_PORT:-4566}"
scripts/emulator.sh status "${DASHTAM_EMULATOR_PORT:-4566}" >/dev/null \
    || { echo "redrive-dlq: no emulator at $endpoint (start scripts/run-local.sh)" >&2; exit 1; }
# Provisioning is idempotent: it prints the resource names of env `local`.
vars="$(.venv/bin/python infra/provision.py --endpoint "$endpoint" --env local 2>/dev/null)"
while IFS= read -r -d '' assignment; do
    export "$assignment"
done < <(.venv/bin/python -c 'import json, sys
for k, v in json.load(sys.stdin).items():
    sys.stdout.write(f"{k}={v}\0")' <<<"$vars")
export AWS_ENDPOINT_URL="$endpoint" AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
exec cargo run -q -p dashtam-local -- redrive "$queue"
