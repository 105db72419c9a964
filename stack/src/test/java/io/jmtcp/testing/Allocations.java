package io.jmtcp.testing;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Measures what a piece of code allocates on the calling thread, for tests that hold a hot path
 * to "allocates nothing in steady state".
 */
public final class Allocations
{
    private Allocations()
    {
    }

    /**
     * Run {@code round} {@code warmUpRounds} times, then {@code batches} batches of {@code rounds}
     * each, and return the fewest bytes any batch allocated. Warming up keeps class loading and JIT
     * compilation out of the count; the JIT may still allocate a few bytes once while it swaps in
     * compiled code, so the claim a caller makes is that some whole batch allocates nothing: a path
     * that allocated would do so in every batch. The test is skipped on a JVM without a per-thread
     * allocation counter.
     *
     * @param round        one round of the code under test.
     * @param warmUpRounds rounds before measuring.
     * @param rounds       rounds per measured batch.
     * @param batches      measured batches at most (stops early at a batch of 0 bytes).
     * @return the fewest bytes allocated by one batch.
     */
    public static long leastBytesPerBatch(final Runnable round, final int warmUpRounds, final int rounds,
        final int batches)
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter on this JVM");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "no per-thread allocation counter on this JVM");
        threads.setThreadAllocatedMemoryEnabled(true);

        for (int i = 0; i < warmUpRounds; i++)
        {
            round.run();
        }
        long least = Long.MAX_VALUE;
        for (int batch = 0; batch < batches && least != 0; batch++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < rounds; i++)
            {
                round.run();
            }
            least = Math.min(least, threads.getCurrentThreadAllocatedBytes() - before);
        }
        return least;
    }
}
