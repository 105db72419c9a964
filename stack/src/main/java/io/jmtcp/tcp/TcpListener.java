package io.jmtcp.tcp;

/**
 * A passive open on one local port (RFC 9293 §3.10.1, LISTEN): a bounded SYN queue of embryonic
 * connections (counted here, the connections live in the engine's flow table) and a bounded
 * accept queue of established ones waiting for {@link TcpEngine#accept}.
 *
 * <p>Owned by the context's thread; allocation-free after construction.
 */
public final class TcpListener
{
    private final int port;
    private final TcpHandler handler;
    private Object attachment;
    private final TcpConnection[] acceptQueue;
    private final int synQueueCapacity;
    private int acceptHead;
    private int acceptCount;
    private int synQueueCount;
    private boolean open = true;
    boolean queuedForEvents;
    private long overflows;
    private long cookiesSent;

    TcpListener(final int port, final int backlog, final int synQueueCapacity, final TcpHandler handler)
    {
        this.port = port;
        this.handler = handler;
        this.acceptQueue = new TcpConnection[backlog];
        this.synQueueCapacity = synQueueCapacity;
    }

    /**
     * @return the local port.
     */
    public int port()
    {
        return port;
    }

    /**
     * @return who hears about this listener's connections.
     */
    public TcpHandler handler()
    {
        return handler;
    }

    /**
     * @return what the layer above hung on this listener (the socket API's socket), or null.
     */
    public Object attachment()
    {
        return attachment;
    }

    /**
     * @param attachment what the layer above wants to find from this listener.
     */
    public void attachment(final Object attachment)
    {
        this.attachment = attachment;
    }

    /**
     * @return established connections waiting to be accepted.
     */
    public int pendingAccepts()
    {
        return acceptCount;
    }

    /**
     * @return the accept queue's capacity (the backlog).
     */
    public int backlog()
    {
        return acceptQueue.length;
    }

    /**
     * @return embryonic connections in SYN_RECEIVED.
     */
    public int synQueueLength()
    {
        return synQueueCount;
    }

    /**
     * @return false once closed.
     */
    public boolean isOpen()
    {
        return open;
    }

    /**
     * @return SYNs and handshakes dropped because the accept queue was full.
     */
    public long overflows()
    {
        return overflows;
    }

    /**
     * @return SYN-ACKs sent with a SYN cookie because the SYN queue was full.
     */
    public long cookiesSent()
    {
        return cookiesSent;
    }

    boolean synQueueFull()
    {
        return synQueueCount >= synQueueCapacity;
    }

    boolean acceptQueueFull()
    {
        return acceptCount == acceptQueue.length;
    }

    void synQueued()
    {
        synQueueCount++;
    }

    void synDequeued()
    {
        synQueueCount--;
    }

    void overflowed()
    {
        overflows++;
    }

    void cookieSent()
    {
        cookiesSent++;
    }

    boolean offer(final TcpConnection connection)
    {
        if (acceptCount == acceptQueue.length)
        {
            return false;
        }
        acceptQueue[(acceptHead + acceptCount) % acceptQueue.length] = connection;
        acceptCount++;
        return true;
    }

    TcpConnection poll()
    {
        if (acceptCount == 0)
        {
            return null;
        }
        final TcpConnection connection = acceptQueue[acceptHead];
        acceptQueue[acceptHead] = null;
        acceptHead = (acceptHead + 1) % acceptQueue.length;
        acceptCount--;
        return connection;
    }

    /** Take a connection that ended before it was accepted out of the queue. */
    void remove(final TcpConnection connection)
    {
        for (int i = 0; i < acceptCount; i++)
        {
            final int index = (acceptHead + i) % acceptQueue.length;
            if (acceptQueue[index] == connection)
            {
                for (int j = i; j < acceptCount - 1; j++)
                {
                    acceptQueue[(acceptHead + j) % acceptQueue.length] =
                        acceptQueue[(acceptHead + j + 1) % acceptQueue.length];
                }
                acceptQueue[(acceptHead + acceptCount - 1) % acceptQueue.length] = null;
                acceptCount--;
                return;
            }
        }
    }

    void markClosed()
    {
        open = false;
    }
}
