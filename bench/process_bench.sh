#!/usr/bin/env bash
# Whole-process cost of `tenuo verify`, next to a trivial static binary (the cost of starting
# any process) and `minisign -V` checking one signature, in the same run, interleaved.
#
#   bash bench/process_bench.sh [TENUO_BINARY] [RUNS]
#
# Default binary: build/release/apps/tenuo/tenuo; default 200 runs of each command. Needs
# minisign (scripts/deps.sh --bench) and /usr/bin/python3 (for the timer). Not a CTest: whole-
# process timings on a shared machine are too noisy to gate on. Reports median and p25 wall
# times, the ratio to minisign -V, and the ratio with the trivial binary's cost taken off both.
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
import statistics, subprocess, sys, time
runs, trivial = int(sys.argv[1]), sys.argv[2]
cmds = {
    "trivial static binary": [trivial],
    "minisign -V (one signature)": sys.argv[5].split("\x1f")[:-1],
    "tenuo verify: warrant + PoP": sys.argv[3].split("\x1f")[:-1],
    "tenuo verify: depth-3 chain + PoP": sys.argv[4].split("\x1f")[:-1],
}
times = {k: [] for k in cmds}
for _ in range(runs):  # interleaved: every round runs each command once
    for name, argv in cmds.items():
        t0 = time.perf_counter_ns()
        rc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
        times[name].append((time.perf_counter_ns() - t0) / 1e3)
        if rc != 0:
            sys.exit(f"process_bench: {name} exited {rc}")
med = {k: statistics.median(v) for k, v in times.items()}
p25 = {k: statistics.quantiles(v, n=4)[0] for k, v in times.items()}
t, m = med["trivial static binary"], med["minisign -V (one signature)"]
print(f"{runs} interleaved runs of each command\n")
print("| command | p25 µs | median µs | ratio to minisign -V | ratio net of process start |")
print("|---|---:|---:|---:|---:|")
for k in cmds:
    net = (med[k] - t) / (m - t) if m > t else float("nan")
    print(f"| {k} | {p25[k]:.0f} | {med[k]:.0f} | {med[k] / m:.2f} | {net:.2f} |")
EOF
