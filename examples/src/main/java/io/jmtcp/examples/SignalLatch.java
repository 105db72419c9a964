package io.jmtcp.examples;

import sun.misc.Signal;

import java.util.concurrent.CountDownLatch;

/**
 * Waits for SIGINT or SIGTERM. Handling the signals ourselves (rather than with a shutdown hook)
 * lets a program stop its stack, print its counters and exit with status 0, where the JVM's
 * default handling would exit with 130 or 143. A second signal while stopping halts at once, with
 * that status, in case the stop hangs.
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
                signalLatch.received = "SIG" + signal.getName();
                signalLatch.latch.countDown();
            });
        }
        return signalLatch;
    }

    /**
     * Block until a signal arrives.
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
