#!/usr/bin/env bash
# Release build of every Lambda function under functions/ for arm64 (cargo-lambda,
# with zig from .venv), then the size of each bootstrap.
# Output: target/lambda/<binary>/bootstrap.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/bootstrap.sh"
export PATH="$root/.venv/bin:$PATH"

# arm64 is what template.yaml deploys. Its standard library comes from rustup; where
# it cannot be fetched, build for x86_64 instead so the artefacts are still proven to
# build (and say so).
arch=--arm64
target=aarch64-unknown-linux-gnu
if ! rustup target list --installed 2>/dev/null | grep -qx "$target" \
    && ! rustup target add "$target" >/dev/null 2>&1; then
    echo "build-lambdas: the $target standard library is not available here; building x86_64 instead" >&2
    arch=--x86-64
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
cargo lambda build --release "$arch" "${args[@]}"

target_dir="$(cargo metadata --no-deps --format-version 1 | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
echo "build-lambdas: bootstrap sizes (limit 10 MB)"
for dir in "$target_dir"/lambda/*/; do
    bin="$(basename "$dir")"
    if [[ -f "$dir/bootstrap" ]]; then
        printf '  %-32s %8.2f MB\n' "$bin" "$(stat -c %s "$dir/bootstrap" | awk '{print $1 / 1048576}')"
    fi
done
