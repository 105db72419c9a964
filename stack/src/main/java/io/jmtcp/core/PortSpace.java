package io.jmtcp.core;

import io.jmtcp.tcp.TcpEngine;
import io.jmtcp.tcp.TcpError;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The local TCP ports of one stack, shared by all its contexts: which ports a bind or listen
 * holds, which ports the connections the stack opened use, and the one ephemeral range from
 * which each context's active opens choose (each picks the ports whose {@link FlowHash} lands on
 * itself, so the contexts never compete for one).
 *
 * <h2>Who shares a port with whom</h2>
 * Linux's rule ({@code inet_csk_bind_conflict} and {@code inet_bind_conflict} in
 * net/ipv4/inet_connection_sock.c), confirmed on a 6.18 kernel. A socket's <em>sharing</em> is
 * its {@link TcpEngine#REUSE_ADDRESS} (SO_REUSEADDR) and {@link TcpEngine#REUSE_PORT}
 * (SO_REUSEPORT) bits.
 * <ul>
 * <li><b>Bind and listen against bind and listen</b>: the port is shared only if every holder set
 *     SO_REUSEPORT. (Linux also lets sockets that all set SO_REUSEADDR bind one port as long as
 *     none of them listens; here SO_REUSEADDR does not share a port between binds.)</li>
 * <li><b>Bind and listen against connections</b>: every connection the stack opened actively
 *     (from an ephemeral port or a bound one) uses its local port from its connect until the
 *     engine lets it go: closed, reset, timed out, aborted, or after TIME_WAIT, until its record
 *     expires, is evicted or gives way to a new SYN. While any does, a bind or listen of the port
 *     is {@link TcpError#EADDRINUSE} unless, for every such connection, both sockets set
 *     SO_REUSEADDR or both set SO_REUSEPORT. So SO_REUSEADDR on the binding socket alone is not
 *     enough, as on Linux: the connection's socket must have set it too. A listener allowed this
 *     way coexists with the connections: segments of their 4-tuples reach them, every other
 *     segment for the port reaches the listener.</li>
 * <li><b>Connections against bind and listen</b>: an active open never takes an ephemeral port
 *     that a bind or listen holds.</li>
 * <li><b>Connections among themselves</b>: several connections to different peers may use one
 *     ephemeral port, whatever their sharing, as Linux's connect does; the engine keeps their
 *     4-tuples unique (RFC 6056 §2.2).</li>
 * </ul>
 * Connections a listener accepted are not counted: they live on the listener's port, and a listener's
 * close frees that port at once (DESIGN.md §4), where Linux keeps them, and their TIME_WAIT, in
 * the port's bind bucket.
 *
 * <h2>Layout</h2>
 * One {@code long} per port, changed only by compare-and-set loops on an {@link AtomicLongArray}:
 * lock-free, allocation-free, callable from any thread (the socket API's callers and the contexts
 * alike), and a claim and a use of one port can never both win a race, because both are decided
 * on the same word.
 * <pre>
 *  63        53 52        42 41        31 30        20  19  18                  0
 * +------------+------------+------------+------------+---+---------------------+
 * | conns RA+RP| conns RP   | conns RA   | conns none |RP |  binds and listens  |
 * +------------+------------+------------+------------+---+---------------------+
 * </pre>
 * The low 19 bits count the holders (binds and listens), bit 19 says that every holder set
 * SO_REUSEPORT, and four 11-bit fields count the connections of each sharing (kind 0: neither,
 * 1: SO_REUSEADDR, 2: SO_REUSEPORT, 3: both). A field at {@link #MAX_CONNECTIONS} refuses one
 * more connection of its kind on the port: an active open then tries its next ephemeral port,
 * a connect from a bound port fails with {@link TcpError#EADDRINUSE}.
 */
public final class PortSpace
{
    /** Highest port number. */
    public static final int MAX_PORT = 0xFFFF;
    /** The most binds and listens one port holds at once. */
    public static final int MAX_HOLDERS = (1 << 19) - 1;
    /** The most connections of one sharing one port carries at once. */
    public static final int MAX_CONNECTIONS = (1 << 11) - 1;

    private static final long HOLDERS = MAX_HOLDERS;
    /** Set while every holder of the port set SO_REUSEPORT. */
    private static final long HELD_REUSE_PORT = 1L << 19;
    private static final int CONNECTIONS_SHIFT = 20;
    private static final int KIND_BITS = 11;
    private static final long KIND_MASK = MAX_CONNECTIONS;
    private static final int SHARING = TcpEngine.REUSE_ADDRESS | TcpEngine.REUSE_PORT;
    private static final long ALL_CONNECTIONS = -1L << CONNECTIONS_SHIFT;
    /** Per sharing of a new holder, the connection fields it cannot share the port with. */
    private static final long[] CONFLICTS = conflicts();

    private final AtomicLongArray ports = new AtomicLongArray(MAX_PORT + 1);
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
     * A connection of sharing {@code k} lets a holder of sharing {@code s} in if both set
     * SO_REUSEADDR or both set SO_REUSEPORT, that is if {@code (s & k) != 0}
     * ({@code inet_bind_conflict}).
     */
    private static long[] conflicts()
    {
        final long[] conflicts = new long[SHARING + 1];
        for (int sharing = 0; sharing <= SHARING; sharing++)
        {
            for (int kind = 0; kind <= SHARING; kind++)
            {
                if ((sharing & kind) == 0)
                {
                    conflicts[sharing] |= KIND_MASK << shift(kind);
                }
            }
        }
        return conflicts;
    }

    private static int shift(final int kind)
    {
        return CONNECTIONS_SHIFT + kind * KIND_BITS;
    }

    private static boolean outOfRange(final int port)
    {
        return port < 1 || port > MAX_PORT;
    }

    /**
     * Claim a local port for a bind or listen.
     *
     * @param port    the port, 1..65535.
     * @param sharing the socket's {@link TcpEngine#REUSE_ADDRESS} and {@link TcpEngine#REUSE_PORT}
     *                bits (others are ignored): SO_REUSEPORT shares the port with holders that all
     *                set it; either shares it with the connections on the port as the class
     *                Javadoc says.
     * @return 0, or {@link TcpError#EADDRINUSE} if a holder or a connection does not share the
     *         port, or {@link TcpError#EINVAL} for a port outside 1..65535.
     */
    public int bind(final int port, final int sharing)
    {
        if (outOfRange(port))
        {
            return TcpError.EINVAL;
        }
        final boolean reusePort = (sharing & TcpEngine.REUSE_PORT) != 0;
        final long conflicts = CONFLICTS[sharing & SHARING];
        while (true)
        {
            final long word = ports.get(port);
            final long holders = word & HOLDERS;
            if ((word & conflicts) != 0)
            {
                return TcpError.EADDRINUSE;
            }
            final long next;
            if (holders == 0)
            {
                next = (word & ALL_CONNECTIONS) | 1 | (reusePort ? HELD_REUSE_PORT : 0);
            }
            else if (reusePort && (word & HELD_REUSE_PORT) != 0 && holders < HOLDERS)
            {
                next = word + 1;
            }
            else
            {
                return TcpError.EADDRINUSE;
            }
            if (ports.compareAndSet(port, word, next))
            {
                return TcpError.NONE;
            }
        }
    }

    /**
     * Claim a port no one holds and no connection uses, as Linux's automatic bind (a listen
     * without a bind) chooses one: it never shares.
     *
     * @param port    the port, 1..65535.
     * @param sharing the socket's sharing bits, kept for later binds as {@link #bind} does.
     * @return 0, or {@link TcpError#EADDRINUSE} if the port is held or used, or
     *         {@link TcpError#EINVAL} for a port outside 1..65535.
     */
    public int bindUnused(final int port, final int sharing)
    {
        if (outOfRange(port))
        {
            return TcpError.EINVAL;
        }
        final long next = 1 | ((sharing & TcpEngine.REUSE_PORT) != 0 ? HELD_REUSE_PORT : 0);
        return ports.compareAndSet(port, 0, next) ? TcpError.NONE : TcpError.EADDRINUSE;
    }

    /**
     * Drop one claim of a port; the last one frees it (and forgets SO_REUSEPORT). A port no one
     * holds, or out of range, is left as it is. Connections on the port are not touched.
     *
     * @param port the port.
     */
    public void release(final int port)
    {
        if (outOfRange(port))
        {
            return;
        }
        while (true)
        {
            final long word = ports.get(port);
            final long holders = word & HOLDERS;
            if (holders == 0)
            {
                return;
            }
            final long next = holders == 1 ? word & ALL_CONNECTIONS : word - 1;
            if (ports.compareAndSet(port, word, next))
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
        return outOfRange(port) ? 0 : (int)(ports.get(port) & HOLDERS);
    }

    /**
     * Count a new connection on an ephemeral port, unless a bind or listen holds the port: the
     * check and the count are one atomic step, so a racing {@link #bind} either sees the
     * connection or keeps the port from it.
     *
     * @param port    the port, 1..65535.
     * @param sharing the connecting socket's sharing bits.
     * @return true if counted; false if the port is held, carries {@link #MAX_CONNECTIONS} of this
     *         sharing already, or is out of range.
     */
    public boolean addEphemeralConnection(final int port, final int sharing)
    {
        return addConnection(port, sharing, true);
    }

    /**
     * Count a new connection on a port its socket chose (bound, or given to the engine's
     * connect); holders do not matter.
     *
     * @param port    the port, 1..65535.
     * @param sharing the connecting socket's sharing bits.
     * @return true if counted; false if the port carries {@link #MAX_CONNECTIONS} of this sharing
     *         already, or is out of range.
     */
    public boolean addConnection(final int port, final int sharing)
    {
        return addConnection(port, sharing, false);
    }

    private boolean addConnection(final int port, final int sharing, final boolean unheldOnly)
    {
        if (outOfRange(port))
        {
            return false;
        }
        final int shift = shift(sharing & SHARING);
        while (true)
        {
            final long word = ports.get(port);
            if ((unheldOnly && (word & HOLDERS) != 0) || ((word >>> shift) & KIND_MASK) == KIND_MASK)
            {
                return false;
            }
            if (ports.compareAndSet(port, word, word + (1L << shift)))
            {
                return true;
            }
        }
    }

    /**
     * Uncount a connection counted by {@link #addConnection} or {@link #addEphemeralConnection},
     * once, with the sharing it was counted with. A port without such a connection is left as
     * it is.
     *
     * @param port    the port.
     * @param sharing the sharing bits it was counted with.
     */
    public void removeConnection(final int port, final int sharing)
    {
        if (outOfRange(port))
        {
            return;
        }
        final int shift = shift(sharing & SHARING);
        while (true)
        {
            final long word = ports.get(port);
            if (((word >>> shift) & KIND_MASK) == 0)
            {
                return;
            }
            if (ports.compareAndSet(port, word, word - (1L << shift)))
            {
                return;
            }
        }
    }

    /**
     * @param port    the port.
     * @param sharing a would-be listener's or binder's sharing bits.
     * @return true if no connection on the port keeps a holder of that sharing out (the
     *         holders are not looked at).
     */
    public boolean connectionsAllow(final int port, final int sharing)
    {
        return outOfRange(port) || (ports.get(port) & CONFLICTS[sharing & SHARING]) == 0;
    }

    /**
     * @param port the port.
     * @return how many connections use it (0 if none or out of range).
     */
    public int connections(final int port)
    {
        if (outOfRange(port))
        {
            return 0;
        }
        final long word = ports.get(port);
        int total = 0;
        for (int kind = 0; kind <= SHARING; kind++)
        {
            total += (int)((word >>> shift(kind)) & KIND_MASK);
        }
        return total;
    }

    /**
     * @return the connections on all ports together, read port by port (a consistent total only
     *         while none opens or closes); for checks and diagnostics.
     */
    public long connectionsOnAllPorts()
    {
        long total = 0;
        for (int port = 1; port <= MAX_PORT; port++)
        {
            total += connections(port);
        }
        return total;
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
