# Sourced by the benchmarks in bench/ (`. "$(dirname "$(readlink -f "$0")")/lib.sh"`): argument and
# prerequisite checks that fail with one line naming the script, and a scratch directory and
# processes that are removed and stopped however the benchmark ends.

bench_name=$(basename "$0")
bench_home=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
bench_pids=()

bench_fail() { # STATUS MESSAGE: "NAME: MESSAGE" on stderr, exit STATUS
    echo "$bench_name: $2" >&2
    exit "$1"
}

bench_number() { # LABEL VALUE MIN MAX: exits 2 unless VALUE is a whole number from MIN to MAX
    local range="from $3 to $4"
    [ "$3" -eq 0 ] && range="up to $4"
    if ! [[ $2 =~ ^[0-9]+$ ]] || [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
        bench_fail 2 "$1 must be a number $range"
    fi
}

bench_need_tools() { # TOOL...: exits 1 naming the first one that is not installed
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || bench_fail 1 "$tool is missing (scripts/install-test-deps)"
    done
}

bench_need_jar() {
    [ -r "$bench_home/agent/target/gleaner.jar" ] || bench_fail 1 "build first: mvn -B package -DskipTests"
}

# bench_scratch [MKTEMP_ARGS...]: sets $work to a new scratch directory. On exit every process given to
# bench_track is stopped (SIGTERM) and waited for, then bench_on_exit runs if the script defines one,
# then $work is removed.
bench_scratch() {
    work=$(mktemp -d "$@")
    trap bench_cleanup EXIT
    # a trapped signal would otherwise run the cleanup and carry on with the benchmark
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

bench_track() { # PID...: processes to stop on exit
    bench_pids+=("$@")
}

bench_spawn_sleepers() { # N: starts N `sleep 3600` processes, stopped on exit
    local i
    for ((i = 0; i < $1; i++)); do
        sleep 3600 &
        bench_pids+=($!)
    done
}

# bench_interleaved RUNS: runs every command of the arrays `names` and `commands` (shell command lines,
# output discarded) RUNS + 1 times, taking turns round after round: on a shared machine the load
# drifts, and interleaving spreads the drift over all of them. Round 0 warms the page cache and is
# not recorded. Appends "NAME<TAB>WALL USER SYSTEM PEAK_RSS_KIB" lines to $work/times.tsv.
bench_interleaved() {
    local round i
    for round in $(seq 0 "$1"); do
        for i in "${!commands[@]}"; do
            /usr/bin/time -f '%e %U %S %M' -o "$work/time" bash -c "exec ${commands[$i]} >/dev/null 2>&1" || true
            [ "$round" -gt 0 ] && printf '%s\t%s\n' "${names[$i]}" "$(tail -1 "$work/time")" >>"$work/times.tsv"
        done
    done
}

bench_cleanup() {
    set +e
    [ ${#bench_pids[@]} -gt 0 ] && kill "${bench_pids[@]}" 2>/dev/null
    wait 2>/dev/null
    declare -F bench_on_exit >/dev/null && bench_on_exit
    rm -rf "$work"
}
