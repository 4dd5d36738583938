package org.gleaner.collectors.system;

/**
 * /proc/pressure/{cpu,io,memory} (Documentation/accounting/psi.rst):
 * "some avg10=0.00 avg60=0.00 avg300=0.00 total=0" and a "full" line. The averages are percent
 * gauges; total is the cumulative stall time in microseconds, a counter.
 */
public final class PressureParser {
    private PressureParser() {}

    public static Parsed parse(String resource, String text) {
        return Parsed.eachLine(text, (fields, into) -> {
            Parsed.expectFields(fields, 5);
            String kind = fields[0];
            if (!kind.equals("some") && !kind.equals("full")) {
                throw new IllegalArgumentException("unknown pressure line " + kind);
            }
            double avg10 = Double.parseDouble(value(fields[1], "avg10"));
            double avg60 = Double.parseDouble(value(fields[2], "avg60"));
            double avg300 = Double.parseDouble(value(fields[3], "avg300"));
            long total = Long.parseLong(value(fields[4], "total"));
            into.add(Reading.gauge(avg10, "pressure", resource, kind, "avg10"));
            into.add(Reading.gauge(avg60, "pressure", resource, kind, "avg60"));
            into.add(Reading.gauge(avg300, "pressure", resource, kind, "avg300"));
            into.add(Reading.counter(total, "pressure", resource, kind, "total_usec"));
        });
    }

    private static String value(String field, String name) {
        if (!field.startsWith(name + "=")) {
            throw new IllegalArgumentException("expected " + name);
        }
        return field.substring(name.length() + 1);
    }
}
