#!/usr/bin/env bash
# Regenerates the seed corpora of warrant_decode_fuzz and verify_chain_fuzz with the real CLI
# (deterministic: fixed keys, ids and clocks). Usage: make_warrant_seeds.sh path/to/tenuo
set -euo pipefail
T=${1:?usage: make_warrant_seeds.sh TENUO}
here=$(cd "$(dirname "$0")" && pwd)
D=$here/corpus/warrant_decode
V=$here/corpus/verify_chain
mkdir -p "$D" "$V"
seed() { printf "$1%.0s" {1..32}; }
unmagic() { tail -c +6; }  # --format tenuo minus the 5-byte magic = raw CBOR
pub() { "$T" pubkey "$1" --format hex; }
A1=(mint --key "$(seed 01)" --holder "$(pub "$(seed 02)")" --tool read_file -c path=wildcard
    --id tnu_wrt_019471f8000070008000000000000001 --at 2024-01-01T00:00:00Z --ttl 1h --max-depth 3)

# ---- warrant_decode: A.1 in every form, every optional field, every constraint type, chains
"$T" "${A1[@]}" --format tenuo | unmagic >"$D/a1.cbor"
"$T" "${A1[@]}" --format tenuo >"$D/a1.tenuo"
"$T" "${A1[@]}" >"$D/a1.b64"
"$T" "${A1[@]}" --format pem >"$D/a1.pem"
head -c 100 "$D/a1.cbor" >"$D/a1_truncated.cbor"
"$T" mint --key "$(seed 31)" --holder "$(pub "$(seed 32)")" --type issuer --issuable-tools read_file,send_mail \
  --max-issue-depth 2 --constraint-bounds '{"path":{"type":"subpath","root":"/data"}}' --clearance internal \
  --required-approver "$(pub "$(seed 34)")" --required-approver "$(pub "$(seed 35)")" --min-approvals 1 \
  --session-id sess-1 --agent-id agent-7 --extension tenuo.approval_gates=a0 --extension acme.note=63616263 \
  --id tnu_wrt_019471f8000070008000000000000101 --at 2024-01-01T00:00:00Z --ttl 1h --max-depth 5 \
  --format tenuo | unmagic >"$D/issuer_all_fields.cbor"
caps='{"t":{
 "a":{"type":"exact","value":{"k":[1,2.5,null]}}, "b":{"type":"pattern","pattern":"/d/*"},
 "c":{"type":"range","min":-1.5,"max":100,"min_inclusive":false,"max_inclusive":true},
 "d":{"type":"one_of","values":["a",1,1.0,true]}, "e":{"type":"regex","pattern":"^a+$"},
 "f":{"type":"not_one_of","excluded":["x"]}, "g":{"type":"cidr","network":"10.0.0.0/8"},
 "h":{"type":"url_pattern","pattern":"https://*.example.com/*"}, "i":{"type":"contains","required":["r"]},
 "j":{"type":"subset","allowed":["a","b"]}, "k":{"type":"all","constraints":[{"type":"wildcard"}]},
 "l":{"type":"any","constraints":[{"type":"exact","value":"x"}]}, "m":{"type":"not","constraint":{"type":"wildcard"}},
 "n":{"type":"cel","expression":"value > 1"}, "o":{"type":"wildcard"}, "p":{"type":"subpath","root":"/srv"},
 "q":{"type":"url_safe"}, "r":{"type":"shlex","allow":["ls"]}, "s":{"type":"unknown","type_id":99,"payload_hex":"0102"}}}'
"$T" mint --key "$(seed 01)" --capabilities "$caps" --id tnu_wrt_019471f8000070008000000000000002 \
  --at 2024-01-01T00:00:00Z --format tenuo | unmagic >"$D/every_constraint.cbor"
root=$("$T" mint --key "$(seed 41)" --holder "$(pub "$(seed 42)")" --tool read_file --tool send_mail \
  -c read_file.path=pattern:/data/* --clearance 30 --session-id s --id tnu_wrt_019471f8000070008000000000000301 \
  --at 2024-01-01T00:00:00Z --ttl 1h)
two=$("$T" grant "$root" --key "$(seed 42)" --holder "$(pub "$(seed 43)")" -c read_file.path=pattern:/data/r/* \
  --id tnu_wrt_019471f8000070008000000000000302 --at 2024-01-01T00:00:10Z)
"$T" grant "$two" --key "$(seed 43)" --tool read_file --id tnu_wrt_019471f8000070008000000000000303 \
  --at 2024-01-01T00:00:20Z --format tenuo | unmagic >"$D/chain3.cbor"
"$T" grant "$two" --key "$(seed 43)" --tool read_file --id tnu_wrt_019471f8000070008000000000000303 \
  --at 2024-01-01T00:00:20Z --format pem >"$D/chain3.pem"

# ---- verify_chain: chains whose root is signed by the target's trusted key (seed 5a×32)
K=$(seed 5a)
vroot=$("$T" mint --key "$K" --holder "$(pub "$(seed 5b)")" --tool read_file --tool send_mail \
  -c read_file.path=pattern:/data/* -c send_mail.to=oneof:a@x.com,b@x.com --session-id s \
  --id tnu_wrt_019471f8000070008000000000000401 --at 2024-01-01T00:00:00Z --ttl 1h --max-depth 4)
printf '%s' "$vroot" >"$V/root.b64"
vtwo=$("$T" grant "$vroot" --key "$(seed 5b)" --holder "$(pub "$(seed 5c)")" -c read_file.path=pattern:/data/r/* \
  --id tnu_wrt_019471f8000070008000000000000402 --at 2024-01-01T00:00:10Z --ttl 30m)
"$T" grant "$vroot" --key "$(seed 5b)" --holder "$(pub "$(seed 5c)")" -c read_file.path=pattern:/data/r/* \
  --id tnu_wrt_019471f8000070008000000000000402 --at 2024-01-01T00:00:10Z --ttl 30m --format tenuo | unmagic >"$V/chain2.cbor"
"$T" grant "$vtwo" --key "$(seed 5c)" --tool read_file -c path=exact:/data/r/a.txt \
  --id tnu_wrt_019471f8000070008000000000000403 --at 2024-01-01T00:00:20Z --format tenuo | unmagic >"$V/chain3.cbor"
"$T" grant "$vtwo" --key "$(seed 5c)" --tool read_file --emit leaf \
  --id tnu_wrt_019471f8000070008000000000000404 --at 2024-01-01T00:00:20Z --format tenuo | unmagic >"$V/leaf_alone.cbor"
"$T" "${A1[@]}" --format tenuo | unmagic >"$V/a1_untrusted.cbor"
"$T" mint --key "$K" --tool x --id tnu_wrt_019471f8000070008000000000000405 --at 2024-01-01T00:00:00Z --ttl 30s \
  --format tenuo | unmagic >"$V/root_expired.cbor"
echo "seeds written to $D and $V"
