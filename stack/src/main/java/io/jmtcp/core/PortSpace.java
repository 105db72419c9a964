package io.jmtcp.core;

import io.jmtcp.tcp.TcpError;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The local ports of all contexts of one stack: claims by bind and listen, lock-free.
 */
public final class PortSpace
{
    private static final int REUSE = 1 << 30;
    private final AtomicIntegerArray claims = new AtomicIntegerArray(65536);
    private final int ephemeralFirst;
    private final int ephemeralLast;

    /**
     * @param ephemeralFirst first ephemeral port.
     * @param ephemeralLast  last ephemeral port.
     */
    public PortSpace(final int ephemeralFirst, final int ephemeralLast)
    {
        this.ephemeralFirst = ephemeralFirst;
        this.ephemeralLast = ephemeralLast;
    }

    /**
     * Claim a local port for a bind or listen.
     *
     * @param port      1..65535.
     * @param reusePort SO_REUSEPORT: allowed only if every holder also set it.
     * @return 0, or {@link TcpError#EADDRINUSE} or {@link TcpError#EINVAL}.
     */
    public int bind(final int port, final boolean reusePort)
    {
        if (port <= 0 || port > 0xFFFF)
        {
            return TcpError.EINVAL;
        }
        while (true)
        {
            final int current = claims.get(port);
            final int holders = current & ~REUSE;
            if (holders > 0 && (!reusePort || (current & REUSE) == 0))
            {
                return TcpError.EADDRINUSE;
            }
            if (claims.compareAndSet(port, current, (holders + 1) | (reusePort ? REUSE : 0)))
            {
                return 0;
            }
        }
    }

    /** @param port drop one claim of it. */
    public void release(final int port)
    {
        while (true)
        {
            final int current = claims.get(port);
            final int holders = current & ~REUSE;
            if (holders == 0)
            {
                return;
            }
            final int next = holders == 1 ? 0 : (holders - 1) | (current & REUSE);
            if (claims.compareAndSet(port, current, next))
            {
                return;
            }
        }
    }

    /**
     * @param port a port.
     * @return its holders (0 if free).
     */
    public int holders(final int port)
    {
        return claims.get(port) & ~REUSE;
    }

    /** @return the first ephemeral port. */
    public int ephemeralFirst()
    {
        return ephemeralFirst;
    }

    /** @return the last ephemeral port. */
    public int ephemeralLast()
    {
        return ephemeralLast;
    }
}
