#!/usr/bin/env bash
# Output polish (CLI.md §1): --color=auto|always|never and -q/--quiet are accepted by every verb,
# before or after it. Colour only on a terminal (NO_COLOR, TERM=dumb and --color=never turn it
# off in auto; --color=always forces it), never in JSON. --quiet drops notes, warnings and the
# progress bar from stderr but keeps the result on stdout, error messages and exit codes.
# Exact ANSI bytes are asserted. The pseudo-terminal part uses script(1) and is skipped, with a
# message, where no pseudo-terminal exists.
set -euo pipefail
: "${TENUO:?TENUO must point at the tenuo binary}"
unset TENUO_NOW TENUO_ISSUER_KEY TENUO_SIGNING_KEY TENUO_TRUSTED_ROOTS TENUO_POP_MAX_WINDOWS \
      TENUO_MODE TENUO_AUDIT_LOG NO_COLOR
export TERM=xterm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
ESC=$'\e'
# has_esc FILE: the file contains an escape character
has_esc() { grep -q "$ESC" "$1"; }
# expect_rc CODE CMD... : runs CMD with stdout in out.txt and stderr in err.txt
expect_rc() {
  local want=$1; shift
  local rc=0
  "$@" >out.txt 2>err.txt || rc=$?
  [[ $rc == "$want" ]] || { cat err.txt out.txt >&2; fail "expected exit $want, got $rc: $*"; }
}

seed() { printf "$1%.0s" {1..32}; }
ROOT=$(seed 41); WORKER=$(seed 42)
ROOT_PUB=$("$TENUO" pubkey "$ROOT" --format hex)
WORKER_PUB=$("$TENUO" pubkey "$WORKER" --format hex)
T0=1704067200
NOW=$((T0 + 300))
"$TENUO" mint --key "$ROOT" --holder "$WORKER_PUB" --tool read_file -c path=subpath:/data --at $T0 --ttl 1d \
  --id tnu_wrt_0194000000007000800000000000abcd > w.b64 2>/dev/null || fail "mint"
ARGS='{"path":"/data/a.txt"}'
BAD='{"path":"/etc/passwd"}'
"$TENUO" sign --warrant @w.b64 --key "$WORKER" --tool read_file --args "$ARGS" --at $NOW > pop.txt || fail "sign"
"$TENUO" sign --warrant @w.b64 --key "$WORKER" --tool read_file --args "$BAD" --at $NOW --no-precheck > badpop.txt \
  || fail "sign (bad call)"
verify_ok=(verify --warrant @w.b64 --trusted-root "$ROOT_PUB" --tool read_file --args "$ARGS" --signature @pop.txt --at $NOW)
verify_bad=(verify --warrant @w.b64 --trusted-root "$ROOT_PUB" --tool read_file --args "$BAD" --signature @badpop.txt --at $NOW)
why_bad=(why-denied --warrant @w.b64 --trusted-root "$ROOT_PUB" --tool read_file --args "$BAD" --at $NOW)

# ---- piped: no colour by default, and --color=never is the same bytes
expect_rc 0 "$TENUO" "${verify_ok[@]}"
has_esc out.txt && fail "colour on a pipe without --color=always"
[[ $(head -n1 out.txt) == "allowed: tool 'read_file' under tnu_wrt_0194000000007000800000000000abcd"* ]] \
  || fail "plain verdict line: $(cat out.txt)"
cp out.txt plain.txt
expect_rc 0 "$TENUO" "${verify_ok[@]}" --color=never
cmp -s out.txt plain.txt || fail "--color=never differs from the piped default"

# ---- --color=always: exact SGR bytes, before or after the verb, '=' or a separate word
want_allowed="${ESC}[1;32mallowed:${ESC}[0m tool 'read_file' under"
for form in after before separate; do
  case $form in
    after) expect_rc 0 "$TENUO" "${verify_ok[@]}" --color=always ;;
    before) expect_rc 0 "$TENUO" --color=always "${verify_ok[@]}" ;;
    separate) expect_rc 0 "$TENUO" "${verify_ok[@]}" --color always ;;
  esac
  [[ $(head -n1 out.txt) == "$want_allowed"* ]] || fail "--color=always ($form): $(od -c out.txt | head -3)"
done
# NO_COLOR does not override an explicit --color=always (no-color.org: user-level config wins)
NO_COLOR=1 expect_rc 0 "$TENUO" "${verify_ok[@]}" --color=always
[[ $(head -n1 out.txt) == "$want_allowed"* ]] || fail "--color=always must win over NO_COLOR"
# the last --color wins
expect_rc 0 "$TENUO" --color=always "${verify_ok[@]}" --color=never
has_esc out.txt && fail "the last --color (never) must win"
expect_rc 0 "$TENUO" "${verify_ok[@]}" --color=always --color=never
has_esc out.txt && fail "the last --color (never) must win, same verb"
expect_rc 0 "$TENUO" "${verify_ok[@]}" -q --quiet

# ---- an enforced denial: the error prefix on stderr is coloured, stdout stays empty, exit 1
expect_rc 1 "$TENUO" "${verify_bad[@]}" --color=always
[[ $(head -n1 err.txt) == "${ESC}[1;31mtenuo: error:${ESC}[0m "* ]] || fail "coloured error prefix: $(od -c err.txt | head -3)"
expect_rc 1 "$TENUO" "${verify_bad[@]}"
[[ $(head -n1 err.txt) == "tenuo: error: "* ]] || fail "plain error prefix"
has_esc err.txt && fail "colour on a non-terminal stderr"

# ---- audit mode: "deny" verdict in red on stdout
expect_rc 0 "$TENUO" "${verify_bad[@]}" --mode audit --color=always
[[ $(head -n1 out.txt) == "${ESC}[1;31mdeny${ESC}[0m (not enforced: audit mode): "* ]] || fail "audit deny verdict colour"

# ---- JSON is never coloured, even with --color=always (success and failure)
expect_rc 0 "$TENUO" "${verify_ok[@]}" --json --color=always
has_esc out.txt && fail "colour in verify --json (allowed)"
expect_rc 1 "$TENUO" "${verify_bad[@]}" --json --color=always
has_esc out.txt && fail "colour in verify --json (denied)"
jq -e '.allowed == false' out.txt >/dev/null || fail "verify --json still one document"
expect_rc 1 "$TENUO" "${why_bad[@]}" --json --color=always
has_esc out.txt && fail "colour in why-denied --json"
expect_rc 0 "$TENUO" inspect @w.b64 --json --color=always
has_esc out.txt && fail "colour in inspect --json"
expect_rc 0 "$TENUO" doctor --json --color=always
has_esc out.txt && fail "colour in doctor --json"
expect_rc 3 "$TENUO" verify --warrant @missing.b64 --trusted-root "$ROOT_PUB" --json --color=always
has_esc out.txt && fail "colour in an error JSON document"

# ---- why-denied: verdict, check states and headings; its --color keeps working as before
expect_rc 1 "$TENUO" "${why_bad[@]}" --color=always
[[ $(head -n1 out.txt) == "${ESC}[1;31mDENIED${ESC}[0m  read_file "* ]] || fail "why-denied DENIED colour"
grep -qF "${ESC}[1mchecks${ESC}[0m" out.txt || fail "why-denied heading colour"
grep -qF "${ESC}[31mFAIL${ESC}[0m" out.txt || fail "why-denied FAIL colour"
grep -qF "${ESC}[32mpass${ESC}[0m" out.txt || fail "why-denied pass colour"
expect_rc 1 "$TENUO" "${why_bad[@]}"
has_esc out.txt && fail "why-denied coloured on a pipe"
expect_rc 0 "$TENUO" why-denied --warrant @w.b64 --trusted-root "$ROOT_PUB" --tool read_file --args "$ARGS" \
  --signature @pop.txt --at $NOW --color=always
[[ $(head -n1 out.txt) == "${ESC}[1;32mALLOWED${ESC}[0m  read_file "* ]] || fail "why-denied ALLOWED colour"

# ---- inspect headings; doctor states
expect_rc 0 "$TENUO" inspect @w.b64 --color=always
[[ $(head -n1 out.txt) == "${ESC}[1mwarrant 1 of 1 (root)${ESC}[0m" ]] || fail "inspect heading: $(head -n1 out.txt | od -c)"
expect_rc 0 "$TENUO" doctor --color=always
[[ $(head -n1 out.txt) == "${ESC}[32mok  ${ESC}[0m  "* ]] || fail "doctor ok colour: $(head -n1 out.txt | od -c)"
expect_rc 0 "$TENUO" doctor
[[ $(head -n1 out.txt) == "ok    "* ]] && ! has_esc out.txt || fail "doctor plain"

# ---- a bad --color value is a usage error on every verb
for v in keygen pubkey mint grant sign verify why-denied audit-replay inspect env doctor; do
  expect_rc 2 "$TENUO" "$v" --color=sometimes
  "$TENUO" "$v" --help | grep -q -- '--color' || fail "$v --help does not list --color"
  "$TENUO" "$v" --help | grep -q -- '--quiet' || fail "$v --help does not list --quiet"
done
expect_rc 2 "$TENUO" --color=sometimes env

# ---- --quiet: notes and warnings go, the result and the exit code stay
expect_rc 0 "$TENUO" inspect @w.b64
grep -q 'decoded only' err.txt || fail "inspect note expected without --quiet"
cp out.txt inspect.txt
for q in -q --quiet; do
  expect_rc 0 "$TENUO" inspect @w.b64 $q
  [[ ! -s err.txt ]] || fail "inspect $q printed on stderr: $(cat err.txt)"
  cmp -s out.txt inspect.txt || fail "inspect $q changed stdout"
done
expect_rc 0 "$TENUO" -q inspect @w.b64
[[ ! -s err.txt ]] || fail "-q before the verb"
# TENUO_NOW announcement
TENUO_NOW=$NOW expect_rc 0 "$TENUO" verify --warrant @w.b64 --trusted-root "$ROOT_PUB"
grep -q 'TENUO_NOW' err.txt || fail "TENUO_NOW note expected without --quiet"
cp out.txt valid.txt
TENUO_NOW=$NOW expect_rc 0 "$TENUO" verify --warrant @w.b64 --trusted-root "$ROOT_PUB" --quiet
[[ ! -s err.txt ]] || fail "TENUO_NOW note printed with --quiet"
cmp -s out.txt valid.txt || fail "--quiet changed verify's stdout"
# sign's precheck warning; the signature is still printed
expect_rc 0 "$TENUO" sign --warrant @w.b64 --key "$WORKER" --tool read_file --args "$BAD" --at $NOW
grep -q 'warning: this call would be denied' err.txt || fail "sign precheck warning expected"
cp out.txt sig.txt
expect_rc 0 "$TENUO" sign --warrant @w.b64 --key "$WORKER" --tool read_file --args "$BAD" --at $NOW -q
[[ ! -s err.txt ]] || fail "sign -q printed a warning"
cmp -s out.txt sig.txt || fail "sign -q changed the signature output"
# why-denied without a trusted root: the note goes, the report and exit 1 stay
expect_rc 1 "$TENUO" why-denied --warrant @w.b64 --tool read_file --args "$BAD" --at $NOW
grep -q 'note: no trusted root' err.txt || fail "why-denied note expected"
cp out.txt why.txt
expect_rc 1 "$TENUO" why-denied --warrant @w.b64 --tool read_file --args "$BAD" --at $NOW -q
[[ ! -s err.txt ]] || fail "why-denied -q printed on stderr"
cmp -s out.txt why.txt || fail "why-denied -q changed stdout"
# env: warnings go, errors stay (and the exit code)
TENUO_DEV_MODE=1 expect_rc 0 "$TENUO" env
grep -q 'warning: TENUO_DEV_MODE' err.txt || fail "env warning expected"
TENUO_DEV_MODE=1 expect_rc 0 "$TENUO" env -q
[[ ! -s err.txt ]] || fail "env -q printed a warning"
TENUO_MODE=sometimes TENUO_DEV_MODE=1 expect_rc 1 "$TENUO" env -q
grep -q 'tenuo: error: TENUO_MODE' err.txt || fail "env -q must keep errors"
grep -q 'warning' err.txt && fail "env -q must drop warnings"
# errors are printed with --quiet, with the same exit codes
expect_rc 1 "$TENUO" "${verify_bad[@]}" -q
grep -q '^tenuo: error: ' err.txt || fail "verify -q must print the error"
expect_rc 3 "$TENUO" -q inspect @missing.b64
grep -q '^tenuo: error: ' err.txt || fail "inspect -q must print the error"
expect_rc 2 "$TENUO" -q verify --nonsense
# audit mode's finding is not informational
expect_rc 0 "$TENUO" "${verify_bad[@]}" --mode audit -q
grep -q 'tenuo: audit: would deny' err.txt || fail "the audit finding must survive --quiet"

# ---- display-width alignment: the "why" column of why-denied holds with non-ASCII values
# (precomposed, combining and East Asian wide characters)
for v in '/données/é' $'/etc/cafe\u0301' '/etc/日本語/ファイル'; do
  args=$(jq -cn --arg p "$v" '{path: $p}')
  expect_rc 1 "$TENUO" why-denied --warrant @w.b64 --tool read_file --args "$args" --at $NOW \
    --trusted-root "$ROOT_PUB" --json
  cp out.txt why.json
  expect_rc 1 "$TENUO" why-denied --warrant @w.b64 --tool read_file --args "$args" --at $NOW \
    --trusted-root "$ROOT_PUB"
  /usr/bin/python3 - out.txt why.json <<'EOF' || fail "why-denied argument table misaligned for $v"
import json, sys, unicodedata
def width(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in s)
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
reason = json.load(open(sys.argv[2], encoding="utf-8"))["arguments"][0]["reason"]
i = lines.index("arguments")
head, row = lines[i + 1], lines[i + 2]
assert width(head[: head.index("why")]) == width(row[: row.index(reason)]), (head, row)
EOF
done

# ... and the per-tool table of audit-replay, with a tool name wider than the default column
"$TENUO" mint --key "$ROOT" --holder "$WORKER_PUB" --tool read_file --tool 'データ読み込みツール名前空間' \
  -c path=subpath:/data --at $T0 --ttl 1d > wide.b64 2>/dev/null || fail "mint (wide tool name)"
for t in read_file 'データ読み込みツール名前空間'; do
  for p in /data/a /etc/b; do
    "$TENUO" verify --warrant @wide.b64 --trusted-root "$ROOT_PUB" --tool "$t" --args "{\"path\":\"$p\"}" \
      --no-pop --at $NOW --mode audit --audit-log audit.jsonl -q > /dev/null 2>&1 || fail "verify into the audit log"
  done
done
expect_rc 0 "$TENUO" audit-replay audit.jsonl --trusted-root "$ROOT_PUB" --fail-on none
/usr/bin/python3 - out.txt <<'EOF' || fail "audit-replay tables misaligned by display width"
import sys, unicodedata
def width(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in s)
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
i = next(k for k, l in enumerate(lines) if l.startswith("  tool "))
rows = []
for l in lines[i + 1:]:
    if l.startswith("  (drift+"):
        break
    rows.append(l)
assert len(rows) == 2 and any("データ" in r for r in rows), rows
# right-aligned count columns: every row ends in the header's column
assert all(width(r) == width(lines[i]) for r in rows), [lines[i]] + rows
k = lines.index("  top denied tool / argument")
tops = [l for l in lines[k + 1:k + 3] if l.startswith("    ")]
assert len(tops) == 2 and width(tops[0]) == width(tops[1]), tops
EOF

# ---- untrusted strings cannot drive the terminal: control characters and escape sequences
# from a warrant or a call are shown as \xNN / \u00NN; only our own SGR colours remain
EVIL=$'evil\e]0;pwned\a\e[2J\xc2\x9b'
"$TENUO" mint --key "$ROOT" --holder "$WORKER_PUB" --tool "$EVIL" --at $T0 --ttl 1d > evil.b64 2>/dev/null \
  || fail "mint (tool name with control characters)"
# only_sgr FILE: every ESC in FILE starts one of the SGR sequences tenuo writes
only_sgr() { ! LC_ALL=C grep -aP '\e(?!\[(0|1|2|31|32|33|1;31|1;32|1;33)m)' "$1" >/dev/null; }
expect_rc 0 "$TENUO" inspect @evil.b64 --color=always
only_sgr out.txt || fail "inspect passed a raw escape sequence through: $(od -c out.txt | grep -m3 033)"
grep -qF 'evil\x1b]0;pwned\x07\x1b[2J\u009b' out.txt || fail "inspect: escaped tool name expected"
expect_rc 0 "$TENUO" inspect @evil.b64
has_esc out.txt && fail "inspect --color=never-by-pipe printed an escape"
expect_rc 0 "$TENUO" why-denied --warrant @evil.b64 --trusted-root "$ROOT_PUB" --tool "$EVIL" --args '{"a":1}' \
  --no-pop --at $NOW --color=always
only_sgr out.txt || fail "why-denied passed a raw escape sequence through"
expect_rc 1 "$TENUO" verify --warrant @w.b64 --trusted-root "$ROOT_PUB" --tool "$EVIL" --no-pop --at $NOW
has_esc err.txt && fail "the error message passed a raw escape through"
grep -qF 'evil\x1b]0;pwned' err.txt || fail "error message: escaped tool name expected: $(cat err.txt)"
expect_rc 0 "$TENUO" verify --warrant @w.b64 --trusted-root "$ROOT_PUB" --tool "$EVIL" --no-pop --at $NOW --mode audit
has_esc out.txt && fail "audit verdict passed a raw escape through"
has_esc err.txt && fail "audit finding passed a raw escape through"
# JSON keeps the exact string (JSON escapes control characters itself)
expect_rc 0 "$TENUO" inspect @evil.b64 --json
jq -e --arg t "$EVIL" '.warrant.tools | has($t)' out.txt >/dev/null || fail "inspect --json must keep the exact tool name"

# ---- a pseudo-terminal: colour in auto, and what turns it off; the progress bar and --quiet
pty() {  # pty FILE CMD... : runs CMD under a pseudo-terminal (stdout+stderr into FILE)
  local file=$1; shift
  local cmd
  printf -v cmd '%q ' "$@"
  script -qec "$cmd" /dev/null < /dev/null > "$file" 2>&1 || true
}
if ! command -v script >/dev/null 2>&1; then
  echo "note: script(1) not installed; pseudo-terminal checks skipped" >&2
else
  pty tty.txt "$TENUO" "${verify_ok[@]}"
  if ! grep -q 'allowed' tty.txt; then
    echo "note: no pseudo-terminal available here; TTY checks skipped" >&2
  else
    grep -qF "$want_allowed" tty.txt || fail "no colour in auto on a terminal: $(od -c tty.txt | head -3)"
    pty tty.txt env NO_COLOR=1 "$TENUO" "${verify_ok[@]}"
    grep -q allowed tty.txt && ! has_esc tty.txt || fail "NO_COLOR=1 must disable colour in auto"
    pty tty.txt env NO_COLOR= "$TENUO" "${verify_ok[@]}"
    grep -qF "$want_allowed" tty.txt || fail "an empty NO_COLOR must not disable colour (no-color.org)"
    pty tty.txt env TERM=dumb "$TENUO" "${verify_ok[@]}"
    grep -q allowed tty.txt && ! has_esc tty.txt || fail "TERM=dumb must disable colour in auto"
    pty tty.txt "$TENUO" "${verify_ok[@]}" --color=never
    grep -q allowed tty.txt && ! has_esc tty.txt || fail "--color=never on a terminal"
    pty tty.txt "$TENUO" "${verify_ok[@]}" --json
    grep -q allowed tty.txt && ! has_esc tty.txt || fail "JSON coloured on a terminal"
    pty tty.txt "$TENUO" "${verify_bad[@]}"
    grep -qF "${ESC}[1;31mtenuo: error:${ESC}[0m " tty.txt || fail "error prefix not coloured on a terminal"
    # audit-replay draws its bar on a terminal (one redraw per batch, erased at the end) ...
    printf 'garbage %s\n' 1 2 3 > log.jsonl
    pty tty.txt "$TENUO" audit-replay log.jsonl --trusted-root "$ROOT_PUB" --fail-on none
    grep -q 'audit-replay:' tty.txt || fail "audit-replay summary on a terminal"
    grep -qF "${ESC}[K" tty.txt || fail "no progress bar on a terminal"
    # ... and never with --quiet or --no-progress
    for f in -q --no-progress; do
      pty tty.txt "$TENUO" audit-replay log.jsonl --trusted-root "$ROOT_PUB" --fail-on none $f
      grep -q 'audit-replay:' tty.txt || fail "audit-replay $f summary on a terminal"
      grep -qF "${ESC}[K" tty.txt && fail "progress bar drawn with $f"
    done
  fi
fi
# never a bar when stderr is not a terminal
expect_rc 0 "$TENUO" audit-replay log.jsonl --trusted-root "$ROOT_PUB" --fail-on none
has_esc err.txt && fail "progress bar on a non-terminal stderr"

echo "output polish: all checks passed"
