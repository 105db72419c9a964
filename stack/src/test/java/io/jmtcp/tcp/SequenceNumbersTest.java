package io.jmtcp.tcp;

import org.junit.jupiter.api.Test;

import static io.jmtcp.tcp.SequenceNumbers.ge;
import static io.jmtcp.tcp.SequenceNumbers.gt;
import static io.jmtcp.tcp.SequenceNumbers.inWindow;
import static io.jmtcp.tcp.SequenceNumbers.le;
import static io.jmtcp.tcp.SequenceNumbers.lt;
import static io.jmtcp.tcp.SequenceNumbers.max;
import static io.jmtcp.tcp.SequenceNumbers.min;
import static io.jmtcp.tcp.SequenceNumbers.segmentAcceptable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 9293 §3.4 modulo-2^32 comparisons across both places where an {@code int} wraps (2^31,
 * where the signed value flips sign, and 2^32, where the unsigned value returns to 0), and the
 * RFC 9293 §3.10.7.4 acceptability table row by row.
 */
final class SequenceNumbersTest
{
    /** 2^31 as an unsigned sequence number. */
    private static final int HALF = 0x8000_0000;
    /** 2^32 - 1, the last sequence number before the space wraps to 0. */
    private static final int LAST = 0xFFFF_FFFF;
    /** The largest window RFC 7323 §2.3 allows: 65535 scaled by 2^14. */
    private static final int MAX_SCALED_WINDOW = 65_535 << 14;

    @Test
    void comparesPlainNumbersInOrder()
    {
        assertTrue(lt(1, 2));
        assertTrue(le(1, 2));
        assertTrue(le(2, 2));
        assertFalse(lt(2, 2));
        assertTrue(gt(2, 1));
        assertTrue(ge(2, 1));
        assertTrue(ge(2, 2));
        assertFalse(gt(2, 2));
        assertFalse(lt(2, 1));
        assertFalse(gt(1, 2));
    }

    @Test
    void comparesAcrossTheSignBoundaryAt2To31()
    {
        // 0x7FFFFFFF is Integer.MAX_VALUE and 0x80000000 is Integer.MIN_VALUE: a signed
        // comparison would put them the wrong way round.
        assertTrue(lt(HALF - 1, HALF));
        assertTrue(gt(HALF, HALF - 1));
        assertTrue(lt(HALF - 10, HALF + 10));
        assertFalse(ge(HALF - 10, HALF + 10));
        assertTrue(le(HALF - 1, HALF));
        assertTrue(ge(HALF + 10, HALF - 10));
    }

    @Test
    void comparesAcrossTheWrapAt2To32()
    {
        // 2^32 - 1 is followed by 0: an unsigned comparison would put them the wrong way round.
        assertTrue(lt(LAST, 0));
        assertTrue(gt(0, LAST));
        assertTrue(lt(LAST - 5, 5));
        assertTrue(le(LAST - 5, 5));
        assertTrue(gt(5, LAST - 5));
        assertTrue(ge(5, LAST - 5));
        assertFalse(lt(5, LAST - 5));
    }

    @Test
    void orderHoldsUpToJustUnderHalfTheSpaceAway()
    {
        final int a = 0xFFFF_FF00;
        final int ahead = a + (HALF - 1);
        assertTrue(lt(a, ahead));
        assertTrue(gt(ahead, a));
        // One further and the number is "behind" a again: the circle has only 2^31 of "ahead".
        assertTrue(gt(a, ahead + 2));
    }

    @Test
    void numbersExactlyHalfTheSpaceApartAreEachBeforeTheOther()
    {
        // RFC 1982 §3.2 leaves this pair undefined; the documented result is that each is "<"
        // the other, so a caller must never compare numbers this far apart.
        assertTrue(lt(0, HALF));
        assertTrue(lt(HALF, 0));
        assertFalse(gt(0, HALF));
        assertFalse(gt(HALF, 0));
    }

    @Test
    void maxAndMinFollowSequenceOrderAcrossTheWrap()
    {
        assertEquals(3, max(LAST, 3));
        assertEquals(3, max(3, LAST));
        assertEquals(LAST, min(LAST, 3));
        assertEquals(LAST, min(3, LAST));
        assertEquals(HALF, max(HALF - 1, HALF));
        assertEquals(HALF - 1, min(HALF - 1, HALF));
        assertEquals(7, max(7, 7));
        assertEquals(7, min(7, 7));
    }

    @Test
    void windowContainsItsStartButNotItsEnd()
    {
        assertTrue(inWindow(100, 100, 10));
        assertTrue(inWindow(109, 100, 10));
        assertFalse(inWindow(110, 100, 10));
        assertFalse(inWindow(99, 100, 10));
    }

    @Test
    void windowThatWrapsAt2To32()
    {
        final int start = LAST - 4;
        assertTrue(inWindow(start, start, 10));
        assertTrue(inWindow(LAST, start, 10));
        assertTrue(inWindow(0, start, 10));
        assertTrue(inWindow(4, start, 10));
        assertFalse(inWindow(5, start, 10));
        assertFalse(inWindow(start - 1, start, 10));
    }

    @Test
    void windowThatCrosses2To31()
    {
        final int start = HALF - 2;
        assertTrue(inWindow(HALF - 1, start, 4));
        assertTrue(inWindow(HALF + 1, start, 4));
        assertFalse(inWindow(HALF + 2, start, 4));
    }

    @Test
    void zeroWindowContainsNothing()
    {
        assertFalse(inWindow(100, 100, 0));
        assertFalse(inWindow(99, 100, 0));
        assertFalse(inWindow(101, 100, 0));
    }

    @Test
    void windowLengthIsUnsigned()
    {
        assertTrue(inWindow(MAX_SCALED_WINDOW - 1, 0, MAX_SCALED_WINDOW));
        assertFalse(inWindow(MAX_SCALED_WINDOW, 0, MAX_SCALED_WINDOW));
        // Lengths of 2^31 and more are negative as an int but still mean a large window.
        assertTrue(inWindow(HALF + 5, 0, HALF + 6));
        assertFalse(inWindow(HALF + 6, 0, HALF + 6));
        assertTrue(inWindow(LAST - 1, 0, LAST));
        assertFalse(inWindow(LAST, 0, LAST));
    }

    @Test
    void acceptabilityZeroLengthZeroWindowNeedsExactlyRcvNxt()
    {
        // RFC 9293 §3.10.7.4 row 1: SEG.SEQ = RCV.NXT.
        assertTrue(segmentAcceptable(1000, 0, 1000, 0));
        assertFalse(segmentAcceptable(999, 0, 1000, 0));
        assertFalse(segmentAcceptable(1001, 0, 1000, 0));
        assertTrue(segmentAcceptable(LAST, 0, LAST, 0));
    }

    @Test
    void acceptabilityZeroLengthOpenWindowNeedsSeqInWindow()
    {
        // RFC 9293 §3.10.7.4 row 2: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND.
        assertTrue(segmentAcceptable(1000, 0, 1000, 100));
        assertTrue(segmentAcceptable(1099, 0, 1000, 100));
        assertFalse(segmentAcceptable(1100, 0, 1000, 100));
        assertFalse(segmentAcceptable(999, 0, 1000, 100));
    }

    @Test
    void acceptabilityDataIntoZeroWindowIsNeverAcceptable()
    {
        // RFC 9293 §3.10.7.4 row 3: not acceptable, even a segment starting at RCV.NXT.
        assertFalse(segmentAcceptable(1000, 1, 1000, 0));
        assertFalse(segmentAcceptable(1000, 100, 1000, 0));
        assertFalse(segmentAcceptable(999, 2, 1000, 0));
    }

    @Test
    void acceptabilityDataOpenWindowAcceptsWhenStartIsInWindow()
    {
        // RFC 9293 §3.10.7.4 row 4, first test: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND, even if
        // the segment runs past the right edge.
        assertTrue(segmentAcceptable(1000, 10, 1000, 100));
        assertTrue(segmentAcceptable(1099, 500, 1000, 100));
    }

    @Test
    void acceptabilityDataOpenWindowAcceptsWhenLastByteIsInWindow()
    {
        // RFC 9293 §3.10.7.4 row 4, second test: RCV.NXT =< SEG.SEQ+SEG.LEN-1 < RCV.NXT+RCV.WND,
        // a segment that starts before RCV.NXT (a partial retransmission) but ends inside.
        assertTrue(segmentAcceptable(990, 11, 1000, 100));
        assertTrue(segmentAcceptable(900, 200, 1000, 100));
    }

    @Test
    void acceptabilityDataOpenWindowRejectsWhenNeitherEndIsInWindow()
    {
        // RFC 9293 §3.10.7.4 row 4, both tests false: wholly old, or wholly beyond the window.
        assertFalse(segmentAcceptable(990, 10, 1000, 100));
        assertFalse(segmentAcceptable(1100, 10, 1000, 100));
        // A segment that straddles the whole window has neither end in it: the table rejects it.
        assertFalse(segmentAcceptable(990, 200, 1000, 100));
    }

    @Test
    void acceptabilityAcrossTheWrap()
    {
        final int rcvNxt = LAST - 9;
        // The window is [2^32 - 10, 2^32 + 90): it wraps through 0.
        assertTrue(segmentAcceptable(0, 50, rcvNxt, 100));
        assertTrue(segmentAcceptable(LAST - 19, 11, rcvNxt, 100));
        assertFalse(segmentAcceptable(LAST - 19, 10, rcvNxt, 100));
        assertTrue(segmentAcceptable(89, 0, rcvNxt, 100));
        assertFalse(segmentAcceptable(90, 0, rcvNxt, 100));
        assertFalse(segmentAcceptable(90, 5, rcvNxt, 100));
    }

    @Test
    void acceptabilityCountsSynAndFinInSegLen()
    {
        // A bare FIN at RCV.NXT has SEG.LEN 1: it fits a one-byte window but not a zero window.
        assertTrue(segmentAcceptable(1000, 1, 1000, 1));
        assertFalse(segmentAcceptable(1000, 1, 1000, 0));
    }
}
