package org.gleaner.agent.cli;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jvm.GarbageCollectorMetricSet;
import com.codahale.metrics.jvm.MemoryUsageGaugeSet;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.logging.Logger;
import org.gleaner.agent.collect.CollectorFactory;
import org.gleaner.agent.collect.CollectorRegistry;
import org.gleaner.agent.config.AgentConfig;
import org.gleaner.agent.config.ConfigException;
import org.gleaner.agent.config.ConfigLoader;
import org.gleaner.agent.config.Units;
import org.gleaner.agent.config.YamlSection;
import org.gleaner.agent.daemon.Agent;
import org.gleaner.agent.daemon.Agent.NamedCollector;
import org.gleaner.agent.daemon.MetricNames;
import org.gleaner.agent.daemon.StdoutDelivery;
import org.gleaner.agent.logging.LogSetup;
import org.gleaner.agent.pipeline.CarbonDelivery;
import org.gleaner.agent.pipeline.CarbonTarget;
import org.gleaner.agent.pipeline.Delivery;
import org.gleaner.agent.systemd.SdNotify;
import org.gleaner.collectors.Collector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gleaner agent}: the daemon. Reads the config, builds the collectors and runs the loop. */
@Command(name = "agent",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {
            "Collects system metrics every interval and sends them to carbon (Graphite), spooling to disk "
                + "so that nothing is lost; with no carbon destination, prints Graphite plaintext lines to stdout.",
            "Config: YAML, see docs/agent.md and systemd/gleaner.yaml. Options override the file."})
public final class AgentCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger("org.gleaner.agent");
    /** How long a stopping agent keeps trying to deliver what is still spooled. */
    static final Duration DRAIN_LIMIT = Duration.ofSeconds(5);

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML config file (default: /etc/gleaner/gleaner.yaml, where a missing file means all defaults).")
    Path config;

    @Option(names = {"-i", "--interval"}, paramLabel = "DURATION", description = "Collection interval, e.g. 10s, 500ms, 1m.")
    String interval;

    @Option(names = {"-t", "--destination"}, paramLabel = "HOST[:PORT]",
            description = "Carbon destination (repeatable: failover order); replaces the config's carbon.destinations.")
    List<String> destinations = new ArrayList<>();

    @Option(names = "--stdout", description = "Print Graphite plaintext lines to stdout even if carbon is configured.")
    boolean stdout;

    @Option(names = "--cycles", paramLabel = "N", description = "Run N cycles, then exit (default: until SIGTERM).")
    Long cycles;

    @Option(names = "--collectors", split = ",", paramLabel = "NAME",
            description = "Run only these collectors (comma-separated), whatever the config enables.")
    List<String> only;

    @Option(names = "--debug", description = "Log debugging detail.")
    boolean debug;

    @Override
    public Integer call() throws Exception {
        LogSetup.install(debug);
        if (cycles != null && cycles < 1) {
            throw new UsageException("--cycles must be at least 1");
        }
        AgentConfig settings;
        List<NamedCollector> collectors;
        try {
            settings = overrides(config == null ? ConfigLoader.load(ConfigLoader.DEFAULT_FILE, false)
                    : ConfigLoader.load(config, true));
            collectors = buildCollectors(settings);
        } catch (ConfigException bad) {
            throw new UsageException(bad.getMessage());
        }
        MetricRegistry registry = new MetricRegistry();
        registry.register("jvm.memory", new MemoryUsageGaugeSet());
        registry.register("jvm.gc", new GarbageCollectorMetricSet());
        String prefix = MetricNames.prefix(settings.prefix(), settings.hostname());
        Delivery delivery = openDelivery(settings, registry);
        Agent agent = new Agent(settings.interval(), prefix, settings.counters(), collectors, delivery,
                DRAIN_LIMIT, registry, SdNotify.fromEnvironment());
        StopSignals.install(agent::stop);
        LOG.info("gleaner agent: every " + settings.interval().toMillis() + "ms, collectors "
                + collectors.stream().map(NamedCollector::name).toList() + ", to " + describe(settings));
        try {
            agent.run(cycles == null ? 0 : cycles);
        } catch (StdoutDelivery.OutputClosedException stdoutClosed) {
            LOG.fine("stdout was closed; stopping");
        }
        return 0;
    }

    private AgentConfig overrides(AgentConfig settings) {
        AgentConfig result = settings;
        if (interval != null) {
            try {
                result = result.withInterval(Units.duration(interval));
            } catch (IllegalArgumentException bad) {
                throw new UsageException("--interval: " + bad.getMessage());
            }
            if (result.interval().compareTo(ConfigLoader.MIN_INTERVAL) < 0) {
                throw new UsageException("--interval: must be at least " + ConfigLoader.MIN_INTERVAL.toMillis() + "ms");
            }
        }
        if (!destinations.isEmpty()) {
            List<CarbonTarget.Destination> parsed = new ArrayList<>();
            for (String destination : destinations) {
                try {
                    parsed.add(ConfigLoader.destination(destination, result.carbon().protocol()));
                } catch (IllegalArgumentException bad) {
                    throw new UsageException("--destination: " + bad.getMessage());
                }
            }
            result = result.withCarbon(result.carbon().withDestinations(List.copyOf(parsed)));
        }
        return result;
    }

    private List<NamedCollector> buildCollectors(AgentConfig settings) {
        Map<String, CollectorFactory> factories = CollectorRegistry.byName();
        YamlSection sections = settings.collectors();
        for (String name : sections.keys()) {
            if (!factories.containsKey(name)) {
                throw sections.error(name, "unknown collector (known: " + String.join(", ", factories.keySet()) + ")");
            }
        }
        Set<String> selected = only == null ? null : new LinkedHashSet<>(only);
        if (selected != null) {
            for (String name : selected) {
                if (!factories.containsKey(name)) {
                    throw new UsageException("--collectors: unknown collector '" + Cli.oneLine(name) + "' (known: "
                            + String.join(", ", factories.keySet()) + ")");
                }
            }
        }
        List<NamedCollector> collectors = new ArrayList<>();
        for (CollectorFactory factory : factories.values()) {
            YamlSection options = sections.section(factory.name());
            boolean enabled = options.bool("enabled", factory.enabledByDefault());
            Duration timeout = options.duration("timeout", settings.interval().dividedBy(2));
            if (timeout.isZero() || timeout.compareTo(settings.interval()) > 0) {
                throw options.error("timeout", "must be more than 0 and at most the interval");
            }
            Duration every = options.duration("interval", settings.interval());
            if (every.compareTo(settings.interval()) < 0) {
                throw options.error("interval", "must be at least the agent interval (" + settings.interval().toMillis()
                        + "ms): a collector runs at most once per cycle");
            }
            boolean explicit = selected != null;
            if (explicit ? !selected.contains(factory.name()) : !enabled) {
                continue;
            }
            Collector collector;
            try {
                collector = factory.create(options, timeout);
            } catch (ConfigException | UsageException bad) {
                throw bad;
            } catch (Exception failed) {
                if (explicit) {
                    throw new IllegalStateException("collector " + factory.name() + " cannot start: " + failed.getMessage(), failed);
                }
                LOG.warning("collector " + factory.name() + " cannot start, running without it: " + failed.getMessage());
                continue;
            }
            options.rejectUnread();
            collectors.add(new NamedCollector(factory.name(), collector, timeout, every));
        }
        sections.rejectUnread();
        return collectors;
    }

    private Delivery openDelivery(AgentConfig settings, MetricRegistry registry) throws IOException {
        if (printsToStdout(settings)) {
            return new StdoutDelivery(System.out);
        }
        try {
            return CarbonDelivery.open(settings.carbon(), settings.spool(), registry);
        } catch (IOException e) {
            throw new IOException("cannot open the spool in " + settings.spool().dir() + ": " + e.getMessage(), e);
        }
    }

    private boolean printsToStdout(AgentConfig settings) {
        return stdout || settings.carbon().destinations().isEmpty();
    }

    private String describe(AgentConfig settings) {
        return printsToStdout(settings) ? "stdout"
                : "carbon " + settings.carbon().destinations() + " (" + settings.carbon().protocol().name().toLowerCase(Locale.ROOT) + ")";
    }
}
