#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz/*_fuzz.cpp for FUZZ_SECONDS each, at most FUZZ_JOBS at
# a time, each from a scratch copy of its committed seed corpus (the committed corpus is never
# written). Prints one summary line per target and writes them to build/fuzz/summary.txt.
# Exits non-zero if any target crashed, failed an oracle (abort), leaked, timed out or ran out of
# memory; the reproducer is in build/fuzz-artifacts/<target>/.
#
# Usage: scripts/fuzz.sh [target...]      (default: every target; build with `make fuzz`)
# Environment: FUZZ_SECONDS (60), FUZZ_JOBS (2), FUZZ_TIMEOUT per input in s (20),
#              FUZZ_RSS_MB (2048), FUZZ_BUILD (build/fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
SECONDS_EACH=${FUZZ_SECONDS:-60}
JOBS=${FUZZ_JOBS:-2}
TIMEOUT=${FUZZ_TIMEOUT:-20}
RSS_MB=${FUZZ_RSS_MB:-2048}
BUILD=${FUZZ_BUILD:-build/fuzz}
RUN=$BUILD/run
ARTIFACTS=build/fuzz-artifacts
SUMMARY=$BUILD/summary.txt

[[ $SECONDS_EACH =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: FUZZ_SECONDS must be a positive integer" >&2; exit 2; }
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: FUZZ_JOBS must be a positive integer" >&2; exit 2; }

if [[ $# -gt 0 ]]; then
  targets=("$@")
else
  targets=()
  for f in tests/fuzz/*_fuzz.cpp; do
    n=$(basename "$f" .cpp)
    targets+=("${n%_fuzz}")
  done
fi
for t in "${targets[@]}"; do
  [[ -x $BUILD/tests/fuzz/fuzz_$t ]] || { echo "fuzz: $BUILD/tests/fuzz/fuzz_$t not built (run make fuzz)" >&2; exit 2; }
  [[ -d tests/fuzz/corpus/$t ]] || { echo "fuzz: no seed corpus tests/fuzz/corpus/$t" >&2; exit 2; }
done

rm -rf "$RUN"
mkdir -p "$RUN/logs" "$RUN/corpus" "$RUN/status" "$ARTIFACTS"

# UBSan findings must stop the run (libFuzzer then saves the input); ASan's leak check is on by
# default under libFuzzer.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

run_one() {
  local t=$1
  local corpus=$RUN/corpus/$t log=$RUN/logs/$t.log art=$ARTIFACTS/$t
  rm -rf "$corpus" "$art"
  mkdir -p "$corpus" "$art"
  cp -R "tests/fuzz/corpus/$t/." "$corpus/"
  local args=(-max_total_time="$SECONDS_EACH" -timeout="$TIMEOUT" -rss_limit_mb="$RSS_MB"
              -print_final_stats=1 -artifact_prefix="$art/")
  [[ -f tests/fuzz/$t.dict ]] && args+=(-dict="tests/fuzz/$t.dict")
  local start rc=0
  start=$(date +%s)
  "$BUILD/tests/fuzz/fuzz_$t" "${args[@]}" "$corpus" >"$log" 2>&1 || rc=$?
  echo "$rc $(($(date +%s) - start))" >"$RUN/status/$t"
}

summarise() {
  local t=$1 rc secs
  read -r rc secs <"$RUN/status/$t"
  local log=$RUN/logs/$t.log
  local execs cov ft files result
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [[ -z $execs ]]; then  # no final stats after a crash: the last status line's count
    execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  fi
  local status_line
  status_line=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$status_line")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$status_line")
  files=$(find "$RUN/corpus/$t" -type f | wc -l)
  if [[ $rc -eq 0 ]]; then
    result=OK
  elif grep -q 'ERROR: LeakSanitizer' "$log"; then
    result=LEAK
  elif grep -qE 'libFuzzer: timeout|ALARM: working on the last Unit' "$log"; then
    result=TIMEOUT
  elif grep -qE 'libFuzzer: out-of-memory|malloc\(.*\) exceeds limit' "$log"; then
    result=OOM
  elif grep -q 'runtime error:' "$log"; then
    result=UBSAN
  elif grep -q 'ERROR: AddressSanitizer' "$log"; then
    result=ASAN
  else
    result="CRASH(rc=$rc)"
  fi
  printf '%-18s %5ss  execs=%-10s cov=%-6s ft=%-7s corpus=%-6s %s\n' \
    "$t" "$secs" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$files" "$result"
}

echo "fuzz: ${#targets[@]} targets, ${SECONDS_EACH}s each, $JOBS at a time (logs in $RUN/logs)"
for t in "${targets[@]}"; do
  while [[ $(jobs -rp | wc -l) -ge $JOBS ]]; do wait -n || true; done
  run_one "$t" &
done
wait

failed=0
{
  echo "# make fuzz: FUZZ_SECONDS=$SECONDS_EACH, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(clang++ --version | head -1)"
  for t in "${targets[@]}"; do summarise "$t"; done
} >"$SUMMARY"
cat "$SUMMARY"
for t in "${targets[@]}"; do
  read -r rc _ <"$RUN/status/$t"
  if [[ $rc -ne 0 ]]; then
    failed=1
    echo "fuzz: $t FAILED (exit $rc); log: $RUN/logs/$t.log" >&2
    grep -E 'ERROR: |SUMMARY: |runtime error:|Test unit written to' "$RUN/logs/$t.log" | head -5 | sed 's/^/  /' >&2
    find "$ARTIFACTS/$t" -type f | sed 's/^/  artifact: /' >&2
    echo "  reproduce: $BUILD/tests/fuzz/fuzz_$t <artifact>" >&2
  fi
done
echo "fuzz: summary written to $SUMMARY; crash artifacts (if any) in $SRC/$ARTIFACTS/"
exit $failed
