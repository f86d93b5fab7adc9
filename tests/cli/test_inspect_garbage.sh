#!/usr/bin/env bash
# `tenuo inspect` on garbage, on every prefix of the A.1 envelope (binary and base64 text), and on
# every single-bit flip of it: always exit 3 with exactly one stderr line and nothing on stdout —
# never a crash, a hang, or a warrant decoded from bytes whose signature does not verify.
set -euo pipefail
: "${TENUO:?TENUO must point at the tenuo binary}"
: "${TENUO_TESTS:?TENUO_TESTS must point at the tests directory}"
unset TENUO_NOW
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

/usr/bin/python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(open(sys.argv[1]).read().strip()))' \
  "$TENUO_TESTS/vectors/a1/envelope.hex" >a1.bin
[[ $(wc -c <a1.bin) == 219 ]] || fail "A.1 envelope is not 219 bytes"
tr -d '\n' <"$TENUO_TESTS/vectors/a1/warrant.b64" >a1.b64

# The intact envelope decodes (so the failures below are about the damage, not the setup).
"$TENUO" inspect <a1.bin >/dev/null 2>&1 || fail "intact A.1 does not decode"
"$TENUO" inspect <a1.b64 >/dev/null 2>&1 || fail "intact A.1 text does not decode"

checked=0
expect_3() {  # expect_3 FILE DESCRIPTION
  local rc=0
  timeout 10 "$TENUO" inspect <"$1" >o.txt 2>e.txt || rc=$?
  [[ $rc == 3 ]] || { cat e.txt >&2; fail "$2: exit $rc, want 3"; }
  [[ ! -s o.txt ]] || fail "$2: printed on stdout: $(head -c 200 o.txt)"
  [[ $(wc -l <e.txt) == 1 ]] || { cat e.txt >&2; fail "$2: want exactly one stderr line"; }
  grep -q '^tenuo: error: .* \[[0-9]\{4\} [a-z-]*\]$' e.txt || fail "$2: stderr is not a reason line: $(cat e.txt)"
  checked=$((checked + 1))
}

# ---- garbage
printf '' >g; expect_3 g "empty input"
printf '\n\n  \n' >g; expect_3 g "whitespace"
printf 'hello world' >g; expect_3 g "text"
printf '{"warrant": 1}' >g; expect_3 g "json"
printf '\x00' >g; expect_3 g "NUL"
printf '\x80' >g; expect_3 g "empty CBOR array"
printf '\xa0' >g; expect_3 g "empty CBOR map"
printf '\x9f\xff' >g; expect_3 g "indefinite array"
printf '\x81\x80' >g; expect_3 g "stack of an empty array"
printf '\x9b\xff\xff\xff\xff\xff\xff\xff\xff' >g; expect_3 g "array of 2^64-1 items"
printf '\x83\x01\x5b\xff\xff\xff\xff\xff\xff\xff\xff' >g; expect_3 g "byte string of 2^64-1 bytes"
printf '%s' '-----BEGIN TENUO WARRANT-----' >g; expect_3 g "PEM header only"
printf '%s\n%s\n%s\n' '-----BEGIN TENUO WARRANT-----' 'AAAA' '-----END TENUO WARRANT-----' >g; expect_3 g "PEM of garbage"
printf '%s\n%s\n' '-----BEGIN TENUO WARRANT CHAIN-----' "$(cat a1.b64)" >g; expect_3 g "unterminated PEM"
printf 'TENU\x01' >g; expect_3 g "binary magic only"
printf '%s=' "$(cat a1.b64)" >g; expect_3 g "base64url with padding"
head -c 70000 /dev/zero >g; expect_3 g "70000 zero bytes"
head -c 300000 /dev/zero | tr '\0' 'A' >g; expect_3 g "300000 base64 characters"
/usr/bin/python3 -c 'import sys; sys.stdout.buffer.write(b"\x81" * 100000)' >g; expect_3 g "100000 nested arrays"
for seed in 1 2 3 4 5 6 7 8; do
  /usr/bin/python3 -c 'import random,sys; r=random.Random(int(sys.argv[1])); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(r.randrange(1, 600))))' "$seed" >g
  expect_3 g "random bytes (seed $seed)"
done

# ---- every proper prefix of the envelope, as binary and as base64 text
for ((n = 0; n < 219; n++)); do
  head -c "$n" a1.bin >p
  expect_3 p "binary prefix of $n bytes"
done
for ((n = 1; n < 292; n++)); do
  head -c "$n" a1.b64 >p
  expect_3 p "base64 prefix of $n characters"
done

# ---- every single-bit flip of the envelope
# Under ASan+UBSan (TENUO_SANITIZE set) each tenuo process costs ~0.15 s of CPU instead of ~5 ms:
# ld.so relocates ~3 million pointers in the sanitizer metadata (copy-on-write faults over ~80 MB
# of data) and LeakSanitizer scans that data at exit. There, flip one bit per byte (bit i mod 8
# of byte i, so every bit position is hit) instead of all eight, and say so; the release run
# checks all 1752, and unit.mutation checks all of them in-process under the sanitizers.
stride=1
[[ -n ${TENUO_SANITIZE:-} ]] && stride=8
STRIDE=$stride /usr/bin/python3 - <<'EOF'
import os
env = open("a1.bin", "rb").read()
stride = int(os.environ["STRIDE"])
os.makedirs("flips", exist_ok=True)
for i in range(len(env)):
    for bit in range(8):
        if stride > 1 and bit != i % 8:
            continue
        b = bytearray(env)
        b[i] ^= 1 << bit
        open(f"flips/{i:03d}_{bit}", "wb").write(bytes(b))
EOF
flips=0
for f in flips/*; do
  expect_3 "$f" "bit flip $f"
  flips=$((flips + 1))
done
if [[ $stride -gt 1 ]]; then
  echo "note: sanitizer build (TENUO_SANITIZE=$TENUO_SANITIZE): checked $flips of the 1752 bit flips (one per byte)"
  [[ $flips == 219 && $checked -gt 700 ]] || fail "only $checked inputs ($flips bit flips) checked"
else
  [[ $flips == 1752 && $checked -gt 2000 ]] || fail "only $checked inputs ($flips bit flips) checked"
fi
echo "ok: $checked inputs"
