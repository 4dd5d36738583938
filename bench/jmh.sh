#!/usr/bin/env bash
# Builds the JMH benchmarks (module bench/jmh, profile -Pbench) and runs them briefly.
# Prints the smaps parse throughput in MB/s (bytes of smaps text per second, one thread).
# Usage: bench/jmh.sh [JMH ARGS...]   (default: SmapsParserBenchmark, 1 fork, 3 x 1 s warm-up, 5 x 1 s)
set -euo pipefail
home=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$home"
mvn -B -q -Pbench -pl bench/jmh -am package -DskipTests
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(SmapsParserBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s)
java -jar bench/jmh/target/benchmarks.jar "${args[@]}" -rf json -rff "$work/result.json" | tee "$work/out.txt"
bytes=$(sed -n 's/^smaps text: \([0-9]*\) bytes per op.*/\1/p' "$work/out.txt" | tail -1)
if [ -n "$bytes" ]; then
    python3 - "$work/result.json" "$bytes" <<'PY'
import json, sys
for result in json.load(open(sys.argv[1])):
    if result["benchmark"].endswith("SmapsParserBenchmark.parse"):
        micros = result["primaryMetric"]["score"]
        print(f"smaps parse throughput: {int(sys.argv[2]) / micros:.0f} MB/s ({int(sys.argv[2])} bytes in {micros:.0f} us)")
PY
fi
