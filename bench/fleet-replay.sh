#!/usr/bin/env bash
# A fleet's backlog replayed through a carbon-c-relay tier, in ONE run: N hosts (delivery pipelines in
# one JVM) each hold S seconds of backlog at a 1 s interval and come back at once to two carbon_ch
# relays over two carbon-caches, first with the default replay pacing, then unpaced (as a sender that
# replays as fast as its socket takes it). Prints the time to drain, the peak relay queue, relay
# drops, and the JVM's CPU and RSS while replaying versus in steady state. Then one real
# `bin/gleaner agent` process replays a spool backlog (600 s x 50 series) into a carbon-cache at the
# default pacing: its CPU and RSS from /proc/PID while replaying versus in steady state.
# Needs graphite-carbon and carbon-c-relay (scripts/install-test-deps) and the shaded jar.
# Usage: bench/fleet-replay.sh [hosts (200)] [backlog seconds (3600)] [series per host (2)]
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"
bench_number hosts "${1:-200}" 1 2000
bench_number "backlog seconds" "${2:-3600}" 1 86400
bench_number "series per host" "${3:-2}" 1 100
bench_need_tools carbon-cache carbon-c-relay java mvn
bench_need_jar
cd "$bench_home"
classpath_file=agent/target/bench-classpath.txt
mvn -B -ntp -q -pl agent -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$classpath_file" >/dev/null
exec java -Xmx2g -Djava.util.logging.config.file=/dev/null -cp "agent/target/test-classes:agent/target/classes:$(cat "$classpath_file")" \
    org.gleaner.agent.pipeline.FleetReplayBenchmark "${1:-200}" "${2:-3600}" "${3:-2}"
