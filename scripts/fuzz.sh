#!/usr/bin/env bash
# make fuzz: builds the libFuzzer target over envelope decoding and every payload's
# domain mapping (Sources/fairway-fuzz) with -sanitize=fuzzer,address, seeds a corpus
# from real messages, and fuzzes for FUZZ_SECONDS (default 60). A crash leaves its
# input in out/fuzz/; copy it to Tests/Fuzz/regressions/ once fixed (make test replays them).
# FUZZ_BUILD_ONLY=1 stops after the sanitizer build (.ci/run does it in the background).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${FUZZ_SECONDS:-60}
SCRATCH=.build-fuzz
OUT=out/fuzz
mkdir -p "$OUT/corpus"
swift build -c debug --scratch-path "$SCRATCH" --product fairway-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -parse-as-library
[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0
BIN="$(swift build -c debug --scratch-path "$SCRATCH" --show-bin-path)/fairway-fuzz"
# Seeds: real messages (written by the replay build) plus the kept regressions.
swift build --product fairway-fuzz >/dev/null
"$(swift build --show-bin-path)/fairway-fuzz" --write-seeds "$OUT/seeds" >/dev/null
cp -n Tests/Fuzz/regressions/* "$OUT/corpus/" 2>/dev/null || true
echo "fuzzing envelope decoding for ${SECONDS_TO_RUN}s (corpus $OUT/corpus)"
"$BIN" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -print_final_stats=1 \
  -artifact_prefix="$OUT/" "$OUT/corpus" "$OUT/seeds"
