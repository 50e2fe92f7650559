#!/usr/bin/env bash
# The long fuzz campaign: every target for SECONDS (default 600) in turn, on a corpus that
# grows in fuzz/corpus-long/<target> (seeded from the committed fuzz/corpus/<target>, not
# committed itself). Crashes land in fuzz/artifacts/<target>/; the script exits non-zero
# if any target found one. Usage: fuzz/run-long.sh [SECONDS] [TARGET...]
set -uo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)
fi
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked --version 0.13.2
failed=()
for target in "${targets[@]}"; do
    corpus="fuzz/corpus-long/$target"
    mkdir -p "$corpus"
    cp -n fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null || true
    echo "=== $target (${seconds}s)"
    if ! cargo fuzz run --fuzz-dir fuzz --sanitizer none "$target" "$corpus" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 2>&1 | tail -n 8; then
        failed+=("$target")
    fi
done
if [ "${#failed[@]}" -gt 0 ]; then
    echo "targets with findings: ${failed[*]} (see fuzz/artifacts/)"
    exit 1
fi
echo "no findings"
