#!/usr/bin/env bash
# Benchmark: the start-up of every launcher in bin/, each doing almost nothing (`ps-mem --pid PID`
# of one small process, `--help` for the others, `gleaner agent --help` for the agent), all timed
# in one run (interleaved rounds, medians of wall time, CPU and peak RSS). Target: each <= 150 ms
# wall and <= 60 MiB peak RSS. Also timed, as the floor and the peers: the bare JVM with the
# launcher's flags (`java -version`), and the Python tools ps-mem is compared with (smem,
# pixelb's ps_mem.py), answering `--help`, and ps-mem without class-data sharing (GLEANER_CDS=0);
# ratios are against the JVM floor and against smem.
# Usage: bench/startup.sh [RUNS] [JAVA]   (JAVA: another java binary to run the same launchers with,
#                                          e.g. a newer JDK; the build's archive only serves the JDK
#                                          that made it; for a JDK 25 or later the ahead-of-time
#                                          cache is made first)
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"

runs=${1:-15}
java_bin=${2:-}
bench_number RUNS "$runs" 1 200
bench_need_tools python3 /usr/bin/time smem
bench_need_jar
ps_mem_py=${PS_MEM_PY:-$bench_home/../shared/tools/ps_mem.py}

bench_scratch
sleep 600 &
bench_track $!
idle=$!
if [ -n "$java_bin" ]; then
    mkdir "$work/jdk"
    ln -s "$(readlink -f "$java_bin")" "$work/jdk/java"
    export PATH="$work/jdk:$PATH"
    # a JDK 25 or later gets its ahead-of-time cache beside the build's archive (scripts/cds-archive)
    feature=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
    [ "${feature%%.*}" -ge 25 ] && "$bench_home/scripts/cds-archive" >&2
fi
echo "java: $(java -version 2>&1 | head -1); archive: $(ls "$bench_home"/agent/target/gleaner.jsa "$bench_home"/agent/target/gleaner.aot 2>/dev/null | tr '\n' ' '); $(nproc) CPUs; load: $(cut -d' ' -f1-3 /proc/loadavg)"

names=("java -version (floor)" "smem --help" "ps-mem --pid" "ps-mem --pid, no CDS")
commands=(
    "java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -version"
    "smem --help"
    "$bench_home/bin/ps-mem --pid $idle"
    "env GLEANER_CDS=0 $bench_home/bin/ps-mem --pid $idle"
)
if [ -r "$ps_mem_py" ]; then
    names+=("ps_mem.py --help")
    commands+=("python3 $ps_mem_py --help")
fi
launchers=()
for launcher in "$bench_home"/bin/*; do
    [ -x "$launcher" ] || continue
    name=${launcher##*/}
    case $name in
        ps-mem) continue ;;  # timed on a process above
        gleaner) names+=("gleaner agent --help"); commands+=("$launcher agent --help") ;;
        *) names+=("$name --help"); commands+=("$launcher --help") ;;
    esac
    launchers+=("$name")
done

bench_interleaved "$runs"

python3 - "$work/times.tsv" "$runs" <<'PY'
import collections, statistics, sys
wall, cpu, rss = (collections.defaultdict(list) for _ in range(3))
for line in open(sys.argv[1]):
    name, figures = line.rstrip("\n").split("\t")
    elapsed, user, system, peak_kib = figures.split()
    wall[name].append(float(elapsed))
    cpu[name].append(float(user) + float(system))
    rss[name].append(int(peak_kib) / 1024)
med = lambda table, name: statistics.median(table[name])
floor, peer = "java -version (floor)", "smem --help"
print(f"medians of {sys.argv[2]} interleaved rounds (CPU = user + system, steadier under load):")
print(f"  {'command':24s} {'wall':>8s} {'CPU':>8s} {'peak RSS':>9s}  {'/floor':>7s} {'/smem':>6s}  target <= 150 ms, <= 60 MiB")
for name in wall:
    verdict = ""
    if name not in (floor, peer) and not name.startswith("ps_mem.py") and "no CDS" not in name:
        ok = med(wall, name) <= 0.150 and med(rss, name) <= 60
        verdict = "ok" if ok else "MISSED" + (" (wall)" if med(wall, name) > 0.150 else "") + (" (RSS)" if med(rss, name) > 60 else "")
    print(f"  {name:24s} {med(wall, name) * 1000:6.0f}ms {med(cpu, name) * 1000:6.0f}ms {med(rss, name):6.1f}MiB"
          f"  {med(wall, name) / med(wall, floor):6.2f}x {med(wall, name) / med(wall, peer):5.2f}x  {verdict}")
PY
