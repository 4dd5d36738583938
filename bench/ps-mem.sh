#!/usr/bin/env bash
# Benchmark: bin/ps-mem against smem -t and pixelb's ps_mem -S (or, when that is not installed, the
# kernel floor of reading every smaps_rollup), on a machine with N extra small processes (default
# 1000), all timed in one hyperfine run. Prints median wall times and the ratios:
#   ps-mem (full smaps, tree)  / smem -t            target <= 0.25
#   ps-mem --summary (rollup)  / ps_mem -S          target <= 1.0
# and both against the kernel floors (cat /proc/*/smaps, cat /proc/*/smaps_rollup).
# Usage: bench/ps-mem.sh [PROCESSES] [RUNS]   (run as root to read every process; needs hyperfine, smem)
set -euo pipefail

processes=${1:-1000}
runs=${2:-10}
if ! [[ $processes =~ ^[0-9]+$ ]] || [ "$processes" -gt 5000 ]; then
    echo "ps-mem.sh: PROCESSES must be a number up to 5000" >&2
    exit 2
fi
if ! [[ $runs =~ ^[0-9]+$ ]] || [ "$runs" -lt 1 ] || [ "$runs" -gt 100 ]; then
    echo "ps-mem.sh: RUNS must be a number from 1 to 100" >&2
    exit 2
fi
for tool in hyperfine smem python3; do
    command -v "$tool" >/dev/null || { echo "ps-mem.sh: $tool is missing (scripts/install-test-deps)" >&2; exit 1; }
done
home=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
[ -r "$home/agent/target/gleaner.jar" ] || { echo "ps-mem.sh: build first: mvn -B package -DskipTests" >&2; exit 1; }

work=$(mktemp -d)
spawned=()
cleanup() {
    [ ${#spawned[@]} -gt 0 ] && kill "${spawned[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

for _ in $(seq "$processes"); do
    sleep 3600 &
    spawned+=($!)
done
echo "spawned $processes sleep processes; $(ls -d /proc/[0-9]* | wc -l) pids in /proc; $(nproc) CPUs"

commands=(
    -n "ps-mem" "$home/bin/ps-mem"
    -n "ps-mem --summary" "$home/bin/ps-mem --summary"
    -n "smem -t" "smem -t"
    -n "cat smaps" "cat /proc/[0-9]*/smaps"
    -n "cat smaps_rollup" "cat /proc/[0-9]*/smaps_rollup"
)
have_ps_mem=0
if command -v ps_mem >/dev/null; then
    have_ps_mem=1
    commands+=(-n "ps_mem -S" "ps_mem -S")
else
    echo "ps_mem (pixelb's ps_mem.py) is not installed: comparing ps-mem --summary with the smaps_rollup floor instead"
fi

# -i: cat exits non-zero on processes that vanish or may not be read; that is part of the work
hyperfine -i --warmup 1 --runs "$runs" --style basic --export-json "$work/times.json" --output=null \
    "${commands[@]}" >"$work/hyperfine.log" 2>&1 || { cat "$work/hyperfine.log" >&2; exit 1; }

python3 - "$work/times.json" "$have_ps_mem" <<'PY'
import json, statistics, sys
results = {r["command"]: statistics.median(r["times"]) for r in json.load(open(sys.argv[1]))["results"]}
for name, median in results.items():
    print(f"{name:20s} {median * 1000:8.1f} ms (median)")
def ratio(a, b, target=None):
    value = results[a] / results[b]
    verdict = "" if target is None else ("  ok (target <= %.2f)" % target if value <= target else "  MISSED (target <= %.2f)" % target)
    print(f"{a + ' / ' + b:42s} {value:6.2f}{verdict}")
print()
ratio("ps-mem", "smem -t", 0.25)
if sys.argv[2] == "1":
    ratio("ps-mem --summary", "ps_mem -S", 1.0)
else:
    ratio("ps-mem --summary", "cat smaps_rollup")
ratio("ps-mem", "cat smaps")
PY
