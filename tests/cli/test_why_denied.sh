#!/usr/bin/env bash
# `tenuo why-denied --json` for every failure class of issue 6: untrusted root, a link signed
# by the wrong key (issuer != parent holder), a spliced child (parent hash), a tampered link
# signature (diagnosed, not refused), expired, not yet valid, revoked, tool missing, each
# constraint type, PoP missing, invalid and out of window; three simultaneous argument
# violations; and the closed loop — the suggested `tenuo grant` command, run as printed (key
# placeholder replaced), yields a chain that `tenuo verify` allows, while a denial the root
# itself makes is answered with "new-root". Cases about other checks pass --no-pop, as
# `tenuo verify` needs it to leave possession out.
set -euo pipefail
: "${TENUO:?TENUO must point at the tenuo binary}"
unset TENUO_NOW TENUO_ISSUER_KEY TENUO_SIGNING_KEY TENUO_TRUSTED_ROOTS TENUO_POP_MAX_WINDOWS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
seed() { printf "$1%.0s" {1..32}; }
ROOT=$(seed 31); ORCH=$(seed 32); WORKER=$(seed 33); OTHER=$(seed 34)
pub() { "$TENUO" pubkey "$1" --format hex; }
ROOT_PUB=$(pub "$ROOT"); ORCH_PUB=$(pub "$ORCH"); WORKER_PUB=$(pub "$WORKER"); OTHER_PUB=$(pub "$OTHER")
printf '%s' "$ORCH" > orch.key; printf '%s' "$WORKER" > worker.key
T0=1704067200          # 2024-01-01T00:00:00Z
NOW=$((T0 + 300))      # a PoP window start

# why NAME ARGS... : runs why-denied --json at NOW (unless --at given), expects exit 1 (denied),
# leaves the JSON in NAME.json.
why() {
  local name=$1; shift
  local rc=0
  "$TENUO" why-denied --json "$@" >"$name.json" 2>"$name.err" || rc=$?
  [[ $rc == 1 ]] || { cat "$name.err" "$name.json" >&2; fail "$name: expected exit 1 (denied), got $rc"; }
}
# jt NAME JQ-EXPR : the jq expression must be true on NAME.json
jt() {
  jq -e "$2" "$1.json" >/dev/null || { jq . "$1.json" >&2; fail "$1: expected $2"; }
}
# failing check CHECK with CODE at chain index IDX (IDX "null" for none)
check_fail() {  # check_fail NAME CHECK CODE DENY IDX
  jt "$1" "[.checks[] | select(.check == \"$2\" and .status == \"fail\" and .code == $3 and .deny_code == \"$4\" and .chain_index == $5)] | length >= 1"
}

# The base chain: root (ROOT -> ORCH) grants read_file(path under /data, size <= 100) and
# write_file; link 1 (ORCH -> WORKER) narrows read_file to /data/reports/* and drops write_file.
"$TENUO" mint --key "$ROOT" --holder "$ORCH_PUB" --at $T0 --ttl 1d \
  --capabilities '{"read_file":{"path":{"type":"pattern","pattern":"/data/*"},"size":{"type":"range","min":0,"max":100,"min_inclusive":true,"max_inclusive":true}},"write_file":{}}' \
  > root.b64 || fail "mint root"
"$TENUO" grant @root.b64 --key "$ORCH" --holder "$WORKER_PUB" --tool read_file \
  -c read_file.path=pattern:/data/reports/* --at $T0 --ttl 1h > chain.b64 || fail "grant link 1"
GOOD='{"path": "/data/reports/q1.csv", "size": 10}'
# Sanity: the base chain allows a good call signed by the worker.
sig=$("$TENUO" sign --warrant @chain.b64 --key "$WORKER" --tool read_file --args "$GOOD" --at $NOW)
"$TENUO" why-denied --json -w @chain.b64 -r "$ROOT_PUB" -t read_file -a "$GOOD" -s "$sig" --at $NOW > ok.json \
  || { cat ok.json >&2; fail "good call: expected allowed"; }
jt ok '.allowed == true and (.arguments | length) == 0 and ([.checks[] | select(.status == "fail")] | length) == 0'
jt ok '[.checks[] | select(.check == "pop" and .status == "pass")] | length == 1'

# --- untrusted root
why untrusted -w @chain.b64 -r "$OTHER_PUB" -t read_file -a "$GOOD" --at $NOW --no-pop
check_fail untrusted trust 1406 UNTRUSTED_ISSUER 0
jt untrusted '.error.code == 1406'
jt untrusted "[.checks[] | select(.check == \"trust\") | .detail | contains(\"$ROOT_PUB\")] | all"

# --- hand-made chains (cbor2 + Ed25519 from python's cryptography): a link whose issuer is
# not the parent's holder (signed by OTHER, parent hash correct) and a spliced child.
"$TENUO" mint --key "$ROOT" --holder "$ORCH_PUB" --tool read_file -c path=pattern:/data/* \
  --at $T0 --ttl 1d > root2.b64 || fail "mint root2"
"$TENUO" grant @root2.b64 --key "$ORCH" --holder "$WORKER_PUB" --emit leaf --at $T0 --ttl 1h > child2.b64 \
  || fail "grant child2"
/usr/bin/python3 - "$OTHER" <<'EOF' || fail "forging chains"
import base64, cbor2, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization
def rd(f):
    t = open(f).read().strip(); return cbor2.loads(base64.urlsafe_b64decode(t + "=" * (-len(t) % 4)))
def wr(f, obj):
    open(f, "w").write(base64.urlsafe_b64encode(cbor2.dumps(obj)).decode().rstrip("="))
chain = rd("chain.b64")            # [root, link1]
root2 = rd("root2.b64"); child2 = rd("child2.b64")
# 1. wrong signer: link 1's payload with issuer = OTHER, signed by OTHER (parent hash intact).
other = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(sys.argv[1]))
other_pub = other.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
# replace the issuer key bytes in place (re-encoding could change other fields' bytes)
pb = chain[1][1]; issuer = cbor2.loads(pb)[5][1]
assert pb.count(issuer) == 1
pb = pb.replace(issuer, other_pub)
wr("wrongsigner.b64", [chain[0], [1, pb, [1, other.sign(b"tenuo-warrant-v1\x01" + pb)]]])
# 2. splice: root2's child attached under the base root (issuer = holder, parent hash wrong).
wr("spliced.b64", [chain[0], child2])
EOF
why wrongsigner -w @wrongsigner.b64 -r "$ROOT_PUB" -t read_file -a "$GOOD" --at $NOW --no-pop
# every link rule is ChainBroken (1405) in the reference (WIRE §17.2); the detail names the signer
check_fail wrongsigner chain 1405 CHAIN_INVALID 1
jt wrongsigner "[.checks[] | select(.check == \"chain\" and .status == \"fail\") | .detail | startswith(\"link 1: ${OTHER_PUB:0:16} -> \")] | all"
jt wrongsigner '[.checks[] | select(.check == "signature" and .status == "pass")] | length == 1'
jt wrongsigner '.error.code == 1405'
why spliced -w @spliced.b64 -r "$ROOT_PUB" -t read_file -a "$GOOD" --at $NOW --no-pop
check_fail spliced chain 1405 CHAIN_INVALID 1
jt spliced '[.checks[] | select(.check == "chain" and .status == "fail") | .detail | startswith("link 1: ")] | all'

# --- a tampered signature: one byte of link 1's signature flipped in a depth-2 chain (root ->
# ORCH -> WORKER -> OTHER). It is diagnosed, not refused: signature FAIL at index 1 only, and
# every other finding still listed from the payloads (link 1's narrowing of path, the missing
# proof of possession); the fix is a fresh copy or a re-grant from the root.
"$TENUO" grant @chain.b64 --key "$WORKER" --holder "$OTHER_PUB" --at $T0 --ttl 30m > depth2.b64 || fail "grant link 2"
/usr/bin/python3 - <<'EOF2' || fail "tampering link 1's signature"
import base64, cbor2
t = open("depth2.b64").read().strip()
chain = cbor2.loads(base64.urlsafe_b64decode(t + "=" * (-len(t) % 4)))
assert len(chain) == 3
sig = bytearray(chain[1][2][1]); sig[10] ^= 0x01; chain[1][2][1] = bytes(sig)
open("badsig.b64", "w").write(base64.urlsafe_b64encode(cbor2.dumps(chain)).decode().rstrip("="))
EOF2
why badsig -w @badsig.b64 -r "$ROOT_PUB" -t read_file -a '{"path": "/data/x.csv", "size": 10}' --at $NOW
check_fail badsig signature 1100 SIGNATURE_INVALID 1
jt badsig '[.checks[] | select(.check == "signature" and .status == "fail")] | length == 1'
jt badsig "[.checks[] | select(.check == \"signature\") | .detail | startswith(\"link 1: ${ORCH_PUB:0:16} -> ${WORKER_PUB:0:16}\")] | all"
jt badsig '.error.code == 1100 and .error.deny_code == "SIGNATURE_INVALID" and .allowed == false and .chain_length == 3'
jt badsig '[.checks[] | select(.check == "trust" or .check == "chain" or .check == "time" or .check == "tool") | .status] == ["pass", "pass", "pass", "pass"]'
check_fail badsig pop 1100 SIGNATURE_INVALID 2
check_fail badsig constraints 1501 CONSTRAINT_MISMATCH 1
jt badsig '.arguments | length == 1 and .[0].argument == "path" and .[0].introduced_at == 1'
jt badsig '[.fixes[] | select(.kind == "other" and .from_link == 0 and (.summary | contains("link 1 ")))] | length == 1'
# a grant is only proposed from links whose signatures verify (here the root), and no sign
# command for a chain `tenuo sign` would refuse
jt badsig '[.fixes[] | select(.kind == "grant") | .from_link] == [0]'
jt badsig '[.fixes[] | select(.kind == "resign" and has("command"))] | length == 0'
# the text report too, and `tenuo verify` refuses the same chain with the same code
rc=0; "$TENUO" why-denied -w @badsig.b64 -r "$ROOT_PUB" -t read_file -a "$GOOD" --at $NOW --no-pop > badsig.txt || rc=$?
[[ $rc == 1 ]] || fail "badsig: text report: expected exit 1, got $rc"
grep -qE '^  FAIL  signature +link 1: ' badsig.txt || { cat badsig.txt >&2; fail "badsig: text report lacks the signature failure"; }
rc=0; "$TENUO" verify -w @badsig.b64 -r "$ROOT_PUB" -t read_file -a "$GOOD" --no-pop --at $NOW --json > badsig.verify.json || rc=$?
[[ $rc == 1 ]] || fail "badsig: verify expected exit 1, got $rc"
jt badsig.verify '.error.code == 1100'
# input that does not decode at all keeps its plain error (exit 3)
head -c 40 badsig.b64 > truncated.b64
rc=0; "$TENUO" why-denied --json -w @truncated.b64 -r "$ROOT_PUB" -t read_file --at $NOW > truncated.json 2>&1 || rc=$?
[[ $rc == 3 ]] || { cat truncated.json >&2; fail "truncated chain: expected exit 3, got $rc"; }

# --- expired (leaf expired, parent still valid: a TTL fix with a grant command from the root)
why expired -w @chain.b64 -r "$ROOT_PUB" -t read_file -a "$GOOD" --at $((T0 + 7200)) --no-pop
check_fail expired time 1300 WARRANT_EXPIRED 1
jt expired '.error.deny_code == "WARRANT_EXPIRED"'
jt expired '[.fixes[] | select(.kind == "ttl" and .from_link == 0 and (.command | startswith("tenuo grant ")))] | length == 1'
# both links expired: the fix says a new root warrant is needed
why expired2 -w @chain.b64 -r "$ROOT_PUB" -t read_file -a "$GOOD" --at $((T0 + 200000)) --no-pop
check_fail expired2 time 1300 WARRANT_EXPIRED 1
jt expired2 '[.fixes[] | select(.kind == "ttl" and (has("command") | not) and (.summary | contains("new root")))] | length == 1'

# --- not yet valid (issued an hour after the evaluation instant)
"$TENUO" mint --key "$ROOT" --holder "$ORCH_PUB" --tool read_file --at $((T0 + 3600)) --ttl 1d > future.b64
why future -w @future.b64 -r "$ROOT_PUB" -t read_file -a '{}' --at $T0 --no-pop
check_fail future time 1302 WARRANT_NOT_YET_VALID 0
jt future '[.checks[] | select(.check == "time" and .status == "fail") | .detail | contains("3600 s in the future")] | all'

# --- revoked (the link, and the root)
LEAF_ID=$("$TENUO" inspect --json --chain @chain.b64 2>/dev/null | jq -r '.chain[-1].id')
ROOT_ID=$("$TENUO" inspect --json --chain @root.b64 2>/dev/null | jq -r '.chain[-1].id')
why revoked -w @chain.b64 -r "$ROOT_PUB" -t read_file -a "$GOOD" --at $NOW --revoked "$LEAF_ID" --revoked "$ROOT_ID" --no-pop
check_fail revoked revocation 1800 WARRANT_REVOKED 1
check_fail revoked revocation 1800 WARRANT_REVOKED 0
jt revoked '.error.code == 1800'

# --- tool missing: the root grants write_file, so the fix is a grant from the root
why tool -w @chain.b64 -r "$ROOT_PUB" -t write_file -a '{}' --at $NOW --no-pop
check_fail tool tool 1500 TOOL_NOT_FOUND 1
jt tool '.error.deny_code == "TOOL_NOT_FOUND"'
jt tool '[.fixes[] | select(.kind == "grant" and .from_link == 0)] | length == 1'
# a tool no link grants: a new root is needed
why tool2 -w @chain.b64 -r "$ROOT_PUB" -t delete_file -a '{}' --at $NOW --no-pop
check_fail tool2 tool 1500 TOOL_NOT_FOUND 1
jt tool2 '[.fixes[] | .kind] == ["new-root"]'

# --- each constraint type: a root with one tool per type, constraint on argument x; a call
# with a value it rejects. Columns: tool | constraint JSON | rejected value | display prefix |
# a word the reason must contain ("" for none).
cases=(
  't_exact|{"type":"exact","value":"a"}|"b"|Exact(|'
  't_pattern|{"type":"pattern","pattern":"/data/*"}|"/etc/passwd"|Pattern(|'
  't_range_max|{"type":"range","min":0,"max":15,"min_inclusive":true,"max_inclusive":true}|20|Range(|max'
  't_range_min|{"type":"range","min":5,"max":null,"min_inclusive":true,"max_inclusive":true}|1|Range(|min'
  't_one_of|{"type":"one_of","values":["a","b"]}|"c"|OneOf(|'
  't_not_one_of|{"type":"not_one_of","excluded":["rm"]}|"rm"|NotOneOf(|'
  't_regex|{"type":"regex","pattern":"^[a-z]+$"}|"ABC"|Regex(|'
  't_cidr|{"type":"cidr","network":"10.0.0.0/8"}|"192.168.1.1"|Cidr(|'
  't_url_pattern|{"type":"url_pattern","pattern":"https://api.example.com/*"}|"https://evil.example.org/x"|UrlPattern(|'
  't_url_safe|{"type":"url_safe","schemes":["http","https"],"allow_domains":null,"deny_domains":null,"allow_ports":null,"block_private":true,"block_loopback":true,"block_metadata":true,"block_reserved":true,"block_internal_tlds":true}|"http://169.254.169.254/latest/meta-data"|UrlSafe(|169.254.169.254'
  't_subpath|{"type":"subpath","root":"/tmp","case_sensitive":true,"allow_equal":true}|"/tmp/../etc/passwd"|Subpath(|/etc/passwd'
  't_contains|{"type":"contains","required":["admin"]}|["user"]|Contains(|'
  't_subset|{"type":"subset","allowed":["a","b"]}|["a","z"]|Subset(|'
  't_all|{"type":"all","constraints":[{"type":"pattern","pattern":"/data/*"},{"type":"not_one_of","excluded":["/data/secret"]}]}|"/data/secret"|All(|'
  't_any|{"type":"any","constraints":[{"type":"exact","value":"a"},{"type":"exact","value":"b"}]}|"c"|Any(|'
  't_not|{"type":"not","constraint":{"type":"exact","value":"rm"}}|"rm"|Not(|'
  't_wildcard|{"type":"wildcard"}|MISSING|Wildcard|'
  't_shlex|{"type":"shlex","allow":["ls"]}|"ls; rm -rf /"|Shlex(|;'
  't_cel|{"type":"cel","expression":"value < 10"}|20|Cel(|'
)
caps='{'
for row in "${cases[@]}"; do
  IFS='|' read -r tool con _ _ _ <<<"$row"
  caps+="\"$tool\":{\"x\":$con},"
done
caps="${caps%,}}"
"$TENUO" mint --key "$ROOT" --holder "$WORKER_PUB" --capabilities "$caps" --at $T0 --ttl 1d > types.b64 \
  || fail "mint the constraint-type root"
for row in "${cases[@]}"; do
  IFS='|' read -r tool con val prefix word <<<"$row"
  if [[ $val == MISSING ]]; then args='{}'; shown='(missing)'; else args="{\"x\": $val}"; shown=''; fi
  why "$tool" -w @types.b64 -r "$ROOT_PUB" -t "$tool" -a "$args" --at $NOW --no-pop
  jt "$tool" '.error.code == 1501 and .error.deny_code == "CONSTRAINT_MISMATCH"'
  jt "$tool" '(.arguments | length) == 1'
  jt "$tool" ".arguments[0] | .argument == \"x\" and .code == 1501 and .deny_code == \"CONSTRAINT_MISMATCH\" and .introduced_at == 0 and (.link | startswith(\"root: \")) and (.constraint | startswith(\"$prefix\"))"
  check_fail "$tool" constraints 1501 CONSTRAINT_MISMATCH 0
  [[ -z $shown ]] || jt "$tool" ".arguments[0].value == \"$shown\""
  [[ -z $word ]] || jt "$tool" ".arguments[0].reason | contains(\"$word\")"
  jt "$tool" '[.fixes[] | .kind] == ["new-root"]'
done

# --- PoP: signature by the wrong key (a warrant with the same id held by OTHER, so the signed
# challenge is identical and only the key differs), and a proof signed 120 s / 300 s early.
LEAF_HEX=${LEAF_ID#tnu_wrt_}
"$TENUO" mint --key "$ROOT" --holder "$OTHER_PUB" --tool read_file --id "$LEAF_HEX" --at $T0 --ttl 1d > sameid.b64
badsig=$("$TENUO" sign --warrant @sameid.b64 --key "$OTHER" --tool read_file --args "$GOOD" --at $NOW --no-precheck)
why popkey -w @chain.b64 -r "$ROOT_PUB" -t read_file -a "$GOOD" -s "$badsig" --at $NOW
check_fail popkey pop 1100 SIGNATURE_INVALID 1
jt popkey '.error.code == 1100 and (.arguments | length) == 0'
jt popkey '[.fixes[] | .kind] == ["resign"]'
for skew in 120 300; do
  old=$("$TENUO" sign --warrant @chain.b64 --key "$WORKER" --tool read_file --args "$GOOD" --at $((NOW - skew)))
  why "pop$skew" -w @chain.b64 -r "$ROOT_PUB" -t read_file -a "$GOOD" -s "$old" --at $NOW
  check_fail "pop$skew" pop 1100 SIGNATURE_INVALID 1
  jt "pop$skew" "[.checks[] | select(.check == \"pop\") | .detail | contains(\"$((skew / 30)) windows ($skew s) old\")] | all"
done
# 120 s = 4 windows back: offset -4 is the 8th offset tried, so --pop-windows 8 accepts it.
jt pop120 '[.fixes[] | select(.kind == "pop-windows" and (.summary | contains("--pop-windows 8")) and (.summary | contains("about 120 s (signed in the past)")))] | length == 1'
old=$("$TENUO" sign --warrant @chain.b64 --key "$WORKER" --tool read_file --args "$GOOD" --at $((NOW - 120)))
"$TENUO" verify -w @chain.b64 -r "$ROOT_PUB" -t read_file -a "$GOOD" -s "$old" --at $NOW --pop-windows 8 >/dev/null 2>&1 \
  || fail "the suggested --pop-windows 8 does not accept the proof"
! "$TENUO" verify -w @chain.b64 -r "$ROOT_PUB" -t read_file -a "$GOOD" -s "$old" --at $NOW --pop-windows 7 >/dev/null 2>&1 \
  || fail "--pop-windows 7 accepts a proof 4 windows old"
# 300 s = 10 windows: beyond --pop-windows 10 (±5): re-sign
jt pop300 '[.fixes[] | select(.kind == "resign" and (.summary | contains("about 300 s (signed in the past)")))] | length == 1'

# --- PoP missing: required by default, as `tenuo verify` requires it. pop FAIL (1100) at the
# leaf; the fix is the `tenuo sign` command with a key placeholder only, which, run as printed,
# makes a proof that why-denied and verify accept; --no-pop skips the check.
why popmissing -w @chain.b64 -r "$ROOT_PUB" -t read_file -a "$GOOD" --at $NOW
check_fail popmissing pop 1100 SIGNATURE_INVALID 1
jt popmissing '.error.code == 1100 and .error.deny_code == "SIGNATURE_INVALID" and (.arguments | length) == 0'
jt popmissing '[.checks[] | select(.status == "fail") | .check] == ["pop"]'
jt popmissing '[.fixes[] | .kind] == ["resign"]'
cmd=$(jq -r '.fixes[0].command' popmissing.json)
[[ $cmd == "tenuo sign "*"--key HOLDER_KEY_OF_LINK_1 "* ]] || fail "popmissing: fix is not a sign command with the leaf holder's placeholder: $cmd"
cmd=${cmd//HOLDER_KEY_OF_LINK_1/@worker.key}
sig=$(eval "\"\$TENUO\" ${cmd#tenuo } --at $NOW") || fail "popmissing: the suggested sign command failed: $cmd"
"$TENUO" why-denied --json -w @chain.b64 -r "$ROOT_PUB" -t read_file -a "$GOOD" -s "$sig" --at $NOW > popmissing.after.json \
  || fail "popmissing: why-denied denies the call signed as suggested"
"$TENUO" verify -w @chain.b64 -r "$ROOT_PUB" -t read_file -a "$GOOD" -s "$sig" --at $NOW >/dev/null 2>&1 \
  || fail "popmissing: verify denies the call signed as suggested"
"$TENUO" why-denied --json -w @chain.b64 -r "$ROOT_PUB" -t read_file -a "$GOOD" --no-pop --at $NOW > popmissing.nopop.json \
  || fail "popmissing: --no-pop still denies"
jt popmissing.nopop '.allowed == true and ([.checks[] | select(.check == "pop") | .status] == ["skip"])'
# without a trusted root the missing proof still denies, and names its code
why popmissing_noroot -w @chain.b64 -t read_file -a "$GOOD" --at $NOW
jt popmissing_noroot '.error.code == 1100 and ([.checks[] | select(.status == "fail") | .check] == ["pop"])'
# --signature and --no-pop exclude each other (usage error)
rc=0; "$TENUO" why-denied -w @chain.b64 -r "$ROOT_PUB" -t read_file -a "$GOOD" -s "$sig" --no-pop >/dev/null 2>&1 || rc=$?
[[ $rc == 2 ]] || fail "--signature with --no-pop: expected exit 2, got $rc"

# --- three simultaneous argument violations, all reported (path at link 1, size and an
# unknown argument at the root / closed world)
why three -w @chain.b64 -r "$ROOT_PUB" -t read_file -a '{"path": "/etc/passwd", "size": 1000, "mode": "x"}' --at $NOW --no-pop
jt three '(.arguments | length) == 3 and ([.arguments[] | .code] | unique) == [1501]'
jt three '[.arguments[] | .argument] | sort == ["mode", "path", "size"]'
jt three '.arguments[] | select(.argument == "path") | .introduced_at == 0 and (.constraint | startswith("Pattern("))'
jt three '.arguments[] | select(.argument == "size") | .introduced_at == 0 and (.reason | contains("max"))'
jt three '[.checks[] | select(.check == "constraints" and .status == "fail")] | length == 3'
jt three '[.fixes[] | .kind] == ["new-root"]'

# --- closed loop: denials the chain permits. Run the suggested command as printed (only the
# key placeholder replaced), sign the call with the worker key, and `tenuo verify` allows it.
export TENUO_NOW=$NOW
closed_loop() {  # closed_loop NAME TOOL ARGS [CHAIN]
  local name=$1 tool=$2 args=$3 chain=${4:-chain.b64}
  why "$name" -w "@$chain" -r "$ROOT_PUB" -t "$tool" -a "$args" --no-pop
  jt "$name" '[.fixes[] | select(.kind == "grant" or .kind == "ttl") | select(has("command"))] | length == 1'
  local cmd
  cmd=$(jq -r '.fixes[] | select(has("command")) | .command' "$name.json")
  [[ $cmd == "tenuo grant "* ]] || fail "$name: fix is not a grant command: $cmd"
  [[ $cmd == *HOLDER_KEY_OF_ROOT* ]] || fail "$name: expected a grant from the root: $cmd"
  cmd=${cmd//HOLDER_KEY_OF_ROOT/@orch.key}
  eval "\"\$TENUO\" ${cmd#tenuo }" > "$name.fixed.b64" 2>"$name.grant.err" \
    || { cat "$name.grant.err" >&2; fail "$name: the suggested grant failed: $cmd"; }
  local s
  s=$("$TENUO" sign --warrant "@$name.fixed.b64" --key "$WORKER" --tool "$tool" --args "$args") \
    || fail "$name: sign with the worker key"
  "$TENUO" verify -w "@$name.fixed.b64" -r "$ROOT_PUB" -t "$tool" -a "$args" -s "$s" > "$name.verify" 2>&1 \
    || { cat "$name.verify" >&2; fail "$name: verify denies the call after the suggested grant"; }
  # and why-denied agrees
  "$TENUO" why-denied --json -w "@$name.fixed.b64" -r "$ROOT_PUB" -t "$tool" -a "$args" -s "$s" > "$name.after.json" \
    || fail "$name: why-denied still denies after the fix"
}
# link 1 narrowed path to /data/reports/*; the root allows /data/*
closed_loop cl_path read_file '{"path": "/data/x.csv", "size": 10}'
jt cl_path '.arguments[0].introduced_at == 1 and (.arguments[0].link | startswith("link 1: "))'
# link 1 dropped write_file
closed_loop cl_tool write_file '{"anything": 1}'
# A narrowing the root does not have at all (mode) is kept by the re-grant: the fix allows the
# call without widening what the leaf granted (it once dropped constraints the parent lacked),
# and the failing argument the root leaves open is granted as Wildcard so the set admits it.
"$TENUO" grant @root.b64 --key "$ORCH" --holder "$WORKER_PUB" --at $T0 --ttl 1h \
  --capabilities '{"write_file":{"path":{"type":"pattern","pattern":"/out/*"},"mode":{"type":"exact","value":"a"}}}' \
  > chain_w.b64 2>/dev/null || fail "grant chain_w"
closed_loop cl_keep write_file '{"path": "/etc/x", "mode": "a"}' chain_w.b64
"$TENUO" inspect --json --chain @cl_keep.fixed.b64 2>/dev/null > cl_keep.inspect.json
jt cl_keep.inspect '.chain[-1].tools.write_file.mode.type == "exact"'
jt cl_keep.inspect '.chain[-1].tools.write_file.path.type == "wildcard"'
# the leaf expired, the root has not
unset TENUO_NOW
export TENUO_NOW=$((T0 + 7200))
closed_loop cl_ttl read_file "$GOOD"
# the re-grant keeps the expired leaf's narrowing (it once fell back to the root's /data/*)
"$TENUO" inspect --json --chain @cl_ttl.fixed.b64 2>/dev/null > cl_ttl.inspect.json
jt cl_ttl.inspect '.chain[-1].tools.read_file.path.pattern == "/data/reports/*"'
unset TENUO_NOW
echo "why-denied: all failure classes reported with their link; closed loop verified"
