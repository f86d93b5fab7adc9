#!/usr/bin/env bash
# Whole-process cost of `tenuo verify`, next to a trivial static binary (the cost of starting
# any process) and `minisign -V` checking one signature, in the same run, interleaved.
#
#   bash bench/process_bench.sh [TENUO_BINARY] [RUNS]
#
# Default binary: build/release/apps/tenuo/tenuo; default 200 runs of each command. Needs
# minisign (scripts/deps.sh --bench) and /usr/bin/python3 (for the timer). Not a CTest: whole-
# process timings on a shared machine are too noisy to gate on. Reports per-process CPU time
# (user + system, from wait4) and wall time, medians and ratios to minisign -V.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
tenuo=${1:-$here/build/release/apps/tenuo/tenuo}
runs=${2:-200}
[[ -x $tenuo ]] || { echo "process_bench: no tenuo binary at $tenuo (build it first)" >&2; exit 2; }
command -v minisign >/dev/null || { echo "process_bench: minisign missing (scripts/deps.sh --bench)" >&2; exit 2; }
tenuo=$(cd "$(dirname "$tenuo")" && pwd)/$(basename "$tenuo")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export TENUO_NOW=1800000000

# Keys and warrants: root -> a -> b -> c (depth-3 leaf held by c), and a lone warrant held by a.
for k in root a b c; do "$tenuo" keygen "$k" --out-dir . >/dev/null; done
args='{"path":"/data/reports/q3.txt"}'
"$tenuo" mint --key root.key --holder a.pub --tool read_file -c path=subpath:/data --ttl 1h > one.tenuo
"$tenuo" grant @one.tenuo --key a.key --holder b.pub --tool read_file -c path=subpath:/data/reports --ttl 30m > d1.tenuo
"$tenuo" grant @d1.tenuo --key b.key --holder c.pub --tool read_file -c path=subpath:/data/reports --ttl 20m > d2.tenuo
"$tenuo" grant @d2.tenuo --key c.key --holder c.pub --tool read_file -c path=subpath:/data/reports --ttl 10m > d3.tenuo
"$tenuo" sign --warrant @one.tenuo --key a.key --tool read_file --args "$args" > one.pop
"$tenuo" sign --warrant @d3.tenuo --key c.key --tool read_file --args "$args" > d3.pop

# The floor: a process that does nothing.
if printf 'int main(void){return 0;}\n' | cc -O2 -static -x c - -o true_static 2>/dev/null; then
  trivial=./true_static
else
  trivial=/bin/true
fi

# minisign: one signature over a file of warrant size.
head -c 400 /dev/urandom > msg.bin
minisign -G -W -p ms.pub -s ms.key >/dev/null 2>&1
minisign -S -s ms.key -m msg.bin >/dev/null 2>&1

# Each command must succeed before it is timed.
v1=("$tenuo" verify --warrant @one.tenuo --trusted-root root.pub --tool read_file --args "$args" --signature @one.pop)
v3=("$tenuo" verify --warrant @d3.tenuo --trusted-root root.pub --tool read_file --args "$args" --signature @d3.pop)
ms=(minisign -V -q -p ms.pub -m msg.bin)
"${v1[@]}" >/dev/null || { echo "process_bench: tenuo verify (one warrant) denied" >&2; exit 1; }
"${v3[@]}" >/dev/null || { echo "process_bench: tenuo verify (depth-3 chain) denied" >&2; exit 1; }
"${ms[@]}" >/dev/null || { echo "process_bench: minisign -V failed" >&2; exit 1; }

/usr/bin/python3 - "$runs" "$trivial" "$(printf '%s\x1f' "${v1[@]}")" "$(printf '%s\x1f' "${v3[@]}")" \
  "$(printf '%s\x1f' "${ms[@]}")" <<'EOF'
import os, statistics, subprocess, sys, time
runs, trivial = int(sys.argv[1]), sys.argv[2]
cmds = {
    "trivial static binary": [trivial],
    "minisign -V (one signature)": sys.argv[5].split("\x1f")[:-1],
    "tenuo verify: warrant + PoP": sys.argv[3].split("\x1f")[:-1],
    "tenuo verify: depth-3 chain + PoP": sys.argv[4].split("\x1f")[:-1],
}
cpu = {k: [] for k in cmds}
wall = {k: [] for k in cmds}
devnull = open(os.devnull, "wb")
for _ in range(runs):  # interleaved: every round runs each command once
    for name, argv in cmds.items():
        t0 = time.perf_counter_ns()
        p = subprocess.Popen(argv, stdout=devnull, stderr=devnull)
        _, status, ru = os.wait4(p.pid, 0)
        wall[name].append((time.perf_counter_ns() - t0) / 1e3)
        cpu[name].append((ru.ru_utime + ru.ru_stime) * 1e6)
        p.returncode = 0
        if status != 0:
            sys.exit(f"process_bench: {name} exited with status {status}")
def q(v, i): return statistics.quantiles(v, n=4)[i]
mc = {k: statistics.median(v) for k, v in cpu.items()}
mw = {k: statistics.median(v) for k, v in wall.items()}
print(f"{runs} interleaved runs of each command. CPU = user + system time of the process (its")
print("cost, unaffected by waiting for a core); wall = spawn to exit (includes waiting).\n")
print("| command | CPU p25 µs | CPU median µs | CPU ratio to minisign -V | wall median µs | wall ratio to minisign -V |")
print("|---|---:|---:|---:|---:|---:|")
cm, wm = mc["minisign -V (one signature)"], mw["minisign -V (one signature)"]
for k in cmds:
    cr = mc[k] / cm if cm > 0 else float("nan")
    print(f"| {k} | {q(cpu[k], 0):.0f} | {mc[k]:.0f} | {cr:.2f} | {mw[k]:.0f} | {mw[k] / wm:.2f} |")
EOF
