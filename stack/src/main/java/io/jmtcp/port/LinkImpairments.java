package io.jmtcp.port;

import java.util.Objects;

/**
 * What one direction of a {@link MemoryLink} or an {@link ImpairedPort} does to the frames it
 * carries: loss, duplication, corruption, reordering, delay with jitter and a bandwidth limit.
 * Immutable; derive variants with the {@code with*} methods, starting from {@link #NONE}:
 *
 * <pre>{@code
 * LinkImpairments wan = LinkImpairments.NONE
 *     .withDelayNanos(10_000_000)
 *     .withJitterNanos(1_000_000)
 *     .withLossRate(0.01)
 *     .withRateBitsPerSecond(100_000_000);
 * }</pre>
 *
 * <p>Semantics, per frame, in the order the link applies them (each decision takes its own draw
 * from the direction's seeded generator, whether or not the impairment is enabled, so changing one
 * rate never shifts the decisions of the others):
 * <ol>
 *   <li><b>loss</b>: with probability {@link #lossRate()} the frame vanishes; a lost frame does not
 *       occupy the rate-limited link.</li>
 *   <li><b>rate</b>: with {@link #rateBitsPerSecond()} above 0 frames are serialised one after the
 *       other: a frame starts when the previous one has finished, and takes
 *       {@code length * 8 / rate} seconds (frame bytes only: no preamble, FCS or gap).</li>
 *   <li><b>delay and jitter</b>: the frame then travels {@link #delayNanos()} plus a uniform draw in
 *       {@code [-jitterNanos, +jitterNanos]}, never less than 0. Jitter does not reorder: a frame
 *       never arrives before the frame sent before it (like netem with a FIFO child), so reordering
 *       is only what {@link #reorderRate()} asks for.</li>
 *   <li><b>duplication</b>: with probability {@link #duplicateRate()} an identical copy arrives
 *       right after the frame.</li>
 *   <li><b>corruption</b>: with probability {@link #corruptRate()} one uniformly chosen bit of the
 *       frame (not of its duplicate) is flipped.</li>
 *   <li><b>reordering</b>: with probability {@link #reorderRate()} the frame is held back for
 *       {@link #reorderHoldNanos()} past its due time, so every frame sent within that window
 *       overtakes it; with no such frame it still arrives, late, and is never stuck.</li>
 * </ol>
 */
public final class LinkImpairments
{
    /** Default hold time of a reordered frame: 1 ms, long enough for a burst to overtake it. */
    public static final long DEFAULT_REORDER_HOLD_NANOS = 1_000_000L;

    /** A perfect link: nothing lost, nothing late. */
    public static final LinkImpairments NONE =
        new LinkImpairments(0.0, 0.0, 0.0, 0.0, 0L, 0L, 0L, DEFAULT_REORDER_HOLD_NANOS);

    private final double lossRate;
    private final double duplicateRate;
    private final double reorderRate;
    private final double corruptRate;
    private final long delayNanos;
    private final long jitterNanos;
    private final long rateBitsPerSecond;
    private final long reorderHoldNanos;

    private LinkImpairments(
        final double lossRate,
        final double duplicateRate,
        final double reorderRate,
        final double corruptRate,
        final long delayNanos,
        final long jitterNanos,
        final long rateBitsPerSecond,
        final long reorderHoldNanos)
    {
        this.lossRate = probability("lossRate", lossRate);
        this.duplicateRate = probability("duplicateRate", duplicateRate);
        this.reorderRate = probability("reorderRate", reorderRate);
        this.corruptRate = probability("corruptRate", corruptRate);
        this.delayNanos = notNegative("delayNanos", delayNanos);
        this.jitterNanos = notNegative("jitterNanos", jitterNanos);
        this.rateBitsPerSecond = notNegative("rateBitsPerSecond", rateBitsPerSecond);
        if (reorderHoldNanos <= 0)
        {
            throw new IllegalArgumentException(
                "reorderHoldNanos must be > 0 so that a held frame is released: " + reorderHoldNanos);
        }
        this.reorderHoldNanos = reorderHoldNanos;
    }

    /**
     * Copy with a loss probability.
     *
     * @param rate in {@code [0, 1]}.
     * @return the new impairments.
     * @throws IllegalArgumentException if the rate is outside {@code [0, 1]} or NaN.
     */
    public LinkImpairments withLossRate(final double rate)
    {
        return new LinkImpairments(
            rate, duplicateRate, reorderRate, corruptRate, delayNanos, jitterNanos, rateBitsPerSecond,
            reorderHoldNanos);
    }

    /**
     * Copy with a duplication probability.
     *
     * @param rate in {@code [0, 1]}.
     * @return the new impairments.
     * @throws IllegalArgumentException if the rate is outside {@code [0, 1]} or NaN.
     */
    public LinkImpairments withDuplicateRate(final double rate)
    {
        return new LinkImpairments(
            lossRate, rate, reorderRate, corruptRate, delayNanos, jitterNanos, rateBitsPerSecond,
            reorderHoldNanos);
    }

    /**
     * Copy with a reordering probability.
     *
     * @param rate in {@code [0, 1]}.
     * @return the new impairments.
     * @throws IllegalArgumentException if the rate is outside {@code [0, 1]} or NaN.
     */
    public LinkImpairments withReorderRate(final double rate)
    {
        return new LinkImpairments(
            lossRate, duplicateRate, rate, corruptRate, delayNanos, jitterNanos, rateBitsPerSecond,
            reorderHoldNanos);
    }

    /**
     * Copy with a corruption (one flipped bit) probability.
     *
     * @param rate in {@code [0, 1]}.
     * @return the new impairments.
     * @throws IllegalArgumentException if the rate is outside {@code [0, 1]} or NaN.
     */
    public LinkImpairments withCorruptRate(final double rate)
    {
        return new LinkImpairments(
            lossRate, duplicateRate, reorderRate, rate, delayNanos, jitterNanos, rateBitsPerSecond,
            reorderHoldNanos);
    }

    /**
     * Copy with a one-way propagation delay.
     *
     * @param nanos at least 0.
     * @return the new impairments.
     * @throws IllegalArgumentException if negative.
     */
    public LinkImpairments withDelayNanos(final long nanos)
    {
        return new LinkImpairments(
            lossRate, duplicateRate, reorderRate, corruptRate, nanos, jitterNanos, rateBitsPerSecond,
            reorderHoldNanos);
    }

    /**
     * Copy with a jitter: each frame's delay varies uniformly by up to this much either way.
     *
     * @param nanos at least 0.
     * @return the new impairments.
     * @throws IllegalArgumentException if negative.
     */
    public LinkImpairments withJitterNanos(final long nanos)
    {
        return new LinkImpairments(
            lossRate, duplicateRate, reorderRate, corruptRate, delayNanos, nanos, rateBitsPerSecond,
            reorderHoldNanos);
    }

    /**
     * Copy with a bandwidth limit.
     *
     * @param bitsPerSecond at least 0; 0 means unlimited.
     * @return the new impairments.
     * @throws IllegalArgumentException if negative.
     */
    public LinkImpairments withRateBitsPerSecond(final long bitsPerSecond)
    {
        return new LinkImpairments(
            lossRate, duplicateRate, reorderRate, corruptRate, delayNanos, jitterNanos, bitsPerSecond,
            reorderHoldNanos);
    }

    /**
     * Copy with the time a reordered frame is held back past its due time.
     *
     * @param nanos above 0.
     * @return the new impairments.
     * @throws IllegalArgumentException if not above 0.
     */
    public LinkImpairments withReorderHoldNanos(final long nanos)
    {
        return new LinkImpairments(
            lossRate, duplicateRate, reorderRate, corruptRate, delayNanos, jitterNanos, rateBitsPerSecond,
            nanos);
    }

    /**
     * Probability that a frame is lost.
     *
     * @return a value in {@code [0, 1]}.
     */
    public double lossRate()
    {
        return lossRate;
    }

    /**
     * Probability that a frame is delivered twice.
     *
     * @return a value in {@code [0, 1]}.
     */
    public double duplicateRate()
    {
        return duplicateRate;
    }

    /**
     * Probability that a frame is held back so that later frames overtake it.
     *
     * @return a value in {@code [0, 1]}.
     */
    public double reorderRate()
    {
        return reorderRate;
    }

    /**
     * Probability that one bit of a frame is flipped.
     *
     * @return a value in {@code [0, 1]}.
     */
    public double corruptRate()
    {
        return corruptRate;
    }

    /**
     * One-way propagation delay.
     *
     * @return nanoseconds, at least 0.
     */
    public long delayNanos()
    {
        return delayNanos;
    }

    /**
     * Largest deviation of a frame's delay from {@link #delayNanos()}, either way.
     *
     * @return nanoseconds, at least 0.
     */
    public long jitterNanos()
    {
        return jitterNanos;
    }

    /**
     * Bandwidth of the link.
     *
     * @return bits per second; 0 means unlimited.
     */
    public long rateBitsPerSecond()
    {
        return rateBitsPerSecond;
    }

    /**
     * How long a reordered frame is held back past its due time.
     *
     * @return nanoseconds, above 0.
     */
    public long reorderHoldNanos()
    {
        return reorderHoldNanos;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof LinkImpairments))
        {
            return false;
        }
        final LinkImpairments that = (LinkImpairments)o;
        return Double.compare(lossRate, that.lossRate) == 0 &&
            Double.compare(duplicateRate, that.duplicateRate) == 0 &&
            Double.compare(reorderRate, that.reorderRate) == 0 &&
            Double.compare(corruptRate, that.corruptRate) == 0 &&
            delayNanos == that.delayNanos &&
            jitterNanos == that.jitterNanos &&
            rateBitsPerSecond == that.rateBitsPerSecond &&
            reorderHoldNanos == that.reorderHoldNanos;
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(
            lossRate, duplicateRate, reorderRate, corruptRate, delayNanos, jitterNanos, rateBitsPerSecond,
            reorderHoldNanos);
    }

    @Override
    public String toString()
    {
        return "LinkImpairments{" +
            "loss=" + lossRate +
            ", duplicate=" + duplicateRate +
            ", reorder=" + reorderRate +
            ", corrupt=" + corruptRate +
            ", delayNanos=" + delayNanos +
            ", jitterNanos=" + jitterNanos +
            ", rateBitsPerSecond=" + rateBitsPerSecond +
            ", reorderHoldNanos=" + reorderHoldNanos +
            '}';
    }

    private static double probability(final String name, final double value)
    {
        // Written as a negation so that NaN, which fails every comparison, is rejected too.
        if (!(value >= 0.0 && value <= 1.0))
        {
            throw new IllegalArgumentException(name + " must be a probability in [0, 1]: " + value);
        }
        return value;
    }

    private static long notNegative(final String name, final long value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException(name + " must not be negative: " + value);
        }
        return value;
    }
}
