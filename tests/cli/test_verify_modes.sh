#!/usr/bin/env bash
# tenuo verify: verdicts and codes with --no-pop (1500, 1501, allowed), chain-only verification,
# and the enforcement modes (CLI.md verify): the same denied call in enforce / audit /
# permissive gives exit 1 / 0 / 0, the documented stderr, JSON and audit line — and the
# verdict never changes with the mode. Input errors stay exit 3 in every mode.
set -euo pipefail
source "$TENUO_SOURCE_DIR/tests/cli/call_common.sh"

"$TENUO" mint --key "$ISSUER_SEED" --holder "$HOLDER_PUB" --tool read_file -c path=subpath:/data \
  --id "$A1_ID" --at 2024-01-01T00:00:00Z --ttl 1h > w.b64
V=("$TENUO" verify --warrant @w.b64 --trusted-root "$ISSUER_PUB" --at $T0)

# ---- verdicts with --no-pop
expect_rc 0 "${V[@]}" --tool read_file --args '{"path": "/data/a.txt"}' --no-pop
grep -q "^allowed: tool 'read_file'" out.txt || fail "allowed line"
grep -q 'NOT checked' out.txt || fail "--no-pop must say the PoP was not checked"
expect_rc 1 "${V[@]}" --tool write_file --args '{"path": "/data/a.txt"}' --no-pop
grep -q '\[1500 tool-not-authorized\]' err.txt || { cat err.txt >&2; fail "tool not granted: 1500"; }
[[ ! -s out.txt ]] || fail "enforced denial printed on stdout"
expect_rc 1 "${V[@]}" --tool read_file --args '{"path": "/etc/passwd"}' --no-pop
grep -q '\[1501 constraint-violation\]' err.txt || fail "constraint violation: 1501"
expect_rc 1 "${V[@]}" --tool read_file --args '{"path": "/data/a", "extra": 1}' --no-pop
grep -q '\[1501 constraint-violation\]' err.txt || fail "closed world: 1501"
expect_rc 1 "${V[@]}" --tool read_file --args '{}' --no-pop
grep -q '\[1501 constraint-violation\]' err.txt || fail "missing argument: 1501"
expect_rc 1 "${V[@]}" --tool read_file --args '{"path": null}' --no-pop
grep -q '\[1501 constraint-violation\]' err.txt || fail "null argument counts as missing: 1501"
expect_rc 1 "$TENUO" verify --warrant @w.b64 --trusted-root "$ISSUER_PUB" --at 2024-01-01T01:00:00Z --tool read_file --args '{"path": "/data/a"}' --no-pop
grep -q '\[1300 warrant-expired\]' err.txt || fail "expired: 1300"
expect_rc 1 "$TENUO" verify --warrant @w.b64 --trusted-root "$OTHER_PUB" --at $T0 --tool read_file --args '{"path": "/data/a"}' --no-pop
grep -q '\[1406 untrusted-root\]' err.txt || fail "untrusted root: 1406"
expect_rc 1 "${V[@]}" --tool read_file --args '{"path": "/data/a"}' --no-pop --revoked "$A1_ID"
grep -q '\[1800 warrant-revoked\]' err.txt || fail "revoked: 1800"
# the verdict of record: with a (valid) PoP the call is allowed, and PoP failures come before constraints
sig=$("$TENUO" sign --warrant @w.b64 --key "$HOLDER_SEED" --tool read_file --args '{"path": "/etc/passwd"}' --at $T0 2>/dev/null)
expect_rc 1 "${V[@]}" --tool read_file --args '{"path": "/etc/passwd"}' --signature "$sig"
grep -q '\[1501' err.txt || fail "valid PoP, bad argument: 1501"
expect_rc 1 "${V[@]}" --tool read_file --args '{"path": "/data/x"}' --signature "$sig"
grep -q '\[1100' err.txt || fail "PoP over other arguments: 1100 before constraints"

# ---- usage: --tool needs --signature or --no-pop; they exclude each other; call flags need --tool
expect_rc 2 "${V[@]}" --tool read_file --args '{"path": "/data/a"}'
expect_rc 2 "${V[@]}" --tool read_file --signature "$sig" --no-pop
expect_rc 2 "${V[@]}" --args '{}'
expect_rc 2 "${V[@]}" --no-pop
expect_rc 2 "${V[@]}" --tool read_file --no-pop --mode lenient
expect_rc 3 "$TENUO" verify --warrant @w.b64 --at $T0 --tool read_file --no-pop   # no trusted root

# ---- chain only (no --tool)
expect_rc 0 "${V[@]}"
grep -q '^valid: chain of 1' out.txt || fail "chain-only valid line"
expect_rc 0 "${V[@]}" --json
[[ $(json_get out.txt 'd["valid"], d["ok"], d["decision"], d["tool"], d["chain_length"]') == "(True, True, 'allow', None, 1)" ]] \
  || { cat out.txt; fail "chain-only JSON"; }
[[ $(json_get out.txt '[c["check"] for c in d["checks"]]') == "['signature', 'chain', 'trust', 'time', 'revocation']" ]] \
  || fail "chain-only checks"
expect_rc 1 "$TENUO" verify --warrant @w.b64 --trusted-root "$OTHER_PUB" --at $T0 --json
[[ $(json_get out.txt 'd["valid"], d["error"]["code"]') == "(False, 1406)" ]] || fail "chain-only JSON denial"
[[ $(json_get out.txt '[c["status"] for c in d["checks"] if c["check"] == "trust"]') == "['fail']" ]] || fail "trust check failed"

# ---- the same denied call in each mode
call=(--tool read_file --args '{"path": "/etc/passwd"}' --no-pop)
run_mode() {  # run_mode MODE-FLAGS... ; sets rc, leaves out.txt / err.txt
  rc=0
  "${V[@]}" "${call[@]}" "$@" >out.txt 2>err.txt || rc=$?
}
rm -f audit.jsonl
for mode in enforce audit permissive; do
  for json in no yes; do
    flags=(--mode "$mode" --audit-log audit.jsonl)
    [[ $json == yes ]] && flags+=(--json)
    run_mode "${flags[@]}"
    want=0; [[ $mode == enforce ]] && want=1
    [[ $rc == "$want" ]] || { cat err.txt >&2; fail "$mode (json=$json): exit $rc, want $want"; }
    # stderr: enforce reports the error; audit and permissive report "would deny"; permissive warns
    case $mode in
      enforce)
        grep -q '^tenuo: error: .*\[1501 constraint-violation\]$' err.txt || { cat err.txt >&2; fail "enforce stderr"; }
        grep -q 'would deny' err.txt && fail "enforce must not say 'would deny'"
        grep -q WARNING err.txt && fail "enforce must not warn" ;;
      audit)
        grep -q '^tenuo: audit: would deny: .*\[1501 constraint-violation\]$' err.txt || { cat err.txt >&2; fail "audit stderr"; }
        grep -q 'tenuo: error' err.txt && fail "audit must not report an error"
        grep -q WARNING err.txt && fail "audit must not warn" ;;
      permissive)
        grep -q '^tenuo: audit: would deny: .*\[1501 constraint-violation\]$' err.txt || { cat err.txt >&2; fail "permissive stderr"; }
        grep -q '^tenuo: WARNING: permissive mode' err.txt || fail "permissive must warn" ;;
    esac
    if [[ $json == yes ]]; then
      [[ $(grep -c '' out.txt) -ge 1 ]] && "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' out.txt \
        || fail "$mode: stdout must be one JSON document"
      enforced=False; [[ $mode == enforce ]] && enforced=True
      got=$(json_get out.txt '(d["ok"], d["allowed"], d["decision"], d["mode"], d["enforced"], d["error"]["code"], d["error"]["name"])')
      [[ $got == "(False, False, 'deny', '$mode', $enforced, 1501, 'constraint-violation')" ]] \
        || fail "$mode JSON: $got"
      [[ $(json_get out.txt '[c["check"] for c in d["checks"]]') == "['signature', 'chain', 'trust', 'time', 'revocation', 'tool', 'pop', 'constraints', 'approvals']" ]] \
        || fail "$mode JSON: checks in order"
      [[ $(json_get out.txt '[(c["check"], c["status"], c["code"]) for c in d["checks"] if c["status"] != "pass"]') == \
         "[('revocation', 'skip', None), ('pop', 'skip', None), ('constraints', 'fail', 1501)]" ]] \
        || fail "$mode JSON: check outcomes $(json_get out.txt 'd["checks"]')"
    else
      if [[ $mode == enforce ]]; then
        [[ ! -s out.txt ]] || fail "enforce: nothing on stdout"
      else
        grep -q "^deny (not enforced: $mode mode): .*\[1501 constraint-violation\]$" out.txt || { cat out.txt; fail "$mode stdout"; }
      fi
    fi
  done
done
# the audit log: six lines, the verdict identical, only mode/enforced differ
"$PY" - audit.jsonl <<'PYEOF' || fail "audit lines"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 6, len(rows)
want = [("enforce", True), ("enforce", True), ("audit", False), ("audit", False), ("permissive", False), ("permissive", False)]
assert [(r["mode"], r["enforced"]) for r in rows] == want, rows
for r in rows:
    assert r["tenuo_audit"] == 1 and r["decision"] == "deny", r
    assert r["time"] == "2024-01-01T00:00:00Z" and r["unix"] == 1704067200, r
    assert r["tool"] == "read_file" and r["arguments"] == {"path": "/etc/passwd"}, r
    assert r["warrant_id"] == "tnu_wrt_019471f8000070008000000000000001", r
    assert r["error"]["code"] == 1501 and r["error"]["name"] == "constraint-violation", r
    assert "pop" not in r, r
    stripped = {k: v for k, v in r.items() if k not in ("mode", "enforced")}
    first = {k: v for k, v in rows[0].items() if k not in ("mode", "enforced")}
    assert stripped == first, (stripped, first)
PYEOF

# an allowed call in audit mode: exit 0, enforced true, no "would deny"; PoP recorded
sig=$("$TENUO" sign --warrant @w.b64 --key "$HOLDER_SEED" --tool read_file --args '{"path": "/data/a"}' --at $T0)
rm -f audit.jsonl
expect_rc 0 "${V[@]}" --tool read_file --args '{"path": "/data/a"}' --signature "$sig" --mode audit --audit-log audit.jsonl --json
[[ $(json_get out.txt '(d["ok"], d["decision"], d["enforced"], "error" in d)') == "(True, 'allow', True, False)" ]] || fail "audit allow JSON"
grep -q 'would deny' err.txt && fail "allowed call reported as a denial"
[[ $(json_get audit.jsonl '(d["decision"], d["enforced"], d["pop"])') == "('allow', True, '$sig')" ]] || fail "allow audit line"

# TENUO_MODE and TENUO_AUDIT_LOG; the flag wins over the environment
rm -f env.jsonl
TENUO_MODE=audit TENUO_AUDIT_LOG=env.jsonl expect_rc 0 "${V[@]}" "${call[@]}"
[[ $(json_get env.jsonl '(d["mode"], d["enforced"])') == "('audit', False)" ]] || fail "TENUO_MODE / TENUO_AUDIT_LOG"
TENUO_MODE=audit expect_rc 1 "${V[@]}" "${call[@]}" --mode enforce
TENUO_MODE=permissive expect_rc 0 "${V[@]}" "${call[@]}"
grep -q WARNING err.txt || fail "TENUO_MODE=permissive must warn"
TENUO_MODE=lenient expect_rc 3 "${V[@]}" "${call[@]}"
# input errors are exit 3 in every mode
for mode in enforce audit permissive; do
  expect_rc 3 "$TENUO" verify --warrant @missing.b64 --trusted-root "$ISSUER_PUB" --at $T0 "${call[@]}" --mode "$mode"
  expect_rc 3 "${V[@]}" --tool read_file --args '{"path": "/data/a",}' --no-pop --mode "$mode"
  expect_rc 3 "$TENUO" verify --warrant 'not a warrant' --trusted-root "$ISSUER_PUB" --at $T0 "${call[@]}" --mode "$mode" --json
  [[ $(json_get out.txt '(d["ok"], d["error"]["code"] != 0)') == "(False, True)" ]] || fail "input error JSON ($mode)"
done
# an unwritable audit log fails the command (the evidence was asked for)
expect_rc 3 "${V[@]}" "${call[@]}" --mode audit --audit-log "$work/no/such/dir/audit.jsonl"

# approvals (tests/cli/test_approvals.sh has the rest): one that is not an approval is unreadable
# input (exit 3); a gated call without approvals is 1707, failing only the approvals check
expect_rc 3 "${V[@]}" --tool read_file --args '{"path": "/data/a"}' --no-pop --approval anything
"$TENUO" mint --key "$ISSUER_SEED" --holder "$HOLDER_PUB" --tool read_file --at 2024-01-01T00:00:00Z --ttl 1h \
  --extension tenuo.approval_gates=a169726561645f66696c65a16461726773f6 > gated.b64   # {"read_file": {"args": null}}
expect_rc 1 "$TENUO" verify --warrant @gated.b64 --trusted-root "$ISSUER_PUB" --at $T0 --tool read_file --no-pop --json
[[ $(json_get out.txt '(d["error"]["code"], [c["check"] for c in d["checks"] if c["status"] == "fail"])') == "(1701, ['approvals'])" ]] \
  || fail "approval gate without approvers: 1701"

echo "verify modes: all checks passed"
