package org.gleaner.collectors.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The /proc parsers against files captured on the build machine, and against broken input. */
class SystemParsersTest {

    static String fixture(String name) throws IOException {
        try (InputStream in = SystemParsersTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** "a.b.c" → reading, for lookups by name. */
    static Map<String, Reading> byName(Parsed parsed) {
        Map<String, Reading> map = new LinkedHashMap<>();
        parsed.readings().forEach(r -> map.put(String.join(".", r.path()), r));
        return map;
    }

    @Test
    void loadavgFixture() throws IOException {
        Parsed parsed = LoadavgParser.parse(fixture("loadavg"));
        assertEquals(0, parsed.malformedLines());
        Map<String, Reading> readings = byName(parsed);
        assertEquals(List.of("loadavg.1min", "loadavg.5min", "loadavg.15min", "loadavg.runnable", "loadavg.entities"),
                List.copyOf(readings.keySet()));
        assertEquals(0.01, readings.get("loadavg.1min").gauge());
        assertEquals(0.05, readings.get("loadavg.15min").gauge());
        assertEquals(94, readings.get("loadavg.entities").gauge());
        assertFalse(readings.get("loadavg.1min").counter());
    }

    @Test
    void meminfoFixtureIsInBytes() throws IOException {
        String text = fixture("meminfo");
        Parsed parsed = MeminfoParser.parse(text);
        assertEquals(0, parsed.malformedLines());
        assertEquals(text.lines().count(), parsed.readings().size());
        Map<String, Reading> readings = byName(parsed);
        long memTotalKb = Long.parseLong(text.lines().filter(l -> l.startsWith("MemTotal:")).findFirst().orElseThrow()
                .replaceAll("\\D", ""));
        assertEquals(memTotalKb * 1024, readings.get("meminfo.MemTotal").gauge());
        assertTrue(readings.containsKey("meminfo.Active_anon"), "Active(anon) becomes Active_anon");
        assertTrue(readings.containsKey("meminfo.HugePages_Total"), "a line without unit is a count");
    }

    @Test
    void vmstatSeparatesAmountsFromEvents() throws IOException {
        Parsed parsed = VmstatParser.parse(fixture("vmstat"));
        assertEquals(0, parsed.malformedLines());
        Map<String, Reading> readings = byName(parsed);
        assertFalse(readings.get("vmstat.nr_free_pages").counter());
        assertFalse(readings.get("vmstat.workingset_nodes").counter());
        assertTrue(readings.get("vmstat.pgfault").counter());
        assertTrue(readings.get("vmstat.nr_dirtied").counter());
        assertTrue(readings.get("vmstat.workingset_refault_file").counter());
        assertEquals(941723, readings.get("vmstat.nr_free_pages").gauge());
    }

    @Test
    void statFixture() throws IOException {
        Parsed parsed = StatParser.parse(fixture("stat"), false);
        assertEquals(0, parsed.malformedLines());
        Map<String, Reading> readings = byName(parsed);
        assertEquals(4843, readings.get("cpu.total.user").count());
        assertEquals(82171, readings.get("cpu.total.idle").count());
        assertEquals(0, readings.get("cpu.total.guest_nice").count());
        assertTrue(readings.get("cpu.total.user").counter());
        assertEquals(329418, readings.get("context_switches").count());
        assertEquals(6804, readings.get("forks").count());
        assertEquals(145389, readings.get("interrupts").count());
        assertEquals(92742, readings.get("softirqs").count());
        assertEquals(1, readings.get("procs.running").gauge());
        assertEquals(0, readings.get("procs.blocked").gauge());
        assertFalse(readings.keySet().stream().anyMatch(name -> name.startsWith("cpu.0")), "per-CPU lines only on request");

        Map<String, Reading> perCpu = byName(StatParser.parse(fixture("stat"), true));
        assertEquals(2194, perCpu.get("cpu.0.user").count());
    }

    @Test
    void pressureFixtures() throws IOException {
        Map<String, Reading> cpu = byName(PressureParser.parse("cpu", fixture("pressure-cpu")));
        assertEquals(11.16, cpu.get("pressure.cpu.some.avg10").gauge());
        assertEquals(2.07, cpu.get("pressure.cpu.some.avg300").gauge());
        assertEquals(12184777, cpu.get("pressure.cpu.some.total_usec").count());
        assertTrue(cpu.get("pressure.cpu.some.total_usec").counter());
        assertTrue(cpu.containsKey("pressure.cpu.full.avg60"));
        for (String resource : List.of("io", "memory")) {
            Parsed parsed = PressureParser.parse(resource, fixture("pressure-" + resource));
            assertEquals(0, parsed.malformedLines());
            assertEquals(8, parsed.readings().size(), resource);
        }
    }

    @Test
    void malformedLinesAreSkippedAndCounted() {
        Parsed load = LoadavgParser.parse("0.01 0.09\n");
        assertEquals(List.of(), load.readings());
        assertEquals(1, load.malformedLines());

        Parsed meminfo = MeminfoParser.parse("MemTotal: 100 kB\nMemFree: lots kB\nBogus\nCached: 5 MB\nBuffers: 2 kB\n");
        assertEquals(List.of("meminfo.MemTotal", "meminfo.Buffers"), List.copyOf(byName(meminfo).keySet()));
        assertEquals(3, meminfo.malformedLines());

        Parsed vmstat = VmstatParser.parse("pgfault 10\npgmajfault\nnr_free_pages -x\npswpin 99999999999999999999\npswpout 3\n");
        assertEquals(List.of("vmstat.pgfault", "vmstat.pswpout"), List.copyOf(byName(vmstat).keySet()));
        assertEquals(3, vmstat.malformedLines());

        Parsed stat = StatParser.parse("cpu  1 2\ncpuX 1 2 3 4\nctxt\nprocesses 5 6\nprocs_running 3\n", false);
        assertEquals(List.of("procs.running"), List.copyOf(byName(stat).keySet()));
        assertEquals(4, stat.malformedLines());

        Parsed pressure = PressureParser.parse("io", "some avg10=0.00 avg60=0.00 avg300=0.00\n"
                + "full avg10=x avg60=0.00 avg300=0.00 total=0\nhalf avg10=0 avg60=0 avg300=0 total=0\n"
                + "full avg10=1.00 avg60=0.00 avg300=0.00 total=7\n");
        assertEquals(4, pressure.readings().size());
        assertEquals(3, pressure.malformedLines());
    }

    @Test
    void truncatedFilesGiveWhatIsComplete() throws IOException {
        String stat = fixture("stat");
        String truncated = stat.substring(0, stat.indexOf("ctxt") + 4);
        Parsed parsed = StatParser.parse(truncated, false);
        assertTrue(byName(parsed).containsKey("cpu.total.user"));
        assertFalse(byName(parsed).containsKey("context_switches"));
        assertEquals(1, parsed.malformedLines());

        String meminfo = fixture("meminfo");
        Parsed cut = MeminfoParser.parse(meminfo.substring(0, meminfo.length() / 2));
        assertTrue(cut.readings().size() > 10);
        assertTrue(cut.malformedLines() <= 1);

        for (String empty : List.of("", "\n", "   \n\n")) {
            assertEquals(0, LoadavgParser.parse(empty).readings().size());
            assertEquals(0, VmstatParser.parse(empty).malformedLines());
        }
    }

    @Test
    void binaryGarbageNeverThrows() {
        StringBuilder garbage = new StringBuilder();
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 4096; i++) {
            garbage.append((char) random.nextInt(256));
        }
        String text = garbage.toString();
        LoadavgParser.parse(text);
        MeminfoParser.parse(text);
        VmstatParser.parse(text);
        StatParser.parse(text, true);
        PressureParser.parse("cpu", text);
    }
}
