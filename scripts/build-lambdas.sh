#!/usr/bin/env bash
# Cross-build of every Lambda function under functions/ for arm64 (cargo-lambda, with
# zig from .venv), all in one cargo invocation.
#
#   scripts/build-lambdas.sh          the deploy build: release profile (fat LTO, opt-level z,
#                                     stripped) into target/lambda/<binary>/bootstrap, then
#                                     the size of each bootstrap
#   scripts/build-lambdas.sh --check  what CI runs: the same cross-build and link of every
#                                     function with the dev profile (no LTO, no optimisation,
#                                     so minutes instead of ~9), into target/lambda-check/;
#                                     checks that every function's bootstrap is an arm64 ELF.
#                                     Its sizes are not the deploy sizes.
set -euo pipefail

mode=release
case "${1:-}" in
    "") ;;
    --check) mode=check ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/bootstrap.sh"
export PATH="$root/.venv/bin:$PATH"

# arm64 is what template.yaml deploys. Its standard library comes from rustup; where
# it cannot be fetched, build for x86_64 instead so the artefacts are still proven to
# build (and say so).
arch=--arm64
target=aarch64-unknown-linux-gnu
machine=aarch64
if ! rustup target list --installed 2>/dev/null | grep -qx "$target" \
    && ! rustup target add "$target" >/dev/null 2>&1; then
    echo "build-lambdas: the $target standard library is not available here; building x86_64 instead" >&2
    arch=--x86-64
    machine=x86-64
fi

# The packages whose manifest is functions/<dir>/Cargo.toml.
mapfile -t packages < <(cargo metadata --no-deps --format-version 1 | python3 -c '
import json, os, sys
root = os.path.realpath("functions")
for p in json.load(sys.stdin)["packages"]:
    if os.path.dirname(os.path.dirname(os.path.realpath(p["manifest_path"]))) == root:
        print(p["name"])' | sort)
if [[ ${#packages[@]} -eq 0 ]]; then
    echo "build-lambdas: no function packages under functions/" >&2
    exit 0
fi

args=()
for p in "${packages[@]}"; do args+=(-p "$p"); done
target_dir="$(cargo metadata --no-deps --format-version 1 | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"

if [[ "$mode" == check ]]; then
    # The dev profile: host build scripts and proc macros are shared with `cargo test`.
    lambda_dir="$target_dir/lambda-check"
    cargo lambda build "$arch" --lambda-dir "$lambda_dir" "${args[@]}"
    # Every function's binary exists and is an executable for the target machine.
    mapfile -t binaries < <(cargo metadata --no-deps --format-version 1 | python3 -c '
import json, os, sys
root = os.path.realpath("functions")
for p in json.load(sys.stdin)["packages"]:
    if os.path.dirname(os.path.dirname(os.path.realpath(p["manifest_path"]))) == root:
        for t in p["targets"]:
            if "bin" in t["kind"]:
                print(t["name"])' | sort)
    missing=0
    for bin in "${binaries[@]}"; do
        file="$lambda_dir/$bin/bootstrap"
        if ! file -b "$file" 2>/dev/null | grep -qi "ELF 64-bit.*${machine//-/.}"; then
            echo "build-lambdas: $file is missing or not a $machine executable" >&2
            missing=1
        fi
    done
    [[ $missing -eq 0 ]] || exit 1
    echo "build-lambdas: ${#binaries[@]} functions cross-built for $machine (dev profile, in $lambda_dir)"
    exit 0
fi

cargo lambda build --release "$arch" "${args[@]}"

echo "build-lambdas: bootstrap sizes (limit 10 MB)"
for dir in "$target_dir"/lambda/*/; do
    bin="$(basename "$dir")"
    if [[ -f "$dir/bootstrap" ]]; then
        printf '  %-32s %8.2f MB\n' "$bin" "$(stat -c %s "$dir/bootstrap" | awk '{print $1 / 1048576}')"
    fi
done
