#!/usr/bin/env bash
# Benchmark: bin/bitrot-scrub against the peer tools, all in one run (interleaved rounds, medians):
#   1 GiB file in the page cache (on a tmpfs): bitrot-scrub (baselining, xxh3-128) against sha256sum
#     (target >= 4x its throughput) and b3sum (target >= 1.0x)
#   the same file cold (caches dropped before each run): bitrot-scrub against dd iflag=direct bs=4M,
#     a raw sequential read of the medium (target >= 0.9x)
#   100k small files (4 KiB median), cold: the first run (baselining) against find -print0 | xargs -0 b3sum
#     (target >= 1.0x); a second run with nothing due against find over the tree (target <= 2x its time)
#   a database for FILES files (default 1M, empty files on a tmpfs): bytes per file and the run's peak RSS
# Usage: bench/bitrot-scrub.sh [ROUNDS] [FILES]   (as root: it mounts tmpfs and drops caches; needs b3sum)
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"

rounds=${1:-3}
db_files=${2:-1000000}
bench_number ROUNDS "$rounds" 1 20
bench_number FILES "$db_files" 1000 5000000
[ "$(id -u)" -eq 0 ] || bench_fail 1 "run as root: it mounts a tmpfs and drops the page cache"
bench_need_tools b3sum sha256sum dd find xargs python3 /usr/bin/time
bench_need_jar
# The peers run in the normal I/O class; bitrot-scrub's default idle class yields the disk to every other
# reader (mq-deadline honours it too), which on a busy machine is its point but no throughput figure.
scrub=$bench_home/bin/bitrot-scrub
fast=("$scrub" --no-idle-io)

bench_scratch -p /var/tmp   # on the disk, not on a tmpfs /tmp
mkdir "$work/ram"
mount -t tmpfs -o size=1200m tmpfs "$work/ram"
bench_on_exit() { umount "$work/ram" 2>/dev/null; }
echo "$(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); scratch in $work"

timed() { # NAME COMMAND...: runs it, appends "NAME<TAB>wall user sys maxrss_kib" to times.tsv
    local name=$1
    shift
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || {
        echo "$name failed:" >&2
        cat "$work/stderr" >&2
        exit 1
    }
    printf '%s\t%s\n' "$name" "$(tail -1 "$work/time")" >>"$work/times.tsv"
}
# Drops the page cache, then loads the tool itself again (its binary, or the JVM and the jar), so that
# "cold" means the data is read from the disk, not that a program starts from an empty cache.
cold() {
    sync
    echo 3 >/proc/sys/vm/drop_caches
    "$@" >/dev/null 2>&1 || true
}

mkdir "$work/ram/big" "$work/big"
head -c 1G /dev/urandom >"$work/ram/big/file"
cp "$work/ram/big/file" "$work/big/file"
"$scrub" --db "$work/warmup.db" --no-progress "$work/ram/big" 2>/dev/null   # builds the class-data archive

python3 - "$work/small" <<'PY'
import os, random, sys
random.seed(1)
root = sys.argv[1]
for d in range(100):
    os.makedirs(f"{root}/d{d}")
    for f in range(1000):
        with open(f"{root}/d{d}/f{f}", "wb") as out:
            out.write(os.urandom(random.randint(512, 7680)))
PY
sync

for round in $(seq 1 "$rounds"); do
    rm -f "$work"/c.db*
    timed "cached: bitrot-scrub" "${fast[@]}" --db "$work/c.db" --no-progress "$work/ram/big"
    timed "cached: sha256sum" sha256sum "$work/ram/big/file"
    timed "cached: b3sum" b3sum "$work/ram/big/file"
    rm -f "$work"/d.db*
    cold "$scrub" --version
    timed "cold: bitrot-scrub, idle I/O class" "$scrub" --db "$work/i.db" --no-progress "$work/big"
    rm -f "$work"/d.db*
    cold "$scrub" --version
    timed "cold: bitrot-scrub" "${fast[@]}" --db "$work/d.db" --no-progress "$work/big"
    cold dd --version
    timed "cold: dd iflag=direct" dd if="$work/big/file" of=/dev/null bs=4M iflag=direct
    rm -f "$work"/s.db*
    cold "$scrub" --version
    timed "small: bitrot-scrub first run" "${fast[@]}" --db "$work/s.db" --no-progress "$work/small"
    cold b3sum --version
    timed "small: find | xargs b3sum" bash -c "find '$work/small' -type f -print0 | xargs -0 b3sum"
    # both warm: the tree's inodes are cached by the b3sum run; one untimed run caches the database
    "${fast[@]}" --db "$work/s.db" --no-progress --older-than 1d "$work/small" 2>/dev/null
    timed "small: bitrot-scrub nothing due" "${fast[@]}" --db "$work/s.db" --no-progress --older-than 1d "$work/small"
    timed "small: find" find "$work/small"
done

rm -rf "$work/ram/big"
python3 - "$work/ram/many" "$db_files" <<'PY'
import os, sys
root, count = sys.argv[1], int(sys.argv[2])
for d in range((count + 999) // 1000):
    os.makedirs(f"{root}/dir{d:05d}")
    for f in range(min(1000, count - d * 1000)):
        open(f"{root}/dir{d:05d}/some-file-name-{f:04d}.dat", "wb").close()
PY
timed "db: bitrot-scrub $db_files files" "${fast[@]}" --db "$work/m.db" --no-progress "$work/ram/many"
db_bytes=$(du -b -c "$work"/m.db* | tail -1 | cut -f1)

python3 - "$work/times.tsv" "$rounds" "$db_files" "$db_bytes" <<'PY'
import collections, statistics, sys
wall, cpu, rss = collections.defaultdict(list), collections.defaultdict(list), collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, figures = line.rstrip("\n").split("\t")
    elapsed, user, system, maxrss = figures.split()
    wall[name].append(float(elapsed))
    cpu[name].append(float(user) + float(system))
    rss[name].append(int(maxrss))
print(f"medians of {sys.argv[2]} interleaved rounds (wall time, CPU = user + system, peak RSS):")
for name in wall:
    print(f"  {name:36s} {statistics.median(wall[name]):8.2f} s  CPU {statistics.median(cpu[name]):7.2f} s"
          f"  {statistics.median(rss[name]) / 1024:7.0f} MiB")
def med(name):
    return statistics.median(wall[name])
def check(label, value, target, at_least=True):
    ok = value >= target if at_least else value <= target
    print(f"{label:58s} {value:6.2f}  {'ok' if ok else 'MISSED'} (target {'>=' if at_least else '<='} {target})")
print("\nthroughput ratios (peer time / bitrot-scrub time; bitrot-scrub's includes JVM start and the database):")
check("cached 1 GiB: bitrot-scrub / sha256sum", med("cached: sha256sum") / med("cached: bitrot-scrub"), 4)
check("cached 1 GiB: bitrot-scrub / b3sum", med("cached: b3sum") / med("cached: bitrot-scrub"), 1.0)
check("cold 1 GiB: bitrot-scrub / dd iflag=direct", med("cold: dd iflag=direct") / med("cold: bitrot-scrub"), 0.9)
check("100k small files, first run: bitrot-scrub / find|xargs b3sum",
      med("small: find | xargs b3sum") / med("small: bitrot-scrub first run"), 1.0)
check("100k small files, nothing due: time / find's time",
      med("small: bitrot-scrub nothing due") / med("small: find"), 2, at_least=False)
print("(on a loaded machine wall times swing with the load; CPU times are steadier:)")
for peer, ours in (("cached: sha256sum", "cached: bitrot-scrub"), ("cached: b3sum", "cached: bitrot-scrub"),
                   ("small: find | xargs b3sum", "small: bitrot-scrub first run")):
    print(f"  CPU {peer} / {ours}: {statistics.median(cpu[peer]) / statistics.median(cpu[ours]):6.2f}")
files, size = int(sys.argv[3]), int(sys.argv[4])
name = f"db: bitrot-scrub {files} files"
print(f"\ndatabase for {files} files: {size / files:.0f} bytes per file ({size / 2**20:.0f} MiB); "
      f"peak RSS of the run {rss[name][0] / 1024:.0f} MiB; {med(name):.1f} s")
PY
