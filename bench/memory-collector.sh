#!/usr/bin/env bash
# Benchmark: CPU time (user + system) of one cycle of the agent's memory collector, rollup and
# smaps, alone and with the system collector, on a machine with N extra sleeping processes
# (default 300), against the kernel floors (cat of every smaps_rollup / smaps) and smem -t, all in
# one run. A cycle's cost is the agent's CPU time for 1+K cycles minus that for 1 cycle, over K:
# the JVM's start is left out. Prints medians and ratios; target: system + memory (rollup) <= 100 ms.
# Usage: bench/memory-collector.sh [PROCESSES] [RUNS]   (as root, to read every process; needs smem)
set -euo pipefail

processes=${1:-300}
runs=${2:-3}
extra_cycles=5
if ! [[ $processes =~ ^[0-9]+$ ]] || [ "$processes" -gt 5000 ]; then
    echo "memory-collector.sh: PROCESSES must be a number up to 5000" >&2
    exit 2
fi
if ! [[ $runs =~ ^[0-9]+$ ]] || [ "$runs" -lt 1 ] || [ "$runs" -gt 20 ]; then
    echo "memory-collector.sh: RUNS must be a number from 1 to 20" >&2
    exit 2
fi
for tool in smem python3 /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "memory-collector.sh: $tool is missing (scripts/install-test-deps)" >&2; exit 1; }
done
home=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
[ -r "$home/agent/target/gleaner.jar" ] || { echo "memory-collector.sh: build first: mvn -B package -DskipTests" >&2; exit 1; }

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
echo "spawned $processes sleep processes; $(ls -d /proc/[0-9]* | wc -l) pids in /proc; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"

# a 2 s interval and generous budgets: every cycle must read every process to be comparable
for source in rollup smaps; do
    printf 'prefix: b\ncollectors:\n  memory: {source: %s, timeout: 1900ms, cycle_budget: 1800ms}\n  system: {timeout: 1900ms}\n' \
        "$source" >"$work/$source.yaml"
done

# cpu_seconds NAME COMMAND...: appends "NAME user+system" to $work/cpu
cpu_seconds() {
    local name=$1
    shift
    /usr/bin/time -f '%U %S' -o "$work/time" "$@" >"$work/stdout" 2>"$work/stderr" || true
    echo "$name $(awk '{print $1 + $2}' "$work/time" | tail -1)" >>"$work/cpu"
}

agent() {
    local name=$1 config=$2 collectors=$3 cycles=$4
    cpu_seconds "$name/$cycles" "$home/bin/gleaner" agent --stdout --cycles "$cycles" -i 2s --collectors "$collectors" \
        --config "$work/$config.yaml"
    if [ "$cycles" -gt 1 ]; then
        grep -E '^b\.memory\.(scan\.over_budget|total\.processes) |^b\.gleaner\.collector\.[a-z]+\.(overruns|duration_ms) ' \
            "$work/stdout" | sed "s/^/$name: /" >>"$work/agent-metrics" || true
    fi
}

for run in $(seq "$runs"); do
    echo "run $run of $runs..."
    for cycles in 1 $((1 + extra_cycles)); do
        agent "memory rollup" rollup memory "$cycles"
        agent "memory smaps" smaps memory "$cycles"
        agent "system + memory rollup" rollup system,memory "$cycles"
        agent "system" rollup system "$cycles"
    done
    cpu_seconds "cat smaps_rollup" sh -c 'cat /proc/[0-9]*/smaps_rollup >/dev/null 2>&1'
    cpu_seconds "cat smaps" sh -c 'cat /proc/[0-9]*/smaps >/dev/null 2>&1'
    cpu_seconds "smem -t" smem -t
done

python3 - "$work/cpu" "$work/agent-metrics" "$extra_cycles" <<'PY'
import collections, statistics, sys
cpu = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, seconds = line.rsplit(" ", 1)
    cpu[name].append(float(seconds))
extra = int(sys.argv[3])
metrics = collections.defaultdict(list)
for line in open(sys.argv[2]):
    name, rest = line.split(": ", 1)
    path, value, _ = rest.split(" ")
    metrics[(name, path.split(".", 1)[1])].append(float(value))

per_cycle = {}
for name in ["memory rollup", "memory smaps", "system + memory rollup", "system"]:
    runs = [(many - one) / extra for one, many in zip(cpu[name + "/1"], cpu[name + f"/{1 + extra}"])]
    per_cycle[name] = statistics.median(runs)
    read = metrics.get((name, "memory.total.processes"), [0])
    over = metrics.get((name, "memory.scan.over_budget"), [0])
    each = f", {per_cycle[name] * 1e6 / statistics.median(read):.0f} us per process" if max(read) else ""
    print(f"{name:24s} {per_cycle[name] * 1000:7.1f} ms CPU per cycle (median of {len(runs)}{each});"
          f" start-up + 1 cycle {statistics.median(cpu[name + '/1']) * 1000:.0f} ms;"
          f" processes read {min(read):.0f}..{max(read):.0f}, over budget max {max(over):.0f}")
for name in ["cat smaps_rollup", "cat smaps", "smem -t"]:
    per_cycle[name] = statistics.median(cpu[name])
    print(f"{name:24s} {per_cycle[name] * 1000:7.1f} ms CPU (median of {len(cpu[name])})")
print()
def ratio(a, b, target=None):
    value = per_cycle[a] / per_cycle[b] if per_cycle[b] else float("inf")
    print(f"{a + ' / ' + b:44s} {value:6.2f}")
ratio("memory rollup", "cat smaps_rollup")
ratio("memory smaps", "cat smaps")
ratio("memory smaps", "smem -t")
ratio("memory smaps", "memory rollup")
total = per_cycle["system + memory rollup"] * 1000
print(f"system + memory rollup per cycle: {total:.1f} ms CPU  "
      + ("ok (target <= 100 ms)" if total <= 100 else "MISSED (target <= 100 ms)"))
PY
