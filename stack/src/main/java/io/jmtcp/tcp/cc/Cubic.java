package io.jmtcp.tcp.cc;

/**
 * CUBIC (RFC 9438): in congestion avoidance the window follows a cubic function of the time
 * since the last congestion event, W_cubic(t) = C*(t - K)^3 + W_max (§4.2), concave up to the
 * window where the last loss happened and convex beyond it, but never below the window Reno
 * would have, W_est (§4.3); on loss it keeps 70% of cwnd (§4.6) and, when the window stopped
 * short of the previous maximum, lowers W_max to release bandwidth to newer flows (§4.7).
 *
 * <p>Slow start, the initial window, the application-limited rule, the window after recovery,
 * the loss window after a timeout and the restart after idle are those of {@link NewReno}: RFC
 * 9438 §4.10 allows standard slow start, and §4.8 follows RFC 5681 for the timeout except for
 * ssthresh. HyStart++ is not implemented.
 *
 * <p>Units. Windows are bytes, as RFC 9438 §4.1 allows by "factoring in the SMSS": the cubic
 * function is C*SMSS*(t - K)^3 + W_max in bytes, with C = 0.4 segments per second cubed, and
 * segments_acked is bytes acknowledged / SMSS. Times are seconds, from the nanoseconds passed in.
 * The arithmetic is in double, which holds any window of this stack exactly and keeps the
 * fractions of a byte that per-ACK increments are made of; the fraction left over from one
 * increment is carried to the next.
 *
 * <p>Choices where RFC 9438 leaves room or is silent, and why:
 * <ul>
 * <li>ssthresh on loss is cwnd * beta, not FlightSize * beta (§4.6 allows cwnd: "some
 *     implementations of CUBIC currently use cwnd instead of flight_size", and those "MUST use
 *     other measures to prevent cwnd from growing when the volume of bytes in flight is smaller
 *     than cwnd"; the application-limited rule of {@link NewReno}, no growth while less
 *     than half of cwnd is in flight, is that measure);</li>
 * <li>the concave and convex increments, (target - cwnd) / cwnd "for each received new ACK"
 *     (§4.4, §4.5), are scaled by the segments the ACK acknowledged, as §4.3 does for W_est: with
 *     delayed ACKs one ACK per two segments would otherwise take two RTTs to reach the target
 *     that §4.2 sets for one;</li>
 * <li>§4.2 requires that t not include application-limited periods (§5.8): an ACK that finds the
 *     sender application-limited moves the epoch start forward by the time since the previous
 *     ACK, so the curve resumes where it paused;</li>
 * <li>in the Reno-friendly region cwnd becomes W_est (§4.3) but an ACK never lowers it, which can
 *     happen when cwnd has already passed W_cubic(t) on its way to W_cubic(t + RTT): §4.2 "chooses
 *     the larger of the two values";</li>
 * <li>a congestion-avoidance stage (epoch) starts at the first ACK in congestion avoidance after
 *     reset, a loss, a timeout, an idle restart or an SMSS change. After reset and after a
 *     timeout W_max is undefined, and the stage starts with K = 0 and W_max = cwnd_epoch (§4.8,
 *     §4.10), and after reset cwnd_prior = cwnd_epoch (§4.10). After an idle restart or an SMSS
 *     change the curve restarts from the current window towards the W_max already known.</li>
 * </ul>
 *
 * <p>Allocation-free; owned by the thread that owns its connection. Until the first
 * {@link #reset} it behaves as if reset with the default SMSS, 536 bytes.
 */
public final class Cubic implements CongestionControl
{
    /** RFC 9438 §5.1: "C SHOULD be set to 0.4", in segments per second cubed. */
    static final double C = 0.4;
    /** RFC 9438 §4.6: "Parameter beta_cubic SHOULD be set to 0.7", in tenths. */
    private static final int BETA_TENTHS = 7;
    /** RFC 9438 §4.6: beta_cubic = 0.7. */
    static final double BETA = BETA_TENTHS / 10.0;
    /** RFC 9438 §4.3: alpha_cubic = 3 * (1 - beta_cubic) / (1 + beta_cubic), 9/17. */
    static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);
    /** RFC 9438 §4.7: W_max = cwnd * (1 + beta_cubic) / 2 under fast convergence. */
    private static final double FAST_CONVERGENCE_FACTOR = (1 + BETA) / 2;
    /** RFC 9438 §4.2: the target is at most 1.5 * cwnd, below the growth rate of slow start. */
    private static final double MAX_TARGET_FACTOR = 1.5;
    private static final double NANOS_PER_SECOND = 1e9;

    private int mss;
    private int initialWindow;
    private int cwnd;
    private int ssthresh;
    /** Slow start after a retransmission timeout, where RFC 3465 §2.3 limits L to one SMSS. */
    private boolean slowStartAfterTimeout;
    /** The timer expired and no new data has been acknowledged since (RFC 5681 §3.1). */
    private boolean timedOutWithoutProgress;

    /** RFC 9438 §4.1.2 W_max, in bytes; 0 while undefined (after reset and after a timeout). */
    private double wMax;
    /** RFC 9438 §4.1.2 cwnd_prior, in bytes; 0 while undefined (after reset). */
    private double cwndPrior;
    /** True from the first ACK of a congestion-avoidance stage until the next event ends it. */
    private boolean inEpoch;
    /** RFC 9438 §4.1.2 t_epoch, moved forward over application-limited periods (§4.2). */
    private long epochStartNanos;
    /** The time of the previous ACK in this stage, from which an application-limited gap runs. */
    private long lastAckNanos;
    /** RFC 9438 §4.1.2 K, in seconds. */
    private double k;
    /** RFC 9438 §4.1.2 W_est, in bytes. */
    private double wEst;
    /** The fraction of a byte of growth not yet added to cwnd. */
    private double growthCarry;

    /** A window in the state {@link #reset} gives it for the default SMSS of 536 bytes. */
    public Cubic()
    {
        reset(WindowRules.DEFAULT_MSS, 0);
    }

    /**
     * {@inheritDoc}
     *
     * <p>W_max and cwnd_prior become undefined: the first congestion-avoidance stage starts with
     * K = 0 (RFC 9438 §4.10).
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
        slowStartAfterTimeout = false;
        timedOutWithoutProgress = false;
        wMax = 0;
        cwndPrior = 0;
        inEpoch = false;
        epochStartNanos = now;
        lastAckNanos = now;
        k = 0;
        wEst = 0;
        growthCarry = 0;
    }

    /**
     * {@inheritDoc}
     *
     * <p>cwnd, ssthresh and the initial window change as for {@link NewReno#onMssChange}; W_max,
     * W_est and cwnd_prior stay in bytes, and the congestion-avoidance stage ends, because K and
     * the cubic function count in segments of the old SMSS: the next stage starts from the
     * current window with K computed in the new one.
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
        inEpoch = false;
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
            if (inEpoch)
            {
                // RFC 9438 §4.2: "the elapsed time t in Figure 1 MUST NOT include periods during
                // which cwnd has not been updated due to application-limited behavior".
                epochStartNanos += Math.max(0, now - lastAckNanos);
            }
            lastAckNanos = now;
            return;
        }
        if (cwnd < ssthresh)
        {
            // RFC 9438 §4.10: standard slow start (RFC 5681 §3.1, RFC 3465 §2.2 and §2.3).
            cwnd = WindowRules.grow(cwnd, WindowRules.slowStartIncrease(bytesAcked, mss, slowStartAfterTimeout));
            return;
        }
        slowStartAfterTimeout = false;
        if (!inEpoch)
        {
            startEpoch(now);
        }
        congestionAvoidance(bytesAcked, srttNanos, now);
        lastAckNanos = now;
    }

    /**
     * {@inheritDoc}
     *
     * <p>RFC 9438 §4.7 then §4.6: W_max = cwnd * (1 + beta) / 2 if cwnd is below the previous
     * W_max (fast convergence), else cwnd; cwnd_prior = cwnd; ssthresh = max(cwnd * beta, 2*SMSS)
     * and cwnd = ssthresh. {@code flightSize} is not used: see the class comment.
     */
    @Override
    public void onFastRecovery(final int flightSize, final long now)
    {
        // RFC 9438 §4.7: fast convergence, "before the window reduction described in §4.6". A
        // W_max still undefined (0) is never above cwnd, so it becomes cwnd.
        wMax = cwnd < wMax ? cwnd * FAST_CONVERGENCE_FACTOR : cwnd;
        cwndPrior = cwnd;
        ssthresh = reducedWindow();
        cwnd = ssthresh;
        inEpoch = false;
        slowStartAfterTimeout = false;
        timedOutWithoutProgress = false;
    }

    /**
     * {@inheritDoc}
     *
     * <p>As {@link NewReno#onRecoveryExit}; the next ACK in congestion avoidance starts a new
     * stage from the deflated window.
     */
    @Override
    public void onRecoveryExit(final int flightSize, final long now)
    {
        cwnd = WindowRules.recoveryExitWindow(ssthresh, flightSize, mss);
        inEpoch = false;
    }

    /**
     * {@inheritDoc}
     *
     * <p>RFC 9438 §4.8: cwnd to one SMSS as RFC 5681 §3.1 says, ssthresh = max(cwnd * beta,
     * 2*SMSS) as §4.6 says, and W_max undefined so that the first congestion-avoidance stage after
     * the timeout starts with K = 0 and W_max = cwnd_epoch. When the timer expires again before any
     * new data has been acknowledged, ssthresh and cwnd_prior are held (RFC 5681 §3.1), since cwnd
     * is then the loss window rather than a measure of the path.
     */
    @Override
    public void onRetransmitTimeout(final int flightSize, final long now)
    {
        if (!timedOutWithoutProgress)
        {
            cwndPrior = cwnd;
            ssthresh = reducedWindow();
        }
        wMax = 0;
        // RFC 5681 §3.1: the loss window, LW, "equals 1 full-sized segment".
        cwnd = mss;
        inEpoch = false;
        slowStartAfterTimeout = true;
        timedOutWithoutProgress = true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The congestion-avoidance stage ends with the idle period, which t must not include
     * (RFC 9438 §4.2, §5.8); the next one starts from the restart window towards the same W_max.
     */
    @Override
    public void onIdleRestart(final long now)
    {
        // RFC 5681 §4.1: RW = min(IW, cwnd).
        cwnd = Math.min(initialWindow, cwnd);
        inEpoch = false;
    }

    @Override
    public void cwnd(final int cwnd)
    {
        this.cwnd = Math.max(cwnd, mss);
    }

    private void startEpoch(final long now)
    {
        inEpoch = true;
        epochStartNanos = now;
        if (wMax == 0)
        {
            // RFC 9438 §4.8 after a timeout, §4.10 after a slow start without loss: "K is set to
            // 0, and W_max is set to the congestion window size at the beginning of the current
            // congestion avoidance stage".
            wMax = cwnd;
        }
        if (cwndPrior == 0)
        {
            // RFC 9438 §4.10: leaving the first slow start without loss, "CUBIC sets
            // cwnd_prior = cwnd".
            cwndPrior = cwnd;
        }
        // RFC 9438 §4.2, Figure 2: K = cbrt((W_max - cwnd_epoch) / C), in segments; negative
        // when the window starts above W_max, which puts the whole stage in the convex region.
        k = Math.cbrt((wMax - cwnd) / (C * mss));
        // RFC 9438 §4.3: "W_est is set equal to cwnd_epoch at the start of the congestion
        // avoidance stage".
        wEst = cwnd;
        growthCarry = 0;
    }

    private void congestionAvoidance(final int bytesAcked, final long srttNanos, final long now)
    {
        final double t = Math.max(0, now - epochStartNanos) / NANOS_PER_SECOND;
        // RFC 9438 §4.3, Figure 4: W_est += alpha_cubic * segments_acked / cwnd, with alpha_cubic
        // 1 "once W_est has grown to reach the cwnd at the time of most recently setting
        // ssthresh -- that is, W_est >= cwnd_prior".
        final double alpha = wEst >= cwndPrior ? 1 : ALPHA;
        wEst += alpha * mss * bytesAcked / cwnd;
        if (wCubic(t) < wEst)
        {
            // RFC 9438 §4.3: the Reno-friendly region, "cwnd SHOULD be set to W_est"; never
            // lowered by an ACK (see the class comment).
            cwnd = WindowRules.grow(cwnd, (long)wEst - cwnd);
            growthCarry = 0;
            return;
        }
        // RFC 9438 §4.2: target = W_cubic(t + RTT) with RTT the smoothed RTT, within
        // [cwnd, 1.5 * cwnd].
        final double target = Math.min(
            Math.max(wCubic(t + srttNanos / NANOS_PER_SECOND), cwnd), MAX_TARGET_FACTOR * cwnd);
        // RFC 9438 §4.4 (concave, cwnd < W_max) and §4.5 (convex): cwnd += (target - cwnd) / cwnd
        // per segment acknowledged (see the class comment), in bytes.
        final double increase = (target - cwnd) * bytesAcked / cwnd + growthCarry;
        final long whole = (long)increase;
        growthCarry = increase - whole;
        cwnd = WindowRules.grow(cwnd, whole);
    }

    /**
     * RFC 9438 §4.2, Figure 1, in bytes: W_cubic(t) = C*SMSS*(t - K)^3 + W_max.
     */
    private double wCubic(final double t)
    {
        final double d = t - k;
        return C * mss * d * d * d + wMax;
    }

    /**
     * RFC 9438 §4.6: ssthresh = cwnd * beta_cubic, and "ssthresh is at least 2 MSS"; in integers,
     * as cwnd * 0.7 in double can fall a hair below a whole byte count and truncate to the one
     * under it.
     */
    private int reducedWindow()
    {
        return (int)Math.max((long)cwnd * BETA_TENTHS / 10, 2L * mss);
    }
}
