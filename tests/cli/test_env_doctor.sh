#!/usr/bin/env bash
# tenuo env: values, sources, problems, masking (no secret ever appears); tenuo doctor: passes,
# JSON shape, exit codes.
set -euo pipefail
: "${TENUO:?set TENUO to the tenuo binary}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
unset TENUO_ISSUER_KEY TENUO_SIGNING_KEY TENUO_TRUSTED_ROOTS TENUO_MODE TENUO_POP_MAX_WINDOWS \
      TENUO_AUDIT_LOG TENUO_NOW TENUO_DEV_MODE
for v in $(env | sed -n 's/^\(TENUO_KEY_[^=]*\)=.*/\1/p'); do unset "$v"; done
fail() { echo "FAIL: $*" >&2; exit 1; }
t() { "$TENUO" "$@"; }

# ---- defaults: everything unset is fine
t env > out.txt 2> err.txt || fail "env with nothing set exited $?: $(cat err.txt)"
grep -qE '^TENUO_MODE +default +enforce$' out.txt || fail "TENUO_MODE default missing: $(cat out.txt)"
grep -qE '^TENUO_POP_MAX_WINDOWS +default +5$' out.txt || fail "POP windows default missing"
for v in TENUO_ISSUER_KEY TENUO_SIGNING_KEY TENUO_TRUSTED_ROOTS TENUO_AUDIT_LOG TENUO_NOW TENUO_DEV_MODE; do
  grep -q "^$v " out.txt || fail "$v not listed"
done

# ---- secrets: base64, hex and PEM forms are masked to type + fingerprint
t keygen issuer > /dev/null
b64=$(t keygen --format base64)
hex=$(t keygen --format hex)
pem=$(cat issuer.key)
pem_body=$(sed -n 2p issuer.key)
fp_b64=$(t pubkey "$b64" --format hex | cut -c1-16)
fp_pem=$(t pubkey issuer.key --format hex | cut -c1-16)
for mode in text json; do
  flags=(); [[ $mode == json ]] && flags=(--json)
  rc=0
  TENUO_ISSUER_KEY=$b64 TENUO_SIGNING_KEY=$hex TENUO_KEY_DEPLOY=$pem TENUO_TRUSTED_ROOTS="$(t pubkey issuer.key --format base64)" \
    t env "${flags[@]}" > out.txt 2> err.txt || rc=$?
  all=$(cat out.txt err.txt)
  for secret in "$b64" "$hex" "$pem_body" "${b64:0:12}" "${hex:0:12}" "${pem_body:0:12}"; do
    [[ $all != *"$secret"* ]] || fail "env --$mode printed a secret (${secret:0:6}...)"
  done
  [[ $all == *"$fp_b64"* ]] || fail "env --$mode does not show the issuer key fingerprint $fp_b64"
  [[ $all == *"$fp_pem"* ]] || fail "env --$mode does not show the named key's fingerprint $fp_pem"
  [[ $rc == 0 ]] || fail "env --$mode exited $rc with only warnings: $all"
done
grep -q '"name": "TENUO_KEY_DEPLOY"' out.txt || fail "TENUO_KEY_DEPLOY not in the JSON"
grep -q '"secret": true' out.txt || fail "secret flag missing from the JSON"
/usr/bin/python3 -c 'import json,sys; d=json.load(open("out.txt")); assert d["ok"] is True and d["errors"] == 0, d' ||
  fail "env --json is not a valid document with ok=true"
# The issuer's public key is not among the trusted roots: a warning, not an error.
TENUO_ISSUER_KEY=$b64 TENUO_TRUSTED_ROOTS="$(t pubkey issuer.key --format base64)" t env > out.txt 2> err.txt ||
  fail "a warning made env fail"
grep -q "warning: .*TENUO_ISSUER_KEY.*not among TENUO_TRUSTED_ROOTS" err.txt || fail "no warning for an untrusted issuer key: $(cat err.txt)"
grep -q "warning: .*TENUO_SIGNING_KEY is hex" err.txt && fail "unexpected hex warning"
TENUO_SIGNING_KEY=$hex t env > /dev/null 2> err.txt
grep -q "warning: TENUO_SIGNING_KEY is hex" err.txt || fail "no hex warning: $(cat err.txt)"

# ---- problems: each is an error line naming the variable, and exit 1
problem() {  # VAR=VALUE keyword
  local rc=0
  env "$1" "$TENUO" env > out.txt 2> err.txt || rc=$?
  [[ $rc == 1 ]] || fail "env with $1 exited $rc, want 1"
  grep -qE "^tenuo: error: .*$2" err.txt || fail "env with $1: no error line matching '$2': $(cat err.txt)"
  local secret=${1#*=}
  if [[ ${#secret} -ge 12 ]] && grep -qF -- "${secret:0:12}" out.txt err.txt; then
    case $1 in TENUO_ISSUER_KEY=*|TENUO_SIGNING_KEY=*|TENUO_KEY_*) fail "env echoed the bad key $1";; esac
  fi
}
problem "TENUO_ISSUER_KEY=${b64:0:30}" "TENUO_ISSUER_KEY does not parse"
problem "TENUO_ISSUER_KEY=$(t pubkey issuer.key)" "TENUO_ISSUER_KEY holds a public key"
problem "TENUO_SIGNING_KEY=zz${hex:2}" "TENUO_SIGNING_KEY does not parse"
problem "TENUO_TRUSTED_ROOTS=$(t pubkey issuer.key --format base64),nonsense" "TENUO_TRUSTED_ROOTS item 2"
problem "TENUO_TRUSTED_ROOTS=$pem" "private key"
problem "TENUO_MODE=strict" "TENUO_MODE='strict'"
problem "TENUO_POP_MAX_WINDOWS=11" "TENUO_POP_MAX_WINDOWS='11'.*2\.\.10"
problem "TENUO_POP_MAX_WINDOWS=1" "TENUO_POP_MAX_WINDOWS='1'"
problem "TENUO_POP_MAX_WINDOWS=five" "TENUO_POP_MAX_WINDOWS='five'"
problem "TENUO_NOW=tomorrow" "TENUO_NOW='tomorrow'"
problem "TENUO_KEY_CI=" "TENUO_KEY_CI is empty"
TENUO_NOW=2025-01-01T00:00:00Z t env > out.txt 2>/dev/null || fail "a valid TENUO_NOW failed"
grep -qE '^TENUO_NOW +env +2025-01-01T00:00:00Z' out.txt || fail "TENUO_NOW value not shown"
TENUO_MODE=audit TENUO_DEV_MODE=1 t env > out.txt 2> err.txt || fail "audit mode is a warning, not an error"
grep -q "warning: TENUO_MODE=audit" err.txt || fail "no audit-mode warning"
grep -q "warning: TENUO_DEV_MODE" err.txt || fail "no dev-mode warning"
TENUO_MODE=strict t env --json > out.txt 2>/dev/null && fail "env --json with an error exited 0"
/usr/bin/python3 -c '
import json; d = json.load(open("out.txt"))
assert d["ok"] is False and d["errors"] == 1, d
m = [v for v in d["variables"] if v["name"] == "TENUO_MODE"][0]
assert m["source"] == "env" and m["problems"][0]["severity"] == "error", m' || fail "env --json error shape"

# ---- doctor
t doctor > out.txt 2> err.txt || fail "doctor failed: $(cat out.txt err.txt)"
grep -q "^all [0-9]* checks passed$" out.txt || fail "doctor summary missing: $(cat out.txt)"
for c in "libsodium" "clock" "mint" "grant" "verify chain" "allowed" "denied: path" "denied: tool" \
         "denied: PoP" "denied: untrusted root" "denied: expired" "refuses widening"; do
  grep -q "^ok  .*$c" out.txt || fail "doctor check '$c' missing or failing: $(cat out.txt)"
done
grep -q FAIL out.txt && fail "doctor printed FAIL"
t doctor --json > out.json || fail "doctor --json failed"
/usr/bin/python3 -c '
import json; d = json.load(open("out.json"))
assert d["ok"] is True and d["failed"] == 0 and len(d["checks"]) >= 12, d
assert all(c["ok"] for c in d["checks"])
codes = " ".join(c["detail"] for c in d["checks"])
for code in ("1501", "1500", "1100", "1406", "1300", "1503"): assert code in codes, code' ||
  fail "doctor --json shape"
# doctor ignores the configuration, so a broken environment does not break it.
TENUO_NOW=garbage TENUO_MODE=strict t doctor > /dev/null 2>&1 || fail "doctor depends on the environment"
rc=0; t doctor --bogus > /dev/null 2>&1 || rc=$?
[[ $rc == 2 ]] || fail "doctor --bogus exited $rc, want 2"
echo "ok: env (defaults, masking, 11 problems, JSON) and doctor"
