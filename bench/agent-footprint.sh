#!/usr/bin/env bash
# The agent's steady footprint with the host collector: resident memory (VmRSS) and CPU time per
# cycle, with the JVM flags of systemd/gleaner.service. Runs the real agent for DURATION seconds
# after a warm-up, reads /proc/PID/status and /proc/PID/stat, prints figures. MODE stdout prints
# to /dev/null; MODE carbon delivers through the spool (in a temp dir) to a local TCP sink that
# discards what it receives (the whole pipeline, without carbon's own cost).
#   bench/agent-footprint.sh [DURATION_SECONDS [INTERVAL [MODE]]]     defaults: 120 10s stdout
# Targets: <= 64 MiB RSS and <= 0.5 % of one core at a 10 s interval.
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"
cd "$(dirname "$(readlink -f "$0")")/.."
duration=${1:-120}
interval=${2:-10s}
mode=${3:-stdout}
warmup=${WARMUP_SECONDS:-15}

[ -r agent/target/gleaner.jar ] || { echo "build first: mvn -B package -DskipTests" >&2; exit 1; }
java_opts=$(sed -n 's/^Environment="GLEANER_JAVA_OPTS=\(.*\)"$/\1/p' systemd/gleaner.service)
[ -n "$java_opts" ] || { echo "no GLEANER_JAVA_OPTS in systemd/gleaner.service" >&2; exit 1; }

bench_scratch /tmp/gleaner-footprint.XXXXXX
case "$mode" in
    stdout) destination=(--stdout) ;;
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
        printf 'spool: {dir: %s/spool}\n' "$work" > "$work/gleaner.yaml"
        destination=(--config "$work/gleaner.yaml" -t "127.0.0.1:$(cat "$work/port")") ;;
    *) echo "MODE is stdout or carbon" >&2; exit 2 ;;
esac

GLEANER_JAVA_OPTS="$java_opts" bin/gleaner agent "${destination[@]}" --collectors system -i "$interval" >/dev/null 2>&1 &
pid=$!
bench_track "$pid"

clk_tck=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }     # utime + stime (proc_pid_stat(5))
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
interval_ms=$(awk -v i="$interval" 'BEGIN { n = i + 0; if (i ~ /ms$/) print n; else if (i ~ /m$/) print n * 60000; else print n * 1000 }')

sleep "$warmup"
start_ticks=$(cpu_ticks)
start_ns=$(date +%s%N)
max_rss=0
for ((s = 0; s < duration; s++)); do
    sleep 1
    rss=$(rss_kib)
    (( rss > max_rss )) && max_rss=$rss
done
end_ticks=$(cpu_ticks)
end_ns=$(date +%s%N)
end_rss=$(rss_kib)

awk -v ticks=$((end_ticks - start_ticks)) -v hz="$clk_tck" -v ns=$((end_ns - start_ns)) -v ims="$interval_ms" \
    -v rss="$end_rss" -v max="$max_rss" -v opts="$java_opts" -v interval="$interval" -v mode="$mode" 'BEGIN {
    wall = ns / 1e9; cpu = ticks / hz; cycles = wall * 1000 / ims
    printf "gleaner agent footprint, host collector, to %s, interval %s, %.0f s measured after warm-up\n", mode, interval, wall
    printf "JVM flags: %s\n", opts
    printf "RSS: %.1f MiB at the end, %.1f MiB at most (target <= 64 MiB)\n", rss / 1024, max / 1024
    printf "CPU: %.2f s in %.0f cycles = %.1f ms per cycle; %.3f %% of one core at this interval (target <= 0.5 %% at 10s)\n", cpu, cycles, cpu * 1000 / cycles, cpu / wall * 100
    printf "CPU at a 10 s interval (per-cycle cost / 10 s): %.3f %% of one core\n", (cpu / cycles) / 10 * 100
}'
