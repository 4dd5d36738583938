package org.gleaner.collectors.text;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A file path as the kernel gives it: bytes, never decoded. {@link java.nio.file.Path} cannot stand
 * in for it: making one from a String encodes it with the locale's charset (sun.jnu.encoding), which
 * under no locale (cron, a systemd unit) is ASCII and fails on {@code café.txt}, and decoding a
 * name that is not valid UTF-8 merges different names. Compared, hashed and ordered by its bytes;
 * shown with {@link ByteText#human}.
 */
public final class BytePath implements Comparable<BytePath> {
    public static final BytePath ROOT = new BytePath(new byte[] {'/'});
    private static final byte SLASH = '/';
    /** How the JVM encodes file names given as Strings (command-line arguments were decoded with it). */
    private static final Charset ARGUMENT_CHARSET = argumentCharset();

    private final byte[] bytes;
    private int hash;

    private BytePath(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The path made of {@code raw[offset, offset+length)}, copied. */
    public static BytePath of(byte[] raw, int offset, int length) {
        return new BytePath(Arrays.copyOfRange(raw, offset, offset + length));
    }

    public static BytePath of(byte[] raw) {
        return of(raw, 0, raw.length);
    }

    /**
     * A path the user typed (a command-line argument, a config value): its text encoded as the JVM
     * encodes file names, the inverse of how it decoded the argument.
     */
    public static BytePath ofArgument(String text) {
        return new BytePath(text.getBytes(ARGUMENT_CHARSET));
    }

    /** A JDK path, as the JDK would name it to the kernel. */
    public static BytePath of(Path path) {
        return ofArgument(path.toString());
    }

    /**
     * The bytes a JDK path really names. A path the JDK got from the kernel (a directory listing, a
     * symlink) holds the kernel's bytes, but its toString() decodes them with the locale's charset,
     * which turns bytes it cannot decode into U+FFFD; its URI keeps them, percent-encoded.
     */
    public static BytePath ofKernel(Path absolute) {
        String uriPath = absolute.toUri().getRawPath();
        byte[] raw = new byte[uriPath.length()];
        int length = 0;
        for (int i = 0; i < uriPath.length(); i++) {
            char c = uriPath.charAt(i);
            if (c == '%' && i + 2 < uriPath.length()) {
                raw[length++] = (byte) Integer.parseInt(uriPath, i + 1, i + 3, 16);
                i += 2;
            } else {
                raw[length++] = (byte) c;
            }
        }
        if (length > 1 && raw[length - 1] == SLASH) {
            length--; // a directory's URI ends with '/'
        }
        return of(raw, 0, length);
    }

    /**
     * The JDK path of an absolute path, holding its very bytes in any locale: made from a file URI
     * with every byte but a few ASCII ones percent-encoded, which the JDK decodes back into bytes
     * (the inverse of {@link #ofKernel}).
     */
    public Path toPath() {
        if (!isAbsolute()) {
            throw new IllegalArgumentException("not an absolute path: " + ByteText.human(bytes));
        }
        StringBuilder uri = new StringBuilder(bytes.length + 16).append("file://");
        for (byte b : bytes) {
            if (b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '/' || b == '.' || b == '-' || b == '_') {
                uri.append((char) b);
            } else {
                uri.append('%').append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            }
        }
        return Path.of(java.net.URI.create(uri.toString()));
    }

    /** The raw bytes (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    /** The bytes followed by NUL, for a system call. */
    public byte[] cString() {
        return Arrays.copyOf(bytes, bytes.length + 1);
    }

    public boolean isAbsolute() {
        return bytes.length > 0 && bytes[0] == SLASH;
    }

    /** This directory's entry {@code name} ("." or nothing for the directory itself). */
    public BytePath resolve(byte[] name) {
        if (name == null || name.length == 0 || name.length == 1 && name[0] == '.') {
            return this;
        }
        if (name[0] == SLASH || bytes.length == 0) {
            return new BytePath(name.clone());
        }
        boolean slash = bytes[bytes.length - 1] != SLASH;
        byte[] joined = Arrays.copyOf(bytes, bytes.length + (slash ? 1 : 0) + name.length);
        if (slash) {
            joined[bytes.length] = SLASH;
        }
        System.arraycopy(name, 0, joined, joined.length - name.length, name.length);
        return new BytePath(joined);
    }

    /** This directory's entry or relative path {@code relative}, as the user typed it ({@link #ofArgument}). */
    public BytePath resolve(String relative) {
        return resolve(relative.getBytes(ARGUMENT_CHARSET));
    }

    public BytePath resolve(BytePath relative) {
        return resolve(relative.bytes);
    }

    /** Whether this path is {@code root} or lies below it, by whole components. */
    public boolean startsWith(BytePath root) {
        int n = root.bytes.length;
        if (n > bytes.length || !Arrays.equals(bytes, 0, n, root.bytes, 0, n)) {
            return false;
        }
        return n == bytes.length || n > 0 && root.bytes[n - 1] == SLASH || bytes[n] == SLASH;
    }

    /** The part of {@code below} under this path (empty for this path itself); {@code below} must start with it. */
    public BytePath relativize(BytePath below) {
        if (!below.startsWith(this)) {
            throw new IllegalArgumentException(below + " is not below " + this);
        }
        int from = bytes.length;
        while (from < below.bytes.length && below.bytes[from] == SLASH) {
            from++;
        }
        return new BytePath(Arrays.copyOfRange(below.bytes, from, below.bytes.length));
    }

    /** Whether the path ends with {@code suffix}'s bytes. */
    public boolean endsWith(byte[] suffix) {
        int from = bytes.length - suffix.length;
        return from >= 0 && Arrays.equals(bytes, from, bytes.length, suffix, 0, suffix.length);
    }

    /** The path without its last {@code count} bytes. */
    public BytePath dropLast(int count) {
        return new BytePath(Arrays.copyOf(bytes, bytes.length - count));
    }

    /** The components between slashes, in order (none for "/" or the empty path). */
    public BytePath[] names() {
        int count = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != SLASH && (i == 0 || bytes[i - 1] == SLASH)) {
                count++;
            }
        }
        BytePath[] names = new BytePath[count];
        int at = 0;
        int i = 0;
        while (i < bytes.length) {
            if (bytes[i] == SLASH) {
                i++;
                continue;
            }
            int start = i;
            while (i < bytes.length && bytes[i] != SLASH) {
                i++;
            }
            names[at++] = of(bytes, start, i - start);
        }
        return names;
    }

    /** The human form ({@link ByteText#human}): reversible, printable, one line. */
    @Override
    public String toString() {
        return ByteText.human(bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BytePath path && Arrays.equals(path.bytes, bytes);
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = Arrays.hashCode(bytes);
            hash = h;
        }
        return h;
    }

    /** Unsigned byte order: a directory sorts right before what lies below it ('/' is 0x2f). */
    @Override
    public int compareTo(BytePath other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    private static Charset argumentCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (IllegalArgumentException unknown) {
            return StandardCharsets.UTF_8;
        }
    }
}
