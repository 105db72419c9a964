package io.jmtcp.tcp;

import io.jmtcp.net.TransportHandler;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.stats.StackCounters;
import io.jmtcp.wire.DropReason;
import io.jmtcp.wire.IcmpHeader;
import io.jmtcp.wire.Ipv4Header;
import io.jmtcp.wire.TcpHeader;
import io.jmtcp.wire.TcpOptions;
import io.jmtcp.wire.TcpOptionsWriter;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Hashing;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.DeadlineTimerWheel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * The TCP engine of one context: its flow table, listeners, TIME_WAIT records, timers and the
 * segments no connection owns (RFC 9293 §3.10.7.1–2). Sans-I/O (DESIGN.md §2): time comes in
 * with every call, segments leave through a {@link SegmentOutput}, and application events are
 * delivered by {@link #dispatchEvents()} to each connection's {@link TcpHandler}.
 *
 * <p>The engine-level API: {@link #connect}, {@link #listen}, {@link #accept},
 * {@link #closeListener}, and on a connection {@link TcpConnection#send},
 * {@link TcpConnection#receive}, {@link TcpConnection#shutdownWrite},
 * {@link TcpConnection#close}, {@link TcpConnection#abort}, {@link TcpConnection#state},
 * {@link TcpConnection#error}.
 *
 * <p>Owned by the context's thread. Connection objects and their buffers are pooled (bounded by
 * {@link TcpConfig#maxConnections()}); segment processing and timers allocate nothing.
 */
public final class TcpEngine implements TransportHandler
{
    /**
     * Sharing bit of {@link #connect} and {@link #listen}: the socket set SO_REUSEADDR (see
     * {@link Placement} for what it allows).
     */
    public static final int REUSE_ADDRESS = 1;
    /** Sharing bit of {@link #connect} and {@link #listen}: the socket set SO_REUSEPORT. */
    public static final int REUSE_PORT = 2;
    /** {@link TcpConnection#portUse} and TIME_WAIT record tag: the port is not counted. */
    static final int NO_PORT_USE = -1;

    static final long NO_TIMER = DeadlineTimerWheel.NULL_DEADLINE;

    /** Timer wheel tick: 2^20 ns, about 1 ms, the RTO granularity G (RFC 6298 §4). */
    private static final long TICK_NANOS = 1L << 20;
    private static final int TICKS_PER_WHEEL = 1024;
    private static final long ONE_SECOND = TimeUnit.SECONDS.toNanos(1);

    private final TcpConfig config;
    private final Placement placement;
    private final int localIp;
    private final SegmentOutput output;
    private final StackCounters counters;
    private final IsnGenerator isnGenerator;
    private final SynCookies synCookies;
    private final Long2ObjectHashMap<TcpConnection> flows;
    private final Int2ObjectHashMap<TcpListener> listeners = new Int2ObjectHashMap<>();
    private final TimeWaitTable timeWait;
    private final DeadlineTimerWheel timers;
    private final Long2ObjectHashMap<TcpConnection> timerOwners;
    private final ArrayList<TcpConnection> due = new ArrayList<>();
    private final DeadlineTimerWheel.TimerHandler onExpiry = this::onTimerExpiry;
    private final ArrayDeque<TcpConnection> eventQueue;
    private final ArrayDeque<TcpListener> acceptableListeners = new ArrayDeque<>();
    private final ArrayDeque<TcpConnection> pool;
    private int connectionCount;
    private int nextEphemeral;
    private long now;
    private long challengeWindowStart;
    private int challengeAcksInWindow;

    /**
     * The engine of a context that has the interface to itself: it owns every flow, chooses
     * ephemeral ports from {@link TcpConfig#ephemeralPortFirst()}..{@link TcpConfig#ephemeralPortLast()},
     * and shares its ports with no one, so it keeps no account of them: its {@link #listen} is
     * refused only for a port it already listens on. A context's engine gets a {@link Placement}.
     *
     * @param config   the tunables (validated here).
     * @param localIp  our IPv4 address.
     * @param output   where segments go.
     * @param counters where events are counted.
     * @param isn      the ISN generator (RFC 6528), one per context.
     * @param cookies  the SYN cookie codec, one per context (they may share a key).
     * @param now      the context's time at creation.
     */
    public TcpEngine(final TcpConfig config, final int localIp, final SegmentOutput output,
        final StackCounters counters, final IsnGenerator isn, final SynCookies cookies, final long now)
    {
        this(config, localIp, output, counters, isn, cookies, now, alone(config.validate()));
    }

    /**
     * The engine of one of several contexts sharing an interface.
     *
     * @param config    the tunables (validated here).
     * @param localIp   our IPv4 address.
     * @param output    where segments go.
     * @param counters  where events are counted.
     * @param isn       the ISN generator (RFC 6528), one per context.
     * @param cookies   the SYN cookie codec, one per context (they may share a key).
     * @param now       the context's time at creation.
     * @param placement which flows this context owns, which ports are claimed, and the shared
     *                  ephemeral range (it replaces {@link TcpConfig}'s).
     */
    public TcpEngine(final TcpConfig config, final int localIp, final SegmentOutput output,
        final StackCounters counters, final IsnGenerator isn, final SynCookies cookies, final long now,
        final Placement placement)
    {
        this.config = config.validate();
        this.placement = placement;
        this.localIp = localIp;
        this.output = output;
        this.counters = counters;
        this.isnGenerator = isn;
        this.synCookies = cookies;
        this.now = now;
        this.timeWait = new TimeWaitTable(config.timeWaitCapacity(), Math.max(1, config.timeWaitNanos()),
            this::onTimeWaitRemoved);
        this.timers = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, now, TICK_NANOS, TICKS_PER_WHEEL);
        // Sized for every connection up front: a map that grows rehashes (allocates) on the SYN path.
        this.flows = new Long2ObjectHashMap<>(2 * config.maxConnections(), Hashing.DEFAULT_LOAD_FACTOR);
        this.timerOwners = new Long2ObjectHashMap<>(2 * config.maxConnections(), Hashing.DEFAULT_LOAD_FACTOR);
        this.eventQueue = new ArrayDeque<>(config.maxConnections());
        this.pool = new ArrayDeque<>(Math.min(config.maxConnections(), 1024));
        this.challengeWindowStart = now;
        final int span = placement.ephemeralLast() - placement.ephemeralFirst() + 1;
        this.nextEphemeral = placement.ephemeralFirst() + (isn.isn(localIp, 0, 0, 0, now) & 0x7FFFFFFF) % span;
    }

    /**
     * Where an engine stands among the contexts that share an interface: the part of the flow
     * space it owns, and the stack's account of its local ports, which binds, listens and the
     * connections of every context share. Implemented by the context layer
     * ({@code io.jmtcp.core.ContextPlacement}, over {@code io.jmtcp.core.PortSpace}, whose
     * Javadoc has the sharing rules), called only on the engine's thread.
     *
     * <p>The engine counts every connection it opens actively on its local port, from
     * {@link #connect} until the connection leaves the flow table without a TIME_WAIT record
     * (closed, reset, timed out, aborted, refused) or its TIME_WAIT record goes (expired, evicted
     * when the table is full, removed by a SYN that reopens the 4-tuple, or dropped by
     * {@link #close()}): exactly one {@link #releasePort} per counted connection. Accepted
     * connections are not counted (they live on their listener's port).
     */
    public interface Placement
    {
        /**
         * @param localIp    our address.
         * @param localPort  our port.
         * @param remoteIp   the peer's address.
         * @param remotePort the peer's port.
         * @return true if this context's port receives the flow's segments.
         */
        boolean owns(int localIp, int localPort, int remoteIp, int remotePort);

        /**
         * Count a new connection on an ephemeral port, unless a bind or listen of the stack holds
         * it (an active open must not take it), in one atomic step.
         *
         * @param port    a port of the ephemeral range.
         * @param sharing the connection's {@link #REUSE_ADDRESS} and {@link #REUSE_PORT} bits.
         * @return true if counted.
         */
        boolean useEphemeralPort(int port, int sharing);

        /**
         * Count a new connection on a port the application chose.
         *
         * @param port    the port.
         * @param sharing the connection's sharing bits.
         * @return true if counted, false if the port carries as many connections as it can.
         */
        boolean usePort(int port, int sharing);

        /**
         * Uncount a connection counted by {@link #useEphemeralPort} or {@link #usePort}.
         *
         * @param port    the port.
         * @param sharing the sharing bits it was counted with.
         */
        void releasePort(int port, int sharing);

        /**
         * @param port    a port to listen on.
         * @param sharing the listener's sharing bits.
         * @return true unless a connection of the stack uses the port and does not share it with
         *         a listener of that sharing.
         */
        boolean mayListen(int port, int sharing);

        /**
         * @return the first port active opens choose from.
         */
        int ephemeralFirst();

        /**
         * @return the last port active opens choose from.
         */
        int ephemeralLast();
    }

    private static Placement alone(final TcpConfig config)
    {
        final int first = config.ephemeralPortFirst();
        final int last = config.ephemeralPortLast();
        return new Placement()
        {
            @Override
            public boolean owns(final int localIp, final int localPort, final int remoteIp, final int remotePort)
            {
                return true;
            }

            @Override
            public boolean useEphemeralPort(final int port, final int sharing)
            {
                return true;
            }

            @Override
            public boolean usePort(final int port, final int sharing)
            {
                return true;
            }

            @Override
            public void releasePort(final int port, final int sharing)
            {
            }

            @Override
            public boolean mayListen(final int port, final int sharing)
            {
                return true;
            }

            @Override
            public int ephemeralFirst()
            {
                return first;
            }

            @Override
            public int ephemeralLast()
            {
                return last;
            }
        };
    }

    // ---------------------------------------------------------------------------------------------
    // Application API
    // ---------------------------------------------------------------------------------------------

    /**
     * Active open (RFC 9293 §3.10.1) by a socket without SO_REUSEADDR or SO_REUSEPORT:
     * {@link #connect(int, int, int, int, TcpHandler, long)} with sharing 0.
     *
     * @param remoteIp   the peer.
     * @param remotePort its port, 1..65535.
     * @param localPort  our port, or 0 for an ephemeral one.
     * @param handler    who hears the connection's events.
     * @param now        the context's time.
     * @return as the full form.
     */
    public TcpConnection connect(final int remoteIp, final int remotePort, final int localPort,
        final TcpHandler handler, final long now)
    {
        return connect(remoteIp, remotePort, localPort, 0, handler, now);
    }

    /**
     * Active open (RFC 9293 §3.10.1): send a SYN to {@code remoteIp:remotePort}. The connection
     * uses its local port in the stack's account ({@link Placement}) until the engine lets it go,
     * TIME_WAIT included: meanwhile a bind or listen of the port is refused unless its socket and
     * this one both set SO_REUSEADDR, or both SO_REUSEPORT.
     *
     * @param remoteIp   the peer.
     * @param remotePort its port, 1..65535.
     * @param localPort  our port, or 0 for an ephemeral one: the next port of the shared range,
     *                   in rotation, that this context owns for the peer and no bind or listen
     *                   holds (RFC 6056 §3.3.3).
     * @param sharing    the socket's {@link #REUSE_ADDRESS} and {@link #REUSE_PORT} bits.
     * @param handler    who hears the connection's events.
     * @param now        the context's time.
     * @return the connection in SYN_SENT, or null with {@link #lastError()} EINVAL (an argument
     *         out of range), EADDRINUSE (the 4-tuple is in use or in TIME_WAIT, or the explicit
     *         {@code localPort} carries {@code PortSpace.MAX_CONNECTIONS} connections of this
     *         sharing), EADDRNOTAVAIL (no free ephemeral port owned by this context; or an
     *         explicit {@code localPort} whose flow hashes to another context of the stack, whose
     *         port would receive all the peer's segments) or ENOBUFS.
     */
    public TcpConnection connect(final int remoteIp, final int remotePort, final int localPort, final int sharing,
        final TcpHandler handler, final long now)
    {
        this.now = now;
        if (remotePort <= 0 || remotePort > 0xFFFF || localPort < 0 || localPort > 0xFFFF || remoteIp == 0 ||
            (sharing & ~(REUSE_ADDRESS | REUSE_PORT)) != 0)
        {
            return fail(TcpError.EINVAL);
        }
        final int port;
        if (localPort == 0)
        {
            port = ephemeralPort(remoteIp, remotePort, sharing);
            if (port < 0)
            {
                return fail(TcpError.EADDRNOTAVAIL);
            }
        }
        else
        {
            if (!placement.owns(localIp, localPort, remoteIp, remotePort))
            {
                return fail(TcpError.EADDRNOTAVAIL);
            }
            if (!fourTupleFree(remoteIp, remotePort, localPort) || !placement.usePort(localPort, sharing))
            {
                return fail(TcpError.EADDRINUSE);
            }
            port = localPort;
        }
        final TcpConnection connection = allocate();
        if (connection == null)
        {
            placement.releasePort(port, sharing);
            return fail(TcpError.ENOBUFS);
        }
        final long key = flowKey(remoteIp, remotePort, port);
        connection.reset(localIp, port, remoteIp, remotePort, key, handler);
        connection.portUse = sharing;
        flows.put(key, connection);
        connection.inFlowTable = true;
        counters.increment(StackCounter.TCP_ACTIVE_OPENS);
        connection.openActive(now);
        schedule(connection);
        lastError = TcpError.NONE;
        return connection;
    }

    /**
     * Passive open (RFC 9293 §3.10.1) by a socket without SO_REUSEADDR or SO_REUSEPORT:
     * {@link #listen(int, int, int, TcpHandler)} with sharing 0.
     *
     * @param port    1..65535.
     * @param backlog accept queue length, at least 1.
     * @param handler who hears the listener's and its connections' events.
     * @return as the full form.
     */
    public TcpListener listen(final int port, final int backlog, final TcpHandler handler)
    {
        return listen(port, backlog, 0, handler);
    }

    /**
     * Passive open (RFC 9293 §3.10.1): listen on {@code port}. The engine does not claim the
     * port in the stack's account (the socket API's bind and listen do, before they get here); it
     * refuses a port this context listens on already, and a port that connections of the stack
     * use (any context's active opens, TIME_WAIT included) unless, for every one of them, both
     * sockets set SO_REUSEADDR or both set SO_REUSEPORT, as Linux's listen does
     * ({@code inet_csk_listen_start} checks {@code inet_csk_bind_conflict} again). A listener let
     * in that way coexists with those connections: their segments reach them, all other segments
     * for the port reach the listener.
     *
     * @param port    1..65535.
     * @param backlog accept queue length, at least 1.
     * @param sharing the socket's {@link #REUSE_ADDRESS} and {@link #REUSE_PORT} bits.
     * @param handler who hears the listener's and its connections' events.
     * @return the listener, or null with {@link #lastError()} EINVAL (an argument out of range)
     *         or EADDRINUSE (listening already, or a connection keeps the port).
     */
    public TcpListener listen(final int port, final int backlog, final int sharing, final TcpHandler handler)
    {
        if (port <= 0 || port > 0xFFFF || backlog <= 0 || (sharing & ~(REUSE_ADDRESS | REUSE_PORT)) != 0)
        {
            return fail(TcpError.EINVAL);
        }
        if (listeners.containsKey(port) || !placement.mayListen(port, sharing))
        {
            return fail(TcpError.EADDRINUSE);
        }
        final TcpListener listener = new TcpListener(port, backlog, config.synQueueCapacity(), handler);
        listeners.put(port, listener);
        lastError = TcpError.NONE;
        return listener;
    }

    /**
     * Take the next established connection from a listener's accept queue. Events of a connection
     * that is not accepted yet are not delivered (nobody holds it): data or even the peer's FIN
     * may already be waiting, so look at {@link TcpConnection#readable()} (or just call
     * {@link TcpConnection#receive}) after accepting.
     *
     * @param listener the listener.
     * @return the connection (its handler is the listener's until changed), or null if none waits.
     */
    public TcpConnection accept(final TcpListener listener)
    {
        final TcpConnection connection = listener.poll();
        if (connection != null)
        {
            connection.accepted = true;
        }
        return connection;
    }

    /**
     * Stop listening at once: the port is free, and connections not yet accepted are reset.
     *
     * @param listener the listener; closing it twice is harmless.
     */
    public void closeListener(final TcpListener listener)
    {
        if (!listener.isOpen())
        {
            return;
        }
        listener.markClosed();
        listeners.remove(listener.port());
        TcpConnection pending;
        while ((pending = listener.poll()) != null)
        {
            pending.abort();
        }
        final ArrayList<TcpConnection> embryonic = new ArrayList<>();
        flows.values().forEach(c ->
        {
            if (c.listener == listener && !c.accepted)
            {
                embryonic.add(c);
            }
        });
        for (final TcpConnection c : embryonic)
        {
            c.abort();
        }
    }

    /**
     * Drop every connection and TIME_WAIT record at once, as a context does when it is destroyed:
     * connections go to CLOSED with ECONNABORTED, without a segment to the peers or an event to
     * the handlers, and the ports they used go back to the stack's account
     * ({@link Placement#releasePort}), so that a port space that outlives this engine keeps none
     * of its uses. Idempotent.
     */
    public void close()
    {
        for (final TcpConnection connection : new ArrayList<>(flows.values()))
        {
            connection.state = TcpState.CLOSED;
            if (connection.error == TcpError.NONE)
            {
                connection.error = TcpError.ECONNABORTED;
            }
            removeFromFlows(connection);
            releasePort(connection);
        }
        timeWait.clear();
    }

    private int lastError;

    /**
     * @return the errno of the last refused {@link #connect} or {@link #listen}.
     */
    public int lastError()
    {
        return lastError;
    }

    private <T> T fail(final int errno)
    {
        lastError = errno;
        return null;
    }

    /**
     * @return the engine's tunables (the defaults of every new connection).
     */
    public TcpConfig config()
    {
        return config;
    }

    /**
     * @return connections held (any state but TIME_WAIT records), for leak checks.
     */
    public int connectionCount()
    {
        return connectionCount;
    }

    /**
     * @return connections in the flow table.
     */
    public int flowCount()
    {
        return flows.size();
    }

    /**
     * @return TIME_WAIT records held.
     */
    public int timeWaitCount()
    {
        return timeWait.size();
    }

    /**
     * @param remoteIp   the peer.
     * @param remotePort its port.
     * @param localPort  our port.
     * @return the connection of that 4-tuple, or null.
     */
    public TcpConnection find(final int remoteIp, final int remotePort, final int localPort)
    {
        return flows.get(flowKey(remoteIp, remotePort, localPort));
    }

    /**
     * @return the context's time as last passed in.
     */
    public long now()
    {
        return now;
    }

    // ---------------------------------------------------------------------------------------------
    // Duty-cycle entry points
    // ---------------------------------------------------------------------------------------------

    /**
     * Run the timers that are due: retransmission, delayed ACK, persist, keepalive, FIN_WAIT_2,
     * and TIME_WAIT expiry.
     *
     * @param now the context's time.
     * @return work done.
     */
    public int onTimers(final long now)
    {
        this.now = now;
        int work = 0;
        int spins = 0;
        do
        {
            work += timers.poll(now, onExpiry, Integer.MAX_VALUE);
        }
        while (timers.currentTickTime() <= now && timers.timerCount() > 0 && ++spins < 1 << 20);
        if (timers.timerCount() == 0 && timers.currentTickTime() <= now)
        {
            // Nothing scheduled: jump the wheel to now rather than walking empty ticks.
            timers.resetStartTime(now);
        }
        for (int i = 0; i < due.size(); i++)
        {
            final TcpConnection connection = due.get(i);
            if (connection.state != TcpState.CLOSED && connection.inFlowTable)
            {
                connection.sender.onTimer(now);
                if (connection.state != TcpState.CLOSED && connection.inFlowTable)
                {
                    schedule(connection);
                }
            }
        }
        due.clear();
        work += timeWait.expire(now);
        return work;
    }

    private boolean onTimerExpiry(final TimeUnit unit, final long now, final long timerId)
    {
        final TcpConnection connection = timerOwners.remove(timerId);
        if (connection != null && connection.timerId == timerId)
        {
            connection.timerId = NO_TIMER;
            due.add(connection);
        }
        return true;
    }

    /**
     * Deliver pending events to handlers: accepts, connects, readable, writable, closed.
     *
     * @return handler calls made.
     */
    public int dispatchEvents()
    {
        int budget = 4 * config.maxConnections() + 64;
        int calls = dispatchAccepts(budget);
        budget -= calls;
        TcpConnection connection;
        while (budget-- > 0 && (connection = eventQueue.poll()) != null)
        {
            connection.queuedForEvents = false;
            final int events = connection.pendingEvents;
            connection.pendingEvents = 0;
            final TcpHandler handler = connection.handler;
            if (!connection.orphan() && handler != null)
            {
                if ((events & TcpConnection.EVENT_CONNECTED) != 0)
                {
                    handler.onConnected(connection);
                }
                if ((events & TcpConnection.EVENT_READABLE) != 0 && !connection.appClosed)
                {
                    handler.onReadable(connection);
                }
                if ((events & TcpConnection.EVENT_WRITABLE) != 0 && !connection.appClosed)
                {
                    handler.onWritable(connection);
                }
                if ((events & TcpConnection.EVENT_CLOSED) != 0 && !connection.appClosed)
                {
                    handler.onClosed(connection);
                }
                calls++;
            }
            if (connection.releaseAfterDispatch && !connection.queuedForEvents)
            {
                connection.releaseAfterDispatch = false;
                release(connection);
            }
        }
        // Connection handlers may have accepted or closed; listeners they made acceptable go now.
        calls += dispatchAccepts(budget);
        return calls;
    }

    private int dispatchAccepts(final int budget)
    {
        int calls = 0;
        TcpListener listener;
        while (calls < budget && (listener = acceptableListeners.poll()) != null)
        {
            listener.queuedForEvents = false;
            if (listener.isOpen() && listener.pendingAccepts() > 0 && listener.handler() != null)
            {
                listener.handler().onAcceptable(listener);
            }
            calls++;
        }
        return calls;
    }

    // ---------------------------------------------------------------------------------------------
    // Segments from the network layer
    // ---------------------------------------------------------------------------------------------

    @Override
    public DropReason onTcpSegment(final Ipv4Header ip, final TcpHeader tcp, final TcpOptions options, final long now)
    {
        this.now = now;
        final int remoteIp = ip.source();
        final int remotePort = tcp.sourcePort();
        final int localPort = tcp.destinationPort();
        final long key = flowKey(remoteIp, remotePort, localPort);
        final TcpConnection connection = flows.get(key);
        if (connection != null)
        {
            connection.onSegment(tcp, options, now);
            return DropReason.NONE;
        }
        final int slot = timeWait.find(key);
        if (slot >= 0 && !onTimeWaitSegment(slot, key, tcp, options, now))
        {
            return DropReason.NONE;
        }
        final TcpListener listener = listeners.get(localPort);
        if (listener != null)
        {
            onListenSegment(listener, remoteIp, tcp, options, now);
            return DropReason.NONE;
        }
        return onClosedPort(remoteIp, tcp, now);
    }

    /**
     * @return true if the segment should go on to a listener (a SYN that may reopen, RFC 6191).
     */
    private boolean onTimeWaitSegment(final int slot, final long key, final TcpHeader tcp, final TcpOptions options,
        final long now)
    {
        counters.increment(StackCounter.TCP_TIME_WAIT_SEGMENTS);
        final int flags = tcp.flags();
        final int segmentLength = tcp.payloadLength() + ((flags & TcpHeader.SYN) != 0 ? 1 : 0) +
            ((flags & TcpHeader.FIN) != 0 ? 1 : 0);
        final int action = timeWait.onSegment(slot, flags, tcp.sequenceNumber(), segmentLength,
            options.hasTimestamps(), options.tsVal());
        switch (action)
        {
            case TimeWaitTable.ACTION_ACCEPT_SYN:
                timeWait.remove(slot);
                counters.increment(StackCounter.TCP_TIME_WAIT_REOPENED);
                return true;
            case TimeWaitTable.ACTION_ACK_RESTART:
                timeWait.restart(slot, now);
                sendTimeWaitAck(slot, key, tcp, now);
                return false;
            case TimeWaitTable.ACTION_ACK:
                sendTimeWaitAck(slot, key, tcp, now);
                return false;
            default:
                return false;
        }
    }

    private void sendTimeWaitAck(final int slot, final long key, final TcpHeader tcp, final long now)
    {
        final int localPort = (int)(key & 0xFFFF);
        final int remotePort = (int)((key >>> 16) & 0xFFFF);
        final int remoteIp = (int)(key >>> 32);
        final boolean timestamps = timeWait.hasTimestamps(slot);
        final int tsVal = (int)(now / 1_000_000L) + timestampOffset(localIp, localPort, remoteIp, remotePort);
        sendControl(localPort, remoteIp, remotePort, timeWait.sndNxt(slot), timeWait.rcvNxt(slot), TcpHeader.ACK,
            timeWait.rcvWindow(slot), timestamps, tsVal, timeWait.tsRecent(slot), now);
    }

    /** RFC 9293 §3.10.7.2: LISTEN. */
    private void onListenSegment(final TcpListener listener, final int remoteIp, final TcpHeader tcp,
        final TcpOptions options, final long now)
    {
        final int flags = tcp.flags();
        if ((flags & TcpHeader.RST) != 0)
        {
            // "An incoming RST segment could not be valid since it could not have been sent in
            // response to anything sent by this incarnation of the connection. [...] ignored."
            return;
        }
        if ((flags & TcpHeader.ACK) != 0)
        {
            if (config.synCookies() && (flags & TcpHeader.SYN) == 0 && openFromCookie(listener, remoteIp, tcp,
                options, now))
            {
                return;
            }
            // "Any acknowledgment is bad if it arrives on a connection still in the LISTEN state."
            sendResetFor(tcp.destinationPort(), remoteIp, tcp.sourcePort(), tcp.ackNumber(), 0, false, now);
            return;
        }
        if ((flags & TcpHeader.SYN) == 0)
        {
            return;
        }
        if (listener.acceptQueueFull())
        {
            // Like Linux: with the accept queue full a SYN is dropped; the peer retries.
            listener.overflowed();
            counters.increment(StackCounter.TCP_ACCEPT_QUEUE_OVERFLOWS);
            return;
        }
        if (listener.synQueueFull() || connectionCount >= config.maxConnections() && pool.isEmpty())
        {
            if (config.synCookies())
            {
                sendCookieSynAck(listener, remoteIp, tcp, options, now);
            }
            else
            {
                counters.increment(StackCounter.TCP_SYN_QUEUE_DROPS);
            }
            return;
        }
        final TcpConnection connection = allocate();
        if (connection == null)
        {
            counters.increment(StackCounter.TCP_CONNECTIONS_EXHAUSTED);
            return;
        }
        final long key = flowKey(remoteIp, tcp.sourcePort(), listener.port());
        connection.reset(localIp, listener.port(), remoteIp, tcp.sourcePort(), key, listener.handler());
        flows.put(key, connection);
        connection.inFlowTable = true;
        listener.synQueued();
        connection.openPassive(listener, tcp, options, now);
        schedule(connection);
    }

    /** RFC 4987 §3.6: answer with a SYN-ACK whose ISN is the cookie, and keep no state. */
    private void sendCookieSynAck(final TcpListener listener, final int remoteIp, final TcpHeader tcp,
        final TcpOptions options, final long now)
    {
        final int remotePort = tcp.sourcePort();
        final int localPort = listener.port();
        final int peerMss = options.hasMss() ? options.mss() : TcpConfig.DEFAULT_PEER_MSS;
        final int cookie = synCookies.cookie(localIp, localPort, remoteIp, remotePort, tcp.sequenceNumber(), peerMss,
            now);
        listener.cookieSent();
        counters.increment(StackCounter.TCP_SYN_COOKIES_SENT);

        final MutableDirectBuffer buffer = output.buffer();
        final int offset = output.offset();
        final int at = offset + TcpHeader.MIN_HEADER_LENGTH;
        int length = TcpOptionsWriter.writeMss(buffer, at, localMss());
        final boolean timestamps = config.timestamps() && options.hasTimestamps();
        final boolean windowScale = config.windowScaling() && options.hasWindowScale();
        final boolean sack = config.sack() && options.sackPermitted();
        if (timestamps)
        {
            // Without timestamps there is nowhere to keep window scale and SACK: both are off.
            if (sack)
            {
                length += TcpOptionsWriter.writeSackPermitted(buffer, at + length);
            }
            final int tsNow = (int)(now / 1_000_000L) + timestampOffset(localIp, localPort, remoteIp, remotePort);
            final int tsVal = SynCookies.encodeTimestamp(tsNow,
                windowScale ? Math.min(options.windowScale(), 14) : -1, sack);
            length += TcpOptionsWriter.writeTimestamps(buffer, at + length, tsVal, options.tsVal());
            if (windowScale)
            {
                length += TcpOptionsWriter.writeNop(buffer, at + length);
                length += TcpOptionsWriter.writeWindowScale(buffer, at + length, receiveShift());
            }
        }
        length = TcpOptionsWriter.padToWord(buffer, at, length);
        final int headerLength = TcpHeader.MIN_HEADER_LENGTH + length;
        final int window = Math.min(config.receiveBufferBytes(), 0xFFFF);
        emit(localPort, remoteIp, remotePort, cookie, tcp.sequenceNumber() + 1, headerLength, 0,
            TcpHeader.SYN | TcpHeader.ACK, window, now);
    }

    private boolean openFromCookie(final TcpListener listener, final int remoteIp, final TcpHeader tcp,
        final TcpOptions options, final long now)
    {
        final int mss = synCookies.check(localIp, listener.port(), remoteIp, tcp.sourcePort(),
            tcp.sequenceNumber() - 1, tcp.ackNumber() - 1, now);
        if (mss == SynCookies.INVALID)
        {
            counters.increment(StackCounter.TCP_SYN_COOKIES_REJECTED);
            return false;
        }
        if (listener.acceptQueueFull())
        {
            listener.overflowed();
            counters.increment(StackCounter.TCP_ACCEPT_QUEUE_OVERFLOWS);
            return true;
        }
        final TcpConnection connection = allocate();
        if (connection == null)
        {
            counters.increment(StackCounter.TCP_CONNECTIONS_EXHAUSTED);
            return true;
        }
        counters.increment(StackCounter.TCP_SYN_COOKIES_ACCEPTED);
        final long key = flowKey(remoteIp, tcp.sourcePort(), listener.port());
        connection.reset(localIp, listener.port(), remoteIp, tcp.sourcePort(), key, listener.handler());
        flows.put(key, connection);
        connection.inFlowTable = true;
        connection.openFromCookie(listener, tcp, options, mss, now);
        if (tcp.payloadLength() > 0 || (tcp.flags() & TcpHeader.FIN) != 0)
        {
            connection.onSegment(tcp, options, now);
        }
        else
        {
            schedule(connection);
        }
        return true;
    }

    /** RFC 9293 §3.10.7.1: CLOSED (no connection, no listener): answer with RST unless it is one. */
    private DropReason onClosedPort(final int remoteIp, final TcpHeader tcp, final long now)
    {
        final int flags = tcp.flags();
        if ((flags & TcpHeader.RST) != 0)
        {
            return DropReason.TCP_NO_SOCKET;
        }
        counters.increment(StackCounter.TCP_RESETS_TO_CLOSED_PORTS);
        if ((flags & TcpHeader.ACK) != 0)
        {
            sendResetFor(tcp.destinationPort(), remoteIp, tcp.sourcePort(), tcp.ackNumber(), 0, false, now);
        }
        else
        {
            final int segmentLength = tcp.payloadLength() + ((flags & TcpHeader.SYN) != 0 ? 1 : 0) +
                ((flags & TcpHeader.FIN) != 0 ? 1 : 0);
            sendResetFor(tcp.destinationPort(), remoteIp, tcp.sourcePort(), 0, tcp.sequenceNumber() + segmentLength,
                true, now);
        }
        return DropReason.TCP_NO_SOCKET;
    }

    @Override
    public DropReason onIcmpError(final int type, final int code, final int nextHopMtu, final DirectBuffer quote,
        final int quoteOffset, final int quoteLength, final long now)
    {
        this.now = now;
        final int ipHeaderLength = (quote.getByte(quoteOffset) & 0x0F) * 4;
        if (quoteLength < ipHeaderLength + 8)
        {
            return DropReason.TCP_NO_SOCKET;
        }
        final int source = quote.getInt(quoteOffset + 12, BIG_ENDIAN);
        final int destination = quote.getInt(quoteOffset + 16, BIG_ENDIAN);
        final int tcpAt = quoteOffset + ipHeaderLength;
        final int localPort = quote.getShort(tcpAt, BIG_ENDIAN) & 0xFFFF;
        final int remotePort = quote.getShort(tcpAt + 2, BIG_ENDIAN) & 0xFFFF;
        final int seq = quote.getInt(tcpAt + 4, BIG_ENDIAN);
        if (source != localIp)
        {
            return DropReason.TCP_NO_SOCKET;
        }
        final TcpConnection connection = flows.get(flowKey(destination, remotePort, localPort));
        // RFC 5927 §4.1: only an ICMP error quoting a sequence number in flight is believed.
        if (connection == null || SequenceNumbers.lt(seq, connection.sndUna) ||
            SequenceNumbers.gt(seq, connection.sndMax))
        {
            return DropReason.TCP_NO_SOCKET;
        }
        counters.increment(StackCounter.TCP_ICMP_ERRORS);
        if (type == IcmpHeader.DEST_UNREACHABLE && code == IcmpHeader.CODE_FRAGMENTATION_NEEDED)
        {
            // RFC 1191 §6.3: lower the path MTU; 0 (an old router) means "unknown", keep ours.
            if (nextHopMtu >= 68 && connection.reducePathMtu(nextHopMtu, now))
            {
                counters.increment(StackCounter.TCP_PMTU_DECREASES);
                schedule(connection);
            }
            return DropReason.NONE;
        }
        if (type == IcmpHeader.DEST_UNREACHABLE && connection.state == TcpState.SYN_SENT &&
            (code == IcmpHeader.CODE_PROTOCOL_UNREACHABLE || code == IcmpHeader.CODE_PORT_UNREACHABLE))
        {
            // RFC 1122 §4.2.3.9: protocol and port unreachable are hard errors; abort the open.
            terminate(connection, TcpError.ECONNREFUSED);
            return DropReason.NONE;
        }
        // RFC 1122 §4.2.3.9 and RFC 5461: other unreachables are soft errors, reported only if the
        // connection later times out.
        connection.softError = TcpError.EHOSTUNREACH;
        return DropReason.NONE;
    }

    // ---------------------------------------------------------------------------------------------
    // Services to connections
    // ---------------------------------------------------------------------------------------------

    SegmentOutput output()
    {
        return output;
    }

    int localMss()
    {
        return output.maxSegmentLength() - TcpHeader.MIN_HEADER_LENGTH;
    }

    /** RFC 7323 §2.3: the smallest shift that lets the whole receive buffer be advertised. */
    int receiveShift()
    {
        int shift = 0;
        while (shift < 14 && (config.receiveBufferBytes() >>> shift) > 0xFFFF)
        {
            shift++;
        }
        return config.windowScaling() ? shift : 0;
    }

    int isn(final int localIp, final int localPort, final int remoteIp, final int remotePort, final long now)
    {
        return isnGenerator.isn(localIp, localPort, remoteIp, remotePort, now);
    }

    /**
     * RFC 7323 §5.4 recommends a random per-connection offset for TSval; a keyed hash of the
     * 4-tuple (RFC 6528's function with the ports swapped and no clock) gives one that the
     * TIME_WAIT record can recompute.
     */
    int timestampOffset(final int localIp, final int localPort, final int remoteIp, final int remotePort)
    {
        return isnGenerator.isn(remoteIp, remotePort, localIp, localPort, 0);
    }

    void count(final StackCounter counter)
    {
        counters.increment(counter);
    }

    void countDataIn(final int bytes)
    {
        counters.add(StackCounter.TCP_DATA_BYTES_IN, bytes);
    }

    void countUnreadDataReset()
    {
        counters.increment(StackCounter.TCP_UNREAD_DATA_RESETS);
    }

    /**
     * Finish and send the segment whose options and data are already in place after the header
     * at {@link SegmentOutput#offset()}: write the header, the checksum (RFC 9293 §3.1), send,
     * count. Every segment the engine sends goes through here.
     *
     * @return true if it left or is queued for address resolution.
     */
    boolean emit(final int localPort, final int remoteIp, final int remotePort, final int seq, final int ack,
        final int headerLength, final int dataLength, final int flags, final int window, final long now)
    {
        final MutableDirectBuffer buffer = output.buffer();
        final int offset = output.offset();
        TcpHeader.write(buffer, offset, localPort, remotePort, seq, ack, headerLength, flags, window, 0);
        TcpHeader.writeChecksum(buffer, offset, headerLength + dataLength, localIp, remoteIp);
        final boolean sent = output.send(remoteIp, headerLength + dataLength, now);
        counters.increment(StackCounter.TCP_SEGMENTS_OUT);
        if (dataLength > 0)
        {
            counters.add(StackCounter.TCP_DATA_BYTES_OUT, dataLength);
        }
        if ((flags & TcpHeader.RST) != 0)
        {
            counters.increment(StackCounter.TCP_RESETS_OUT);
        }
        return sent;
    }

    /** RFC 5961 §7: challenge ACKs share one budget per second per context. */
    void challengeAck(final TcpConnection connection, final long now)
    {
        if (now - challengeWindowStart >= ONE_SECOND)
        {
            challengeWindowStart = now;
            challengeAcksInWindow = 0;
        }
        if (challengeAcksInWindow >= config.challengeAcksPerSecond())
        {
            counters.increment(StackCounter.TCP_CHALLENGE_ACKS_LIMITED);
            return;
        }
        challengeAcksInWindow++;
        counters.increment(StackCounter.TCP_CHALLENGE_ACKS);
        connection.sender.sendAck(now);
    }

    /**
     * A RST for a segment no connection may answer (RFC 9293 §3.10.7.1): {@code <SEQ=seq><CTL=RST>}
     * or, with {@code withAck}, {@code <SEQ=0><ACK=ack><CTL=RST,ACK>}.
     */
    void sendResetFor(final int localPort, final int remoteIp, final int remotePort, final int seq, final int ack,
        final boolean withAck, final long now)
    {
        sendControl(localPort, remoteIp, remotePort, seq, ack, withAck ? TcpHeader.RST | TcpHeader.ACK : TcpHeader.RST,
            0, false, 0, 0, now);
    }

    private void sendControl(final int localPort, final int remoteIp, final int remotePort, final int seq,
        final int ack, final int flags, final int window, final boolean timestamps, final int tsVal, final int tsEcr,
        final long now)
    {
        final MutableDirectBuffer buffer = output.buffer();
        final int offset = output.offset();
        int optionsLength = 0;
        if (timestamps)
        {
            final int at = offset + TcpHeader.MIN_HEADER_LENGTH;
            optionsLength += TcpOptionsWriter.writeNop(buffer, at);
            optionsLength += TcpOptionsWriter.writeNop(buffer, at + 1);
            optionsLength += TcpOptionsWriter.writeTimestamps(buffer, at + 2, tsVal, tsEcr);
        }
        final int headerLength = TcpHeader.MIN_HEADER_LENGTH + optionsLength;
        emit(localPort, remoteIp, remotePort, seq, ack, headerLength, 0, flags, window, now);
    }

    void onPassiveEstablished(final TcpConnection connection)
    {
        final TcpListener listener = connection.listener;
        if (!connection.fromCookie)
        {
            listener.synDequeued();
        }
        counters.increment(StackCounter.TCP_PASSIVE_OPENS);
        if (!listener.isOpen() || !listener.offer(connection))
        {
            listener.overflowed();
            counters.increment(StackCounter.TCP_ACCEPT_QUEUE_OVERFLOWS);
            connection.sender.sendReset(now);
            terminate(connection, TcpError.ECONNABORTED);
            return;
        }
        if (!listener.queuedForEvents)
        {
            listener.queuedForEvents = true;
            acceptableListeners.add(listener);
        }
    }

    void enterTimeWait(final TcpConnection connection, final long now)
    {
        if (config.timeWaitNanos() > 0)
        {
            final int window = Math.max(0, connection.rcvAdvertisedRight - connection.receiveBuffer.rcvNxt()) >>>
                connection.rcvShift;
            // The record keeps the connection's port in use until it goes (onTimeWaitRemoved).
            final int portUse = connection.portUse;
            connection.portUse = NO_PORT_USE;
            timeWait.add(connection.flowKey, portUse, connection.sndMax, connection.rcvNxt(),
                Math.min(window, 0xFFFF), connection.timestampsOn, connection.tsRecent, now);
            counters.increment(StackCounter.TCP_TIME_WAIT_ENTERED);
        }
        finish(connection, TcpState.TIME_WAIT, TcpError.NONE);
    }

    /** Every record that leaves the TIME_WAIT table, however it leaves, gives its port back. */
    private void onTimeWaitRemoved(final long flowKey, final int portUse)
    {
        if (portUse != NO_PORT_USE)
        {
            placement.releasePort((int)(flowKey & 0xFFFF), portUse);
        }
    }

    /**
     * End a connection: CLOSED, out of the flow table, timers off, the application told (or the
     * object released if no application holds it).
     */
    void terminate(final TcpConnection connection, final int errno)
    {
        int error = errno;
        if (error == TcpError.ETIMEDOUT && connection.softError != TcpError.NONE)
        {
            error = connection.softError;
        }
        finish(connection, TcpState.CLOSED, error);
    }

    private void finish(final TcpConnection connection, final TcpState finalState, final int errno)
    {
        final TcpState previous = connection.state;
        connection.state = finalState;
        if (connection.error == TcpError.NONE)
        {
            connection.error = errno;
        }
        if (connection.passive && previous == TcpState.SYN_RECEIVED && !connection.fromCookie &&
            connection.listener != null)
        {
            connection.listener.synDequeued();
        }
        if (connection.passive && !connection.accepted && connection.listener != null)
        {
            connection.listener.remove(connection);
        }
        removeFromFlows(connection);
        releasePort(connection);
        counters.increment(StackCounter.TCP_CONNECTIONS_CLOSED);
        if (connection.orphan())
        {
            release(connection);
        }
        else
        {
            connection.signal(TcpConnection.EVENT_READABLE | TcpConnection.EVENT_CLOSED);
        }
    }

    private void removeFromFlows(final TcpConnection connection)
    {
        if (connection.inFlowTable)
        {
            flows.remove(connection.flowKey);
            connection.inFlowTable = false;
        }
        if (connection.timerId != NO_TIMER)
        {
            timers.cancelTimer(connection.timerId);
            timerOwners.remove(connection.timerId);
            connection.timerId = NO_TIMER;
        }
    }

    /** The connection is out of the flow table with no TIME_WAIT record: its port is no longer used. */
    private void releasePort(final TcpConnection connection)
    {
        if (connection.portUse != NO_PORT_USE)
        {
            placement.releasePort(connection.localPort, connection.portUse);
            connection.portUse = NO_PORT_USE;
        }
    }

    /** Return a closed connection to the pool (later, if it still has events queued). */
    void release(final TcpConnection connection)
    {
        if (connection.inFlowTable)
        {
            // An application close() finished the state machine's part: it goes on without it.
            return;
        }
        if (connection.queuedForEvents)
        {
            connection.releaseAfterDispatch = true;
            return;
        }
        if (connection.pooled)
        {
            return;
        }
        connection.state = TcpState.CLOSED;
        connection.pooled = true;
        connectionCount--;
        pool.push(connection);
    }

    private TcpConnection allocate()
    {
        if (connectionCount >= config.maxConnections())
        {
            counters.increment(StackCounter.TCP_CONNECTIONS_EXHAUSTED);
            return null;
        }
        connectionCount++;
        final TcpConnection pooled = pool.poll();
        final TcpConnection connection = pooled != null ? pooled : new TcpConnection(this, config);
        connection.pooled = false;
        return connection;
    }

    void queueEvents(final TcpConnection connection)
    {
        if (!connection.queuedForEvents)
        {
            connection.queuedForEvents = true;
            eventQueue.add(connection);
        }
    }

    /**
     * Make sure the wheel fires no later than the connection's earliest deadline. A timer that
     * fires early finds nothing due and is rescheduled; so a deadline that moves later (the RTO
     * restarted by every ACK) costs nothing here.
     */
    void schedule(final TcpConnection connection)
    {
        if (!connection.inFlowTable || !connection.sender.hasTimers())
        {
            return;
        }
        final long deadline = connection.sender.nextDeadline(now);
        if (connection.timerId != NO_TIMER)
        {
            if (deadline - connection.scheduledDeadline >= 0)
            {
                return;
            }
            timers.cancelTimer(connection.timerId);
            timerOwners.remove(connection.timerId);
        }
        final long id = timers.scheduleTimer(deadline);
        connection.timerId = id;
        connection.scheduledDeadline = deadline;
        timerOwners.put(id, connection);
    }

    /**
     * The next port of the shared ephemeral range, in rotation, that this context owns for the
     * peer (its flow hashes here, or the peer's segments would reach another context), that is
     * free for the peer here (no connection, no TIME_WAIT record, no listener of this context),
     * and that no bind or listen of the stack holds; the last check and the port's use are one
     * step of the stack's account (RFC 6056 §3.3.3's simple rotation; the start is random per
     * context). Connections to different peers may share a port (RFC 6056 §2.2: only the
     * 4-tuple must be unique).
     *
     * @return the port, counted as used, or -1 if none is free.
     */
    private int ephemeralPort(final int remoteIp, final int remotePort, final int sharing)
    {
        final int first = placement.ephemeralFirst();
        final int last = placement.ephemeralLast();
        final int span = last - first + 1;
        for (int i = 0; i < span; i++)
        {
            final int port = nextEphemeral;
            nextEphemeral = nextEphemeral == last ? first : nextEphemeral + 1;
            if (placement.owns(localIp, port, remoteIp, remotePort) && fourTupleFree(remoteIp, remotePort, port) &&
                !listeners.containsKey(port) && placement.useEphemeralPort(port, sharing))
            {
                return port;
            }
        }
        return -1;
    }

    /**
     * RFC 6056 §2.2: a connection's 4-tuple must be unique; one kept in TIME-WAIT (RFC 9293
     * §3.3.2) is not reused either.
     */
    private boolean fourTupleFree(final int remoteIp, final int remotePort, final int localPort)
    {
        final long key = flowKey(remoteIp, remotePort, localPort);
        return !flows.containsKey(key) && timeWait.find(key) < 0;
    }

    /**
     * The flow table key: our address is the context's, so the remote address and both ports
     * identify a connection.
     */
    static long flowKey(final int remoteIp, final int remotePort, final int localPort)
    {
        return ((long)remoteIp << 32) | ((long)(remotePort & 0xFFFF) << 16) | (localPort & 0xFFFF);
    }
}
