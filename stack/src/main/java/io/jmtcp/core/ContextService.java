package io.jmtcp.core;

/**
 * Work a layer above the engine does in every duty cycle of its context, on the context's
 * thread: the socket API drains its application requests here (DESIGN.md §3).
 */
public interface ContextService
{
    /**
     * Do a bounded amount of work.
     *
     * @param now the context's time of this duty cycle.
     * @return work done; 0 lets the context idle.
     */
    int doWork(long now);

    /**
     * Whether work is waiting that another thread queued; the idle strategy asks this after
     * announcing that it is about to sleep, so a wake-up is never lost.
     *
     * @return true if {@link #doWork} would find something to do.
     */
    boolean hasPendingWork();
}
