#!/usr/bin/env bash
# Benchmarks bin/fatrace against the Debian fatrace (/usr/sbin/fatrace) in one run, on a private
# tmpfs so that only the workload's events are traced. Needs root, gcc, and a built
# agent/target/gleaner.jar.
#
# 1. Sustained rate: a paced writer creates files (open O_CREAT, write, close: 4 events each, which
#    the kernel may merge) at increasing rates for STEP_SECONDS each; a rate is sustained when the
#    tracer printed every file and reported no overflow. Prints the highest sustained rate per tool
#    (as achieved by the writer) and ours/theirs.
# 2. Latency: LATENCY_FILES files are written 10 ms apart; the time from just before close() to the
#    moment the tracer's line for that file can be read from its pipe; p50/p99 per tool, leaving out
#    the first LATENCY_WARMUP files (JIT warm-up).
#
# 3. CPU: user+system time each tracer spent during the highest step both sustained.
#
# Results depend on the machine's load: run it on an idle machine and compare within one run.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."

STEP_SECONDS=${STEP_SECONDS:-2}
RATES=${RATES:-"10000 20000 40000 80000 160000"}
LATENCY_FILES=${LATENCY_FILES:-300}
LATENCY_WARMUP=${LATENCY_WARMUP:-20}
OURS=${OURS:-$PWD/bin/fatrace}
THEIRS=${THEIRS:-/usr/sbin/fatrace}

[ "$(id -u)" -eq 0 ] || { echo "fatrace.sh: needs root" >&2; exit 1; }
[ -x "$THEIRS" ] || { echo "fatrace.sh: $THEIRS is missing (apt-get install fatrace)" >&2; exit 1; }
out=$PWD/bench/out
mkdir -p "$out"
rm -f "$out"/cpu-*

cat > "$out/paced-writer.c" <<'EOF'
/* paced-writer DIR RATE SECONDS: creates RATE files per second in DIR for SECONDS; prints "COUNT ACHIEVED_RATE" */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
    double rate = atof(argv[2]), seconds = atof(argv[3]), start = now();
    long total = (long) (rate * seconds);
    char name[4096];
    for (long i = 0; i < total; i++) {
        while (now() - start < i / rate) { }
        snprintf(name, sizeof name, "%s/f%ld", argv[1], i);
        int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || write(fd, "x", 1) != 1 || close(fd) != 0) { perror(name); return 1; }
    }
    printf("%ld %.0f\n", total, total / (now() - start));
    return 0;
}
EOF
cat > "$out/latency-writer.c" <<'EOF'
/* latency-writer DIR COUNT: writes COUNT files 10 ms apart; prints "NAME EPOCH_SECONDS" taken just before close() */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
    int count = atoi(argv[2]);
    char name[4096];
    for (int i = 0; i < count; i++) {
        snprintf(name, sizeof name, "%s/lat%d", argv[1], i);
        int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || write(fd, "x", 1) != 1) { perror(name); return 1; }
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        close(fd);
        printf("lat%d %ld.%09ld\n", i, (long) t.tv_sec, t.tv_nsec);
        usleep(10000);
    }
    return 0;
}
EOF
cat > "$out/stamp-lines.c" <<'EOF'
/* stamp-lines: copies stdin to stdout, each line prefixed with the epoch time it was read */
#include <stdio.h>
#include <time.h>
int main(void) {
    char line[8192];
    setvbuf(stdout, NULL, _IOLBF, 0);
    while (fgets(line, sizeof line, stdin)) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        printf("%ld.%09ld %s", (long) t.tv_sec, t.tv_nsec, line);
    }
    return 0;
}
EOF
for tool in paced-writer latency-writer stamp-lines; do
    gcc -O2 -o "$out/$tool" "$out/$tool.c"
done

mnt=$(mktemp -d /tmp/gleaner-bench-fatrace.XXXXXX)
mount -t tmpfs -o size=4g,nr_inodes=0 tmpfs "$mnt"
tracer_pid=
cleanup() {
    [ -n "$tracer_pid" ] && kill "$tracer_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    umount "$mnt" 2>/dev/null || umount -l "$mnt"
    rmdir "$mnt"
}
trap cleanup EXIT

# Starts a tracer ($1) on the tmpfs with stdout to $2 and stderr to $3; waits for its fanotify mark.
start_tracer() {
    (cd "$mnt" && exec "$1" -c > "$2" 2> "$3") &
    tracer_pid=$!
    for _ in $(seq 1500); do
        # a mark line (inode, mount or filesystem), not the group's "fanotify flags:" line
        grep -qsE '^fanotify (ino|mnt_id|sdev):' /proc/$tracer_pid/fdinfo/* && return 0
        sleep 0.02
    done
    echo "fatrace.sh: $1 did not start watching" >&2
    exit 1
}

stop_tracer() {
    sleep 0.2
    kill -INT "$tracer_pid" 2>/dev/null || echo "fatrace.sh: warning: the tracer had already exited" >&2
    wait "$tracer_pid" || true
    tracer_pid=
}

# CPU time (user + system, in clock ticks) used so far by the tracer.
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$tracer_pid/stat"
}

# Highest achieved rate (files/s) at which tracer $1 printed every file without an overflow warning;
# a trailing "+" means the writer, not the tracer, was the limit (it could not keep the next pace).
sustained_rate() {
    local best=0 rate dir log=$out/rate.log err=$out/rate.err total achieved seen
    for rate in $RATES; do
        dir="$mnt/r$rate"
        mkdir "$dir"
        start_tracer "$1" "$log" "$err"
        local cpu_before
        cpu_before=$(cpu_ticks)
        read -r total achieved < <("$out/paced-writer" "$dir" "$rate" "$STEP_SECONDS")
        sleep 1 # let it drain
        echo $(( $(cpu_ticks) - cpu_before )) > "$out/cpu-$2-$rate"
        stop_tracer
        seen=$(grep -o "$dir/f[0-9]*\$" "$log" | sort -u | wc -l)
        rm -rf "$dir"
        if [ -z "$total" ]; then
            echo "fatrace.sh: the writer failed at $rate files/s" >&2
            exit 1
        fi
        if [ "$seen" -ne "$total" ] || grep -q overflow "$err"; then
            echo "  $2: paced $rate files/s (achieved $achieved): $seen of $total files reported" >&2
            echo "$best"
            return
        fi
        echo "  $2: paced $rate files/s (achieved $achieved): all $total files reported" >&2
        best=$achieved
        if [ "$achieved" -lt $(( rate * 9 / 10 )) ]; then
            echo "${best}+"
            return
        fi
    done
    echo "${best}+"
}

# p50 and p99 (ms) from just before close() to the tracer's CW line becoming readable.
latency() {
    local dir=$mnt/lat log=$out/latency.log fifo=$out/latency.fifo
    mkdir "$dir"
    rm -f "$fifo"
    mkfifo "$fifo"
    "$out/stamp-lines" < "$fifo" > "$log" &
    local stamper=$!
    start_tracer "$1" "$fifo" /dev/null
    "$out/latency-writer" "$dir" $(( LATENCY_FILES + LATENCY_WARMUP )) > "$out/closes.txt"
    sleep 1
    stop_tracer
    wait "$stamper" || true
    awk -v warmup="$LATENCY_WARMUP" '
        NR == FNR { if (substr($1, 4) + 0 >= warmup) close_time[$1] = $2; next }
        / C?W[O+]* / {
            path = $NF; sub(".*/", "", path)
            if ((path in close_time) && !(path in seen)) { seen[path] = 1; print ($1 - close_time[path]) * 1000 }
        }' "$out/closes.txt" "$log" | sort -n > "$out/latency.ms"
    local n
    n=$(wc -l < "$out/latency.ms")
    rm -rf "$dir" "$fifo"
    [ "$n" -gt 0 ] || { echo "0 0 0"; return; }
    echo "$(sed -n "$(( (n + 1) / 2 ))p" "$out/latency.ms") $(sed -n "$(( (n * 99 + 99) / 100 ))p" "$out/latency.ms") $n"
}

queue_limit=$(cat /proc/sys/fs/fanotify/max_queued_events)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); kernel $(uname -r); $(nproc) CPUs; max_queued_events $queue_limit"
if [ "$queue_limit" -lt 16384 ]; then
    echo "fatrace.sh: /proc/sys/fs/fanotify/max_queued_events is $queue_limit, below the default 16384: results would measure that" >&2
    exit 1
fi
echo "sustained rate (files/s, up to 4 events each; steps: $RATES; $STEP_SECONDS s each):"
ours_rate=$(sustained_rate "$OURS" gleaner)
theirs_rate=$(sustained_rate "$THEIRS" debian-fatrace)
echo "latency, close() to readable line, $LATENCY_FILES files:"
read -r ours_p50 ours_p99 ours_n < <(latency "$OURS")
read -r theirs_p50 theirs_p99 theirs_n < <(latency "$THEIRS")

printf '%-22s %12s %12s\n' "" "gleaner" "debian"
printf '%-22s %12s %12s\n' "sustained files/s" "$ours_rate" "$theirs_rate"
printf '%-22s %12.3f %12.3f\n' "latency p50 (ms)" "$ours_p50" "$theirs_p50"
printf '%-22s %12.3f %12.3f\n' "latency p99 (ms)" "$ours_p99" "$theirs_p99"
printf '%-22s %12s %12s\n' "latency samples" "$ours_n" "$theirs_n"
cpu_rate=$(echo "$RATES" | awk '{ print $1 }')
for rate in $RATES; do
    [ -f "$out/cpu-gleaner-$rate" ] && [ -f "$out/cpu-debian-fatrace-$rate" ] && cpu_rate=$rate
done
ticks=$(getconf CLK_TCK)
ours_cpu=$(awk -v t="$(cat "$out/cpu-gleaner-$cpu_rate")" -v hz="$ticks" 'BEGIN { printf "%.2f", t / hz }')
theirs_cpu=$(awk -v t="$(cat "$out/cpu-debian-fatrace-$cpu_rate")" -v hz="$ticks" 'BEGIN { printf "%.2f", t / hz }')
printf '%-22s %12s %12s\n' "CPU s at $cpu_rate/s" "$ours_cpu" "$theirs_cpu"
echo "rate ratio gleaner/debian: $(awk -v a="${ours_rate%+}" -v b="${theirs_rate%+}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')" \
    "(a rate ending in + was limited by the writer, not the tracer)"
echo "CPU ratio gleaner/debian at $cpu_rate files/s for $STEP_SECONDS s: $(awk -v a="$ours_cpu" -v b="$theirs_cpu" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }')"
echo "latency ratio gleaner/debian: p50 $(awk -v a="$ours_p50" -v b="$theirs_p50" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }')," \
    "p99 $(awk -v a="$ours_p99" -v b="$theirs_p99" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }')"
