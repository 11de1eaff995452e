#!/usr/bin/env bash
# The HTTP contract, checked against the server: schemathesis (pinned in
# infra/requirements.txt, config in infra/schemathesis.toml) generates requests from the
# served /openapi.json and runs every check against the in-memory local stack, signed in
# as a verified admin. Bounded: CONTRACT_MAX_TIME seconds (default 140), then 20 s for logout.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/bootstrap.sh
# Built as `cargo test --workspace` builds it (right after it, in scripts/test.sh, this
# costs nothing): a plain `cargo build` resolves tokio without the tests' `test-util`
# feature and would compile every crate above tokio a second time.
# CONTRACT_PREBUILT=1 (scripts/test.sh, after its test stage): the binary is built and
# another build may hold cargo's lock.
if [[ -z "${CONTRACT_PREBUILT:-}" ]]; then
    cargo test --workspace --no-run --quiet
fi

py=.venv/bin/python
port="$($py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
sandbox_port="$($py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
work="$(mktemp -d)"
email="contract@example.com"
password='Contract!Passw0rd'

# Limits far above what the run sends: the limiter runs (and its headers are checked)
# without turning most answers into 429s.
DASHTAM_MAILBOX_DIR="$work/mailbox" DASHTAM_ADMIN_EMAILS="$email" \
DASHTAM_RATE_LIMIT_AUTH_LOGIN=60000/60000 DASHTAM_RATE_LIMIT_AUTH_REGISTER=60000/60000 \
DASHTAM_RATE_LIMIT_AUTH_PASSWORD_RESET=60000/60000 DASHTAM_RATE_LIMIT_AUTH_TOKEN_REFRESH=60000/60000 \
DASHTAM_RATE_LIMIT_API_READ=60000/60000 DASHTAM_RATE_LIMIT_API_WRITE=60000/60000 \
RUST_LOG=warn target/debug/dashtam-local --in-memory --port "$port" --job-interval-secs 0 \
    --sandbox-port "$sandbox_port" \
    >"$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

# A verified user (an admin by configuration), signed in: the run's bearer.
access="$($py - "$base" "$email" "$password" <<'PY'
import json, re, sys, time, urllib.request
base, email, password = sys.argv[1:]
def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)
for _ in range(300):
    try:
        call("GET", "/health")
        break
    except OSError:
        time.sleep(0.1)
call("POST", "/api/v1/users", {"email": email, "password": password})
token = None
for _ in range(100):
    mails = call("GET", "/_local/mailbox?to=" + email)
    found = re.findall(r"\b[0-9a-f]{64}\b", json.dumps(mails))
    if found:
        token = found[0]
        break
    time.sleep(0.1)
call("POST", "/api/v1/email-verifications", {"token": token})
print(call("POST", "/api/v1/sessions", {"email": email, "password": password})["access_token"])
PY
)"

# The audit trail's `since` window is relative to now (see infra/schemathesis.toml).
DASHTAM_CONTRACT_SINCE="$(date -u -d '-1 day' +%Y-%m-%dT%H:%M:%SZ)"
export DASHTAM_CONTRACT_SINCE
# From the scratch folder: schemathesis and hypothesis keep their state in the cwd.
st() {
    (cd "$work" && "$root/.venv/bin/schemathesis" --config-file "$root/infra/schemathesis.toml" \
        run "$base/openapi.json" --checks all --header "Authorization: Bearer $access" \
        --workers 2 --seed 1 "$@")
}
status=0
# Everything but logout, which ends the run's session; then logout alone, last.
st --max-time "${CONTRACT_MAX_TIME:-140}" --exclude-path /api/v1/sessions/current || status=$?
st --max-time 20 --include-path /api/v1/sessions/current || status=$?
if [[ $status -ne 0 ]]; then
    echo "contract-test: schemathesis failed (server log: last lines follow)" >&2
    tail -n 20 "$work/server.log" >&2
fi
exit "$status"
