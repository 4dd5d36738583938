package org.gleaner.agent.pipeline;

import java.util.List;

/** The carbon destinations, tried in failover order, and the protocol spoken to them. */
public record CarbonTarget(List<Destination> destinations, Protocol protocol) {

    public enum Protocol { PLAINTEXT, PICKLE, UDP }

    public record Destination(String host, int port) {
        @Override
        public String toString() {
            return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
        }
    }
}
