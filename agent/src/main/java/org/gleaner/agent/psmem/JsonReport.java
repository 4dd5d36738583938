package org.gleaner.agent.psmem;

import java.io.IOException;
import java.util.Base64;
import java.util.List;
import org.gleaner.collectors.smaps.MappingMemory;
import org.gleaner.collectors.smaps.MemoryGroup;
import org.gleaner.collectors.smaps.MemoryGroups;
import org.gleaner.collectors.smaps.MemorySnapshot;
import org.gleaner.collectors.smaps.MemoryUsage;
import org.gleaner.collectors.smaps.ProcessMemory;
import org.gleaner.collectors.text.ByteText;

/**
 * One JSON document, valid UTF-8; every figure in bytes. Names (group, comm, exe, mapping, cmdline)
 * are in their {@link ByteText} human form, with a {@code *_base64} member holding the exact bytes
 * wherever a name is not plain UTF-8.
 */
public final class JsonReport {
    private final Appendable out;

    public JsonReport(Appendable out) {
        this.out = out;
    }

    public void write(List<MemoryGroup> groups, MemoryGroups all, PsMemQuery query, MemorySnapshot snapshot)
            throws IOException {
        out.append(ByteText.appendJsonString(new StringBuilder("{\"source\":"), snapshot.source().fileName()));
        out.append(",\"groups\":[");
        MemoryUsage total = MemoryUsage.ZERO;
        for (int g = 0; g < groups.size(); g++) {
            MemoryGroup group = groups.get(g);
            total = total.plus(group.usage());
            out.append(g > 0 ? ",\n" : "\n").append('{');
            name("name", group.name());
            usage(group.usage());
            out.append(",\"processes\":[");
            boolean first = true;
            for (ProcessMemory process : group.processes()) {
                if (query.shows(process.usage())) {
                    out.append(first ? "" : ",");
                    first = false;
                    process(process, all, group.name(), query);
                }
            }
            out.append("]}");
        }
        out.append("],\n\"total\":{\"groups\":").append(Integer.toString(groups.size()));
        usage(total);
        out.append("},\"unreadable\":{\"denied\":").append(Integer.toString(snapshot.denied()))
                .append(",\"vanished\":").append(Integer.toString(snapshot.vanished()))
                .append(",\"over_budget\":").append(Integer.toString(snapshot.overBudget()))
                .append("}}\n");
    }

    private void process(ProcessMemory process, MemoryGroups all, String group, PsMemQuery query) throws IOException {
        out.append("{\"pid\":").append(Integer.toString(process.pid()))
                .append(",\"start_time_ticks\":").append(Long.toString(process.startTime()))
                .append(',');
        name("comm", process.comm());
        if (process.exe() == null) {
            out.append(",\"exe\":null");
        } else {
            out.append(',');
            name("exe", process.exe());
        }
        out.append(",\"cmdline\":");
        strings(process.cmdline());
        if (process.cmdline().stream().anyMatch(argument -> !ByteText.isPlain(ByteText.parse(argument)))) {
            out.append(",\"cmdline_base64\":[");
            for (int i = 0; i < process.cmdline().size(); i++) {
                out.append(i > 0 ? ",\"" : "\"")
                        .append(Base64.getEncoder().encodeToString(ByteText.parse(process.cmdline().get(i)))).append('"');
            }
            out.append(']');
        }
        usage(process.usage());
        out.append(",\"mappings\":[");
        boolean first = true;
        for (MappingMemory mapping : process.mappings()) {
            if (!query.shows(mapping.usage())) {
                continue;
            }
            out.append(first ? "" : ",");
            first = false;
            out.append('{');
            name("name", mapping.name());
            if (mapping.fileBacked()) {
                out.append(",\"device\":");
                string(mapping.deviceName());
                out.append(",\"inode\":").append(Long.toString(mapping.inode())).append(",\"shared_with\":");
                strings(all.sharedWith(mapping, group));
            }
            usage(mapping.usage());
            out.append('}');
        }
        out.append("]}");
    }

    /** Appends ,"usage":{...} to the object being written. */
    private void usage(MemoryUsage usage) throws IOException {
        out.append(",\"usage\":{\"private\":").append(Long.toString(usage.privateBytes()))
                .append(",\"shared\":").append(Long.toString(usage.sharedBytes()))
                .append(",\"swap\":").append(Long.toString(usage.swap()))
                .append(",\"pss\":").append(Long.toString(usage.pss()))
                .append(",\"swap_pss\":").append(Long.toString(usage.swapPss()))
                .append(",\"hugetlb\":").append(Long.toString(usage.hugetlb()))
                .append('}');
    }

    private void strings(List<String> values) throws IOException {
        out.append('[');
        for (int i = 0; i < values.size(); i++) {
            out.append(i > 0 ? "," : "");
            string(values.get(i));
        }
        out.append(']');
    }

    private void string(String value) throws IOException {
        out.append(ByteText.appendJsonString(new StringBuilder(value.length() + 2), value));
    }

    /** {@code "key":"HUMAN"}, and {@code "key_base64"} with the exact bytes when the name is not plain. */
    private void name(String key, String human) throws IOException {
        out.append(ByteText.appendJsonMember(new StringBuilder(human.length() + 16), key, ByteText.parse(human)));
    }
}
