package io.jmtcp.tcp;

import io.jmtcp.testing.Allocations;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 6298, one test per rule. Expected values are worked out by hand in the comments, in
 * milliseconds (ms) unless said otherwise; 1 ms = 1,000,000 ns, so eighths and quarters of whole
 * milliseconds are exact in nanoseconds.
 */
final class RttEstimatorTest
{
    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;

    @Test
    void initialRtoIsOneSecondBeforeAnySample()
    {
        // RFC 6298 §2.1: RTO <- 1 s until a measurement is made.
        final RttEstimator rtt = new RttEstimator();
        assertEquals(1 * S, rtt.rtoNanos());
        assertFalse(rtt.hasSample());
        assertEquals(0, rtt.srttNanos());
        assertEquals(0, rtt.rttvarNanos());
        assertEquals(0, rtt.backoffCount());
    }

    @Test
    void initialRtoBacksOffBeforeAnySample()
    {
        // RFC 6298 §2.1: "the backing off on repeated retransmission discussed in (5.5) still
        // applies": 1 s, 2 s, 4 s.
        final RttEstimator rtt = new RttEstimator();
        rtt.onRetransmitTimeout();
        assertEquals(2 * S, rtt.rtoNanos());
        rtt.onRetransmitTimeout();
        assertEquals(4 * S, rtt.rtoNanos());
        assertFalse(rtt.hasSample());
    }

    @Test
    void firstSampleSetsSrttAndHalfRttvar()
    {
        // RFC 6298 §2.2, R = 100: SRTT = 100, RTTVAR = 100 / 2 = 50,
        // RTO = SRTT + max(G, K*RTTVAR) = 100 + max(1, 4 * 50) = 300.
        final RttEstimator rtt = new RttEstimator();
        rtt.sample(100 * MS);
        assertTrue(rtt.hasSample());
        assertEquals(100 * MS, rtt.srttNanos());
        assertEquals(50 * MS, rtt.rttvarNanos());
        assertEquals(300 * MS, rtt.rtoNanos());
    }

    @Test
    void laterSampleUpdatesRttvarBeforeSrtt()
    {
        // RFC 6298 §2.3, after R = 100 (SRTT 100, RTTVAR 50), R' = 180:
        // RTTVAR = 3/4 * 50 + 1/4 * |100 - 180| = 37.5 + 20 = 57.5   (with the old SRTT, 100)
        // SRTT   = 7/8 * 100 + 1/8 * 180        = 87.5 + 22.5 = 110
        // RTO    = 110 + max(1, 4 * 57.5) = 110 + 230 = 340.
        // Updating SRTT first would have given RTTVAR = 37.5 + 1/4 * |110 - 180| = 55, RTO 330.
        final RttEstimator rtt = new RttEstimator();
        rtt.sample(100 * MS);
        rtt.sample(180 * MS);
        assertEquals(57_500_000, rtt.rttvarNanos());
        assertEquals(110 * MS, rtt.srttNanos());
        assertEquals(340 * MS, rtt.rtoNanos());
    }

    @Test
    void laterSmallerSampleLowersSrtt()
    {
        // RFC 6298 §2.3, after R = 100 (SRTT 100, RTTVAR 50), R' = 20:
        // RTTVAR = 3/4 * 50 + 1/4 * |100 - 20| = 37.5 + 20 = 57.5
        // SRTT   = 7/8 * 100 + 1/8 * 20        = 87.5 + 2.5 = 90
        // RTO    = 90 + 4 * 57.5 = 320.
        final RttEstimator rtt = new RttEstimator();
        rtt.sample(100 * MS);
        rtt.sample(20 * MS);
        assertEquals(57_500_000, rtt.rttvarNanos());
        assertEquals(90 * MS, rtt.srttNanos());
        assertEquals(320 * MS, rtt.rtoNanos());
    }

    @Test
    void steadySamplesShrinkRttvarByAQuarterEach()
    {
        // RFC 6298 §2.3 with R' = SRTT every time: SRTT stays 100 and RTTVAR *= 3/4:
        // 50 -> 37.5 -> 28.125; RTO = 100 + 4 * 28.125 = 212.5.
        final RttEstimator rtt = new RttEstimator();
        rtt.sample(100 * MS);
        rtt.sample(100 * MS);
        assertEquals(37_500_000, rtt.rttvarNanos());
        rtt.sample(100 * MS);
        assertEquals(100 * MS, rtt.srttNanos());
        assertEquals(28_125_000, rtt.rttvarNanos());
        assertEquals(212_500_000, rtt.rtoNanos());
    }

    @Test
    void rtoUsesClockGranularityWhenVarianceTermIsSmaller()
    {
        // RFC 6298 §2.2, with a 1 ms minimum so that §2.4 does not hide the result, R = 0.4 ms:
        // SRTT = 0.4, RTTVAR = 0.2, K*RTTVAR = 0.8 < G = 1, so RTO = 0.4 + 1 = 1.4.
        final RttEstimator rtt = new RttEstimator(1 * S, 1 * MS, 60 * S, 1 * MS);
        rtt.sample(400_000);
        assertEquals(1_400_000, rtt.rtoNanos());
        // And with G = 0: RTO = 0.4 + 0.8 = 1.2.
        final RttEstimator fineGrained = new RttEstimator(1 * S, 1 * MS, 60 * S, 0);
        fineGrained.sample(400_000);
        assertEquals(1_200_000, fineGrained.rtoNanos());
    }

    @Test
    void rtoNeverBelowMinimum()
    {
        // RFC 6298 §2.4, R = 10: RTO = 10 + 4 * 5 = 30, raised to our default minimum, 200.
        final RttEstimator rtt = new RttEstimator();
        rtt.sample(10 * MS);
        assertEquals(10 * MS, rtt.srttNanos());
        assertEquals(200 * MS, rtt.rtoNanos());
        // R = 0 (an RTT below the clock's resolution): RTO = 0 + max(1, 0) = 1, raised to 200.
        final RttEstimator zero = new RttEstimator();
        zero.sample(0);
        assertEquals(200 * MS, zero.rtoNanos());
        // The RFC's own minimum, 1 s: RTO = 30 is raised to 1000.
        final RttEstimator strict = new RttEstimator(1 * S, 1 * S, 60 * S, 1 * MS);
        strict.sample(10 * MS);
        assertEquals(1 * S, strict.rtoNanos());
    }

    @Test
    void rtoNeverAboveMaximum()
    {
        // RFC 6298 §2.5, R = 30 s: RTO = 30 + 4 * 15 = 90 s, capped at the default 60 s.
        final RttEstimator rtt = new RttEstimator();
        rtt.sample(30 * S);
        assertEquals(30 * S, rtt.srttNanos());
        assertEquals(60 * S, rtt.rtoNanos());
        // With a 120 s maximum the computed 90 s stands.
        final RttEstimator higher = new RttEstimator(1 * S, 200 * MS, 120 * S, 1 * MS);
        higher.sample(30 * S);
        assertEquals(90 * S, higher.rtoNanos());
    }

    @Test
    void maximumBelowSixtySecondsIsRejected()
    {
        // RFC 6298 §2.5: a maximum MAY be placed on RTO "provided it is at least 60 seconds".
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(1 * S, 200 * MS, 60 * S - 1, 1 * MS));
        // Exactly 60 s is allowed, and bounds the backoff: 1, 2, 4, ..., 32, then 64 capped at 60.
        final RttEstimator rtt = new RttEstimator(1 * S, 200 * MS, 60 * S, 1 * MS);
        for (int i = 0; i < 6; i++)
        {
            rtt.onRetransmitTimeout();
        }
        assertEquals(60 * S, rtt.rtoNanos());
    }

    @Test
    void inconsistentBoundsAreRejected()
    {
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(1 * S, 0, 60 * S, 1 * MS));
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(1 * S, 61 * S, 60 * S, 1 * MS));
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(100 * MS, 200 * MS, 60 * S, 1 * MS));
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(61 * S, 200 * MS, 60 * S, 1 * MS));
        assertThrows(IllegalArgumentException.class, () -> new RttEstimator(1 * S, 200 * MS, 60 * S, -1));
    }

    @Test
    void backoffDoublesAndIsCappedAtMaximum()
    {
        // RFC 6298 §5.5: RTO <- RTO * 2 on each expiry, bounded by the §2.5 maximum. From
        // R = 100 (RTO 300): 600, 1200, 2400, 4800, 9600, 19200, 38400, then 76800 is capped
        // at 60000, and stays there.
        final RttEstimator rtt = new RttEstimator();
        rtt.sample(100 * MS);
        final long[] expected = {600, 1200, 2400, 4800, 9600, 19_200, 38_400, 60_000, 60_000};
        for (int i = 0; i < expected.length; i++)
        {
            rtt.onRetransmitTimeout();
            assertEquals(expected[i] * MS, rtt.rtoNanos(), "after timeout " + (i + 1));
            assertEquals(i + 1, rtt.backoffCount());
        }
    }

    @Test
    void backoffKeepsSrttAndRttvar()
    {
        // RFC 6298 §5.5 backs off the timer, not the estimates.
        final RttEstimator rtt = new RttEstimator();
        rtt.sample(100 * MS);
        rtt.onRetransmitTimeout();
        rtt.onRetransmitTimeout();
        assertEquals(100 * MS, rtt.srttNanos());
        assertEquals(50 * MS, rtt.rttvarNanos());
    }

    @Test
    void sampleAfterBackoffRestoresComputedRto()
    {
        // RFC 6298 §5, the note after (5.7): a new measurement recomputes the RTO per §2, which
        // "may result in 'collapsing' RTO back down after it has been doubled". R = 100 gives
        // 300; two timeouts give 1200; R' = 180 gives 340 as in laterSampleUpdatesRttvarBeforeSrtt.
        final RttEstimator rtt = new RttEstimator();
        rtt.sample(100 * MS);
        rtt.onRetransmitTimeout();
        rtt.onRetransmitTimeout();
        assertEquals(1200 * MS, rtt.rtoNanos());
        assertEquals(2, rtt.backoffCount());
        rtt.sample(180 * MS);
        assertEquals(340 * MS, rtt.rtoNanos());
        assertEquals(0, rtt.backoffCount());
    }

    @Test
    void rtoIsThreeSecondsForDataAfterSynTimeout()
    {
        // RFC 6298 §5.7: the SYN timed out at the initial 1 s, so RTO is 2 s when the handshake
        // completes; below 3 s it is re-initialized to 3 s, and backs off from there: 6 s.
        final RttEstimator rtt = new RttEstimator();
        rtt.onRetransmitTimeout();
        assertEquals(2 * S, rtt.rtoNanos());
        rtt.onHandshakeCompleteAfterSynTimeout();
        assertEquals(3 * S, rtt.rtoNanos());
        assertEquals(0, rtt.backoffCount());
        rtt.onRetransmitTimeout();
        assertEquals(6 * S, rtt.rtoNanos());
    }

    @Test
    void rtoOfThreeSecondsOrMoreStaysAfterSynTimeout()
    {
        // RFC 6298 §5.7 only raises an RTO below 3 s: two SYN timeouts leave 4 s, which stays.
        final RttEstimator rtt = new RttEstimator();
        rtt.onRetransmitTimeout();
        rtt.onRetransmitTimeout();
        rtt.onHandshakeCompleteAfterSynTimeout();
        assertEquals(4 * S, rtt.rtoNanos());
    }

    @Test
    void negativeSampleIsRejected()
    {
        final RttEstimator rtt = new RttEstimator();
        assertThrows(IllegalArgumentException.class, () -> rtt.sample(-1));
        assertFalse(rtt.hasSample());
    }

    @Test
    void hugeSampleDoesNotOverflow()
    {
        // A sample is taken as at most 2^58 ns, so SRTT + 4 * RTTVAR = 2^58 + 2^59 stays positive
        // and the RTO is the maximum.
        final RttEstimator rtt = new RttEstimator();
        rtt.sample(Long.MAX_VALUE);
        assertEquals(1L << 58, rtt.srttNanos());
        assertEquals(60 * S, rtt.rtoNanos());
        rtt.sample(Long.MAX_VALUE);
        assertEquals(60 * S, rtt.rtoNanos());
    }

    @Test
    void resetReturnsToTheInitialState()
    {
        // RFC 6298 §2.1 again, for a pooled estimator reused by a new connection.
        final RttEstimator rtt = new RttEstimator();
        rtt.sample(100 * MS);
        rtt.onRetransmitTimeout();
        rtt.reset();
        assertEquals(1 * S, rtt.rtoNanos());
        assertFalse(rtt.hasSample());
        assertEquals(0, rtt.srttNanos());
        assertEquals(0, rtt.rttvarNanos());
        assertEquals(0, rtt.backoffCount());
        // And the next sample is a first sample again (§2.2).
        rtt.sample(40 * MS);
        assertEquals(40 * MS, rtt.srttNanos());
        assertEquals(20 * MS, rtt.rttvarNanos());
    }

    @Test
    void samplesAndTimeoutsAllocateNothing()
    {
        final RttEstimator rtt = new RttEstimator();
        final long[] r = {0};
        final long bytes = Allocations.leastBytesPerBatch(() ->
        {
            r[0] = (r[0] + 7 * MS) % (500 * MS);
            rtt.sample(r[0]);
            rtt.onRetransmitTimeout();
        }, 20_000, 1_000, 20);
        assertEquals(0, bytes);
    }
}
