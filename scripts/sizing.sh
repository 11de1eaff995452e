#!/usr/bin/env bash
# Times the typical request of each function kind under CPU limits that stand for Lambda
# memory sizes (Lambda gives one vCPU at 1,769 MB, and CPU in proportion below it), and
# writes infra/measurements/sizing.json, which infra/cost.py reads.
#
#   scripts/sizing.sh [MB ...]     default: 128 256 512 1024 1769
#
# With a writable cgroup cpu controller (v1 or v2; root) each size runs in its own cgroup
# with a CFS quota of MB/1769 of one CPU per 20 ms period. Without one, it runs once on a
# full core and the file says "computed": infra/cost.py then scales the CPU time.
# Either way every run also records the process's CPU time per request, which a busy
# neighbour on a shared machine does not inflate (its wall times it does).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(128 256 512 1024 1769)
period=20000

cargo build --release -p dashtam-warm-bench >&2
target_dir="$(cargo metadata --no-deps --format-version 1 | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
bin="$target_dir/release/dashtam-warm-bench"

# The cgroup to make children in, and how to set its quota.
cgroup="" version=""
if [[ -w /sys/fs/cgroup/cpu ]]; then
    cgroup=/sys/fs/cgroup/cpu version=1
elif [[ -w /sys/fs/cgroup/cgroup.subtree_control ]] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers; then
    cgroup=/sys/fs/cgroup version=2
fi

run_limited() { # run_limited MB -> JSON of one run
    local mb=$1 dir="$cgroup/dashtam-sizing-$$-$1"
    local quota=$((period * mb / 1769))
    mkdir "$dir"
    if [[ $version == 1 ]]; then
        echo "$period" >"$dir/cpu.cfs_period_us"
        echo "$quota" >"$dir/cpu.cfs_quota_us"
    else
        echo "$quota $period" >"$dir/cpu.max"
    fi
    local out rc=0
    out="$(sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" --sizing' _ "$dir" "$bin")" || rc=$?
    rmdir "$dir" 2>/dev/null || true
    [[ $rc -eq 0 ]] || return $rc
    echo "$out"
}

runs="{}"
if [[ -n "$cgroup" ]]; then
    method="cgroup v$version CFS quota: MB/1769 of one CPU per ${period} us period"
    for mb in "${sizes[@]}"; do
        echo "sizing: $mb MB" >&2
        run="$(run_limited "$mb")"
        runs="$(python3 -c 'import json, sys; r = json.loads(sys.argv[1]); r[sys.argv[2]] = json.loads(sys.argv[3]); print(json.dumps(r))' "$runs" "$mb" "$run")"
    done
else
    method="computed: one run on a full core, CPU time scaled by 1769/MB"
    echo "sizing: no writable cgroup cpu controller; one unlimited run" >&2
    runs="$(python3 -c 'import json, sys; print(json.dumps({"1769": json.loads(sys.argv[1])}))' "$("$bin" --sizing)")"
fi

python3 - "$method" "$runs" >infra/measurements/sizing.json <<'PY'
import datetime, json, os, sys
print(json.dumps({
    "measured": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "method": sys.argv[1],
    "load_average": os.getloadavg()[0],
    "cpus": os.cpu_count(),
    "runs": json.loads(sys.argv[2]),
}, indent=2, sort_keys=True))
PY
echo "sizing: wrote infra/measurements/sizing.json" >&2
