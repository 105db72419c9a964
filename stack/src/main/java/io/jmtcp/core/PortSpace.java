package io.jmtcp.core;

import io.jmtcp.tcp.TcpError;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The local TCP ports of one stack, shared by all its contexts: which ports a bind or listen
 * holds, and the one ephemeral range from which each context's active opens choose (each picks
 * the ports whose {@link FlowHash} lands on itself, so the contexts never compete for one).
 *
 * <p>One {@code int} per port: the number of holders, plus a flag saying that every holder asked
 * for {@code SO_REUSEPORT}. Claims and releases are compare-and-set loops on an
 * {@link AtomicIntegerArray}: lock-free, allocation-free, callable from any thread (the socket
 * API's callers and the contexts alike).
 */
public final class PortSpace
{
    /** Highest port number. */
    public static final int MAX_PORT = 0xFFFF;

    /** Set while every holder of the port set SO_REUSEPORT. */
    private static final int REUSE_PORT = 1 << 30;
    private static final int HOLDERS = REUSE_PORT - 1;

    private final AtomicIntegerArray ports = new AtomicIntegerArray(MAX_PORT + 1);
    private final int ephemeralFirst;
    private final int ephemeralLast;

    /**
     * @param ephemeralFirst first port of the ephemeral range (RFC 6335 §6 suggests 49152).
     * @param ephemeralLast  last port of the range.
     * @throws IllegalArgumentException unless 1 &lt;= first &lt;= last &lt;= 65535.
     */
    public PortSpace(final int ephemeralFirst, final int ephemeralLast)
    {
        if (ephemeralFirst < 1 || ephemeralFirst > ephemeralLast || ephemeralLast > MAX_PORT)
        {
            throw new IllegalArgumentException("ephemeral range must be 1 <= first <= last <= 65535: " +
                ephemeralFirst + ".." + ephemeralLast);
        }
        this.ephemeralFirst = ephemeralFirst;
        this.ephemeralLast = ephemeralLast;
    }

    /**
     * Claim a local port for a bind or listen.
     *
     * @param port      the port, 1..65535.
     * @param reusePort SO_REUSEPORT: the port may be shared, but only if every holder also set it
     *                  (as on Linux; one holder without it keeps the port to itself).
     * @return 0, or {@link TcpError#EADDRINUSE} if held and not shareable, or
     *         {@link TcpError#EINVAL} for a port outside 1..65535.
     */
    public int bind(final int port, final boolean reusePort)
    {
        if (port < 1 || port > MAX_PORT)
        {
            return TcpError.EINVAL;
        }
        while (true)
        {
            final int claim = ports.get(port);
            final int holders = claim & HOLDERS;
            final int next;
            if (holders == 0)
            {
                next = 1 | (reusePort ? REUSE_PORT : 0);
            }
            else if (reusePort && (claim & REUSE_PORT) != 0 && holders < HOLDERS)
            {
                next = claim + 1;
            }
            else
            {
                return TcpError.EADDRINUSE;
            }
            if (ports.compareAndSet(port, claim, next))
            {
                return TcpError.NONE;
            }
        }
    }

    /**
     * Drop one claim of a port; the last one frees it (and forgets SO_REUSEPORT). A port no one
     * holds, or out of range, is left as it is.
     *
     * @param port the port.
     */
    public void release(final int port)
    {
        if (port < 1 || port > MAX_PORT)
        {
            return;
        }
        while (true)
        {
            final int claim = ports.get(port);
            final int holders = claim & HOLDERS;
            if (holders == 0)
            {
                return;
            }
            final int next = holders == 1 ? 0 : claim - 1;
            if (ports.compareAndSet(port, claim, next))
            {
                return;
            }
        }
    }

    /**
     * @param port the port.
     * @return how many claims hold it (0 if free or out of range).
     */
    public int holders(final int port)
    {
        return port < 1 || port > MAX_PORT ? 0 : ports.get(port) & HOLDERS;
    }

    /**
     * @return the first ephemeral port.
     */
    public int ephemeralFirst()
    {
        return ephemeralFirst;
    }

    /**
     * @return the last ephemeral port.
     */
    public int ephemeralLast()
    {
        return ephemeralLast;
    }
}
