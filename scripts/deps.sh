#!/usr/bin/env bash
# Installs the Debian 12 packages tenuo needs to build, test and demo. Idempotent and silent
# when nothing is missing. Run as root (or with sudo available).
set -euo pipefail
pkgs=(cmake ninja-build g++ make pkg-config openssl
      libcli11-dev libsodium-dev libfmt-dev nlohmann-json3-dev doctest-dev libre2-dev
      python3 python3-cbor2)
[[ "${1:-}" == "--test" ]] && pkgs+=(clang libclang-rt-14-dev zsh fish)
# bench/process_bench.sh compares `tenuo verify` with `minisign -V`.
[[ "${1:-}" == "--bench" ]] && pkgs+=(minisign)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "tenuo: installing missing packages: ${missing[*]}" >&2
SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
