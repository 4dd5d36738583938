package org.gleaner.agent.pipeline;

import java.time.Duration;
import java.util.List;

/**
 * Where datapoints go: one or more destination groups, each of which receives every datapoint
 * (mirroring), the protocol spoken to all of them, and how delivery behaves.
 */
public record CarbonTarget(List<Group> groups, Protocol protocol, Tuning tuning) {

    public enum Protocol { PLAINTEXT, PICKLE, UDP }

    /** {@code FAILOVER}: the first healthy member in order. {@code LOADBALANCE}: a random member, kept for a connection lifetime. */
    public enum Mode { FAILOVER, LOADBALANCE }

    public record Destination(String host, int port) {
        @Override
        public String toString() {
            return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
        }
    }

    /** A set of interchangeable destinations; {@code lifetime} is how long a loadbalance connection is kept (±20%). */
    public record Group(Mode mode, List<Destination> destinations, Duration lifetime) {
        public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(15);

        public Group {
            destinations = List.copyOf(destinations);
            if (destinations.isEmpty()) {
                throw new IllegalArgumentException("a destination group needs at least one destination");
            }
        }

        public static Group failover(List<Destination> destinations) {
            return new Group(Mode.FAILOVER, destinations, DEFAULT_LIFETIME);
        }
    }

    /**
     * How delivery behaves. {@code ackTimeout}: bytes not acknowledged by the peer's TCP within it make
     * the destination fail over. {@code replayRate}: lines per second for the backlog (0: unpaced),
     * after a random delay of up to {@code replayStartDelay}. {@code backoffMax}: the cap of the
     * reconnect backoff. {@code maxLineBytes}: longer lines get a shortened name.
     */
    public record Tuning(Duration ackTimeout, int replayRate, Duration replayStartDelay, Duration backoffMax, int maxLineBytes) {
        public static final Tuning DEFAULTS = new Tuning(Duration.ofSeconds(10), 300, Duration.ofSeconds(5), Duration.ofSeconds(10), 4096);
    }

    public CarbonTarget {
        groups = List.copyOf(groups);
    }

    /** The flat destination list: one failover group (none when the list is empty), default tuning. */
    public CarbonTarget(List<Destination> destinations, Protocol protocol) {
        this(destinations.isEmpty() ? List.of() : List.of(Group.failover(destinations)), protocol, Tuning.DEFAULTS);
    }

    /** Every destination of every group, in order. */
    public List<Destination> destinations() {
        return groups.stream().flatMap(group -> group.destinations().stream()).toList();
    }

    /** The same protocol and tuning with {@code destinations} as the only, failover, group. */
    public CarbonTarget withDestinations(List<Destination> destinations) {
        return new CarbonTarget(new CarbonTarget(destinations, protocol).groups(), protocol, tuning);
    }
}
