#!/usr/bin/env bash
# tenuo sign: the WIRE.md §19.7 PoP byte for byte, every --emit and --encoding, the holder check,
# the precheck warning (CLI.md sign; WIRE.md §8, §14).
set -euo pipefail
source "$TENUO_SOURCE_DIR/tests/cli/call_common.sh"

mint_a1 > a1.b64 || fail "mint A.1"
A17_SIG='lCtJRMPFh9p4KoHThVYtHev/zwy8sCTB43J1aHunYldkfODoAqo6gxt7hTyb6mS+1AQ+qmHLk/CmJOukWlcGDw=='
A17_HEX=942b4944c3c587da782a81d385562d1debffcf0cbcb024c1e37275687ba76257647ce0e802aa3a831b7b853c9bea64bed4043eaa61cb93f0a624eba45a57060f
ARGS='{"path": "/data/report.pdf"}'

# ---- §19.7 byte-exact, for every second of the window, and through every key/warrant input form
sig=$("$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at 1704067200 2>err.txt) \
  || { cat err.txt >&2; fail "sign §19.7"; }
[[ $sig == "$A17_SIG" ]] || fail "§19.7 PoP: got $sig"
[[ ! -s err.txt ]] || { cat err.txt >&2; fail "sign printed diagnostics for an allowed call"; }
for at in 1704067229 2024-01-01T00:00:15Z; do
  [[ $("$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at "$at") == "$A17_SIG" ]] \
    || fail "§19.7 PoP at $at"
done
[[ $("$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at 1704067230) != "$A17_SIG" ]] \
  || fail "the next window must give another signature"
# the key from the environment, args from a file and from stdin, warrant from stdin
printf '%s' "$ARGS" > args.json
[[ $(TENUO_SIGNING_KEY=$HOLDER_SEED "$TENUO" sign --warrant @a1.b64 --tool read_file --args @args.json --at $T0) == "$A17_SIG" ]] \
  || fail "TENUO_SIGNING_KEY / --args @FILE"
[[ $("$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args - --at $T0 < args.json) == "$A17_SIG" ]] \
  || fail "--args -"
[[ $("$TENUO" sign --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at $T0 < a1.b64) == "$A17_SIG" ]] \
  || fail "warrant from stdin"
# TENUO_NOW fixes the clock too (and is announced on stderr)
[[ $(TENUO_NOW=$T0 "$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" 2>err.txt) == "$A17_SIG" ]] \
  || fail "TENUO_NOW"
grep -q TENUO_NOW err.txt || fail "TENUO_NOW not announced"
# a PEM key file and the PEM warrant form
mint_a1 --format pem > a1.pem
[[ $("$TENUO" sign --warrant @a1.pem --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at $T0) == "$A17_SIG" ]] \
  || fail "PEM warrant"
# the same arguments written differently sign the same map (§8.1: key order, 1.0 == 1)
[[ $("$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args '{ "path" : "\/data\/report.pdf" }' --at $T0) == "$A17_SIG" ]] \
  || fail "escaped slash / whitespace changed the signature"

# ---- --encoding
[[ $("$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at $T0 --encoding hex) == "$A17_HEX" ]] \
  || fail "--encoding hex"
url=$("$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at $T0 --encoding base64url)
[[ $url == "$(printf '%s' "$A17_SIG" | tr '+/' '-_')" ]] || fail "--encoding base64url: $url"
[[ $url == *"==" ]] || fail "base64url keeps its padding (A2A form)"
expect_rc 2 "$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --encoding base32

# ---- --emit json
"$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at 1704067215 --emit json > sig.json
[[ $(json_get sig.json 'd["warrant_id"]') == "$A1_ID" ]] || fail "json warrant_id"
[[ $(json_get sig.json 'd["tool"]') == read_file ]] || fail "json tool"
[[ $(json_get sig.json 'd["signature"]') == "$A17_SIG" ]] || fail "json signature"
[[ $(json_get sig.json 'd["window_ts"]') == "$T0" ]] || fail "json window_ts"
[[ $(json_get sig.json 'sorted(d)') == "['signature', 'tool', 'warrant_id', 'window_ts']" ]] || fail "json members"

# --json is the reference CLI's spelling of --emit json; failures are one JSON document too
"$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at $T0 --json > sig2.json
cmp -s <(json_get sig.json 'd') <(json_get sig2.json 'd') || fail "--json == --emit json"
expect_rc 2 "$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --json --emit headers
expect_rc 1 "$TENUO" sign --warrant @a1.b64 --key "$ISSUER_SEED" --tool read_file --at $T0 --json
[[ $(json_get out.txt '(d["ok"], d["error"]["code"], d["error"]["name"])') == "(False, 1100, 'signature-invalid')" ]] \
  || fail "sign --json failure document"
expect_rc 3 "$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args '{"a":1,"a":2}' --at $T0 --emit json
[[ $(json_get out.txt 'd["error"]["code"]') == 9002 ]] || fail "sign --emit json: invalid arguments document"

# ---- --emit headers: the single leaf as URL-safe base64 without padding, the PoP standard padded
"$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at $T0 --emit headers > h.txt
[[ $(wc -l < h.txt) == 2 ]] || fail "headers: two lines"
[[ $(sed -n 1p h.txt) == "X-Tenuo-Warrant: $(cat a1.b64)" ]] || fail "headers: warrant line: $(sed -n 1p h.txt)"
[[ $(sed -n 2p h.txt) == "X-Tenuo-PoP: $A17_SIG" ]] || fail "headers: PoP line"

# ---- --emit meta: standard padded base64 of a WarrantStack (even of one) and of the PoP
"$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at $T0 --emit meta > meta.json
[[ $(json_get meta.json 'sorted(d)') == "['signature', 'warrant']" ]] || fail "meta members"
[[ $(json_get meta.json 'd["signature"]') == "$A17_SIG" ]] || fail "meta signature"
"$PY" - meta.json "$TENUO_SOURCE_DIR/tests/vectors/a1_envelope.hex" <<'PYEOF' || fail "meta warrant is not the padded standard base64 of [A.1]"
import base64, json, sys
d = json.load(open(sys.argv[1]))
w = d["warrant"]
assert len(w) % 4 == 0 and "-" not in w and "_" not in w, w
stack = base64.b64decode(w, validate=True)
env = bytes.fromhex("".join(open(sys.argv[2]).read().split()))
assert stack == b"\x81" + env, stack[:8].hex()
PYEOF
expect_rc 2 "$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --emit meta --encoding hex

# ---- every --emit × --encoding, byte for byte (stdout compared with cmp, trailing newline included)
A17_URL=$(printf '%s' "$A17_SIG" | tr '+/' '-_')
S=("$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at $T0)
pop_of() { case $1 in base64) echo "$A17_SIG" ;; base64url) echo "$A17_URL" ;; hex) echo "$A17_HEX" ;; esac; }
for enc in base64 base64url hex; do
  pop=$(pop_of $enc)
  # signature: the PoP alone, one line; base64 is the default, and the explicit flag changes nothing
  expect_rc 0 "${S[@]}" --emit signature --encoding $enc
  cmp -s out.txt <(printf '%s\n' "$pop") || fail "--emit signature --encoding $enc: $(cat out.txt)"
  # headers: the warrant line never depends on --encoding (URL-safe, no padding); the PoP line does
  expect_rc 0 "${S[@]}" --emit headers --encoding $enc
  cmp -s out.txt <(printf 'X-Tenuo-Warrant: %s\nX-Tenuo-PoP: %s\n' "$(cat a1.b64)" "$pop") \
    || { cat out.txt >&2; fail "--emit headers --encoding $enc"; }
  # json: the same four members in every encoding; only the signature's text changes
  expect_rc 0 "${S[@]}" --emit json --encoding $enc
  cmp -s out.txt <(printf '{\n  "signature": "%s",\n  "tool": "read_file",\n  "warrant_id": "%s",\n  "window_ts": %s\n}\n' \
    "$pop" "$A1_ID" "$T0") || { cat out.txt >&2; fail "--emit json --encoding $enc"; }
  cp out.txt emit_json.txt
  expect_rc 0 "${S[@]}" --json --encoding $enc
  cmp -s out.txt emit_json.txt || fail "--json --encoding $enc differs from --emit json"
done
expect_rc 0 "${S[@]}"
cmp -s out.txt <(printf '%s\n' "$A17_SIG") || fail "default output is not --encoding base64"
# --emit meta accepts the explicit --encoding base64 (its only form) and prints what the default prints
expect_rc 0 "${S[@]}" --emit meta --encoding base64
cmp -s out.txt meta.json || fail "--emit meta --encoding base64 differs from --emit meta"
expect_rc 2 "${S[@]}" --emit meta --encoding base64url

# ---- a chain: headers carry the whole stack, meta too; the PoP is the leaf holder's
"$TENUO" grant @a1.b64 --key "$HOLDER_SEED" --holder "$OTHER_PUB" --at 2024-01-01T00:00:10Z --ttl 30m \
  --id tnu_wrt_019471f8000070008000000000000002 > chain.b64 2>/dev/null || fail "grant"
"$TENUO" sign --warrant @chain.b64 --key "$OTHER_SEED" --tool read_file --args "$ARGS" --at $T0 --emit headers > hc.txt
[[ $(sed -n 1p hc.txt) == "X-Tenuo-Warrant: $(cat chain.b64)" ]] || fail "headers: chain must be the whole stack"
sig_chain=$("$TENUO" sign --warrant @chain.b64 --key "$OTHER_SEED" --tool read_file --args "$ARGS" --at $T0 --emit json)
[[ $(printf '%s' "$sig_chain" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["warrant_id"])') == tnu_wrt_019471f8000070008000000000000002 ]] \
  || fail "a chain is signed for its leaf"

# ---- refusal: the key is not the leaf holder (exit 1, 1100), nothing on stdout
expect_rc 1 "$TENUO" sign --warrant @a1.b64 --key "$ISSUER_SEED" --tool read_file --args "$ARGS" --at $T0
[[ ! -s out.txt ]] || fail "refusal printed a signature"
grep -q '1100 signature-invalid' err.txt || { cat err.txt >&2; fail "refusal code"; }
expect_rc 1 "$TENUO" sign --warrant @chain.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at $T0
expect_rc 3 "$TENUO" sign --warrant @a1.b64 --tool read_file --at $T0   # no key at all
expect_rc 3 "$TENUO" sign --warrant @a1.b64 --key 0202 --tool read_file --at $T0
expect_rc 3 "$TENUO" sign --warrant @missing.b64 --key "$HOLDER_SEED" --tool read_file --at $T0
expect_rc 2 "$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --at $T0   # --tool is required

# ---- precheck: warns on stderr, still signs (exit 0); --no-precheck is silent
expect_rc 0 "$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool write_file --args "$ARGS" --at $T0
[[ -s out.txt ]] || fail "precheck must not stop signing"
grep -q 'would be denied.*1500' err.txt || { cat err.txt >&2; fail "precheck: tool not granted"; }
expect_rc 0 "$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args '{"path": "/x", "mode": "w"}' --at $T0
grep -q 'would be denied.*1501' err.txt || { cat err.txt >&2; fail "precheck: closed-world argument"; }
expect_rc 0 "$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at 2024-01-01T01:00:00Z
grep -q 'would be denied.*1300' err.txt || { cat err.txt >&2; fail "precheck: expired"; }
expect_rc 0 "$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool write_file --at $T0 --no-precheck
[[ ! -s err.txt ]] || { cat err.txt >&2; fail "--no-precheck must be silent"; }
# with trusted roots the precheck is the full verification: an untrusted root is reported (1406)
TENUO_TRUSTED_ROOTS=$OTHER_PUB "$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at $T0 \
  >out.txt 2>err.txt || fail "sign with untrusted roots must still sign"
grep -q 'would be denied.*1406' err.txt || { cat err.txt >&2; fail "precheck: untrusted root"; }
[[ $(cat out.txt) == "$A17_SIG" ]] || fail "precheck changed the signature"
TENUO_TRUSTED_ROOTS=$ISSUER_PUB "$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at $T0 \
  >out.txt 2>err.txt || fail "sign with trusted roots"
[[ ! -s err.txt ]] || { cat err.txt >&2; fail "precheck warned about an allowed call"; }
"$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at $T0 --trusted-root "$OTHER_PUB" \
  >out.txt 2>err.txt || fail "--trusted-root on sign"
grep -q '1406' err.txt || fail "sign --trusted-root precheck"

echo "sign: all checks passed"
