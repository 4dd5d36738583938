package org.gleaner.agent.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.gleaner.agent.pipeline.CarbonTarget;
import org.gleaner.agent.pipeline.CarbonTarget.Destination;
import org.gleaner.agent.pipeline.CarbonTarget.Group;
import org.gleaner.agent.pipeline.CarbonTarget.Mode;
import org.gleaner.agent.pipeline.CarbonTarget.Protocol;
import org.gleaner.agent.pipeline.CarbonTarget.Tuning;

/**
 * The {@code carbon:} and {@code replay:} sections: the protocol, the destination groups (or the flat
 * {@code destinations:} list, one failover group), and how delivery behaves.
 */
final class CarbonSection {
    private static final int MIN_LINE_BYTES = 128;

    private CarbonSection() {}

    static CarbonTarget parse(YamlSection carbon, YamlSection replay) {
        Protocol protocol = switch (carbon.string("protocol", "plaintext").toLowerCase(Locale.ROOT)) {
            case "plaintext" -> Protocol.PLAINTEXT;
            case "pickle" -> Protocol.PICKLE;
            case "udp" -> Protocol.UDP;
            default -> throw carbon.error("protocol", "expected plaintext, pickle or udp");
        };
        List<Destination> flat = destinations(carbon, protocol);
        List<Group> groups = new ArrayList<>();
        if (!flat.isEmpty()) {
            groups.add(Group.failover(flat));
        }
        List<YamlSection> groupSections = carbon.sections("groups");
        if (!flat.isEmpty() && !groupSections.isEmpty()) {
            throw carbon.error("groups", "give either destinations or groups, not both");
        }
        for (YamlSection section : groupSections) {
            Mode mode = switch (section.string("mode", "failover").toLowerCase(Locale.ROOT)) {
                case "failover" -> Mode.FAILOVER;
                case "loadbalance" -> Mode.LOADBALANCE;
                default -> throw section.error("mode", "expected failover or loadbalance");
            };
            List<Destination> members = destinations(section, protocol);
            if (members.isEmpty()) {
                throw section.error("destinations", "a group needs at least one destination");
            }
            Duration lifetime = positive(section, "lifetime", Group.DEFAULT_LIFETIME);
            section.rejectUnread();
            groups.add(new Group(mode, members, lifetime));
        }
        Tuning defaults = Tuning.DEFAULTS;
        Duration ackTimeout = positive(carbon, "ack_timeout", defaults.ackTimeout());
        long maxLine = carbon.bytes("max_line_bytes", defaults.maxLineBytes());
        if (maxLine < MIN_LINE_BYTES || maxLine > 1 << 20) {
            throw carbon.error("max_line_bytes", "must be between " + MIN_LINE_BYTES + " bytes and 1MiB");
        }
        carbon.rejectUnread();
        long rate = replay.integer("rate", defaults.replayRate());
        if (rate < 0 || rate > 10_000_000) {
            throw replay.error("rate", "must be 0 (unpaced) to 10000000 lines per second");
        }
        Duration startDelay = replay.duration("start_delay", defaults.replayStartDelay());
        Duration backoffMax = positive(replay, "backoff_max", defaults.backoffMax());
        replay.rejectUnread();
        return new CarbonTarget(groups, protocol, new Tuning(ackTimeout, (int) rate, startDelay, backoffMax, (int) maxLine));
    }

    private static List<Destination> destinations(YamlSection section, Protocol protocol) {
        List<Destination> destinations = new ArrayList<>();
        for (String text : section.strings("destinations", List.of())) {
            try {
                destinations.add(ConfigLoader.destination(text, protocol));
            } catch (IllegalArgumentException bad) {
                throw section.error("destinations", bad.getMessage());
            }
        }
        return destinations;
    }

    private static Duration positive(YamlSection section, String key, Duration defaultValue) {
        Duration value = section.duration(key, defaultValue);
        if (value.isZero() || value.isNegative()) {
            throw section.error(key, "must be more than 0");
        }
        return value;
    }
}
