#!/usr/bin/env bash
# PoP windows through the CLI (WIRE.md §8.3): a proof signed at T verifies at T + k·30 exactly
# when the signer's window offset (-k) is among the first N of 0, -1, +1, -2, +2, … for
# --pop-windows N = 2..10 — the current window, ±1, ±2 … and just outside — and at the
# second-level edges of a window. Failures are exit 1 with 1100; TENUO_POP_MAX_WINDOWS and the
# 2–10 range are honoured.
set -euo pipefail
source "$TENUO_SOURCE_DIR/tests/cli/call_common.sh"

"$TENUO" mint --key "$ISSUER_SEED" --holder "$HOLDER_PUB" --tool read_file -c path=wildcard \
  --id "$A1_ID" --at 2024-01-01T00:00:00Z --ttl 1d > a1.b64 || fail "mint"
ARGS='{"path": "/data/report.pdf"}'
TS=$((T0 + 3600))  # signing instant, a window start well inside the warrant's life
sig=$("$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at $TS)

accepted() {  # accepted N OFFSET: is OFFSET among the verifier's first N window offsets?
  local n=$1 off=$2 i o
  for ((i = 0; i < n; i++)); do
    o=$(( (i + 1) / 2 )); (( i % 2 == 1 )) && o=$((-o))
    [[ $o == "$off" ]] && return 0
  done
  return 1
}
verify_at() {  # verify_at NOW N -> exit code; the error code is checked on denial
  local rc=0
  "$TENUO" verify --warrant @a1.b64 --trusted-root "$ISSUER_PUB" --tool read_file --args "$ARGS" \
    --signature "$sig" --at "$1" --pop-windows "$2" >out.txt 2>err.txt || rc=$?
  echo $rc
}

checked=0
for n in 2 3 4 5 6 7 8 9 10; do
  for k in -7 -6 -5 -4 -3 -2 -1 0 1 2 3 4 5 6 7; do
    # verifier clock k windows after the signer: the proof is in the verifier's window -k
    for delta in 0 29; do
      now=$((TS + k * 30 + delta))
      rc=$(verify_at $now $n)
      if accepted $n $((-k)); then
        [[ $rc == 0 ]] || { cat err.txt >&2; fail "N=$n k=$k (+${delta}s): expected accept, got $rc"; }
      else
        [[ $rc == 1 ]] || { cat err.txt >&2; fail "N=$n k=$k (+${delta}s): expected deny, got $rc"; }
        grep -q '\[1100 signature-invalid\]' err.txt || { cat err.txt >&2; fail "N=$n k=$k: code"; }
      fi
      checked=$((checked + 1))
    done
  done
done
echo "windows: $checked verifications matched the expected set"

# The sets spelled out (§8.3), as a cross-check of the rule above.
[[ $(for k in $(seq 6 -1 -6); do (( $(verify_at $((TS + k * 30)) 2) == 0 )) && printf '%s ' $((-k)); done) == "-1 0 " ]] \
  || fail "N=2 set"
[[ $(for k in $(seq 6 -1 -6); do (( $(verify_at $((TS + k * 30)) 5) == 0 )) && printf '%s ' $((-k)); done) == "-2 -1 0 1 2 " ]] \
  || fail "N=5 set"
[[ $(for k in $(seq 6 -1 -6); do (( $(verify_at $((TS + k * 30)) 4) == 0 )) && printf '%s ' $((-k)); done) == "-2 -1 0 1 " ]] \
  || fail "N=4 set"
[[ $(for k in $(seq 7 -1 -7); do (( $(verify_at $((TS + k * 30)) 10) == 0 )) && printf '%s ' $((-k)); done) == "-5 -4 -3 -2 -1 0 1 2 3 4 " ]] \
  || fail "N=10 set"

# Second-level edges: signed in the last second of a window, verified one second later (the
# next window: offset -1, accepted from N=2); signed in the first second, verified one second
# earlier (offset +1: needs N >= 3).
late=$("$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at $((TS + 29)))
[[ $late == "$sig" ]] || fail "same window, same proof"
[[ $(verify_at $((TS + 30)) 2) == 0 ]] || fail "offset -1 at the window edge"
[[ $(verify_at $((TS - 1)) 2) == 1 ]] || fail "offset +1 with N=2 must fail"
[[ $(verify_at $((TS - 1)) 3) == 0 ]] || fail "offset +1 with N=3"
[[ $(verify_at $((TS + 89)) 5) == 0 ]] || fail "offset -2 at its last second"
[[ $(verify_at $((TS + 90)) 5) == 1 ]] || fail "offset -3 with N=5 must fail"
[[ $(verify_at $((TS - 31)) 5) == 0 ]] || fail "offset +2 with N=5 (one second into window +2)"
[[ $(verify_at $((TS - 61)) 5) == 1 ]] || fail "offset +3 with N=5 must fail"

# The default is 5 windows; TENUO_POP_MAX_WINDOWS changes it; the flag wins over it.
expect_rc 0 "$TENUO" verify --warrant @a1.b64 --trusted-root "$ISSUER_PUB" --tool read_file --args "$ARGS" --signature "$sig" --at $((TS + 60))
expect_rc 1 "$TENUO" verify --warrant @a1.b64 --trusted-root "$ISSUER_PUB" --tool read_file --args "$ARGS" --signature "$sig" --at $((TS + 90))
TENUO_POP_MAX_WINDOWS=2 expect_rc 1 "$TENUO" verify --warrant @a1.b64 --trusted-root "$ISSUER_PUB" --tool read_file --args "$ARGS" --signature "$sig" --at $((TS + 60))
TENUO_POP_MAX_WINDOWS=7 expect_rc 0 "$TENUO" verify --warrant @a1.b64 --trusted-root "$ISSUER_PUB" --tool read_file --args "$ARGS" --signature "$sig" --at $((TS + 90))
TENUO_POP_MAX_WINDOWS=2 expect_rc 0 "$TENUO" verify --warrant @a1.b64 --trusted-root "$ISSUER_PUB" --tool read_file --args "$ARGS" --signature "$sig" --at $((TS + 60)) --pop-windows 5
# out of range: flag -> usage (2), environment -> input (3)
for n in 0 1 11 -3 x; do
  expect_rc 2 "$TENUO" verify --warrant @a1.b64 --trusted-root "$ISSUER_PUB" --tool read_file --signature "$sig" --at $TS --pop-windows "$n"
done
for n in 1 11 abc 5x; do
  TENUO_POP_MAX_WINDOWS=$n expect_rc 3 "$TENUO" verify --warrant @a1.b64 --trusted-root "$ISSUER_PUB" --tool read_file --args "$ARGS" --signature "$sig" --at $TS
done

# JSON reports the window that verified
"$TENUO" verify --warrant @a1.b64 --trusted-root "$ISSUER_PUB" --tool read_file --args "$ARGS" --signature "$sig" --at $((TS + 45)) --json > v.json
[[ $(json_get v.json 'd["pop"]["offset"]') == -1 ]] || fail "json pop offset"
[[ $(json_get v.json 'd["pop"]["window_ts"]') == "$TS" ]] || fail "json pop window_ts"

echo "pop windows: all checks passed"
