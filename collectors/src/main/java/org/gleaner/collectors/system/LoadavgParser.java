package org.gleaner.collectors.system;

/**
 * /proc/loadavg: "0.01 0.09 0.05 2/96 6739" — load averages over 1, 5 and 15 minutes, runnable and
 * total scheduling entities, last pid (not reported). See proc_loadavg(5).
 */
public final class LoadavgParser {
    private LoadavgParser() {}

    public static Parsed parse(String text) {
        return Parsed.eachLine(text, (fields, into) -> {
            Parsed.expectFields(fields, 5);
            String[] entities = fields[3].split("/");
            Parsed.expectFields(entities, 2);
            double one = Double.parseDouble(fields[0]);
            double five = Double.parseDouble(fields[1]);
            double fifteen = Double.parseDouble(fields[2]);
            long runnable = Long.parseLong(entities[0]);
            long total = Long.parseLong(entities[1]);
            into.add(Reading.gauge(one, "loadavg", "1min"));
            into.add(Reading.gauge(five, "loadavg", "5min"));
            into.add(Reading.gauge(fifteen, "loadavg", "15min"));
            into.add(Reading.gauge(runnable, "loadavg", "runnable"));
            into.add(Reading.gauge(total, "loadavg", "entities"));
        });
    }
}
