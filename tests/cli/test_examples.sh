#!/usr/bin/env bash
# Installs the current build tree into a temporary prefix, builds examples/ against the
# *installed* package (find_package(tenuo) + tenuo::tenuo), runs each example, checks its
# output and exit code, checks the rollout's audit log, and compiles a program through
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
run gradual_rollout "$log"
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
  auto w = tenuo::mint_builder().capability("t", {{"n", tenuo::Range::max_value(3)}}).ttl(60s).mint(*k);
  if (!w) return 1;
  return tenuo::allows(*w, "t", tenuo::make_args({{"n", 2}})) && !tenuo::allows(*w, "t", tenuo::make_args({{"n", 4}})) ? 0 : 1;
}
CPP
# shellcheck disable=SC2086
"$cxx" ${san_flags[@]+"${san_flags[@]}"} "$scratch/pc.cpp" -o "$scratch/pc" $flags >"$scratch/pc.log" 2>&1 \
  || { cat "$scratch/pc.log" >&2; die "compiling with pkg-config flags failed"; }
LD_LIBRARY_PATH="$libdir" "$scratch/pc" || die "pkg-config program failed"

echo "test_examples: ok"
