#!/usr/bin/env bash
# The main job: a real end-to-end run of the toolkit.
set -euo pipefail
TENUO=${1:?usage: demo.sh PATH_TO_TENUO}
TENUO=$(cd "$(dirname "$TENUO")" && pwd)/$(basename "$TENUO")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
step "tenuo --version"
"$TENUO" --version
