package io.jmtcp.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 1071 sums against a byte-at-a-time reference, and RFC 1624 updates against full
 * recomputation. Random cases use a fresh seed each run, named in every failure message;
 * {@code -Dwire.seed=N} replays one.
 */
final class InternetChecksumTest
{
    private static final int MAX_LENGTH = 2000;
    private static final int MAX_OFFSET = 7;

    private static long seed()
    {
        return Long.getLong("wire.seed", System.nanoTime());
    }

    /** The definition, RFC 1071 §1: 16-bit big-endian words, odd byte padded with zero, end-around carry. */
    private static int naiveSum(final byte[] bytes, final int offset, final int length)
    {
        long sum = 0;
        for (int i = 0; i < length; i += 2)
        {
            final int high = bytes[offset + i] & 0xFF;
            final int low = i + 1 < length ? bytes[offset + i + 1] & 0xFF : 0;
            sum += (high << 8) | low;
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)sum;
    }

    private static int fold(final int sum)
    {
        long folded = Integer.toUnsignedLong(sum);
        while ((folded >>> 16) != 0)
        {
            folded = (folded & 0xFFFF) + (folded >>> 16);
        }
        return (int)folded;
    }

    @Test
    void partialSumMatchesNaiveReferenceForEveryLengthAndOffset()
    {
        final long seed = seed();
        final Random random = new Random(seed);
        final byte[] bytes = new byte[MAX_LENGTH + MAX_OFFSET];
        random.nextBytes(bytes);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        for (int offset = 0; offset <= MAX_OFFSET; offset++)
        {
            for (int length = 0; length <= MAX_LENGTH; length++)
            {
                final int expected = naiveSum(bytes, offset, length);
                final int actual = fold(InternetChecksum.partialSum(buffer, offset, length, 0));
                if (expected != actual)
                {
                    assertEquals(expected, actual, "seed " + seed + ", offset " + offset + ", length " + length);
                }
                final int checksum = InternetChecksum.checksum(buffer, offset, length);
                if ((~expected & 0xFFFF) != checksum)
                {
                    assertEquals(~expected & 0xFFFF, checksum, "seed " + seed + ", offset " + offset + ", length " + length);
                }
            }
        }
    }

    @Test
    void partialSumOfAllOnesAndAllZerosMatchesReference()
    {
        for (final byte fill : new byte[] {(byte)0xFF, 0})
        {
            final byte[] bytes = new byte[1 << 20];
            Arrays.fill(bytes, fill);
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
            for (final int length : new int[] {0, 1, 7, 8, 31, 32, 33, 65535, 65536, 1 << 20})
            {
                assertEquals(naiveSum(bytes, 0, length), fold(InternetChecksum.partialSum(buffer, 0, length, 0)),
                    "fill " + fill + ", length " + length);
            }
        }
    }

    @Test
    void initialValueIsAddedAsUnsigned32Bits()
    {
        final long seed = seed();
        final Random random = new Random(seed);
        final byte[] bytes = new byte[MAX_LENGTH + MAX_OFFSET];
        random.nextBytes(bytes);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        for (int i = 0; i < 10_000; i++)
        {
            final int offset = random.nextInt(MAX_OFFSET + 1);
            final int length = random.nextInt(MAX_LENGTH + 1);
            final int initial = random.nextInt();
            long expected = naiveSum(bytes, offset, length) + Integer.toUnsignedLong(initial);
            while ((expected >>> 16) != 0)
            {
                expected = (expected & 0xFFFF) + (expected >>> 16);
            }
            assertEquals(expected, fold(InternetChecksum.partialSum(buffer, offset, length, initial)),
                "seed " + seed + ", iteration " + i);
        }
    }

    @Test
    void evenChunksThenAnOddTailSumLikeTheWhole()
    {
        final long seed = seed();
        final Random random = new Random(seed);
        final byte[] bytes = new byte[MAX_LENGTH + MAX_OFFSET];
        random.nextBytes(bytes);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        for (int i = 0; i < 5_000; i++)
        {
            final int offset = random.nextInt(MAX_OFFSET + 1);
            final int length = random.nextInt(MAX_LENGTH + 1);
            int sum = 0;
            int at = offset;
            int left = length;
            while (left > 0)
            {
                // Every chunk but the last has an even length, as partialSum requires.
                int chunk = Math.min(left, random.nextInt(100));
                if (chunk < left)
                {
                    chunk &= ~1;
                }
                sum = InternetChecksum.partialSum(buffer, at, chunk, sum);
                at += chunk;
                left -= chunk;
            }
            assertEquals(naiveSum(bytes, offset, length), fold(sum), "seed " + seed + ", iteration " + i);
        }
    }

    @Test
    void rfc1071NumericalExample()
    {
        // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2; the checksum is its complement.
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[] {0x00, 0x01, (byte)0xf2, 0x03, (byte)0xf4, (byte)0xf5,
            (byte)0xf6, (byte)0xf7});
        assertEquals(0xDDF2, fold(InternetChecksum.partialSum(buffer, 0, 8, 0)));
        assertEquals(0x220D, InternetChecksum.checksum(buffer, 0, 8));
    }

    @Test
    void knownIpv4HeaderChecksumVerifies()
    {
        // A 20-byte header 192.168.0.1 -> 192.168.0.199, UDP, whose stored checksum is 0xb861.
        final int[] header = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00,
            0x01, 0xc0, 0xa8, 0x00, 0xc7};
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[header.length]);
        for (int i = 0; i < header.length; i++)
        {
            buffer.putByte(i, (byte)header[i]);
        }
        assertTrue(InternetChecksum.verify(buffer, 0, 20, 0));
        buffer.putShort(10, (short)0, ByteOrder.BIG_ENDIAN);
        assertEquals(0xB861, InternetChecksum.checksum(buffer, 0, 20));
        buffer.putShort(10, (short)0xB862, ByteOrder.BIG_ENDIAN);
        assertFalse(InternetChecksum.verify(buffer, 0, 20, 0));
    }

    @Test
    void verifyAcceptsStoredChecksumAndRejectsAnySingleBitFlip()
    {
        final long seed = seed();
        final Random random = new Random(seed);
        for (int i = 0; i < 2_000; i++)
        {
            final int length = 2 + random.nextInt(200);
            final int offset = random.nextInt(MAX_OFFSET + 1);
            final byte[] bytes = new byte[offset + length];
            random.nextBytes(bytes);
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
            final int checksumAt = offset + (random.nextInt(length / 2) * 2);
            buffer.putShort(checksumAt, (short)0, ByteOrder.BIG_ENDIAN);
            final int pseudo = random.nextInt(0x10000);
            final int checksum = InternetChecksum.finish(InternetChecksum.partialSum(buffer, offset, length, pseudo));
            buffer.putShort(checksumAt, (short)checksum, ByteOrder.BIG_ENDIAN);
            assertTrue(InternetChecksum.verify(buffer, offset, length, pseudo), "seed " + seed + ", iteration " + i);

            final int bit = random.nextInt(length * 8);
            final int at = offset + bit / 8;
            bytes[at] ^= (byte)(1 << (bit % 8));
            assertFalse(InternetChecksum.verify(buffer, offset, length, pseudo), "seed " + seed + ", iteration " + i);
        }
    }

    @Test
    void pseudoHeaderSumEqualsSumOfItsBytes()
    {
        final long seed = seed();
        final Random random = new Random(seed);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[12]);
        for (int i = 0; i < 10_000; i++)
        {
            final int source = random.nextInt();
            final int destination = random.nextInt();
            final int protocol = random.nextInt(256);
            final int length = random.nextInt(0x10000);
            // RFC 9293 §3.1: source, destination, zero, PTCL, TCP length.
            buffer.putInt(0, source, ByteOrder.BIG_ENDIAN);
            buffer.putInt(4, destination, ByteOrder.BIG_ENDIAN);
            buffer.putByte(8, (byte)0);
            buffer.putByte(9, (byte)protocol);
            buffer.putShort(10, (short)length, ByteOrder.BIG_ENDIAN);
            assertEquals(fold(InternetChecksum.partialSum(buffer, 0, 12, 0)),
                fold(InternetChecksum.pseudoHeaderSum(source, destination, protocol, length)),
                "seed " + seed + ", iteration " + i);
        }
    }

    @Test
    void rfc1624Section3Example()
    {
        // RFC 1624 §3: HC = 0xDD2F, m = 0x5555 becomes m' = 0x3285; eqn. 3 gives 0x0000, as a
        // full recomputation does, where RFC 1141's eqn. 2 gave the -0 value 0xFFFF.
        assertEquals(0x0000, InternetChecksum.update16(0xDD2F, 0x5555, 0x3285));
    }

    @Test
    void update16MatchesFullRecomputation()
    {
        final long seed = seed();
        final Random random = new Random(seed);
        for (int i = 0; i < 100_000; i++)
        {
            final Header header = Header.random(random);
            final int at = header.randomWordOffset(random, 2);
            final int oldWord = header.buffer.getShort(at, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            final int newWord = random.nextInt(8) == 0 ? oldWord : random.nextInt(0x10000);
            header.buffer.putShort(at, (short)newWord, ByteOrder.BIG_ENDIAN);
            final int updated = InternetChecksum.update16(header.checksum, oldWord, newWord);
            assertEquals(header.recompute(), updated, "seed " + seed + ", iteration " + i);
        }
    }

    @Test
    void update32MatchesFullRecomputation()
    {
        final long seed = seed();
        final Random random = new Random(seed);
        for (int i = 0; i < 100_000; i++)
        {
            final Header header = Header.random(random);
            final int at = header.randomWordOffset(random, 4);
            final int oldValue = header.buffer.getInt(at, ByteOrder.BIG_ENDIAN);
            final int newValue = random.nextInt(8) == 0 ? oldValue : random.nextInt();
            header.buffer.putInt(at, newValue, ByteOrder.BIG_ENDIAN);
            final int updated = InternetChecksum.update32(header.checksum, oldValue, newValue);
            assertEquals(header.recompute(), updated, "seed " + seed + ", iteration " + i);
        }
    }

    @Test
    void chainedUpdatesStayValid()
    {
        final long seed = seed();
        final Random random = new Random(seed);
        final Header header = Header.random(random);
        int checksum = header.checksum;
        for (int i = 0; i < 10_000; i++)
        {
            final int at = header.randomWordOffset(random, 4);
            final int oldValue = header.buffer.getInt(at, ByteOrder.BIG_ENDIAN);
            final int newValue = random.nextInt();
            header.buffer.putInt(at, newValue, ByteOrder.BIG_ENDIAN);
            checksum = InternetChecksum.update32(checksum, oldValue, newValue);
        }
        assertEquals(header.recompute(), checksum, "seed " + seed);
    }

    @Test
    void finishFoldsCarriesBeforeComplementing()
    {
        assertEquals(0xFFFF, InternetChecksum.finish(0));
        assertEquals(0x0000, InternetChecksum.finish(0xFFFF));
        assertEquals(0x0000, InternetChecksum.finish(0xFFFF_FFFF));
        assertEquals(~0x0002 & 0xFFFF, InternetChecksum.finish(0x0001_0001));
    }

    /** A random header-like run of bytes with a checksum field at offset 10, as in IPv4. */
    private static final class Header
    {
        private static final int CHECKSUM_AT = 10;

        private final UnsafeBuffer buffer;
        private final int length;
        private final int checksum;

        private Header(final UnsafeBuffer buffer, final int length, final int checksum)
        {
            this.buffer = buffer;
            this.length = length;
            this.checksum = checksum;
        }

        static Header random(final Random random)
        {
            final int length = 20 + 4 * random.nextInt(11);
            final byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            // Never all zero: a full recomputation and RFC 1624 then agree exactly (RFC 1624 §3).
            bytes[0] |= 0x40;
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
            buffer.putShort(CHECKSUM_AT, (short)0, ByteOrder.BIG_ENDIAN);
            final int checksum = InternetChecksum.checksum(buffer, 0, length);
            buffer.putShort(CHECKSUM_AT, (short)checksum, ByteOrder.BIG_ENDIAN);
            return new Header(buffer, length, checksum);
        }

        /** A 16-bit aligned offset of a field of {@code size} bytes that avoids the checksum and byte 0. */
        int randomWordOffset(final Random random, final int size)
        {
            while (true)
            {
                final int at = 2 * (1 + random.nextInt((length - size) / 2));
                if (at + size <= CHECKSUM_AT || at >= CHECKSUM_AT + 2)
                {
                    return at;
                }
            }
        }

        int recompute()
        {
            final int stored = buffer.getShort(CHECKSUM_AT, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            buffer.putShort(CHECKSUM_AT, (short)0, ByteOrder.BIG_ENDIAN);
            final int checksum = InternetChecksum.checksum(buffer, 0, length);
            buffer.putShort(CHECKSUM_AT, (short)stored, ByteOrder.BIG_ENDIAN);
            return checksum;
        }
    }
}
