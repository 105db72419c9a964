package io.jmtcp.tcp.cc;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * RFC 5681 with RFC 3465, RFC 6582 and RFC 6928, one test per rule. Windows are in bytes, written
 * as multiples of a 1460-byte SMSS where they are whole segments.
 */
final class NewRenoTest
{
    private static final int MSS = 1460;
    private static final long NOW = 1_000_000_000L;

    private final NewReno reno = new NewReno();

    /** An ACK of {@code bytes} by a sender that keeps cwnd full. */
    private void ack(final int bytes)
    {
        reno.onAck(bytes, reno.cwnd(), 0, NOW);
    }

    @Test
    void initialWindowIsTenSegmentsForMss1460()
    {
        // RFC 6928 §2: min(10 * 1460, max(2 * 1460, 14600)) = 14600; RFC 5681 §3.1: ssthresh
        // arbitrarily high.
        reno.reset(MSS, NOW);
        assertEquals(10 * MSS, reno.cwnd());
        assertEquals(Integer.MAX_VALUE, reno.ssthresh());
    }

    @Test
    void initialWindowIsTenSegmentsForSmallMss()
    {
        // RFC 6928 §2: min(10 * 536, max(2 * 536, 14600)) = 5360.
        reno.reset(536, NOW);
        assertEquals(5360, reno.cwnd());
    }

    @Test
    void initialWindowCappedAt14600ForLargeMss()
    {
        // RFC 6928 §2: min(10 * 4000, max(2 * 4000, 14600)) = 14600, under four segments.
        reno.reset(4000, NOW);
        assertEquals(14_600, reno.cwnd());
    }

    @Test
    void initialWindowIsTwoSegmentsForJumboMss()
    {
        // RFC 6928 §2: min(10 * 8960, max(2 * 8960, 14600)) = 17920.
        reno.reset(8960, NOW);
        assertEquals(2 * 8960, reno.cwnd());
    }

    @Test
    void defaultMssBeforeReset()
    {
        // Before any reset, the IW of the default SMSS 536: 5360.
        assertEquals(5360, new NewReno().cwnd());
    }

    @Test
    void slowStartGrowsByAtMostTwoSegmentsPerAck()
    {
        // RFC 3465 §2.2 and §2.3, L = 2*SMSS: an ACK of 5 segments adds 2, one of 500 bytes adds
        // 500.
        reno.reset(MSS, NOW);
        ack(5 * MSS);
        assertEquals(12 * MSS, reno.cwnd());
        ack(500);
        assertEquals(12 * MSS + 500, reno.cwnd());
        ack(2 * MSS);
        assertEquals(14 * MSS + 500, reno.cwnd());
    }

    @Test
    void slowStartAfterTimeoutGrowsByAtMostOneSegmentPerAck()
    {
        // RFC 3465 §2.3: L = 1*SMSS in slow start after a timeout. RTO with 40 segments in flight:
        // ssthresh 20, cwnd 1; an ACK of 2 segments adds 1.
        reno.reset(MSS, NOW);
        reno.onRetransmitTimeout(40 * MSS, NOW);
        reno.onAck(2 * MSS, 40 * MSS, 0, NOW);
        assertEquals(2 * MSS, reno.cwnd());
        reno.onAck(3 * MSS, 40 * MSS, 0, NOW);
        assertEquals(3 * MSS, reno.cwnd());
    }

    @Test
    void slowStartAfterLossOfFastRecoveryUsesTwoSegments()
    {
        // The one-SMSS limit ends with the next loss: after fast recovery (ssthresh 10), with cwnd
        // set below ssthresh by the sender, slow start adds 2 segments per ACK again.
        reno.reset(MSS, NOW);
        reno.onRetransmitTimeout(40 * MSS, NOW);
        reno.onFastRecovery(20 * MSS, NOW);
        reno.cwnd(4 * MSS);
        ack(3 * MSS);
        assertEquals(6 * MSS, reno.cwnd());
    }

    @Test
    void congestionAvoidanceGrowsOneSegmentPerWindow()
    {
        // RFC 5681 §3.1 with RFC 3465 §2.1: fast recovery from 20 segments in flight leaves
        // cwnd = ssthresh = 10; nine one-segment ACKs leave it at 10, the tenth makes 11, and the
        // next window needs eleven.
        reno.reset(MSS, NOW);
        reno.onFastRecovery(20 * MSS, NOW);
        for (int i = 0; i < 9; i++)
        {
            ack(MSS);
            assertEquals(10 * MSS, reno.cwnd(), "after ACK " + (i + 1));
        }
        ack(MSS);
        assertEquals(11 * MSS, reno.cwnd());
        for (int i = 0; i < 10; i++)
        {
            ack(MSS);
        }
        assertEquals(11 * MSS, reno.cwnd());
        ack(MSS);
        assertEquals(12 * MSS, reno.cwnd());
    }

    @Test
    void congestionAvoidanceCountsBytesNotAcks()
    {
        // RFC 3465 §2.1: 146 ACKs of 100 bytes are one window of 14600 bytes, one SMSS of growth;
        // a stretch ACK of two windows grows one SMSS and keeps the other window for the next ACK.
        reno.reset(MSS, NOW);
        reno.onFastRecovery(20 * MSS, NOW);
        for (int i = 0; i < 145; i++)
        {
            ack(100);
        }
        assertEquals(10 * MSS, reno.cwnd());
        ack(100);
        assertEquals(11 * MSS, reno.cwnd());
        ack(2 * 11 * MSS);
        assertEquals(12 * MSS, reno.cwnd());
        // 11 segments were carried, one more makes the 12 the window now holds.
        ack(MSS);
        assertEquals(13 * MSS, reno.cwnd());
    }

    @Test
    void fastRecoveryHalvesFlightSize()
    {
        // RFC 5681 §3.1 eq. 4 from FlightSize, not cwnd: cwnd is 10 segments, 30 are in flight:
        // ssthresh = cwnd = 15 segments; 30001 bytes halve to 15000.
        reno.reset(MSS, NOW);
        reno.onFastRecovery(30 * MSS, NOW);
        assertEquals(15 * MSS, reno.ssthresh());
        assertEquals(15 * MSS, reno.cwnd());
        reno.onFastRecovery(30_001, NOW);
        assertEquals(15_000, reno.ssthresh());
    }

    @Test
    void fastRecoveryFloorsSsthreshAtTwoSegments()
    {
        // RFC 5681 §3.1 eq. 4: max(FlightSize / 2, 2*SMSS) with 3 segments in flight is 2.
        reno.reset(MSS, NOW);
        reno.onFastRecovery(3 * MSS, NOW);
        assertEquals(2 * MSS, reno.ssthresh());
        assertEquals(2 * MSS, reno.cwnd());
    }

    @Test
    void recoveryExitDeflatesToFlightSizePlusOneSegment()
    {
        // RFC 6582 §3.2 step 3: after fast recovery from 30 segments (ssthresh 15),
        // min(15, max(5, 1) + 1) = 6; min(15, 20 + 1) = 15; min(15, max(0, 1) + 1) = 2.
        reno.reset(MSS, NOW);
        reno.onFastRecovery(30 * MSS, NOW);
        reno.cwnd(18 * MSS);
        reno.onRecoveryExit(5 * MSS, NOW);
        assertEquals(6 * MSS, reno.cwnd());
        reno.onRecoveryExit(20 * MSS, NOW);
        assertEquals(15 * MSS, reno.cwnd());
        reno.onRecoveryExit(0, NOW);
        assertEquals(2 * MSS, reno.cwnd());
    }

    @Test
    void timeoutCollapsesToOneSegment()
    {
        // RFC 5681 §3.1: ssthresh = max(20 / 2, 2) = 10 segments, cwnd = LW = 1 segment.
        reno.reset(MSS, NOW);
        reno.onRetransmitTimeout(20 * MSS, NOW);
        assertEquals(10 * MSS, reno.ssthresh());
        assertEquals(MSS, reno.cwnd());
    }

    @Test
    void repeatedTimeoutHoldsSsthresh()
    {
        // RFC 5681 §3.1: a second expiry before any new data is acknowledged keeps ssthresh 10;
        // after an ACK, the next expiry computes it again from FlightSize: 8 / 2 = 4.
        reno.reset(MSS, NOW);
        reno.onRetransmitTimeout(20 * MSS, NOW);
        reno.onRetransmitTimeout(MSS, NOW);
        assertEquals(10 * MSS, reno.ssthresh());
        assertEquals(MSS, reno.cwnd());
        ack(MSS);
        reno.onRetransmitTimeout(8 * MSS, NOW);
        assertEquals(4 * MSS, reno.ssthresh());
    }

    @Test
    void applicationLimitedDoesNotGrow()
    {
        // Our rule: no growth when less than cwnd / 2 was in flight. Slow start, cwnd 14600:
        // 7299 bytes in flight do not grow it, 7300 do.
        reno.reset(MSS, NOW);
        reno.onAck(MSS, 7299, 0, NOW);
        assertEquals(10 * MSS, reno.cwnd());
        reno.onAck(MSS, 7300, 0, NOW);
        assertEquals(11 * MSS, reno.cwnd());
        // Congestion avoidance, cwnd 10 segments: ten application-limited ACKs are not counted,
        // so the window grows at the tenth of the ten that follow, not at the first.
        reno.onFastRecovery(20 * MSS, NOW);
        for (int i = 0; i < 10; i++)
        {
            reno.onAck(MSS, 4 * MSS, 0, NOW);
        }
        for (int i = 0; i < 9; i++)
        {
            ack(MSS);
        }
        assertEquals(10 * MSS, reno.cwnd());
        ack(MSS);
        assertEquals(11 * MSS, reno.cwnd());
    }

    @Test
    void idleRestartShrinksToInitialWindow()
    {
        // RFC 5681 §4.1: RW = min(IW, cwnd): 40 segments restart at 10, 4 stay 4.
        reno.reset(MSS, NOW);
        reno.cwnd(40 * MSS);
        reno.onIdleRestart(NOW);
        assertEquals(10 * MSS, reno.cwnd());
        reno.cwnd(4 * MSS);
        reno.onIdleRestart(NOW);
        assertEquals(4 * MSS, reno.cwnd());
    }

    @Test
    void cwndSetterFloorsAtOneSegment()
    {
        reno.reset(MSS, NOW);
        reno.cwnd(0);
        assertEquals(MSS, reno.cwnd());
        reno.cwnd(-5);
        assertEquals(MSS, reno.cwnd());
        reno.cwnd(100_000);
        assertEquals(100_000, reno.cwnd());
    }

    @Test
    void mssChangeKeepsBytesWithinNewFloors()
    {
        // A timeout with nothing in flight: cwnd 1460, ssthresh 2920. SMSS 4000: cwnd is raised
        // to one segment, ssthresh to two; the IW becomes min(40000, max(8000, 14600)) = 14600.
        reno.reset(MSS, NOW);
        reno.onRetransmitTimeout(0, NOW);
        reno.onMssChange(4000);
        assertEquals(4000, reno.cwnd());
        assertEquals(8000, reno.ssthresh());
        reno.cwnd(40_000);
        reno.onIdleRestart(NOW);
        assertEquals(14_600, reno.cwnd());
        // A smaller SMSS leaves a window of bytes as it is: 14600 stays 14600 at SMSS 1000.
        reno.onMssChange(1000);
        assertEquals(14_600, reno.cwnd());
        assertEquals(8000, reno.ssthresh());
    }

    @Test
    void invalidMssIsRejected()
    {
        assertThrows(IllegalArgumentException.class, () -> reno.reset(0, NOW));
        assertThrows(IllegalArgumentException.class, () -> reno.reset(65_536, NOW));
        assertThrows(IllegalArgumentException.class, () -> reno.onMssChange(-1));
    }

    @Test
    void emptyAckDoesNotGrow()
    {
        reno.reset(MSS, NOW);
        ack(0);
        assertEquals(10 * MSS, reno.cwnd());
    }

    @Test
    void growthStopsAtLargestUsableWindow()
    {
        // 2^30 bytes, just above the largest window RFC 7323 §2.3 lets a peer advertise.
        reno.reset(MSS, NOW);
        reno.cwnd(WindowRules.MAX_CWND - 100);
        ack(2 * MSS);
        assertEquals(WindowRules.MAX_CWND, reno.cwnd());
        ack(2 * MSS);
        assertEquals(WindowRules.MAX_CWND, reno.cwnd());
    }

    @Test
    void resetReturnsToTheInitialState()
    {
        // RFC 6928 §2 and RFC 5681 §3.1 again, for a pooled connection; and the slow start after
        // the old connection's timeout is forgotten: L is 2*SMSS again.
        reno.reset(MSS, NOW);
        reno.onRetransmitTimeout(20 * MSS, NOW);
        reno.reset(MSS, NOW);
        assertEquals(10 * MSS, reno.cwnd());
        assertEquals(Integer.MAX_VALUE, reno.ssthresh());
        ack(3 * MSS);
        assertEquals(12 * MSS, reno.cwnd());
    }
}
