package org.gleaner.agent.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.gleaner.agent.config.ConfigException;
import org.gleaner.agent.config.ConfigLoader;
import org.gleaner.agent.config.YamlSection;
import org.gleaner.collectors.Collector;
import org.gleaner.collectors.processmemory.ProcessMemoryCollector;
import org.gleaner.testkit.Requirements;
import org.junit.jupiter.api.Test;

/** The memory collector's options as the agent reads them from its config file. */
class MemoryCollectorFactoryTest {
    private static YamlSection section(String memoryOptions) {
        return ConfigLoader.parse("g.yaml", "collectors:\n  memory: " + memoryOptions + "\n").collectors().section("memory");
    }

    /** As the agent does: the section's timeout, or half the default 10 s interval. */
    private static Collector create(YamlSection options) throws Exception {
        return new MemoryCollectorFactory().create(options, options.duration("timeout", Duration.ofSeconds(5)));
    }

    private static String error(String memoryOptions) {
        YamlSection options = section(memoryOptions);
        return assertThrows(ConfigException.class, () -> create(options)).getMessage();
    }

    @Test
    void everyOptionIsReadAndTheCollectorStarts() throws Exception {
        YamlSection options = section("{source: smaps, top: 0, process_budget: 50ms, cycle_budget: 1s, threads: 1, timeout: 2s}");
        try (Collector collector = create(options)) {
            assertTrue(collector instanceof ProcessMemoryCollector);
        }
        options.rejectUnread();
        assertEquals("memory", new MemoryCollectorFactory().name());
        assertTrue(new MemoryCollectorFactory().enabledByDefault());
        assertTrue(CollectorRegistry.byName().get("memory") instanceof MemoryCollectorFactory);
    }

    @Test
    void runsOnceAMinuteByDefaultOrOncePerCycleWhenCyclesAreLonger() {
        MemoryCollectorFactory factory = new MemoryCollectorFactory();
        assertEquals(Duration.ofSeconds(60), factory.defaultInterval(Duration.ofSeconds(10)));
        assertEquals(Duration.ofSeconds(60), factory.defaultInterval(Duration.ofMillis(500)));
        assertEquals(Duration.ofSeconds(60), factory.defaultInterval(Duration.ofSeconds(60)));
        assertEquals(Duration.ofMinutes(5), factory.defaultInterval(Duration.ofMinutes(5)));
        assertEquals(Duration.ofSeconds(10), new SystemCollectorFactory().defaultInterval(Duration.ofSeconds(10)));
    }

    @Test
    void badValuesNameTheLineAndKey() {
        assertEquals("g.yaml:2: collectors.memory.source: expected rollup or smaps", error("{source: pagemap}"));
        assertEquals("g.yaml:2: collectors.memory.top: must be between 0 and 10000", error("{top: -1}"));
        assertEquals("g.yaml:2: collectors.memory.threads: must be between 1 and 64", error("{threads: 0}"));
        assertEquals("g.yaml:2: collectors.memory.process_budget: must be more than 0", error("{process_budget: 0ms}"));
        assertEquals("g.yaml:2: collectors.memory.cycle_budget: expected a duration with a unit (e.g. 10s, 500ms, 2m)",
                error("{cycle_budget: 2}"));
        assertEquals("g.yaml:2: collectors.memory.cycle_budget: must be less than the timeout (1000ms): a run that reaches "
                + "the timeout is abandoned with nothing reported", error("{cycle_budget: 1s, timeout: 1s}"));
    }

    @Test
    void theShippedSampleConfigIsValid() throws Exception {
        Path sample = Requirements.repoRoot().resolve("systemd/gleaner.yaml");
        YamlSection options = ConfigLoader.parse(sample.toString(), Files.readString(sample)).collectors().section("memory");
        assertTrue(options.bool("enabled", false));
        create(options).close();
        options.rejectUnread();
    }

    @Test
    void anExplicitTimeoutShortensTheDefaultCycleBudgetInsteadOfFailing() throws Exception {
        YamlSection options = section("{timeout: 300ms}");
        create(options).close();
        options.rejectUnread();
    }
}
