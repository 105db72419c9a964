package io.jmtcp.tcp.cc;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * RFC 9438, one test per rule. Windows are in bytes, written as multiples of a 1460-byte SMSS
 * where they are whole segments; times are seconds after T0. The cubic function is worked out
 * here from Figures 1 and 2 in segments, W_cubic(t) = 0.4 * (t - K)^3 + W_max with
 * K = cbrt((W_max - cwnd_epoch) / 0.4), and compared with the window in bytes.
 *
 * <p>Most tests follow one loss at 100 segments: W_max = 100, cwnd = 70, K = cbrt(75) = 4.217 s;
 * W_cubic(1) = 86.69, W_cubic(2) = 95.64, W_cubic(3) = 99.28, W_cubic(K) = 100,
 * W_cubic(6) = 102.27 and W_cubic(8) = 121.66 segments. An ACK of a whole window with SRTT 0
 * moves cwnd to W_cubic(t) exactly, as long as that is within [cwnd, 1.5 * cwnd]:
 * (target - cwnd) / cwnd per segment, times cwnd segments.
 */
final class CubicTest
{
    private static final int MSS = 1460;
    private static final long S = 1_000_000_000L;
    private static final long T0 = 1_000 * S;

    private final Cubic cubic = new Cubic();

    @BeforeEach
    void resetCubic()
    {
        cubic.reset(MSS, 0);
    }

    /** Loss detected by duplicate ACKs when cwnd is {@code segments}. */
    private void lossAt(final int segments)
    {
        cubic.cwnd(segments * MSS);
        cubic.onFastRecovery(segments * MSS, T0);
    }

    /** An ACK of {@code bytes} by a sender that keeps cwnd full, with SRTT 0. */
    private void ack(final int bytes, final long now)
    {
        cubic.onAck(bytes, cubic.cwnd(), 0, now);
    }

    /** The time {@code seconds} after T0. */
    private static long at(final double seconds)
    {
        return T0 + Math.round(seconds * S);
    }

    /** RFC 9438 Figures 1 and 2, in bytes. */
    private static double wCubic(final double wMaxSegments, final double cwndEpochSegments, final double t)
    {
        final double k = Math.cbrt((wMaxSegments - cwndEpochSegments) / 0.4);
        return (0.4 * Math.pow(t - k, 3) + wMaxSegments) * MSS;
    }

    @Test
    void cubicBetaIsPointSeven()
    {
        // RFC 9438 §4.6: ssthresh = cwnd = 0.7 * 100 = 70 segments, from cwnd whatever the flight
        // size: 10 segments in flight change nothing.
        lossAt(100);
        assertEquals(70 * MSS, cubic.ssthresh());
        assertEquals(70 * MSS, cubic.cwnd());
        cubic.cwnd(100 * MSS);
        cubic.onFastRecovery(10 * MSS, T0);
        assertEquals(70 * MSS, cubic.ssthresh());
    }

    @Test
    void cubicSsthreshFloorsAtTwoSegments()
    {
        // RFC 9438 §4.6: "ssthresh is at least 2 MSS": 0.7 * 2 segments is raised to 2.
        lossAt(2);
        assertEquals(2 * MSS, cubic.ssthresh());
        assertEquals(2 * MSS, cubic.cwnd());
    }

    @Test
    void cubicAlphaIsNineSeventeenths()
    {
        // RFC 9438 §4.3: alpha_cubic = 3 * (1 - 0.7) / (1 + 0.7) = 0.9 / 1.7 = 9/17.
        assertEquals(9.0 / 17, Cubic.ALPHA, 1e-15);
        assertEquals(0.4, Cubic.C);
        assertEquals(0.7, Cubic.BETA);
    }

    @Test
    void cubicWindowFollowsCubicFunctionOfTime()
    {
        // RFC 9438 §4.2, §4.4 and §4.5: the first ACK at T0 starts the stage at 70 segments,
        // then a window's worth of ACK at each t moves cwnd to W_cubic(t), below W_max (concave),
        // at K and above it (convex).
        lossAt(100);
        ack(1, at(0));
        assertEquals(70 * MSS, cubic.cwnd());
        final double k = Math.cbrt(75);
        for (final double t : new double[] {1, 2, 3, k, 6, 8})
        {
            ack(cubic.cwnd(), at(t));
            assertEquals(Math.floor(wCubic(100, 70, t)), cubic.cwnd(), 1.0, "t = " + t);
        }
        assertEquals(100 * MSS, Math.floor(wCubic(100, 70, k)), 1.0);
    }

    @Test
    void cubicTargetLooksOneSmoothedRttAhead()
    {
        // RFC 9438 §4.2: target = W_cubic(t + RTT): at t = 1 with SRTT 1 s, W_cubic(2) = 95.64
        // segments rather than W_cubic(1).
        lossAt(100);
        ack(1, at(0));
        cubic.onAck(cubic.cwnd(), cubic.cwnd(), S, at(1));
        assertEquals(Math.floor(wCubic(100, 70, 2)), cubic.cwnd(), 1.0);
    }

    @Test
    void cubicTargetClampedToOneAndHalfCwnd()
    {
        // RFC 9438 §4.2: W_cubic(20) = 1672 segments is far above 1.5 * 70 = 105: a window's
        // worth of ACK grows cwnd to 105 segments, and half a window (52 segments) by 26.
        lossAt(100);
        ack(1, at(0));
        ack(cubic.cwnd(), at(20));
        assertEquals(105 * MSS, cubic.cwnd());
        ack(52 * MSS, at(21));
        assertEquals(131 * MSS, cubic.cwnd());
    }

    @Test
    void cubicTargetNeverBelowCwnd()
    {
        // RFC 9438 §4.2: target = cwnd when W_cubic(t + RTT) < cwnd. The sender set cwnd to 90
        // segments, above W_cubic(0.5) = 79.5: an ACK leaves it at 90.
        lossAt(100);
        ack(1, at(0));
        cubic.cwnd(90 * MSS);
        ack(cubic.cwnd(), at(0.5));
        assertEquals(90 * MSS, cubic.cwnd());
    }

    @Test
    void cubicFastConvergenceLowersWmax()
    {
        // RFC 9438 §4.7: a loss at 80 segments, below W_max = 100, sets W_max = 80 * 1.7 / 2 = 68
        // and cwnd = 56, so K = cbrt((68 - 56) / 0.4) = cbrt(30), and W_cubic(K) = 68 segments.
        lossAt(100);
        lossAt(80);
        assertEquals(56 * MSS, cubic.cwnd());
        ack(1, at(0));
        ack(cubic.cwnd(), at(Math.cbrt(30)));
        assertEquals(68 * MSS, cubic.cwnd(), 1.0);
    }

    @Test
    void cubicWmaxIsCwndWhenLossComesAbovePreviousWmax()
    {
        // RFC 9438 §4.7, the other case: a loss at 120 segments, above W_max = 100, sets W_max =
        // 120 and cwnd = 84, so K = cbrt(36 / 0.4) = cbrt(90) and W_cubic(K) = 120 segments.
        lossAt(100);
        lossAt(120);
        assertEquals(84 * MSS, cubic.cwnd());
        ack(1, at(0));
        ack(cubic.cwnd(), at(Math.cbrt(90)));
        assertEquals(120 * MSS, cubic.cwnd(), 1.0);
    }

    @Test
    void cubicRenoFriendlyRegionUsesWest()
    {
        // RFC 9438 §4.3: after a loss at 10 segments, cwnd = 10220 bytes and W_cubic(0) = 10220.
        // At t = 0 each ACK adds alpha * SMSS * segments_acked / cwnd to W_est, which is above
        // W_cubic(0), so cwnd = W_est: 10220 + 9/17 * 1460 * 1460 / 10220 = 10330.4, then
        // + 9/17 * 1460 * 1460 / 10330 = 10439.7.
        lossAt(10);
        assertEquals(10_220, cubic.cwnd());
        double wEst = 10_220 + 9.0 / 17 * MSS * MSS / 10_220;
        ack(MSS, at(0));
        assertEquals((int)wEst, cubic.cwnd());
        assertEquals(10_330, cubic.cwnd());
        wEst += 9.0 / 17 * MSS * MSS / 10_330;
        ack(MSS, at(0));
        assertEquals((int)wEst, cubic.cwnd());
        assertEquals(10_439, cubic.cwnd());
    }

    @Test
    void cubicRenoFriendlyAlphaIsOneOnceWestReachesCwndPrior()
    {
        // RFC 9438 §4.3: cwnd_prior = 10 segments after a loss there; with cwnd set back to 10,
        // the stage starts with W_est = cwnd_prior, so alpha_cubic = 1:
        // W_est = 14600 + 1 * 1460 * 1460 / 14600 = 14746 (with 9/17 it would be 14677).
        lossAt(10);
        cubic.cwnd(10 * MSS);
        ack(MSS, at(0));
        assertEquals(14_746, cubic.cwnd());
    }

    @Test
    void cubicSlowStartGrowsByAtMostTwoSegmentsPerAck()
    {
        // RFC 9438 §4.10 with RFC 3465 §2.3, as NewReno: IW 10 segments, + 2 for an ACK of 5.
        assertEquals(10 * MSS, cubic.cwnd());
        assertEquals(Integer.MAX_VALUE, cubic.ssthresh());
        ack(5 * MSS, T0);
        assertEquals(12 * MSS, cubic.cwnd());
    }

    @Test
    void cubicTimeoutCollapsesToOneSegment()
    {
        // RFC 9438 §4.8: cwnd = 1 segment (RFC 5681 §3.1), ssthresh = 0.7 * 100 = 70 segments.
        cubic.cwnd(100 * MSS);
        cubic.onRetransmitTimeout(100 * MSS, T0);
        assertEquals(MSS, cubic.cwnd());
        assertEquals(70 * MSS, cubic.ssthresh());
    }

    @Test
    void cubicRepeatedTimeoutHoldsSsthresh()
    {
        // RFC 5681 §3.1: a second expiry before new data is acknowledged keeps ssthresh at 70
        // segments instead of 0.7 * 1 raised to 2.
        cubic.cwnd(100 * MSS);
        cubic.onRetransmitTimeout(100 * MSS, T0);
        cubic.onRetransmitTimeout(100 * MSS, T0);
        assertEquals(70 * MSS, cubic.ssthresh());
        assertEquals(MSS, cubic.cwnd());
    }

    @Test
    void cubicFirstStageAfterTimeoutHasZeroK()
    {
        // RFC 9438 §4.8: after the timeout, slow start (1 segment per ACK, RFC 3465 §2.3) reaches
        // ssthresh = 70 segments; that stage has K = 0 and W_max = cwnd_epoch = 70, so
        // W_cubic(2) = 0.4 * 8 + 70 = 73.2 segments.
        cubic.cwnd(100 * MSS);
        cubic.onRetransmitTimeout(100 * MSS, T0);
        for (int i = 0; i < 69; i++)
        {
            ack(2 * MSS, T0);
        }
        assertEquals(70 * MSS, cubic.cwnd());
        ack(1, at(0));
        ack(cubic.cwnd(), at(2));
        assertEquals(Math.floor(73.2 * MSS), cubic.cwnd(), 1.0);
    }

    @Test
    void cubicApplicationLimitedTimeIsExcludedFromT()
    {
        // RFC 9438 §4.2 and §5.8: five seconds application-limited (nothing in flight) do not
        // count, so at T0 + 6 s the window is W_cubic(1), not W_cubic(6).
        lossAt(100);
        ack(1, at(0));
        cubic.onAck(MSS, 0, 0, at(5));
        assertEquals(70 * MSS, cubic.cwnd());
        ack(cubic.cwnd(), at(6));
        assertEquals(Math.floor(wCubic(100, 70, 1)), cubic.cwnd(), 1.0);
    }

    @Test
    void cubicApplicationLimitedDoesNotGrow()
    {
        // RFC 9438 §5.8 with our rule (less than cwnd / 2 in flight), in slow start and in
        // congestion avoidance.
        cubic.onAck(MSS, 7299, 0, T0);
        assertEquals(10 * MSS, cubic.cwnd());
        lossAt(100);
        ack(1, at(0));
        cubic.onAck(cubic.cwnd(), cubic.cwnd() / 2 - 1, 0, at(8));
        assertEquals(70 * MSS, cubic.cwnd());
    }

    @Test
    void cubicRecoveryExitDeflatesLikeNewReno()
    {
        // RFC 6582 §3.2 step 3 with ssthresh 70 segments: min(70, 10 + 1) = 11, min(70, 91) = 70.
        lossAt(100);
        cubic.cwnd(73 * MSS);
        cubic.onRecoveryExit(10 * MSS, T0);
        assertEquals(11 * MSS, cubic.cwnd());
        cubic.onRecoveryExit(90 * MSS, T0);
        assertEquals(70 * MSS, cubic.cwnd());
    }

    @Test
    void cubicStageStartsWhereSlowStartAfterRecoveryEnds()
    {
        // RFC 6582 §3.2 step 3 leaves 51 segments after an exit with 50 in flight, below
        // ssthresh = 70: slow start again (RFC 5681 §3.1), 2 segments per ACK, up to 71. The stage
        // then starts from cwnd_epoch = 71 (RFC 9438 §4.2), K = cbrt((100 - 71) / 0.4), and
        // W_cubic(1) = 87.3 segments.
        lossAt(100);
        cubic.onRecoveryExit(50 * MSS, T0);
        assertEquals(51 * MSS, cubic.cwnd());
        for (int i = 0; i < 10; i++)
        {
            ack(2 * MSS, T0);
        }
        assertEquals(71 * MSS, cubic.cwnd());
        ack(1, at(0));
        ack(cubic.cwnd(), at(1));
        assertEquals(Math.floor(wCubic(100, 71, 1)), cubic.cwnd(), 1.0);
    }

    @Test
    void cubicIdleRestartShrinksToInitialWindow()
    {
        // RFC 5681 §4.1: RW = min(IW, cwnd).
        cubic.cwnd(40 * MSS);
        cubic.onIdleRestart(T0);
        assertEquals(10 * MSS, cubic.cwnd());
    }

    @Test
    void cubicMssChangeKeepsBytesWithinNewFloors()
    {
        // A timeout with cwnd 10 segments: cwnd 1460, ssthresh 0.7 * 14600 = 10220. SMSS 4000
        // raises cwnd to one segment; ssthresh is above two already.
        cubic.onRetransmitTimeout(0, T0);
        assertEquals(10_220, cubic.ssthresh());
        cubic.onMssChange(4000);
        assertEquals(4000, cubic.cwnd());
        assertEquals(10_220, cubic.ssthresh());
        assertThrows(IllegalArgumentException.class, () -> cubic.onMssChange(0));
        assertThrows(IllegalArgumentException.class, () -> cubic.reset(70_000, T0));
    }

    @Test
    void cubicResetReturnsToTheInitialState()
    {
        lossAt(100);
        cubic.onRetransmitTimeout(0, T0);
        cubic.reset(MSS, T0);
        assertEquals(10 * MSS, cubic.cwnd());
        assertEquals(Integer.MAX_VALUE, cubic.ssthresh());
        assertEquals(5360, new Cubic().cwnd());
    }
}
