#!/usr/bin/env bash
# Key and signature interop with OpenSSL 3 (issue 2: "key interop both ways with OpenSSL").
set -euo pipefail
: "${TENUO:?TENUO must point at the tenuo binary}"
command -v openssl >/dev/null || { echo "openssl is required for this test" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
hex_of() { od -An -v -tx1 | tr -d ' \n'; }  # stdin as lowercase hex (coreutils only)
der_pub_hex() { openssl pkey "$@" -pubout -outform DER | tail -c 32 | hex_of; }

# ---- openssl genpkey -> tenuo pubkey == openssl pkey -pubout (PEM, and the raw key as hex)
for i in 1 2 3; do
  openssl genpkey -algorithm ed25519 -out o$i.pem 2>/dev/null
  openssl pkey -in o$i.pem -pubout -out o$i.pub
  [[ $("$TENUO" pubkey @o$i.pem) == "$(cat o$i.pub)" ]] || fail "tenuo pubkey PEM != openssl -pubout ($i)"
  [[ $("$TENUO" pubkey o$i.pem --format hex) == "$(der_pub_hex -in o$i.pem)" ]] || fail "hex mismatch ($i)"
  # openssl's SPKI output is read back and re-encoded identically
  [[ $("$TENUO" pubkey @o$i.pub) == "$(cat o$i.pub)" ]] || fail "SPKI re-encode ($i)"
  # DER files too
  openssl pkey -in o$i.pem -outform DER -out o$i.der
  [[ $("$TENUO" pubkey @o$i.der --format hex) == "$(der_pub_hex -in o$i.pem)" ]] || fail "DER key ($i)"
done

# ---- tenuo keygen -> openssl reads both files and agrees on the public key
"$TENUO" keygen t >/dev/null 2>&1
openssl pkey -in t.key -noout || fail "openssl cannot read t.key"
openssl pkey -pubin -in t.pub -noout || fail "openssl cannot read t.pub"
[[ $(openssl pkey -in t.key -pubout) == "$(cat t.pub)" ]] || fail "openssl -pubout of t.key != t.pub"
[[ $(openssl pkey -in t.key) == "$(cat t.key)" ]] || fail "openssl re-encodes t.key differently"
[[ $(openssl pkey -pubin -in t.pub) == "$(cat t.pub)" ]] || fail "openssl re-encodes t.pub differently"
openssl pkey -in t.key -text -noout | grep -q 'ED25519 Private-Key' || fail "t.key is not Ed25519 for openssl"
"$TENUO" keygen >stdout.pem 2>/dev/null
openssl pkey -in stdout.pem -noout || fail "openssl cannot read keygen stdout PEM"

# ---- signatures: a key file written by tenuo signs with openssl and verifies with its .pub
printf 'message signed across implementations\n' > msg
openssl pkeyutl -sign -rawin -inkey t.key -in msg -out t.sig
openssl pkeyutl -verify -rawin -pubin -inkey t.pub -in msg -sigfile t.sig >/dev/null ||
  fail "openssl rejects a signature by t.key under t.pub"

# ---- the A.1 vector: openssl, using the key files tenuo writes for seed 01x32 (WIRE.md §19.1),
# produces exactly the signature of §19.4 (the unit tests check the library produces it too).
printf '%s\n' '-----BEGIN PRIVATE KEY-----' \
  'MC4CAQAwBQYDK2VwBCIEIAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB' '-----END PRIVATE KEY-----' > a1.key
"$TENUO" pubkey @a1.key > a1.pub
printf 'tenuo-warrant-v1\x01' > a1.msg
a1_payload=aa00010150019471f8000070008000000000000001020003a169726561645f66696c65a16b636f6e73747261696e7473a164706174688210f604820158208139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b39405820158208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c061a65920080071a65920e9008031200
printf '%b' "$(sed 's/../\\x&/g' <<<"$a1_payload")" >> a1.msg
[[ $(wc -c <a1.msg) == 164 ]] || fail "A.1 message is not 164 bytes"
openssl pkeyutl -sign -rawin -inkey a1.key -in a1.msg -out a1.sig
want=4396783e89f37eebfa7d25ad7d61d6cddfbb6c58eade0e9ccc6e28759f1eb56b3c03873a6232483d05f766481edf9f85560881aed03b6ef25771285409e6d800
[[ $(hex_of <a1.sig) == "$want" ]] || fail "openssl A.1 signature differs from WIRE.md §19.4"
openssl pkeyutl -verify -rawin -pubin -inkey a1.pub -in a1.msg -sigfile a1.sig >/dev/null ||
  fail "openssl rejects the A.1 signature under the SPKI tenuo wrote"
printf 'X' >> a1.msg
if openssl pkeyutl -verify -rawin -pubin -inkey a1.pub -in a1.msg -sigfile a1.sig >/dev/null 2>&1; then
  fail "openssl accepted a signature over a changed message"
fi

# ---- OpenSSL refuses the PKCS#8 v2 form (WIRE.md §2.4); tenuo reads it
printf '%s\n' '-----BEGIN PRIVATE KEY-----' \
  'MFECAQEwBQYDK2VwBCIEIAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB' \
  'gSEAiojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=' '-----END PRIVATE KEY-----' > v2.key
[[ $("$TENUO" pubkey @v2.key) == "$(cat a1.pub)" ]] || fail "tenuo cannot read the v2 form"

echo "openssl interop: ok"
