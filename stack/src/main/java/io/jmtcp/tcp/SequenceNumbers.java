package io.jmtcp.tcp;

/**
 * Arithmetic on TCP sequence numbers, which live in a finite space of 2<sup>32</sup> values, so
 * that all arithmetic on them is modulo 2<sup>32</sup> (RFC 9293 §3.4). A sequence number is
 * held in an {@code int}; its bits are the unsigned value on the wire.
 *
 * <p>Order is defined by the signed difference, as RFC 1982 §3.2 defines it for serial numbers:
 * {@code a} is before {@code b} when {@code b} lies less than 2<sup>31</sup> ahead of {@code a}
 * going forward around the circle. Java's {@code int} subtraction wraps modulo 2<sup>32</sup>,
 * so {@code (a - b) < 0} is that test in one instruction. Two numbers exactly 2<sup>31</sup>
 * apart have no defined order (RFC 1982 §3.2); here each of them is {@link #lt less than} the
 * other, as with Linux's {@code before()}. TCP never compares numbers that far apart: windows
 * are at most 2<sup>30</sup> (RFC 7323 §2.3) precisely so that this cannot happen.
 *
 * <p>Windows and lengths are unsigned 32-bit values held in an {@code int}.
 */
public final class SequenceNumbers
{
    private SequenceNumbers()
    {
    }

    /**
     * @param a a sequence number.
     * @param b a sequence number.
     * @return true if {@code a} comes before {@code b} (RFC 9293 §3.4 "&lt;").
     */
    public static boolean lt(final int a, final int b)
    {
        return a - b < 0;
    }

    /**
     * @param a a sequence number.
     * @param b a sequence number.
     * @return true if {@code a} comes before {@code b} or equals it (RFC 9293 §3.4 "=&lt;").
     */
    public static boolean le(final int a, final int b)
    {
        return a - b <= 0;
    }

    /**
     * @param a a sequence number.
     * @param b a sequence number.
     * @return true if {@code a} comes after {@code b} (RFC 9293 §3.4 "&gt;").
     */
    public static boolean gt(final int a, final int b)
    {
        return a - b > 0;
    }

    /**
     * @param a a sequence number.
     * @param b a sequence number.
     * @return true if {@code a} comes after {@code b} or equals it (RFC 9293 §3.4 "&gt;=").
     */
    public static boolean ge(final int a, final int b)
    {
        return a - b >= 0;
    }

    /**
     * @param a a sequence number.
     * @param b a sequence number.
     * @return the later of the two in sequence space ({@code a} when they are equal).
     */
    public static int max(final int a, final int b)
    {
        return a - b >= 0 ? a : b;
    }

    /**
     * @param a a sequence number.
     * @param b a sequence number.
     * @return the earlier of the two in sequence space ({@code a} when they are equal).
     */
    public static int min(final int a, final int b)
    {
        return a - b <= 0 ? a : b;
    }

    /**
     * Whether a sequence number falls in a window: {@code windowStart =< seq < windowStart +
     * windowLength}, modulo 2<sup>32</sup>.
     *
     * <p>The distance from the start is taken as an unsigned value, so the test is exact for any
     * window length up to 2<sup>32</sup> - 1, not only below 2<sup>31</sup>; a window of length
     * 0 contains nothing.
     *
     * @param seq          the sequence number to test.
     * @param windowStart  the first sequence number in the window.
     * @param windowLength the number of sequence numbers in the window, unsigned.
     * @return true if {@code seq} is in the window.
     */
    public static boolean inWindow(final int seq, final int windowStart, final int windowLength)
    {
        return Integer.compareUnsigned(seq - windowStart, windowLength) < 0;
    }

    /**
     * The acceptability test for an arriving segment (RFC 9293 §3.10.7.4, "first, check sequence
     * number"), the four cases of its table:
     *
     * <pre>
     * Segment Length  Receive Window  Test
     * --------------  --------------  -------------------------------------------
     *       0               0         SEG.SEQ = RCV.NXT
     *       0              &gt;0         RCV.NXT =&lt; SEG.SEQ &lt; RCV.NXT+RCV.WND
     *      &gt;0               0         not acceptable
     *      &gt;0              &gt;0         RCV.NXT =&lt; SEG.SEQ &lt; RCV.NXT+RCV.WND
     *                                 or
     *                                 RCV.NXT =&lt; SEG.SEQ+SEG.LEN-1 &lt; RCV.NXT+RCV.WND
     * </pre>
     *
     * <p>SEG.LEN counts the sequence space the segment occupies: its data plus one for SYN and
     * one for FIN (RFC 9293 §3.4). A segment that fails is not simply dropped: the caller
     * answers it with an ACK unless it carries RST, and with a zero window still processes the
     * ACK, URG and RST fields of a segment that fails (RFC 9293 §3.10.7.4); those duties are the
     * state machine's.
     *
     * @param segSeq SEG.SEQ, the first sequence number of the segment.
     * @param segLen SEG.LEN, 0 or more.
     * @param rcvNxt RCV.NXT, the next sequence number expected.
     * @param rcvWnd RCV.WND, the receive window, unsigned.
     * @return true if the segment is acceptable.
     */
    public static boolean segmentAcceptable(final int segSeq, final int segLen, final int rcvNxt, final int rcvWnd)
    {
        if (segLen == 0)
        {
            return rcvWnd == 0 ? segSeq == rcvNxt : inWindow(segSeq, rcvNxt, rcvWnd);
        }
        if (rcvWnd == 0)
        {
            return false;
        }
        return inWindow(segSeq, rcvNxt, rcvWnd) || inWindow(segSeq + segLen - 1, rcvNxt, rcvWnd);
    }
}
