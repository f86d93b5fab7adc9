#!/usr/bin/env bash
# `cpack -G DEB` builds a .deb that installs the binary, the library, headers, CMake config,
# tenuo.pc, man pages and completions; unpacked into a scratch root, its tenuo runs.
set -euo pipefail
: "${TENUO:?set TENUO to the tenuo binary}" "${TENUO_SOURCE_DIR:?set TENUO_SOURCE_DIR}"
build=$(cd "$(dirname "$TENUO")/../.." && pwd)
[[ -f $build/CPackConfig.cmake ]] || { echo "FAIL: no CPackConfig.cmake in $build" >&2; exit 1; }
command -v dpkg-deb >/dev/null || { echo "FAIL: dpkg-deb is not installed" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Package into the scratch dir (the build dir is left as it was).
(cd "$work" && cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/pkg" > cpack.log 2>&1) ||
  fail "cpack failed: $(tail -20 "$work/cpack.log")"
deb=$(ls "$work"/pkg/*.deb 2>/dev/null | head -1)
[[ -n $deb ]] || fail "cpack produced no .deb: $(tail -5 "$work/cpack.log")"
echo "package: $(basename "$deb")"

fields=$(dpkg-deb -f "$deb" Package Version Architecture Depends)
echo "$fields"
grep -q '^Package: tenuo$' <<<"$fields" || fail "package name"
for d in libsodium23 libre2-9 libfmt9; do
  grep -q "^Depends:.*$d" <<<"$fields" || fail "Depends lacks $d"
done

root=$work/root
dpkg-deb -x "$deb" "$root"
list=$(cd "$root" && find . -type f -o -type l | sed 's|^\./||' | sort)
need() { grep -qE "$1" <<<"$list" || fail "the package lacks $2 ($1)"; }
need '^usr/bin/tenuo$' "the binary"
need '^usr/lib/([^/]+/)?libtenuo\.so' "the shared library"
need '^usr/include/tenuo/verify\.hpp$' "headers"
need '^usr/include/tenuo/version\.hpp$' "the generated version header"
need '^usr/include/tenuo/export\.hpp$' "the generated export header"
need '^usr/lib/([^/]+/)?cmake/tenuo/tenuoConfig\.cmake$' "the CMake package config"
need '^usr/lib/([^/]+/)?pkgconfig/tenuo\.pc$' "tenuo.pc"
need '^usr/share/man/man1/tenuo\.1' "tenuo(1)"
for p in "$TENUO_SOURCE_DIR"/man/*.1 "$TENUO_SOURCE_DIR"/man/*.5; do
  b=$(basename "$p"); s=${b##*.}
  need "^usr/share/man/man$s/${b//./\\.}" "man page $b"
done
need '^usr/share/bash-completion/completions/tenuo$' "bash completion"
need '^usr/share/zsh/vendor-completions/_tenuo$' "zsh completion"
need '^usr/share/fish/vendor_completions\.d/tenuo\.fish$' "fish completion"

libdir=$(dirname "$(grep -E '^usr/lib/([^/]+/)?libtenuo\.so' <<<"$list" | head -1)")
out=$(LD_LIBRARY_PATH="$root/$libdir" "$root/usr/bin/tenuo" --version) || fail "the packaged tenuo does not run"
echo "$out"
grep -q "^tenuo " <<<"$out" || fail "unexpected --version output: $out"
grep -q "wire v1" <<<"$out" || fail "--version lacks the wire version"
# The packaged binary must use the packaged library, not the build tree's.
LD_LIBRARY_PATH="$root/$libdir" ldd "$root/usr/bin/tenuo" | grep libtenuo | grep -q "$root" ||
  fail "the packaged tenuo does not load the packaged libtenuo: $(LD_LIBRARY_PATH="$root/$libdir" ldd "$root/usr/bin/tenuo" | grep libtenuo)"
LD_LIBRARY_PATH="$root/$libdir" "$root/usr/bin/tenuo" doctor > /dev/null || fail "the packaged tenuo fails doctor"
targets=$root/$(grep 'cmake/tenuo/tenuoTargets\.cmake$' <<<"$list" | head -1)
grep -q 'add_library(tenuo::tenuo SHARED IMPORTED)' "$targets" || fail "the CMake config does not define tenuo::tenuo"
grep -q '^Libs:.*-ltenuo' "$root/$(grep 'tenuo\.pc$' <<<"$list")" || fail "tenuo.pc lacks -ltenuo"
# pkg-config on the unpacked tree resolves to it (the .pc file is relocatable).
if command -v pkg-config >/dev/null; then
  pc_dir=$root/$(dirname "$(grep 'tenuo\.pc$' <<<"$list")")
  cflags=$(PKG_CONFIG_PATH=$pc_dir pkg-config --cflags tenuo)
  inc=$(sed -nE 's/.*-I([^ ]+).*/\1/p' <<<"$cflags")
  [[ -f $inc/tenuo/verify.hpp ]] || fail "pkg-config --cflags tenuo points at '$inc', which has no tenuo/verify.hpp"
fi
echo "ok: $(wc -l <<<"$list") files; binary, library, headers, CMake config, tenuo.pc, man pages, completions"
