#!/usr/bin/env bash
# tenuo audit-replay over Tenuo-SDK audit events (CLI.md §2 audit-replay): classifications, line
# numbers of malformed lines, --json/--jsonl, --fail-on and TENUO_MODE exit codes, --against with
# a tightened candidate, --at, stdin, --threads 1 vs 4, usage and input errors, progress bar only
# on a TTY. (Our own audit lines and receipt chains are covered through signed fixtures in
# tests/unit/test_replay.cpp.)
set -euo pipefail
: "${TENUO:?TENUO must point at the tenuo binary}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
unset TENUO_TRUSTED_ROOTS TENUO_NOW TENUO_MODE TENUO_POP_MAX_WINDOWS || true

fail() { echo "FAIL: $*" >&2; exit 1; }
PY=/usr/bin/python3
expect_rc() {  # expect_rc CODE CMD...
  local want=$1; shift
  local rc=0
  "$@" >out.txt 2>err.txt || rc=$?
  [[ $rc == "$want" ]] || { cat err.txt >&2; head -c 2000 out.txt >&2; fail "expected exit $want, got $rc: $*"; }
}

T0=1704067200  # 2024-01-01T00:00:00Z
"$TENUO" keygen root >/dev/null 2>&1
"$TENUO" keygen agent >/dev/null 2>&1
"$TENUO" keygen other >/dev/null 2>&1
W1=tnu_wrt_019471f8000070008000000000000001
"$TENUO" mint --key root.key --holder agent.pub --tool read_file -c 'read_file.path=pattern:/data/*' \
  --tool search --ttl 1h --at $T0 --id $W1 > w1.b64
mkdir warrants && cp w1.b64 warrants/w1.b64

ev() {  # ev TIME EVENT_TYPE WARRANT TOOL CONSTRAINTS_JSON [EXTRA]
  printf '{"@timestamp":"%s","event_type":"%s","warrant_id":"%s","tool":"%s","action":"x","constraints":%s%s}\n' \
    "$1" "$2" "$3" "$4" "$5" "${6:-}"
}
{
  ev 2024-01-01T00:10:00.5+00:00 authorization_success $W1 read_file '{"path":"/data/a"}'          # 1 allow
  ev 2024-01-01T00:11:00Z authorization_success $W1 read_file '{"path":"/etc/passwd"}'            # 2 drift
  ev 2024-01-01T00:12:00Z authorization_failure $W1 read_file '{"path":"/etc/shadow"}' ',"error_code":"constraint_violation"'  # 3 deny
  echo 'this is not json'                                                                        # 4 malformed
  echo                                                                                           # 5 blank
  ev 2024-01-01T00:13:00Z authorization_success tnu_wrt_019471f800007000800000000000ffff read_file '{}'  # 6 not found
  ev 2024-01-01T00:14:00Z authorization_success $W1 search '{"q":"x"}'                            # 7 allow
  ev 2024-01-01T00:15:00Z authorization_success $W1 read_file '{"path":"[REDACTED]"}'             # 8 redacted
  echo '{"@timestamp": "2024-01-01T00:16:00Z", "event_type": '                                   # 9 malformed
  ev 2024-01-01T00:17:00Z authorization_failure $W1 search '{"q":"y"}' ',"error_code":1501'       # 10 drift deny->allow
} > sdk.jsonl

# ---- default: human summary, --fail-on drift
expect_rc 1 "$TENUO" audit-replay sdk.jsonl --trusted-root root.pub --warrants warrants
grep -q 'drift allow -> deny .* 1$' out.txt || fail "summary: one allow->deny drift expected"
grep -q 'sdk.jsonl:2 .*read_file' out.txt || fail "summary lists the drift at line 2"
grep -q "argument 'path'" out.txt || fail "the drift carries its why-denied reason"
grep -q 'sdk.jsonl:4: not a JSON object' out.txt || fail "malformed line 4 reported with its number"
grep -q 'sdk.jsonl:9: not JSON' out.txt || fail "malformed line 9 reported with its number"
grep -q 'warrant-not-found' out.txt || fail "unresolved warrant is undecidable"
[[ $(grep -c $'\r' err.txt || true) == 0 ]] || fail "no progress bar when stderr is not a TTY"

# ---- --jsonl: one result per non-blank line, in order, then a summary line
expect_rc 1 "$TENUO" audit-replay sdk.jsonl --trusted-root root.pub --warrants warrants --jsonl
$PY - out.txt <<'EOF' || fail "--jsonl content"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
recs = [r for r in rows if r["type"] == "record"]
assert rows[-1]["type"] == "summary", rows[-1]
got = [(r["line"], r["outcome"], r.get("undecidable")) for r in recs]
want = [(1, "consistent-allow", None), (2, "drift-allow-to-deny", None), (3, "consistent-deny", None),
        (4, "malformed", None), (6, "undecidable", "warrant-not-found"), (7, "consistent-allow", None),
        (8, "undecidable", "arguments-redacted"), (9, "malformed", None), (10, "drift-deny-to-allow", None)]
assert got == want, got
assert all(r["file"] == "sdk.jsonl" for r in recs)
assert recs[1]["replay"]["code"] == 1501 and recs[1]["denied_arguments"] == ["path"], recs[1]
assert recs[0]["event_time"] == 1704067800 and recs[0]["pop"] == "skipped-not-recorded", recs[0]
s = rows[-1]
assert s["outcomes"]["malformed"] == 2 and s["blank_lines"] == 1 and s["records"] == 9, s
EOF

# ---- --json: one document
expect_rc 1 "$TENUO" audit-replay sdk.jsonl --trusted-root root.pub --warrants warrants --json
$PY - out.txt <<'EOF' || fail "--json content"
import json, sys
d = json.load(open(sys.argv[1]))
o = d["outcomes"]
assert (o["consistent-allow"], o["consistent-deny"], o["drift-allow-to-deny"], o["drift-deny-to-allow"],
        o["undecidable"], o["malformed"]) == (2, 1, 1, 1, 2, 2), o
assert d["by_tool"]["read_file"]["drift-allow-to-deny"] == 1, d["by_tool"]
assert {"code": 1501, "name": "constraint-violation", "count": 2} in d["by_code"], d["by_code"]
assert d["top_denied"][0] == {"tool": "read_file", "argument": "path", "count": 2}, d["top_denied"]
assert [m["line"] for m in d["malformed"]] == [4, 9], d["malformed"]
assert d["failed"] is True and d["fail_on"] == "drift"
EOF

# ---- exit policy
expect_rc 0 "$TENUO" audit-replay sdk.jsonl --trusted-root root.pub --warrants warrants --fail-on none
expect_rc 1 "$TENUO" audit-replay sdk.jsonl --trusted-root root.pub --warrants warrants --fail-on deny
expect_rc 1 "$TENUO" audit-replay sdk.jsonl --trusted-root root.pub --warrants warrants --fail-on any
head -1 sdk.jsonl > clean.jsonl
expect_rc 0 "$TENUO" audit-replay clean.jsonl --trusted-root root.pub --warrants warrants --fail-on any
sed -n 3p sdk.jsonl > denies.jsonl
expect_rc 0 "$TENUO" audit-replay denies.jsonl --trusted-root root.pub --warrants warrants
expect_rc 1 "$TENUO" audit-replay denies.jsonl --trusted-root root.pub --warrants warrants --fail-on deny
TENUO_MODE=audit expect_rc 0 "$TENUO" audit-replay sdk.jsonl --trusted-root root.pub --warrants warrants
TENUO_MODE=audit expect_rc 1 "$TENUO" audit-replay sdk.jsonl --trusted-root root.pub --warrants warrants --fail-on drift

# ---- trusted roots from the environment; none at all is an input error, never a silent accept
TENUO_TRUSTED_ROOTS=$("$TENUO" pubkey root.key --format hex) \
  expect_rc 1 "$TENUO" audit-replay sdk.jsonl --warrants warrants
expect_rc 3 "$TENUO" audit-replay sdk.jsonl --warrants warrants
expect_rc 3 "$TENUO" audit-replay missing.jsonl --trusted-root root.pub
expect_rc 3 "$TENUO" audit-replay sdk.jsonl --trusted-root root.pub --warrants no-such-dir
expect_rc 2 "$TENUO" audit-replay sdk.jsonl --trusted-root root.pub --format xml
expect_rc 2 "$TENUO" audit-replay sdk.jsonl --trusted-root root.pub --fail-on sometimes
expect_rc 2 "$TENUO" audit-replay sdk.jsonl --trusted-root root.pub --json --jsonl
expect_rc 2 "$TENUO" audit-replay sdk.jsonl --trusted-root root.pub --no-such-flag
# --json reports errors as one document too
expect_rc 3 "$TENUO" audit-replay missing.jsonl --trusted-root root.pub --json
$PY -c 'import json,sys; d=json.load(open("out.txt")); assert d["ok"] is False and d["error"]["code"] == 9003' \
  || fail "--json error document"

# ---- an untrusted root turns every decided record into a denial
expect_rc 1 "$TENUO" audit-replay clean.jsonl --trusted-root other.pub --warrants warrants --jsonl
grep -q '"name":"untrusted-root"' out.txt || fail "untrusted root must deny"

# ---- stdin
cat sdk.jsonl | expect_rc 1 "$TENUO" audit-replay - --trusted-root root.pub --warrants warrants --jsonl
grep -q '"file":"-","line":2,"format":"sdk","outcome":"drift-allow-to-deny"' out.txt || fail "stdin input"

# ---- --at: as of a fixed time (after expiry every allow drifts) and "now" through TENUO_NOW
expect_rc 1 "$TENUO" audit-replay clean.jsonl --trusted-root root.pub --warrants warrants --at 2024-01-01T02:00:00Z --jsonl
grep -q '"name":"warrant-expired"' out.txt || fail "--at TIME evaluates at that time"
TENUO_NOW=$((T0 + 60)) expect_rc 0 "$TENUO" audit-replay clean.jsonl --trusted-root root.pub --warrants warrants --at now --jsonl
grep -q "\"at\":$((T0 + 60))" out.txt || fail "--at now honours TENUO_NOW"

# ---- --against: a tightened candidate turns exactly the expected records into drifts
W9=tnu_wrt_019471f8000070008000000000000009
"$TENUO" grant w1.b64 --key agent.key --tool read_file -c 'read_file.path=pattern:/data/public/*' \
  --ttl 50m --at $((T0 + 5)) --id $W9 > candidate.b64 2>/dev/null
{
  ev 2024-01-01T00:10:00Z authorization_success $W1 read_file '{"path":"/data/public/a"}'  # 1 stays
  ev 2024-01-01T00:10:01Z authorization_success $W1 read_file '{"path":"/data/private/a"}' # 2 drift
  ev 2024-01-01T00:10:02Z authorization_success $W1 search '{"q":"x"}'                    # 3 drift (tool gone)
  ev 2024-01-01T00:10:03Z authorization_failure $W1 read_file '{"path":"/etc/x"}' ',"error_code":"constraint-violation"'  # 4 stays denied
  ev 2024-01-01T00:10:04Z authorization_success $W1 read_file '{"path":"/data/public/b"}'  # 5 stays
} > tighten.jsonl
expect_rc 0 "$TENUO" audit-replay tighten.jsonl --trusted-root root.pub --warrants warrants
expect_rc 1 "$TENUO" audit-replay tighten.jsonl --trusted-root root.pub --against @candidate.b64 --jsonl
$PY - out.txt <<'EOF' || fail "--against drifts"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])][:-1]
drifts = [r["line"] for r in recs if r["outcome"].startswith("drift")]
assert drifts == [2, 3], drifts
assert all(r["pop"] in ("skipped-against", "not-reached") for r in recs), [r["pop"] for r in recs]
assert recs[2]["replay"]["name"] == "tool-not-authorized", recs[2]
EOF

# ---- --threads 1 and 4 give identical output over a longer log (several batches)
for i in $(seq 1 1500); do
  case $((i % 5)) in
    0) ev 2024-01-01T00:20:00Z authorization_success $W1 read_file "{\"path\":\"/data/f$i\"}" ;;
    1) ev 2024-01-01T00:20:01Z authorization_success $W1 read_file "{\"path\":\"/tmp/f$i\"}" ;;
    2) echo "garbage $i" ;;
    3) ev 2024-01-01T00:20:02Z authorization_failure $W1 search "{\"q\":\"$i\"}" ;;
    4) ev 2024-01-01T00:20:03Z authorization_success tnu_wrt_019471f80000700080000000000000aa search '{}' ;;
  esac
done > big.jsonl
expect_rc 1 "$TENUO" audit-replay big.jsonl sdk.jsonl --trusted-root root.pub --warrants warrants --jsonl --threads 1
cp out.txt one.txt
expect_rc 1 "$TENUO" audit-replay big.jsonl sdk.jsonl --trusted-root root.pub --warrants warrants --jsonl --threads 4
cmp -s one.txt out.txt || fail "--threads 1 and --threads 4 differ"
[[ $(wc -l < one.txt) == $((1500 + 9 + 1)) ]] || fail "one result per non-blank line plus the summary"
expect_rc 1 "$TENUO" audit-replay big.jsonl --trusted-root root.pub --warrants warrants --threads 4 --json
$PY -c 'import json; d=json.load(open("out.txt")); assert d["outcomes"]["malformed"] == 300 and d["malformed_omitted"] == 250, d["outcomes"]' \
  || fail "malformed lines counted beyond the listed ones"

# ---- progress bar on a TTY only (stderr), never in the output
if command -v script >/dev/null 2>&1; then
  script -qec "'$TENUO' audit-replay big.jsonl --trusted-root root.pub --warrants warrants --fail-on none --threads 2" \
    /dev/null < /dev/null > tty.txt 2>&1 || true
  if grep -q 'audit-replay:' tty.txt; then
    grep -q $'\e\[K' tty.txt || fail "no progress bar on a TTY"
  else
    echo "note: no pseudo-terminal available here; TTY progress check skipped" >&2
  fi
fi

echo "audit-replay CLI: all checks passed"
