#!/usr/bin/env bash
# For `tenuo` and every verb, the long flags of `--help` equal the long flags documented in the
# OPTIONS section of man/tenuo[-VERB].1 (roff `\-\-flag` forms), and every verb has a page.
set -euo pipefail
: "${TENUO:?set TENUO to the tenuo binary}" "${TENUO_SOURCE_DIR:?set TENUO_SOURCE_DIR}"
man_dir=$TENUO_SOURCE_DIR/man
fail=0

# Long flags of the option lines (first column only) of a CLI11 help text on stdin.
help_flags() {
  awk '/^Options:/{o=1; next} /^[A-Za-z]/{o=0} o && /^ +-/{print $1}' |
    tr ',' '\n' | grep -E '^--[a-z]' | sort -u
}
# Long flags in the OPTIONS section of a man page.
man_flags() {
  # Cross-references to another verb's flag ("tenuo inspect --json") are not this page's flags.
  awk '/^\.SH OPTIONS/{o=1; next} /^\.SH/{o=0} o' "$1" | sed 's/\\-/-/g' |
    sed -E 's/tenuo [a-z-]+ --[a-z0-9-]+//g' |
    grep -oE -- '--[a-z][a-z0-9-]*[a-z0-9]' | sort -u
}
compare() {  # name help-flags man-flags
  local only_help only_man
  only_help=$(comm -23 <(echo "$2") <(echo "$3"))
  only_man=$(comm -13 <(echo "$2") <(echo "$3"))
  if [[ -n $only_help ]]; then
    echo "FAIL: $1: in --help but not in the man page: $(echo $only_help)" >&2; fail=1
  fi
  if [[ -n $only_man ]]; then
    echo "FAIL: $1: in the man page but not in --help: $(echo $only_man)" >&2; fail=1
  fi
  if [[ -z $only_help && -z $only_man ]]; then echo "ok: $1 ($(echo "$2" | wc -l) flags)"; fi
}

top_help=$("$TENUO" --help)
verbs=$(echo "$top_help" | awk '/^Subcommands:/{s=1; next} /^[A-Za-z]/{s=0} s && /^  [a-z]/{print $1}')
[[ $(echo "$verbs" | wc -l) -ge 11 ]] || { echo "FAIL: expected at least 11 verbs in tenuo --help, got: $verbs" >&2; exit 1; }

[[ -f $man_dir/tenuo.1 ]] || { echo "FAIL: man/tenuo.1 missing" >&2; exit 1; }
compare "tenuo" "$(echo "$top_help" | help_flags)" "$(man_flags "$man_dir/tenuo.1")"
for v in $verbs; do
  page=$man_dir/tenuo-$v.1
  if [[ ! -f $page ]]; then echo "FAIL: $v: no man page man/tenuo-$v.1" >&2; fail=1; continue; fi
  grep -q "^\.BR tenuo\\\\-${v//-/\\\\-} (1)" "$man_dir/tenuo.1" ||
    { echo "FAIL: tenuo(1) does not list tenuo-$v(1)" >&2; fail=1; }
  compare "$v" "$("$TENUO" "$v" --help | help_flags)" "$(man_flags "$page")"
done
[[ -f $man_dir/tenuo-warrant.5 ]] || { echo "FAIL: man/tenuo-warrant.5 missing" >&2; fail=1; }
# Every page is well-formed enough for man(1) to render without warnings, when man is present.
if command -v man >/dev/null && command -v groff >/dev/null; then
  for p in "$man_dir"/*.[15]; do
    w=$(MANWIDTH=80 man --warnings -l "$p" 2>&1 >/dev/null || true)
    [[ -z $w ]] || { echo "FAIL: $(basename "$p"): roff warnings: $w" >&2; fail=1; }
  done
fi
exit $fail
