package org.gleaner.agent.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.gleaner.agent.collect.CollectorOptions;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One mapping of the config file, read through typed getters that remember which keys were read:
 * every error names the file, the line (from the YAML node's mark) and the full key, and
 * {@link #rejectUnread()} reports the first key nobody asked for as unknown.
 */
public final class YamlSection implements CollectorOptions {
    private final String file;
    private final String keyPrefix;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
    private final Set<String> read = new HashSet<>();

    private YamlSection(String file, String keyPrefix) {
        this.file = file;
        this.keyPrefix = keyPrefix;
    }

    /** A section with no keys: every getter gives its default. */
    public static YamlSection empty(String file, String keyPrefix) {
        return new YamlSection(file, keyPrefix);
    }

    /** {@code node} must be a mapping (or null, an empty document or an empty value: no keys). */
    static YamlSection of(String file, String keyPrefix, Node node, String what) {
        YamlSection section = new YamlSection(file, keyPrefix);
        if (node == null || isNull(node)) {
            return section;
        }
        if (!(node instanceof MappingNode mapping)) {
            throw new ConfigException(file + ":" + line(node) + ": " + what + ": expected a mapping of keys to values");
        }
        for (NodeTuple tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
                throw new ConfigException(file + ":" + line(tuple.getKeyNode()) + ": " + what + ": a key must be a plain name");
            }
            if (section.entries.putIfAbsent(key.getValue(), tuple) != null) {
                throw section.error(key.getValue(), tuple.getKeyNode(), "duplicate key");
            }
        }
        return section;
    }

    public List<String> keys() {
        return List.copyOf(entries.keySet());
    }

    /** The full dotted name of {@code key} as the user would look for it in the file. */
    public String fullKey(String key) {
        return keyPrefix + key;
    }

    public ConfigException error(String key, String problem) {
        NodeTuple tuple = entries.get(key);
        return error(key, tuple == null ? null : tuple.getValueNode(), problem);
    }

    private ConfigException error(String key, Node at, String problem) {
        String where = at == null ? file : file + ":" + line(at);
        return new ConfigException(where + ": " + fullKey(key) + ": " + problem);
    }

    /** Reports the first key (in file order) that no getter asked for. */
    public void rejectUnread() {
        for (Map.Entry<String, NodeTuple> entry : entries.entrySet()) {
            if (!read.contains(entry.getKey())) {
                throw error(entry.getKey(), entry.getValue().getKeyNode(), "unknown key");
            }
        }
    }

    public YamlSection section(String key) {
        return of(file, fullKey(key) + ".", value(key), fullKey(key));
    }

    /** A list of mappings, e.g. {@code groups: [{mode: failover, ...}, ...]}; empty when absent. */
    public List<YamlSection> sections(String key) {
        Node node = value(key);
        if (node == null) {
            return List.of();
        }
        if (!(node instanceof SequenceNode sequence)) {
            throw error(key, node, "expected a list of mappings");
        }
        List<YamlSection> sections = new ArrayList<>();
        for (Node item : sequence.getValue()) {
            String name = fullKey(key) + "[" + sections.size() + "]";
            sections.add(of(file, name + ".", item, name));
        }
        return sections;
    }

    @Override
    public String string(String key, String defaultValue) {
        return scalar(key, defaultValue, Set.of(Tag.STR, Tag.INT, Tag.FLOAT), "expected a string", text -> text);
    }

    @Override
    public long integer(String key, long defaultValue) {
        return scalar(key, defaultValue, Set.of(Tag.INT), "expected an integer", text -> {
            try {
                return Long.decode(text.replace("_", ""));
            } catch (NumberFormatException tooLarge) {
                throw new IllegalArgumentException("integer out of range: " + text);
            }
        });
    }

    @Override
    public boolean bool(String key, boolean defaultValue) {
        return scalar(key, defaultValue, Set.of(Tag.BOOL), "expected true or false",
                text -> Set.of("true", "yes", "on", "y").contains(text.toLowerCase(Locale.ROOT)));
    }

    @Override
    public Duration duration(String key, Duration defaultValue) {
        return scalar(key, defaultValue, Set.of(Tag.STR), "expected a duration with a unit (e.g. 10s, 500ms, 2m)",
                Units::duration);
    }

    @Override
    public long bytes(String key, long defaultValue) {
        return scalar(key, defaultValue, Set.of(Tag.STR, Tag.INT), "expected a byte size (e.g. 256MiB, 4096)", Units::bytes);
    }

    /**
     * The value of {@code key} converted by {@code convert}, if it is a scalar with one of the
     * {@code accepted} YAML tags; an {@link IllegalArgumentException} from the conversion becomes a
     * config error at the value's line.
     */
    private <T> T scalar(String key, T defaultValue, Set<Tag> accepted, String expected, Function<String, T> convert) {
        Node node = value(key);
        if (node == null) {
            return defaultValue;
        }
        if (!(node instanceof ScalarNode scalar) || !accepted.contains(scalar.getTag())) {
            throw error(key, node, expected);
        }
        try {
            return convert.apply(scalar.getValue());
        } catch (IllegalArgumentException bad) {
            throw error(key, node, bad.getMessage());
        }
    }

    @Override
    public List<String> strings(String key, List<String> defaultValue) {
        Node node = value(key);
        if (node == null) {
            return defaultValue;
        }
        if (!(node instanceof SequenceNode sequence)) {
            throw error(key, node, "expected a list, e.g. [\"a\", \"b\"]");
        }
        List<String> values = new ArrayList<>();
        for (Node item : sequence.getValue()) {
            if (!(item instanceof ScalarNode scalar) || isNull(item) || scalar.getTag().equals(Tag.BOOL)) {
                throw error(key, item, "expected a list of strings");
            }
            values.add(scalar.getValue());
        }
        return values;
    }

    @Override
    public Map<String, String> stringMap(String key, Map<String, String> defaultValue) {
        Node node = value(key);
        if (node == null) {
            return defaultValue;
        }
        YamlSection mapping = of(file, fullKey(key) + ".", node, fullKey(key));
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : mapping.keys()) {
            values.put(name, mapping.string(name, null));
        }
        return values;
    }

    /** Marks {@code key} read and returns its value node, or null when it is absent or empty. */
    private Node value(String key) {
        read.add(key);
        NodeTuple tuple = entries.get(key);
        return tuple == null || isNull(tuple.getValueNode()) ? null : tuple.getValueNode();
    }

    private static boolean isNull(Node node) {
        return node.getTag().equals(Tag.NULL);
    }

    private static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }
}
