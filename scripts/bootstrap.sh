#!/usr/bin/env bash
# Creates .venv in the repo root and installs infra/requirements.txt into it
# (moto's server, boto3, PyYAML, cfn-lint, cargo-lambda, AWS SAM CLI).
# Idempotent: a stamp file holds the hash of the requirements (and the Python
# version); when it matches, this returns at once and prints nothing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

python="${PYTHON:-python3}"
venv="$root/.venv"
req="$root/infra/requirements.txt"
stamp="$venv/.dashtam-requirements"
log="$root/.local/bootstrap.log"

want="$( { cat "$req"; "$python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    exit 0
fi

mkdir -p "$root/.local"
start=$SECONDS
{
    if [[ ! -x "$venv/bin/python" ]]; then
        "$python" -m venv "$venv"
    fi
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        --no-input -r "$req"
} >"$log" 2>&1 || {
    echo "bootstrap: installing $req into .venv failed; log follows ($log)" >&2
    tail -n 40 "$log" >&2
    exit 1
}
echo "$want" >"$stamp"
echo "bootstrap: .venv ready ($((SECONDS - start)) s)" >&2
