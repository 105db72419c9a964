package io.jmtcp.tcp.cc;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Each algorithm through a long random sequence of events, as a sender could report them in any
 * order, with random sizes, SMSS changes and resets; after every event the invariants hold: cwnd
 * is at least one SMSS, ssthresh at least two (RFC 5681 §3.1 eq. 4 after a loss, "arbitrarily
 * high" before one), a timeout leaves exactly one SMSS, and an ACK never shrinks cwnd.
 *
 * <p>Each run draws a seed, reported in any failure; {@code -Djmtcp.seed=N} replays it.
 */
final class CongestionControlRandomTest
{
    private static final int EVENTS = 500_000;
    private static final long MS = 1_000_000L;

    private final long seed = Long.getLong("jmtcp.seed", System.nanoTime());

    @Test
    void newRenoKeepsItsInvariants()
    {
        drive(new NewReno());
    }

    @Test
    void cubicKeepsItsInvariants()
    {
        drive(new Cubic());
    }

    private void drive(final CongestionControl cc)
    {
        final Random random = new Random(seed);
        long now = random.nextLong() >> 8;
        int mss = randomMss(random);
        cc.reset(mss, now);
        for (int i = 0; i < EVENTS; i++)
        {
            now += random.nextInt(50) * MS;
            final int before = cc.cwnd();
            final int flightSize = random.nextInt(2 * before + 1);
            final int event = random.nextInt(100);
            final String name;
            if (event < 70)
            {
                name = "onAck";
                cc.onAck(random.nextInt(3 * mss + 1), flightSize, random.nextInt(300) * MS, now);
                check(cc.cwnd() >= before, i, name, cc, mss, "an ACK shrank cwnd from " + before);
            }
            else if (event < 78)
            {
                name = "onFastRecovery";
                cc.onFastRecovery(flightSize, now);
                // The sender's RFC 5681 §3.2 inflation, as it would do it.
                cc.cwnd(cc.cwnd() + 3 * mss);
            }
            else if (event < 86)
            {
                name = "onRecoveryExit";
                cc.onRecoveryExit(flightSize, now);
            }
            else if (event < 90)
            {
                name = "onRetransmitTimeout";
                cc.onRetransmitTimeout(flightSize, now);
                check(cc.cwnd() == mss, i, name, cc, mss, "cwnd is not the loss window");
            }
            else if (event < 94)
            {
                name = "onIdleRestart";
                cc.onIdleRestart(now);
            }
            else if (event < 97)
            {
                name = "cwnd(int)";
                cc.cwnd(random.nextInt(Math.min(3 * before, WindowRules.MAX_CWND)) - mss);
            }
            else if (event < 99)
            {
                name = "onMssChange";
                mss = randomMss(random);
                cc.onMssChange(mss);
            }
            else
            {
                name = "reset";
                mss = randomMss(random);
                cc.reset(mss, now);
            }
            check(cc.cwnd() >= mss, i, name, cc, mss, "cwnd below one SMSS");
            check(cc.ssthresh() >= 2 * mss, i, name, cc, mss, "ssthresh below two SMSS");
        }
    }

    private static int randomMss(final Random random)
    {
        return 536 + random.nextInt(9000 - 536 + 1);
    }

    private void check(final boolean holds, final int step, final String event, final CongestionControl cc,
        final int mss, final String what)
    {
        if (!holds)
        {
            fail("seed " + seed + " (replay with -Djmtcp.seed=" + seed + "), " + cc.getClass().getSimpleName() +
                " step " + step + " after " + event + ": " + what + " (cwnd " + cc.cwnd() + ", ssthresh " +
                cc.ssthresh() + ", mss " + mss + ")");
        }
    }
}
