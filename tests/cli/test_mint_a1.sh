#!/usr/bin/env bash
# WIRE.md §19 (test vector A.1) reproduced byte for byte by `tenuo mint` from its inputs, in every
# spelling of those inputs, and accepted by `tenuo verify` against the control-plane key.
set -euo pipefail
: "${TENUO:?TENUO must point at the tenuo binary}"
: "${TENUO_TESTS:?TENUO_TESTS must point at the tests directory}"
unset TENUO_NOW TENUO_ISSUER_KEY TENUO_SIGNING_KEY TENUO_TRUSTED_ROOTS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
V="$TENUO_TESTS/vectors/a1"

fail() { echo "FAIL: $*" >&2; exit 1; }
hex_of() { od -An -v -tx1 | tr -d ' \n'; }
expect_rc() {  # expect_rc CODE CMD...  (stdout in out.txt, stderr in err.txt)
  local want=$1; shift
  local rc=0
  "$@" >out.txt 2>err.txt || rc=$?
  [[ $rc == "$want" ]] || { cat err.txt >&2; fail "expected exit $want, got $rc: $*"; }
}

CP_SEED=$(printf '01%.0s' {1..32})
OR_SEED=$(printf '02%.0s' {1..32})
CP_PUB=8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c
OR_PUB=8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394
ID=tnu_wrt_019471f8000070008000000000000001
WANT_B64=$(tr -d '\n' <"$V/warrant.b64")

[[ $("$TENUO" pubkey "$OR_SEED" --format hex) == "$OR_PUB" ]] || fail "holder key is not the A.1 orchestrator"
[[ $("$TENUO" pubkey "$CP_SEED" --format hex) == "$CP_PUB" ]] || fail "issuer key is not the A.1 control plane"

a1() {  # a1 [extra flags...]: mint A.1 with the canonical spelling of its inputs
  "$TENUO" mint --key "$CP_SEED" --holder "$OR_PUB" --tool read_file -c path=wildcard \
    --id "$ID" --at 2024-01-01T00:00:00Z --ttl 1h --max-depth 3 "$@"
}

# ---- base64url (default output) and PEM, exactly §19.6
a1 >a1.b64 2>a1.err || { cat a1.err >&2; fail "mint A.1"; }
[[ $(cat a1.b64) == "$WANT_B64" ]] || fail "mint output differs from §19.6:
 got  $(cat a1.b64)
 want $WANT_B64"
[[ $(wc -c <a1.b64) == 293 ]] || fail "base64 output should be 292 chars plus a newline"
[[ ! -s a1.err ]] || fail "mint wrote to stderr: $(cat a1.err)"
a1 --format pem >a1.pem || fail "mint --format pem"
cmp -s a1.pem "$V/warrant.pem" || { diff a1.pem "$V/warrant.pem" >&2 || true; fail "PEM differs from §19.6"; }
# --format tenuo: the magic then the §19.5 envelope bytes
a1 --format tenuo -o a1.tenuo || fail "mint --format tenuo"
[[ $(head -c 5 a1.tenuo | hex_of) == 54454e5501 ]] || fail "binary output lacks the TENU\\x01 magic"
[[ $(tail -c +6 a1.tenuo | hex_of) == "$(tr -d '\n' <"$V/envelope.hex")" ]] || fail "binary body is not the §19.5 envelope"
# --format json carries the same text form
a1 --format json >a1.json || fail "mint --format json"
/usr/bin/python3 - "$WANT_B64" <<'EOF' || fail "mint --format json content"
import json, sys
d = json.load(open("a1.json"))
assert d["ok"] is True and d["warrant"] == sys.argv[1], d
leaf = d["leaf"]
assert leaf["id"] == "tnu_wrt_019471f8000070008000000000000001"
assert leaf["tools"] == {"read_file": {"path": {"type": "wildcard"}}}, leaf["tools"]
assert (leaf["issued_at"], leaf["expires_at"], leaf["max_depth"], leaf["depth"]) == (1704067200, 1704070800, 3, 0)
EOF

# ---- deterministic: byte-identical across runs
for _ in 1 2 3; do
  [[ $(a1) == "$WANT_B64" ]] || fail "mint with --id and --at is not deterministic"
done

# ---- every other spelling of the same inputs gives the same bytes
printf '%s\n' '-----BEGIN PRIVATE KEY-----' 'MC4CAQAwBQYDK2VwBCIEIAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB' \
  '-----END PRIVATE KEY-----' >cp.key
"$TENUO" pubkey "$OR_SEED" --format pem >or.pub
same() {  # same DESCRIPTION CMD...
  local d=$1; shift
  local got
  got=$("$@" 2>err.txt) || { cat err.txt >&2; fail "$d: exit $?"; }
  [[ $got == "$WANT_B64" ]] || fail "$d: output differs from A.1"
}
M=(mint --tool read_file --ttl 1h --max-depth 3)
same "key file, holder PEM file" "$TENUO" "${M[@]}" -c path=wildcard --key cp.key --holder or.pub --id "$ID" --at 2024-01-01T00:00:00Z
same "@file key" "$TENUO" "${M[@]}" -c path=wildcard --key @cp.key --holder @or.pub --id "$ID" --at 1704067200
same "base64 seed" "$TENUO" "${M[@]}" -c path=wildcard --key AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE= --holder "$OR_PUB" --id "$ID" --at 1704067200
same "key from env:" env A1KEY="$CP_SEED" "$TENUO" "${M[@]}" -c path=wildcard --key env:A1KEY --holder "$OR_PUB" --id "$ID" --at 1704067200
same "TENUO_ISSUER_KEY" env TENUO_ISSUER_KEY="$CP_SEED" "$TENUO" "${M[@]}" -c path=wildcard --holder "$OR_PUB" --id "$ID" --at 1704067200
same "bare hex id" "$TENUO" "${M[@]}" -c path=wildcard --key "$CP_SEED" --holder "$OR_PUB" --id 019471f8000070008000000000000001 --at 1704067200
same "dashed UUID id" "$TENUO" "${M[@]}" -c path=wildcard --key "$CP_SEED" --holder "$OR_PUB" --id 019471f8-0000-7000-8000-000000000001 --at 1704067200
same "-c path=*" "$TENUO" "${M[@]}" -c 'path=*' --key "$CP_SEED" --holder "$OR_PUB" --id "$ID" --at 1704067200
same "-c read_file.path=wildcard" "$TENUO" "${M[@]}" -c read_file.path=wildcard --key "$CP_SEED" --holder "$OR_PUB" --id "$ID" --at 1704067200
same "--capabilities" "$TENUO" mint --capabilities '{"read_file":{"path":{"type":"wildcard"}}}' --ttl 1h --max-depth 3 \
  --key "$CP_SEED" --holder "$OR_PUB" --id "$ID" --at 1704067200
same "--expires-at" "$TENUO" mint --tool read_file -c path=wildcard --expires-at 2024-01-01T01:00:00Z --max-depth 3 \
  --key "$CP_SEED" --holder "$OR_PUB" --id "$ID" --at 1704067200
same "--ttl 3600s" "$TENUO" mint --tool read_file -c path=wildcard --ttl 3600s --max-depth 3 \
  --key "$CP_SEED" --holder "$OR_PUB" --id "$ID" --at 1704067200
same "TENUO_NOW" env TENUO_NOW=2024-01-01T00:00:00Z "$TENUO" "${M[@]}" -c path=wildcard --key "$CP_SEED" --holder "$OR_PUB" --id "$ID"
grep -q TENUO_NOW err.txt || fail "TENUO_NOW in effect is not announced on stderr"

# ---- tenuo verify accepts it at 00:10 against the control-plane key, from every input form
for input in a1.b64 a1.pem a1.tenuo; do
  expect_rc 0 "$TENUO" verify --warrant "@$input" --trusted-root "$CP_PUB" --at 2024-01-01T00:10:00Z
  grep -q "$ID" out.txt || fail "verify output does not name the warrant ($input)"
done
expect_rc 0 "$TENUO" verify --trusted-root "$CP_PUB" --at 2024-01-01T00:10:00Z <a1.b64   # stdin
expect_rc 0 env TENUO_TRUSTED_ROOTS="$OR_PUB,$CP_PUB" "$TENUO" verify --warrant @a1.b64 --at 1704067800
expect_rc 0 "$TENUO" verify --warrant @a1.b64 --trusted-root "$CP_PUB" --at 2024-01-01T00:10:00Z --json
/usr/bin/python3 -c 'import json,sys; d=json.load(open("out.txt")); assert d["ok"] and d["valid"] and d["chain_length"]==1, d'
# ... and refuses it when it is not valid
expect_rc 1 "$TENUO" verify --warrant @a1.b64 --trusted-root "$OR_PUB" --at 2024-01-01T00:10:00Z  # untrusted
grep -q 1406 err.txt || fail "untrusted root should be 1406"
[[ ! -s out.txt ]] || fail "a refused verify printed on stdout"
expect_rc 1 "$TENUO" verify --warrant @a1.b64 --trusted-root "$CP_PUB" --at 2024-01-01T01:00:00Z  # expired
grep -q 1300 err.txt || fail "expiry should be 1300"
expect_rc 0 "$TENUO" verify --warrant @a1.b64 --trusted-root "$CP_PUB" --at 2024-01-01T00:59:59Z
expect_rc 1 "$TENUO" verify --warrant @a1.b64 --trusted-root "$CP_PUB" --at 2023-12-31T23:59:29Z  # issued in the future
grep -q 1302 err.txt || fail "issued in the future should be 1302"
expect_rc 1 "$TENUO" verify --warrant @a1.b64 --trusted-root "$CP_PUB" --at 2024-01-01T00:10:00Z --revoked "$ID"
grep -q 1800 err.txt || fail "revoked should be 1800"
expect_rc 1 "$TENUO" verify --warrant @a1.b64 --trusted-root "$CP_PUB" --at 2024-01-01T01:00:00Z --json
/usr/bin/python3 -c 'import json; d=json.load(open("out.txt")); assert d["ok"] is False and d["error"]["code"]==1300 and d["error"]["name"]=="warrant-expired", d'
expect_rc 3 "$TENUO" verify --warrant @a1.b64 --at 2024-01-01T00:10:00Z   # no trusted root at all

# ---- inspect shows the §19 fields and says it verified nothing
expect_rc 0 "$TENUO" inspect @a1.b64 --json
/usr/bin/python3 - <<'EOF' || fail "inspect --json fields"
import json
d = json.load(open("out.txt"))
w = d["warrant"]
assert d["verified"] is False and d["chain_length"] == 1
assert w["payload_hash"] == "c64159990b1054e747e921d1b8c3e8d0e2906cd7282ff27a6d3effeea6dbfa8d"
assert w["signature"].startswith("4396783e89f37eeb") and w["size"] == 219
assert w["issuer"] == "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"
assert w["holder"] == "8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394"
assert w["parent_hash"] is None and w["type"] == "execution"
EOF
grep -qi "not verified\|NOT verified" err.txt || fail "inspect should say it verified nothing"
expect_rc 0 "$TENUO" inspect @a1.pem --trusted-root "$CP_PUB" --at 2024-01-01T00:10:00Z
expect_rc 1 "$TENUO" inspect @a1.pem --trusted-root "$OR_PUB" --at 2024-01-01T00:10:00Z
echo "ok"
