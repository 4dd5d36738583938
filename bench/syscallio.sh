#!/bin/bash
# Overhead of the syscallio collector's task exit listener, in one run:
# spawns N short-lived processes without and then with `gleaner agent --collectors syscallio`
# running, and prints exits handled per second, the listener thread's CPU per 1000 exits, the
# workload's slowdown, and the collector's per-cycle duration (a full /proc thread scan).
# Needs root (taskstats) and the built jar. Usage: bench/syscallio.sh [N]  (default 20000)
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"
n=${1:-20000}
bench_scratch

spawn() { # N processes, one after the other, from a loop that only forks and waits
    local i=0
    while [ "$i" -lt "$n" ]; do /bin/true; i=$((i + 1)); done
}

now() { date +%s.%N; }
hz=$(getconf CLK_TCK)

thread_ticks() { # utime + stime of the agent's listener thread, in clock ticks
    local task
    for task in /proc/"$agent_pid"/task/*; do
        if [ "$(cat "$task/comm" 2>/dev/null)" = "gleaner-tasksta" ]; then
            awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "$task/stat"
            return
        fi
    done
    echo "no gleaner-taskstats thread in the agent" >&2
    exit 1
}

start=$(now); spawn; base=$(echo "$(now) - $start" | bc)

printf 'counters: raw\n' >"$work/gleaner.yaml"
"$bench_home/bin/gleaner" agent --stdout --config "$work/gleaner.yaml" --collectors syscallio -i 2s >"$work/out" 2>"$work/err" &
agent_pid=$!
bench_track "$agent_pid"
for _ in $(seq 100); do
    grep -q 'syscallio.collector.task_exits' "$work/out" 2>/dev/null && break
    sleep 0.1
done
grep -q 'syscallio.collector.task_exits' "$work/out" || { echo "the agent did not start:"; cat "$work/err"; exit 1; }

last() { grep "syscallio.collector.$1 " "$work/out" | tail -1 | awk '{ print $2 }'; }
sleep 2.1 # a cycle with a settled counter
idle_before=$(thread_ticks); sleep 5; idle_after=$(thread_ticks) # the machine's own exits go on meanwhile
ticks_before=$(thread_ticks); exits_before=$(last task_exits); rounded_before=$(last exits_rounded)
start=$(now); spawn; with=$(echo "$(now) - $start" | bc)
sleep 0.5 # let the listener drain what is queued
ticks_after=$(thread_ticks)
sleep 4.2 # two more cycles, for the counters and the scan duration
exits=$(( $(last task_exits) - exits_before ))
rounded=$(( $(last exits_rounded) - rounded_before ))

listener_ms=$(echo "($ticks_after - $ticks_before) * 1000 / $hz" | bc)
echo "spawned $n processes: ${base}s without the agent, ${with}s with it (ratio $(echo "scale=3; $with / $base" | bc))"
echo "exits applied (all tasks on the host, threads included): $exits, $(echo "$exits / $with" | bc)/s; of them rounded: $rounded"
echo "listener thread CPU: ${listener_ms} ms = $(echo "scale=1; $listener_ms * 1000 / $exits" | bc) us per exit"
echo "listener CPU over 5 s before the run (the host's own exits only): $(( (idle_after - idle_before) * 1000 / hz )) ms"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "threads on the host: $(ls -d /proc/[0-9]*/task/[0-9]* 2>/dev/null | wc -l)"
echo "collect() durations (ms, one per cycle, includes the /proc scan): $(grep 'collector.syscallio.duration_ms' "$work/out" | awk '{ printf "%s ", $2 }')"
