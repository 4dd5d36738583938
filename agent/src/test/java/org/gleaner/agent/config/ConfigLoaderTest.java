package org.gleaner.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.gleaner.agent.config.AgentConfig.CounterMode;
import org.gleaner.agent.pipeline.CarbonTarget;
import org.gleaner.agent.pipeline.CarbonTarget.Destination;
import org.gleaner.agent.pipeline.CarbonTarget.Protocol;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

    static String error(String yaml) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse("g.yaml", yaml)).getMessage();
    }

    @Test
    void theShippedSampleIsValidAndShowsTheDefaults() throws Exception {
        Path sample = org.gleaner.testkit.Requirements.repoRoot().resolve("systemd/gleaner.yaml");
        AgentConfig config = ConfigLoader.parse(sample.toString(), Files.readString(sample));
        AgentConfig defaults = ConfigLoader.load(Path.of("/nonexistent/gleaner.yaml"), false);
        assertEquals(defaults.interval(), config.interval());
        assertEquals(defaults.prefix(), config.prefix());
        assertEquals(defaults.hostname(), config.hostname());
        assertEquals(defaults.spool(), config.spool());
        assertEquals(defaults.counters(), config.counters());
        assertEquals(List.of(new Destination("127.0.0.1", 2003)), config.carbon().destinations());
        assertEquals(defaults.carbon().tuning(), config.carbon().tuning());
        YamlSection system = config.collectors().section("system");
        system.bool("enabled", true);
        java.time.Duration timeout = system.duration("timeout", java.time.Duration.ofSeconds(5));
        new org.gleaner.agent.collect.SystemCollectorFactory().create(system, timeout).close();
        system.rejectUnread();
    }

    @Test
    void destinationGroupsReplayAndMaxAge() {
        AgentConfig config = ConfigLoader.parse("g.yaml", """
                carbon:
                  ack_timeout: 3s
                  max_line_bytes: 1KiB
                  groups:
                    - {mode: loadbalance, lifetime: 2m, destinations: ["r1:2013", "r2:2013"]}
                    - destinations: ["archive"]
                replay: {rate: 50, start_delay: 1s, backoff_max: 9s}
                spool: {max_age: 7d}
                """);
        CarbonTarget carbon = config.carbon();
        assertEquals(2, carbon.groups().size());
        assertEquals(new CarbonTarget.Group(CarbonTarget.Mode.LOADBALANCE,
                List.of(new Destination("r1", 2013), new Destination("r2", 2013)), Duration.ofMinutes(2)), carbon.groups().get(0));
        assertEquals(CarbonTarget.Group.failover(List.of(new Destination("archive", 2003))), carbon.groups().get(1));
        assertEquals(new CarbonTarget.Tuning(Duration.ofSeconds(3), 50, Duration.ofSeconds(1), Duration.ofSeconds(9), 1024),
                carbon.tuning());
        assertEquals(Duration.ofDays(7), config.spool().maxAge());
        assertTrue(error("carbon: {destinations: [a], groups: [{destinations: [b]}]}").contains("either destinations or groups"));
        assertTrue(error("carbon: {groups: [{mode: random, destinations: [b]}]}").contains("carbon.groups[0].mode: expected failover or loadbalance"));
        assertTrue(error("carbon: {groups: [{mode: failover}]}").contains("at least one destination"));
        assertTrue(error("carbon: {groups: [{destinations: [b], extra: 1}]}").contains("carbon.groups[0].extra: unknown key"));
        assertTrue(error("replay: {rate: -1}").contains("replay.rate"));
        assertTrue(error("carbon: {ack_timeout: 0s}").contains("carbon.ack_timeout: must be more than 0"));
        assertTrue(error("carbon: {max_line_bytes: 10}").contains("carbon.max_line_bytes"));
    }

    @Test
    void defaultsWithoutAFile() {
        AgentConfig config = ConfigLoader.load(Path.of("/nonexistent/gleaner.yaml"), false);
        assertEquals(Duration.ofSeconds(10), config.interval());
        assertEquals("{host}", config.prefix());
        assertEquals(List.of(), config.carbon().destinations());
        assertEquals(CounterMode.RATE, config.counters());
        assertEquals(256L << 20, config.spool().maxBytes());
        assertEquals(Path.of("/var/lib/gleaner/spool"), config.spool().dir());
    }

    @Test
    void everyKeyIsRead() {
        AgentConfig config = ConfigLoader.parse("g.yaml", """
                interval: 2.5s
                hostname: web1
                prefix: "servers.{host}"
                counters: raw
                carbon:
                  destinations: ["10.0.0.1", "carbon2:2103", "[::1]:2004"]
                  protocol: pickle
                spool: {dir: /tmp/s, max_bytes: 1GiB}
                collectors:
                  system: {enabled: false}
                """);
        assertEquals(Duration.ofMillis(2500), config.interval());
        assertEquals("web1", config.hostname());
        assertEquals(CounterMode.RAW, config.counters());
        assertEquals(Protocol.PICKLE, config.carbon().protocol());
        assertEquals(List.of(new Destination("10.0.0.1", 2004), new Destination("carbon2", 2103), new Destination("::1", 2004)),
                config.carbon().destinations());
        assertEquals(1L << 30, config.spool().maxBytes());
        assertEquals(List.of("system"), config.collectors().keys());
    }

    @Test
    void errorsNameFileLineAndKey() {
        assertEquals("g.yaml:2: intervall: unknown key", error("prefix: x\nintervall: 10s\n"));
        assertEquals("g.yaml:1: interval: not a duration: '10 parsecs' (write e.g. 10s, 500ms, 2m, 1h)",
                error("interval: 10 parsecs\n"));
        assertEquals("g.yaml:1: interval: expected a duration with a unit (e.g. 10s, 500ms, 2m)", error("interval: 10\n"));
        assertEquals("g.yaml:1: interval: must be at least 100ms", error("interval: 5ms\n"));
        assertEquals("g.yaml:3: carbon.protocol: expected plaintext, pickle or udp",
                error("carbon:\n  destinations: [a]\n  protocol: tcp\n"));
        assertEquals("g.yaml:2: carbon.destinations: expected a list, e.g. [\"a\", \"b\"]", error("carbon:\n  destinations: a:1\n"));
        assertEquals("g.yaml:1: carbon.destinations: bad destination 'a:99999': port must be 1-65535",
                error("carbon: {destinations: [\"a:99999\"]}\n"));
        assertEquals("g.yaml:3: spool.max_size: unknown key", error("spool:\n  dir: /x\n  max_size: 1\n"));
        assertEquals("g.yaml:1: spool.max_bytes: not a byte size: '12 parsecs' (write e.g. 256MiB, 1GiB, 4096)",
                error("spool: {max_bytes: 12 parsecs}\n"));
        assertEquals("g.yaml:1: counters: expected rate or raw", error("counters: cooked\n"));
        assertEquals("g.yaml:1: hostname: expected a string", error("hostname: [a, b]\n"));
        assertEquals("g.yaml:2: carbon: expected a mapping of keys to values", error("interval: 1s\ncarbon: 127.0.0.1\n"));
        assertEquals("g.yaml:2: interval: duplicate key", error("interval: 1s\ninterval: 2s\n"));
        assertEquals("g.yaml:1: top level: expected a mapping of keys to values", error("- a\n- b\n"));
    }

    @Test
    void yamlSyntaxErrorsNameTheLine() {
        assertEquals("g.yaml:3: not valid YAML: expected ',' or '}', but got <scalar>",
                error("interval: 1s\ncarbon: {destinations: [a]\nspool: x\n"));
    }

    @Test
    void collectorOptionsGetTheSameErrors() {
        YamlSection collectors = ConfigLoader.parse("g.yaml", """
                collectors:
                  system:
                    per_cpu: maybe
                    mystery: 3
                    count: 1.5
                    names: x
                """).collectors();
        YamlSection system = collectors.section("system");
        assertEquals("g.yaml:3: collectors.system.per_cpu: expected true or false",
                assertThrows(ConfigException.class, () -> system.bool("per_cpu", false)).getMessage());
        assertEquals("g.yaml:5: collectors.system.count: expected an integer",
                assertThrows(ConfigException.class, () -> system.integer("count", 0)).getMessage());
        assertEquals("g.yaml:6: collectors.system.names: expected a list, e.g. [\"a\", \"b\"]",
                assertThrows(ConfigException.class, () -> system.strings("names", List.of())).getMessage());
        assertEquals("g.yaml:4: collectors.system.mystery: unknown key",
                assertThrows(ConfigException.class, system::rejectUnread).getMessage());
        assertEquals(7, system.integer("absent", 7));
    }

    @Test
    void units() {
        assertEquals(Duration.ofMillis(250), Units.duration("250ms"));
        assertEquals(Duration.ofMinutes(2), Units.duration("2m"));
        assertEquals(Duration.ofMillis(1500), Units.duration("1.5s"));
        assertEquals(Duration.ofDays(1), Units.duration("1d"));
        assertEquals(4096, Units.bytes("4096"));
        assertEquals(64L << 20, Units.bytes("64MiB"));
        assertEquals(512L << 10, Units.bytes("512 KiB"));
        assertEquals(2_000_000, Units.bytes("2MB"));
        for (String bad : List.of("", "s", "10", "-1s", "1e3s", "10 sec")) {
            assertThrows(IllegalArgumentException.class, () -> Units.duration(bad), bad);
        }
        for (String bad : List.of("", "MiB", "-1", "1.5GiB", "99999999999TiB", "10 mb")) {
            assertThrows(IllegalArgumentException.class, () -> Units.bytes(bad), bad);
        }
    }
}
