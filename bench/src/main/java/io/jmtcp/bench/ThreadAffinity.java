package io.jmtcp.bench;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

/**
 * Pins the calling thread to one CPU with Linux's {@code sched_setaffinity(2)}, through JNA
 * (which pcap4j brings). Two-thread benchmarks pin their sender and receiver to different CPUs
 * because on this 2-vCPU VM an unpinned pair is bimodal: each cross-CPU wake-up or migration
 * costs tens of microseconds (PACKET-IO-NOTES.md pitfall 8).
 *
 * <p>The benchmark parameter {@code cpus} is {@code "<sender>:<receiver>"} (for example
 * {@code 0:1}; a colon, because JMH splits {@code -p} values at commas) or
 * {@code none}; JMH's own threads, the JIT and the GC stay unpinned.
 */
public final class ThreadAffinity
{
    /** The parameter value that disables pinning. */
    public static final String NONE = "none";

    private static final Object LOCK = new Object();
    private static CLibrary libc;
    private static boolean unavailable;

    private ThreadAffinity()
    {
    }

    /** The one libc call needed. */
    interface CLibrary extends Library
    {
        int sched_setaffinity(int pid, NativeLong cpusetsize, long[] mask);

        int sched_getcpu();
    }

    /**
     * The CPU for one role of a {@code "<sender>:<receiver>"} parameter.
     *
     * @param cpus  the parameter.
     * @param index 0 for the sender, 1 for the receiver.
     * @return the CPU number, or -1 for {@link #NONE}.
     * @throws IllegalArgumentException if the parameter is neither form.
     */
    public static int cpuOf(final String cpus, final int index)
    {
        if (NONE.equals(cpus))
        {
            return -1;
        }
        final String[] parts = cpus.split(":");
        if (parts.length != 2)
        {
            throw new IllegalArgumentException("cpus must be '<sender>:<receiver>' or 'none': " + cpus);
        }
        final int cpu = Integer.parseInt(parts[index].trim());
        if (cpu < 0 || cpu >= Long.SIZE)
        {
            throw new IllegalArgumentException("CPU out of range 0..63: " + cpu);
        }
        return cpu;
    }

    /**
     * Pin the calling thread to one CPU.
     *
     * @param cpu the CPU number, or -1 to leave the thread as it is.
     * @return true if pinned; false for -1, on a system without {@code sched_setaffinity}, or if
     *         the kernel refuses (a CPU that does not exist or is outside this process's cpuset:
     *         EINVAL, printed).
     */
    public static boolean pinCurrentThread(final int cpu)
    {
        if (cpu < 0)
        {
            return false;
        }
        // Not checked against Runtime.availableProcessors(): on Linux that reads the calling
        // thread's own affinity mask, which is a single CPU once the thread has been pinned.
        final CLibrary c = libc();
        if (c == null)
        {
            return false;
        }
        final long[] mask = {1L << cpu};
        // pid 0 is the calling thread.
        final int rc = c.sched_setaffinity(0, new NativeLong(Long.BYTES), mask);
        if (rc != 0)
        {
            System.err.println("jmtcp-bench: sched_setaffinity(cpu " + cpu + ") failed, errno " + Native.getLastError());
            return false;
        }
        return true;
    }

    /**
     * The CPU the calling thread runs on at this moment, to confirm a pin took effect.
     *
     * @return the CPU number, or -1 if unknown.
     */
    public static int currentCpu()
    {
        final CLibrary c = libc();
        return c == null ? -1 : c.sched_getcpu();
    }

    private static CLibrary libc()
    {
        synchronized (LOCK)
        {
            if (libc == null && !unavailable)
            {
                try
                {
                    libc = Native.load("c", CLibrary.class);
                }
                catch (final LinkageError e)
                {
                    unavailable = true;
                    System.err.println("jmtcp-bench: no sched_setaffinity here (" + e.getMessage() + "); threads left unpinned");
                }
            }
            return libc;
        }
    }
}
