# bash completion for tenuo(1).                                     -*- shell-script -*-
# Install as /usr/share/bash-completion/completions/tenuo, or source it from ~/.bashrc.
# Flags that take a warrant, key, signature or JSON complete files, also after '@' (@FILE).

_tenuo_verbs="keygen pubkey mint grant sign verify why-denied audit-replay inspect env doctor"

# Flags of every verb and of the top level (before or after the verb).
_tenuo_global_flags="--color --quiet -q"

_tenuo_flags() {
  echo "$_tenuo_global_flags"
  case "$1" in
    "") echo "--help -h --version -V" ;;
    keygen) echo "--help --out-dir --force --format" ;;
    pubkey) echo "--help --format" ;;
    mint) echo "--help --key -k --holder --tool -t --constraint -c --capabilities --ttl --expires-at
                --max-depth --type --issuable-tools --max-issue-depth --constraint-bounds --clearance
                --required-approver --min-approvals --id --session-id --agent-id --extension --at
                --format --out -o" ;;
    grant) echo "--help --key -k --holder --tool -t --constraint -c --capabilities --ttl --expires-at
                 --max-depth --clearance --id --at --emit --dry-run --diff --format --out -o" ;;
    sign) echo "--help --warrant -w --key -k --tool -t --args -a --at --emit --encoding
                --trusted-root -r --no-precheck --json" ;;
    verify) echo "--help --warrant -w --trusted-root -r --tool -t --args -a --signature -s --no-pop --at
                  --pop-windows --mode --approval --strict-session --revoked --srl --srl-key
                  --srl-min-version --audit-log --receipt-key --receipt-log --request-id --headers
                  --meta --json" ;;
    why-denied) echo "--help --warrant -w --tool -t --args -a --trusted-root -r --signature -s --no-pop
                      --at --revoked --pop-windows --json" ;;
    audit-replay) echo "--help --trusted-root -r --warrants --against --at --format --json --jsonl
                        --fail-on --threads --authorizer --pop-windows --show --no-progress" ;;
    inspect) echo "--help --json --chain --trusted-root --at" ;;
    env|doctor) echo "--help --json" ;;
  esac
}

# Fixed values of a flag ("" = free text, "@file" = a file or @FILE, "dir" = a directory).
_tenuo_values() {
  local verb=$1 flag=$2
  case "$flag" in
    --format)
      case "$verb" in
        keygen) echo "pem base64 hex json" ;;
        pubkey) echo "pem hex base64" ;;
        mint|grant) echo "b64 pem tenuo json" ;;
        audit-replay) echo "auto tenuo sdk receipts" ;;
      esac ;;
    --emit) [[ $verb == sign ]] && echo "signature headers meta json" || echo "chain leaf" ;;
    --encoding) echo "base64 base64url hex" ;;
    --mode) echo "enforce audit permissive" ;;
    --type) echo "execution issuer" ;;
    --clearance) echo "untrusted external partner internal privileged system" ;;
    --fail-on) echo "deny drift any none" ;;
    --color) echo "auto always never" ;;
    --holder) echo "self @file" ;;
    --at) [[ $verb == audit-replay ]] && echo "event now" ;;
    --out-dir|--warrants) echo "dir" ;;
    --key|-k|--warrant|-w|--trusted-root|-r|--args|-a|--signature|-s|--capabilities|\
    --constraint-bounds|--required-approver|--out|-o|--audit-log|--receipt-key|--receipt-log|\
    --srl|--srl-key|--headers|--meta|--against|--approval|--authorizer)
      echo "@file" ;;
  esac
}

# Flags that take a value (the next word is not a flag or positional).
_tenuo_takes_value() {
  case "$1" in
    --force|--dry-run|--diff|--no-precheck|--no-pop|--strict-session|--json|--jsonl|--chain|\
    --no-progress|--quiet|-q|--help|-h|--version|-V) return 1 ;;
    -*) return 0 ;;
  esac
  return 1
}

_tenuo_files() {
  # $1: current word; completes files, keeping a leading '@'.
  local cur=$1 prefix=""
  if [[ $cur == @* ]]; then prefix="@"; cur=${cur#@}; fi
  local IFS=$'\n' f
  for f in $(compgen -f -- "$cur"); do
    [[ -d $f ]] && f="$f/"
    COMPREPLY+=("$prefix$f")
  done
}

_tenuo() {
  COMPREPLY=()
  local cur=${COMP_WORDS[COMP_CWORD]}
  local prev=""
  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD-1]}
  local verb="" i w
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    if [[ " $_tenuo_verbs " == *" $w "* ]]; then verb=$w; break; fi
  done

  if [[ -z $verb ]]; then
    if [[ $cur == --color=* ]]; then
      COMPREPLY=($(compgen -P "--color=" -W "auto always never" -- "${cur#--color=}"))
    elif [[ $prev == --color ]]; then
      COMPREPLY=($(compgen -W "auto always never" -- "$cur"))
    elif [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "$(_tenuo_flags "")" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$_tenuo_verbs" -- "$cur"))
    fi
    return 0
  fi

  # --flag=value
  if [[ $cur == --*=* ]]; then
    local flag=${cur%%=*} val=${cur#*=} vals
    vals=$(_tenuo_values "$verb" "$flag")
    COMPREPLY=($(compgen -P "$flag=" -W "${vals//@file/}" -- "$val"))
    return 0
  fi

  if [[ $prev == -* ]] && _tenuo_takes_value "$prev"; then
    local vals
    vals=$(_tenuo_values "$verb" "$prev")
    case "$vals" in
      dir) COMPREPLY=($(compgen -d -- "$cur")) ;;
      *@file*)
        COMPREPLY=($(compgen -W "${vals//@file/}" -- "$cur"))
        _tenuo_files "$cur" ;;
      "") ;;  # free text (tool names, durations, ids...)
      *) COMPREPLY=($(compgen -W "$vals" -- "$cur")) ;;
    esac
    return 0
  fi

  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_tenuo_flags "$verb")" -- "$cur"))
    return 0
  fi
  # Positionals: warrants, keys and log files.
  case "$verb" in
    grant|inspect|pubkey|audit-replay) _tenuo_files "$cur" ;;
  esac
  return 0
}

complete -o filenames -F _tenuo tenuo
