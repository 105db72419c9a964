package io.jmtcp.core;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

/**
 * Pins the calling thread to one CPU with Linux's {@code sched_setaffinity(2)} through JNA (on
 * the class path through pcap4j). A context pinned to its core keeps its caches warm and avoids
 * the cross-core wake-ups PACKET-IO-NOTES.md pitfall 8 measures; a failed pin only costs that,
 * so it is reported, never thrown.
 */
public final class CpuAffinity
{
    private static final Object LOCK = new Object();
    private static CLibrary libc;
    private static String unavailable;

    /** The libc calls needed. */
    interface CLibrary extends Library
    {
        int sched_setaffinity(int pid, NativeLong cpusetsize, long[] mask);

        int sched_getcpu();
    }

    private CpuAffinity()
    {
    }

    /**
     * Pin the calling thread.
     *
     * @param cpu the CPU, 0..63.
     * @return null if pinned, else why not (for a report).
     */
    public static String pinCurrentThread(final int cpu)
    {
        if (cpu < 0 || cpu >= Long.SIZE)
        {
            return "cpu " + cpu + " out of range 0..63";
        }
        final CLibrary c = libc();
        if (c == null)
        {
            return "no sched_setaffinity here: " + unavailable;
        }
        // pid 0 is the calling thread.
        if (c.sched_setaffinity(0, new NativeLong(Long.BYTES), new long[]{1L << cpu}) != 0)
        {
            return "sched_setaffinity(cpu " + cpu + ") failed, errno " + Native.getLastError();
        }
        return null;
    }

    /**
     * @return the CPU the calling thread runs on now, or -1 if unknown.
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
            if (libc == null && unavailable == null)
            {
                try
                {
                    libc = Native.load("c", CLibrary.class);
                }
                catch (final LinkageError e)
                {
                    unavailable = String.valueOf(e.getMessage());
                }
            }
            return libc;
        }
    }
}
