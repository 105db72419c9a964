package io.jmtcp.bed;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SeededBytesTest
{
    @Test
    void streamIsPinned()
    {
        // Kernel peers in other JVMs and earlier recorded hashes rely on this exact stream:
        // SplitMix64 of seed + k * 0x9E3779B97F4A7C15, least significant byte first.
        final long z0 = mix(0x9E3779B97F4A7C15L);
        for (int p = 0; p < 8; p++)
        {
            assertEquals((byte)(z0 >>> (8 * p)), SeededBytes.byteAt(0, p + 8), "byte " + p);
        }
        assertEquals(SeededBytes.byteAt(5, 0), (byte)mix(5), "seed 5, position 0");
    }

    @Test
    void sha256IsTheHashOfTheFilledBytes() throws Exception
    {
        final int length = 200_003;
        final UnsafeBuffer all = new UnsafeBuffer(new byte[length]);
        SeededBytes.fill(9, 0, all, 0, length);
        final byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(all.byteArray());
        assertEquals(java.util.HexFormat.of().formatHex(digest), SeededBytes.sha256Hex(9, length));
    }

    private static long mix(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Test
    void fillWritesTheSameBytesAsByteAtFromAnyPositionAndOffset()
    {
        final SplittableRandom random = new SplittableRandom(7);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        for (int i = 0; i < 2_000; i++)
        {
            final long seed = random.nextLong();
            final long position = random.nextLong(1L << 40);
            final int offset = random.nextInt(8);
            final int length = random.nextInt(buffer.capacity() - offset + 1);
            SeededBytes.fill(seed, position, buffer, offset, length);
            for (int k = 0; k < length; k++)
            {
                assertEquals(SeededBytes.byteAt(seed, position + k), buffer.getByte(offset + k),
                    "seed " + seed + " position " + position + " byte " + k);
            }
        }
    }
}
