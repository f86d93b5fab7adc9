#!/usr/bin/env bash
# tenuo verify --headers / --meta: captured requests (WIRE.md §14.1, §14.2), including the
# output of `tenuo sign --emit headers` / `--emit meta` fed back, the `arguments._tenuo`
# carrier, conflicts and malformed envelopes.
set -euo pipefail
source "$TENUO_SOURCE_DIR/tests/cli/call_common.sh"

mint_a1 > a1.b64
ARGS='{"path": "/data/report.pdf"}'
VR=("$TENUO" verify --trusted-root "$ISSUER_PUB" --at $T0)

# ---- headers from `sign --emit headers`
"$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at $T0 --emit headers > h.txt
expect_rc 0 "${VR[@]}" --headers h.txt --tool read_file --args "$ARGS"
grep -q "^allowed: tool 'read_file'" out.txt || fail "headers: allowed"
expect_rc 0 "${VR[@]}" --headers @h.txt --tool read_file --args "$ARGS" --json
[[ $(json_get out.txt '(d["allowed"], d["pop_checked"], d["warrant_id"])') == "(True, True, '$A1_ID')" ]] || fail "headers JSON"
# as captured on the wire: request line, CRLF, lower-case names, other headers, a body
{ printf 'POST /tools/read_file HTTP/1.1\r\nHost: localhost:8080\r\ncontent-type: application/json\r\n'
  sed -e 's/^X-Tenuo-Warrant:/x-tenuo-warrant:/' -e 's/^X-Tenuo-PoP:/X-TENUO-POP:/' -e 's/$/\r/' h.txt
  printf '\r\n%s\n' "$ARGS"; } > wire.txt
expect_rc 0 "${VR[@]}" --headers wire.txt --tool read_file --args "$ARGS"
# the headers carry the call's proof, not the arguments: other arguments fail the PoP (1100)
expect_rc 1 "${VR[@]}" --headers h.txt --tool read_file --args '{"path": "/data/other.pdf"}'
grep -q '\[1100' err.txt || fail "headers with other arguments: 1100"
# a chain travels as the whole stack
"$TENUO" grant @a1.b64 --key "$HOLDER_SEED" --holder "$OTHER_PUB" --at 2024-01-01T00:00:10Z --ttl 30m \
  --id tnu_wrt_019471f8000070008000000000000002 > chain.b64 2>/dev/null
"$TENUO" sign --warrant @chain.b64 --key "$OTHER_SEED" --tool read_file --args "$ARGS" --at $((T0 + 20)) --emit headers > hc.txt
expect_rc 0 "$TENUO" verify --trusted-root "$ISSUER_PUB" --at $((T0 + 20)) --headers hc.txt --tool read_file --args "$ARGS" --json
[[ $(json_get out.txt 'd["chain_length"]') == 2 ]] || fail "headers chain"
# no PoP header: the verdict is 1100 (denied, exit 1), not an input error
grep -v '^X-Tenuo-PoP' h.txt > nopop.txt
expect_rc 1 "${VR[@]}" --headers nopop.txt --tool read_file --args "$ARGS"
grep -q '\[1100' err.txt || fail "missing PoP header: 1100"
# malformed: no warrant header, repeated headers, a PoP that is not a signature
grep -v '^X-Tenuo-Warrant' h.txt > nowarrant.txt
expect_rc 3 "${VR[@]}" --headers nowarrant.txt --tool read_file --args "$ARGS"
cat h.txt h.txt > twice.txt
expect_rc 3 "${VR[@]}" --headers twice.txt --tool read_file --args "$ARGS"
sed 's/^X-Tenuo-PoP: .*/X-Tenuo-PoP: !!!/' h.txt > badpop.txt
expect_rc 3 "${VR[@]}" --headers badpop.txt --tool read_file --args "$ARGS"
expect_rc 3 "${VR[@]}" --headers missing.txt --tool read_file --args "$ARGS"
# conflicts and usage
expect_rc 2 "${VR[@]}" --headers h.txt --tool read_file --args "$ARGS" --warrant @a1.b64
expect_rc 2 "${VR[@]}" --headers h.txt --tool read_file --args "$ARGS" --signature "$(sed -n 's/^X-Tenuo-PoP: //p' h.txt)"
expect_rc 2 "${VR[@]}" --headers h.txt --meta h.txt --tool read_file
expect_rc 3 "${VR[@]}" --headers h.txt   # a captured request needs a tool

# ---- MCP params from `sign --emit meta`
"$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args "$ARGS" --at $T0 --emit meta > meta.json
mk() {  # mk OUT PYTHON-EXPR over m (the _meta.tenuo object) and a (the arguments)
  "$PY" - "$1" "$2" <<'PYEOF'
import json, sys
m = json.load(open("meta.json"))
a = {"path": "/data/report.pdf"}
doc = eval(sys.argv[2])
open(sys.argv[1], "w").write(doc if isinstance(doc, str) else json.dumps(doc))
PYEOF
}
mk params.json '{"name": "read_file", "arguments": a, "_meta": {"tenuo": m}}'
expect_rc 0 "${VR[@]}" --meta params.json
grep -q "^allowed: tool 'read_file'" out.txt || fail "meta: allowed (tool from params.name)"
expect_rc 0 "${VR[@]}" --meta params.json --tool read_file
expect_rc 3 "${VR[@]}" --meta params.json --tool write_file   # conflicts with params.name
# a whole JSON-RPC request
mk rpc.json '{"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "read_file", "arguments": a, "_meta": {"tenuo": m}}}'
expect_rc 0 "${VR[@]}" --meta rpc.json
# the arguments._tenuo carrier (removed before PoP verification)
mk carrier.json '{"name": "read_file", "arguments": dict(a, _tenuo=m)}'
expect_rc 0 "${VR[@]}" --meta carrier.json --audit-log carrier.jsonl
[[ $(json_get carrier.jsonl 'd["arguments"]') == "{'path': '/data/report.pdf'}" ]] || fail "carrier must be removed from the arguments"
mk both_same.json '{"name": "read_file", "arguments": dict(a, _tenuo=m), "_meta": {"tenuo": m}}'
expect_rc 0 "${VR[@]}" --meta both_same.json
mk both_diff.json '{"name": "read_file", "arguments": dict(a, _tenuo=dict(m, signature=m["signature"][:-4] + "AAA=")), "_meta": {"tenuo": m}}'
expect_rc 3 "${VR[@]}" --meta both_diff.json
grep -q 'differ' err.txt || fail "conflicting _meta.tenuo and arguments._tenuo"
# lenient readers: URL-safe unpadded warrant and PoP (§14.2), a PEM chain block, hex PoP
mk urlsafe.json '{"name": "read_file", "arguments": a, "_meta": {"tenuo": {"warrant": m["warrant"].replace("+", "-").replace("/", "_").rstrip("="), "signature": m["signature"].replace("+", "-").replace("/", "_").rstrip("=")}}}'
expect_rc 0 "${VR[@]}" --meta urlsafe.json
mk hexpop.json '{"name": "read_file", "arguments": a, "_meta": {"tenuo": {"warrant": m["warrant"], "signature": __import__("base64").b64decode(m["signature"]).hex(), "approvals": None}}}'
expect_rc 0 "${VR[@]}" --meta hexpop.json
# tampered arguments: 1100; a 0.3.2 null is part of the proof
mk tampered.json '{"name": "read_file", "arguments": {"path": "/data/report.pdX"}, "_meta": {"tenuo": m}}'
expect_rc 1 "${VR[@]}" --meta tampered.json
grep -q '\[1100' err.txt || fail "meta tampered: 1100"
mk withnull.json '{"name": "read_file", "arguments": {"path": "/data/report.pdf", "note": None}, "_meta": {"tenuo": m}}'
expect_rc 1 "${VR[@]}" --meta withnull.json
grep -q '\[1100' err.txt || fail "an added null changes the proof (0.3.2)"
"$TENUO" sign --warrant @a1.b64 --key "$HOLDER_SEED" --tool read_file --args '{"path": "/data/report.pdf", "note": null}' --at $T0 --emit meta > meta.json
mk withnull.json '{"name": "read_file", "arguments": {"path": "/data/report.pdf", "note": None}, "_meta": {"tenuo": m}}'
expect_rc 0 "${VR[@]}" --meta withnull.json
mk nonull.json '{"name": "read_file", "arguments": a, "_meta": {"tenuo": m}}'
expect_rc 1 "${VR[@]}" --meta nonull.json   # a 0.2.x-style null-stripped call does not verify
# no signature in the envelope: the verdict is 1100
mk nosig.json '{"name": "read_file", "arguments": a, "_meta": {"tenuo": {"warrant": m["warrant"]}}}'
expect_rc 1 "${VR[@]}" --meta nosig.json
grep -q '\[1100' err.txt || fail "meta without signature: 1100"
# malformed envelopes and documents: exit 3
mk m1.json '{"name": "read_file", "arguments": a}'
mk m2.json '{"name": "read_file", "arguments": a, "_meta": {"tenuo": {"signature": m["signature"]}}}'
mk m3.json '{"name": "read_file", "arguments": a, "_meta": {"tenuo": dict(m, approvals=[1])}}'
mk m4.json '{"name": "read_file", "arguments": [1], "_meta": {"tenuo": m}}'
mk m5.json '{"name": 5, "arguments": a, "_meta": {"tenuo": m}}'
mk m6.json '{"name": "read_file", "arguments": a, "_meta": {"tenuo": dict(m, warrant="not a warrant")}}'
mk m7.json 'json.dumps({"name": "read_file", "_meta": {"tenuo": m}})[:-1] + ", \"arguments\": {\"path\": \"/a\", \"path\": \"/b\"}}"'
mk m8.json 'json.dumps({"name": "read_file", "arguments": a, "_meta": {"tenuo": m}}) + " trailing"'
mk m9.json '{"name": "read_file", "arguments": a, "_meta": {"tenuo": dict(m, warrant="A" * 70000)}}'
mk m10.json '"just a string"'
mk m11.json '{"name": "read_file", "arguments": {"deep": [[[[[[[[[1]]]]]]]]]}, "_meta": {"tenuo": m}}'
for f in m1 m2 m3 m4 m5 m6 m7 m8 m9 m10 m11; do
  expect_rc 3 "${VR[@]}" --meta $f.json
done
expect_rc 2 "${VR[@]}" --meta params.json --warrant @a1.b64
expect_rc 3 "${VR[@]}" --meta params.json --args "$ARGS"   # the arguments come from the request

echo "captured requests: all checks passed"
