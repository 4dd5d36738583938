package org.gleaner.collectors.smaps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The parser against smaps captured on this machine (kernel 6.18), older-kernel variants and bad input. */
class SmapsParserTest {

    record Parsed(String name, long device, long inode, MemoryUsage usage) {}

    static List<Parsed> parse(byte[] text) {
        List<Parsed> mappings = new ArrayList<>();
        new SmapsParser().parse(text, (device, inode, name, length, counters) -> mappings.add(
                new Parsed(new String(name, 0, length, StandardCharsets.UTF_8), device, inode, counters.toUsage())));
        return mappings;
    }

    static byte[] fixture(String name) throws IOException {
        try (InputStream in = SmapsParserTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    /** An independent reading of a well-formed file: every "Key: N kB" line summed by key. */
    static Map<String, Long> sumsByKey(byte[] text) {
        Map<String, Long> sums = new HashMap<>();
        for (String line : new String(text, StandardCharsets.UTF_8).split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 3 && parts[0].endsWith(":") && parts[2].equals("kB")) {
                sums.merge(parts[0].substring(0, parts[0].length() - 1), Long.parseLong(parts[1]) * 1024, Long::sum);
            }
        }
        return sums;
    }

    static long headers(byte[] text) {
        return Arrays.stream(new String(text, StandardCharsets.UTF_8).split("\n"))
                .filter(line -> line.matches("^[0-9a-f]+-[0-9a-f]+ .*")).count();
    }

    @ParameterizedTest
    @ValueSource(strings = {"kernel-6.18-hugetlb-deleted-spaces.smaps", "kernel-6.18-sleep.smaps",
        "kernel-4.2-style-no-swappss-no-hugetlb.smaps", "kernel-6.18-hugetlb.smaps_rollup", "kernel-4.14-style.smaps_rollup"})
    void realFilesAddUpToTheirFields(String name) throws IOException {
        byte[] text = fixture(name);
        List<Parsed> mappings = parse(text);
        Map<String, Long> sums = sumsByKey(text);
        assertEquals(headers(text), mappings.size(), "one mapping per header line");
        MemoryUsage total = mappings.stream().map(Parsed::usage).reduce(MemoryUsage.ZERO, MemoryUsage::plus);
        long hugePrivate = sums.getOrDefault("Private_Hugetlb", 0L);
        long hugeShared = sums.getOrDefault("Shared_Hugetlb", 0L);
        assertEquals(sums.get("Private_Clean") + sums.get("Private_Dirty") + hugePrivate, total.privateBytes());
        assertEquals(sums.get("Shared_Clean") + sums.get("Shared_Dirty") + hugeShared, total.sharedBytes());
        assertEquals(sums.get("Pss"), total.pss());
        assertEquals(sums.get("Swap"), total.swap());
        assertEquals(sums.getOrDefault("SwapPss", 0L), total.swapPss());
        assertEquals(hugePrivate, total.privateHugetlb());
        assertEquals(hugeShared, total.sharedHugetlb());
    }

    @Test
    void namesWithSpacesDeletedFilesHugetlbAndSharedAnonymousMemory() throws IOException {
        List<Parsed> mappings = parse(fixture("kernel-6.18-hugetlb-deleted-spaces.smaps"));
        Parsed spaced = find(mappings, "/tmp/psfx/lib with space.so");
        assertEquals(64 * 1024, spaced.usage().privateBytes());
        assertEquals((0xfeL << 32), spaced.device());
        assertEquals(2147215, spaced.inode());
        assertEquals(32 * 1024, find(mappings, "/tmp/psfx/gone.dat (deleted)").usage().privateBytes());
        Parsed huge = find(mappings, "/anon_hugepage (deleted)");
        assertEquals(2048 * 1024, huge.usage().privateHugetlb());
        assertEquals(2048 * 1024, huge.usage().privateBytes(), "hugetlb pages count although Rss leaves them out");
        assertEquals(0, huge.usage().pss());
        assertEquals(4096 * 1024, find(mappings, "/dev/zero (deleted)").usage().privateBytes());
        assertTrue(mappings.stream().anyMatch(m -> m.name().isEmpty() && m.inode() == 0), "anonymous mappings have no name");
    }

    @Test
    void rollupIsOneEntry() throws IOException {
        List<Parsed> rollup = parse(fixture("kernel-6.18-hugetlb.smaps_rollup"));
        assertEquals(1, rollup.size());
        assertEquals("[rollup]", rollup.get(0).name());
        assertEquals(7461 * 1024, rollup.get(0).usage().pss());
        assertEquals((7388 + 2048) * 1024, rollup.get(0).usage().privateBytes());
    }

    @Test
    void olderKernelsWithoutSwapPssOrHugetlbFieldsReadAsZero() throws IOException {
        MemoryUsage total = parse(fixture("kernel-4.2-style-no-swappss-no-hugetlb.smaps")).stream()
                .map(Parsed::usage).reduce(MemoryUsage.ZERO, MemoryUsage::plus);
        assertEquals(0, total.swapPss());
        assertEquals(0, total.hugetlb());
    }

    @Test
    void truncatedFileKeepsWhatItHolds() throws IOException {
        byte[] text = fixture("truncated-mid-line.smaps");
        List<Parsed> mappings = parse(text);
        assertEquals(headers(text), mappings.size());
        Parsed last = mappings.get(mappings.size() - 1);
        assertEquals("/tmp/psfx/lib with space.so", last.name());
        assertEquals(0, last.usage().pss(), "the file ends at 'Pss:' and blanks: a field without a value is absent");
    }

    @Test
    void malformedLinesAreSkipped() throws IOException {
        List<Parsed> mappings = parse(fixture("malformed.smaps"));
        assertEquals(List.of("", "/lib/x.so", "/weird\u0001name"), mappings.stream().map(Parsed::name).toList());
        assertEquals(4 * 1024, mappings.get(0).usage().privateBytes());
        assertEquals(0, mappings.get(0).usage().swap(), "an absurd value is dropped, not wrapped around");
        assertEquals(0, mappings.get(0).usage().pss());
        assertEquals(8 * 1024, mappings.get(1).usage().privateBytes());
        assertEquals(12 * 1024, mappings.get(2).usage().privateBytes());
    }

    @Test
    void lineLongerThanTheBufferIsSkippedWhole() {
        String longName = "/" + "x".repeat(100_000);
        byte[] text = ("7f00-7f10 rw-p 00000000 fe:00 5 " + longName + "\nRss: 4 kB\nPrivate_Dirty: 4 kB\n"
                + "7f10-7f20 rw-p 00000000 fe:00 6 /short\nPrivate_Dirty: 8 kB\n").getBytes(StandardCharsets.US_ASCII);
        List<Parsed> mappings = parse(text);
        assertEquals(1, mappings.size());
        assertEquals("/short", mappings.get(0).name());
        assertEquals(8 * 1024, mappings.get(0).usage().privateBytes());
    }

    @Test
    void everyTruncationAndRandomDamageParsesWithoutException() throws IOException {
        byte[] text = fixture("kernel-6.18-hugetlb-deleted-spaces.smaps");
        for (int length = 0; length < text.length; length += 7) {
            parse(Arrays.copyOf(text, length));
        }
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            byte[] damaged = text.clone();
            for (int hits = 0; hits < 20; hits++) {
                damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
            }
            parse(damaged);
        }
        byte[] noise = new byte[200_000];
        random.nextBytes(noise);
        parse(noise);
    }

    private static Parsed find(List<Parsed> mappings, String name) {
        return mappings.stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no mapping " + name + " in " + mappings.stream().map(Parsed::name).toList()));
    }
}
