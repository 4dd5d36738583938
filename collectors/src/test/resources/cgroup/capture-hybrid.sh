#!/bin/sh
# Captures the "hybrid" fixture tree from a live hybrid-cgroup machine (run as root):
# makes a few unit-like cgroups in every v1 controller and in the unified hierarchy, runs a little
# CPU, memory and direct-IO work in them, and copies mountinfo plus the readable files of those
# cgroups under OUT/sys/fs/cgroup/... (the layout the collector reads with OUT as its root).
set -eu
OUT=${1:?usage: capture-hybrid.sh OUTDIR}
BASE=/sys/fs/cgroup
UNITS="system.slice system.slice/gleaner-capture.service system.slice/system-getty.slice
system.slice/system-getty.slice/getty@tty1.service user.slice user.slice/user-1000.slice
user.slice/user-1000.slice/session-3.scope"
HIERARCHIES="cpuacct memory blkio pids unified"
DISK=$(cat /sys/block/vda/dev)
WORK=$(mktemp -d /var/tmp/gleaner-capture.XXXXXX)

cleanup() {
    for h in $HIERARCHIES; do
        for u in $(echo $UNITS | tr " " "\n" | sort -r); do
            [ -d "$BASE/$h/$u" ] || continue
            for p in $(cat "$BASE/$h/$u/cgroup.procs"); do echo "$p" > "$BASE/$h/cgroup.procs" 2>/dev/null || true; done
            # a parent may stay busy for a moment after its child was removed
            for try in 1 2 3 4 5 6 7 8 9 10; do rmdir "$BASE/$h/$u" 2>/dev/null && break; sleep 0.1; done
        done
    done
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

for h in $HIERARCHIES; do for u in $UNITS; do mkdir -p "$BASE/$h/$u"; done; done
echo "$DISK 9223372036854775807" > "$BASE/blkio/system.slice/gleaner-capture.service/blkio.throttle.write_bps_device"

enter() { # enter UNIT: prints the shell code that moves the running shell into UNIT everywhere
    for h in $HIERARCHIES; do printf 'echo $$ > %s/%s/%s/cgroup.procs; ' "$BASE" "$h" "$1"; done
}
sh -c "$(enter system.slice/gleaner-capture.service) dd if=/dev/zero of=$WORK/data bs=1M count=4 oflag=direct status=none;
       head -c 20000000 /dev/zero | perl -e 'my \$x = join(\"\", <STDIN>); 1 while ((times)[0] < 0.3)'"
sh -c "$(enter system.slice/system-getty.slice/getty@tty1.service) exec sleep 30" &
GETTY=$!
sh -c "$(enter user.slice/user-1000.slice/session-3.scope) exec sleep 30" &
SESSION=$!
sleep 1

mkdir -p "$OUT/proc/self"
cp /proc/self/mountinfo "$OUT/proc/self/mountinfo"
for h in $HIERARCHIES; do
    for u in $UNITS; do
        mkdir -p "$OUT/sys/fs/cgroup/$h/$u"
        for f in "$BASE/$h/$u"/*; do
            [ -f "$f" ] || continue
            cat "$f" > "$OUT/sys/fs/cgroup/$h/$u/$(basename "$f")" 2>/dev/null || rm -f "$OUT/sys/fs/cgroup/$h/$u/$(basename "$f")"
        done
    done
done
kill $GETTY $SESSION
wait 2>/dev/null || true
