package io.jmtcp.time;

import org.agrona.concurrent.NanoClock;

/**
 * A clock that moves only when told to: the time source of unit tests and of the network
 * simulator, so that a run is a pure function of its inputs and its seed.
 *
 * <p>Not thread-safe by design: a simulation advances time from the one thread that drives it.
 */
public final class VirtualClock implements NanoClock
{
    private long nowNanos;

    /** A clock that starts at 0 ns. */
    public VirtualClock()
    {
        this(0);
    }

    /**
     * A clock that starts at the given time.
     *
     * @param startNanos the initial reading.
     */
    public VirtualClock(final long startNanos)
    {
        this.nowNanos = startNanos;
    }

    @Override
    public long nanoTime()
    {
        return nowNanos;
    }

    /**
     * Move time forward.
     *
     * @param nanos how far; must not be negative.
     * @return the new reading.
     */
    public long advance(final long nanos)
    {
        if (nanos < 0)
        {
            throw new IllegalArgumentException("time only moves forward: " + nanos);
        }
        nowNanos += nanos;
        return nowNanos;
    }

    /**
     * Move time forward to an absolute reading; a reading in the past is ignored.
     *
     * @param nanos the target reading.
     * @return the new reading.
     */
    public long advanceTo(final long nanos)
    {
        if (nanos - nowNanos > 0)
        {
            nowNanos = nanos;
        }
        return nowNanos;
    }
}
