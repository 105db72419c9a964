package io.jmtcp.port;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lets a port's owner thread sleep in {@code ppoll(2)} until its frame descriptor is readable,
 * another thread calls {@link #wakeUp()}, or a timeout passes: an idle context then costs no CPU
 * and still answers the next frame at once, where a timed park answers only when the park ends
 * (libpcap cannot unpark a Java thread; PACKET-IO-NOTES.md pitfall 5 suggests exactly this poll on
 * the selectable descriptor).
 *
 * <p>The wake-up is an {@code eventfd(2)} polled beside the frame descriptor: a
 * {@link #wakeUp()} before the poll leaves the counter non-zero, so the poll returns at once and
 * no wake-up is lost. Native calls go through a JNA direct mapping with buffers allocated once,
 * so waiting and waking allocate nothing. Linux on LP64 only ({@code size_t} as {@code long}),
 * as {@link PcapDispatch}.
 */
final class FdWaiter implements AutoCloseable
{
    /** What ended an {@link #await}. */
    enum Outcome
    {
        /** The frame descriptor is readable. */
        FRAMES,
        /** {@link #wakeUp()} was called (before or during the wait). */
        WOKEN,
        /** Neither, before the timeout (or the wait was interrupted by a signal). */
        TIMEOUT
    }

    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;
    private static final short POLLIN = 0x1;
    /** {@code struct pollfd}: int fd, short events, short revents. */
    private static final int POLLFD_SIZE = 8;
    private static final int REVENTS_OFFSET = 6;
    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    static
    {
        Native.register(FdWaiter.class, NativeLibrary.getInstance("c"));
    }

    private static native int eventfd(int initval, int flags);

    private static native int ppoll(Pointer fds, long nfds, Pointer timeout, Pointer sigmask);

    private static native long read(int fd, Pointer buf, long count);

    private static native long write(int fd, Pointer buf, long count);

    private static native int close(int fd);

    private final int eventFd;
    private final Memory pollFds = new Memory(2L * POLLFD_SIZE);
    private final Memory timeout = new Memory(2L * Long.BYTES);
    private final Memory drain = new Memory(Long.BYTES);
    private final Memory one = new Memory(Long.BYTES);
    /** Wakers between their check of {@link #closed} and their write: close waits them out. */
    private final AtomicInteger wakersInside = new AtomicInteger();
    private volatile boolean closed;

    /**
     * @param frameFd the descriptor that polls readable when frames wait ({@code pcap_get_selectable_fd}).
     * @throws PortException if no eventfd can be made.
     */
    FdWaiter(final int frameFd) throws PortException
    {
        if (Native.LONG_SIZE != Long.BYTES)
        {
            throw new PortException("FdWaiter maps size_t as a 64-bit long; this JVM has " +
                (Native.LONG_SIZE * 8) + "-bit longs");
        }
        eventFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (eventFd < 0)
        {
            throw new PortException("eventfd failed, errno " + Native.getLastError());
        }
        pollFds.setInt(0, frameFd);
        pollFds.setShort(4, POLLIN);
        pollFds.setInt(POLLFD_SIZE, eventFd);
        pollFds.setShort(POLLFD_SIZE + 4, POLLIN);
        one.setLong(0, 1L);
    }

    /**
     * Sleep until frames wait, a wake-up, or the timeout. Owner thread only.
     *
     * @param maxNanos the longest wait, at least 0.
     * @return what ended the wait; FRAMES wins over WOKEN when both hold.
     */
    Outcome await(final long maxNanos)
    {
        if (closed)
        {
            return Outcome.WOKEN;
        }
        final long nanos = Math.max(0L, maxNanos);
        timeout.setLong(0, nanos / NANOS_PER_SECOND);
        timeout.setLong(Long.BYTES, nanos % NANOS_PER_SECOND);
        pollFds.setShort(REVENTS_OFFSET, (short)0);
        pollFds.setShort(POLLFD_SIZE + REVENTS_OFFSET, (short)0);
        final int ready = ppoll(pollFds, 2, timeout, Pointer.NULL);
        if (ready <= 0)
        {
            // 0: timed out; -1: EINTR (a signal) — either way the duty cycle simply runs again.
            return Outcome.TIMEOUT;
        }
        final boolean woken = pollFds.getShort(POLLFD_SIZE + REVENTS_OFFSET) != 0;
        if (woken)
        {
            // Reset the counter so the next wait sleeps; EAGAIN (already reset) is harmless.
            read(eventFd, drain, Long.BYTES);
        }
        // POLLERR or POLLNVAL on the frame descriptor also end the wait: receive() reports them.
        return pollFds.getShort(REVENTS_OFFSET) != 0 ? Outcome.FRAMES : woken ? Outcome.WOKEN : Outcome.TIMEOUT;
    }

    /** End a running or the next {@link #await} at once. Any thread; after close, nothing. */
    void wakeUp()
    {
        wakersInside.incrementAndGet();
        try
        {
            if (!closed)
            {
                // EAGAIN only if the counter is near overflow: it is non-zero then, which is all a wake-up needs.
                write(eventFd, one, Long.BYTES);
            }
        }
        finally
        {
            wakersInside.decrementAndGet();
        }
    }

    /**
     * Close the eventfd once no waker is inside {@link #wakeUp()}, so a late waker never writes
     * to a descriptor number the process has reused. Idempotent; call after the owner stopped
     * waiting (or from it).
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        // Dekker with wakeUp: it raises wakersInside then reads closed; here closed is raised, then
        // wakersInside read. A waker that missed closed is counted and waited for.
        while (wakersInside.get() != 0)
        {
            Thread.onSpinWait();
        }
        close(eventFd);
    }
}
