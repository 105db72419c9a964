package io.jmtcp.examples;

import sun.misc.Signal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Waits for SIGINT or SIGTERM, or for the program's own end ({@link #release}). Handling the
 * signals ourselves (rather than with a shutdown hook) lets a program stop its stack, print its
 * counters and exit with status 0, where the JVM's default handling would exit with 130 or 143.
 * A second signal while stopping halts at once, with that status, in case the stop hangs.
 */
final class SignalLatch
{
    private final CountDownLatch latch = new CountDownLatch(1);
    private volatile String received;

    /**
     * Install handlers for INT and TERM that release {@link #await()}.
     *
     * @return the latch.
     */
    static SignalLatch install()
    {
        final SignalLatch signalLatch = new SignalLatch();
        for (final String name : new String[]{ "INT", "TERM" })
        {
            Signal.handle(new Signal(name), signal ->
            {
                if (signalLatch.latch.getCount() == 0)
                {
                    // A second signal while stopping: the user wants out now, as the JVM would.
                    Runtime.getRuntime().halt(128 + signal.getNumber());
                }
                signalLatch.release("SIG" + signal.getName());
            });
        }
        return signalLatch;
    }

    /**
     * End the wait from the program itself, for example when its work is done; the first reason
     * given, by this or by a signal, is the one {@link #await()} returns.
     *
     * @param reason what ended the wait.
     */
    synchronized void release(final String reason)
    {
        if (latch.getCount() > 0)
        {
            received = reason;
            latch.countDown();
        }
    }

    /**
     * Block until a signal arrives or {@link #release} is called, at most for a while.
     *
     * @param timeout how long to wait at most.
     * @param unit    its unit.
     * @return the signal's name or the reason given to {@link #release}; null if the time ran out.
     * @throws InterruptedException if the waiting thread is interrupted.
     */
    String await(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return latch.await(timeout, unit) ? received : null;
    }

    /**
     * Block until a signal arrives or {@link #release} is called.
     *
     * @return the signal's name, for example {@code SIGTERM}.
     * @throws InterruptedException if the waiting thread is interrupted.
     */
    String await() throws InterruptedException
    {
        latch.await();
        return received;
    }
}
