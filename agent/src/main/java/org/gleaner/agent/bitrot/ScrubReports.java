package org.gleaner.agent.bitrot;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.gleaner.agent.psmem.Text;
import org.gleaner.collectors.bitrot.Finding;
import org.gleaner.collectors.bitrot.ScrubCounts;
import org.gleaner.collectors.bitrot.ScrubStore;
import org.gleaner.collectors.bitrot.Scrubber;
import org.gleaner.collectors.text.ByteText;

/** How bitrot-scrub shows its findings, summaries and coverage: text lines, or one JSON document. */
public final class ScrubReports {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);

    private ScrubReports() {}

    /** The one-line summary on stderr. */
    public static String summary(ScrubCounts counts, Scrubber.Report report) {
        StringBuilder line = new StringBuilder("bitrot-scrub: ");
        line.append(counts.filesSeen.get()).append(" files (").append(Text.size(counts.bytesSeen.get())).append("): ")
                .append(counts.filesBaselined.get()).append(" baselined, ")
                .append(counts.filesEdited.get()).append(" edited, ")
                .append(counts.filesVerified.get()).append(" verified (").append(Text.size(counts.bytesVerified.get())).append("), ")
                .append(report.findings().size()).append(" corrupt (").append(counts.corruptionsFound.get()).append(" new), ")
                .append(counts.restored.get()).append(" restored, ")
                .append(counts.moved.get()).append(" moved, ")
                .append(counts.removed.get()).append(" removed, ")
                .append(counts.skippedChanging.get() + counts.vanishedWhileRead.get()).append(" changing while read, ")
                .append(counts.readErrors.get()).append(" unreadable; ")
                .append(String.format("%.1f s", report.elapsedMillis() / 1000.0));
        if (!report.complete()) {
            line.append("; stopped before the end (limit or signal): the next run goes on from there");
        }
        return line.toString();
    }

    public static String readError(Scrubber.ReadError error) {
        StringBuilder line = new StringBuilder("bitrot-scrub: cannot read ");
        ByteText.appendHuman(line, error.path(), 0, error.path().length);
        return line.append(": ").append(error.reason()).toString();
    }

    public static String scrubJson(List<byte[]> roots, String db, ScrubCounts counts, Scrubber.Report report, int exit) {
        StringBuilder json = new StringBuilder(4096).append('{');
        json.append("\"roots\":[");
        for (int i = 0; i < roots.size(); i++) {
            json.append(i > 0 ? "," : "");
            ByteText.appendJsonString(json, ByteText.human(roots.get(i)));
        }
        json.append("],\"db\":");
        ByteText.appendJsonString(json, db);
        json.append(",\"hash\":\"").append(report.hash()).append("\",\"io_priority\":");
        ByteText.appendJsonString(json, report.ioPriority());
        json.append(",\"complete\":").append(report.complete()).append(",\"exit\":").append(exit);
        findingsJson(json, report.findings());
        json.append(",\"unreadable\":[");
        List<Scrubber.ReadError> errors = report.unreadable();
        for (int i = 0; i < errors.size(); i++) {
            json.append(i > 0 ? ",\n" : "\n").append('{');
            ByteText.appendJsonMember(json, "path", errors.get(i).path()).append(",\"error\":");
            ByteText.appendJsonString(json, errors.get(i).reason()).append('}');
        }
        json.append("],\"summary\":{")
                .append("\"files\":").append(counts.filesSeen.get())
                .append(",\"bytes\":").append(counts.bytesSeen.get())
                .append(",\"baselined\":").append(counts.filesBaselined.get())
                .append(",\"baselined_bytes\":").append(counts.bytesBaselined.get())
                .append(",\"edited\":").append(counts.filesEdited.get())
                .append(",\"verified\":").append(counts.filesVerified.get())
                .append(",\"verified_bytes\":").append(counts.bytesVerified.get())
                .append(",\"corrupt\":").append(report.findings().size())
                .append(",\"corrupt_new\":").append(counts.corruptionsFound.get())
                .append(",\"restored\":").append(counts.restored.get())
                .append(",\"moved\":").append(counts.moved.get())
                .append(",\"removed\":").append(counts.removed.get())
                .append(",\"skipped_changing\":").append(counts.skippedChanging.get())
                .append(",\"vanished_while_read\":").append(counts.vanishedWhileRead.get())
                .append(",\"read_errors\":").append(counts.readErrors.get())
                .append(",\"elapsed_ms\":").append(report.elapsedMillis())
                .append("}}\n");
        return json.toString();
    }

    private static void findingsJson(StringBuilder json, List<Finding> findings) {
        json.append(",\"findings\":[");
        for (int i = 0; i < findings.size(); i++) {
            Finding finding = findings.get(i);
            json.append(i > 0 ? ",\n" : "\n").append('{');
            ByteText.appendJsonMember(json, "path", finding.path()).append(",\"ranges\":[");
            for (int r = 0; r < finding.ranges().size(); r++) {
                long[] range = finding.ranges().get(r);
                json.append(r > 0 ? "," : "").append('[').append(range[0]).append(',').append(range[1]).append(']');
            }
            json.append("],\"metadata_unchanged\":").append(finding.metadataUnchanged())
                    .append(",\"size\":").append(finding.size())
                    .append(",\"last_good\":\"").append(Instant.ofEpochMilli(finding.lastGood()))
                    .append("\",\"found\":\"").append(Instant.ofEpochMilli(finding.foundAt())).append("\"}");
        }
        json.append(']');
    }

    /** The status report: coverage lines, then one line per open finding. */
    public static String statusText(ScrubStore.Coverage coverage, int days, long now, List<Finding> findings) {
        StringBuilder text = new StringBuilder();
        text.append("files with a baseline: ").append(coverage.files()).append(" (").append(Text.size(coverage.bytes())).append(")\n");
        text.append("checked within ").append(days).append(" days (baselined or verified): ").append(coverage.checkedWithin());
        if (coverage.files() > 0) {
            text.append(String.format(" (%.1f%%)", 100.0 * coverage.checkedWithin() / coverage.files()));
        }
        text.append('\n');
        text.append("never verified since baselined: ").append(coverage.neverVerified()).append('\n');
        text.append("not yet baselined: ").append(coverage.unbaselined()).append('\n');
        text.append("oldest check: ");
        if (coverage.oldestCheck() == null) {
            text.append("none");
        } else {
            text.append(DAY.format(Instant.ofEpochMilli(coverage.oldestCheck()))).append(" (")
                    .append((now - coverage.oldestCheck()) / 86_400_000L).append(" days ago)");
        }
        text.append('\n').append("open findings: ").append(coverage.openFindings()).append('\n');
        for (Finding finding : findings) {
            text.append(finding.line()).append('\n');
        }
        return text.toString();
    }

    public static String statusJson(String db, ScrubStore.Coverage coverage, int days, List<Finding> findings) {
        StringBuilder json = new StringBuilder(1024).append("{\"db\":");
        ByteText.appendJsonString(json, db);
        json.append(",\"files\":").append(coverage.files())
                .append(",\"bytes\":").append(coverage.bytes())
                .append(",\"days\":").append(days)
                .append(",\"checked_within_days\":").append(coverage.checkedWithin())
                .append(",\"never_verified\":").append(coverage.neverVerified())
                .append(",\"not_baselined\":").append(coverage.unbaselined())
                .append(",\"oldest_check\":")
                .append(coverage.oldestCheck() == null ? "null" : "\"" + Instant.ofEpochMilli(coverage.oldestCheck()) + "\"")
                .append(",\"open_findings\":").append(coverage.openFindings());
        findingsJson(json, findings);
        return json.append("}\n").toString();
    }
}
