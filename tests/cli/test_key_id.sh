#!/usr/bin/env bash
# --key-id ID (CLI.md §3: TENUO_KEY_<ID>) on mint, grant, sign and approve: the named key signs exactly
# what the same key given with --key signs (A.1 byte for byte), it overrides the verb's default
# environment key, --key with --key-id is a usage error (2), and an unknown, malformed or
# unreadable named key is a one-line input error (3).
set -euo pipefail
source "$TENUO_SOURCE_DIR/tests/cli/call_common.sh"
for v in $(compgen -e TENUO_KEY_ || true); do unset "$v"; done

one_line_err() {  # one_line_err KEYWORD...: err.txt is one line (CLI11's hint aside) with every keyword
  local lines
  lines=$(grep -vc '^Run with --help for more information\.$' err.txt || true)
  [[ $lines == 1 ]] || { cat err.txt >&2; fail "want one stderr line, got $lines"; }
  for kw in "$@"; do grep -qiE -- "$kw" err.txt || { cat err.txt >&2; fail "stderr lacks '$kw'"; }; done
}

"$TENUO" keygen issuer >/dev/null 2>&1 || fail "keygen"
export TENUO_KEY_cp=$ISSUER_SEED                                           # hex seed (A.1 issuer)
TENUO_KEY_agent_1=$("$TENUO" keygen --format pem 2>/dev/null) || fail "keygen pem"   # PKCS#8 PEM
TENUO_KEY_WORKER=$("$TENUO" keygen --format base64 2>/dev/null) || fail "keygen b64" # base64 seed
export TENUO_KEY_agent_1 TENUO_KEY_WORKER
"$TENUO" pubkey env:TENUO_KEY_agent_1 --format hex > agent.pub
"$TENUO" pubkey env:TENUO_KEY_WORKER --format hex > worker.pub

# ---- mint: --key-id cp gives the A.1 bytes, like --key
mint_a1 > a1.b64 || fail "mint A.1 with --key"
expect_rc 0 "$TENUO" mint --key-id cp --holder "$HOLDER_PUB" --tool read_file -c path=wildcard \
  --id "$A1_ID" --at 2024-01-01T00:00:00Z --ttl 1h --max-depth 3
cmp -s out.txt a1.b64 || fail "mint --key-id cp differs from mint --key (A.1)"
[[ $(cat out.txt) == "$(cat "$TENUO_SOURCE_DIR/tests/vectors/a1/warrant.b64")" ]] || fail "mint --key-id: not the A.1 bytes"
# a flag overrides the environment default: TENUO_ISSUER_KEY names another key
TENUO_ISSUER_KEY=$OTHER_SEED expect_rc 0 "$TENUO" mint --key-id cp --holder "$HOLDER_PUB" --tool read_file \
  -c path=wildcard --id "$A1_ID" --at 2024-01-01T00:00:00Z --ttl 1h --max-depth 3
cmp -s out.txt a1.b64 || fail "--key-id must win over TENUO_ISSUER_KEY"

# ---- grant and sign with named keys, then verify the whole pipeline
expect_rc 0 "$TENUO" mint --key-id cp --holder "$(cat agent.pub)" --tool read_file -c path=subpath:/data \
  --id tnu_wrt_019471f8000070008000000000000010 --at $T0 --ttl 1h
cp out.txt root.b64
G=(--holder "$(cat worker.pub)" -c read_file.path=subpath:/data/r --id tnu_wrt_019471f8000070008000000000000011
   --at $((T0 + 5)) --ttl 10m)
expect_rc 0 "$TENUO" grant @root.b64 --key-id agent_1 "${G[@]}"
cp out.txt chain.b64
printf '%s\n' "$TENUO_KEY_agent_1" > agent.key
expect_rc 0 "$TENUO" grant @root.b64 --key agent.key "${G[@]}"
cmp -s out.txt chain.b64 || fail "grant --key-id differs from grant --key"
ARGS='{"path": "/data/r/q3.pdf"}'
expect_rc 0 "$TENUO" sign --warrant @chain.b64 --key-id WORKER --tool read_file --args "$ARGS" --at $((T0 + 60))
sig=$(cat out.txt)
expect_rc 0 "$TENUO" sign --warrant @chain.b64 --key "$TENUO_KEY_WORKER" --tool read_file --args "$ARGS" --at $((T0 + 60))
[[ $(cat out.txt) == "$sig" ]] || fail "sign --key-id differs from sign --key"
TENUO_SIGNING_KEY=$OTHER_SEED expect_rc 0 "$TENUO" sign --warrant @chain.b64 --key-id WORKER --tool read_file \
  --args "$ARGS" --at $((T0 + 60))
[[ $(cat out.txt) == "$sig" ]] || fail "--key-id must win over TENUO_SIGNING_KEY"
expect_rc 0 "$TENUO" verify --warrant @chain.b64 --trusted-root "$ISSUER_PUB" --tool read_file --args "$ARGS" \
  --signature "$sig" --at $((T0 + 60))
# the named key is still checked against the leaf holder (exit 1, 1100)
expect_rc 1 "$TENUO" sign --warrant @chain.b64 --key-id cp --tool read_file --args "$ARGS" --at $((T0 + 60))

# ---- approve: an approver's named key gives the same approval as --key; one of them is required
AP_SEED=$(printf '11%.0s' {1..32})
export TENUO_KEY_approver=$AP_SEED
"$TENUO" mint --key-id cp --holder "$HOLDER_PUB" --tool deploy --required-approver "$("$TENUO" pubkey "$AP_SEED" --format hex)" \
  --approval-gate '{"deploy": {"env": {"type": "exact", "value": "prod"}}}' --id tnu_wrt_019471f8000070008000000000000042 \
  --at $T0 --ttl 1h > gated.b64 || fail "mint a gated warrant"
expect_rc 0 "$TENUO" approve --key-id approver -w @gated.b64 --tool deploy --args '{"env": "prod"}' --at $T0
cp out.txt approval.txt
# (approvals carry a fresh nonce, so compare by effect: the gated call verifies with it)
pop=$("$TENUO" sign -w @gated.b64 --key "$HOLDER_SEED" --tool deploy --args '{"env": "prod"}' --at $T0 --no-precheck)
expect_rc 1 "$TENUO" verify -w @gated.b64 -r "$ISSUER_PUB" --tool deploy --args '{"env": "prod"}' --signature "$pop" --at $T0
expect_rc 0 "$TENUO" verify -w @gated.b64 -r "$ISSUER_PUB" --tool deploy --args '{"env": "prod"}' --signature "$pop" \
  --at $T0 --approval @approval.txt
expect_rc 2 "$TENUO" approve -w @gated.b64 --tool deploy     # neither --key nor --key-id
one_line_err "key-id"
expect_rc 2 "$TENUO" approve --key "$AP_SEED" --key-id approver -w @gated.b64 --tool deploy
one_line_err "key-id" "excludes"
expect_rc 3 "$TENUO" approve --key-id nope -w @gated.b64 --tool deploy
one_line_err "TENUO_KEY_nope" "not set"

# ---- --key with --key-id: a usage error on every verb
expect_rc 2 "$TENUO" mint --key "$ISSUER_SEED" --key-id cp --tool t
one_line_err "key-id" "excludes"
expect_rc 2 "$TENUO" grant @root.b64 --key agent.key --key-id agent_1
one_line_err "key-id" "excludes"
expect_rc 2 "$TENUO" sign --warrant @chain.b64 -k "$HOLDER_SEED" --key-id WORKER --tool read_file
one_line_err "key-id" "excludes"

# ---- unknown, malformed or unreadable named keys: exit 3, one line naming the variable
for verb in mint grant sign; do
  case $verb in
    mint) cmd=("$TENUO" mint --tool t --at $T0) ;;
    grant) cmd=("$TENUO" grant @root.b64 --at $((T0 + 5))) ;;
    sign) cmd=("$TENUO" sign --warrant @chain.b64 --tool read_file --at $T0) ;;
  esac
  expect_rc 3 "${cmd[@]}" --key-id nope
  one_line_err "TENUO_KEY_nope" "not set"
  expect_rc 3 "${cmd[@]}" --key-id worker      # ids are case-sensitive: TENUO_KEY_WORKER is set
  one_line_err "TENUO_KEY_worker" "not set"
  expect_rc 3 "${cmd[@]}" --key-id 'a-b'
  one_line_err "key-id" "a-b"
  [[ ! -s out.txt ]] || fail "$verb: nothing may be printed on stdout for a key error"
done
TENUO_KEY_empty='' expect_rc 3 "$TENUO" mint --key-id empty --tool t
one_line_err "TENUO_KEY_empty"
TENUO_KEY_pub=$(cat issuer.pub) expect_rc 3 "$TENUO" mint --key-id pub --tool t   # a public key cannot sign
one_line_err "TENUO_KEY_pub"
TENUO_KEY_bad='not a key' expect_rc 3 "$TENUO" grant @root.b64 --key-id bad
one_line_err "TENUO_KEY_bad"
expect_rc 2 "$TENUO" mint --key-id     # the flag needs a value
echo "ok: --key-id on mint, grant, sign and approve"
