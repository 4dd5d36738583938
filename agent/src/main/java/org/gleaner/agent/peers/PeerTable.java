package org.gleaner.agent.peers;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.gleaner.collectors.conntrack.Traffic;

/**
 * The rows of {@code gleaner peers}: per peer, either rates over one interval or totals since the
 * start, busiest (bytes in + out) first, cut to the top N, then a total row. Renders as a table,
 * as plain lines or as one JSON object; peer names are addresses or prefixes (ASCII).
 */
public final class PeerTable {
    /** One peer: its six values (see {@link Traffic}) as rates per second or as totals. */
    public record Row(String peer, double[] values) {}

    private final List<Row> rows;
    private final Row total;
    private final boolean rates;
    private final double seconds;

    private PeerTable(List<Row> rows, Row total, boolean rates, double seconds) {
        this.rows = rows;
        this.total = total;
        this.rates = rates;
        this.seconds = seconds;
    }

    /** From what the peers gained over {@code seconds}: rates per second if {@code rates}, else totals. */
    public static PeerTable of(Map<String, long[]> peers, double seconds, boolean rates, int top) {
        double divisor = rates && seconds > 0 ? seconds : 1;
        List<Row> rows = new ArrayList<>();
        double[] total = new double[Traffic.NAMES.size()];
        for (Map.Entry<String, long[]> peer : peers.entrySet()) {
            double[] values = new double[Traffic.NAMES.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = peer.getValue()[i] / divisor;
                total[i] += values[i];
            }
            rows.add(new Row(peer.getKey(), values));
        }
        rows.sort(Comparator.comparingDouble((Row row) -> -(row.values()[Traffic.BYTES_IN] + row.values()[Traffic.BYTES_OUT]))
                .thenComparing(Row::peer));
        return new PeerTable(List.copyOf(rows.subList(0, Math.min(top, rows.size()))), new Row("total", total), rates, seconds);
    }

    /** A fixed-width table with a heading, for a terminal redrawn in place. */
    public String table(String heading) {
        StringBuilder out = new StringBuilder(heading).append('\n');
        String unit = rates ? "/s" : "";
        out.append(String.format(Locale.ROOT, "%-40s %12s %12s %10s %10s %8s %8s%n", "PEER", "IN B" + unit, "OUT B" + unit,
                "IN PKT" + unit, "OUT PKT" + unit, "STARTED", "ENDED"));
        for (Row row : rows) {
            out.append(line(row, "%-40s %12s %12s %10s %10s %8s %8s%n"));
        }
        out.append(line(total, "%-40s %12s %12s %10s %10s %8s %8s%n"));
        return out.toString();
    }

    /** One line per peer and the total, each starting with {@code prefix} (the time), for pipes. */
    public String lines(String prefix) {
        StringBuilder out = new StringBuilder();
        for (Row row : rows) {
            out.append(prefix).append(' ').append(line(row, "%s %s %s %s %s %s %s%n"));
        }
        out.append(prefix).append(' ').append(line(total, "%s %s %s %s %s %s %s%n"));
        return out.toString();
    }

    /** One JSON object on one line: {"seconds":…,"rates":…,"peers":[{"peer":…,"bytes_in":…,…}],"total":{…}}. */
    public String json() {
        StringBuilder out = new StringBuilder("{\"seconds\":").append(number(seconds)).append(",\"rates\":").append(rates).append(",\"peers\":[");
        for (int r = 0; r < rows.size(); r++) {
            out.append(r > 0 ? "," : "");
            object(out, rows.get(r));
        }
        out.append("],\"total\":");
        object(out, total);
        return out.append("}\n").toString();
    }

    private static void object(StringBuilder out, Row row) {
        out.append("{\"peer\":\"").append(row.peer()).append('"');
        for (int i = 0; i < Traffic.NAMES.size(); i++) {
            out.append(",\"").append(Traffic.NAMES.get(i)).append("\":").append(number(row.values()[i]));
        }
        out.append('}');
    }

    private String line(Row row, String format) {
        Object[] values = new Object[Traffic.NAMES.size() + 1];
        values[0] = row.peer();
        for (int i = 0; i < Traffic.NAMES.size(); i++) {
            values[i + 1] = number(row.values()[i]);
        }
        return String.format(Locale.ROOT, format, values);
    }

    /** Whole numbers as such, rates with one decimal. */
    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.1f", value);
    }
}
