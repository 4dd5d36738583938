# Sourced by the launchers in bin/: runs a gleaner main class from the shaded jar with JVM flags
# for a short-lived command-line tool. Not executable on its own.
gleaner_home=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
gleaner_jar=${GLEANER_JAR:-$gleaner_home/agent/target/gleaner.jar}
if [ ! -r "$gleaner_jar" ]; then
    echo "$(basename "$0"): $gleaner_jar is missing: build it first with 'mvn -B package -DskipTests'" >&2
    exit 1
fi

# Serial GC and C1 only: a tool that runs for well under a second gains nothing from a parallel
# collector or the C2 compiler, and both cost start-up time and memory.
gleaner_jvm_flags=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:-UsePerfData)

gleaner_exec() {
    local main_class=$1
    shift
    exec java "${gleaner_jvm_flags[@]}" ${GLEANER_JAVA_OPTS:-} -cp "$gleaner_jar" "$main_class" "$@"
}
