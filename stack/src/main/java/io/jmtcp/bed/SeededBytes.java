package io.jmtcp.bed;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The pseudo-random byte stream of every transfer test and of {@code jmtcp source}: a pure
 * function of a seed and a byte's position, so that a receiver (or a test, or a kernel peer in
 * another JVM) can compute what it should get without being told.
 *
 * <p>The generator is SplitMix64's output function (Steele, Lea and Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014) applied to {@code seed + k * 0x9E3779B97F4A7C15}
 * for the k-th 64-bit word; byte {@code p} is byte {@code p mod 8} of word {@code p / 8}, least
 * significant first. Not cryptographic.
 */
public final class SeededBytes
{
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private SeededBytes()
    {
    }

    /**
     * @param seed     the stream's seed.
     * @param position a byte's position, from 0.
     * @return the stream's byte there.
     */
    public static byte byteAt(final long seed, final long position)
    {
        return (byte)(word(seed, position >>> 3) >>> ((position & 7) * 8));
    }

    /**
     * Write {@code length} bytes of the stream, from {@code position} on; the same bytes as
     * {@link #byteAt} one by one, at an eighth of the mixing work.
     *
     * @param seed     the stream's seed.
     * @param position the first byte's position in the stream.
     * @param dst      where to write.
     * @param offset   the first index in {@code dst}.
     * @param length   how many bytes.
     */
    public static void fill(final long seed, final long position, final MutableDirectBuffer dst, final int offset,
        final int length)
    {
        int done = 0;
        while (done < length)
        {
            final long at = position + done;
            final long word = word(seed, at >>> 3);
            final int first = (int)(at & 7);
            final int count = Math.min(8 - first, length - done);
            for (int i = 0; i < count; i++)
            {
                dst.putByte(offset + done + i, (byte)(word >>> ((first + i) * 8)));
            }
            done += count;
        }
    }

    /**
     * @param seed   the stream's seed.
     * @param length bytes.
     * @return the SHA-256 of the stream's first {@code length} bytes, in lower-case hex.
     */
    public static String sha256Hex(final long seed, final long length)
    {
        final MessageDigest digest;
        try
        {
            digest = MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("every JDK has SHA-256", ex);
        }
        final UnsafeBuffer block = new UnsafeBuffer(new byte[64 * 1024]);
        for (long at = 0; at < length; at += block.capacity())
        {
            final int n = (int)Math.min(block.capacity(), length - at);
            fill(seed, at, block, 0, n);
            digest.update(block.byteArray(), 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static long word(final long seed, final long index)
    {
        long z = seed + index * GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
