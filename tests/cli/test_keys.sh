#!/usr/bin/env bash
# tenuo keygen / tenuo pubkey: files, modes, overwrite protection, formats, every key input form,
# exit codes (CLI.md §1, §2 keygen; WIRE.md §19.1).
set -euo pipefail
: "${TENUO:?TENUO must point at the tenuo binary}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() { echo "FAIL: $*" >&2; exit 1; }
hex_of() { od -An -v -tx1 | tr -d ' \n'; }  # stdin as lowercase hex (coreutils only)
expect_rc() {  # expect_rc CODE CMD...
  local want=$1; shift
  local rc=0
  "$@" >out.txt 2>err.txt || rc=$?
  [[ $rc == "$want" ]] || { cat err.txt >&2; fail "expected exit $want, got $rc: $*"; }
}

A1_PUB=8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c
A1_SEED_HEX=$(printf '01%.0s' {1..32})
A1_SEED_B64=AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=
A1_KEY_PEM=$'-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB\n-----END PRIVATE KEY-----'
A1_PUB_PEM=$'-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAiojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=\n-----END PUBLIC KEY-----'
A1_V2_PEM=$'-----BEGIN PRIVATE KEY-----\nMFECAQEwBQYDK2VwBCIEIAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB\ngSEAiojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=\n-----END PRIVATE KEY-----'

# ---- keygen NAME: files and modes
"$TENUO" keygen alice >alice.stdout 2>/dev/null || fail "keygen alice"
[[ -f alice.key && -f alice.pub ]] || fail "alice.key / alice.pub not written"
[[ $(stat -c %a alice.key) == 600 ]] || fail "alice.key mode is $(stat -c %a alice.key), want 600"
[[ $(stat -c %a alice.pub) == 644 ]] || fail "alice.pub mode is $(stat -c %a alice.pub), want 644"
grep -q '^-----BEGIN PRIVATE KEY-----$' alice.key || fail "alice.key is not PKCS#8 PEM"
grep -q '^-----BEGIN PUBLIC KEY-----$' alice.pub || fail "alice.pub is not SPKI PEM"
cmp -s alice.stdout alice.pub || fail "keygen NAME should print the public key (pem by default)"
[[ $("$TENUO" pubkey alice.key) == "$(cat alice.pub)" ]] || fail "pubkey of alice.key != alice.pub"

# umask does not change the key file mode
(umask 077 && "$TENUO" keygen umasked >/dev/null 2>&1) || fail "keygen under umask 077"
[[ $(stat -c %a umasked.key) == 600 ]] || fail "umasked.key mode $(stat -c %a umasked.key)"

# ---- no overwrite without --force (exit 3, files untouched)
sum_before=$(cat alice.key alice.pub | sha256sum)
expect_rc 3 "$TENUO" keygen alice
[[ $(cat alice.key alice.pub | sha256sum) == "$sum_before" ]] || fail "alice files changed without --force"
# an existing NAME.pub alone also blocks, and no NAME.key is left behind
echo "placeholder" > carol.pub
expect_rc 3 "$TENUO" keygen carol
[[ ! -e carol.key ]] || fail "carol.key created although carol.pub exists"
# a symlink in place of NAME.key is not followed
ln -s "$work/target-of-link" dave.key
expect_rc 3 "$TENUO" keygen dave
[[ ! -e target-of-link ]] || fail "keygen followed a symlink"

# ---- --force replaces both files and restores mode 0600
chmod 644 alice.key
"$TENUO" keygen alice --force >/dev/null 2>&1 || fail "keygen --force"
[[ $(cat alice.key alice.pub | sha256sum) != "$sum_before" ]] || fail "--force did not replace the key"
[[ $(stat -c %a alice.key) == 600 ]] || fail "--force left mode $(stat -c %a alice.key)"
[[ $("$TENUO" pubkey @alice.key) == "$(cat alice.pub)" ]] || fail "after --force, .key and .pub disagree"
ls alice.key.tmp* >/dev/null 2>&1 && fail "temporary file left behind"

# ---- --out-dir, formats with NAME
mkdir keys
"$TENUO" keygen bob --out-dir keys --format hex >bob.hex 2>/dev/null || fail "keygen --out-dir"
[[ -f keys/bob.key && -f keys/bob.pub ]] || fail "--out-dir not honoured"
[[ $(cat bob.hex) =~ ^[0-9a-f]{64}$ ]] || fail "keygen NAME --format hex printed '$(cat bob.hex)'"
[[ $("$TENUO" pubkey keys/bob.key --format hex) == "$(cat bob.hex)" ]] || fail "bob hex mismatch"
"$TENUO" keygen erin --out-dir keys --format json >erin.json 2>/dev/null || fail "keygen NAME --format json"
/usr/bin/python3 - "$work/erin.json" "$work/keys/erin.pub" <<'PY' || fail "keygen NAME json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["public_key_pem"] == open(sys.argv[2]).read(), "pem differs from .pub"
assert len(d["public_key_hex"]) == 64
assert d["private_key_file"].endswith("erin.key") and d["public_key_file"].endswith("erin.pub")
assert not any(k.startswith("private_key") and k != "private_key_file" for k in d), "secret printed"
PY
expect_rc 3 "$TENUO" keygen frank --out-dir "$work/does/not/exist"

# ---- keygen without NAME: private key on stdout, each format
"$TENUO" keygen >k.pem 2>/dev/null || fail "keygen (pem)"
grep -q '^-----BEGIN PRIVATE KEY-----$' k.pem || fail "keygen default is not PKCS#8 PEM"
"$TENUO" keygen --format base64 >k.b64 || fail "keygen --format base64"
[[ $(cat k.b64) =~ ^[A-Za-z0-9+/]{43}=$ ]] || fail "base64 seed is '$(cat k.b64)'"
"$TENUO" keygen --format hex >k.hex || fail "keygen --format hex"
[[ $(cat k.hex) =~ ^[0-9a-f]{64}$ ]] || fail "hex seed is '$(cat k.hex)'"
"$TENUO" keygen --format json >k.json || fail "keygen --format json"
pk=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["private_key"], end="")' k.json)
hx=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["public_key_hex"])' k.json)
[[ $("$TENUO" pubkey "$pk" --format hex) == "$hx" ]] || fail "json private_key and public_key_hex disagree"
[[ $("$TENUO" keygen --format hex) != $(cat k.hex) ]] || fail "two keygen runs gave the same key"
# the CI idiom
export TENUO_TEST_KEY; TENUO_TEST_KEY=$("$TENUO" keygen --format base64)
"$TENUO" pubkey env:TENUO_TEST_KEY --format hex >/dev/null || fail "env:NAME with a base64 seed"
expect_rc 2 "$TENUO" keygen --format xml
expect_rc 2 "$TENUO" keygen --bogus

# ---- pubkey: every input form of the A.1 issuer key gives the same public key
printf '%s\n' "$A1_KEY_PEM" > a1.key
printf '%s' "$A1_SEED_HEX" > a1.hex
export A1_ENV="$A1_SEED_B64"
check_pub() {  # check_pub LABEL ARGS...
  local label=$1; shift
  local got
  got=$("$@") || fail "$label: exit $?"
  [[ $got == "$A1_PUB" ]] || fail "$label: got '$got'"
}
check_pub "hex seed" "$TENUO" pubkey "$A1_SEED_HEX" --format hex
check_pub "base64 seed" "$TENUO" pubkey "$A1_SEED_B64" --format hex
check_pub "base64 seed, no padding" "$TENUO" pubkey "${A1_SEED_B64%=}" --format hex
check_pub "PKCS#8 v1 literal" "$TENUO" pubkey "$A1_KEY_PEM" --format hex
check_pub "PKCS#8 v2 literal" "$TENUO" pubkey "$A1_V2_PEM" --format hex
check_pub "@file" "$TENUO" pubkey @a1.key --format hex
check_pub "plain path" "$TENUO" pubkey a1.key --format hex
check_pub "hex file" "$TENUO" pubkey @a1.hex --format hex
check_pub "env:" "$TENUO" pubkey env:A1_ENV --format hex
check_pub "stdin -" "$TENUO" pubkey - --format hex <a1.key
check_pub "stdin default" "$TENUO" pubkey --format hex <a1.key
check_pub "SPKI re-encode" "$TENUO" pubkey "$A1_PUB_PEM" --format hex
[[ $("$TENUO" pubkey @a1.key) == "$A1_PUB_PEM" ]] || fail "pubkey --format pem (default) != WIRE §19.1 SPKI"
[[ $("$TENUO" pubkey @a1.key --format base64) == "iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=" ]] ||
  fail "pubkey --format base64"
# the PEM the CLI prints ends with exactly one newline
"$TENUO" pubkey @a1.key > a1.pub
[[ $(tail -c 1 a1.pub | hex_of) == 0a && $(tail -c 2 a1.pub | hex_of) != 0a0a ]] || fail "PEM trailing newline"

# ---- bad key text: exit 3
expect_rc 3 "$TENUO" pubkey garbage
expect_rc 3 "$TENUO" pubkey "${A1_SEED_HEX:0:62}"
expect_rc 3 "$TENUO" pubkey "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ=="
expect_rc 3 "$TENUO" pubkey @"$work/missing.key"
expect_rc 3 "$TENUO" pubkey env:TENUO_TEST_UNSET_VARIABLE
printf 'not a key\n' > junk.key
expect_rc 3 "$TENUO" pubkey @junk.key
expect_rc 3 "$TENUO" pubkey "$(printf '%s\n' "$A1_KEY_PEM" | head -2)"
grep -q '^tenuo: error: .*\[9001 invalid-input\]$' err.txt || fail "bad key: no one-line error: $(cat err.txt)"
[[ $(wc -l <err.txt) == 1 ]] || fail "error message is not one line"
# a small-order public key is not a key
expect_rc 3 "$TENUO" pubkey $'-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n-----END PUBLIC KEY-----'
expect_rc 2 "$TENUO" pubkey "$A1_SEED_HEX" --format json

echo "keys: ok"
