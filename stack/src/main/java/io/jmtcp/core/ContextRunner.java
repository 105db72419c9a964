package io.jmtcp.core;

import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link StackContext} on a thread of its own until closed.
 *
 * <p>The default idle strategy ({@link ContextIdleStrategy}) spins briefly, yields, then sleeps
 * for up to 1 ms (the timers' resolution): an idle context costs little CPU and wakes at once for
 * application requests ({@link StackContext#wake()}) and, on a pcap port, for frames (it polls
 * the handle's selectable descriptor, {@link io.jmtcp.port.PacketPort#awaitFrames}); frames of a
 * port that cannot be waited on (the in-memory link) wait up to the 1 ms. Benchmarks pass a
 * busy-spin strategy instead.
 */
public final class ContextRunner implements AutoCloseable
{
    /** How long close waits for the thread before waking it again. */
    private static final int CLOSE_RETRY_MILLIS = 10;

    private final StackContext context;
    private final AgentRunner runner;

    private ContextRunner(final StackContext context, final IdleStrategy idleStrategy)
    {
        this.context = context;
        this.runner = new AgentRunner(idleStrategy, ContextRunner::uncaught, null, context);
    }

    /**
     * Start a thread running the context with the default idle strategy.
     *
     * @param context the context to run.
     * @return the running runner.
     */
    public static ContextRunner start(final StackContext context)
    {
        return start(context, new ContextIdleStrategy(context, TimeUnit.MILLISECONDS.toNanos(1)));
    }

    /**
     * Start a thread running the context.
     *
     * @param context      the context to run.
     * @param idleStrategy how the thread waits when a duty cycle found no work.
     * @return the running runner.
     */
    public static ContextRunner start(final StackContext context, final IdleStrategy idleStrategy)
    {
        final ContextRunner contextRunner = new ContextRunner(context, idleStrategy);
        AgentRunner.startOnThread(contextRunner.runner);
        return contextRunner;
    }

    /**
     * Start a thread, made by {@code threads}, running the context; the factory may prepare the
     * thread before the duty cycle starts (a {@link ContextGroup} pins it to a CPU there).
     *
     * @param context      the context to run.
     * @param idleStrategy how the thread waits when a duty cycle found no work.
     * @param threads      makes the thread from the runner's {@link Runnable}.
     * @return the running runner.
     */
    public static ContextRunner start(final StackContext context, final IdleStrategy idleStrategy,
        final ThreadFactory threads)
    {
        final ContextRunner contextRunner = new ContextRunner(context, idleStrategy);
        AgentRunner.startOnThread(contextRunner.runner, threads);
        return contextRunner;
    }

    /**
     * @return the context being run.
     */
    public StackContext context()
    {
        return context;
    }

    /**
     * Stop the thread and wait for it. Idempotent. A context still asleep in its idle strategy
     * after 10 ms is woken ({@link StackContext#wake()}): an interrupt cannot end a native poll,
     * and an idle strategy may sleep longer than a close should take.
     */
    @Override
    public void close()
    {
        runner.close(CLOSE_RETRY_MILLIS, thread -> context.wake());
    }

    private static void uncaught(final Throwable error)
    {
        // StackContext catches everything it can recover from; what reaches here is an Error
        // (out of memory, stack overflow) that the duty cycle cannot handle: make it loud.
        System.err.println("jmtcp context failed: " + error);
        error.printStackTrace();
    }
}
