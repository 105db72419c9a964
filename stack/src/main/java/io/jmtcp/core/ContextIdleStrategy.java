package io.jmtcp.core;

import org.agrona.concurrent.IdleStrategy;

/**
 * A context's default idle strategy: spin, then yield, then sleep in {@link StackContext#sleep}
 * so that an application request, or a frame on a port that can be waited on (pcap), wakes the
 * context at once instead of after the sleep's timeout.
 */
public final class ContextIdleStrategy implements IdleStrategy
{
    private static final int SPINS = 100;
    private static final int YIELDS = 10;

    private final StackContext context;
    private final long maxParkNanos;
    private int idleCycles;

    /**
     * @param context      the context whose thread this strategy idles.
     * @param maxParkNanos the longest sleep: how late timers may fire, and how long frames of a
     *                     port that cannot be waited on may wait.
     */
    public ContextIdleStrategy(final StackContext context, final long maxParkNanos)
    {
        this.context = context;
        this.maxParkNanos = maxParkNanos;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            idleCycles = 0;
            return;
        }
        idle();
    }

    @Override
    public void idle()
    {
        final int cycle = idleCycles++;
        if (cycle < SPINS)
        {
            Thread.onSpinWait();
        }
        else if (cycle < SPINS + YIELDS)
        {
            Thread.yield();
        }
        else
        {
            context.sleep(maxParkNanos);
        }
    }

    @Override
    public void reset()
    {
        idleCycles = 0;
    }

    @Override
    public String alias()
    {
        return "context";
    }
}
