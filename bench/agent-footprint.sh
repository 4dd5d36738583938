#!/usr/bin/env bash
# The agent's steady footprint against its goal (<= 0.1 % of one core and <= 40 MiB RSS at a 10 s
# interval): with every default collector (system, cgroup, memory, syscallio) and with each of them
# alone, run as `gleaner agent` runs for a user or under systemd (bin/gleaner, whose launcher gives
# the agent its footprint-sized JVM flags), as root (syscallio needs it), printing to a file.
# Every agent runs WARMUP_SECONDS first (past the JIT's warm-up: the code that runs many times a
# cycle is compiled within the first two minutes; code that runs once a cycle reaches C1's
# thresholds over tens of minutes, 2-3 ms of compiling per cycle at minutes 2-8 and 2.4 ms at
# minute 20, see docs/agent.md), then DURATION seconds are measured from /proc/PID/stat (CPU) and
# /proc/PID/status (VmRSS, once a second). The agents run one after another, so the benchmark
# takes five times WARMUP_SECONDS + DURATION: side by side (TOGETHER=1, one fifth of the time) every
# agent's syscallio collector also reads the threads of the other agents, whose counters move at
# every cycle as they print, and accounts for their readings. RUNS lists the agents to run
# (comma-separated collectors, blank-separated agents). Prints, per agent: CPU per cycle, share of one core, RSS (last and
# highest), the ratios against the goal, and each collector's share of the cycle from the agent's
# own gleaner.collector.NAME.duration_ms (wall-clock time of each run, averaged over the cycles,
# and for a collector on an interval of its own, as memory is by default, spread over the cycles
# between its runs; read from the printed datapoints, so with MODE stdout only).
# MODE stdout prints to a file; MODE carbon delivers through the spool (a temp dir per agent) to a
# local TCP sink that discards what it receives (the whole pipeline, without carbon's own cost).
#   bench/agent-footprint.sh [DURATION_SECONDS [INTERVAL [MODE]]]        defaults: 240 10s stdout
# WARMUP_SECONDS (default 120); RUNS (default "system,cgroup,memory,syscallio system cgroup memory
# syscallio"); TOGETHER=1; AGENT_CONFIG is YAML added to every agent's config file, e.g.
#   AGENT_CONFIG='collectors: {memory: {interval: 60s}}' bench/agent-footprint.sh
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"
duration=${1:-240}
interval=${2:-10s}
mode=${3:-stdout}
warmup=${WARMUP_SECONDS:-120}
bench_number DURATION_SECONDS "$duration" 10 86400
bench_number WARMUP_SECONDS "$warmup" 0 86400
bench_need_jar
[ "$(id -u)" -eq 0 ] || bench_fail 1 "run as root: the syscallio and memory collectors read every process"
interval_ms=$(awk -v i="$interval" 'BEGIN { n = i + 0; if (i ~ /ms$/) print n; else if (i ~ /m$/) print n * 60000; else if (i ~ /s$/) print n * 1000; else print -1 }')
[ "$interval_ms" -gt 0 ] || bench_fail 2 "INTERVAL is a duration such as 10s, 1s or 500ms"

bench_scratch /tmp/gleaner-footprint.XXXXXX
case "$mode" in
    stdout) ;;
    carbon)
        python3 -c '
import socket, threading
server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen(8)
print(server.getsockname()[1], flush=True)
def drain(connection):
    while connection.recv(65536):
        pass
while True:
    threading.Thread(target=drain, args=(server.accept()[0],), daemon=True).start()
' > "$work/port" &
        bench_track $!
        for i in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
        [ -s "$work/port" ] || bench_fail 1 "the TCP sink did not start" ;;
    *) bench_fail 2 "MODE is stdout or carbon" ;;
esac
read -ra all_runs <<<"${RUNS:-system,cgroup,memory,syscallio system cgroup memory syscallio}"
[ ${#all_runs[@]} -gt 0 ] || bench_fail 2 "RUNS names no agent"
together=${TOGETHER:-0}
declare -A pid_of start_ticks max_rss

start_agents() { # RUN...: starts an agent for each
    local run destination
    for run in "$@"; do
        printf '%s\n' "${AGENT_CONFIG:-}" > "$work/$run.yaml"
        destination=(--stdout)
        if [ "$mode" = carbon ]; then
            printf 'spool: {dir: %s}\n' "$work/$run.spool" >> "$work/$run.yaml"
            destination=(-t "127.0.0.1:$(cat "$work/port")")
        fi
        "$bench_home/bin/gleaner" agent "${destination[@]}" --config "$work/$run.yaml" -i "$interval" --collectors "$run" \
            > "$work/$run.out" 2> "$work/$run.err" &
        pid_of[$run]=$!
        bench_track $!
    done
}

stop_agents() { # RUN...
    local run
    for run in "$@"; do kill "${pid_of[$run]}" 2>/dev/null || true; done
    for run in "$@"; do wait "${pid_of[$run]}" 2>/dev/null || true; done
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }     # utime + stime (proc_pid_stat(5))
# The once-a-second readings use bash builtins only: a forked sleep, awk or $(...) is a task exit,
# which every agent's syscallio collector accounts for (about ten a second, inflating what is measured).
read_rss_kib() { # PID: sets rss from VmRSS
    local key value unit
    rss=0
    while read -r key value unit; do
        if [ "$key" = VmRSS: ]; then rss=$value; return; fi
    done < "/proc/$1/status"
}
exec {pause}<> <(:)
alive() { # RUN...
    local run
    for run in "$@"; do kill -0 "${pid_of[$run]}" 2>/dev/null || bench_fail 1 "the agent for $run exited: $(head -c 500 "$work/$run.err")"; done
}

measure() { # RUN...: warms the running agents up, then measures them; sets start_s, start_ns, end_ns
    local run s
    sleep "$warmup"
    alive "$@"
    for run in "$@"; do start_ticks[$run]=$(cpu_ticks "${pid_of[$run]}"); max_rss[$run]=0; done
    start_s=$(date +%s)
    start_ns=$(date +%s%N)
    for ((s = 0; s < duration; s++)); do
        read -rt 1 -u "$pause" || true
        for run in "$@"; do
            read_rss_kib "${pid_of[$run]}"
            if (( rss > max_rss[$run] )); then max_rss[$run]=$rss; fi
        done
    done
    alive "$@"
    end_ns=$(date +%s%N)
}

clk_tck=$(getconf CLK_TCK)
report() { # RUN...
    local run pid ticks own shares
    for run in "$@"; do
        pid=${pid_of[$run]}
        ticks=$(( $(cpu_ticks "$pid") - start_ticks[$run] ))
        read_rss_kib "$pid"
        # each collector's mean duration_ms over the datapoints stamped inside the measured window
        # duration_ms is a gauge sent every cycle with the collector's last run: a collector on an
        # interval of its own (the start line names it: "memory (every 60000ms)") runs in a share of
        # the cycles only, so its mean duration is weighted by that share
        own=$(head -n 1 "$work/$run.err" | { grep -o '[a-z_]* (every [0-9]*ms)' || true; } | tr -d '()' | awk '{ printf "%s=%d ", $1, $3 }')
        shares=$(awk -v from="$start_s" -v own="$own" -v ims="$interval_ms" 'BEGIN {
                n = split(own, pairs, " "); for (i = 1; i <= n; i++) { split(pairs[i], kv, "="); every[kv[1]] = kv[2] } }
            $1 ~ /\.gleaner\.collector\.[^.]+\.duration_ms$/ && $3 >= from {
                n = split($1, part, "."); name = part[n - 1]; sum[name] += $2; count[name]++ }
            END { for (name in sum) { mean[name] = sum[name] / count[name] * (name in every ? ims / every[name] : 1); total += mean[name] }
                  for (name in sum) printf "%s %.1f ms%s (%.0f %%)  ", name, mean[name], name in every ? " (every " every[name] / 1000 " s)" : "", total ? 100 * mean[name] / total : 0 }' "$work/$run.out")
        awk -v run="$run" -v ticks="$ticks" -v hz="$clk_tck" -v ns=$((end_ns - start_ns)) -v ims="$interval_ms" \
            -v rss="$rss" -v max="${max_rss[$run]}" -v shares="$shares" 'BEGIN {
            wall = ns / 1e9; cpu = ticks / hz; cycles = wall * 1000 / ims; per_cycle = cpu * 1000 / cycles
            at10 = per_cycle / 10000 * 100   # the same cost per cycle at a 10 s interval, % of one core
            printf "\n%s\n", run
            printf "  CPU: %.2f s in %.0f cycles = %.1f ms per cycle; %.3f %% of one core at this interval, %.3f %% at 10 s (goal ratio %.2f)\n", cpu, cycles, per_cycle, cpu / wall * 100, at10, at10 / 0.1
            printf "  RSS: %.1f MiB at the end, %.1f MiB at most (goal ratio %.2f)\n", rss / 1024, max / 1024, max / 1024 / 40
            printf "  share of the cycle (duration_ms, wall clock): %s\n", shares == "" ? "only with MODE stdout" : shares
        }'
    done
}

echo "gleaner agent footprint: interval $interval, to $mode, $duration s measured after $warmup s of warm-up, agents $([ "$together" = 1 ] && echo "side by side" || echo "one after another")"
echo "JVM flags: the launcher's agent flags (bin/launcher.sh)${GLEANER_JAVA_OPTS:+ plus GLEANER_JAVA_OPTS=$GLEANER_JAVA_OPTS}${AGENT_CONFIG:+; config: $AGENT_CONFIG}"
echo "goal: <= 0.1 % of one core and <= 40 MiB RSS at a 10 s interval"
if [ "$together" = 1 ]; then
    start_agents "${all_runs[@]}"
    measure "${all_runs[@]}"
    report "${all_runs[@]}"
    stop_agents "${all_runs[@]}"
else
    for run in "${all_runs[@]}"; do
        start_agents "$run"
        measure "$run"
        report "$run"
        stop_agents "$run"
    done
fi
