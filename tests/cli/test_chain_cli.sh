#!/usr/bin/env bash
# mint/grant with every optional payload field, read back by an independent CBOR decoder (cbor2)
# and an independent Ed25519 verifier (openssl) and compared with `inspect --json`; the grant
# options of CLI.md (--emit chain|leaf, --diff, --dry-run, --format, -o, --tool, --capabilities,
# --ttl capping) and determinism of mint/grant with --id and --at.
set -euo pipefail
: "${TENUO:?TENUO must point at the tenuo binary}"
unset TENUO_NOW TENUO_ISSUER_KEY TENUO_SIGNING_KEY TENUO_TRUSTED_ROOTS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_rc() {  # expect_rc CODE CMD...  (stdout in out.txt, stderr in err.txt)
  local want=$1; shift
  local rc=0
  "$@" >out.txt 2>err.txt || rc=$?
  [[ $rc == "$want" ]] || { cat err.txt >&2; fail "expected exit $want, got $rc: $*"; }
}
seed() { printf "$1%.0s" {1..32}; }
ROOT=$(seed 31); AGENT=$(seed 32); WORKER=$(seed 33); APP1=$(seed 34); APP2=$(seed 35)
pub() { "$TENUO" pubkey "$1" --format hex; }
ROOT_PUB=$(pub "$ROOT"); AGENT_PUB=$(pub "$AGENT"); WORKER_PUB=$(pub "$WORKER")
APP1_PUB=$(pub "$APP1"); APP2_PUB=$(pub "$APP2")
T0=2024-01-01T00:00:00Z
NOW=2024-01-01T00:05:00Z

# Independent check of every warrant in a stack/warrant text: cbor2 decodes the envelope and
# payload; the fields must match `inspect --chain --json`; openssl verifies each signature.
cross_check() {  # cross_check FILE
  "$TENUO" inspect --chain --json "@$1" >inspect.json 2>/dev/null || fail "inspect $1"
  /usr/bin/python3 - "$1" <<'EOF' || fail "cbor2 cross-check of $1"
import base64, cbor2, hashlib, json, subprocess, sys
text = open(sys.argv[1]).read().strip()
raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
top = cbor2.loads(raw)
envs = [top] if isinstance(top[0], int) else top
links = json.load(open("inspect.json"))["chain"]
assert len(envs) == len(links), (len(envs), len(links))

def cjson(c):  # the wire constraint [type, value] in the CLI JSON form (types used here)
    t, v = c
    if t == 2: return {"type": "pattern", "pattern": v["pattern"]}
    if t == 16: return {"type": "wildcard"}
    if t == 17: return {"type": "subpath", "root": v["root"], "case_sensitive": v["case_sensitive"], "allow_equal": v["allow_equal"]}
    if t == 1: return {"type": "exact", "value": v["value"]}
    if t == 4: return {"type": "one_of", "values": v["values"]}
    raise AssertionError(f"unexpected constraint type {t}")

def cset(s):
    assert list(s.keys())[0] == "constraints" and set(s) <= {"constraints", "allow_unknown"}, s
    return {k: cjson(v) for k, v in s["constraints"].items()}

def key(k):
    assert isinstance(k, list) and k[0] == 1 and isinstance(k[1], bytes) and len(k[1]) == 32, k
    return k[1].hex()

for i, (env, j) in enumerate(zip(envs, links)):
    assert isinstance(env, list) and len(env) == 3 and env[0] == 1, env
    payload, sig = env[1], env[2]
    assert isinstance(payload, bytes) and sig[0] == 1 and isinstance(sig[1], bytes) and len(sig[1]) == 64
    p = cbor2.loads(payload)
    keys = list(p.keys())
    assert keys == sorted(keys) and all(isinstance(k, int) and 0 <= k <= 18 and k != 12 for k in keys), keys
    for k in [0, 1, 2, 3, 4, 5, 6, 7, 8, 18]:
        assert k in p, (i, k)
    assert p[0] == 1 == j["version"]
    assert isinstance(p[1], bytes) and len(p[1]) == 16 and j["id"] == "tnu_wrt_" + p[1].hex()
    assert ["execution", "issuer"][p[2]] == j["type"]
    assert isinstance(p[3], dict) and {t: cset(s) for t, s in p[3].items()} == j["tools"], (p[3], j["tools"])
    assert list(p[3].keys()) == sorted(p[3].keys(), key=lambda s: s.encode())
    assert key(p[4]) == j["holder"] and key(p[5]) == j["issuer"]
    assert (p[6], p[7], p[8], p[18]) == (j["issued_at"], j["expires_at"], j["max_depth"], j["depth"])
    if 9 in p:
        assert isinstance(p[9], list) and len(p[9]) == 32 and all(isinstance(b, int) and 0 <= b <= 255 for b in p[9])
        assert bytes(p[9]).hex() == j["parent_hash"]
        assert j["parent_hash"] == links[i - 1]["payload_hash"]
    else:
        assert j["parent_hash"] is None
    ext = dict(p.get(10, {}))
    assert list(ext.keys()) == sorted(ext.keys(), key=lambda s: s.encode())
    for name, field in (("tenuo.session_id", "session_id"), ("tenuo.agent_id", "agent_id")):
        v = ext.pop(name, None)
        if v is None:
            assert field not in j
        else:
            assert isinstance(v, list) and bytes(v).decode("utf-8") == j[field], (v, j.get(field))
    assert {k: bytes(v).hex() for k, v in ext.items()} == j.get("extensions", {}), (ext, j.get("extensions"))
    assert all(isinstance(v, list) for v in ext.values())
    assert p.get(11) == j.get("issuable_tools")
    assert p.get(13) == j.get("max_issue_depth")
    assert (cset(p[14]) if 14 in p else None) == j.get("constraint_bounds")
    assert ([key(k) for k in p[15]] if 15 in p else None) == j.get("required_approvers")
    assert p.get(16) == j.get("min_approvals")
    assert p.get(17) == j.get("clearance")
    assert hashlib.sha256(payload).hexdigest() == j["payload_hash"]
    assert sig[1].hex() == j["signature"] and len(cbor2.dumps(env)) == j["size"]
    # Ed25519 over "tenuo-warrant-v1" || 01 || payload, checked by openssl.
    open(f"msg{i}", "wb").write(b"tenuo-warrant-v1\x01" + payload)
    open(f"sig{i}", "wb").write(sig[1])
    spki = bytes.fromhex("302a300506032b6570032100") + p[5][1]
    pem = "-----BEGIN PUBLIC KEY-----\n" + base64.b64encode(spki).decode() + "\n-----END PUBLIC KEY-----\n"
    open(f"issuer{i}.pem", "w").write(pem)
    subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", f"issuer{i}.pem", "-rawin",
                    "-in", f"msg{i}", "-sigfile", f"sig{i}"], check=True, capture_output=True)
    print(i, keys)
EOF
}

# ---- an issuer warrant with keys 11, 13, 14 (and 10, 15, 16, 17)
expect_rc 0 "$TENUO" mint --key "$ROOT" --holder "$AGENT_PUB" --type issuer --issuable-tools read_file,send_mail \
  --max-issue-depth 2 --constraint-bounds '{"path":{"type":"subpath","root":"/data"}}' --clearance internal \
  --required-approver "$APP2_PUB" --required-approver "$APP1_PUB" --min-approvals 1 \
  --session-id sess-1 --agent-id agent-7 --extension tenuo.approval_gates=a0 --extension acme.note=63616263 \
  --id tnu_wrt_019471f8000070008000000000000101 --at "$T0" --ttl 1h --max-depth 5
cp out.txt issuer.b64
cross_check issuer.b64 >keys.txt
grep -qx '0 \[0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 13, 14, 15, 16, 17, 18\]' keys.txt || fail "issuer keys: $(cat keys.txt)"
/usr/bin/python3 - "$APP1_PUB" "$APP2_PUB" <<'EOF' || fail "issuer warrant values"
import json, sys
w = json.load(open("inspect.json"))["chain"][0]
assert w["type"] == "issuer" and w["tools"] == {}
assert w["issuable_tools"] == ["read_file", "send_mail"] and w["max_issue_depth"] == 2
assert w["constraint_bounds"] == {"path": {"type": "subpath", "root": "/data", "case_sensitive": True, "allow_equal": True}}
assert w["clearance"] == 30 and w["min_approvals"] == 1
assert w["required_approvers"] == sorted(sys.argv[1:3]), "approvers are sorted by key bytes"
assert w["session_id"] == "sess-1" and w["agent_id"] == "agent-7"
assert w["extensions"] == {"acme.note": "63616263", "tenuo.approval_gates": "a0"}
EOF

# ---- an execution chain: key 9 and the inherited fields on the child
expect_rc 0 "$TENUO" mint --key "$ROOT" --holder "$AGENT_PUB" --tool read_file --tool send_mail \
  -c read_file.path=pattern:/data/* -c send_mail.to=oneof:a@x.com,b@x.com -c send_mail.priority=exact:low \
  --clearance 30 --required-approver "$APP1_PUB" --required-approver "$APP2_PUB" --min-approvals 2 \
  --session-id sess-1 --agent-id agent-7 --extension tenuo.approval_gates=a0 --extension acme.note=63616263 \
  --id tnu_wrt_019471f8000070008000000000000201 --at "$T0" --ttl 1h --max-depth 5
cp out.txt root.b64
expect_rc 0 "$TENUO" grant @root.b64 --key "$AGENT" --holder "$WORKER_PUB" -c read_file.path=pattern:/data/reports/* \
  --clearance 20 --id tnu_wrt_019471f8000070008000000000000202 --at 2024-01-01T00:01:00Z --ttl 30m --max-depth 4
cp out.txt chain2.b64
cross_check chain2.b64 >keys.txt
grep -qx '1 \[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 16, 17, 18\]' keys.txt || fail "child keys: $(cat keys.txt)"
/usr/bin/python3 <<'EOF' || fail "child values"
import json
r, c = json.load(open("inspect.json"))["chain"]
assert c["depth"] == 1 and c["max_depth"] == 4 and c["clearance"] == 20
assert c["expires_at"] == c["issued_at"] + 1800 == 1704069060
assert c["session_id"] == "sess-1" and c["agent_id"] == "agent-7"
assert c["extensions"] == {"tenuo.approval_gates": "a0"}, "only the approval gates are inherited"
assert c["required_approvers"] == r["required_approvers"] and c["min_approvals"] == 2
assert c["tools"]["read_file"] == {"path": {"type": "pattern", "pattern": "/data/reports/*"}}
assert c["tools"]["send_mail"] == r["tools"]["send_mail"], "arguments not named keep the parent's constraint"
EOF
expect_rc 0 "$TENUO" verify --warrant @chain2.b64 --trusted-root "$ROOT_PUB" --at "$NOW" --strict-session

# ---- determinism: the same mint and grant, byte-identical
for _ in 1 2; do
  "$TENUO" grant @root.b64 --key "$AGENT" --holder "$WORKER_PUB" -c read_file.path=pattern:/data/reports/* \
    --clearance 20 --id tnu_wrt_019471f8000070008000000000000202 --at 2024-01-01T00:01:00Z --ttl 30m --max-depth 4 >again.b64
  cmp -s again.b64 chain2.b64 || fail "grant with --id and --at is not deterministic"
done

# ---- --emit chain (default) and --emit leaf
G=(--key "$AGENT" --holder "$WORKER_PUB" --id tnu_wrt_019471f8000070008000000000000203 --at 2024-01-01T00:02:00Z)
expect_rc 0 "$TENUO" grant @root.b64 "${G[@]}" --tool read_file --emit leaf
cp out.txt leaf.b64
"$TENUO" inspect --json @leaf.b64 2>/dev/null | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["chain_length"] == 1 and d["warrant"]["depth"] == 1 and list(d["warrant"]["tools"]) == ["read_file"], d' \
  || fail "--emit leaf should print the child alone"
expect_rc 0 "$TENUO" grant @root.b64 "${G[@]}" --tool read_file --emit chain
cp out.txt chain.b64
"$TENUO" inspect --json --chain @chain.b64 2>/dev/null | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["chain_length"] == 2 and d["chain"][0]["id"].endswith("0201") and d["chain"][1]["id"].endswith("0203"), d' \
  || fail "--emit chain should print root..child"
expect_rc 0 "$TENUO" grant @root.b64 "${G[@]}" --tool read_file
cmp -s out.txt chain.b64 || fail "--emit chain is not the default"
# The leaf alone: untrusted under the root key; acceptable as a lone intermediate under its issuer.
expect_rc 1 "$TENUO" verify --warrant @leaf.b64 --trusted-root "$ROOT_PUB" --at "$NOW"
grep -q 1406 err.txt || fail "a lone leaf under the root key should be 1406"
expect_rc 0 "$TENUO" verify --warrant @leaf.b64 --trusted-root "$AGENT_PUB" --at "$NOW"
# Extending a chain keeps its links byte for byte.
expect_rc 0 "$TENUO" grant @chain.b64 --key "$WORKER" -c path=pattern:/data/reports/2024/* \
  --id tnu_wrt_019471f8000070008000000000000204 --at 2024-01-01T00:03:00Z --format json
/usr/bin/python3 - <<'EOF' || fail "grant --format json of a 3-link chain"
import base64, cbor2, json
d = json.load(open("out.txt"))
assert d["ok"] is True and len(d["chain"]) == 3 and d["leaf"]["depth"] == 2
t = d["warrant"]
stack = cbor2.loads(base64.urlsafe_b64decode(t + "=" * (-len(t) % 4)))
old = open("chain.b64").read().strip()
old_stack = cbor2.loads(base64.urlsafe_b64decode(old + "=" * (-len(old) % 4)))
assert stack[:2] == old_stack, "the parent links changed"
EOF

# ---- --diff (stderr) and --dry-run (nothing signed)
expect_rc 0 "$TENUO" grant @root.b64 "${G[@]}" --tool read_file -c path=pattern:/data/x/* --ttl 10m --diff
"$TENUO" inspect @out.txt >/dev/null 2>&1 || fail "--diff must still print the warrant on stdout"
grep -q 'read_file.path' err.txt || fail "--diff does not show the narrowed argument: $(cat err.txt)"
grep -q 'send_mail' err.txt || fail "--diff does not show the dropped tool: $(cat err.txt)"
grep -q 'expires_at' err.txt || fail "--diff does not show the shorter expiry: $(cat err.txt)"
expect_rc 0 "$TENUO" grant @root.b64 "${G[@]}" --tool read_file -c path=pattern:/data/x/* --dry-run
grep -q 'read_file.path' out.txt || fail "--dry-run does not show what would narrow"
expect_rc 3 "$TENUO" inspect @out.txt   # no warrant was produced
expect_rc 1 "$TENUO" grant @root.b64 "${G[@]}" -c read_file.path=pattern:/* --dry-run
grep -q '\[1503 ' err.txt || fail "--dry-run of a widening grant should be refused with 1503"
[[ ! -s out.txt ]] || fail "a refused --dry-run printed on stdout"

# ---- formats and -o
expect_rc 0 "$TENUO" grant @root.b64 "${G[@]}" --format pem
grep -qx -- '-----BEGIN TENUO WARRANT CHAIN-----' out.txt || fail "--format pem of a chain"
cp out.txt chain.pem
expect_rc 0 "$TENUO" grant @root.b64 "${G[@]}" --format pem --emit leaf
grep -qx -- '-----BEGIN TENUO WARRANT-----' out.txt || fail "--format pem of a leaf"
expect_rc 0 "$TENUO" grant @root.b64 "${G[@]}" --format tenuo -o chain.tenuo
[[ ! -s out.txt ]] || fail "-o FILE also printed on stdout"
[[ $(head -c 5 chain.tenuo | od -An -tx1 | tr -d ' \n') == 54454e5501 ]] || fail "--format tenuo lacks the magic"
expect_rc 0 "$TENUO" grant @root.b64 "${G[@]}" -o chain.out
for f in chain.pem chain.tenuo chain.out; do
  expect_rc 0 "$TENUO" verify --warrant "@$f" --trusted-root "$ROOT_PUB" --at "$NOW"
done
expect_rc 1 "$TENUO" grant @root.b64 "${G[@]}" -c read_file.path=pattern:/* --format json
/usr/bin/python3 -c '
import json; d = json.load(open("out.txt"))
assert d["ok"] is False and d["error"]["code"] == 1503 and d["error"]["name"] == "capability-expansion", d' \
  || fail "--format json failure document"

# ---- narrowing forms: --capabilities, --ttl capped to the parent, --expires-at, --max-depth
expect_rc 0 "$TENUO" grant @root.b64 "${G[@]}" --capabilities '{"read_file":{"path":{"type":"pattern","pattern":"/data/q/*"}}}' \
  --ttl 2d --emit leaf --format json
/usr/bin/python3 -c '
import json; d = json.load(open("out.txt"))["leaf"]
assert d["tools"]["read_file"] == {"path": {"type": "pattern", "pattern": "/data/q/*"}}, d["tools"]
assert d["expires_at"] == 1704070800, "a longer --ttl is capped to the parent expiry"' || fail "--capabilities / --ttl cap"
expect_rc 0 "$TENUO" grant @root.b64 "${G[@]}" --expires-at 2024-01-01T00:30:00Z --max-depth 2 --emit leaf --format json
/usr/bin/python3 -c '
import json; d = json.load(open("out.txt"))["leaf"]
assert d["expires_at"] == 1704069000 and d["max_depth"] == 2, d' || fail "--expires-at / --max-depth"
expect_rc 0 "$TENUO" grant "$(cat root.b64)" "${G[@]}" --emit leaf      # parent as a literal value
expect_rc 0 "$TENUO" grant "${G[@]}" --emit leaf <root.b64              # parent on stdin
expect_rc 1 "$TENUO" grant @root.b64 "${G[@]}" --tool delete_file
grep -q '\[1503 ' err.txt || fail "adding a tool should be 1503"
expect_rc 2 "$TENUO" grant @root.b64 "${G[@]}" --emit both   # a usage error
expect_rc 3 "$TENUO" grant @root.b64 --key "$AGENT" --id not-an-id --at 2024-01-01T00:02:00Z

# ---- verify: revocation of a link, strict session
expect_rc 1 "$TENUO" verify --warrant @chain.b64 --trusted-root "$ROOT_PUB" --at "$NOW" \
  --revoked tnu_wrt_019471f8000070008000000000000203
grep -q 1800 err.txt || fail "a revoked child should be 1800"
expect_rc 0 "$TENUO" verify --warrant @chain.b64 --trusted-root "$ROOT_PUB" --at "$NOW" --strict-session
expect_rc 0 "$TENUO" inspect --chain @chain.b64
grep -q '(root)' out.txt && grep -q '(leaf)' out.txt || fail "inspect --chain text does not mark root and leaf"
echo "ok"
