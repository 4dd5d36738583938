# Sourced by the launchers in bin/: runs a gleaner main class from the shaded jar with JVM flags
# for a short-lived command-line tool. Not executable on its own.
# Shell builtins and parameter expansion where they will do: each command run from here costs a
# tool a fork and an exec. The launchers source this file by its resolved absolute path.
gleaner_home=${BASH_SOURCE[0]}
[[ $gleaner_home == /* ]] || gleaner_home=$(readlink -f "$gleaner_home")
gleaner_home=${gleaner_home%/bin/*}
gleaner_java=java
if [ -r "$gleaner_home/gleaner.jar" ]; then
    # Installed by a package or system extension (packaging/build): the jar is in /usr/share/gleaner,
    # the JNA, jffi and SQLite natives, and in the system extension a Java runtime, in /usr/lib/gleaner.
    # Loaded from there, the natives need no executable /tmp: by default JNA, jffi and sqlite-jdbc unpack them
    # into java.io.tmpdir and map them from there, which fails on a noexec /tmp.
    gleaner_installed=1
    gleaner_jar=${GLEANER_JAR:-$gleaner_home/gleaner.jar}
    gleaner_archive=${GLEANER_CDS_ARCHIVE:-/var/cache/gleaner/gleaner.jsa}  # made by the package's postinst
    gleaner_lib=${gleaner_home%/share/gleaner}/lib/gleaner
    [ -x "$gleaner_lib/jre/bin/java" ] && gleaner_java=$gleaner_lib/jre/bin/java
else
    gleaner_installed=0
    gleaner_jar=${GLEANER_JAR:-$gleaner_home/agent/target/gleaner.jar}
    gleaner_archive=${GLEANER_CDS_ARCHIVE:-${gleaner_jar%.jar}.jsa}
fi
if [ ! -r "$gleaner_jar" ]; then
    echo "${0##*/}: $gleaner_jar is missing: build it first with 'mvn -B package -DskipTests'" >&2
    exit 1
fi

# Serial GC and C1 only: a tool that runs for well under a second gains nothing from a parallel
# collector or the C2 compiler, and both cost start-up time and memory. JVM warnings go to stderr,
# never into a tool's output. JNA, jffi and sqlite-jdbc load native code, which a JDK 22 or later
# warns about at every run unless native access is granted (JEP 472); JDK 17 takes the flag silently.
gleaner_jvm_flags=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k -XX:-UsePerfData
    -Xlog:disable -Xlog:all=warning,cds*=off:stderr --enable-native-access=ALL-UNNAMED)
if [ $gleaner_installed = 1 ] && [ -d "$gleaner_lib/native" ]; then
    gleaner_jvm_flags+=(-Djna.boot.library.path="$gleaner_lib/native" -Djna.nounpack=true
        -Djffi.boot.library.path="$gleaner_lib/native")
    [ -e "$gleaner_lib/native/libsqlitejdbc.so" ] && gleaner_jvm_flags+=(
        -Dorg.sqlite.lib.path="$gleaner_lib/native" -Dorg.sqlite.lib.name=libsqlitejdbc.so)
fi

# ---- gleaner agent: a long-running, mostly idle daemon -------------------------------------------
# `gleaner agent` (bin/gleaner agent, ./run, the systemd unit) runs for months and works a few
# milliseconds per interval, so its flags favour a small steady footprint: a heap that starts at
# 8 MiB and is capped at 32 MiB (the JVM's own free ratios: with tighter ones the old generation
# shrank to its live data and filled again every few cycles, a full collection each time); one
# compiler thread (C1 only, as above) and a small code cache; small stacks; capped
# metaspace and direct memory; at most two glibc malloc arenas (mallopt(3) M_ARENA_MAX; glibc
# otherwise keeps one per thread that ever allocated); and exit on OutOfMemoryError, for systemd
# to restart it. An idle JDK 17 wakes five times a second for its own housekeeping: the VM thread
# once a second for a safepoint it rarely needs (GuaranteedSafepointInterval, 0 by default from
# JDK 21 on) and the monitor-deflation thread four times (AsyncDeflationInterval; it waits for the
# least of the two and GuaranteedAsyncDeflationInterval, 60 s): 5 to 6.5 of the 6 to 7 ms an idle JVM
# spends per 10 s here. Both are diagnostic flags, in JDK 17 as in 25; with them the VM thread
# sleeps until it has work and idle monitors are deflated once a minute (the guaranteed interval;
# at 10 s the deflation thread still took 0.4 ms per 10 s cycle, at 60 s 0.05). Measured with
# bench/agent-footprint.sh. GLEANER_JAVA_OPTS still comes last.
gleaner_agent_jvm_flags=(-Xms8m -Xmx32m
    -XX:MaxMetaspaceSize=40m -XX:ReservedCodeCacheSize=16m -XX:MaxDirectMemorySize=8m -Xss256k
    -XX:CICompilerCount=1 -XX:+ExitOnOutOfMemoryError
    -XX:+UnlockDiagnosticVMOptions -XX:GuaranteedSafepointInterval=0 -XX:AsyncDeflationInterval=60000)
gleaner_agent_footprint() { # ARGS...: when they start the agent, adds its flags
    if [ "${1:-}" = agent ]; then
        gleaner_jvm_flags+=("${gleaner_agent_jvm_flags[@]}")
        export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
    fi
}
# ---- end of the agent's flags ---------------------------------------------------------------------

# Class-data sharing. The build makes one archive for all the tools next to the jar (gleaner.jsa,
# by scripts/cds-archive: the JDK's and gleaner's classes as training runs of every launcher load
# them); it is used where the JVM will take it. The Debian package's postinst makes it for the
# installed JDK in /var/cache/gleaner, from the class list of those runs. GLEANER_CDS_ARCHIVE names
# another archive.
#
# Without one, each tool makes its own (JDK 17 dynamic AppCDS): a run that has none dumps the
# classes it loaded at exit under a name of its own (its pid), and the next run renames that dump
# into place once its JVM has exited and maps it from then on. Only a dump whose run did its work
# is put in place (Cli leaves a mark beside it when the command succeeded and was not --help or
# --version): a first run with a bad option or --help would otherwise decide the archive's content
# for good. Every run execs java, so the tool keeps the launcher's pid: signals, fanotify marks and
# systemd's MAINPID all reach the JVM itself. The jar's size and mtime are in the archive's name, so
# a rebuilt jar never meets a stale archive (the JVM would also refuse it). Nothing is written
# where the jar's directory is read-only or belongs to an installed package. GLEANER_CDS=0
# disables both archives.
#
# GLEANER_CDS_CLASSLIST=FILE makes the JVM list the classes it loads in FILE, and GLEANER_AOT_OUTPUT=FILE
# (JDK 25 or later) makes it train an ahead-of-time cache into FILE (both for scripts/cds-archive).
gleaner_exec() {
    local main_class=$1
    shift
    local jar_dir=.
    [[ $gleaner_jar == */* ]] && jar_dir=${gleaner_jar%/*}
    local built=$gleaner_archive
    local cds=()
    if [ "${GLEANER_CDS:-1}" = 0 ]; then
        :
    elif gleaner_archive_fits "$built"; then
        cds=(-XX:SharedArchiveFile="$built")
    elif gleaner_archive_fits "${built%.jsa}.aot"; then
        # a JDK 25 or later's ahead-of-time cache (scripts/cds-archive); its log tag is aot, not cds.
        # Such a JDK also warns at every run that the xxHash library bitrot-scrub hashes with reads
        # memory through sun.misc.Unsafe (JEP 471, 498); JDK 17 would refuse the flag that allows it.
        cds=(-XX:AOTCache="${built%.jsa}.aot" -Xlog:all=warning,cds*=off,aot*=off:stderr
            --sun-misc-unsafe-memory-access=allow)
    else
        gleaner_own_archive "$main_class" "$jar_dir"
    fi
    [ -n "${GLEANER_CDS_CLASSLIST:-}" ] && cds+=(-XX:DumpLoadedClassList="$GLEANER_CDS_CLASSLIST")
    [ -n "${GLEANER_AOT_OUTPUT:-}" ] && cds+=(-XX:AOTCacheOutput="$GLEANER_AOT_OUTPUT")
    exec "$gleaner_java" "${gleaner_jvm_flags[@]}" "${cds[@]}" ${GLEANER_JAVA_OPTS:-} -cp "$gleaner_jar" "$main_class" "$@"
}

# gleaner_archive_fits ARCHIVE: whether the JVM will take ARCHIVE, which it refuses (and then runs
# with no class-data sharing at all) unless it was made for this jar, at this path, by this JDK
# build; ARCHIVE.for names the jar and the JDK (scripts/cds-archive). Bash builtins only: no fork.
gleaner_archive_fits() {
    local jar java_home dir dirs
    [ -s "$1" ] && { read -r jar && read -r java_home; } <"$1.for" 2>/dev/null || return 1
    [ "$jar" = "$gleaner_jar" ] && ! [ "$gleaner_jar" -nt "$1" ] &&
        ! [ "$java_home/lib/server/libjvm.so" -nt "$1" ] || return 1
    if [[ $gleaner_java == */* ]]; then
        [ "$gleaner_java" -ef "$java_home/bin/java" ]
        return
    fi
    IFS=: read -ra dirs <<<"$PATH"
    for dir in "${dirs[@]}"; do  # the java that exec will run
        [ -x "${dir:-.}/java" ] && [ ! -d "${dir:-.}/java" ] || continue
        [ "${dir:-.}/java" -ef "$java_home/bin/java" ]
        return
    done
    return 1
}

# gleaner_own_archive MAIN_CLASS JAR_DIR: sets cds to map or to dump the tool's own archive.
gleaner_own_archive() {
    local prefix archive dump
    prefix=${gleaner_jar##*/}
    prefix="$2/.${prefix%.jar}-${1##*.}"
    archive="$prefix-$(stat -c '%s-%Y' "$gleaner_jar").jsa"
    if [ $gleaner_installed = 0 ] && [ -w "$2" ]; then
        for dump in "$prefix"-*.jsa "$prefix"-*.jsa.*; do
            case $dump in
                "$archive" | "$archive".*.done) ;;
                "$archive".*)
                    # A dump whose JVM has exited is complete (rename is atomic). It is used only
                    # if its run left the mark of a command that did its work; else it goes.
                    [ -d "/proc/${dump##*.}" ] && continue
                    if [ -e "$dump.done" ]; then
                        mv -f "$dump" "$archive" 2>/dev/null || true
                    else
                        rm -f "$dump"
                    fi
                    rm -f "$dump.done" ;;
                *) rm -f "$dump" ;;  # made for another build of the jar
            esac
        done
        if [ -s "$archive" ]; then
            cds=(-XX:SharedArchiveFile="$archive")
        else
            cds=(-XX:ArchiveClassesAtExit="$archive.$$" -Dgleaner.cds.done="$archive.$$.done")
        fi
    elif [ -r "$archive" ]; then
        cds=(-XX:SharedArchiveFile="$archive")
    fi
}
