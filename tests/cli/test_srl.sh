#!/usr/bin/env bash
# tenuo verify --srl: Signed Revocation Lists (WIRE.md §13) built independently here (Python
# cbor2 for the payload, OpenSSL for the Ed25519 signature over "tenuo-warrant-v1" ||
# "tenuo-srl-v1" || CBOR(payload)): a revoked id -> 1800, a bad or untrusted signature -> 1801,
# a rollback below --srl-min-version -> 1802; file forms; receipts carry the SRL version/hash.
set -euo pipefail
source "$TENUO_SOURCE_DIR/tests/cli/call_common.sh"

mint_a1 > a1.b64
"$TENUO" grant @a1.b64 --key "$HOLDER_SEED" --holder "$OTHER_PUB" --at 2024-01-01T00:00:10Z --ttl 30m \
  --id tnu_wrt_019471f8000070008000000000000002 > chain.b64 2>/dev/null
ARGS='{"path": "/data/report.pdf"}'
SIG=$("$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at $T0)
CSIG=$("$TENUO" sign --warrant @chain.b64 --key "$OTHER_SEED" --tool read_file --args "$ARGS" --at $((T0 + 20)))
CP_SEED=$ISSUER_SEED  # the control plane is the trusted root
ROGUE_SEED=$(printf '07%.0s' {1..32})

# make_srl OUT SEED VERSION ID… : a signed list; FORM env = raw (default) | hex | base64
make_srl() {
  local out=$1 seed=$2 version=$3; shift 3
  "$PY" - "$seed" 3> "$out.pem" <<'PYEOF'
import base64, cbor2, os, sys
seed = bytes.fromhex(sys.argv[1])
der = bytes.fromhex("302e020100300506032b657004220420") + seed   # PKCS#8 v1 Ed25519
os.write(3, b"-----BEGIN PRIVATE KEY-----\n" + base64.b64encode(der) + b"\n-----END PRIVATE KEY-----\n")
PYEOF
  local pub
  pub=$(openssl pkey -in "$out.pem" -pubout -outform DER | tail -c 32 | od -An -v -tx1 | tr -d ' \n')
  "$PY" - "$pub" "$version" "$@" > "$out.payload" <<'PYEOF'
import cbor2, sys
pub, version, ids = bytes.fromhex(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
payload = {"revoked_ids": ids, "version": version, "issued_at": "2024-01-01T00:00:00Z", "issuer": [1, pub]}
sys.stdout.buffer.write(cbor2.dumps(payload))
PYEOF
  { printf 'tenuo-warrant-v1tenuo-srl-v1'; cat "$out.payload"; } > "$out.msg"
  openssl pkeyutl -sign -inkey "$out.pem" -rawin -in "$out.msg" -out "$out.sig"
  "$PY" - "$out.payload" "$out.sig" "${FORM:-raw}" > "$out" <<'PYEOF'
import base64, cbor2, sys
payload = cbor2.loads(open(sys.argv[1], "rb").read())
sig = open(sys.argv[2], "rb").read()
srl = cbor2.dumps({"payload": payload, "signature": [1, sig]})
form = sys.argv[3]
out = srl if form == "raw" else (srl.hex() + "\n").encode() if form == "hex" else base64.b64encode(srl) + b"\n"
sys.stdout.buffer.write(out)
PYEOF
}
V=("$TENUO" verify --warrant @a1.b64 --trusted-root "$ISSUER_PUB" --at $T0 --tool read_file --args "$ARGS" --signature "$SIG")

# ---- an SRL that lists the warrant: 1800
make_srl revoked.srl "$CP_SEED" 3 tnu_wrt_019471f80000700080000000000000ff "$A1_ID"
expect_rc 1 "${V[@]}" --srl revoked.srl
grep -q '\[1800 warrant-revoked\]' err.txt || { cat err.txt >&2; fail "revoked by SRL: 1800"; }
expect_rc 1 "${V[@]}" --srl revoked.srl --json
[[ $(json_get out.txt '(d["error"]["code"], d["srl"]["version"], d["srl"]["revoked"])') == "(1800, 3, 2)" ]] || fail "SRL JSON"
[[ $(json_get out.txt '[(c["status"], c["code"]) for c in d["checks"] if c["check"] == "revocation"]') == "[('fail', 1800)]" ]] \
  || fail "revocation check"
# audit mode lets the revoked call through but records it
expect_rc 0 "${V[@]}" --srl revoked.srl --mode audit
grep -q 'would deny: .*\[1800' err.txt || fail "audit mode: would deny 1800"
# a revoked link in the middle of a chain
expect_rc 1 "$TENUO" verify --warrant @chain.b64 --trusted-root "$ISSUER_PUB" --at $((T0 + 20)) --tool read_file --args "$ARGS" --signature "$CSIG" --srl revoked.srl
grep -q '\[1800' err.txt || fail "revoked parent in a chain: 1800"
# and chain-only verification consults it too
expect_rc 1 "$TENUO" verify --warrant @a1.b64 --trusted-root "$ISSUER_PUB" --at $T0 --srl revoked.srl
grep -q '\[1800' err.txt || fail "chain-only with SRL: 1800"

# ---- a list that does not name it: allowed; every file form
make_srl clean.srl "$CP_SEED" 4 tnu_wrt_019471f80000700080000000000000ff
expect_rc 0 "${V[@]}" --srl clean.srl --json
[[ $(json_get out.txt '[c["status"] for c in d["checks"] if c["check"] == "revocation"]') == "['pass']" ]] || fail "revocation pass"
FORM=hex make_srl clean.hex "$CP_SEED" 4 tnu_wrt_019471f80000700080000000000000ff
FORM=base64 make_srl clean.b64 "$CP_SEED" 4 tnu_wrt_019471f80000700080000000000000ff
FORM=hex make_srl revoked.hex "$CP_SEED" 3 "$A1_ID"
expect_rc 0 "${V[@]}" --srl clean.hex
expect_rc 0 "${V[@]}" --srl @clean.b64
expect_rc 1 "${V[@]}" --srl revoked.hex
grep -q '\[1800' err.txt || fail "hex SRL: 1800"
# --revoked and --srl add up
expect_rc 1 "${V[@]}" --srl clean.srl --revoked "$A1_ID"

# ---- bad signature: 1801, in every mode
cp revoked.srl forged.srl
"$PY" - forged.srl <<'PYEOF'
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[-1] ^= 1; open(p, "wb").write(bytes(b))
PYEOF
for mode in enforce audit permissive; do
  expect_rc 1 "${V[@]}" --srl forged.srl --mode "$mode"
  grep -q '\[1801 srl-invalid\]' err.txt || { cat err.txt >&2; fail "forged SRL ($mode): 1801"; }
done
# an id edited out of a signed list (the re-encoded payload no longer matches the signature)
"$PY" - revoked.srl edited.srl <<'PYEOF'
import cbor2, sys
d = cbor2.loads(open(sys.argv[1], "rb").read())
d["payload"]["revoked_ids"] = d["payload"]["revoked_ids"][:1]
open(sys.argv[2], "wb").write(cbor2.dumps(d))
PYEOF
expect_rc 1 "${V[@]}" --srl edited.srl
grep -q '\[1801' err.txt || fail "edited SRL: 1801"
# signed by a key that is neither a trusted root nor an --srl-key: 1801; with --srl-key it counts
make_srl rogue.srl "$ROGUE_SEED" 9 "$A1_ID"
ROGUE_PUB=$("$TENUO" pubkey "$ROGUE_SEED" --format hex)
expect_rc 1 "${V[@]}" --srl rogue.srl
grep -q '\[1801' err.txt || fail "untrusted SRL issuer: 1801"
expect_rc 1 "${V[@]}" --srl rogue.srl --srl-key "$ROGUE_PUB"
grep -q '\[1800' err.txt || fail "--srl-key issuer accepted: 1800"
# not an SRL at all: 1801; a missing file: input error 3
printf 'hello' > junk.srl
expect_rc 1 "${V[@]}" --srl junk.srl
grep -q '\[1801' err.txt || fail "junk SRL: 1801"
expect_rc 3 "${V[@]}" --srl missing.srl

# ---- rollback
expect_rc 0 "${V[@]}" --srl clean.srl --srl-min-version 4
expect_rc 0 "${V[@]}" --srl clean.srl --srl-min-version 0
expect_rc 1 "${V[@]}" --srl clean.srl --srl-min-version 5
grep -q '\[1802 srl-version-rollback\]' err.txt || { cat err.txt >&2; fail "rollback: 1802"; }
expect_rc 1 "${V[@]}" --srl forged.srl --srl-min-version 99
grep -q '\[1801' err.txt || fail "a forged list is 1801 before any version check"
expect_rc 2 "${V[@]}" --srl clean.srl --srl-min-version -1

# ---- receipts record the SRL version and the hash of its bytes
expect_rc 0 "${V[@]}" --srl clean.srl --receipt-key "$ISSUER_SEED" --receipt-log r.jsonl
"$PY" - r.jsonl clean.srl <<'PYEOF' || fail "receipt SRL fields"
import cbor2, hashlib, json, sys
raw = bytes.fromhex(json.loads(open(sys.argv[1]).readline())["receipt"])
p = cbor2.loads(cbor2.loads(raw)["payload"])
assert p[12] == 4, p.get(12)
assert p[13] == hashlib.sha256(open(sys.argv[2], "rb").read()).digest(), p.get(13)
PYEOF

echo "srl: all checks passed"
