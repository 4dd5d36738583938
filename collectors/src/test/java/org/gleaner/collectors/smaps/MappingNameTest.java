package org.gleaner.collectors.smaps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Mapping names as smaps writes them (a newline as \012) to their human form. */
class MappingNameTest {
    private static String name(String smaps) {
        byte[] bytes = smaps.getBytes(StandardCharsets.ISO_8859_1);
        return ProcessReader.mappingName(bytes, bytes.length);
    }

    @Test
    void theKernelsNewlineEscapeIsTheNewlineByte() {
        assertEquals("/tmp/map\\x0afile", name("/tmp/map\\012file"));
        assertEquals("/a\\x0a\\x0ab\\x0a", name("/a\\012\\012b\\012"));
        assertEquals("/usr/lib/libc.so.6", name("/usr/lib/libc.so.6"));
        assertEquals("/x\\\\011y", name("/x\\011y"), "only \\012 is the kernel's: another backslash is a backslash");
    }

    @Test
    void bytesThatAreNotUtf8KeepTheirIdentity() {
        assertEquals("/lib/\\xff\\xfe.so", name("/lib/\u00ff\u00fe.so"));
        assertNotEquals(name("/lib/\u00ff\u00fe.so"), name("/lib/\u00fe\u00ff.so"));
        assertEquals("/lib/caf\u00e9.so", name(new String("/lib/café.so".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)));
    }
}
