package org.gleaner.collectors.conntrack;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a remote address is named in the metrics: the first named network that holds it, else the
 * address itself, or its prefix when aggregating ("198.51.100.0/24", "2001:db8:1::/64").
 */
public final class PeerNaming {

    /** A network in CIDR notation: "192.0.2.0/24", "2001:db8::/32". */
    public record Network(byte[] address, int length) {
        public static Network parse(String cidr) {
            int slash = cidr.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("not a network (ADDRESS/LENGTH): " + cidr);
            }
            byte[] address = Addresses.parse(cidr.substring(0, slash));
            int length;
            try {
                length = Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a prefix length: " + cidr);
            }
            if (length < 0 || length > address.length * 8) {
                throw new IllegalArgumentException("prefix length out of range: " + cidr);
            }
            return new Network(Addresses.mask(address, length), length);
        }

        boolean contains(byte[] candidate) {
            return candidate.length == address.length && java.util.Arrays.equals(Addresses.mask(candidate, length), address);
        }
    }

    private record Named(String name, Network network) {}

    private final List<Named> networks = new ArrayList<>();
    private final int ipv4Prefix;
    private final int ipv6Prefix;

    /**
     * {@code ipv4Prefix}/{@code ipv6Prefix}: aggregate unnamed peers by that prefix length (32 and
     * 128 keep single addresses); {@code networks}: name → CIDR, tried in order.
     */
    public PeerNaming(int ipv4Prefix, int ipv6Prefix, Map<String, String> networks) {
        if (ipv4Prefix < 0 || ipv4Prefix > 32 || ipv6Prefix < 0 || ipv6Prefix > 128) {
            throw new IllegalArgumentException("prefix lengths must be 0-32 (IPv4) and 0-128 (IPv6)");
        }
        this.ipv4Prefix = ipv4Prefix;
        this.ipv6Prefix = ipv6Prefix;
        networks.forEach((name, cidr) -> this.networks.add(new Named(name, Network.parse(cidr))));
    }

    /** One name per address. */
    public static PeerNaming perAddress() {
        return new PeerNaming(32, 128, Map.of());
    }

    public String name(byte[] address) {
        for (Named named : networks) {
            if (named.network().contains(address)) {
                return named.name();
            }
        }
        int prefix = address.length == 4 ? ipv4Prefix : ipv6Prefix;
        if (prefix == address.length * 8) {
            return Addresses.format(address);
        }
        return Addresses.format(Addresses.mask(address, prefix)) + "/" + prefix;
    }
}
