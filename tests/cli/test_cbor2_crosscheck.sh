#!/usr/bin/env bash
# Cross-checks the CBOR fixtures of tests/vectors/cbor/ with an independent decoder (Python
# cbor2): our encoder's bytes decode to the intended values, and the items our reader refuses
# are either well-formed CBOR refused by policy or malformed to cbor2 as well. That the
# fixtures are exactly our encoder's output / our reader's rejections is asserted by the
# unit test "tenuo::cbor" (fixture cases).
set -euo pipefail
: "${TENUO_TESTS:?TENUO_TESTS must point at the tests/ directory}"
PY=/usr/bin/python3
if [[ ! -x $PY ]]; then
  echo "test_cbor2_crosscheck: $PY not found (Debian python3 with python3-cbor2 is required)" >&2
  exit 1
fi
if ! $PY -c 'import cbor2' 2>/dev/null; then
  echo "test_cbor2_crosscheck: $PY has no cbor2 module; install it with: apt-get install python3-cbor2" >&2
  exit 1
fi
$PY "$TENUO_TESTS/tools/cbor_crosscheck.py" "$TENUO_TESTS/vectors/cbor"

# The checker must be able to fail: a fixture with a wrong expected value is caught.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp "$TENUO_TESTS/vectors/cbor/rejected.tsv" "$scratch/"
sed 's/^int_24\t1818\t24$/int_24\t1818\t25/' "$TENUO_TESTS/vectors/cbor/valid.tsv" > "$scratch/valid.tsv"
if $PY "$TENUO_TESTS/tools/cbor_crosscheck.py" "$scratch" > "$scratch/out" 2>&1; then
  echo "test_cbor2_crosscheck: a corrupted fixture was not detected" >&2
  exit 1
fi
grep -q '^FAIL int_24:' "$scratch/out" || { echo "test_cbor2_crosscheck: wrong failure report" >&2; cat "$scratch/out" >&2; exit 1; }
echo "cbor2 cross-check passed"
