package io.jmtcp.tcp;

import java.util.concurrent.TimeUnit;

/**
 * The retransmission timeout of one connection, computed from round-trip time samples as RFC
 * 6298 specifies: a smoothed RTT (SRTT) and an RTT variation (RTTVAR), RTO = SRTT + max(G,
 * K*RTTVAR), clamped to a minimum and a maximum, doubled on each expiry of the retransmission
 * timer and recomputed from the estimates at the next sample.
 *
 * <p>Times are nanoseconds, passed in; the estimator reads no clock and owns no timer: the caller
 * measures samples, arms the timer with {@link #rtoNanos()} and reports its expiry with
 * {@link #onRetransmitTimeout()}.
 *
 * <p><b>Karn's rule is the caller's duty</b> (RFC 6298 §3, after Karn and Partridge): an RTT
 * sample MUST NOT be taken from a segment that was retransmitted, because its ACK cannot be
 * matched to one transmission, unless the TCP timestamps option tells them apart (RFC 7323 §4).
 * RFC 6298 §3 also asks for at least one sample per RTT; timing one segment at a time meets it.
 *
 * <p>Defaults, and why they differ from the RFC where they do:
 * <ul>
 * <li>initial RTO 1 s, as RFC 6298 §2.1 says;</li>
 * <li>minimum RTO 200 ms, where RFC 6298 §2.4 says the RTO SHOULD be rounded up to 1 s. That
 *     SHOULD is a conservative floor against spurious retransmissions, and the RFC itself expects
 *     research may show a smaller one acceptable. Linux uses 200 ms ({@code TCP_RTO_MIN}); on a
 *     LAN or veth path with sub-millisecond RTTs a 1 s floor would stall a flow for thousands of
 *     RTTs after one tail loss, where the kernel we are compared against recovers five times
 *     sooner. A peer that delays its ACKs longer than the RTO can cause a spurious
 *     retransmission; since the delay is part of every RTT sample, SRTT normally covers it. The
 *     RFC's value is one constructor argument away;</li>
 * <li>maximum RTO 60 s, the least RFC 6298 §2.5 allows (configurable upward);</li>
 * <li>clock granularity G 1 ms: not the resolution of the nanosecond time passed in but that of
 *     the timers that act on the RTO (a context's timer wheel tick), which is how far a timer
 *     can fire from its deadline; max(G, K*RTTVAR) keeps the RTO at least that far above SRTT
 *     on a path so steady that RTTVAR decays towards 0.</li>
 * </ul>
 *
 * <p>Integer arithmetic: alpha = 1/8 and beta = 1/4 are shifts by 3 and 2. In nanoseconds the
 * truncation is immaterial, and whole milliseconds divide exactly. Samples above 2<sup>58</sup>
 * ns (nine years) are taken as 2<sup>58</sup> so that SRTT + K*RTTVAR cannot overflow.
 *
 * <p>Allocation-free; owned by the thread that owns its connection. {@link #reset()} readies it
 * for a new connection, so it can live in a pooled connection object.
 */
public final class RttEstimator
{
    /** RFC 6298 §2.1: "the sender SHOULD set RTO &lt;- 1 second". */
    public static final long DEFAULT_INITIAL_RTO_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Linux's {@code TCP_RTO_MIN}; RFC 6298 §2.4 says 1 s (see the class comment for why). */
    public static final long DEFAULT_MIN_RTO_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** RFC 6298 §2.5: a maximum "MAY be placed on RTO provided it is at least 60 seconds". */
    public static final long DEFAULT_MAX_RTO_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** The least maximum RFC 6298 §2.5 permits. */
    public static final long LEAST_MAX_RTO_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** The granularity G of the timers that act on the RTO (see the class comment). */
    public static final long DEFAULT_CLOCK_GRANULARITY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** RFC 6298 §5.7: the RTO to use for data after a SYN timed out, when it was below this. */
    public static final long SYN_TIMEOUT_RTO_NANOS = TimeUnit.SECONDS.toNanos(3);

    /** RFC 6298 §2.2: K = 4. */
    private static final int K = 4;
    /** RFC 6298 §2.3: alpha = 1/8 = 2^-3. */
    private static final int ALPHA_SHIFT = 3;
    /** RFC 6298 §2.3: beta = 1/4 = 2^-2. */
    private static final int BETA_SHIFT = 2;
    /** Samples are clamped to this, keeping SRTT + K*RTTVAR below 2^61. */
    private static final long MAX_SAMPLE_NANOS = 1L << 58;

    private final long initialRtoNanos;
    private final long minRtoNanos;
    private final long maxRtoNanos;
    private final long clockGranularityNanos;

    private boolean hasSample;
    private long srttNanos;
    private long rttvarNanos;
    private long rtoNanos;
    private int backoffCount;

    /** An estimator with the default initial, minimum and maximum RTO and clock granularity. */
    public RttEstimator()
    {
        this(DEFAULT_INITIAL_RTO_NANOS, DEFAULT_MIN_RTO_NANOS, DEFAULT_MAX_RTO_NANOS,
            DEFAULT_CLOCK_GRANULARITY_NANOS);
    }

    /**
     * An estimator with the given bounds.
     *
     * @param initialRtoNanos       the RTO before any sample (RFC 6298 §2.1); within
     *                              [{@code minRtoNanos}, {@code maxRtoNanos}].
     * @param minRtoNanos           the floor of a computed RTO (RFC 6298 §2.4); more than 0.
     * @param maxRtoNanos           the ceiling of any RTO, backed off or not (RFC 6298 §2.5); at
     *                              least {@link #LEAST_MAX_RTO_NANOS} and at least the minimum.
     * @param clockGranularityNanos G in RFC 6298 §2.2 and §2.3; 0 or more.
     * @throws IllegalArgumentException naming the value that breaks these rules.
     */
    public RttEstimator(final long initialRtoNanos, final long minRtoNanos, final long maxRtoNanos,
        final long clockGranularityNanos)
    {
        if (minRtoNanos <= 0)
        {
            throw new IllegalArgumentException("minRtoNanos must be positive: " + minRtoNanos);
        }
        if (maxRtoNanos < LEAST_MAX_RTO_NANOS)
        {
            throw new IllegalArgumentException(
                "maxRtoNanos must be at least 60 s (RFC 6298 §2.5): " + maxRtoNanos);
        }
        if (maxRtoNanos < minRtoNanos)
        {
            throw new IllegalArgumentException(
                "maxRtoNanos " + maxRtoNanos + " is below minRtoNanos " + minRtoNanos);
        }
        if (initialRtoNanos < minRtoNanos || initialRtoNanos > maxRtoNanos)
        {
            throw new IllegalArgumentException("initialRtoNanos " + initialRtoNanos + " is outside [" +
                minRtoNanos + ", " + maxRtoNanos + "]");
        }
        if (clockGranularityNanos < 0)
        {
            throw new IllegalArgumentException("clockGranularityNanos must not be negative: " + clockGranularityNanos);
        }
        this.initialRtoNanos = initialRtoNanos;
        this.minRtoNanos = minRtoNanos;
        this.maxRtoNanos = maxRtoNanos;
        this.clockGranularityNanos = clockGranularityNanos;
        reset();
    }

    /**
     * Forget all samples and backoff: the state of a new connection, RTO = the initial RTO
     * (RFC 6298 §2.1).
     */
    public void reset()
    {
        hasSample = false;
        srttNanos = 0;
        rttvarNanos = 0;
        rtoNanos = initialRtoNanos;
        backoffCount = 0;
    }

    /**
     * Take a round-trip time measurement R and recompute the RTO from it (RFC 6298 §2.2 for the
     * first, §2.3 for later ones). Any backoff ends: the RTO is the computed one again, which
     * "may result in 'collapsing' RTO back down after it has been doubled" (RFC 6298 §5, the note
     * after step 5.7).
     *
     * <p>Only from a segment that was not retransmitted (Karn's rule, RFC 6298 §3): see the class
     * comment.
     *
     * @param rttNanos the time from sending a segment to receiving the ACK that covers it; 0 or
     *                 more.
     * @throws IllegalArgumentException if the sample is negative, which only a caller's bug makes.
     */
    public void sample(final long rttNanos)
    {
        if (rttNanos < 0)
        {
            throw new IllegalArgumentException("negative RTT sample: " + rttNanos);
        }
        final long r = Math.min(rttNanos, MAX_SAMPLE_NANOS);
        if (!hasSample)
        {
            // RFC 6298 §2.2: SRTT <- R, RTTVAR <- R/2.
            srttNanos = r;
            rttvarNanos = r >> 1;
            hasSample = true;
        }
        else
        {
            // RFC 6298 §2.3: RTTVAR <- (1 - beta) * RTTVAR + beta * |SRTT - R'| first, with the
            // SRTT from before this sample, then SRTT <- (1 - alpha) * SRTT + alpha * R'.
            rttvarNanos += (Math.abs(srttNanos - r) - rttvarNanos) >> BETA_SHIFT;
            srttNanos += (r - srttNanos) >> ALPHA_SHIFT;
        }
        // RFC 6298 §2.2 and §2.3: RTO <- SRTT + max(G, K*RTTVAR).
        final long rto = srttNanos + Math.max(clockGranularityNanos, K * rttvarNanos);
        // RFC 6298 §2.4: a computed RTO below the minimum is rounded up to it (see the class
        // comment for our minimum); RFC 6298 §2.5: and it never exceeds the maximum.
        rtoNanos = Math.min(Math.max(rto, minRtoNanos), maxRtoNanos);
        backoffCount = 0;
    }

    /**
     * The retransmission timer expired: back the timer off, RTO &lt;- RTO * 2 (RFC 6298 §5.5),
     * up to the maximum ("the maximum value discussed in (2.5) above may be used to provide an
     * upper bound to this doubling operation", RFC 6298 §5.5). SRTT and RTTVAR are kept; the
     * next {@link #sample(long)} recomputes the RTO from them. Before any sample the initial RTO
     * backs off the same way (RFC 6298 §2.1).
     */
    public void onRetransmitTimeout()
    {
        rtoNanos = rtoNanos > maxRtoNanos >> 1 ? maxRtoNanos : rtoNanos << 1;
        backoffCount++;
    }

    /**
     * The three-way handshake completed after the retransmission timer expired waiting for the
     * ACK of our SYN: if the RTO is below 3 s it is re-initialized to 3 s for the data that
     * follows (RFC 6298 §5.7), and the backoff count starts again from 0. Call it only in that
     * case; the next {@link #sample(long)} computes the RTO as usual.
     */
    public void onHandshakeCompleteAfterSynTimeout()
    {
        if (rtoNanos < SYN_TIMEOUT_RTO_NANOS)
        {
            rtoNanos = SYN_TIMEOUT_RTO_NANOS;
        }
        backoffCount = 0;
    }

    /**
     * @return the current RTO in nanoseconds: the initial, computed or backed-off value, within
     *         [minimum, maximum].
     */
    public long rtoNanos()
    {
        return rtoNanos;
    }

    /**
     * @return SRTT in nanoseconds, or 0 before the first sample.
     */
    public long srttNanos()
    {
        return srttNanos;
    }

    /**
     * @return RTTVAR in nanoseconds, or 0 before the first sample.
     */
    public long rttvarNanos()
    {
        return rttvarNanos;
    }

    /**
     * @return true once a sample has been taken since construction or {@link #reset()}.
     */
    public boolean hasSample()
    {
        return hasSample;
    }

    /**
     * @return how many times the RTO has been doubled since the last sample, reset or §5.7
     *         re-initialization: the consecutive timeouts a caller compares with its retry limits
     *         (RFC 9293 §3.8.3, R1 and R2).
     */
    public int backoffCount()
    {
        return backoffCount;
    }
}
