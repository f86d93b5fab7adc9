#!/usr/bin/env bash
# Strict argument JSON (WIRE.md §8.1.1): a table of malformed --args documents, each refused
# with exit 3 (invalid-arguments 9002) by both `sign` and `verify`, never a crash, never a
# signature on stdout. Valid edge cases are accepted.
set -euo pipefail
source "$TENUO_SOURCE_DIR/tests/cli/call_common.sh"

mint_a1 > a1.b64
"$TENUO" mint --key "$ISSUER_SEED" --holder "$HOLDER_PUB" --tool any --id tnu_wrt_019471f8000070008000000000000021 \
  --at 2024-01-01T00:00:00Z --ttl 1h > any.b64
SIG=$("$TENUO" sign --warrant @any.b64 --key "$HOLDER_SEED" --tool any --at $T0)

deep_ok='{"a":[[[[[[[[1]]]]]]]]}'                          # nesting depth 9: allowed
deep_bad='{"a":[[[[[[[[[1]]]]]]]]]}'                       # depth 10
many_entries=$("$PY" -c 'print("{" + ",".join("\"k%d\":1" % i for i in range(257)) + "}")')
long_string=$("$PY" -c 'print("{\"a\":\"" + "x" * 65537 + "\"}")')
cases=(
  ''                               # empty text
  ' '                              # whitespace only
  'null'                           # not an object
  '[]'
  '[{"a":1}]'
  '"text"'
  '42'
  'true'
  '{'                              # truncated
  '{"a"'
  '{"a":'
  '{"a":1'
  '{"a":1,}'                       # trailing comma
  '{,"a":1}'
  '{"a" 1}'                        # missing colon
  '{a:1}'                          # unquoted key
  "{'a':1}"                        # single quotes
  '{"a":1}{"b":2}'                 # trailing data
  '{"a":1} []'
  '{"a":1} x'
  '{"a":1,"a":2}'                  # duplicate at top level
  '{"a":1,"\u0061":2}'             # duplicate after unescaping
  '{"o":{"k":1,"k":2}}'            # duplicate nested
  '{"l":[{"k":1,"k":2}]}'          # duplicate inside an array
  '{"a":NaN}'
  '{"a":Infinity}'
  '{"a":-Infinity}'
  '{"a":1e999}'                    # overflows to infinity
  '{"a":-1e400}'
  '{"a":9223372036854775808}'      # integer above i64
  '{"a":-9223372036854775809}'
  '{"a":18446744073709551616}'
  '{"a":01}'                       # leading zero
  '{"a":+1}'
  '{"a":.5}'
  '{"a":1.}'
  '{"a":1e}'
  '{"a":0x10}'
  '{"a":tru}'
  '{"a":nul}'
  '{"a":True}'
  '{"a":"\x"}'                     # bad escape
  '{"a":"\u12"}'                   # short \u escape
  '{"a":"\ud800"}'                 # lone surrogate
  '{"a":"\udc00\ud800"}'
  $'{"a":"tab\there"}'             # raw control character in a string
  $'{"a":"line\nbreak"}'
  '{"a":"unterminated}'
  '{"a":[1,2}'
  '{"a":[1,,2]}'
  '{"a":[1 2]}'
  '{"a":1}/*c*/'                   # comments
  '// c
{"a":1}'
  "$deep_bad"
  "$many_entries"
  "$long_string"
)
printf '{"a":"\xff"}' > bad_utf8.json       # invalid UTF-8
printf '{"a":"\xc0\xaf"}' > overlong.json   # overlong encoding
printf '\xef\xbb\xbf{"a":1}' > bom.json     # byte-order mark
printf '{"a":1}\x00' > nul.json

(( ${#cases[@]} >= 40 )) || fail "the table must hold at least 40 documents"
n=0
check_case() {  # check_case LABEL ARGSPEC
  local rc=0
  "$TENUO" sign --warrant @any.b64 --key "$HOLDER_SEED" --tool any --args "$2" --at $T0 >out.txt 2>err.txt || rc=$?
  [[ $rc == 3 ]] || { cat out.txt err.txt >&2; fail "sign, case $1: exit $rc (want 3)"; }
  [[ ! -s out.txt ]] || fail "sign, case $1: printed something on stdout"
  grep -q '9002 invalid-arguments' err.txt || { cat err.txt >&2; fail "sign, case $1: not invalid-arguments"; }
  rc=0
  "$TENUO" verify --warrant @any.b64 --trusted-root "$ISSUER_PUB" --tool any --args "$2" --signature "$SIG" --at $T0 \
    >out.txt 2>err.txt || rc=$?
  [[ $rc == 3 ]] || { cat out.txt err.txt >&2; fail "verify, case $1: exit $rc (want 3)"; }
  grep -q '9002 invalid-arguments' err.txt || { cat err.txt >&2; fail "verify, case $1: not invalid-arguments"; }
  # the same in audit mode: input errors are never softened
  rc=0
  "$TENUO" verify --warrant @any.b64 --trusted-root "$ISSUER_PUB" --tool any --args "$2" --signature "$SIG" --at $T0 \
    --mode audit --json >out.txt 2>err.txt || rc=$?
  [[ $rc == 3 ]] || fail "verify --mode audit, case $1: exit $rc (want 3)"
  [[ $(json_get out.txt 'd["error"]["code"]') == 9002 ]] || fail "verify --json, case $1: error document"
  n=$((n + 1))
}
for i in "${!cases[@]}"; do
  check_case "#$i ${cases[$i]:0:40}" "${cases[$i]}"
done
for f in bad_utf8.json overlong.json bom.json nul.json; do check_case "$f" "@$f"; done
echo "strict args: $n malformed documents refused by sign and verify"

# valid edge cases are accepted by both
for ok in '{}' ' { } ' "$deep_ok" '{"a":-0.0,"b":1e2,"c":1.5,"d":null,"e":"\u00e9\ud83d\ude00","f":[]}' \
          '{"a":9223372036854775807,"b":-9223372036854775808}'; do
  s=$("$TENUO" sign --warrant @any.b64 --key "$HOLDER_SEED" --tool any --args "$ok" --at $T0) \
    || fail "sign refused valid arguments $ok"
  "$TENUO" verify --warrant @any.b64 --trusted-root "$ISSUER_PUB" --tool any --args "$ok" --signature "$s" --at $T0 \
    >/dev/null 2>&1 || fail "verify refused valid arguments $ok"
done

# a malformed document is recorded in the audit log as a denial for its arguments
"$TENUO" verify --warrant @any.b64 --trusted-root "$ISSUER_PUB" --tool any --args '{"a":1,"a":2}' --signature "$SIG" \
  --at $T0 --audit-log audit.jsonl >/dev/null 2>&1 && fail "duplicate key accepted"
"$PY" - audit.jsonl <<'PYEOF' || fail "audit line for invalid arguments"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
r = json.loads(lines[0])
assert r["decision"] == "deny" and r["enforced"] is True, r
assert r["error"]["code"] == 9002 and r["error"]["name"] == "invalid-arguments", r
assert r["arguments_text"] == '{"a":1,"a":2}', r
assert "arguments" not in r, r
PYEOF
echo "strict args: all checks passed"
