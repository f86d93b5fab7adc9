#!/usr/bin/env bash
# Every field a PoP binds (WIRE.md §8.2: warrant id, tool, each argument name and value, the
# window) is checked: changing any one of them makes verify exit 1 with 1100, while the
# untouched call is allowed. Also: PoP dialects (standard/URL-safe base64, padded or not, hex).
set -euo pipefail
source "$TENUO_SOURCE_DIR/tests/cli/call_common.sh"

# Two warrants with the same holder and tools but different ids; tools without constraints so
# that only the PoP can deny a tampered call (§10.3: the PoP is checked before constraints).
mint_w() {
  "$TENUO" mint --key "$ISSUER_SEED" --holder "$HOLDER_PUB" --tool read_file --tool write_file \
    --id "$1" --at 2024-01-01T00:00:00Z --ttl 1h
}
mint_w tnu_wrt_019471f8000070008000000000000011 > w1.b64
mint_w tnu_wrt_019471f8000070008000000000000012 > w2.b64
ARGS='{"path": "/data/report.pdf", "limit": 10, "opts": {"follow": true, "tags": ["a", "b"]}, "note": null, "ratio": 0.5}'
sig=$("$TENUO" sign --warrant @w1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at $T0)

verify() {  # verify WARRANT TOOL ARGS AT [SIG] -> stdout/err in files, exit code echoed
  local rc=0
  "$TENUO" verify --warrant "@$1" --trusted-root "$ISSUER_PUB" --tool "$2" --args "$3" \
    --signature "${5:-$sig}" --at "$4" --pop-windows 2 >out.txt 2>err.txt || rc=$?
  echo $rc
}
denied_1100() {  # denied_1100 LABEL WARRANT TOOL ARGS AT [SIG]
  local label=$1; shift
  local rc
  rc=$(verify "$@")
  [[ $rc == 1 ]] || { cat out.txt err.txt >&2; fail "$label: expected exit 1, got $rc"; }
  grep -q '\[1100 signature-invalid\]' err.txt || { cat err.txt >&2; fail "$label: expected 1100"; }
}

[[ $(verify w1.b64 read_file "$ARGS" $T0) == 0 ]] || { cat err.txt >&2; fail "the untouched call must be allowed"; }
# equivalent spellings of the same arguments are the same call
[[ $(verify w1.b64 read_file '{"ratio":5e-1,"opts":{"tags":["a","b"],"follow":true},"note":null,"limit":10.0,"path":"/data/report.pdf"}' $T0) == 0 ]] \
  || { cat err.txt >&2; fail "reordered/renumbered arguments are the same call (§8.1)"; }

# warrant id: the other warrant of the same holder
denied_1100 "warrant id" w2.b64 read_file "$ARGS" $T0
# tool (granted by the warrant, so only the PoP can object)
denied_1100 "tool" w1.b64 write_file "$ARGS" $T0
# time: two windows later with --pop-windows 2
denied_1100 "time" w1.b64 read_file "$ARGS" $((T0 + 60))
# each argument: value, type, name, presence
denied_1100 "path value" w1.b64 read_file '{"path": "/data/report.pdX", "limit": 10, "opts": {"follow": true, "tags": ["a", "b"]}, "note": null, "ratio": 0.5}' $T0
denied_1100 "path name" w1.b64 read_file '{"Path": "/data/report.pdf", "limit": 10, "opts": {"follow": true, "tags": ["a", "b"]}, "note": null, "ratio": 0.5}' $T0
denied_1100 "limit value" w1.b64 read_file '{"path": "/data/report.pdf", "limit": 11, "opts": {"follow": true, "tags": ["a", "b"]}, "note": null, "ratio": 0.5}' $T0
denied_1100 "limit type" w1.b64 read_file '{"path": "/data/report.pdf", "limit": "10", "opts": {"follow": true, "tags": ["a", "b"]}, "note": null, "ratio": 0.5}' $T0
denied_1100 "limit as float" w1.b64 read_file '{"path": "/data/report.pdf", "limit": 10.5, "opts": {"follow": true, "tags": ["a", "b"]}, "note": null, "ratio": 0.5}' $T0
denied_1100 "nested bool" w1.b64 read_file '{"path": "/data/report.pdf", "limit": 10, "opts": {"follow": false, "tags": ["a", "b"]}, "note": null, "ratio": 0.5}' $T0
denied_1100 "list order" w1.b64 read_file '{"path": "/data/report.pdf", "limit": 10, "opts": {"follow": true, "tags": ["b", "a"]}, "note": null, "ratio": 0.5}' $T0
denied_1100 "null dropped" w1.b64 read_file '{"path": "/data/report.pdf", "limit": 10, "opts": {"follow": true, "tags": ["a", "b"]}, "ratio": 0.5}' $T0
denied_1100 "null filled" w1.b64 read_file '{"path": "/data/report.pdf", "limit": 10, "opts": {"follow": true, "tags": ["a", "b"]}, "note": "", "ratio": 0.5}' $T0
denied_1100 "float value" w1.b64 read_file '{"path": "/data/report.pdf", "limit": 10, "opts": {"follow": true, "tags": ["a", "b"]}, "note": null, "ratio": 0.25}' $T0
denied_1100 "argument added" w1.b64 read_file '{"path": "/data/report.pdf", "limit": 10, "opts": {"follow": true, "tags": ["a", "b"]}, "note": null, "ratio": 0.5, "x": 1}' $T0
denied_1100 "argument removed" w1.b64 read_file '{"path": "/data/report.pdf", "limit": 10, "opts": {"follow": true, "tags": ["a", "b"]}, "note": null}' $T0
denied_1100 "no arguments" w1.b64 read_file '{}' $T0
# the signature itself: one flipped bit, all zeros
bad=$("$PY" -c 'import base64,sys; b=bytearray(base64.b64decode(sys.argv[1])); b[10]^=1; print(base64.b64encode(b).decode())' "$sig")
denied_1100 "flipped bit" w1.b64 read_file "$ARGS" $T0 "$bad"
other=$("$TENUO" sign --warrant @w1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at $T0 --no-precheck)
[[ $other == "$sig" ]] || fail "signing is deterministic"
zero=$(printf 'A%.0s' {1..86})==
denied_1100 "all-zero signature" w1.b64 read_file "$ARGS" $T0 "$zero"

# a PoP that is not 64 bytes or not base64/hex is an input error (exit 3)
for junk in 'abc' "${sig:0:40}" "$sig$sig" 'not base64 at all!' ''; do
  rc=0; "$TENUO" verify --warrant @w1.b64 --trusted-root "$ISSUER_PUB" --tool read_file --args "$ARGS" \
    --signature "$junk" --at $T0 >/dev/null 2>&1 || rc=$?
  [[ $rc == 3 || ( -z $junk && $rc == 2 ) ]] || fail "malformed PoP '$junk': exit $rc"
done

# every dialect of the same PoP is accepted (§8.4 and A2A forms, hex)
hex=$("$TENUO" sign --warrant @w1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at $T0 --encoding hex)
url=$("$TENUO" sign --warrant @w1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at $T0 --encoding base64url)
for form in "$sig" "${sig%%=*}" "$url" "${url%%=*}" "$hex" "${hex^^}"; do
  [[ $(verify w1.b64 read_file "$ARGS" $T0 "$form") == 0 ]] || { cat err.txt >&2; fail "PoP form '$form'"; }
done
printf '%s\n' "$sig" > sig.txt
[[ $(verify w1.b64 read_file "$ARGS" $T0 @sig.txt) == 0 ]] || fail "--signature @FILE"

echo "pop tamper: all checks passed"
