#!/usr/bin/env bash
# Loads completions/tenuo.bash, _tenuo (zsh) and tenuo.fish in their shells and checks that
# every verb and every long flag of `tenuo VERB --help` is completed, and that flags taking a
# key or warrant complete @FILE. A missing shell is a failure (scripts/deps.sh --test installs
# zsh and fish), not a skip.
set -euo pipefail
: "${TENUO:?set TENUO to the tenuo binary}" "${TENUO_SOURCE_DIR:?set TENUO_SOURCE_DIR}"
comp=$TENUO_SOURCE_DIR/completions
fail=0
for sh in bash zsh fish; do
  command -v $sh >/dev/null || { echo "FAIL: $sh is not installed (run: sudo bash scripts/deps.sh --test)" >&2; fail=1; }
done
((fail == 0)) || exit 1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
touch "$scratch/worker.key"

help_flags() {
  awk '/^Options:/{o=1; next} /^[A-Za-z]/{o=0} o && /^ +-/{print $1}' |
    tr ',' '\n' | grep -E '^--[a-z]' | sort -u
}
verbs=$("$TENUO" --help | awk '/^Subcommands:/{s=1; next} /^[A-Za-z]/{s=0} s && /^  [a-z]/{print $1}')

check() {  # shell what expected-list got-list
  local missing
  missing=$(comm -23 <(echo "$3" | tr ' ' '\n' | sort -u) <(echo "$4" | sort -u))
  if [[ -n $missing ]]; then
    echo "FAIL: $1: $2: not completed: $(echo $missing)" >&2; fail=1
  fi
}

# ---- bash: call the completion function as readline would.
bash_complete() {  # words... (the last one is the word being completed)
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1));
           COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; _tenuo; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$comp/tenuo.bash" "$@"
}
# ---- zsh: the completion functions with the compsys primitives recorded: every spec given to
# _arguments and every candidate given to _describe is printed, one per line.
zsh_complete() {  # verb ("" for the top level)
  zsh -f -c '
    # At the top level, _arguments reports the state "verb" (dynamic scope: _tenuo'\''s local).
    _arguments() { local a; for a in "$@"; do print -r -- "ARG $a"; done; state=verb; }
    _describe() { local c; for c in ${(P)${@[-1]}}; do print -r -- "VERB ${c%%:*}"; done; }
    compdef() { :; }
    source "$1"
    if [[ -n $2 ]]; then _tenuo_verb $2; else _tenuo; fi
  ' _ "$comp/_tenuo" "$1"
}
zsh_flags() {  # the option names declared by _arguments specs
  sed -n 's/^ARG //p' | sed -E 's/^\([^)]*\)//; s/^\*//' | grep -E '^-' |
    sed -E 's/^(--?[A-Za-z0-9-]+).*/\1/' | grep -E '^--' | sort -u
}
# ---- fish: `complete -C` runs the real completion engine.
fish_complete() {  # command line
  fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$comp/tenuo.fish" "$1" | cut -f1
}

check bash "verbs" "$verbs" "$(bash_complete tenuo '')"
check zsh "verbs" "$verbs" "$(zsh_complete '' | sed -n 's/^VERB //p')"
check fish "verbs" "$verbs" "$(fish_complete 'tenuo ')"
top=$("$TENUO" --help | help_flags)
check bash "top-level flags" "$top" "$(bash_complete tenuo --)"
check zsh "top-level flags" "$top" "$(zsh -f -c '_arguments() { local a; for a in "$@"; do print -r -- "ARG $a"; done; }; compdef() { :; }; source "$1"; _tenuo' _ "$comp/_tenuo" | zsh_flags)"
check fish "top-level flags" "$top" "$(fish_complete 'tenuo --')"

n=0
for v in $verbs; do
  want=$("$TENUO" "$v" --help | help_flags)
  n=$((n + $(echo "$want" | wc -l)))
  check bash "$v" "$want" "$(bash_complete tenuo "$v" --)"
  check zsh "$v" "$want" "$(zsh_complete "$v" | zsh_flags)"
  check fish "$v" "$want" "$(fish_complete "tenuo $v --")"
  # Nothing extra: a completed flag that --help does not know would be a lie.
  extra=$(comm -13 <(echo "$want") <(bash_complete tenuo "$v" -- | sort -u))
  [[ -z $extra ]] || { echo "FAIL: bash: $v: completes flags --help does not list: $(echo $extra)" >&2; fail=1; }
  extra=$(comm -13 <(echo "$want") <(fish_complete "tenuo $v --" | sort -u))
  [[ -z $extra ]] || { echo "FAIL: fish: $v: completes flags --help does not list: $(echo $extra)" >&2; fail=1; }
done

# File completion, also after '@', where a flag takes a key or warrant.
cd "$scratch"
check bash "sign --key FILE" "worker.key" "$(bash_complete tenuo sign --key wor)"
check bash "sign --key @FILE" "@worker.key" "$(bash_complete tenuo sign --key @wor)"
check bash "verify --warrant @FILE" "@worker.key" "$(bash_complete tenuo verify --warrant @w)"
check bash "sign --emit values" "signature headers meta json" "$(bash_complete tenuo sign --emit '')"
check fish "sign --key FILE" "worker.key" "$(fish_complete 'tenuo sign --key wor')"
check fish "sign --key @FILE" "@worker.key" "$(fish_complete 'tenuo sign --key @wor')"
check fish "verify --mode values" "enforce audit permissive" "$(fish_complete 'tenuo verify --mode ')"
zsh_sign=$(zsh_complete sign | sed -n 's/^ARG //p')
grep -qE -- '^(\([^)]*\))?--key=.*:_tenuo_file$' <<<"$zsh_sign" || { echo "FAIL: zsh: sign --key does not complete files" >&2; fail=1; }
grep -qE -- '^\(-k --key\)--key-id=.*:_tenuo_key_ids$' <<<"$zsh_sign" || { echo "FAIL: zsh: sign --key-id does not complete named keys" >&2; fail=1; }
# --key-id completes the ids of the TENUO_KEY_<ID> variables set in the environment.
check bash "sign --key-id values" "alpha beta_2" "$(TENUO_KEY_alpha=x TENUO_KEY_beta_2=y bash_complete tenuo sign --key-id '')"
check fish "mint --key-id values" "alpha beta_2" "$(TENUO_KEY_alpha=x TENUO_KEY_beta_2=y fish_complete 'tenuo mint --key-id ')"
ids=$(TENUO_KEY_alpha=x TENUO_KEY_beta_2=y zsh -f -c '_describe() { local c; for c in ${(P)${@[-1]}}; do print -r -- "$c"; done; }; compdef() { :; }; source "$1"; _tenuo_key_ids' _ "$comp/_tenuo")
check zsh "--key-id values" "alpha beta_2" "$ids"
grep -qE -- '^(\([^)]*\))?--emit=.*\(signature headers meta json\)$' <<<"$zsh_sign" || { echo "FAIL: zsh: sign --emit values" >&2; fail=1; }

((fail == 0)) && echo "ok: bash, zsh and fish complete $(echo "$verbs" | wc -l) verbs and $n verb flags"
exit $fail
