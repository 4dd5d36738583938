package org.gleaner.collectors.system;

import java.util.ArrayList;
import java.util.List;

/** What a parser made of one /proc file: its readings, and how many lines it had to skip as malformed. */
public final class Parsed {
    private final List<Reading> readings = new ArrayList<>();
    private int malformedLines;

    void add(Reading reading) {
        readings.add(reading);
    }

    void malformed() {
        malformedLines++;
    }

    public List<Reading> readings() {
        return readings;
    }

    public int malformedLines() {
        return malformedLines;
    }

    /** Splits {@code text} into lines and hands each non-empty one to {@code parser}; one that throws is counted malformed. */
    static Parsed eachLine(String text, LineParser parser) {
        Parsed parsed = new Parsed();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                parser.parse(line.trim().split("\\s+"), parsed);
            } catch (RuntimeException malformed) {
                parsed.malformed();
            }
        }
        return parsed;
    }

    @FunctionalInterface
    interface LineParser {
        /** Adds the readings of one line split on whitespace; throws (any runtime exception) if it is malformed. */
        void parse(String[] fields, Parsed into);
    }

    static void expectFields(String[] fields, int count) {
        if (fields.length != count) {
            throw new IllegalArgumentException("expected " + count + " fields, got " + fields.length);
        }
    }
}
