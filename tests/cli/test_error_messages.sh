#!/usr/bin/env bash
# A table of user mistakes: each must fail with the documented exit code (CLI.md §1) and a
# one-line stderr message that names what was wrong (every listed key word, case-insensitive).
# Usage errors (exit 2) may add CLI11's one "Run with --help" hint line.
set -euo pipefail
: "${TENUO:?set TENUO to the tenuo binary}"
TENUO=$(cd "$(dirname "$TENUO")" && pwd)/$(basename "$TENUO")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
unset TENUO_ISSUER_KEY TENUO_SIGNING_KEY TENUO_TRUSTED_ROOTS TENUO_MODE TENUO_POP_MAX_WINDOWS \
      TENUO_AUDIT_LOG TENUO_NOW TENUO_DEV_MODE NO_COLOR
t() { "$TENUO" "$@"; }

# ---- fixtures: control plane -> orchestrator -> worker, an expired warrant, a PoP
for k in cp orch worker other; do t keygen "$k" >/dev/null 2>&1; done
t mint --key cp.key --holder orch.pub --tool read_file --tool delete_file -c path=subpath:/data \
  --ttl 1h > root.tenuo
t grant @root.tenuo --key orch.key --holder worker.pub --tool read_file \
  -c read_file.path=subpath:/data/reports --ttl 10m > chain.tenuo
t mint --key cp.key --holder worker.pub --tool read_file --ttl 1m --at 2024-01-01T00:00:00Z > expired.tenuo
good='{"path": "/data/reports/q3.pdf"}'
bad='{"path": "/etc/passwd"}'
t sign --warrant @chain.tenuo --key worker.key --tool read_file --args "$good" > pop.txt
t sign --warrant @chain.tenuo --key worker.key --tool read_file --args "$bad" --no-precheck > badpop.txt
head -c 60 root.tenuo > truncated.tenuo
leaf_id=$(t inspect @chain.tenuo --json 2>/dev/null | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["warrant"]["id"])' 2>/dev/null || true)
cp_b64=$(t pubkey cp.key --format base64)
# The seed in the URL-safe alphabet with a '+' too: no base64 dialect reads it.
mixed_key=$(t keygen --format base64 | tr '/' '_' | sed 's/^./+/; s/^\(..\)./\1-/')
echo '{"path": "/data/a"}' > args.json

n=0; failed=0
expect() {  # NAME CODE KEYWORD... -- COMMAND...
  local name=$1 code=$2; shift 2
  local -a kws=()
  while [[ $1 != -- ]]; do kws+=("$1"); shift; done
  shift
  n=$((n + 1))
  local rc=0
  "$@" > out.txt 2> err.txt < "${STDIN:-/dev/null}" || rc=$?
  local err lines
  err=$(cat err.txt)
  lines=$(grep -vc '^Run with --help for more information\.$' err.txt || true)
  local why=""
  [[ $rc == "$code" ]] || why="exit $rc, want $code"
  [[ -z $why && $lines != 1 ]] && why="$lines stderr lines, want 1"
  if [[ -z $why ]]; then
    for kw in "${kws[@]}"; do
      grep -qiE -- "$kw" err.txt || { why="stderr lacks '$kw'"; break; }
    done
  fi
  if [[ -n $why ]]; then
    failed=$((failed + 1))
    printf 'FAIL %-45s %s\n     stderr: %s\n' "$name" "$why" "$err" >&2
  else
    printf 'ok   %-45s exit %s  %s\n' "$name" "$rc" "$(head -1 err.txt | cut -c1-110)"
  fi
}

# ---- usage errors (exit 2)
expect "unknown flag" 2 "--bogus" -- t mint --bogus
expect "unknown verb" 2 "frobnicate" -- t frobnicate
expect "missing required flag (sign --tool)" 2 "--tool" "required" -- t sign --warrant @chain.tenuo --key worker.key
expect "--pop-windows 11" 2 "pop-windows" "11" -- t verify --warrant @chain.tenuo -r cp.pub --pop-windows 11
expect "bad keygen --format" 2 "format" "xml" -- t keygen --format xml
expect "bad sign --emit" 2 "emit" "curl" -- t sign --warrant @chain.tenuo --key worker.key --tool read_file --emit curl
expect "--signature with --no-pop" 2 "excludes|no-pop" -- t verify --warrant @chain.tenuo -r cp.pub --tool read_file --signature @pop.txt --no-pop
expect "bad verify --mode" 2 "mode" "lenient" -- t verify --warrant @chain.tenuo -r cp.pub --mode lenient
expect "bad mint --format" 2 "format" "xml" -- t mint --key cp.key --tool t --format xml
expect "bad mint --type" 2 "type" "bogus" -- t mint --key cp.key --tool t --type bogus
expect "mint --ttl with --expires-at" 2 "ttl|expires-at" "excludes" -- t mint --key cp.key --tool t --ttl 5m --expires-at 2030-01-01T00:00:00Z
expect "bad grant --format" 2 "format" "xml" -- t grant @root.tenuo --key orch.key --format xml
expect "bad grant --emit" 2 "emit" "both" -- t grant @root.tenuo --key orch.key --emit both
expect "grant --ttl with --expires-at" 2 "ttl|expires-at" "excludes" -- t grant @root.tenuo --key orch.key --ttl 1m --expires-at 2030-01-01T00:00:00Z
expect "sign --emit meta --encoding hex" 2 "encoding" "meta" -- t sign --warrant @chain.tenuo --key worker.key --tool read_file --emit meta --encoding hex
expect "bad sign --encoding" 2 "encoding" "base32" -- t sign --warrant @chain.tenuo --key worker.key --tool read_file --encoding base32
expect "why-denied --pop-windows 1" 2 "pop-windows" "1" -- t why-denied --warrant @chain.tenuo -r cp.pub --tool read_file --pop-windows 1
expect "audit-replay --pop-windows 11" 2 "pop-windows" "11" -- t audit-replay --pop-windows 11 -r cp.pub
expect "bad audit-replay --fail-on" 2 "fail-on" "never" -- t audit-replay --fail-on never -r cp.pub
expect "bad --color" 2 "color" "sometimes" -- t inspect @chain.tenuo --color sometimes

# ---- input errors (exit 3)
expect "file not found" 3 "nope\.tenuo" -- t verify --warrant @nope.tenuo -r cp.pub
expect "key file not found" 3 "missing\.key" -- t sign --warrant @chain.tenuo --key @missing.key --tool read_file
expect "unset env: variable" 3 "NOPE_VAR" -- t mint --key env:NOPE_VAR --tool t
expect "no issuer key" 3 "key" "TENUO_ISSUER_KEY" -- t mint --tool t
expect "missing trusted root" 3 "trusted.root" "TENUO_TRUSTED_ROOTS" -- t verify --warrant @chain.tenuo
expect "malformed args JSON" 3 "argument|JSON" -- t sign --warrant @chain.tenuo --key worker.key --tool read_file --args '{"path": '
expect "args not an object" 3 "object" -- t sign --warrant @chain.tenuo --key worker.key --tool read_file --args '[1,2]'
expect "duplicate key in args" 3 "duplicate" -- t verify --warrant @chain.tenuo -r cp.pub --tool read_file --args '{"path":"a","path":"b"}' --no-pop
expect "wrong base64 dialect for a key" 3 "key|base64" -- t mint --key "$mixed_key" --tool t
expect "public key where a private key is needed" 3 "private" -- t mint --key cp.pub --tool t
expect "bad duration" 3 "duration|5x" -- t mint --key cp.key --tool t --ttl 5x
expect "bad time" 3 "yesterday" -- t mint --key cp.key --tool t --at yesterday
expect "bad --id" 3 "id" "xyz" -- t mint --key cp.key --tool t --id xyz
expect "bad -c spec" 3 "constraint|pathsubpath" -- t mint --key cp.key --tool t -c pathsubpath
expect "unknown constraint type in JSON" 3 "bogus" -- t mint --key cp.key --tool t --capabilities '{"t": {"a": {"type": "bogus"}}}'
expect "invalid clearance" 3 "clearance|superuser" -- t mint --key cp.key --tool t --clearance superuser
expect "key file exists without --force" 3 "exists|force" -- t keygen cp
STDIN=/dev/null expect "empty stdin" 3 "empty|stdin|no input" -- t inspect
expect "truncated warrant" 3 "warrant|CBOR|base64|truncat|short" -- t inspect @truncated.tenuo
expect "garbage signature text" 3 "signature" -- t verify --warrant @chain.tenuo -r cp.pub --tool read_file --args "$good" --signature 'not base64!!'
STDIN=chain.tenuo expect "stdin used twice" 3 "standard input|stdin" "once" -- t sign --warrant - --key worker.key --tool read_file --args -
expect "TENUO_MODE invalid" 3 "TENUO_MODE" -- env TENUO_MODE=strict "$TENUO" verify --warrant @chain.tenuo -r cp.pub
expect "TENUO_NOW unparsable" 3 "TENUO_NOW" -- env TENUO_NOW=soon "$TENUO" mint --key cp.key --tool t

# ---- protocol refusals and denials (exit 1)
expect "wrong key for grant" 1 "holder|issuer" -- t grant @root.tenuo --key worker.key --holder worker.pub
expect "holder mismatch on sign" 1 "holder" -- t sign --warrant @chain.tenuo --key orch.key --tool read_file --args "$good"
expect "widening grant (constraint)" 1 "path" -- t grant @chain.tenuo --key worker.key -c read_file.path=subpath:/
expect "tool not in parent" 1 "write_file" -- t grant @root.tenuo --key orch.key --tool write_file
expect "ttl over 90 days" 1 "ttl|90|lifetime" -- t mint --key cp.key --tool t --ttl 100d
expect "untrusted root" 1 "trusted" -- t verify --warrant @chain.tenuo -r other.pub
expect "expired warrant" 1 "expired" -- t verify --warrant @expired.tenuo -r cp.pub
expect "call outside the constraint" 1 "path" -- t verify --warrant @chain.tenuo -r cp.pub --tool read_file --args "$bad" --signature @badpop.txt
expect "tool not authorized" 1 "delete_file" -- t verify --warrant @chain.tenuo -r cp.pub --tool delete_file --args "$good" --signature @pop.txt
expect "PoP for other arguments" 1 "PoP|signature" -- t verify --warrant @chain.tenuo -r cp.pub --tool read_file --args '{"path": "/data/reports/q4.pdf"}' --signature @pop.txt
expect "verify --tool without a PoP" 2 "--signature" "--no-pop" -- t verify --warrant @chain.tenuo -r cp.pub --tool read_file --args "$good"
[[ $leaf_id == tnu_wrt_* ]] || { echo "FAIL: cannot read the leaf id from inspect --json" >&2; exit 1; }
expect "revoked warrant" 1 "revoked" -- t verify --warrant @chain.tenuo -r "$cp_b64" --revoked "$leaf_id"

echo "$n mistakes, $failed wrong"
((n >= 30)) || { echo "FAIL: the table needs at least 30 mistakes, has $n" >&2; exit 1; }
((failed == 0))
