#!/usr/bin/env bash
# Throughput of gleaner agent's carbon delivery pipeline (spool + sender, plaintext TCP), in ONE run:
# into a line-counting sink (the pipeline's own limit), into a private carbon-cache, and a bare
# socket writing the same lines into carbon-cache (the peer: carbon's own ingestion limit).
# Prints datapoints/s and ratios. Needs graphite-carbon (scripts/install-test-deps).
# Usage: bench/pipeline.sh [datapoints] [metrics] [datapoints-per-submit]
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
classpath_file=agent/target/bench-classpath.txt
mvn -B -ntp -q -pl agent -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$classpath_file" >/dev/null
exec java -Xmx2g -cp "agent/target/test-classes:agent/target/classes:$(cat "$classpath_file")" \
    org.gleaner.agent.pipeline.PipelineBenchmark "$@"
