package io.jmtcp.api;

import org.agrona.BitUtil;

/**
 * Sizes of one context's socket layer; validated in one place ({@link #validate()}).
 */
public final class SocketConfig
{
    /** Default socket table size per context. */
    public static final int DEFAULT_MAX_SOCKETS = 16_384;
    /** Default size of each socket's send and receive rings. */
    public static final int DEFAULT_RING_BYTES = 64 * 1024;
    /** Default capacity of the control request queue (connect, listen, close, ...). */
    public static final int DEFAULT_REQUEST_QUEUE_CAPACITY = 4096;
    /** Largest listen backlog (Linux's default somaxconn). */
    public static final int MAX_BACKLOG = 4096;

    private int maxSockets = DEFAULT_MAX_SOCKETS;
    private int ringBytes = DEFAULT_RING_BYTES;
    private int requestQueueCapacity = DEFAULT_REQUEST_QUEUE_CAPACITY;

    /**
     * @param sockets ids a context can hand out at once (streams, listeners, epolls, pipe ends),
     *                1..{@link SocketTable#MAX_INDEX}+1.
     * @return this.
     */
    public SocketConfig maxSockets(final int sockets)
    {
        this.maxSockets = sockets;
        return this;
    }

    /**
     * @param bytes each stream's send ring and receive ring (and each pipe's ring), a power of
     *              two from 4 KiB; SO_SNDBUF and SO_RCVBUF may lower what a socket uses.
     * @return this.
     */
    public SocketConfig ringBytes(final int bytes)
    {
        this.ringBytes = bytes;
        return this;
    }

    /**
     * @param capacity control requests (connect, listen, shutdown, close, abort, option changes)
     *                 that may wait for the context; when full, such a call fails with EAGAIN.
     * @return this.
     */
    public SocketConfig requestQueueCapacity(final int capacity)
    {
        this.requestQueueCapacity = capacity;
        return this;
    }

    /** @return the socket table size. */
    public int maxSockets()
    {
        return maxSockets;
    }

    /** @return the ring size. */
    public int ringBytes()
    {
        return ringBytes;
    }

    /** @return the control request queue capacity. */
    public int requestQueueCapacity()
    {
        return requestQueueCapacity;
    }

    /**
     * @return this, checked.
     * @throws IllegalArgumentException naming the first bad value.
     */
    public SocketConfig validate()
    {
        if (maxSockets < 1 || maxSockets > SocketTable.MAX_INDEX + 1)
        {
            throw new IllegalArgumentException("maxSockets must be 1.." + (SocketTable.MAX_INDEX + 1) + ": " + maxSockets);
        }
        if (ringBytes < 4096 || !BitUtil.isPowerOfTwo(ringBytes))
        {
            throw new IllegalArgumentException("ringBytes must be a power of two >= 4096: " + ringBytes);
        }
        if (requestQueueCapacity < 2)
        {
            throw new IllegalArgumentException("requestQueueCapacity must be >= 2: " + requestQueueCapacity);
        }
        return this;
    }
}
