#!/usr/bin/python3
"""Cross-checks tenuo's CBOR fixtures with an independent decoder (cbor2).

valid.tsv    bytes our encoder emits (tests/unit/test_cbor.cpp checks that) and the value they
             stand for. cbor2 must decode each to exactly that value (type-strict, floats by
             bit pattern, map keys in wire order). Items without floats must re-encode with
             cbor2 (canonical=False) to the same bytes; for floats our encoding must be no
             longer than cbor2's canonical (shortest-float) one.
rejected.tsv items our reader refuses. Rows marked "valid" are well-formed CBOR that cbor2
             decodes fully (so refusing them is Tenuo's strictness, not a reader bug); rows
             marked "invalid" are not well-formed and cbor2 must fail on them too.

Usage: cbor_crosscheck.py VECTORS_DIR   (exit 0 on success, 1 on a mismatch, 2 without cbor2)
"""
import importlib.metadata
import io
import math
import struct
import sys

try:
    import cbor2
except ImportError:
    sys.stderr.write(
        "cbor_crosscheck: the Python module cbor2 is missing for %s; "
        "install it with: apt-get install python3-cbor2\n" % sys.executable)
    sys.exit(2)


def f32(x):
    return struct.unpack(">f", struct.pack(">f", x))[0]


ENV = {"inf": math.inf, "nan": math.nan, "f32": f32, "h": bytes.fromhex, "__builtins__": {
    "bytes": bytes, "range": range, "list": list, "True": True, "False": False, "None": None}}


def expected(expr):
    return eval(expr, ENV)  # fixtures are ours; the namespace is restricted anyway


def same(a, b):
    """Type-strict structural equality; floats by bit pattern (any NaN equals any NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return struct.pack(">d", a) == struct.pack(">d", b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        ia, ib = list(a.items()), list(b.items())
        return len(ia) == len(ib) and all(
            same(ka, kb) and same(va, vb) for (ka, va), (kb, vb) in zip(ia, ib))
    return a == b


def has_float(v):
    if isinstance(v, float):
        return True
    if isinstance(v, (list, tuple)):
        return any(has_float(x) for x in v)
    if isinstance(v, dict):
        return any(has_float(k) or has_float(x) for k, x in v.items())
    return False


def has_break(v):
    if v is cbor2.break_marker:
        return True
    if isinstance(v, (list, tuple)):
        return any(has_break(x) for x in v)
    if isinstance(v, dict):
        return any(has_break(k) or has_break(x) for k, x in v.items())
    return False


def decode_all(data):
    """Decodes one item that must span all of `data`; raises ValueError otherwise."""
    fp = io.BytesIO(data)
    v = cbor2.CBORDecoder(fp).decode()
    if fp.tell() != len(data):
        raise ValueError("%d trailing bytes" % (len(data) - fp.tell()))
    if has_break(v):
        raise ValueError("break marker outside an indefinite-length item")
    return v


def rows(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            yield line.split("\t")


def main(vectors):
    failures = []
    counts = {"valid": 0, "reencoded": 0, "floats": 0, "refused-valid": 0,
              "refused-invalid": 0, "lenient": 0}

    for name, hexstr, expr in rows(vectors + "/valid.tsv"):
        data = bytes.fromhex(hexstr)
        want = expected(expr)
        counts["valid"] += 1
        try:
            got = decode_all(data)
        except Exception as e:  # noqa: BLE001 - any decoder failure is a mismatch
            failures.append("%s: cbor2 cannot decode our bytes: %s" % (name, e))
            continue
        if not same(got, want):
            failures.append("%s: cbor2 decodes %r, expected %r" % (name, got, want))
            continue
        if has_float(want):
            counts["floats"] += 1
            theirs = cbor2.dumps(want, canonical=True)
            if len(data) > len(theirs):
                failures.append("%s: our float encoding %s is longer than cbor2's %s" %
                                (name, hexstr, theirs.hex()))
            elif data != theirs:
                print("note: %s: we emit %s, cbor2 canonical emits %s (both decode to %r)" %
                      (name, hexstr, theirs.hex(), want))
        else:
            theirs = cbor2.dumps(want)
            if theirs != data:
                failures.append("%s: cbor2 encodes %s, we encode %s" % (name, theirs.hex(), hexstr))
            else:
                counts["reencoded"] += 1

    for name, hexstr, status, expr in rows(vectors + "/rejected.tsv"):
        data = bytes.fromhex(hexstr)
        if status == "lenient":
            counts["lenient"] += 1
            continue
        try:
            got = decode_all(data)
            err = None
        except Exception as e:  # noqa: BLE001
            got, err = None, e
        if status == "valid":
            if err is not None:
                failures.append("%s: well-formed item rejected by cbor2 too: %s" % (name, err))
            elif expr != "*" and not same(got, expected(expr)):
                failures.append("%s: cbor2 decodes %r, expected %r" % (name, got, expected(expr)))
            else:
                counts["refused-valid"] += 1
        elif status == "invalid":
            if err is None:
                failures.append("%s: cbor2 accepts %s as %r; fixture says not well-formed" %
                                (name, hexstr, got))
            else:
                counts["refused-invalid"] += 1
        else:
            failures.append("%s: unknown status %r" % (name, status))

    for f in failures:
        print("FAIL " + f)
    print("cbor2 %s: %d valid items decoded as expected (%d re-encoded identically, %d with "
          "floats); %d refused items are well-formed CBOR to cbor2, %d are malformed to cbor2 "
          "too, %d not checked (cbor2 lenient)" % (
              importlib.metadata.version("cbor2"), counts["valid"], counts["reencoded"],
              counts["floats"], counts["refused-valid"], counts["refused-invalid"],
              counts["lenient"]))
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.stderr.write("usage: cbor_crosscheck.py VECTORS_DIR\n")
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
