# Sourced by the launchers in bin/: runs a gleaner main class from the shaded jar with JVM flags
# for a short-lived command-line tool. Not executable on its own.
gleaner_home=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
gleaner_jar=${GLEANER_JAR:-$gleaner_home/agent/target/gleaner.jar}
if [ ! -r "$gleaner_jar" ]; then
    echo "$(basename "$0"): $gleaner_jar is missing: build it first with 'mvn -B package -DskipTests'" >&2
    exit 1
fi

# Serial GC and C1 only: a tool that runs for well under a second gains nothing from a parallel
# collector or the C2 compiler, and both cost start-up time and memory. JVM warnings go to stderr,
# never into a tool's output.
gleaner_jvm_flags=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:-UsePerfData
    -Xlog:disable -Xlog:all=warning,cds*=off:stderr)

# Class-data sharing (JDK 17 dynamic AppCDS): the first run of a tool records the classes it loads
# in an archive next to the jar (if that directory is writable), later runs map it instead of
# loading and verifying those classes again. The jar's size and mtime are in the archive's name,
# so a rebuilt jar never meets a stale archive (the JVM would also refuse it). GLEANER_CDS=0 disables it.
gleaner_exec() {
    local main_class=$1
    shift
    local jar_dir stamp archive
    jar_dir=$(dirname "$gleaner_jar")
    stamp=$(stat -c '%s-%Y' "$gleaner_jar")
    archive="$jar_dir/.$(basename "$gleaner_jar" .jar)-${main_class##*.}-$stamp.jsa"
    if [ "${GLEANER_CDS:-1}" = 0 ]; then
        exec java "${gleaner_jvm_flags[@]}" ${GLEANER_JAVA_OPTS:-} -cp "$gleaner_jar" "$main_class" "$@"
    elif [ -r "$archive" ]; then
        exec java "${gleaner_jvm_flags[@]}" -XX:SharedArchiveFile="$archive" ${GLEANER_JAVA_OPTS:-} \
            -cp "$gleaner_jar" "$main_class" "$@"
    elif [ -w "$jar_dir" ]; then
        # written under a private name and renamed, so a concurrent first run never maps half an archive
        local partial="$archive.$$" status=0
        rm -f "$jar_dir/.$(basename "$gleaner_jar" .jar)-${main_class##*.}-"*.jsa
        java "${gleaner_jvm_flags[@]}" -XX:ArchiveClassesAtExit="$partial" ${GLEANER_JAVA_OPTS:-} \
            -cp "$gleaner_jar" "$main_class" "$@" || status=$?
        [ -s "$partial" ] && mv -f "$partial" "$archive" 2>/dev/null
        rm -f "$partial"
        exit "$status"
    else
        exec java "${gleaner_jvm_flags[@]}" ${GLEANER_JAVA_OPTS:-} -cp "$gleaner_jar" "$main_class" "$@"
    fi
}
