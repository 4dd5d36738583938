package org.gleaner.agent.pipeline;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pipeline's counters, each kept as a total ({@code pipeline.*}) and per destination group
 * ({@code pipeline.groups.N.*}), and per destination ({@code pipeline.groups.N.destinations.dI_HOST_PORT.*},
 * I being the member's place in its group, so that two destinations never share a name).
 */
final class DeliveryMetrics {
    static final String SENT = "datapoints_sent";
    static final String ACKNOWLEDGED = "datapoints_acknowledged";
    static final String REPLAYED = "datapoints_replayed";
    static final String EXPIRED = "datapoints_expired";
    static final String DROPPED = "dropped_datapoints";
    static final String SEND_FAILURES = "send_failures";
    static final String RECONNECTS = "reconnects";
    static final String FAILOVERS = "destination_failovers";

    private final MetricRegistry registry;

    DeliveryMetrics(MetricRegistry registry) {
        this.registry = registry;
    }

    /** Adds to the total and to one group's counter of the same name. */
    record Tally(Counter total, Counter group) {
        void inc(long count) {
            if (count > 0) {
                total.inc(count);
                group.inc(count);
            }
        }
    }

    record DestinationCounters(Counter sent, Counter acknowledged, Counter failures) {}

    static String groupPrefix(int index) {
        return "pipeline.groups." + index + ".";
    }

    Group group(int index, CarbonTarget.Group group) {
        return new Group(groupPrefix(index), group);
    }

    final class Group {
        private final String prefix;
        private final CarbonTarget.Group members;
        private final Map<CarbonTarget.Destination, DestinationCounters> destinations = new ConcurrentHashMap<>();

        private Group(String prefix, CarbonTarget.Group members) {
            this.prefix = prefix;
            this.members = members;
        }

        private Tally tally(String name) {
            return new Tally(registry.counter("pipeline." + name), registry.counter(prefix + name));
        }

        Tally sent() {
            return tally(SENT);
        }

        Tally acknowledged() {
            return tally(ACKNOWLEDGED);
        }

        Tally replayed() {
            return tally(REPLAYED);
        }

        Tally expired() {
            return tally(EXPIRED);
        }

        Tally dropped() {
            return tally(DROPPED);
        }

        Tally sendFailures() {
            return tally(SEND_FAILURES);
        }

        Tally reconnects() {
            return tally(RECONNECTS);
        }

        Tally failovers() {
            return tally(FAILOVERS);
        }

        DestinationCounters destination(CarbonTarget.Destination destination) {
            return destinations.computeIfAbsent(destination, member -> {
                String name = prefix + "destinations.d" + members.destinations().indexOf(member) + "_"
                        + (member.host() + "_" + member.port()).replaceAll("[^A-Za-z0-9-]", "_") + ".";
                return new DestinationCounters(registry.counter(name + "sent"), registry.counter(name + "acknowledged"),
                        registry.counter(name + "failures"));
            });
        }
    }
}
