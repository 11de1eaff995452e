#!/usr/bin/env bash
# Import benchmark (README, "Import benchmark"). Builds dashtam-import-bench with the
# `bench-tools` profile (release optimisation without fat LTO) and runs it; extra
# arguments go to the tool (--transactions N, --rounds N, --seed N, --keep DIR,
# --import, --formats qfx,ofx,csv).
#   scripts/import-bench.sh            the parse, against ofxtools: installs the pinned
#                                      ofxtools (tools/import-bench/requirements.txt, not
#                                      part of CI's requirements) into .venv first
#   scripts/import-bench.sh --import   the whole import through the emulated DynamoDB:
#                                      DASHTAM_TEST_AWS_ENDPOINT names the emulator
#                                      (e.g. `scripts/emulator.sh start 4702`), else the
#                                      testkit starts one from .venv
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

python="${PYTHON:-python3}"
venv="$root/.venv"
req="$root/tools/import-bench/requirements.txt"

import=false
for arg in "$@"; do
    [[ "$arg" == "--import" ]] && import=true
done

if [[ "$import" == false ]]; then
    if [[ ! -x "$venv/bin/python" ]]; then
        "$python" -m venv "$venv"
    fi
    if ! "$venv/bin/python" -c 'import ofxtools' 2>/dev/null; then
        echo "==> installing $(cat "$req") into .venv" >&2
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$req"
    fi
elif [[ -z "${DASHTAM_TEST_AWS_ENDPOINT:-}" ]]; then
    echo "==> DASHTAM_TEST_AWS_ENDPOINT is not set: the testkit starts an emulator" >&2
fi

cargo build --profile bench-tools -p dashtam-import-bench
exec "$root/target/bench-tools/dashtam-import-bench" --python "$venv/bin/python" "$@"
