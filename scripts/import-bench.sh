#!/usr/bin/env bash
# Import parse benchmark (README, "Import parse benchmark"): installs the pinned ofxtools
# (tools/import-bench/requirements.txt, not part of CI's requirements) into .venv, builds
# dashtam-import-bench in release mode, and runs it; extra arguments go to the tool
# (--transactions N, --rounds N, --seed N, --keep DIR).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

python="${PYTHON:-python3}"
venv="$root/.venv"
req="$root/tools/import-bench/requirements.txt"
if [[ ! -x "$venv/bin/python" ]]; then
    "$python" -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import ofxtools' 2>/dev/null; then
    echo "==> installing $(cat "$req") into .venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$req"
fi

cargo build --release -p dashtam-import-bench
exec "$root/target/release/dashtam-import-bench" --python "$venv/bin/python" "$@"
