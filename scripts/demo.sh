#!/usr/bin/env bash
# The main job: the README tutorial as a real end-to-end run.
# control plane -> orchestrator -> worker: keygen, mint, grant, sign, verify (allowed and
# denied), why-denied, audit mode, audit-replay.
set -euo pipefail
TENUO=${1:?usage: demo.sh PATH_TO_TENUO}
TENUO=$(cd "$(dirname "$TENUO")" && pwd)/$(basename "$TENUO")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
bold=$'\033[1m'; dim=$'\033[2m'; off=$'\033[0m'
[[ -t 1 && -z "${NO_COLOR:-}" ]] || { bold=; dim=; off=; }
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$off"; }
show() { printf '%s$ %s%s\n' "$dim" "$*" "$off"; }
run() { local q; q=$(printf '%q ' "$@"); show "${q% }"; "$@"; }
tenuo() { "$TENUO" "$@"; }

step "0. The toolkit"
run tenuo --version

step "1. Keys: the control plane, an orchestrator and a worker"
run tenuo keygen control-plane
run tenuo keygen orchestrator
run tenuo keygen worker

step "2. The control plane mints a root warrant for the orchestrator"
show "tenuo mint --key control-plane.key --holder orchestrator.pub --tool read_file --tool delete_file -c path=subpath:/data -c read_file.max_bytes=range:0..1048576 --ttl 1h > root.tenuo"
tenuo mint --key control-plane.key --holder orchestrator.pub \
  --tool read_file --tool delete_file -c path=subpath:/data \
  -c read_file.max_bytes=range:0..1048576 --ttl 1h > root.tenuo
run tenuo inspect @root.tenuo

step "3. The orchestrator delegates a narrower warrant to the worker"
show "tenuo grant @root.tenuo --key orchestrator.key --holder worker.pub --tool read_file -c read_file.path=subpath:/data/reports -c read_file.max_bytes=range:0..65536 --ttl 10m --diff > chain.tenuo"
tenuo grant @root.tenuo --key orchestrator.key --holder worker.pub --tool read_file \
  -c read_file.path=subpath:/data/reports -c read_file.max_bytes=range:0..65536 --ttl 10m --diff > chain.tenuo
run tenuo verify --warrant @chain.tenuo --trusted-root control-plane.pub

step "4. The worker signs a call (proof of possession); the tool server verifies it"
args='{"path": "/data/reports/q3.pdf", "max_bytes": 4096}'
show "tenuo sign --warrant @chain.tenuo --key worker.key --tool read_file --args '$args' > pop.txt"
tenuo sign --warrant @chain.tenuo --key worker.key --tool read_file --args "$args" > pop.txt
run tenuo verify --warrant @chain.tenuo --trusted-root control-plane.pub --tool read_file --args "$args" --signature @pop.txt

step "5. A call outside the warrant is denied (exit 1)"
bad='{"path": "/data/../etc/passwd", "max_bytes": 100000}'
tenuo sign --warrant @chain.tenuo --key worker.key --tool read_file --args "$bad" --no-precheck > bad-pop.txt
show "tenuo verify … --args '$bad' --signature @bad-pop.txt"
if tenuo verify --warrant @chain.tenuo --trusted-root control-plane.pub --tool read_file --args "$bad" --signature @bad-pop.txt; then
  echo "unexpected: the call was allowed" >&2; exit 1
else
  echo "exit code $? (denied)"
fi

step "6. why-denied: every reason, the link that narrowed it, and the fix"
tenuo why-denied --warrant @chain.tenuo --trusted-root control-plane.pub --tool read_file --args "$bad" --signature @bad-pop.txt || true

step "7. Gradual rollout: audit mode records what enforce mode would block"
for call in '{"path": "/data/reports/q3.pdf", "max_bytes": 10}' '{"path": "/data/reports/q4.pdf", "max_bytes": 10}' "$bad"; do
  tenuo sign --warrant @chain.tenuo --key worker.key --tool read_file --args "$call" --no-precheck > p.txt
  show "tenuo verify --mode audit --audit-log audit.jsonl … --args '$call'"
  tenuo verify --mode audit --audit-log audit.jsonl --warrant @chain.tenuo --trusted-root control-plane.pub \
    --tool read_file --args "$call" --signature @p.txt || { echo "audit mode must not block" >&2; exit 1; }
done
echo "audit.jsonl holds $(wc -l < audit.jsonl) decisions"

step "8. audit-replay: what would enforcement have done?"
run tenuo audit-replay audit.jsonl --trusted-root control-plane.pub --fail-on none

step "done"
echo "All steps ran against real keys, warrants and signatures in $work (removed on exit)."
