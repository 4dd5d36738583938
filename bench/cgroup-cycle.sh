#!/usr/bin/env bash
# CPU time of one cgroup collector cycle with 500 cgroups and 300 processes in them (run as root,
# after `mvn -B package -DskipTests`). Makes the cgroups in every hierarchy the collector reads
# (v1 cpu, cpuacct, memory, blkio, pids and the unified one, as mounted here), then measures:
#  - in one JVM (bench/CgroupCycle.java): CPU per cycle of the collecting thread and of the whole
#    process, for cgroup alone, system alone and both;
#  - the real agent: CPU of 1+CYCLES cycles less that of 1 cycle, per cycle actually run (this one
#    includes naming, rates and printing, and is noisy on a busy machine: median of REPEAT), for
#    cgroup+system and for every default collector (system, cgroup, memory, syscallio) at 1 s,
#    with memory in every cycle (the worst case) and in one cycle of six (as by default: once a
#    minute at the default 10 s interval).
# The peer is `cat` of the same files, one process per cycle: the bare cost of reading them.
# Everything it makes is removed on exit.
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"
CYCLES=${CYCLES:-100}
DEFAULT_CYCLES=${DEFAULT_CYCLES:-10}   # cycles of the run with every default collector (1 s apart)
DEFAULT_SHARE_CYCLES=${DEFAULT_SHARE_CYCLES:-12}   # the same with memory in one cycle of six (a multiple of 6: the cycles after the first then hold exactly one memory run in six)
REPEAT=${REPEAT:-3}   # each figure is the median of REPEAT measurements
SLICES=5
SERVICES_PER_SLICE=99   # 5 slices + 495 services = 500 cgroups
PROCESSES=300
tag=gleaner-bench-$$

hierarchies() { # mount points of the cgroup hierarchies the collector reads, from mountinfo
    awk '$3 != "" { for (i = 7; i <= NF; i++) if ($i == "-") break;
           fs = $(i + 1); opts = "," $(i + 3) ",";
           if (fs == "cgroup2" || opts ~ /,(cpu|cpuacct|memory|blkio|pids),/) print $5 }' /proc/self/mountinfo
}
mapfile -t mounts < <(hierarchies)

bench_on_exit() { # after the processes in them are stopped: the cgroups
    for m in "${mounts[@]}"; do
        for s in $(seq 1 $SLICES); do
            for n in $(seq 1 $SERVICES_PER_SLICE); do rmdir "$m/$tag-$s.slice/$tag-$s-$n.service" 2>/dev/null; done
            for try in 1 2 3 4 5; do rmdir "$m/$tag-$s.slice" 2>/dev/null && break; sleep 0.2; done
        done
    done
}
bench_scratch

units=()
for s in $(seq 1 $SLICES); do
    for m in "${mounts[@]}"; do mkdir "$m/$tag-$s.slice"; done
    for n in $(seq 1 $SERVICES_PER_SLICE); do
        for m in "${mounts[@]}"; do mkdir "$m/$tag-$s.slice/$tag-$s-$n.service"; done
        units+=("$tag-$s.slice/$tag-$s-$n.service")
    done
done
for i in $(seq 0 $((PROCESSES - 1))); do
    unit=${units[$((i % ${#units[@]}))]}
    enter=""
    for m in "${mounts[@]}"; do enter+="echo \$\$ > '$m/$unit/cgroup.procs'; "; done
    sh -c "$enter exec sleep 3600" &
    bench_track $!
done
sleep 1

# the files one cycle reads, for the peer
for m in "${mounts[@]}"; do
    find "$m" -path "*$tag*" \( -name cpuacct.usage -o -name cpuacct.stat -o -name memory.usage_in_bytes \
        -o -name memory.memsw.usage_in_bytes -o -name memory.stat -o -name memory.failcnt -o -name memory.oom_control \
        -o -name memory.events -o -name pids.current -o -name 'blkio.*_recursive' \
        -o -name cgroup.controllers -o -name cpu.stat -o -name '*.pressure' \) -type f
done > "$work/files"

cpu_seconds() { # CPU seconds (user+system) of the command; its stdout goes to $work/out
    /usr/bin/time -f '%U %S' -o "$work/time" "$@" > "$work/out" 2> /dev/null
    awk '{ print $1 + $2 }' "$work/time"
}
cycles_done() { # cycles the last agent run completed (a busy machine makes it skip ticks)
    grep -c '\.gleaner\.datapoints ' "$work/out"
}
agent_cycle_ms() { # collectors interval cycles [AGENT_OPTIONS...]: CPU ms per cycle, median of REPEAT
    local one many done r
    for r in $(seq $REPEAT); do
        one=$(cpu_seconds "$bench_home/bin/gleaner" agent --stdout --interval "$2" --cycles 1 --collectors "$1" "${@:4}")
        many=$(cpu_seconds "$bench_home/bin/gleaner" agent --stdout --interval "$2" --cycles $(($3 + 1)) --collectors "$1" "${@:4}")
        done=$(cycles_done)
        awk -v a="$one" -v b="$many" -v n="$((done - 1))" 'BEGIN { printf "%.1f\n", (b - a) * 1000 / n }'
    done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

files=$(wc -l < "$work/files")
units_seen=$("$bench_home/bin/gleaner" agent --stdout --cycles 1 --collectors cgroup 2>/dev/null | awk '$1 ~ /\.cgroup\.collector\.units$/ { print $2 }')
cat_total=$(cpu_seconds sh -c "for i in \$(seq $CYCLES); do xargs -d '\n' cat < '$work/files' > /dev/null 2>&1; done")
cat_ms=$(awk -v t="$cat_total" -v n="$CYCLES" 'BEGIN { printf "%.1f", t * 1000 / n }')
in_jvm() { # collectors...: "threadMs processMs datapoints" per cycle
    java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$bench_home/agent/target/gleaner.jar" "$bench_home/bench/CgroupCycle.java" "$CYCLES" "$@"
}
read -r cgroup_thread cgroup_process cgroup_points < <(in_jvm cgroup)
read -r system_thread system_process system_points < <(in_jvm system)
read -r both_thread both_process both_points < <(in_jvm cgroup system)
# at 250 ms a cycle has room: at 100 ms one that overran its interval skipped the next, and the
# CPU time was divided by cycles of which only some had read the cgroups
agent_ms=$(agent_cycle_ms cgroup,system 250ms $((CYCLES / 4)))
# every collector enabled by default; a 1 s interval leaves the memory scan its full budget. The
# memory collector runs once a minute by default: here in every cycle, the worst case (at a 10 s
# interval it runs in one cycle of six)
defaults=system,cgroup,memory,syscallio
printf 'collectors: {memory: {interval: 1s}}\n' > "$work/memory-every-cycle.yaml"
defaults_ms=$(agent_cycle_ms "$defaults" 1s "$DEFAULT_CYCLES" --config "$work/memory-every-cycle.yaml")
printf 'collectors: {memory: {interval: 6s}}\n' > "$work/memory-default-share.yaml"
defaults_share_ms=$(agent_cycle_ms "$defaults" 1s "$DEFAULT_SHARE_CYCLES" --config "$work/memory-default-share.yaml")

echo "cgroups: 500 in ${#mounts[@]} hierarchies (${mounts[*]}), processes: $PROCESSES, cycles: $CYCLES"
echo "the agent's cgroup collector sees $units_seen units; the peer reads $files files (the units' stat files: a superset of what the collector reads)"
ratio() { awk -v a="$1" -v b="$cat_ms" 'BEGIN { printf "%.2f", a / b }'; }
echo "cat of the same files (peer):         $cat_ms ms CPU per cycle"
echo "in one JVM, CPU ms per cycle:         collecting thread / whole process / datapoints"
echo "  cgroup                              $cgroup_thread / $cgroup_process / $cgroup_points (process vs cat: $(ratio "$cgroup_process"))"
echo "  system                              $system_thread / $system_process / $system_points"
echo "  cgroup + system                     $both_thread / $both_process / $both_points (target <= 100)"
echo "agent --collectors cgroup,system:     $agent_ms ms CPU per cycle, whole process (median of $REPEAT)"
echo "agent --collectors $defaults (memory in every cycle): $defaults_ms ms CPU per cycle, whole process (median of $REPEAT)"
echo "agent --collectors $defaults (memory in one cycle of six, as by default): $defaults_share_ms ms CPU per cycle, whole process (median of $REPEAT; target <= 100)"
