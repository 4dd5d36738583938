package org.gleaner.collectors.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.gleaner.collectors.Collector;
import org.gleaner.collectors.MetricSink;
import org.gleaner.collectors.procfs.KernelFileReader;

/**
 * The host's own figures: load, memory, VM events, CPU time, pressure stall information.
 * Each file is read whole with one {@link KernelFileReader}, then parsed; each reading carries the
 * time its file was read.
 * Pressure files are optional (kernels built without PSI, or booted with psi=0).
 */
public final class SystemCollector implements Collector {
    private record Source(Path file, Function<String, Parsed> parser) {}

    /** /proc/stat grows with the CPU and interrupt counts; none of these files comes near this. */
    private static final int MAX_FILE_BYTES = 16 << 20;

    private final List<Source> sources = new ArrayList<>();
    private final KernelFileReader reader = new KernelFileReader(16 * 1024, MAX_FILE_BYTES);
    private long malformedLines;

    public SystemCollector(Path proc, boolean perCpu) {
        sources.add(new Source(proc.resolve("loadavg"), LoadavgParser::parse));
        sources.add(new Source(proc.resolve("meminfo"), MeminfoParser::parse));
        sources.add(new Source(proc.resolve("vmstat"), VmstatParser::parse));
        sources.add(new Source(proc.resolve("stat"), text -> StatParser.parse(text, perCpu)));
        for (String resource : List.of("cpu", "io", "memory")) {
            Path file = proc.resolve("pressure").resolve(resource);
            if (Files.isReadable(file)) {
                sources.add(new Source(file, text -> PressureParser.parse(resource, text)));
            }
        }
    }

    @Override
    public void collect(MetricSink sink) throws IOException {
        for (Source source : sources) {
            int length = reader.read(source.file().toString());
            if (length < 0) {
                throw new IOException(source.file() + ": cannot be read");
            }
            String text = new String(reader.buffer(), 0, length, StandardCharsets.ISO_8859_1);
            long readMillis = System.currentTimeMillis();
            Parsed parsed = source.parser().apply(text);
            malformedLines += parsed.malformedLines();
            for (Reading reading : parsed.readings()) {
                reading.emitTo(sink, readMillis);
            }
        }
        sink.gauge(System.currentTimeMillis(), malformedLines, "malformed_lines");
    }
}
