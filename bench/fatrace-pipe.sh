#!/usr/bin/env bash
# Benchmark: latency from a file's close (close_write) to its path being readable on the pipe, for
# bin/fatrace-pipe --debounce 0 and, as the peer, inotifywait -m -e close_write (inotify-tools), in one
# run. A small Python program writes a file, takes the time right after close(), and reads the line
# from the watcher's stdout; N files (default 200) one after another, each wait bounded to 5 s.
# Prints p50/p99/max per tool and the ratios fatrace-pipe / inotifywait. Target: fatrace-pipe p99 <= 20 ms.
# Usage: bench/fatrace-pipe.sh [N]   (as root: fatrace-pipe uses a filesystem mark; needs inotifywait)
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"

count=${1:-200}
bench_number N "$count" 10 10000
bench_need_tools inotifywait python3
bench_need_jar

bench_scratch
echo "$(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), N=$count"

python3 - "$bench_home/bin/fatrace-pipe" "$work" "$count" <<'PY'
import os, select, subprocess, sys, time

launcher, work, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
LIMIT = 5.0

def start(name, command, ready):
    """Starts a watcher; waits (bounded) until its stderr says it is watching."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    seen = b""
    while ready not in seen:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([proc.stderr], [], [], left)[0]:
            proc.kill()
            sys.exit(f"{name} did not start: {seen!r}")
        chunk = os.read(proc.stderr.fileno(), 4096)
        if not chunk:
            sys.exit(f"{name} exited: {seen!r}")
        seen += chunk
    return proc

def measure(name, proc, tree):
    latencies = []
    out = proc.stdout.fileno()
    pending = b""
    for i in range(count):
        path = os.path.join(tree, f"f{i}")
        with open(path, "w") as f:
            f.write("x")
        closed = time.monotonic()
        want = path.encode() + b"\n"
        while want not in pending:
            left = closed + LIMIT - time.monotonic()
            if left <= 0 or not select.select([out], [], [], left)[0]:
                sys.exit(f"{name}: no line for {path} within {LIMIT} s")
            pending += os.read(out, 65536)
        latencies.append((time.monotonic() - closed) * 1000)
        pending = pending[pending.index(want) + len(want):]
        time.sleep(0.005)
    return sorted(latencies)

def percentile(values, p):
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]

results = {}
for name, command, ready in [
        ("fatrace-pipe", [launcher, "--debounce", "0", "--no-default-excludes"], b"watching"),
        ("inotifywait", ["inotifywait", "-m", "-e", "close_write", "--format", "%w%f"], b"Watches established")]:
    tree = os.path.join(work, name)
    os.mkdir(tree)
    proc = start(name, command + [tree], ready)
    try:
        results[name] = measure(name, proc, tree)
    finally:
        proc.terminate()
        proc.wait(10)

print(f"{'tool':<14}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
for name, values in results.items():
    print(f"{name:<14}{percentile(values, 50):>10.2f}{percentile(values, 99):>10.2f}{values[-1]:>10.2f}")
fp, iw = results["fatrace-pipe"], results["inotifywait"]
print(f"ratio fatrace-pipe/inotifywait: p50 {percentile(fp, 50) / percentile(iw, 50):.1f}x,"
      f" p99 {percentile(fp, 99) / percentile(iw, 99):.1f}x")
verdict = "met" if percentile(fp, 99) <= 20 else "MISSED"
print(f"target fatrace-pipe p99 <= 20 ms: {verdict}")
PY
