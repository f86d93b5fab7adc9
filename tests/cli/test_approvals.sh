#!/usr/bin/env bash
# Multi-signature approvals end to end (WIRE.md §5.6, §9, §14): `mint --approval-gate` with two
# required approvers and min 2, `tenuo approve` by each, `verify` with --approval, with
# `_meta.tenuo.approvals` (--meta) and X-Tenuo-Approvals (--headers); the §9.3 verdicts (1707
# none, 1700 too few, 1702 refused approver), a call the gate does not cover, a delegated leaf,
# why-denied's report and fix; the approval bytes checked with cbor2 and OpenSSL.
set -euo pipefail
source "$TENUO_SOURCE_DIR/tests/cli/call_common.sh"
command -v openssl >/dev/null || fail "openssl is required for this test"

AP1_SEED=$(printf '11%.0s' {1..32})
AP2_SEED=$(printf '12%.0s' {1..32})
AP3_SEED=$(printf '13%.0s' {1..32})
AP1_PUB=$("$TENUO" pubkey "$AP1_SEED" --format hex)
AP2_PUB=$("$TENUO" pubkey "$AP2_SEED" --format hex)
W_ID=tnu_wrt_019471f8000070008000000000000042
GATE='{"deploy": {"env": {"type": "exact", "value": "prod"}}}'
PROD='{"env": "prod"}'

"$TENUO" mint --key "$ISSUER_SEED" --holder "$HOLDER_PUB" --tool deploy --tool read_file \
  --required-approver "$AP1_PUB" --required-approver "$AP2_PUB" --min-approvals 2 \
  --approval-gate "$GATE" --id "$W_ID" --at $T0 --ttl 1h > w.b64
expect_rc 0 "$TENUO" inspect @w.b64 --json
[[ $(json_get out.txt 'd["warrant"]["approval_gates"]') == "{'deploy': {'env': {'type': 'exact', 'value': 'prod'}}}" ]] ||
  fail "inspect shows the gate map"

POP=$("$TENUO" sign -w @w.b64 --key "$HOLDER_SEED" --tool deploy --args "$PROD" --at $T0 --no-precheck)
"$TENUO" approve --key "$AP1_SEED" -w @w.b64 --tool deploy --args "$PROD" --at $T0 --external-id CHG-1 > a1.txt
"$TENUO" approve --key "$AP2_SEED" --warrant @w.b64 --tool deploy --args "$PROD" --at $T0 > a2.txt
[[ $(wc -l < a1.txt) == 1 ]] || fail "approve prints one line"
A1=$(cat a1.txt)
V=("$TENUO" verify -w @w.b64 --trusted-root "$ISSUER_PUB" --at $T0 --tool deploy --args "$PROD" -s "$POP")

# ---- both approvals: allowed; one: 1700; none: 1707
expect_rc 0 "${V[@]}" --approval "$A1" --approval @a2.txt
grep -q "^allowed: tool 'deploy'" out.txt || fail "two approvals: allowed"
expect_rc 0 "${V[@]}" --approval @a2.txt --approval "$A1" --json
[[ $(json_get out.txt '(d["allowed"], d["approvals"]["gated"], len(d["approvals"]["approved_by"]))') == "(True, True, 2)" ]] ||
  fail "two approvals: JSON"
[[ $(json_get out.txt '[c["status"] for c in d["checks"] if c["check"] == "approvals"]') == "['pass']" ]] ||
  fail "two approvals: the approvals check passes"
expect_rc 1 "${V[@]}" --approval "$A1"
grep -q '\[1700 insufficient-approvals\]' err.txt || fail "one approval: 1700"
expect_rc 1 "${V[@]}" --approval "$A1" --approval "$A1"
grep -q '\[1700 insufficient-approvals\]' err.txt || fail "the same approver twice: 1700"
expect_rc 1 "${V[@]}"
grep -q '\[1707 approval-required\]' err.txt || fail "no approval: 1707"
expect_rc 1 "${V[@]}" --json
[[ $(json_get out.txt '(d["error"]["code"], [c["check"] for c in d["checks"] if c["status"] == "fail"])') == "(1707, ['approvals'])" ]] ||
  fail "no approval: JSON names the approvals check"
# audit mode lets it through but records the verdict
expect_rc 0 "${V[@]}" --mode audit
grep -q 'would deny: .*\[1707 approval-required\]' err.txt || fail "audit mode records 1707"

# ---- input forms: URL-safe unpadded, stdin, env:NAME; unreadable text is exit 3
A1_URL=$("$PY" -c 'import base64,sys; print(base64.urlsafe_b64encode(base64.b64decode(sys.argv[1])).decode().rstrip("="))' "$A1")
expect_rc 0 "${V[@]}" --approval "$A1_URL" --approval @a2.txt
expect_rc 0 "${V[@]}" --approval - --approval @a2.txt < a1.txt
A2_ENV=$(cat a2.txt)
export A2_ENV
expect_rc 0 "${V[@]}" --approval "$A1" --approval env:A2_ENV
expect_rc 3 "${V[@]}" --approval 'not an approval' --approval @a2.txt
expect_rc 3 "${V[@]}" --approval "$("$PY" -c 'import base64; print(base64.b64encode(b"\xa1\x61\x78\x01").decode())')"
expect_rc 2 "$TENUO" verify -w @w.b64 --trusted-root "$ISSUER_PUB" --approval "$A1"   # needs --tool

# ---- approvals that are wrong in one way
expect_rc 1 "$TENUO" approve --key "$AP3_SEED" -w @w.b64 --tool deploy --args "$PROD" --at $T0
grep -q '\[1702 approver-not-authorized\]' err.txt || fail "approve refuses a key that is not an approver"
[[ ! -s out.txt ]] || fail "a refused approval prints nothing"
"$TENUO" approve --key "$AP2_SEED" -w @w.b64 --tool deploy --args '{"env": "staging"}' --at $T0 > a2_other.txt 2> note.txt
grep -q 'needs no approval' note.txt || fail "approve notes a call no gate covers"
expect_rc 1 "${V[@]}" --approval "$A1" --approval @a2_other.txt   # approves other arguments (1706)
grep -q '\[1700 insufficient-approvals\]' err.txt || fail "approval of other arguments: 1700"
"$TENUO" approve --key "$AP2_SEED" -w @w.b64 --tool deploy --args "$PROD" --at $((T0 - 100)) --ttl 30s > a2_old.txt
expect_rc 1 "${V[@]}" --approval "$A1" --approval @a2_old.txt      # expired 70 s ago, beyond the 30 s tolerance
grep -q '\[1700 insufficient-approvals\]' err.txt || fail "expired approval: 1700"
"$TENUO" approve --key "$AP2_SEED" -w @w.b64 --tool deploy --args "$PROD" --at $((T0 - 50)) --ttl 30s > a2_recent.txt
expect_rc 0 "${V[@]}" --approval "$A1" --approval @a2_recent.txt   # expired 20 s ago: within it

# ---- calls the gate does not cover need no approval
P_DEV=$("$TENUO" sign -w @w.b64 --key "$HOLDER_SEED" --tool deploy --args '{"env": "dev"}' --at $T0 --no-precheck)
expect_rc 0 "$TENUO" verify -w @w.b64 --trusted-root "$ISSUER_PUB" --at $T0 --tool deploy --args '{"env": "dev"}' -s "$P_DEV"
P_READ=$("$TENUO" sign -w @w.b64 --key "$HOLDER_SEED" --tool read_file --at $T0 --no-precheck)
expect_rc 0 "$TENUO" verify -w @w.b64 --trusted-root "$ISSUER_PUB" --at $T0 --tool read_file -s "$P_READ" --json
[[ $(json_get out.txt '(d["allowed"], d["approvals"]["gated"])') == "(True, False)" ]] || fail "ungated call: JSON"

# ---- MCP _meta.tenuo.approvals
"$TENUO" sign -w @w.b64 --key "$HOLDER_SEED" --tool deploy --args "$PROD" --at $T0 --no-precheck --emit meta > meta.json
mk() {  # mk OUT APPROVALS-PYTHON-EXPR (a1, a2: the approval texts)
  "$PY" - "$1" "$2" <<'PYEOF'
import json, sys
m = json.load(open("meta.json"))
a1, a2 = open("a1.txt").read().strip(), open("a2.txt").read().strip()
m["approvals"] = eval(sys.argv[2])
json.dump({"name": "deploy", "arguments": {"env": "prod"}, "_meta": {"tenuo": m}}, open(sys.argv[1], "w"))
PYEOF
}
M=("$TENUO" verify --trusted-root "$ISSUER_PUB" --at $T0)
mk m2.json '[a1, a2]'
expect_rc 0 "${M[@]}" --meta m2.json
grep -q "^allowed: tool 'deploy'" out.txt || fail "meta: two approvals"
mk m1.json '[a1]'
expect_rc 1 "${M[@]}" --meta m1.json
grep -q '\[1700 insufficient-approvals\]' err.txt || fail "meta: one approval"
expect_rc 0 "${M[@]}" --meta m1.json --approval @a2.txt   # captured first, then the flag
for none in None '[]'; do
  mk m0.json "$none"
  expect_rc 1 "${M[@]}" --meta m0.json
  grep -q '\[1707 approval-required\]' err.txt || fail "meta: approvals $none"
done
mk mbad.json '[a1, 5]'
expect_rc 3 "${M[@]}" --meta mbad.json
mk mgarbage.json '[a1, "@@@"]'
expect_rc 3 "${M[@]}" --meta mgarbage.json

# ---- X-Tenuo-Approvals
"$TENUO" sign -w @w.b64 --key "$HOLDER_SEED" --tool deploy --args "$PROD" --at $T0 --no-precheck --emit headers > h.txt
H=("$TENUO" verify --trusted-root "$ISSUER_PUB" --at $T0 --tool deploy --args "$PROD")
# the SDK HTTP integrations' form: base64 of a JSON array of base64 approvals
json_b64=$("$PY" -c 'import base64,json,sys; print(base64.b64encode(json.dumps(sys.argv[1:]).encode()).decode())' "$A1" "$(cat a2.txt)")
{ cat h.txt; echo "X-Tenuo-Approvals: $json_b64"; } > h2.txt
expect_rc 0 "${H[@]}" --headers h2.txt
# one approval per header line, and the reference authorizer's CBOR array
{ cat h.txt; echo "x-tenuo-approvals: $A1"; echo "X-Tenuo-Approvals: $(cat a2.txt)"; } > h2lines.txt
expect_rc 0 "${H[@]}" --headers h2lines.txt
cbor_b64=$("$PY" -c 'import base64,sys; print(base64.urlsafe_b64encode(b"\x82" + b"".join(base64.b64decode(a) for a in sys.argv[1:])).decode().rstrip("="))' "$A1" "$(cat a2.txt)")
{ cat h.txt; echo "X-Tenuo-Approvals: $cbor_b64"; } > h2cbor.txt
expect_rc 0 "${H[@]}" --headers h2cbor.txt
{ cat h.txt; echo "X-Tenuo-Approvals: $A1"; } > h1.txt
expect_rc 1 "${H[@]}" --headers h1.txt
grep -q '\[1700 insufficient-approvals\]' err.txt || fail "headers: one approval"
expect_rc 1 "${H[@]}" --headers h.txt
grep -q '\[1707 approval-required\]' err.txt || fail "headers: no approval"
{ cat h.txt; echo "X-Tenuo-Approvals: !!!"; } > hbad.txt
expect_rc 3 "${H[@]}" --headers hbad.txt

# ---- a delegated leaf: the gate is inherited, approvals bind the leaf's id and holder
"$TENUO" grant @w.b64 --key "$HOLDER_SEED" --holder "$OTHER_PUB" --at $((T0 + 10)) --ttl 30m \
  --id tnu_wrt_019471f8000070008000000000000043 > chain.b64 2>/dev/null
P_CHILD=$("$TENUO" sign -w @chain.b64 --key "$OTHER_SEED" --tool deploy --args "$PROD" --at $((T0 + 20)) --no-precheck)
C=("$TENUO" verify -w @chain.b64 --trusted-root "$ISSUER_PUB" --at $((T0 + 20)) --tool deploy --args "$PROD" -s "$P_CHILD")
expect_rc 1 "${C[@]}" --approval "$A1" --approval @a2.txt   # approvals of the root's call (1706)
grep -q '\[1700 insufficient-approvals\]' err.txt || fail "chain: approvals for another warrant"
for s in "$AP1_SEED" "$AP2_SEED"; do
  "$TENUO" approve --key "$s" -w @chain.b64 --tool deploy --args "$PROD" --at $((T0 + 15))
done > chain_approvals.txt
expect_rc 0 "${C[@]}" --approval "$(sed -n 1p chain_approvals.txt)" --approval "$(sed -n 2p chain_approvals.txt)"

# ---- why-denied: the gate that fires, what the approvals amount to, and the fix
WD=("$TENUO" why-denied -w @w.b64 --trusted-root "$ISSUER_PUB" --at $T0 --tool deploy --args "$PROD" -s "$POP")
expect_rc 1 "${WD[@]}" --approval "$A1" --json
[[ $(json_get out.txt '[(c["status"], c.get("code")) for c in d["checks"] if c["check"] == "approvals"]') == "[('fail', 1700)]" ]] ||
  fail "why-denied: approvals check 1700"
[[ $(json_get out.txt '[f["kind"] for f in d["fixes"]]') == "['approve']" ]] || fail "why-denied: an approve fix"
# the fix's command works as given, once APPROVER_KEY is filled in
fix=$(json_get out.txt 'd["fixes"][0]["command"]')
[[ $fix == "tenuo approve --key APPROVER_KEY "* ]] || fail "why-denied fix command: $fix"
rest=${fix#tenuo approve --key APPROVER_KEY }
eval "\"\$TENUO\" approve --key \"\$AP2_SEED\" --at $T0 $rest" > a2_fix.txt
expect_rc 0 "${V[@]}" --approval "$A1" --approval @a2_fix.txt
expect_rc 0 "${WD[@]}" --approval "$A1" --approval @a2.txt
grep -q 'ALLOWED' out.txt || fail "why-denied: allowed with both approvals"

# ---- audit-replay: records keep no approvals, so an allow behind a gate cannot be re-decided
expect_rc 0 "${V[@]}" --approval "$A1" --approval @a2.txt --audit-log audit.jsonl
expect_rc 1 "${V[@]}" --audit-log audit.jsonl
expect_rc 0 "$TENUO" audit-replay audit.jsonl --trusted-root "$ISSUER_PUB" --json
[[ $(json_get out.txt '(d["undecidable"], d["outcomes"]["consistent-deny"], d["outcomes"]["drift-allow-to-deny"])') == \
   "({'approvals-unavailable': 1}, 1, 0)" ]] || fail "audit-replay: approvals-unavailable"

# ---- the approval's bytes: cbor2 (struct order, uint-arrays, canonical) and the §9.2 request hash
"$PY" - "$A1" "$W_ID" "$HOLDER_PUB" "$AP1_PUB" $T0 <<'PYEOF'
import base64, cbor2, hashlib, sys
text, wid, holder, ap1, t0 = sys.argv[1], sys.argv[2], bytes.fromhex(sys.argv[3]), bytes.fromhex(sys.argv[4]), int(sys.argv[5])
raw = base64.b64decode(text, validate=True)
env = cbor2.loads(raw)
assert list(env) == ["approval_version", "payload", "approver_key", "signature"], list(env)
assert env["approval_version"] == 1 and env["approver_key"] == [1, ap1]
assert env["signature"][0] == 1 and len(env["signature"][1]) == 64
assert cbor2.dumps(env) == raw, "envelope is not canonical"
p = cbor2.loads(env["payload"])
assert list(p) == ["version", "request_hash", "nonce", "external_id", "approved_at", "expires_at"], list(p)
assert cbor2.dumps(p) == env["payload"], "payload is not canonical"
assert p["version"] == 1 and p["external_id"] == "CHG-1"
assert p["approved_at"] == t0 and p["expires_at"] == t0 + 300
assert isinstance(p["nonce"], list) and len(p["nonce"]) == 16
want = hashlib.sha256(cbor2.dumps([wid, "deploy", cbor2.dumps({"env": "prod"}), holder])).digest()
assert bytes(p["request_hash"]) == want, "request_hash is not §9.2"
open("msg.bin", "wb").write(b"tenuo-warrant-v1" + b"tenuo-approval-v1" + b"\x01" + env["payload"])
open("sig.bin", "wb").write(env["signature"][1])
PYEOF
"$TENUO" pubkey "$AP1_SEED" --format pem > ap1.pem
openssl pkeyutl -verify -rawin -pubin -inkey ap1.pem -in msg.bin -sigfile sig.bin > /dev/null ||
  fail "OpenSSL does not verify the approval over tenuo-warrant-v1 || tenuo-approval-v1 || 01 || payload"

# ---- gate maps mint refuses
expect_rc 3 "$TENUO" mint --key "$ISSUER_SEED" --tool deploy --required-approver "$AP1_PUB" \
  --approval-gate '{"deploy": {"env": {"exempt": {"type": "wildcard"}}}}'
expect_rc 3 "$TENUO" mint --key "$ISSUER_SEED" --tool deploy --approval-gate '{"deploy": "all"}'
expect_rc 1 "$TENUO" mint --key "$ISSUER_SEED" --tool deploy --extension tenuo.approval_gates=6178
expect_rc 3 "$TENUO" mint --key "$ISSUER_SEED" --tool deploy --approval-gate '{"deploy": null}' \
  --extension tenuo.approval_gates=a0

echo "approvals: all checks passed"
