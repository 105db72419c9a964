package io.jmtcp.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Bytes one benchmark thread allocates per frame over the measurement iterations, from the
 * JVM's per-thread allocation counter. {@code -prof gc} divides a whole group's allocation by
 * the calls of both its methods, which for a sender/receiver pair is neither per frame sent nor
 * per frame received; this meter keeps the two threads apart.
 *
 * <p>Call {@link #start} from an {@code @Setup(Level.Iteration)} and {@link #stop} from a
 * {@code @TearDown(Level.Iteration)} of a thread-scoped state: JMH runs those on the benchmark
 * thread itself.
 */
public final class AllocationMeter
{
    private static final com.sun.management.ThreadMXBean THREADS = threads();

    private boolean measuring;
    private long bytesAtStart;
    private long bytes;
    private long frames;

    /**
     * Start counting, if this is a measurement iteration.
     *
     * @param iteration the iteration's parameters, injected by JMH.
     */
    public void start(final IterationParams iteration)
    {
        measuring = THREADS != null && iteration.getType() == IterationType.MEASUREMENT;
        if (measuring)
        {
            bytesAtStart = THREADS.getCurrentThreadAllocatedBytes();
        }
    }

    /**
     * Stop counting and add this iteration's bytes and frames.
     *
     * @param framesInIteration the frames this thread handled in the iteration.
     */
    public void stop(final long framesInIteration)
    {
        if (measuring)
        {
            bytes += THREADS.getCurrentThreadAllocatedBytes() - bytesAtStart;
            frames += framesInIteration;
            measuring = false;
        }
    }

    /**
     * Bytes per frame over the measurement iterations so far.
     *
     * @return the ratio, or NaN if nothing was measured.
     */
    public double bytesPerFrame()
    {
        return frames == 0 ? Double.NaN : (double)bytes / frames;
    }

    /**
     * A line for the benchmark's output.
     *
     * @param role for example {@code "receiver"}.
     * @return for example {@code receiver allocated 312.0 B/frame over 2500000 frames}.
     */
    public String describe(final String role)
    {
        if (THREADS == null)
        {
            return role + " allocation not measured: no per-thread allocation counter on this JVM";
        }
        return String.format("%s allocated %.1f B/frame over %d frames (measurement iterations)", role, bytesPerFrame(), frames);
    }

    private static com.sun.management.ThreadMXBean threads()
    {
        final ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        if (bean instanceof com.sun.management.ThreadMXBean)
        {
            final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
            if (threads.isThreadAllocatedMemorySupported())
            {
                threads.setThreadAllocatedMemoryEnabled(true);
                return threads;
            }
        }
        return null;
    }
}
