# Sourced by the launchers in bin/: runs a gleaner main class from the shaded jar with JVM flags
# for a short-lived command-line tool. Not executable on its own.
gleaner_home=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
gleaner_java=java
if [ -r "$gleaner_home/gleaner.jar" ]; then
    # Installed by a package or system extension (packaging/build): the jar is in /usr/share/gleaner,
    # the JNA and jffi natives, and in the system extension a Java runtime, in /usr/lib/gleaner.
    # Loaded from there, the natives need no executable /tmp: by default JNA and jffi unpack them
    # into java.io.tmpdir and map them from there, which fails on a noexec /tmp.
    gleaner_installed=1
    gleaner_jar=${GLEANER_JAR:-$gleaner_home/gleaner.jar}
    gleaner_lib=${gleaner_home%/share/gleaner}/lib/gleaner
    [ -x "$gleaner_lib/jre/bin/java" ] && gleaner_java=$gleaner_lib/jre/bin/java
else
    gleaner_installed=0
    gleaner_jar=${GLEANER_JAR:-$gleaner_home/agent/target/gleaner.jar}
fi
if [ ! -r "$gleaner_jar" ]; then
    echo "$(basename "$0"): $gleaner_jar is missing: build it first with 'mvn -B package -DskipTests'" >&2
    exit 1
fi

# Serial GC and C1 only: a tool that runs for well under a second gains nothing from a parallel
# collector or the C2 compiler, and both cost start-up time and memory. JVM warnings go to stderr,
# never into a tool's output.
gleaner_jvm_flags=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:-UsePerfData
    -Xlog:disable -Xlog:all=warning,cds*=off:stderr)
if [ $gleaner_installed = 1 ] && [ -d "$gleaner_lib/native" ]; then
    gleaner_jvm_flags+=(-Djna.boot.library.path="$gleaner_lib/native" -Djna.nounpack=true
        -Djffi.boot.library.path="$gleaner_lib/native")
fi

# ---- gleaner agent: a long-running, mostly idle daemon -------------------------------------------
# `gleaner agent` (bin/gleaner agent, ./run, the systemd unit) runs for months and works a few
# milliseconds per interval, so its flags favour a small steady footprint over start-up: a heap
# that starts at 4 MiB, is capped at 32 MiB and is given back after a collection leaves it mostly
# free; one compiler thread (C1 only, as above) and a small code cache; small stacks; capped
# metaspace and direct memory; at most two glibc malloc arenas (mallopt(3) M_ARENA_MAX; glibc
# otherwise keeps one per thread that ever allocated); and exit on OutOfMemoryError, for systemd to
# restart it. Measured with bench/agent-footprint.sh. GLEANER_JAVA_OPTS still comes last.
gleaner_agent_jvm_flags=(-Xms4m -Xmx32m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30
    -XX:MaxMetaspaceSize=40m -XX:ReservedCodeCacheSize=16m -XX:MaxDirectMemorySize=8m -Xss256k
    -XX:CICompilerCount=1 -XX:+ExitOnOutOfMemoryError)
gleaner_agent_footprint() { # ARGS...: when they start the agent, adds its flags
    if [ "${1:-}" = agent ]; then
        gleaner_jvm_flags+=("${gleaner_agent_jvm_flags[@]}")
        export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
    fi
}
# ---- end of the agent's flags ---------------------------------------------------------------------

# Class-data sharing (JDK 17 dynamic AppCDS): a run with no archive yet dumps the classes it loaded
# at exit under a name of its own (its pid), the next run renames that dump into place once its
# JVM has exited and maps it from then on. Every run execs java, so the tool keeps the launcher's
# pid: signals, fanotify marks and systemd's MAINPID all reach the JVM itself. The jar's size and
# mtime are in the archive's name, so a rebuilt jar never meets a stale archive (the JVM would also
# refuse it). Nothing is written where the jar's directory is read-only or belongs to an installed
# package. GLEANER_CDS=0 disables it.
gleaner_exec() {
    local main_class=$1
    shift
    local jar_dir prefix archive dump
    local cds=()
    jar_dir=$(dirname "$gleaner_jar")
    prefix="$jar_dir/.$(basename "$gleaner_jar" .jar)-${main_class##*.}"
    archive="$prefix-$(stat -c '%s-%Y' "$gleaner_jar").jsa"
    if [ "${GLEANER_CDS:-1}" != 0 ] && [ $gleaner_installed = 0 ] && [ -w "$jar_dir" ]; then
        for dump in "$prefix"-*.jsa "$prefix"-*.jsa.*; do
            case $dump in
                "$archive") ;;
                "$archive".*)
                    # a dump whose JVM has exited is complete: promote it (rename is atomic)
                    [ -d "/proc/${dump##*.}" ] || mv -f "$dump" "$archive" 2>/dev/null || true ;;
                *) rm -f "$dump" ;;  # made for another build of the jar
            esac
        done
        if [ -s "$archive" ]; then
            cds=(-XX:SharedArchiveFile="$archive")
        else
            cds=(-XX:ArchiveClassesAtExit="$archive.$$")
        fi
    elif [ "${GLEANER_CDS:-1}" != 0 ] && [ -r "$archive" ]; then
        cds=(-XX:SharedArchiveFile="$archive")
    fi
    exec "$gleaner_java" "${gleaner_jvm_flags[@]}" "${cds[@]}" ${GLEANER_JAVA_OPTS:-} -cp "$gleaner_jar" "$main_class" "$@"
}
