#!/usr/bin/env bash
# Installs the current build tree into a temporary prefix, builds examples/ against the
# *installed* package (find_package(tenuo) + tenuo::tenuo), runs each example, checks its
# output and exit code, checks the rollout's audit log and replays it with `tenuo audit-replay`
# against the example's root key, and compiles a program through
# `pkg-config --cflags --libs tenuo` against the installed tenuo.pc.
set -euo pipefail

die() { echo "test_examples: $*" >&2; exit 1; }

: "${TENUO_SOURCE_DIR:?TENUO_SOURCE_DIR must be set}"
build_dir="${TENUO_BUILD_DIR:-}"
if [[ -z "$build_dir" ]]; then
  # $TENUO is <build>/apps/tenuo/tenuo
  build_dir="$(cd "$(dirname "${TENUO:?}")/../.." && pwd)"
fi
[[ -f "$build_dir/cmake_install.cmake" ]] || die "no build tree at $build_dir"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
prefix="$scratch/prefix"

cmake --install "$build_dir" --prefix "$prefix" >"$scratch/install.log" 2>&1 \
  || { cat "$scratch/install.log" >&2; die "cmake --install failed"; }
libdir="$(find "$prefix" -name 'libtenuo.so*' -printf '%h\n' | head -n1)"
[[ -n "$libdir" ]] || die "libtenuo.so not installed"
[[ -f "$libdir/cmake/tenuo/tenuoConfig.cmake" ]] || die "tenuoConfig.cmake not installed"
[[ -f "$prefix/include/tenuo/guard.hpp" && -f "$prefix/include/tenuo/export.hpp" ]] \
  || die "public headers not installed"

# Consumers use the library's compiler and, for a sanitized build, its sanitizers.
cxx="${TENUO_CXX:-c++}"
san_flags=()
if [[ -n "${TENUO_SANITIZE:-}" ]]; then
  [[ "$TENUO_SANITIZE" == *fuzzer* ]] && { echo "test_examples: skipped for a fuzzer build"; exit 0; }
  san_flags=("-fsanitize=$TENUO_SANITIZE")
fi

# ---- examples against the installed package
cmake -S "$TENUO_SOURCE_DIR/examples" -B "$scratch/ex" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS="${san_flags[*]:-}" \
  -DCMAKE_EXE_LINKER_FLAGS="${san_flags[*]:-}" \
  -DCMAKE_BUILD_TYPE=Release >"$scratch/configure.log" 2>&1 \
  || { cat "$scratch/configure.log" >&2; die "configuring examples against the installed package failed"; }
cmake --build "$scratch/ex" -j2 >"$scratch/build.log" 2>&1 \
  || { cat "$scratch/build.log" >&2; die "building examples failed"; }
# The examples must have linked the installed library, not the build tree's.
if grep -rqsF -- "$build_dir/lib" "$scratch/ex"; then
  die "examples reference the build tree instead of the installed package"
fi

run() {  # run NAME ARGS... ; captures stdout in $scratch/NAME.out, requires exit 0 and no FAIL line
  local name="$1"; shift
  local rc=0
  LD_LIBRARY_PATH="$libdir" "$scratch/ex/$name" "$@" >"$scratch/$name.out" 2>"$scratch/$name.err" || rc=$?
  cat "$scratch/$name.out"
  [[ $rc -eq 0 ]] || { cat "$scratch/$name.err" >&2; die "$name exited $rc"; }
  if grep -q '^FAIL' "$scratch/$name.out"; then die "$name reported a failed expectation"; fi
}
expect_line() {  # expect_line NAME TEXT
  grep -qF -- "$2" "$scratch/$1.out" || die "$1: missing output line: $2"
}

log="$scratch/audit.jsonl"
root_pem="$scratch/root.pem"
run gradual_rollout "$log" "$root_pem"
expect_line gradual_rollout "ok   audit: delete /tmp/test.txt allowed"
expect_line gradual_rollout "ok   audit: delete /etc/passwd logged as violation, let through"
expect_line gradual_rollout "ok   enforce: delete /etc/passwd refused with constraint-violation (1501)"
expect_line gradual_rollout "recorded delete_file(/etc/passwd)"

# The audit log: one line per guarded decision, in the `tenuo verify --audit-log` format.
[[ -f "$log" ]] || die "gradual_rollout wrote no audit log"
[[ "$(wc -l <"$log")" -eq 5 ]] || die "expected 5 audit lines, got $(wc -l <"$log")"
/usr/bin/python3 - "$log" <<'PY' || die "audit log content is wrong"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert all(r["tenuo_audit"] == 1 for r in recs), "schema"
summary = [(r["mode"], r["decision"], r["enforced"], r["arguments"]["path"], r.get("error", {}).get("code")) for r in recs]
want = [
    ("audit", "allow", True, "/tmp/test.txt", None),
    ("audit", "deny", False, "/etc/passwd", 1501),
    ("enforce", "allow", True, "/tmp/test.txt", None),
    ("enforce", "deny", True, "/etc/passwd", 1501),
    ("enforce", "deny", True, "/tmp/test.txt", 1500),
]
assert summary == want, summary
assert all("chain" in r and "pop" in r and r["warrant_id"].startswith("tnu_wrt_") for r in recs[:4]), "chain/pop"
PY

# The real tool replays the guarded calls' log under enforce mode, trusting the example's root
# (the public key it wrote): what was allowed replays as allowed, every denial as the same
# denial — the audit-mode violation included — with its PoP re-verified; the call made outside
# any scope carries no warrant and cannot be re-decided.
[[ -s "$root_pem" ]] || die "gradual_rollout wrote no root public key"
grep -qF -- "trusted root: $("$TENUO" pubkey "$root_pem" --format base64)" "$scratch/gradual_rollout.out" \
  || die "the root key file is not the key gradual_rollout printed"
replay() {  # replay ROOT_PEM OUT: audit-replay --jsonl of the rollout log, exit status checked
  local rc=0
  "$TENUO" audit-replay "$log" --trusted-root "$1" --jsonl --fail-on none >"$2" 2>"$2.err" || rc=$?
  [[ $rc -eq 0 ]] || { cat "$2.err" >&2; die "audit-replay --fail-on none exited $rc"; }
}
replay "$root_pem" "$scratch/replay.jsonl"
/usr/bin/python3 - "$scratch/replay.jsonl" <<'PY' || die "audit-replay classified the rollout log wrongly"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
recs = [l for l in lines if l["type"] == "record"]
summary = [l for l in lines if l["type"] == "summary"]
assert len(summary) == 1 and lines[-1] is summary[0], "one summary, last"
got = [(r["line"], r["outcome"], r.get("undecidable"), r.get("replay", {}).get("code"), r["pop"]) for r in recs]
want = [
    (1, "consistent-allow", None, None, "verified"),
    (2, "consistent-deny", None, 1501, "verified"),
    (3, "consistent-allow", None, None, "verified"),
    (4, "consistent-deny", None, 1501, "verified"),
    (5, "undecidable", "no-warrant", None, "not-applicable"),
]
assert got == want, got
assert all(r["recorded"]["decision"] == r["replay"]["decision"] for r in recs[:4]), "recorded vs replayed"
assert [r.get("denied_arguments") for r in recs[:4]] == [None, ["path"], None, ["path"]], "denied arguments"
s = summary[0]
assert s["records"] == 5 and s["failed"] is False, s
assert s["outcomes"] == {"consistent-allow": 2, "consistent-deny": 2, "drift-allow-to-deny": 0,
                         "drift-deny-to-allow": 0, "malformed": 0, "undecidable": 1}, s["outcomes"]
assert s["undecidable"] == {"no-warrant": 1}, s["undecidable"]
PY
# Against a root the example did not use, nothing verifies: the two allows drift to denials.
"$TENUO" keygen | "$TENUO" pubkey - >"$scratch/other.pem"
replay "$scratch/other.pem" "$scratch/replay_other.jsonl"
/usr/bin/python3 - "$scratch/replay_other.jsonl" <<'PY' || die "audit-replay against a foreign root is wrong"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
recs = [l for l in lines if l["type"] == "record"]
got = [(r["outcome"], r.get("replay", {}).get("code")) for r in recs]
want = [("drift-allow-to-deny", 1406), ("consistent-deny", 1406), ("drift-allow-to-deny", 1406),
        ("consistent-deny", 1406), ("undecidable", None)]
assert got == want, got
PY
# And --fail-on deny turns those recorded denials into a failing exit status (1).
rc=0
"$TENUO" audit-replay "$log" --trusted-root "$root_pem" --fail-on deny >/dev/null 2>&1 || rc=$?
[[ $rc -eq 1 ]] || die "audit-replay --fail-on deny exited $rc, expected 1"

run delegation
expect_line delegation "ok   worker: scale staging-web to 2 -> allowed"
expect_line delegation "ok   worker: 10 replicas -> constraint-violation (1501)"
expect_line delegation "ok   a widening grant is refused before signing"

run tool_server
expect_line tool_server "read_file {\"path\":\"/data/report.csv\"} -> allow"
expect_line tool_server "fetch {\"url\":\"http://169.254.169.254/latest/meta-data\"} -> deny"
expect_line tool_server "ok   revoked warrant -> warrant-revoked (1800)"

# ---- pkg-config against the installed tenuo.pc
command -v pkg-config >/dev/null || die "pkg-config not found"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
flags="$(pkg-config --cflags --libs tenuo)" || die "pkg-config --cflags --libs tenuo failed"
incdir="$(pkg-config --variable=includedir tenuo)"
[[ -f "$incdir/tenuo/guard.hpp" ]] || die "pkg-config includedir is not the installed one: $incdir"
[[ "$(cd "$incdir" && pwd -P)" == "$(cd "$prefix/include" && pwd -P)" ]] \
  || die "pkg-config includedir $incdir is not under the install prefix"
cat >"$scratch/pc.cpp" <<'CPP'
#include <tenuo/builders.hpp>
#include <tenuo/constraints.hpp>
#include <tenuo/warrant_use.hpp>
#include <chrono>
int main() {
  using namespace std::chrono_literals;
  auto k = tenuo::SigningKey::generate();
  if (!k) return 1;
  auto w = tenuo::Warrant::mint_builder().capability("t", {{"n", tenuo::Range::max_value(3)}}).ttl(60s).mint(*k);
  if (!w) return 1;
  return w->allows("t", tenuo::make_args({{"n", 2}})) && !tenuo::allows(*w, "t", tenuo::make_args({{"n", 4}})) ? 0 : 1;
}
CPP
# shellcheck disable=SC2086
"$cxx" ${san_flags[@]+"${san_flags[@]}"} "$scratch/pc.cpp" -o "$scratch/pc" $flags >"$scratch/pc.log" 2>&1 \
  || { cat "$scratch/pc.log" >&2; die "compiling with pkg-config flags failed"; }
LD_LIBRARY_PATH="$libdir" "$scratch/pc" || die "pkg-config program failed"

echo "test_examples: ok"
