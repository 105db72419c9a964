package io.jmtcp.api;

/**
 * The events an {@code epoll_wait} returns: a reusable array of (events, data) pairs, the Java
 * twin of {@code struct epoll_event[]}. Allocate it once and pass it to every wait.
 */
public final class EpollEvents
{
    private final int[] events;
    private final long[] data;

    /**
     * @param capacity the most events one wait may return.
     */
    public EpollEvents(final int capacity)
    {
        if (capacity <= 0)
        {
            throw new IllegalArgumentException("capacity must be > 0: " + capacity);
        }
        this.events = new int[capacity];
        this.data = new long[capacity];
    }

    /** @return the most events one wait may return. */
    public int capacity()
    {
        return events.length;
    }

    /**
     * @param i an index below the count the wait returned.
     * @return the EPOLL* bits of event {@code i}.
     */
    public int events(final int i)
    {
        return events[i];
    }

    /**
     * @param i an index below the count the wait returned.
     * @return the data registered with the socket (its id unless EPOLL_CTL_ADD gave other data).
     */
    public long data(final int i)
    {
        return data[i];
    }

    void set(final int i, final int eventBits, final long value)
    {
        events[i] = eventBits;
        data[i] = value;
    }
}
