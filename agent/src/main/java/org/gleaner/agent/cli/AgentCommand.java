package org.gleaner.agent.cli;

import com.codahale.metrics.MetricRegistry;
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
import java.util.concurrent.atomic.AtomicReference;
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
import org.gleaner.agent.daemon.JvmGauges;
import org.gleaner.agent.daemon.MetricNames;
import org.gleaner.agent.daemon.StdoutDelivery;
import org.gleaner.agent.logging.LogSetup;
import org.gleaner.agent.pipeline.CarbonDelivery;
import org.gleaner.agent.pipeline.CarbonTarget;
import org.gleaner.agent.pipeline.Delivery;
import org.gleaner.agent.systemd.SdNotify;
import org.gleaner.collectors.Collector;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import sun.misc.Signal;

/**
 * {@code gleaner agent}: the daemon. Reads the config, builds the collectors and runs the loop.
 * Its options are declared through picocli's programmatic model, as ps-mem's are (see PsMemCommand).
 */
public final class AgentCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger("org.gleaner.agent");
    /** How long a stopping agent keeps trying to deliver what is still spooled. */
    static final Duration DRAIN_LIMIT = Duration.ofSeconds(5);

    private final OptionSpec config = OptionSpec.builder("--config").paramLabel("FILE").type(Path.class)
            .description("YAML config file (default: /etc/gleaner/gleaner.yaml, where a missing file means all defaults).").build();
    private final OptionSpec interval = OptionSpec.builder("-i", "--interval").paramLabel("DURATION").type(String.class)
            .description("Collection interval, e.g. 10s, 500ms, 1m.").build();
    private final OptionSpec destinations = OptionSpec.builder("-t", "--destination").paramLabel("HOST[:PORT]").type(List.class)
            .auxiliaryTypes(String.class)
            .description("Carbon destination (repeatable: failover order); replaces the config's carbon.destinations.").build();
    private final OptionSpec stdout = Cli.flag("Print Graphite plaintext lines to stdout even if carbon is configured.", "--stdout");
    private final OptionSpec cycles = OptionSpec.builder("--cycles").paramLabel("N").type(Long.class)
            .description("Run N cycles, then exit (default: until SIGTERM).").build();
    private final OptionSpec only = OptionSpec.builder("--collectors").splitRegex(",").paramLabel("NAME").type(List.class)
            .auxiliaryTypes(String.class).description("Run only these collectors (comma-separated), whatever the config enables.").build();
    private final DebugOption debug = new DebugOption();
    private final CommandSpec spec = CommandSpec.wrapWithoutInspection(this);

    public AgentCommand() {
        spec.name("agent").versionProvider(new Version());
        spec.usageMessage().description(
                "Collects system metrics every interval and sends them to carbon (Graphite), spooling to disk "
                    + "so that nothing is lost; with no carbon destination, prints Graphite plaintext lines to stdout.",
                "Config: YAML, see docs/agent.md and systemd/gleaner.yaml. Options override the file; SIGHUP reloads it.",
                "Exit status: 0 after --cycles or on SIGTERM/SIGINT, 2 on a bad option or config, 1 on any other failure to start.");
        Cli.addOptionsAndHelp(spec, config, interval, destinations, stdout, cycles, only, debug.option());
    }

    /** The command's model, for picocli. */
    public CommandSpec spec() {
        return spec;
    }

    /** A validated config with its collectors built, ready to run. */
    private record Setup(AgentConfig settings, List<NamedCollector> collectors) {
        void close() {
            for (NamedCollector collector : collectors) {
                try {
                    collector.collector().close();
                } catch (Exception e) {
                    LOG.fine("closing collector " + collector.name() + ": " + e);
                }
            }
        }
    }

    private final AtomicReference<Setup> reloaded = new AtomicReference<>();
    private volatile Agent running;
    private volatile boolean stopRequested;

    @Override
    public Integer call() throws Exception {
        LogSetup.install(debug.enabled());
        Long cycles = this.cycles.getValue();
        if (cycles != null && cycles < 1) {
            throw new UsageException("--cycles must be at least 1");
        }
        Setup setup = configure();
        LOG.info("gleaner agent: " + describe(setup));
        SdNotify notify = SdNotify.fromEnvironment();
        StopSignals.install(this::stop);
        // systemd's reload (the unit's ExecReload): without a handler the JVM would exit 129
        Signal.handle(new Signal("HUP"), signal -> reload());
        long remaining = cycles == null ? 0 : cycles;
        while (true) {
            MetricRegistry registry = new MetricRegistry();
            JvmGauges.register(registry);
            AgentConfig settings = setup.settings();
            Agent agent = new Agent(settings.interval(), MetricNames.prefix(settings.prefix(), settings.hostname()),
                    settings.counters(), setup.collectors(), openDelivery(settings, registry), DRAIN_LIMIT, registry, notify);
            running = agent;
            if (stopRequested) {
                agent.stop();
            } else if (reloaded.get() != null) {
                agent.restart();
            }
            try {
                if (!agent.run(remaining)) {
                    return 0;
                }
            } catch (StdoutDelivery.OutputClosedException stdoutClosed) {
                LOG.fine("stdout was closed; stopping");
                return 0;
            }
            if (remaining > 0) {
                remaining -= agent.cyclesRun();
                if (remaining <= 0) {
                    return 0;
                }
            }
            setup = reloaded.getAndSet(null);
            LOG.info("gleaner agent: config reloaded: " + describe(setup));
        }
    }

    private void stop() {
        stopRequested = true;
        Agent agent = running;
        if (agent != null) {
            agent.stop();
        }
    }

    /** SIGHUP: a config that fails any check is not applied, and the agent goes on with the one it runs. */
    private void reload() {
        Setup candidate;
        try {
            candidate = configure();
        } catch (RuntimeException bad) {
            LOG.warning("config not reloaded, still running on the previous one: " + bad.getMessage());
            return;
        }
        Setup superseded = reloaded.getAndSet(candidate);
        if (superseded != null) {
            superseded.close();
        }
        Agent agent = running;
        if (agent != null) {
            agent.restart();
        }
    }

    /** Reads the config, applies the options and builds the collectors; every problem is a {@link UsageException}. */
    private Setup configure() {
        try {
            Path config = this.config.getValue();
            AgentConfig settings = overrides(config == null ? ConfigLoader.load(ConfigLoader.DEFAULT_FILE, false)
                    : ConfigLoader.load(config, true));
            if (!printsToStdout(settings) && settings.interval().compareTo(ConfigLoader.MIN_CARBON_INTERVAL) < 0) {
                throw new UsageException("interval " + settings.interval().toMillis() + "ms is under 1s: carbon keeps one"
                        + " value per series and second, so cycles would overwrite each other (use at least 1s, or --stdout)");
            }
            return new Setup(settings, buildCollectors(settings));
        } catch (ConfigException bad) {
            throw new UsageException(bad.getMessage());
        }
    }

    private AgentConfig overrides(AgentConfig settings) {
        AgentConfig result = settings;
        String interval = this.interval.getValue();
        List<String> destinations = Cli.values(this.destinations);
        if (interval != null) {
            try {
                Duration parsed = Units.duration(interval);
                ConfigLoader.checkInterval(parsed);
                result = result.withInterval(parsed);
            } catch (IllegalArgumentException bad) {
                throw new UsageException("--interval: " + bad.getMessage());
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
        List<String> only = this.only.getValue();
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
            Duration every = options.duration("interval", factory.defaultInterval(settings.interval()));
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
            String why = IoErrors.describe(e);
            String dir = settings.spool().dir().toString();
            throw new IOException("cannot open the spool" + (why.startsWith(dir) ? "" : " in " + dir) + ": " + why, e);
        }
    }

    private boolean printsToStdout(AgentConfig settings) {
        return Cli.isSet(stdout) || settings.carbon().destinations().isEmpty();
    }

    private String describe(Setup setup) {
        AgentConfig settings = setup.settings();
        return "every " + settings.interval().toMillis() + "ms, collectors "
                + setup.collectors().stream().map(collector -> collector.every().equals(settings.interval()) ? collector.name()
                        : collector.name() + " (every " + collector.every().toMillis() + "ms)").toList() + ", to "
                + (printsToStdout(settings) ? "stdout" : "carbon " + settings.carbon().destinations() + " ("
                        + settings.carbon().protocol().name().toLowerCase(Locale.ROOT) + ")");
    }
}
