package io.jmtcp.tcp.cc;

/**
 * The rules of RFC 5681 and its companions that every algorithm here shares: the initial window,
 * slow start with appropriate byte counting, the application-limited test, the window after
 * recovery and the bounds of a window. Pure functions of their arguments, in bytes.
 */
final class WindowRules
{
    /**
     * The largest cwnd any algorithm grows to: 2<sup>30</sup> bytes, just above the largest window
     * a peer can advertise (65,535 * 2<sup>14</sup>, RFC 7323 §2.3), so more would never be used.
     * It leaves the sender headroom to add RFC 5681 §3.2 inflation without overflowing an int.
     */
    static final int MAX_CWND = 1 << 30;

    /** "Arbitrarily high" (RFC 5681 §3.1): the initial ssthresh, above any cwnd. */
    static final int INITIAL_SSTHRESH = Integer.MAX_VALUE;

    /** Until the first {@link CongestionControl#reset}: the default IPv4 SMSS (RFC 9293 §3.7.1). */
    static final int DEFAULT_MSS = 536;

    /** The largest SMSS the 16-bit MSS option can announce (RFC 9293 §3.2). */
    static final int MAX_MSS = 65_535;

    /** RFC 6928 §2: the initial window is bounded by 14,600 bytes, ten 1460-byte segments. */
    private static final int INITIAL_WINDOW_BYTES = 14_600;

    private WindowRules()
    {
    }

    /**
     * @param mss the SMSS.
     * @return the SMSS, if it is one.
     * @throws IllegalArgumentException if it is not within [1, {@link #MAX_MSS}].
     */
    static int checkMss(final int mss)
    {
        if (mss < 1 || mss > MAX_MSS)
        {
            throw new IllegalArgumentException("mss must be within [1, " + MAX_MSS + "]: " + mss);
        }
        return mss;
    }

    /**
     * RFC 6928 §2: IW = min(10*MSS, max(2*MSS, 14600)).
     *
     * @param mss the SMSS.
     * @return the initial window in bytes.
     */
    static int initialWindow(final int mss)
    {
        return Math.min(10 * mss, Math.max(2 * mss, INITIAL_WINDOW_BYTES));
    }

    /**
     * The growth of cwnd for one ACK in slow start: appropriate byte counting (RFC 3465 §2.2),
     * cwnd += min(N, L), with the limit L = 2*SMSS of RFC 3465 §2.3 so that an ACK delayed over
     * two segments (RFC 5681 §4.2) still doubles cwnd per RTT. RFC 3465 §2.3 takes L = 1*SMSS in
     * the slow start that follows a retransmission timeout: the ACKs then may cover segments the
     * receiver already held, and bytes that left the network long ago are no signal to grow on.
     *
     * @param bytesAcked   N, the new bytes the ACK acknowledged.
     * @param mss          the SMSS.
     * @param afterTimeout true in slow start after a retransmission timeout.
     * @return how many bytes to add to cwnd.
     */
    static int slowStartIncrease(final int bytesAcked, final int mss, final boolean afterTimeout)
    {
        return Math.min(bytesAcked, afterTimeout ? mss : 2 * mss);
    }

    /**
     * An ACK of an application-limited sender does not grow cwnd: growth would claim a window the
     * network has not carried (in the spirit of RFC 7661; RFC 9438 §5.8 says the same of CUBIC).
     * RFC 7661 §3 calls a window non-validated when less than half of it was used in the last RTT;
     * we apply that threshold to the bytes in flight when the ACK came, which the sender knows
     * without RFC 7661's pipeACK sampling: the window counts as used when
     * {@code flightSizeBefore >= cwnd / 2}. A cwnd-limited sender keeps its flight near cwnd, so
     * its ACKs always count; one that has stopped writing, or that the receive window holds back,
     * lets the flight fall below half and stops growing.
     *
     * @param flightSizeBefore the bytes in flight before the ACK.
     * @param cwnd             the congestion window.
     * @return true if cwnd must not grow on this ACK.
     */
    static boolean applicationLimited(final int flightSizeBefore, final int cwnd)
    {
        return flightSizeBefore < cwnd >> 1;
    }

    /**
     * RFC 6582 §3.2 step 3, the first option: on a full ACK, cwnd = min(ssthresh,
     * max(FlightSize, SMSS) + SMSS), which deflates the window without letting a flight that
     * drained during recovery turn into a burst.
     *
     * @param ssthresh   the slow-start threshold.
     * @param flightSize the bytes in flight after the full ACK.
     * @param mss        the SMSS.
     * @return the window after recovery: at least 2*SMSS, as ssthresh is after any loss.
     */
    static int recoveryExitWindow(final int ssthresh, final int flightSize, final int mss)
    {
        return (int)Math.min(ssthresh, (long)Math.max(flightSize, mss) + mss);
    }

    /**
     * cwnd grown by {@code increase}, but not beyond {@link #MAX_CWND}; a window already above
     * it (set by the sender) is left as it is, and so is any window for a negative increase: an
     * ACK never shrinks the window.
     *
     * @param cwnd     the congestion window.
     * @param increase the growth.
     * @return the grown window.
     */
    static int grow(final int cwnd, final long increase)
    {
        return (int)Math.max(cwnd, cwnd + Math.min(increase, MAX_CWND - cwnd));
    }
}
