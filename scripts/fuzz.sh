#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo fuzz, libFuzzer, AddressSanitizer) of every parser that takes
# outside input: a plan file, an Excel import (as uploaded, and built with cells anywhere on the
# grid), a telemetry batch (HTTP or MQTT), an uploaded photo.
# Each target runs SECONDS (default 120) from the committed seeds (fuzz/seeds/<target>; the plans
# folder for plan files) and what earlier runs found (fuzz/corpus/<target>, not committed). A
# crash stops the script; the input that caused it is kept under fuzz/artifacts/<target>/ — replay it with
# `RUSTC_BOOTSTRAP=1 cargo fuzz run <target> <file>` in fuzz/.
#
#   scripts/fuzz.sh [seconds] [target…]
set -euo pipefail
secs=${1:-120}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(plan_file ledger_import sparse_sheet telemetry_batch photo_upload)
root=$(cd "$(dirname "$0")/.." && pwd)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# cargo fuzz passes nightly -Z flags (the sanitizer, coverage); the stable compiler takes them
# when told to. Only this separate workspace is built that way.
export RUSTC_BOOTSTRAP=1
cd "$root/fuzz"
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  seeds=()
  [ -d "seeds/$t" ] && seeds+=("seeds/$t")
  [ "$t" = plan_file ] && seeds+=("$root/plans")
  echo "== $t: $secs s"
  # -rss_limit_mb: a photo may legitimately decode to a few hundred MiB (the limit is 20,000 px a side).
  cargo fuzz run -O "$t" "corpus/$t" "${seeds[@]}" -- -max_total_time="$secs" -rss_limit_mb=4096 -print_final_stats=1 2>&1 \
    | grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added)|SUMMARY|panicked|ERROR" || true
  if ls "artifacts/$t"/crash-* "artifacts/$t"/oom-* "artifacts/$t"/timeout-* >/dev/null 2>&1; then
    echo "$t: failing inputs in fuzz/artifacts/$t" >&2
    exit 1
  fi
done
