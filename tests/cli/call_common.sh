# Shared setup for the sign/verify CLI tests (sourced, not a test itself).
# Keys and warrant of WIRE.md §19 (A.1): issuer seed 01x32, holder seed 02x32.
: "${TENUO:?TENUO must point at the tenuo binary}"
PY=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
unset TENUO_NOW TENUO_MODE TENUO_POP_MAX_WINDOWS TENUO_AUDIT_LOG TENUO_TRUSTED_ROOTS TENUO_SIGNING_KEY TENUO_ISSUER_KEY

fail() { echo "FAIL: $*" >&2; exit 1; }
expect_rc() {  # expect_rc CODE CMD... (stdout in out.txt, stderr in err.txt)
  local want=$1; shift
  local rc=0
  "$@" >out.txt 2>err.txt || rc=$?
  [[ $rc == "$want" ]] || { cat out.txt err.txt >&2; fail "expected exit $want, got $rc: $*"; }
}
# json_get FILE EXPR: evaluates the Python expression EXPR over the parsed document `d`.
json_get() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

ISSUER_SEED=$(printf '01%.0s' {1..32})
HOLDER_SEED=$(printf '02%.0s' {1..32})
OTHER_SEED=$(printf '03%.0s' {1..32})
ISSUER_PUB=8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c
HOLDER_PUB=8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394
OTHER_PUB=$("$TENUO" pubkey "$OTHER_SEED" --format hex)
A1_ID=tnu_wrt_019471f8000070008000000000000001
T0=1704067200  # 2024-01-01T00:00:00Z, a window start

# mint_a1 [extra mint flags…]: the A.1 warrant (read_file, path=wildcard, 1 h, max depth 3).
mint_a1() {
  "$TENUO" mint --key "$ISSUER_SEED" --holder "$HOLDER_PUB" --tool read_file -c path=wildcard \
    --id "$A1_ID" --at 2024-01-01T00:00:00Z --ttl 1h --max-depth 3 "$@"
}
