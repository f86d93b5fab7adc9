#!/usr/bin/env bash
# The shell pipeline of CLI.md: keygen, then `mint | grant | grant | verify`, stdin to stdout,
# on the real clock; and the same pipeline where the last grant widens a constraint: refused
# (exit 1, one reason on stderr, nothing on stdout), so verify downstream gets nothing.
set -euo pipefail
: "${TENUO:?TENUO must point at the tenuo binary}"
unset TENUO_NOW TENUO_ISSUER_KEY TENUO_SIGNING_KEY TENUO_TRUSTED_ROOTS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

# ---- three keys
for k in root agent worker; do
  "$TENUO" keygen "$k" >/dev/null 2>&1 || fail "keygen $k"
  [[ -f $k.key && -f $k.pub ]] || fail "keygen $k wrote no files"
done

# ---- mint | grant | grant | verify
rc=0
"$TENUO" mint --key root.key --holder agent.pub --tool read_file --tool send_mail \
    -c read_file.path=pattern:/data/* -c send_mail.to=oneof:a@x.com,b@x.com --ttl 10m \
  | "$TENUO" grant --key agent.key --holder worker.pub --tool read_file -c path=pattern:/data/reports/* --ttl 5m \
  | "$TENUO" grant --key worker.key --holder self -c path=exact:/data/reports/q3.pdf --ttl 1m \
  | "$TENUO" verify --trusted-root root.pub >verify.out 2>verify.err || rc=$?
[[ $rc == 0 ]] || { cat verify.err >&2; fail "pipeline exit $rc"; }
grep -q '^valid: chain of 3 ' verify.out || fail "verify did not report a chain of 3: $(cat verify.out)"

# The same, keeping the chain and checking what each link holds.
"$TENUO" mint --key root.key --holder agent.pub --tool read_file --tool send_mail \
    -c read_file.path=pattern:/data/* -c send_mail.to=oneof:a@x.com,b@x.com --ttl 10m \
  | "$TENUO" grant --key agent.key --holder worker.pub --tool read_file -c path=pattern:/data/reports/* --ttl 5m \
  | "$TENUO" grant --key worker.key --holder self -c path=exact:/data/reports/q3.pdf --ttl 1m >chain.b64
"$TENUO" verify --trusted-root root.pub --json <chain.b64 >verify.json || fail "verify --json of the kept chain"
"$TENUO" inspect --chain --json <chain.b64 >inspect.json 2>/dev/null || fail "inspect --chain"
/usr/bin/python3 - "$(cat root.pub)" <<'EOF' || fail "chain contents"
import json, sys
v = json.load(open("verify.json"))
assert v["ok"] and v["valid"] and v["chain_length"] == 3, v
links = json.load(open("inspect.json"))["chain"]
assert [l["depth"] for l in links] == [0, 1, 2]
assert links[0]["tools"] == {"read_file": {"path": {"type": "pattern", "pattern": "/data/*"}},
                             "send_mail": {"to": {"type": "one_of", "values": ["a@x.com", "b@x.com"]}}}, links[0]["tools"]
assert links[1]["tools"] == {"read_file": {"path": {"type": "pattern", "pattern": "/data/reports/*"}}}
assert links[2]["tools"] == {"read_file": {"path": {"type": "exact", "value": "/data/reports/q3.pdf"}}}
assert links[1]["issuer"] == links[0]["holder"] and links[2]["issuer"] == links[1]["holder"]
assert links[2]["holder"] == links[1]["holder"]  # --holder self: the worker keeps it
assert links[1]["parent_hash"] == links[0]["payload_hash"] and links[2]["parent_hash"] == links[1]["payload_hash"]
assert links[2]["expires_at"] <= links[1]["expires_at"] <= links[0]["expires_at"]
assert links[1]["expires_at"] - links[1]["issued_at"] <= 300 and links[2]["expires_at"] - links[2]["issued_at"] <= 60
EOF

# ---- PEM between the stages, keys from the environment (the CI style)
export TENUO_ISSUER_KEY
TENUO_ISSUER_KEY=$("$TENUO" keygen --format base64 2>/dev/null)
ci_root=$("$TENUO" pubkey "$TENUO_ISSUER_KEY" --format hex)
rc=0
"$TENUO" mint --holder agent.pub --tool read_file -c path=subpath:/srv --ttl 5m --format pem \
  | TENUO_SIGNING_KEY=$(cat agent.key) "$TENUO" grant --holder worker.pub -c path=subpath:/srv/www --format pem \
  | TENUO_SIGNING_KEY=$(cat worker.key) "$TENUO" grant -c path=subpath:/srv/www/static \
  | TENUO_TRUSTED_ROOTS="$ci_root" "$TENUO" verify >verify.out 2>verify.err || rc=$?
[[ $rc == 0 ]] || { cat verify.err >&2; fail "PEM pipeline exit $rc"; }
grep -q '^valid: chain of 3 ' verify.out || fail "PEM pipeline: $(cat verify.out)"
unset TENUO_ISSUER_KEY

# ---- the last grant widens a constraint: refused before signing
set +e
"$TENUO" mint --key root.key --holder agent.pub --tool read_file -c path=pattern:/data/* --ttl 10m \
  | "$TENUO" grant --key agent.key --holder worker.pub -c path=pattern:/data/reports/* \
  | "$TENUO" grant --key worker.key -c path=pattern:/data/* 2>grant.err \
  | "$TENUO" verify --trusted-root root.pub >verify.out 2>verify.err
status=("${PIPESTATUS[@]}")
set -e
[[ ${status[0]} == 0 && ${status[1]} == 0 ]] || fail "mint/grant before the widening failed: ${status[*]}"
[[ ${status[2]} == 1 ]] || fail "widening grant exit ${status[2]}, want 1"
[[ ${status[3]} == 3 ]] || fail "verify of empty input exit ${status[3]}, want 3"
[[ ! -s verify.out ]] || fail "verify printed something: $(cat verify.out)"
[[ $(wc -l <grant.err) == 1 ]] && grep -q '\[1503 capability-expansion\]' grant.err || fail "refusal: $(cat grant.err)"

# The refused grant alone: exit 1, exactly one stderr line naming what widened, empty stdout.
"$TENUO" mint --key root.key --holder agent.pub --tool read_file -c path=pattern:/data/* --ttl 10m \
  | "$TENUO" grant --key agent.key --holder worker.pub -c path=pattern:/data/reports/* >parent.b64
check_refused() {  # check_refused CODE DESCRIPTION KEY GRANT-FLAGS...
  local code=$1 what=$2 key=$3; shift 3
  local rc=0
  "$TENUO" grant --key "$key" "$@" <parent.b64 >widen.out 2>widen.err || rc=$?
  [[ $rc == 1 ]] || { cat widen.err >&2; fail "$what: exit $rc, want 1"; }
  [[ ! -s widen.out ]] || fail "$what: the refused grant printed on stdout"
  [[ $(wc -l <widen.err) == 1 ]] || { cat widen.err >&2; fail "$what: want one stderr line"; }
  grep -q "\[$code " widen.err || { cat widen.err >&2; fail "$what: want code $code"; }
}
check_refused 1503 "widened pattern" worker.key -c path=pattern:/data/*
grep -q "path" widen.err || fail "the refusal does not name the widened argument"
check_refused 1503 "constraint to wildcard" worker.key -c path=wildcard
check_refused 1503 "added tool" worker.key --tool delete_file
check_refused 1402 "raised max depth" worker.key --max-depth 65
check_refused 1400 "wrong signer" agent.key
check_refused 1405 "expiry after the parent's" worker.key --expires-at 2999-01-01T00:00:00Z
echo "ok"
