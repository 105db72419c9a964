package io.jmtcp.tcp.cc;

/**
 * The standard TCP congestion window: slow start and congestion avoidance of RFC 5681 §3.1 with
 * appropriate byte counting (RFC 3465), the initial window of RFC 6928, the halving of RFC 5681
 * §3.1 eq. 4 on loss, and the window after NewReno recovery of RFC 6582 §3.2. Recovery itself
 * (fast retransmit, partial ACKs, the 3*SMSS inflation) is the sender's, as
 * {@link CongestionControl} says.
 *
 * <p>Rules, in bytes:
 * <ul>
 * <li>slow start while cwnd &lt; ssthresh: cwnd += min(N, 2*SMSS) per ACK of N new bytes (RFC
 *     3465 §2.2 and §2.3), min(N, SMSS) in the slow start after a timeout (RFC 3465 §2.3);</li>
 * <li>congestion avoidance otherwise: the acknowledged bytes are counted, and each time they
 *     reach cwnd, cwnd grows by one SMSS (RFC 3465 §2.1), which is RFC 5681 §3.1 eq. 3's
 *     SMSS*SMSS/cwnd per ACK without its rounding: one SMSS per window, exactly;</li>
 * <li>no growth on an ACK while the sender is application-limited, that is, while it had less
 *     than half of cwnd in flight when the ACK came (RFC 7661 §3's threshold for a window that
 *     is not validated, applied to the flight size the sender knows);</li>
 * <li>loss by duplicate ACKs or SACK: ssthresh = max(FlightSize / 2, 2*SMSS) and cwnd = ssthresh
 *     (RFC 5681 §3.2 steps 2 and 3, without the inflation);</li>
 * <li>full ACK: cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS) (RFC 6582 §3.2 step 3);</li>
 * <li>retransmission timeout: ssthresh as for loss, cwnd = one SMSS (RFC 5681 §3.1); ssthresh is
 *     held when the timer expires again before any new data is acknowledged;</li>
 * <li>restart after idle: cwnd = min(IW, cwnd) (RFC 5681 §4.1).</li>
 * </ul>
 *
 * <p>Allocation-free; owned by the thread that owns its connection. Until the first
 * {@link #reset} it behaves as if reset with the default SMSS, 536 bytes.
 */
public final class NewReno implements CongestionControl
{
    private int mss;
    private int initialWindow;
    private int cwnd;
    private int ssthresh;
    /** RFC 3465 §2.1's bytes_acked: acknowledged bytes not yet turned into growth. */
    private long bytesAcked;
    /** Slow start after a retransmission timeout, where RFC 3465 §2.3 limits L to one SMSS. */
    private boolean slowStartAfterTimeout;
    /** The timer expired and no new data has been acknowledged since (RFC 5681 §3.1). */
    private boolean timedOutWithoutProgress;

    /** A window in the state {@link #reset} gives it for the default SMSS of 536 bytes. */
    public NewReno()
    {
        reset(WindowRules.DEFAULT_MSS, 0);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code mss} is not within [1, 65535].
     */
    @Override
    public void reset(final int mss, final long now)
    {
        this.mss = WindowRules.checkMss(mss);
        // RFC 6928 §2: IW = min(10*MSS, max(2*MSS, 14600)).
        initialWindow = WindowRules.initialWindow(mss);
        cwnd = initialWindow;
        // RFC 5681 §3.1: "the initial value of ssthresh SHOULD be set arbitrarily high".
        ssthresh = WindowRules.INITIAL_SSTHRESH;
        bytesAcked = 0;
        slowStartAfterTimeout = false;
        timedOutWithoutProgress = false;
    }

    /**
     * {@inheritDoc}
     *
     * <p>cwnd stays in bytes, raised to one SMSS if below it; the initial window, which RFC 6928
     * §2 defines in terms of the MSS, is recomputed for later idle restarts; ssthresh is raised
     * to two SMSS if below it, the floor that RFC 5681 §3.1 eq. 4 gives it.
     *
     * @throws IllegalArgumentException if {@code mss} is not within [1, 65535].
     */
    @Override
    public void onMssChange(final int mss)
    {
        this.mss = WindowRules.checkMss(mss);
        initialWindow = WindowRules.initialWindow(mss);
        cwnd = Math.max(cwnd, mss);
        ssthresh = Math.max(ssthresh, 2 * mss);
    }

    @Override
    public int cwnd()
    {
        return cwnd;
    }

    @Override
    public int ssthresh()
    {
        return ssthresh;
    }

    @Override
    public void onAck(final int bytesAcked, final int flightSizeBefore, final long srttNanos, final long now)
    {
        if (bytesAcked <= 0)
        {
            return;
        }
        // RFC 5681 §3.1: new data acknowledged, so a later timeout computes ssthresh afresh.
        timedOutWithoutProgress = false;
        if (WindowRules.applicationLimited(flightSizeBefore, cwnd))
        {
            return;
        }
        if (cwnd < ssthresh)
        {
            // RFC 5681 §3.1 slow start, with RFC 3465 §2.2 and §2.3 byte counting.
            cwnd = WindowRules.grow(cwnd, WindowRules.slowStartIncrease(bytesAcked, mss, slowStartAfterTimeout));
            return;
        }
        slowStartAfterTimeout = false;
        // RFC 3465 §2.1: "when bytes_acked becomes greater than or equal to the value of the
        // congestion window, bytes_acked is reduced by the value of cwnd. Next, cwnd is
        // incremented by a full-sized segment (SMSS)".
        this.bytesAcked += bytesAcked;
        if (this.bytesAcked >= cwnd)
        {
            this.bytesAcked -= cwnd;
            cwnd = WindowRules.grow(cwnd, mss);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>RFC 5681 §3.1 eq. 4, ssthresh = max(FlightSize / 2, 2*SMSS), and cwnd = ssthresh.
     */
    @Override
    public void onFastRecovery(final int flightSize, final long now)
    {
        ssthresh = halvedFlightSize(flightSize);
        cwnd = ssthresh;
        bytesAcked = 0;
        slowStartAfterTimeout = false;
        timedOutWithoutProgress = false;
    }

    /**
     * {@inheritDoc}
     *
     * <p>RFC 6582 §3.2 step 3, first option: cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS).
     */
    @Override
    public void onRecoveryExit(final int flightSize, final long now)
    {
        cwnd = WindowRules.recoveryExitWindow(ssthresh, flightSize, mss);
        bytesAcked = 0;
    }

    /**
     * {@inheritDoc}
     *
     * <p>When the timer expires again before any new data has been acknowledged, ssthresh is
     * held: RFC 5681 §3.1 keeps it constant once the segment has already been retransmitted by
     * the timer, because FlightSize then no longer measures what the network carried.
     */
    @Override
    public void onRetransmitTimeout(final int flightSize, final long now)
    {
        if (!timedOutWithoutProgress)
        {
            // RFC 5681 §3.1 eq. 4.
            ssthresh = halvedFlightSize(flightSize);
        }
        // RFC 5681 §3.1: "the congestion window MUST be set to no more than the loss window, LW,
        // which equals 1 full-sized segment".
        cwnd = mss;
        bytesAcked = 0;
        slowStartAfterTimeout = true;
        timedOutWithoutProgress = true;
    }

    @Override
    public void onIdleRestart(final long now)
    {
        // RFC 5681 §4.1: RW = min(IW, cwnd).
        cwnd = Math.min(initialWindow, cwnd);
        bytesAcked = 0;
    }

    @Override
    public void cwnd(final int cwnd)
    {
        this.cwnd = Math.max(cwnd, mss);
    }

    private int halvedFlightSize(final int flightSize)
    {
        // RFC 5681 §3.1 eq. 4: ssthresh = max(FlightSize / 2, 2*SMSS).
        return Math.max(flightSize >> 1, 2 * mss);
    }
}
