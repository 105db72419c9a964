package io.jmtcp.tcp;

import io.jmtcp.testing.Allocations;
import io.jmtcp.wire.Ip4;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static io.jmtcp.tcp.SynCookies.INVALID;
import static io.jmtcp.tcp.SynCookies.MSS_TABLE;
import static io.jmtcp.tcp.SynCookies.PERIOD_NANOS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 4987 §3.6 SYN cookies: the MSS comes back from a cookie, the MAC refuses altered cookies,
 * other 4-tuples and other SYNs, cookies live for one or two 64 s counters, and the options that
 * do not fit in the ISN survive a trip through TSval and TSecr.
 *
 * <p>The randomized tests draw a seed, print it and report it in any failure;
 * {@code -Djmtcp.seed=N} replays it.
 */
final class SynCookiesTest
{
    private static final long KEY0 = 0x0123_4567_89AB_CDEFL;
    private static final long KEY1 = 0xFEDC_BA98_7654_3210L;
    private static final int LOCAL = Ip4.parse("198.18.0.1");
    private static final int REMOTE = Ip4.parse("198.18.0.2");
    private static final int LOCAL_PORT = 80;
    private static final int REMOTE_PORT = 49_152;
    private static final int PEER_ISN = 0x9ABC_DEF0;
    /** The start of counter 1,000,000, an arbitrary time far from 0. */
    private static final long T = 1_000_000L * PERIOD_NANOS;

    private final SynCookies cookies = new SynCookies(KEY0, KEY1);
    private final long seed = Long.getLong("jmtcp.seed", System.nanoTime());
    private final SplittableRandom random = new SplittableRandom(seed);

    private int cookieAt(final int peerMss, final long now)
    {
        return cookies.cookie(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, PEER_ISN, peerMss, now);
    }

    private int checkAt(final int cookie, final long now)
    {
        return cookies.check(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, PEER_ISN, cookie, now);
    }

    @Test
    void everyMssTableEntryRoundTrips()
    {
        for (final int mss : MSS_TABLE)
        {
            assertEquals(mss, checkAt(cookieAt(mss, T), T), "MSS " + mss);
        }
    }

    @Test
    void peerMssBetweenEntriesRoundsDown()
    {
        assertEquals(536, checkAt(cookieAt(1299, T), T));
        assertEquals(1300, checkAt(cookieAt(1301, T), T));
        assertEquals(1300, checkAt(cookieAt(1439, T), T));
        assertEquals(1440, checkAt(cookieAt(1459, T), T));
        assertEquals(1460, checkAt(cookieAt(9000, T), T), "jumbo frames get the largest entry");
        assertEquals(1460, checkAt(cookieAt(65_535, T), T));
    }

    @Test
    void peerMssBelowTheTableGetsTheIpv4Minimum()
    {
        // As in Linux: every IPv4 host accepts 576-byte datagrams (RFC 9293 §3.7.1).
        assertEquals(536, checkAt(cookieAt(535, T), T));
        assertEquals(536, checkAt(cookieAt(100, T), T));
        assertEquals(536, checkAt(cookieAt(0, T), T));
        assertEquals(0, SynCookies.mssIndex(-1));
    }

    @Test
    void everySingleBitFlipOfTheCookieIsRejected()
    {
        for (final int mss : MSS_TABLE)
        {
            final int cookie = cookieAt(mss, T);
            for (int bit = 0; bit < Integer.SIZE; bit++)
            {
                assertEquals(INVALID, checkAt(cookie ^ (1 << bit), T), "MSS " + mss + ", bit " + bit + " flipped");
                assertEquals(INVALID, checkAt(cookie ^ (1 << bit), T + PERIOD_NANOS),
                    "MSS " + mss + ", bit " + bit + " flipped, checked one counter later");
            }
        }
    }

    @Test
    void otherTupleOrPeerIsnIsRejected()
    {
        final int cookie = cookieAt(1460, T);
        assertEquals(1460, checkAt(cookie, T));
        assertEquals(INVALID, cookies.check(LOCAL + 1, LOCAL_PORT, REMOTE, REMOTE_PORT, PEER_ISN, cookie, T));
        assertEquals(INVALID, cookies.check(LOCAL, LOCAL_PORT + 1, REMOTE, REMOTE_PORT, PEER_ISN, cookie, T));
        assertEquals(INVALID, cookies.check(LOCAL, LOCAL_PORT, REMOTE + 1, REMOTE_PORT, PEER_ISN, cookie, T));
        assertEquals(INVALID, cookies.check(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT + 1, PEER_ISN, cookie, T));
        assertEquals(INVALID, cookies.check(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, PEER_ISN + 1, cookie, T));
        assertEquals(INVALID, cookies.check(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, PEER_ISN - 1, cookie, T));
        assertEquals(INVALID, cookies.check(REMOTE, REMOTE_PORT, LOCAL, LOCAL_PORT, PEER_ISN, cookie, T),
            "the tuple seen from the other side");
    }

    @Test
    void otherKeyRejectsAndCopySharesTheKey()
    {
        final int cookie = cookieAt(1440, T);
        assertEquals(INVALID, new SynCookies(KEY0, KEY1 + 1).check(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT,
            PEER_ISN, cookie, T));
        assertEquals(INVALID, new SynCookies(KEY0 + 1, KEY1).check(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT,
            PEER_ISN, cookie, T));
        assertEquals(1440, cookies.copy().check(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, PEER_ISN, cookie, T));
        final SynCookies fresh = SynCookies.withRandomKey();
        final int freshCookie = fresh.cookie(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, PEER_ISN, 1300, T);
        assertEquals(1300, fresh.check(LOCAL, LOCAL_PORT, REMOTE, REMOTE_PORT, PEER_ISN, freshCookie, T));
    }

    @Test
    void cookieIsValidOneCounterLater()
    {
        final int cookie = cookieAt(1460, T);
        assertEquals(1460, checkAt(cookie, T + PERIOD_NANOS - 1), "same counter");
        assertEquals(1460, checkAt(cookie, T + PERIOD_NANOS), "next counter");
        assertEquals(1460, checkAt(cookie, T + 2 * PERIOD_NANOS - 1), "last instant of the next counter: 128 s");
    }

    @Test
    void cookieIsStaleTwoCountersLater()
    {
        final int cookie = cookieAt(1460, T);
        assertEquals(INVALID, checkAt(cookie, T + 2 * PERIOD_NANOS));
        // Made at the last instant of a counter, it lives a little over 64 s.
        final long late = T + PERIOD_NANOS - 1;
        final int lateCookie = cookieAt(1460, late);
        assertEquals(1460, checkAt(lateCookie, late + PERIOD_NANOS));
        assertEquals(INVALID, checkAt(lateCookie, late + PERIOD_NANOS + 1));
    }

    @Test
    void cookieIsStaleWhenTheTravellingCounterBitsWrap()
    {
        // Only 3 counter bits travel: 8 and 9 counters later they match again, and the MAC over
        // the full counter must refuse them.
        final int cookie = cookieAt(1460, T);
        for (int counters = 2; counters <= 20; counters++)
        {
            assertEquals(INVALID, checkAt(cookie, T + counters * PERIOD_NANOS), counters + " counters later");
        }
    }

    @Test
    void cookieFromTheFutureIsRejected()
    {
        final int cookie = cookieAt(1460, T);
        assertEquals(INVALID, checkAt(cookie, T - 1));
        assertEquals(INVALID, checkAt(cookie, T - PERIOD_NANOS));
    }

    @Test
    void countersTickEvenlyThroughTimeZero()
    {
        // A nanoTime origin may put "now" on either side of 0: [-64 s, 0) is one counter.
        final int cookie = cookieAt(1300, -1);
        assertEquals(1300, checkAt(cookie, -PERIOD_NANOS));
        assertEquals(1300, checkAt(cookie, PERIOD_NANOS - 1));
        assertEquals(INVALID, checkAt(cookie, PERIOD_NANOS));
        assertEquals(INVALID, checkAt(cookie, -PERIOD_NANOS - 1));
    }

    @Test
    void timestampCarriesEveryWindowScaleAndSack()
    {
        final int tsNow = 0x1234_5678;
        for (int scale = -1; scale <= 14; scale++)
        {
            for (final boolean sack : new boolean[] {false, true})
            {
                final int tsVal = SynCookies.encodeTimestamp(tsNow, scale, sack);
                assertEquals(scale, SynCookies.decodeWindowScale(tsVal), "scale " + scale + ", sack " + sack);
                assertEquals(sack, SynCookies.decodeSackPermitted(tsVal), "scale " + scale + ", sack " + sack);
                assertTrue(tsNow - tsVal >= 0 && tsNow - tsVal < 32, "TSval within 31 ticks before the clock");
            }
        }
    }

    @Test
    void timestampClampsWindowScaleAbove14()
    {
        // RFC 7323 §2.3: a shift count above 14 is used as 14.
        assertEquals(14, SynCookies.decodeWindowScale(SynCookies.encodeTimestamp(1000, 15, false)));
        assertEquals(14, SynCookies.decodeWindowScale(SynCookies.encodeTimestamp(1000, 255, true)));
        assertEquals(-1, SynCookies.decodeWindowScale(SynCookies.encodeTimestamp(1000, -7, true)));
    }

    @Test
    void timestampNeverRunsAheadOfTheClock()
    {
        // The low bits of tsNow are below the options: replacing them would move TSval forward,
        // so it goes back 32 instead, also across the wrap of the 32-bit clock.
        assertEquals(0x1000 - 32 + 0xF, SynCookies.encodeTimestamp(0x1000, -1, false));
        assertEquals(0x1000 + 0xF, SynCookies.encodeTimestamp(0x101F, -1, false));
        assertEquals(0x1000 + 0x10 + 7, SynCookies.encodeTimestamp(0x1017, 7, true));
        assertEquals(0xFFFF_FFE0 | 0x1F, SynCookies.encodeTimestamp(3, -1, true));
        assertEquals(0x1F, SynCookies.encodeTimestamp(0x1F, -1, true));
        for (int tsNow = -100; tsNow < 100; tsNow++)
        {
            final int tsVal = SynCookies.encodeTimestamp(tsNow, 3, true);
            assertTrue(tsNow - tsVal >= 0 && tsNow - tsVal < 32, "tsNow " + tsNow + ", TSval " + tsVal);
        }
    }

    @Test
    void randomTuplesRoundTrip()
    {
        replayable(() ->
        {
            for (int i = 0; i < 100_000; i++)
            {
                final int localIp = random.nextInt();
                final int localPort = random.nextInt(65_536);
                final int remoteIp = random.nextInt();
                final int remotePort = random.nextInt(65_536);
                final int peerIsn = random.nextInt();
                final int peerMss = random.nextInt(70_000);
                // Any time, but far enough from the ends of a long that the checks below do not wrap.
                final long now = random.nextLong(Long.MIN_VALUE / 2, Long.MAX_VALUE / 2);
                final int cookie = cookies.cookie(localIp, localPort, remoteIp, remotePort, peerIsn, peerMss, now);
                final int expectedMss = MSS_TABLE[SynCookies.mssIndex(peerMss)];
                assertTrue(expectedMss <= Math.max(peerMss, MSS_TABLE[0]));
                // The completing ACK comes back within 64 s: this counter or the next.
                final long ackTime = now + random.nextLong(PERIOD_NANOS);
                assertEquals(expectedMss,
                    cookies.check(localIp, localPort, remoteIp, remotePort, peerIsn, cookie, ackTime),
                    "tuple " + i);
                final long staleTime = now + (2 + random.nextInt(30)) * PERIOD_NANOS;
                assertEquals(INVALID,
                    cookies.check(localIp, localPort, remoteIp, remotePort, peerIsn, cookie, staleTime),
                    "tuple " + i + " stale");
            }
        });
    }

    @Test
    void randomCookiesAreRejectedAtTheMacRate()
    {
        // A random 32-bit guess passes with probability 2/8 (counter bits) * 2^-27 (MAC) =
        // 2^-29: 2^20 guesses are expected to pass 0.002 times. Three or more passes would
        // happen by chance with probability about 1.3e-9.
        replayable(() ->
        {
            final int guesses = 1 << 20;
            int accepted = 0;
            for (int i = 0; i < guesses; i++)
            {
                final long now = random.nextLong();
                if (cookies.check(random.nextInt(), random.nextInt(65_536), random.nextInt(), random.nextInt(65_536),
                    random.nextInt(), random.nextInt(), now) != INVALID)
                {
                    accepted++;
                }
            }
            assertTrue(accepted <= 2, accepted + " of " + guesses + " random cookies accepted");
        });
    }

    @Test
    void randomCookieForARealTupleIsRejected()
    {
        // The attack that matters: a flood of ACKs guessing the cookie for one SYN.
        replayable(() ->
        {
            final int guesses = 1 << 20;
            int accepted = 0;
            final int real = cookieAt(1460, T);
            for (int i = 0; i < guesses; i++)
            {
                final int guess = random.nextInt();
                if (guess != real && checkAt(guess, T) != INVALID)
                {
                    accepted++;
                }
            }
            assertTrue(accepted <= 2, accepted + " of " + guesses + " guesses accepted");
        });
    }

    @Test
    void cookieAndCheckAllocateNothing()
    {
        final int[] sink = new int[1];
        final long[] now = {T};
        final long bytes = Allocations.leastBytesPerBatch(() ->
        {
            now[0] += 1_000_000_000L;
            final int cookie = cookieAt(1440, now[0]);
            sink[0] += checkAt(cookie, now[0] + 1000) + SynCookies.encodeTimestamp(sink[0], 7, true);
        }, 20_000, 1_000, 20);
        assertEquals(0, bytes, "fewest bytes allocated by a batch (sink " + sink[0] + ")");
    }

    private void replayable(final Runnable run)
    {
        System.out.println(getClass().getSimpleName() + " seed " + seed);
        try
        {
            run.run();
        }
        catch (final AssertionError e)
        {
            throw new AssertionError("seed " + seed + " (replay with -Djmtcp.seed=" + seed + "): " + e.getMessage(), e);
        }
    }
}
