#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 20) each, from a scratch copy of the committed
# seed corpus, and fails on the first crash (libFuzzer leaves the input in fuzz/artifacts/).
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECONDS_EACH=${1:-20}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(policy folder mlflow allowed_signers approval)
FUZZ=${CARGO_FUZZ:-$PWD/../.tools/bin/cargo-fuzz}
[ -x "$FUZZ" ] || FUZZ=cargo-fuzz
export RUSTC_BOOTSTRAP=1
# A development build without a sanitizer: quick to build for a short smoke run (the code is
# safe Rust; the long recorded runs use the default release build with AddressSanitizer).
MODE=(--dev --sanitizer none)
for t in "${TARGETS[@]}"; do "$FUZZ" build "${MODE[@]}" "$t" 2>&1 | tail -1; done
for t in "${TARGETS[@]}"; do
  work=$(mktemp -d)
  cp -r "corpus/$t/." "$work/"
  echo "fuzzing $t for ${SECONDS_EACH}s"
  status=0
  "$FUZZ" run "${MODE[@]}" "$t" "$work" -- -max_total_time="$SECONDS_EACH" -rss_limit_mb=4096 -print_final_stats=1 \
    > "$work.log" 2>&1 || status=$?
  grep -E "^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY|Test unit written)|panicked" "$work.log" || true
  [ "$status" = 0 ] || tail -40 "$work.log"
  rm -rf "$work" "$work.log"
  if [ "$status" != 0 ]; then
    echo "fuzz target $t failed (exit $status); the crashing input is under fuzz/artifacts/$t/" >&2
    exit 1
  fi
done
echo "fuzzing passed: ${TARGETS[*]}"
