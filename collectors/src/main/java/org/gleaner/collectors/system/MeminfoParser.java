package org.gleaner.collectors.system;

/**
 * /proc/meminfo: "MemTotal:  16318020 kB" lines, as gauges in bytes (HugePages_* lines have no unit
 * and are counts). A parenthesised part becomes a suffix: "Active(anon)" → "Active_anon".
 * Fields come and go between kernel versions, so every line is taken by its name.
 */
public final class MeminfoParser {
    private MeminfoParser() {}

    public static Parsed parse(String text) {
        return Parsed.eachLine(text, (fields, into) -> {
            if (fields.length < 2 || fields.length > 3 || !fields[0].endsWith(":")) {
                throw new IllegalArgumentException("not a meminfo line");
            }
            long value = Long.parseLong(fields[1]);
            if (fields.length == 3) {
                if (!fields[2].equals("kB")) {
                    throw new IllegalArgumentException("unknown unit " + fields[2]);
                }
                value = Math.multiplyExact(value, 1024L);
            }
            into.add(Reading.gauge(value, "meminfo", fieldName(fields[0])));
        });
    }

    private static String fieldName(String label) {
        String name = label.substring(0, label.length() - 1);
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty name");
        }
        return name.replace("(", "_").replace(")", "");
    }
}
