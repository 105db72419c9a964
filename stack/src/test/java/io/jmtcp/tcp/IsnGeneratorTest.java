package io.jmtcp.tcp;

import io.jmtcp.testing.Allocations;
import io.jmtcp.wire.Ip4;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 6528 §3, ISN = M + F(localip, localport, remoteip, remoteport, secretkey): M ticks every
 * 4 µs from the time passed in, F is keyed SipHash-2-4 of the 4-tuple.
 */
final class IsnGeneratorTest
{
    private static final long KEY0 = 0x0123_4567_89AB_CDEFL;
    private static final long KEY1 = 0xFEDC_BA98_7654_3210L;
    private static final int LOCAL = Ip4.parse("198.18.0.1");
    private static final int REMOTE = Ip4.parse("198.18.0.2");
    private static final int LOCAL_PORT = 49_152;
    private static final int REMOTE_PORT = 80;
    /** An arbitrary time far from 0, on a tick boundary: 308,641,973 ticks of 4 µs. */
    private static final long T = 308_641_973L * IsnGenerator.TICK_NANOS;

    private final IsnGenerator generator = new IsnGenerator(KEY0, KEY1);

    private int isnAt(final long nowNanos)
    {
        return generator.isn(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, nowNanos);
    }

    @Test
    void isnIsSipHashOfTheTupleAtTimeZero()
    {
        // M is 0 at time 0, so the ISN is F alone: SipHash of the documented 12-byte layout.
        final UnsafeBuffer tuple = new UnsafeBuffer(new byte[12]);
        tuple.putInt(0, LOCAL, ByteOrder.BIG_ENDIAN);
        tuple.putShort(4, (short)LOCAL_PORT, ByteOrder.BIG_ENDIAN);
        tuple.putInt(6, REMOTE, ByteOrder.BIG_ENDIAN);
        tuple.putShort(10, (short)REMOTE_PORT, ByteOrder.BIG_ENDIAN);
        assertEquals((int)SipHash.hash(KEY0, KEY1, tuple, 0, 12), isnAt(0));
    }

    @Test
    void isnAdvances250000PerSecond()
    {
        // RFC 6528 §3: one tick per 4 µs, 10^9 / 4000 = 250,000 ticks per second.
        assertEquals(250_000, isnAt(T + TimeUnit.SECONDS.toNanos(1)) - isnAt(T));
        assertEquals(2_500_000, isnAt(T + TimeUnit.SECONDS.toNanos(10)) - isnAt(T));
    }

    @Test
    void isnTicksOnceEvery4Microseconds()
    {
        assertEquals(isnAt(T), isnAt(T + 3_999));
        assertEquals(isnAt(T) + 1, isnAt(T + 4_000));
        assertEquals(isnAt(T) + 1, isnAt(T + 7_999));
        assertEquals(isnAt(T) + 2, isnAt(T + 8_000));
    }

    @Test
    void isnTicksEvenlyThroughTimeZero()
    {
        // A nanoTime origin may put "now" on either side of 0: the tick before 0 is [-4000, 0).
        assertEquals(isnAt(0) - 1, isnAt(-1));
        assertEquals(isnAt(0) - 1, isnAt(-4_000));
        assertEquals(isnAt(0) - 2, isnAt(-4_001));
    }

    @Test
    void isnWrapsModulo2To32After2To32Ticks()
    {
        final long wrap = (1L << 32) * IsnGenerator.TICK_NANOS;
        assertEquals(isnAt(T), isnAt(T + wrap));
        assertEquals(isnAt(T) - 1, isnAt(T + wrap - IsnGenerator.TICK_NANOS));
    }

    @Test
    void sameKeyTupleAndTimeGiveTheSameIsn()
    {
        final IsnGenerator other = new IsnGenerator(KEY0, KEY1);
        assertEquals(isnAt(T), other.isn(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, T));
        assertEquals(isnAt(T), isnAt(T));
        assertEquals(isnAt(T), generator.copy().isn(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, T));
    }

    @Test
    void differentKeysGiveDifferentIsns()
    {
        assertNotEquals(isnAt(T), new IsnGenerator(KEY0, KEY1 + 1).isn(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, T));
        assertNotEquals(isnAt(T), new IsnGenerator(KEY0 + 1, KEY1).isn(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, T));
        // Two fresh random keys collide on one ISN with probability 2^-32.
        assertNotEquals(
            IsnGenerator.withRandomKey().isn(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, T),
            IsnGenerator.withRandomKey().isn(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, T));
    }

    @Test
    void neighbouringTuplesGiveFarApartIsns()
    {
        // Without F, an attacker's own connection would reveal the ISN of a neighbouring tuple
        // (RFC 6528 §2). A change of one in any field must move the ISN far, not by a little.
        final int base = isnAt(T);
        final int[] neighbours =
        {
            generator.isn(LOCAL + 1, LOCAL_PORT, REMOTE, REMOTE_PORT, T),
            generator.isn(LOCAL, LOCAL_PORT + 1, REMOTE, REMOTE_PORT, T),
            generator.isn(LOCAL, LOCAL_PORT, REMOTE + 1, REMOTE_PORT, T),
            generator.isn(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT + 1, T),
            generator.isn(REMOTE, REMOTE_PORT, LOCAL, LOCAL_PORT, T),
        };
        for (final int neighbour : neighbours)
        {
            assertTrue(Math.abs(neighbour - base) > 1 << 20,
                () -> Integer.toHexString(base) + " vs " + Integer.toHexString(neighbour));
        }
    }

    @Test
    void consecutivePortsGiveIsnsThatLookIndependent()
    {
        // 4096 consecutive local ports at one instant, as a scanner would open them. For
        // independent uniform values: neighbours differ in 16 of 32 bits on average (standard
        // error of the mean 2.83 / 64 = 0.044, so 15.5..16.5 is over 10 sigma wide), and each
        // bit is set in half of the values (standard error 0.78%, so 40..60% is over 10 sigma).
        final int count = 4096;
        final int[] bitCounts = new int[32];
        long hammingTotal = 0;
        int previous = 0;
        for (int i = 0; i < count; i++)
        {
            final int isn = generator.isn(LOCAL, 1024 + i, REMOTE, REMOTE_PORT, T);
            for (int bit = 0; bit < 32; bit++)
            {
                bitCounts[bit] += (isn >>> bit) & 1;
            }
            if (i > 0)
            {
                hammingTotal += Integer.bitCount(isn ^ previous);
            }
            previous = isn;
        }
        final double meanHamming = (double)hammingTotal / (count - 1);
        assertTrue(meanHamming > 15.5 && meanHamming < 16.5, "mean Hamming distance " + meanHamming);
        for (int bit = 0; bit < 32; bit++)
        {
            final double share = (double)bitCounts[bit] / count;
            assertTrue(share > 0.4 && share < 0.6, "bit " + bit + " set in " + share);
        }
    }

    @Test
    void isnAllocatesNothing()
    {
        final int[] sink = new int[1];
        final long[] now = {T};
        final long bytes = Allocations.leastBytesPerBatch(() ->
        {
            now[0] += 1_000;
            sink[0] += generator.isn(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, now[0]);
        }, 20_000, 1_000, 20);
        assertEquals(0, bytes);
    }
}
