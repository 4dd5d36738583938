#!/usr/bin/env bash
# Benchmark: CPU time (user + system) of one cycle of the agent's memory collector, rollup and
# smaps, alone and with the system collector, on a machine with N extra sleeping processes
# (default 300), against the kernel floors (cat of every smaps_rollup / smaps) and smem -t, all in
# one run. A cycle's cost is the agent's CPU time for 1+K cycles minus that for 1 cycle, over K (so
# the JVM's start-up is left out), also divided by the processes each cycle read, since other
# users' processes come and go. Prints medians, ratios, and the cost of system + memory (rollup)
# projected at N processes; target: <= 100 ms per cycle at 300 processes.
# Usage: bench/memory-collector.sh [PROCESSES] [RUNS]   (as root, to read every process; needs smem, python3)
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"

processes=${1:-300}
runs=${2:-3}
extra_cycles=5
bench_number PROCESSES "$processes" 0 5000
bench_number RUNS "$runs" 1 20
bench_need_tools smem python3
bench_need_jar

bench_scratch
bench_spawn_sleepers "$processes"
echo "spawned $processes sleep processes; $(ls -d /proc/[0-9]* 2>/dev/null | wc -l) pids in /proc; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"

# a 2 s interval and generous budgets: every cycle must read every process to be comparable
for source in rollup smaps; do
    printf 'prefix: b\ncollectors:\n  memory: {source: %s, timeout: 1900ms, cycle_budget: 1800ms}\n  system: {timeout: 1900ms}\n' \
        "$source" >"$work/$source.yaml"
done

# cpu_seconds NAME COMMAND...: appends "NAME user+system seconds" (of COMMAND and what it waited for) to $work/cpu
cpu_seconds() {
    local name=$1
    shift
    python3 -c '
import resource, subprocess, sys
with open(sys.argv[1], "wb") as out, open(sys.argv[2], "wb") as err:
    subprocess.run(sys.argv[3:], stdout=out, stderr=err)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(usage.ru_utime + usage.ru_stime)' "$work/stdout" "$work/stderr" "$@" | sed "s|^|$name |" >>"$work/cpu"
}

agent() {
    local name=$1 config=$2 collectors=$3
    for cycles in 1 $((1 + extra_cycles)); do
        cpu_seconds "$name/$cycles" "$bench_home/bin/gleaner" agent --stdout --cycles "$cycles" -i 2s --collectors "$collectors" \
            --config "$work/$config.yaml"
    done
    awk -v name="$name" '
        $1 == "b.memory.total.processes" { read += $2; cycles++ }
        $1 == "b.memory.scan.over_budget" && $2 > over { over = $2 }
        $1 ~ /^b\.gleaner\.collector\..*\.overruns$/ && $2 > overruns { overruns = $2 }
        END { printf "%s/processes %f\n%s/over_budget %d\n%s/overruns %d\n", name, cycles ? read / cycles : 0,
              name, over, name, overruns }' "$work/stdout" >>"$work/cpu"
}

for run in $(seq "$runs"); do
    echo "run $run of $runs: $(ls -d /proc/[0-9]* 2>/dev/null | wc -l) pids in /proc, load $(cut -d' ' -f1-3 /proc/loadavg)"
    agent "memory rollup" rollup memory
    agent "memory smaps" smaps memory
    agent "system + memory rollup" rollup system,memory
    agent "system" rollup system
    cpu_seconds "cat smaps_rollup" sh -c 'cat /proc/[0-9]*/smaps_rollup >/dev/null 2>&1'
    cpu_seconds "cat smaps" sh -c 'cat /proc/[0-9]*/smaps >/dev/null 2>&1'
    cpu_seconds "smem -t" smem -t
done

python3 - "$work/cpu" "$extra_cycles" "$processes" <<'PY'
import collections, statistics, sys
values = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, value = line.rsplit(" ", 1)
    values[name].append(float(value))
extra, spawned = int(sys.argv[2]), int(sys.argv[3])
ms = {}
per_process = {}
for name in ["memory rollup", "memory smaps", "system + memory rollup", "system"]:
    cycles = [(many - one) / extra for one, many in zip(values[name + "/1"], values[name + f"/{1 + extra}"])]
    read = values[name + "/processes"]
    ms[name] = statistics.median(cycles) * 1000
    line = f"{name:24s} {ms[name]:7.1f} ms CPU per cycle (median of {len(cycles)})"
    if max(read):
        per_process[name] = statistics.median(c * 1e6 / r for c, r in zip(cycles, read))
        line += f", {per_process[name]:5.1f} us per process read ({min(read):.0f}..{max(read):.0f} read per cycle)"
    print(line + f"; over budget max {max(values[name + '/over_budget']):.0f}, overruns max {max(values[name + '/overruns']):.0f}")
for name in ["cat smaps_rollup", "cat smaps", "smem -t"]:
    ms[name] = statistics.median(values[name]) * 1000
    print(f"{name:24s} {ms[name]:7.1f} ms CPU (median of {len(values[name])})")
print()
def ratio(a, b):
    print(f"{a + ' / ' + b:44s} {ms[a] / ms[b] if ms[b] else float('inf'):6.2f}")
ratio("memory rollup", "cat smaps_rollup")
ratio("memory smaps", "cat smaps")
ratio("memory smaps", "smem -t")
ratio("memory smaps", "memory rollup")
# other users' processes come and go on a shared machine: project the cost per process read onto a fixed count
projected = ms["system"] + per_process["memory rollup"] * spawned / 1000
print(f"system + memory rollup at {spawned} processes: {projected:.1f} ms CPU per cycle (projected from the cost per process) "
      + ("ok (target <= 100 ms)" if projected <= 100 else "MISSED (target <= 100 ms)"))
PY
