package io.jmtcp.core;

import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link StackContext} on a thread of its own until closed.
 *
 * <p>The default idle strategy ({@link ContextIdleStrategy}) spins briefly, yields, then parks
 * for up to 1 ms: an idle context costs little CPU, wakes within a millisecond for frames
 * (pcap4j gives no selectable descriptor to wait on, PACKET-IO-NOTES.md pitfall 5) and at once
 * for application requests ({@link StackContext#wake()}). Benchmarks pass a busy-spin strategy
 * instead.
 */
public final class ContextRunner implements AutoCloseable
{
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

    /** Stop the thread and wait for it. Idempotent. */
    @Override
    public void close()
    {
        runner.close();
    }

    private static void uncaught(final Throwable error)
    {
        // StackContext catches everything it can recover from; what reaches here is an Error
        // (out of memory, stack overflow) that the duty cycle cannot handle: make it loud.
        System.err.println("jmtcp context failed: " + error);
        error.printStackTrace();
    }
}
