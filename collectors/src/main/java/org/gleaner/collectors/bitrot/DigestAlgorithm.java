package org.gleaner.collectors.bitrot;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import net.openhft.hashing.LongTupleHashFunction;

/**
 * The content digests: one per block, and the file's digest computed over the size and the block
 * digests (so a file is never read twice). XXH3-128 is the default: non-cryptographic, fast enough
 * that the disk is always the limit; SHA-256 for those who want a cryptographic digest.
 */
public enum DigestAlgorithm {
    XXH3_128("xxh3-128", 16),
    SHA256("sha256", 32);

    private final String label;
    private final int length;

    DigestAlgorithm(String label, int length) {
        this.label = label;
        this.length = length;
    }

    /** Its name in options and in the database. */
    public String label() {
        return label;
    }

    public int length() {
        return length;
    }

    public static DigestAlgorithm of(String label) {
        for (DigestAlgorithm algorithm : values()) {
            if (algorithm.label.equals(label.toLowerCase(Locale.ROOT))) {
                return algorithm;
            }
        }
        throw new IllegalArgumentException("unknown hash '" + label + "' (known: xxh3-128, sha256)");
    }

    /** Computes digests; not thread-safe, one per reading thread. */
    Hasher newHasher() {
        return this == XXH3_128 ? new Xxh3Hasher() : new Sha256Hasher();
    }

    abstract static class Hasher {
        /** Writes the digest of direct buffer {@code data[0, length)} into {@code out} at {@code offset}. */
        abstract void block(ByteBuffer data, int length, byte[] out, int offset);

        /** The file's digest: over its size and its block digests. */
        abstract byte[] file(long size, byte[] blockDigests);
    }

    private static final class Xxh3Hasher extends Hasher {
        private static final LongTupleHashFunction XXH128 = LongTupleHashFunction.xx128();
        private final long[] result = XXH128.newResultArray();

        @Override
        void block(ByteBuffer data, int length, byte[] out, int offset) {
            // by address: hashing a direct ByteBuffer would need java.base's sun.nio.ch opened to it
            XXH128.hashMemory(Pointer.nativeValue(Native.getDirectBufferPointer(data)), length, result);
            putLong(out, offset, result[0]);
            putLong(out, offset + 8, result[1]);
        }

        @Override
        byte[] file(long size, byte[] blockDigests) {
            byte[] input = ByteBuffer.allocate(8 + blockDigests.length).putLong(size).put(blockDigests).array();
            XXH128.hashBytes(input, result);
            byte[] digest = new byte[16];
            putLong(digest, 0, result[0]);
            putLong(digest, 8, result[1]);
            return digest;
        }

        private static void putLong(byte[] out, int offset, long value) {
            for (int i = 0; i < 8; i++) {
                out[offset + i] = (byte) (value >>> (56 - 8 * i));
            }
        }
    }

    private static final class Sha256Hasher extends Hasher {
        private final MessageDigest sha256;

        Sha256Hasher() {
            try {
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("this JVM has no SHA-256", e);
            }
        }

        @Override
        void block(ByteBuffer data, int length, byte[] out, int offset) {
            ByteBuffer view = data.duplicate().position(0).limit(length);
            sha256.update(view);
            byte[] digest = sha256.digest();
            System.arraycopy(digest, 0, out, offset, digest.length);
        }

        @Override
        byte[] file(long size, byte[] blockDigests) {
            sha256.update(ByteBuffer.allocate(8).putLong(0, size));
            return sha256.digest(blockDigests);
        }
    }
}
