package org.gleaner.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.gleaner.collectors.smaps.SmapsCounters;
import org.gleaner.collectors.smaps.SmapsHandler;
import org.gleaner.collectors.smaps.SmapsParser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Parse throughput of smaps text: the smaps of every readable process on this machine, captured
 * once at setup and parsed from memory, so only the parser is measured (the kernel's own cost of
 * producing smaps is what bench/ps-mem.sh measures). MB/s = bytes per op / time per op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SmapsParserBenchmark {
    private byte[] smaps;
    private final SmapsParser parser = new SmapsParser();

    @Setup
    public void capture() throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path process : processes) {
                try {
                    out.write(Files.readAllBytes(process.resolve("smaps")));
                } catch (IOException gone) {
                    // exited or unreadable: skip
                }
            }
        }
        smaps = out.toByteArray();
        System.out.printf("%nsmaps text: %d bytes per op (divide by the time per op for MB/s)%n", smaps.length);
    }

    @Benchmark
    public void parse(Blackhole blackhole) {
        parser.parse(smaps, new Consumer(blackhole));
    }

    private record Consumer(Blackhole blackhole) implements SmapsHandler {
        @Override
        public void mapping(long device, long inode, byte[] name, int nameLength, SmapsCounters counters) {
            blackhole.consume(counters.rss());
            blackhole.consume(inode);
        }
    }
}
