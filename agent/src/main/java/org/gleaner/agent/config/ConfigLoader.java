package org.gleaner.agent.config;

import java.io.IOException;
import java.io.StringReader;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.gleaner.agent.cli.IoErrors;
import org.gleaner.agent.pipeline.CarbonTarget;
import org.gleaner.agent.pipeline.CarbonTarget.Destination;
import org.gleaner.agent.pipeline.CarbonTarget.Protocol;
import org.gleaner.agent.pipeline.SpoolSettings;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/** Reads gleaner.yaml (see systemd/gleaner.yaml for every key) into an {@link AgentConfig}. */
public final class ConfigLoader {
    public static final Path DEFAULT_FILE = Path.of("/etc/gleaner/gleaner.yaml");
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    public static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    /** Carbon stores one value per series and whole second: two cycles within one second would overwrite each other. */
    public static final Duration MIN_CARBON_INTERVAL = Duration.ofSeconds(1);
    public static final Duration MAX_INTERVAL = Duration.ofDays(1);

    private ConfigLoader() {}

    /** Loads {@code file}; when it was not named explicitly, a missing file means "all defaults". */
    public static AgentConfig load(Path file, boolean explicit) {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException missing) {
            if (!explicit) {
                return fromRoot(YamlSection.empty(file.toString(), ""));
            }
            throw new ConfigException(file + ": cannot read config: " + IoErrors.reason(missing));
        } catch (FileSystemException e) {
            throw new ConfigException(file + ": cannot read config: " + IoErrors.reason(e));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read config: " + e.getMessage());
        }
        return parse(file.toString(), text);
    }

    public static AgentConfig parse(String fileName, String text) {
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException syntax) {
            int line = syntax.getProblemMark() == null ? 0 : syntax.getProblemMark().getLine() + 1;
            throw new ConfigException(fileName + ":" + line + ": not valid YAML: " + syntax.getProblem());
        } catch (YAMLException syntax) {
            throw new ConfigException(fileName + ": not valid YAML: " + syntax.getMessage());
        }
        return fromRoot(YamlSection.of(fileName, "", root, "top level"));
    }

    private static AgentConfig fromRoot(YamlSection root) {
        Duration interval = root.duration("interval", DEFAULT_INTERVAL);
        try {
            checkInterval(interval);
        } catch (IllegalArgumentException bad) {
            throw root.error("interval", bad.getMessage());
        }
        String hostname = root.string("hostname", "");
        if (hostname.isEmpty()) {
            hostname = Hostname.shortName();
        }
        String prefix = root.string("prefix", "{host}");
        AgentConfig.CounterMode counters = switch (root.string("counters", "rate").toLowerCase(Locale.ROOT)) {
            case "rate" -> AgentConfig.CounterMode.RATE;
            case "raw" -> AgentConfig.CounterMode.RAW;
            default -> throw root.error("counters", "expected rate or raw");
        };

        CarbonTarget carbon = CarbonSection.parse(root.section("carbon"), root.section("replay"));

        YamlSection spoolSection = root.section("spool");
        String spoolText = spoolSection.string("dir", "/var/lib/gleaner/spool");
        if (!spoolText.startsWith("/")) {
            // an empty or relative directory would depend on the working directory, which is / under systemd
            throw spoolSection.error("dir", spoolText.isEmpty() ? "must not be empty" : "must be an absolute path, not '"
                    + spoolText + "'");
        }
        Path spoolDir = Path.of(spoolText);
        long maxBytes = spoolSection.bytes("max_bytes", 256L << 20);
        if (maxBytes <= 0) {
            throw spoolSection.error("max_bytes", "must be positive");
        }
        Duration maxAge = spoolSection.duration("max_age", Duration.ZERO);
        spoolSection.rejectUnread();

        YamlSection collectors = root.section("collectors");
        root.rejectUnread();
        return new AgentConfig(interval, hostname, prefix, carbon,
                new SpoolSettings(spoolDir, maxBytes, maxAge), counters, collectors);
    }

    /** @throws IllegalArgumentException unless {@code interval} is from {@link #MIN_INTERVAL} to {@link #MAX_INTERVAL} */
    public static void checkInterval(Duration interval) {
        if (interval.compareTo(MIN_INTERVAL) < 0) {
            throw new IllegalArgumentException("must be at least " + MIN_INTERVAL.toMillis() + "ms");
        }
        if (interval.compareTo(MAX_INTERVAL) > 0) {
            throw new IllegalArgumentException("must be at most 1d");
        }
    }

    /** HOST, HOST:PORT, [IPv6]:PORT or a bare IPv6 address; the port defaults to the protocol's usual one. */
    public static Destination destination(String text, Protocol protocol) {
        int defaultPort = protocol == Protocol.PICKLE ? 2004 : 2003;
        String host = text.trim();
        String port = null;
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("bad destination '" + text + "': missing ']'");
            }
            String rest = host.substring(close + 1);
            host = host.substring(1, close);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("bad destination '" + text + "'");
                }
                port = rest.substring(1);
            }
        } else if (host.indexOf(':') == host.lastIndexOf(':') && host.indexOf(':') >= 0) {
            port = host.substring(host.indexOf(':') + 1);
            host = host.substring(0, host.indexOf(':'));
        }
        if (host.contains(":") ? !isIpv6Literal(host) : !HOST_NAME.matcher(host).matches() || !isIpv4OrName(host)) {
            throw new IllegalArgumentException("bad destination '" + text + "': expected HOST[:PORT] or [IPv6]:PORT");
        }
        int portNumber = defaultPort;
        if (port != null) {
            try {
                portNumber = Integer.parseInt(port);
            } catch (NumberFormatException notNumber) {
                portNumber = -1;
            }
            if (portNumber < 1 || portNumber > 65535) {
                throw new IllegalArgumentException("bad destination '" + text + "': port must be 1-65535");
            }
        }
        return new Destination(host, portNumber);
    }

    /** Labels of letters, digits, '-' and '_' (RFC 1123, plus '_' seen in internal names), none starting or ending with '-'. */
    private static final Pattern HOST_NAME =
            Pattern.compile("([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\\.?");
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    /** A name made of digits and dots only would be read as an address by the resolver: it must be a dotted quad. */
    private static boolean isIpv4OrName(String host) {
        return !host.matches("[0-9.]+") || IPV4.matcher(host).matches();
    }

    /** InetAddress parses a text holding ':' as an IPv6 literal only, never asking DNS. */
    private static boolean isIpv6Literal(String host) {
        if (!host.matches("[0-9A-Fa-f:.]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(host) instanceof Inet6Address;
        } catch (UnknownHostException invalid) {
            return false;
        }
    }
}
