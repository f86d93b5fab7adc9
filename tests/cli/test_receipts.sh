#!/usr/bin/env bash
# tenuo verify --receipt-key/--receipt-log: signed receipts v1 (WIRE.md §21), one per decision,
# chained per signer through key 14 (SHA-256 of the previous receipt). The first receipt for
# the §19.7 call reproduces the §21.5 worked example byte for byte.
set -euo pipefail
source "$TENUO_SOURCE_DIR/tests/cli/call_common.sh"

mint_a1 > a1.b64
ARGS='{"path": "/data/report.pdf"}'
A17_SIG='lCtJRMPFh9p4KoHThVYtHev/zwy8sCTB43J1aHunYldkfODoAqo6gxt7hTyb6mS+1AQ+qmHLk/CmJOukWlcGDw=='
R=("$TENUO" verify --warrant @a1.b64 --trusted-root "$ISSUER_PUB" --trusted-root "$HOLDER_PUB" --tool read_file --at $T0)

# receipts.py FILE: prints one line per receipt: sha256 | key14 | outcome | key10 | has-key8 | signer
cat > receipts.py <<'PYEOF'
import cbor2, hashlib, json, sys
for line in open(sys.argv[1]):
    if not line.strip():
        continue
    raw = bytes.fromhex(json.loads(line)["receipt"])
    outer = cbor2.loads(raw)
    assert list(outer) == ["receipt_version", "payload", "signer_key", "signature"], list(outer)
    p = cbor2.loads(outer["payload"])
    assert list(p) == sorted(p), list(p)
    print(hashlib.sha256(raw).hexdigest(), p.get(14, b"").hex() or "-", p[4], p.get(10, "-"),
          "pop" if 8 in p else "nopop", outer["signer_key"][1].hex()[:8], p[9], p[5])
PYEOF

# ---- §21.5: allow receipt signed with seed 01x32, roots {control plane, orchestrator}, "req-1"
expect_rc 0 "${R[@]}" --args "$ARGS" --signature "$A17_SIG" --receipt-key "$ISSUER_SEED" --receipt-log r.jsonl --request-id req-1 --json
first=$("$PY" receipts.py r.jsonl)
[[ $(awk '{print $1}' <<<"$first") == b3bbe0b0b3bcbb9b4a20899e40f635a12e259a7f050d3983af15c7fce68f4901 ]] \
  || fail "§21.5 receipt hash: $first"
[[ $(json_get out.txt 'd["receipt"]') == b3bbe0b0b3bcbb9b4a20899e40f635a12e259a7f050d3983af15c7fce68f4901 ]] || fail "JSON receipt hash"
"$PY" - r.jsonl <<'PYEOF' || fail "§21.5 receipt fields"
import cbor2, json, sys
raw = bytes.fromhex(json.loads(open(sys.argv[1]).readline())["receipt"])
assert len(raw) == 548, len(raw)
assert raw.hex().startswith("a46f726563656970745f76657273696f6e01677061796c6f616459018aa9000102"), raw[:40].hex()
outer = cbor2.loads(raw)
assert outer["signature"][1].hex() == "76cc7f59d9af962ac0f574a1874b2a5a1dd2e5557079513e7a106cf8895b88394aba3b6b107675836bf78c2668c204521d96e224774e15397eb88329d99d6408"
p = cbor2.loads(outer["payload"])
assert p[7].hex() == "117ee182c8c61d83dda1fc31b7248dcdc262aa4ef799a7a36de6364a07a9ea12", p[7].hex()  # §19.8
assert p[15].hex() == "071021128b34a2248ceb9ab15cb1c900426b6ef2038fe322b463673933e1c9e7", p[15].hex()
assert 14 not in p and 10 not in p
PYEOF

# ---- a second decision chains to the first
expect_rc 0 "${R[@]}" --args "$ARGS" --signature "$A17_SIG" --receipt-key "$ISSUER_SEED" --receipt-log r.jsonl --request-id req-2
mapfile -t rows < <("$PY" receipts.py r.jsonl)
(( ${#rows[@]} == 2 )) || fail "two receipts expected"
read -r h1 p1 _ <<<"${rows[0]}"
read -r h2 p2 _ <<<"${rows[1]}"
[[ $p1 == - ]] || fail "the first receipt has no key 14"
[[ $p2 == "$h1" ]] || fail "key 14 of the second receipt ($p2) is not the hash of the first ($h1)"

# ---- denials are receipted too: after the PoP (constraints) key 8 is kept, at the PoP it is not
sig_bad=$("$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args '{"path": "/x", "y": 1}' --at $T0 2>/dev/null)
expect_rc 1 "${R[@]}" --args '{"path": "/x", "y": 1}' --signature "$sig_bad" --receipt-key "$ISSUER_SEED" --receipt-log r.jsonl
expect_rc 1 "${R[@]}" --args "$ARGS" --signature "$sig_bad" --receipt-key "$ISSUER_SEED" --receipt-log r.jsonl
# in audit mode the receipt records the verdict (deny), not the mode
expect_rc 0 "${R[@]}" --args "$ARGS" --signature "$sig_bad" --receipt-key "$ISSUER_SEED" --receipt-log r.jsonl --mode audit
# another signer in the same file starts its own chain; ours skips over its receipt
expect_rc 0 "${R[@]}" --args "$ARGS" --signature "$A17_SIG" --receipt-key "$OTHER_SEED" --receipt-log r.jsonl
expect_rc 0 "${R[@]}" --args "$ARGS" --signature "$A17_SIG" --receipt-key "$ISSUER_SEED" --receipt-log r.jsonl
mapfile -t rows < <("$PY" receipts.py r.jsonl)
(( ${#rows[@]} == 7 )) || fail "seven receipts expected"
fields() { read -r -a f <<<"${rows[$1]}"; }
fields 2; [[ ${f[2]} == deny && ${f[3]} == constraint-violation && ${f[4]} == pop ]] || fail "constraint deny receipt: ${rows[2]}"
[[ ${f[1]} == "$h2" ]] || fail "deny receipt chains to the previous one"
h3=${f[0]}
fields 3; [[ ${f[2]} == deny && ${f[3]} == signature-invalid && ${f[4]} == nopop ]] || fail "PoP deny receipt: ${rows[3]}"
[[ ${f[1]} == "$h3" ]] || fail "chain through denials"
h4=${f[0]}
fields 4; [[ ${f[2]} == deny && ${f[3]} == signature-invalid ]] || fail "audit-mode receipt must say deny: ${rows[4]}"
h5=${f[0]}
fields 5; [[ ${f[1]} == - && ${f[2]} == allow ]] || fail "another signer's first receipt has no key 14: ${rows[5]}"
fields 6; [[ ${f[1]} == "$h5" ]] || fail "our chain must skip the other signer's receipt: ${rows[6]}"

# ---- a log that is not a clean receipt stream is never extended
cp r.jsonl good.jsonl
printf '{"receipt":"a46f72' >> r.jsonl   # torn line (no newline)
before=$(sha256sum < r.jsonl)
expect_rc 3 "${R[@]}" --args "$ARGS" --signature "$A17_SIG" --receipt-key "$ISSUER_SEED" --receipt-log r.jsonl
[[ $(sha256sum < r.jsonl) == "$before" ]] || fail "a torn log was modified"
cp good.jsonl r.jsonl
"$PY" - r.jsonl <<'PYEOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
raw = bytearray.fromhex(json.loads(lines[-1])["receipt"]); raw[-1] ^= 1   # forge our last receipt
lines[-1] = json.dumps({"receipt": raw.hex()})
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PYEOF
expect_rc 3 "${R[@]}" --args "$ARGS" --signature "$A17_SIG" --receipt-key "$ISSUER_SEED" --receipt-log r.jsonl
grep -q 'not an authentic receipt' err.txt || fail "forged line must be named"

# ---- usage: receipts need a call with a PoP, and both flags
expect_rc 2 "${R[@]}" --args "$ARGS" --no-pop --receipt-key "$ISSUER_SEED" --receipt-log x.jsonl
expect_rc 2 "${R[@]}" --args "$ARGS" --signature "$A17_SIG" --receipt-key "$ISSUER_SEED"
expect_rc 2 "$TENUO" verify --warrant @a1.b64 --trusted-root "$ISSUER_PUB" --at $T0 --receipt-key "$ISSUER_SEED" --receipt-log x.jsonl

# ---- concurrent verifiers with one key build one linear chain
rm -f c.jsonl
pids=()
for w in 1 2 3 4; do
  ( for i in 1 2 3; do "${R[@]}" --args "$ARGS" --signature "$A17_SIG" --receipt-key "$ISSUER_SEED" --receipt-log c.jsonl \
      --request-id "w$w-$i" >/dev/null 2>&1; done ) & pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
"$PY" - c.jsonl <<'PYEOF' || fail "concurrent receipts do not form one chain"
import cbor2, hashlib, json, sys
prev = None
n = 0
for line in open(sys.argv[1]):
    raw = bytes.fromhex(json.loads(line)["receipt"])
    p = cbor2.loads(cbor2.loads(raw)["payload"])
    assert p.get(14) == prev, (n, p.get(14), prev)
    prev = hashlib.sha256(raw).digest()
    n += 1
assert n == 12, n
PYEOF
echo "receipts: all checks passed"
