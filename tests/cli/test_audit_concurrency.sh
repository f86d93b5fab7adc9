#!/usr/bin/env bash
# Several `tenuo verify --audit-log` processes appending to one log at once: every line is one
# complete JSON document (parsed with Python's json), none is lost, none interleaved — also for
# lines far larger than a pipe buffer.
set -euo pipefail
source "$TENUO_SOURCE_DIR/tests/cli/call_common.sh"

"$TENUO" mint --key "$ISSUER_SEED" --holder "$HOLDER_PUB" --tool echo --id "$A1_ID" \
  --at 2024-01-01T00:00:00Z --ttl 1h > w.b64
big=$("$PY" -c 'print("x" * 48000)')   # ~48 KB argument: lines well over PIPE_BUF
writers=6
per_writer=15
writer() {  # writer ID
  local i mode payload
  for ((i = 0; i < per_writer; i++)); do
    mode=enforce; (( i % 3 == 1 )) && mode=audit
    payload=small; (( i % 4 == 0 )) && payload=$big
    # alternate allowed and denied calls (an unknown tool is denied: exit 1 in enforce mode)
    tool=echo; (( i % 2 == 1 )) && tool=other
    "$TENUO" verify --warrant @w.b64 --trusted-root "$ISSUER_PUB" --at $T0 --tool "$tool" --no-pop \
      --args "{\"writer\": $1, \"seq\": $i, \"data\": \"$payload\"}" --mode "$mode" --audit-log shared.jsonl \
      >/dev/null 2>&1 || true
  done
}
pids=()
for ((w = 0; w < writers; w++)); do writer $w & pids+=($!); done
for p in "${pids[@]}"; do wait "$p"; done

"$PY" - shared.jsonl "$writers" "$per_writer" <<'PYEOF' || fail "audit log after concurrent appends"
import json, sys
path, writers, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, "rb").read()
assert data.endswith(b"\n"), "last line torn"
lines = data.split(b"\n")[:-1]
assert len(lines) == writers * per, f"{len(lines)} lines, want {writers * per}"
seen = set()
for n, raw in enumerate(lines, 1):
    r = json.loads(raw)  # raises on an interleaved or torn line
    a = r["arguments"]
    key = (a["writer"], a["seq"])
    assert key not in seen, f"line {n}: duplicate {key}"
    seen.add(key)
    assert r["decision"] == ("allow" if r["tool"] == "echo" else "deny"), r["decision"]
    if r["decision"] == "deny":
        assert r["error"]["code"] == 1500, r["error"]
        assert r["enforced"] == (r["mode"] == "enforce")
    assert a["data"] in ("small", "x" * 48000)
assert seen == {(w, i) for w in range(writers) for i in range(per)}, "lost lines"
print(f"{len(lines)} lines, all complete")
PYEOF
[[ $(stat -c %a shared.jsonl) == 600 ]] || fail "audit log mode $(stat -c %a shared.jsonl), want 600"
echo "audit concurrency: all checks passed"
