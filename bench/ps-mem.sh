#!/usr/bin/env bash
# Benchmark: bin/ps-mem against smem -t and pixelb's ps_mem.py -S, on a machine with N extra small
# processes (default 1000), all timed in one run (interleaved rounds, medians). Prints median wall
# and CPU times and the ratios:
#   ps-mem (full smaps, tree)  / smem -t            target <= 0.5 (<= 1.0 with fewer than 500 extra)
#   ps-mem (full smaps, tree)  / ps_mem.py -S       target <= 0.5 (with 500 or more extra)
#   ps-mem --summary (rollup)  / ps_mem.py -S       the like-for-like figure (both read smaps_rollup)
# and both against the kernel floors (cat /proc/*/smaps, cat /proc/*/smaps_rollup). `bench/ps-mem.sh 0`
# is the quiet-host case (this machine's own ~100 processes).
# ps_mem.py is not packaged in Debian 12: PS_MEM_PY names it (default ../shared/tools/ps_mem.py beside
# the checkout, else `ps_mem` on the PATH; without either the rollup floor stands in for it).
# Usage: bench/ps-mem.sh [PROCESSES] [RUNS]   (run as root to read every process; needs smem, python3)
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"

processes=${1:-1000}
runs=${2:-10}
bench_number PROCESSES "$processes" 0 5000
bench_number RUNS "$runs" 1 100
bench_need_tools smem python3 /usr/bin/time
bench_need_jar

bench_scratch
bench_spawn_sleepers "$processes"
echo "spawned $processes sleep processes; $(ls -d /proc/[0-9]* 2>/dev/null | wc -l) pids in /proc; $(nproc) CPUs"

names=("ps-mem" "ps-mem --summary" "smem -t" "cat smaps" "cat smaps_rollup")
commands=(
    "$bench_home/bin/ps-mem"
    "$bench_home/bin/ps-mem --summary"
    "smem -t"
    "cat /proc/[0-9]*/smaps"
    "cat /proc/[0-9]*/smaps_rollup"
)
have_ps_mem=0
ps_mem_py=${PS_MEM_PY:-$bench_home/../shared/tools/ps_mem.py}
if [ -r "$ps_mem_py" ]; then
    have_ps_mem=1
    names+=("ps_mem -S")
    commands+=("python3 $ps_mem_py -S")
elif command -v ps_mem >/dev/null; then
    have_ps_mem=1
    names+=("ps_mem -S")
    commands+=("ps_mem -S")
else
    echo "ps_mem (pixelb's ps_mem.py) is not installed: comparing ps-mem --summary with the smaps_rollup floor instead"
fi

# (cat exits non-zero on processes that vanish or may not be read; that is part of the work.)
"$bench_home/bin/ps-mem" --summary >/dev/null 2>&1 || true   # without the build's archive, the first run dumps one
bench_interleaved "$runs"

python3 - "$work/times.tsv" "$have_ps_mem" "$runs" "$processes" <<'PY'
import collections, statistics, sys
wall, cpu = collections.defaultdict(list), collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, figures = line.rstrip("\n").split("\t")
    elapsed, user, system = map(float, figures.split()[:3])
    wall[name].append(elapsed)
    cpu[name].append(user + system)
print(f"medians of {sys.argv[3]} interleaved rounds (CPU = user + system, less sensitive to other load):")
for name in wall:
    print(f"  {name:18s} wall {statistics.median(wall[name]) * 1000:7.0f} ms   CPU {statistics.median(cpu[name]) * 1000:7.0f} ms")
def ratio(a, b, target=None):
    for label, table in (("wall", wall), ("CPU", cpu)):
        value = statistics.median(table[a]) / statistics.median(table[b])
        verdict = "" if target is None else ("  ok (target <= %.2f)" % target if value <= target else "  MISSED (target <= %.2f)" % target)
        print(f"{a + ' / ' + b + ' (' + label + ')':48s} {value:6.2f}{verdict}")
print()
many = int(sys.argv[4]) >= 500
ratio("ps-mem", "smem -t", 0.5 if many else 1.0)
if sys.argv[2] == "1":
    ratio("ps-mem", "ps_mem -S", 0.5 if many else None)
    ratio("ps-mem --summary", "ps_mem -S")
else:
    ratio("ps-mem --summary", "cat smaps_rollup")
ratio("ps-mem", "cat smaps")
PY
