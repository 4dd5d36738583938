#!/usr/bin/env bash
# The agent's steady footprint against its goal (<= 0.1 % of one core and <= 40 MiB RSS at a 10 s
# interval): with every default collector (system, cgroup, memory, syscallio) and with each of them
# alone, run as `gleaner agent` runs for a user or under systemd (bin/gleaner, whose launcher gives
# the agent its footprint-sized JVM flags), as root (syscallio needs it), printing to a file.
# Every agent runs WARMUP_SECONDS first (past the JIT's warm-up: the per-cycle code is compiled
# within the first minutes), then DURATION seconds are measured from /proc/PID/stat (CPU) and
# /proc/PID/status (VmRSS, once a second). The agents run side by side, each measured by its own
# CPU time, so the benchmark takes WARMUP_SECONDS + DURATION in all; on a busy machine they slow
# each other down a little. Prints, per agent: CPU per cycle, share of one core, RSS (last and
# highest), the ratios against the goal, and each collector's share of the cycle from the agent's
# own gleaner.collector.NAME.duration_ms (wall-clock time of each run, averaged over the cycles).
#   bench/agent-footprint.sh [DURATION_SECONDS [INTERVAL]]        defaults: 240 10s
# WARMUP_SECONDS (default 60); AGENT_OPTIONS are added to every agent's command line (e.g.
# "--config F" with collectors.memory.interval: 60s).
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"
duration=${1:-240}
interval=${2:-10s}
warmup=${WARMUP_SECONDS:-60}
bench_number DURATION_SECONDS "$duration" 10 86400
bench_number WARMUP_SECONDS "$warmup" 0 86400
bench_need_jar
[ "$(id -u)" -eq 0 ] || bench_fail 1 "run as root: the syscallio and memory collectors read every process"
interval_ms=$(awk -v i="$interval" 'BEGIN { n = i + 0; if (i ~ /ms$/) print n; else if (i ~ /m$/) print n * 60000; else if (i ~ /s$/) print n * 1000; else print -1 }')
[ "$interval_ms" -gt 0 ] || bench_fail 2 "INTERVAL is a duration such as 10s, 1s or 500ms"

bench_scratch /tmp/gleaner-footprint.XXXXXX
runs=(system,cgroup,memory,syscallio system cgroup memory syscallio)
declare -A pid_of
for run in "${runs[@]}"; do
    # shellcheck disable=SC2086 # AGENT_OPTIONS is a list of options
    "$bench_home/bin/gleaner" agent --stdout -i "$interval" --collectors "$run" ${AGENT_OPTIONS:-} \
        > "$work/$run.out" 2> "$work/$run.err" &
    pid_of[$run]=$!
    bench_track $!
done

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }     # utime + stime (proc_pid_stat(5))
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
alive() { for run in "${runs[@]}"; do kill -0 "${pid_of[$run]}" 2>/dev/null || bench_fail 1 "the agent for $run exited: $(head -c 500 "$work/$run.err")"; done; }

sleep "$warmup"
alive
declare -A start_ticks max_rss
for run in "${runs[@]}"; do start_ticks[$run]=$(cpu_ticks "${pid_of[$run]}"); max_rss[$run]=0; done
start_s=$(date +%s)
start_ns=$(date +%s%N)
for ((s = 0; s < duration; s++)); do
    sleep 1
    for run in "${runs[@]}"; do
        rss=$(rss_kib "${pid_of[$run]}")
        (( rss > max_rss[$run] )) && max_rss[$run]=$rss
    done
done
alive
end_ns=$(date +%s%N)
clk_tck=$(getconf CLK_TCK)
echo "gleaner agent footprint: interval $interval, $duration s measured after $warmup s of warm-up, agents side by side"
echo "JVM flags: the launcher's agent flags (bin/launcher.sh)${GLEANER_JAVA_OPTS:+ plus GLEANER_JAVA_OPTS=$GLEANER_JAVA_OPTS}${AGENT_OPTIONS:+; agent options: $AGENT_OPTIONS}"
echo "goal: <= 0.1 % of one core and <= 40 MiB RSS at a 10 s interval"
for run in "${runs[@]}"; do
    pid=${pid_of[$run]}
    ticks=$(( $(cpu_ticks "$pid") - start_ticks[$run] ))
    rss=$(rss_kib "$pid")
    # each collector's mean duration_ms over the datapoints stamped inside the measured window
    shares=$(awk -v from="$start_s" '$1 ~ /\.gleaner\.collector\.[^.]+\.duration_ms$/ && $3 >= from {
            n = split($1, part, "."); name = part[n - 1]; sum[name] += $2; count[name]++ }
        END { for (name in sum) total += sum[name] / count[name]
              for (name in sum) printf "%s %.1f ms (%.0f %%)  ", name, sum[name] / count[name], total ? 100 * sum[name] / count[name] / total : 0 }' "$work/$run.out")
    awk -v run="$run" -v ticks="$ticks" -v hz="$clk_tck" -v ns=$((end_ns - start_ns)) -v ims="$interval_ms" \
        -v rss="$rss" -v max="${max_rss[$run]}" -v shares="$shares" 'BEGIN {
        wall = ns / 1e9; cpu = ticks / hz; cycles = wall * 1000 / ims; per_cycle = cpu * 1000 / cycles
        at10 = per_cycle / 10000 * 100   # the same cost per cycle at a 10 s interval, % of one core
        printf "\n%s\n", run
        printf "  CPU: %.2f s in %.0f cycles = %.1f ms per cycle; %.3f %% of one core at this interval, %.3f %% at 10 s (goal ratio %.2f)\n", cpu, cycles, per_cycle, cpu / wall * 100, at10, at10 / 0.1
        printf "  RSS: %.1f MiB at the end, %.1f MiB at most (goal ratio %.2f)\n", rss / 1024, max / 1024, max / 1024 / 40
        printf "  share of the cycle (duration_ms, wall clock): %s\n", shares
    }'
done
