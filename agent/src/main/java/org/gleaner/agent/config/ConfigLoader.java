package org.gleaner.agent.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
            throw new ConfigException(file + ": cannot read config: no such file");
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
        if (interval.compareTo(MIN_INTERVAL) < 0) {
            throw root.error("interval", "must be at least " + MIN_INTERVAL.toMillis() + "ms");
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
        Path spoolDir = Path.of(spoolSection.string("dir", "/var/lib/gleaner/spool"));
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
        if (host.isEmpty() || !host.matches("[A-Za-z0-9.:_-]+")) {
            throw new IllegalArgumentException("bad destination '" + text + "': expected HOST[:PORT]");
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
}
