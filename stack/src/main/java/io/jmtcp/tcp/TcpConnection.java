package io.jmtcp.tcp;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.cc.CongestionControl;
import io.jmtcp.wire.TcpHeader;
import io.jmtcp.wire.TcpOptions;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static io.jmtcp.tcp.SequenceNumbers.ge;
import static io.jmtcp.tcp.SequenceNumbers.gt;
import static io.jmtcp.tcp.SequenceNumbers.le;
import static io.jmtcp.tcp.SequenceNumbers.lt;

/**
 * One TCP connection: its transmission control block (RFC 9293 §3.3.1) and the receive side of
 * the state machine, SEGMENT ARRIVES of RFC 9293 §3.10.7.3–4, checked in the RFC's order.
 * The send side (what to transmit, loss recovery, timers, building segments) is
 * {@link TcpSender}; the engine finds connections, runs timers and calls handlers.
 *
 * <p>Owned by one context's thread. Objects are pooled by the engine: an application must not
 * use a connection after it {@link #close() closed} it and {@link TcpHandler#onClosed} ran.
 */
public final class TcpConnection
{
    /** {@link #receive} result: the peer closed its side and every byte was read. */
    public static final int EOF = -1;
    /** {@link #receive}/{@link #send} result: refused; {@link #error()} or the state says why. */
    public static final int FAILED = -2;

    static final int EVENT_CONNECTED = 1;
    static final int EVENT_READABLE = 2;
    static final int EVENT_WRITABLE = 4;
    static final int EVENT_CLOSED = 8;

    /** Least time between ACKs that answer empty out-of-window segments. */
    static final long OUT_OF_WINDOW_ACK_INTERVAL_NANOS = 500_000_000L;

    /** RFC 7323 §5.5: TS.Recent older than 24 days is invalid (the peer's clock may have wrapped). */
    static final long PAWS_IDLE_NANOS = 24L * 24 * 3600 * 1_000_000_000L;

    final TcpEngine engine;
    final TcpConfig config;
    final SendBuffer sendBuffer;
    final ReceiveBuffer receiveBuffer;
    final RttEstimator rtt;
    final CongestionControl cc;
    final SackScoreboard scoreboard;
    final TcpSender sender;

    TcpState state = TcpState.CLOSED;
    int localIp;
    int localPort;
    int remoteIp;
    int remotePort;
    long flowKey;
    TcpListener listener;
    TcpHandler handler;
    boolean passive;
    boolean fromCookie;
    /**
     * The sharing bits this active open is counted with on its local port in the stack's
     * account, or {@link TcpEngine#NO_PORT_USE}: set by connect, handed to the TIME_WAIT record
     * or given back when the connection leaves the flow table.
     */
    int portUse = TcpEngine.NO_PORT_USE;

    // RFC 9293 §3.3.1 send sequence variables. sndMax is the highest sequence number sent plus one;
    // sndNxt goes back to sndUna after a retransmission timeout (go-back-N), sndMax does not.
    int iss;
    int sndUna;
    int sndNxt;
    int sndMax;
    int sndWnd;
    int sndWl1;
    int sndWl2;
    int maxSndWnd;

    // Receive sequence variables; RCV.NXT itself lives in the receive buffer.
    int irs;
    int rcvAdvertisedRight;

    // Negotiated options (RFC 7323, RFC 2018) and segment sizes.
    int peerMss;
    int pathMss;
    int mssLimit;
    int sndMss;
    int rcvMss;
    boolean windowScaling;
    int sndShift;
    int rcvShift;
    boolean timestampsOn;
    int tsRecent;
    long tsRecentAge;
    int tsOffset;
    int lastAckSent;
    boolean sackOn;

    // Closing.
    boolean finQueued;
    boolean finSent;
    int finSeq;
    boolean peerFinPending;
    int peerFinSeq;
    boolean peerFinReceived;
    boolean appClosed;
    boolean accepted;
    boolean releaseAfterDispatch;
    int error;
    int softError;

    // Receive-side ACK policy (RFC 9293 §3.8.6.3, RFC 5681 §4.2).
    boolean ackNow;
    long lastOutOfWindowAck;
    int unackedSegments;

    // Events for the handler.
    int pendingEvents;
    boolean queuedForEvents;
    boolean inFlowTable;
    boolean pooled;
    private Object attachment;
    private int userMss;

    // Timer bookkeeping of the engine's wheel.
    long timerId = TcpEngine.NO_TIMER;
    long scheduledDeadline;

    TcpConnection(final TcpEngine engine, final TcpConfig config)
    {
        this.engine = engine;
        this.config = config;
        this.sendBuffer = new SendBuffer(config.sendBufferBytes());
        this.receiveBuffer = new ReceiveBuffer(config.receiveBufferBytes(), config.maxOutOfOrderIntervals());
        this.rtt = new RttEstimator(config.initialRtoNanos(), config.minRtoNanos(), config.maxRtoNanos(),
            RttEstimator.DEFAULT_CLOCK_GRANULARITY_NANOS);
        this.cc = config.congestionControl().newInstance();
        this.scoreboard = new SackScoreboard(32);
        this.sender = new TcpSender(this);
    }

    void reset(final int localIp, final int localPort, final int remoteIp, final int remotePort, final long flowKey,
        final TcpHandler handler)
    {
        this.state = TcpState.CLOSED;
        this.localIp = localIp;
        this.localPort = localPort;
        this.remoteIp = remoteIp;
        this.remotePort = remotePort;
        this.flowKey = flowKey;
        this.handler = handler;
        this.attachment = null;
        this.userMss = 0;
        this.listener = null;
        this.passive = false;
        this.fromCookie = false;
        this.portUse = TcpEngine.NO_PORT_USE;
        sndUna = 0;
        sndNxt = 0;
        sndMax = 0;
        sndWnd = 0;
        sndWl1 = 0;
        sndWl2 = 0;
        maxSndWnd = 0;
        irs = 0;
        rcvAdvertisedRight = 0;
        peerMss = TcpConfig.DEFAULT_PEER_MSS;
        windowScaling = false;
        sndShift = 0;
        rcvShift = 0;
        timestampsOn = false;
        tsRecent = 0;
        tsRecentAge = 0;
        lastAckSent = 0;
        sackOn = false;
        finQueued = false;
        finSent = false;
        finSeq = 0;
        peerFinPending = false;
        peerFinSeq = 0;
        peerFinReceived = false;
        appClosed = false;
        error = TcpError.NONE;
        ackNow = false;
        lastOutOfWindowAck = engine.now() - OUT_OF_WINDOW_ACK_INTERVAL_NANOS;
        unackedSegments = 0;
        pendingEvents = 0;
        queuedForEvents = false;
        rtt.reset();
        scoreboard.reset(0);
        scoreboard.resetCounters();
        rcvMss = engine.localMss();
        pathMss = rcvMss;
        mssLimit = Math.min(rcvMss, TcpConfig.DEFAULT_PEER_MSS);
        sndMss = mssLimit;
        softError = TcpError.NONE;
        accepted = false;
        releaseAfterDispatch = false;
        rcvShift = engine.receiveShift();
        tsOffset = engine.timestampOffset(localIp, localPort, remoteIp, remotePort);
        sender.reset();
    }

    // ---------------------------------------------------------------------------------------------
    // Application API (engine level; the socket API of issue 4 sits on it)
    // ---------------------------------------------------------------------------------------------

    /**
     * @return the state.
     */
    public TcpState state()
    {
        return state;
    }

    /**
     * @return why the connection failed, a {@link TcpError} errno; 0 if it did not.
     */
    public int error()
    {
        return error;
    }

    /**
     * @return our IPv4 address.
     */
    public int localIp()
    {
        return localIp;
    }

    /**
     * @return our port.
     */
    public int localPort()
    {
        return localPort;
    }

    /**
     * @return the peer's IPv4 address.
     */
    public int remoteIp()
    {
        return remoteIp;
    }

    /**
     * @return the peer's port.
     */
    public int remotePort()
    {
        return remotePort;
    }

    /**
     * @return what the layer above hung on this connection (the socket API's socket), or null.
     */
    public Object attachment()
    {
        return attachment;
    }

    /**
     * @param attachment what the layer above wants to find from this connection; cleared when
     *                   the connection is reused.
     */
    public void attachment(final Object attachment)
    {
        this.attachment = attachment;
    }

    /**
     * @return the handler that hears this connection's events.
     */
    public TcpHandler handler()
    {
        return handler;
    }

    /**
     * @param handler who hears this connection's events from now on (an accepted connection starts
     *                with its listener's).
     */
    public void handler(final TcpHandler handler)
    {
        this.handler = handler;
    }

    /**
     * Queue bytes for sending; they go out as the windows allow (RFC 9293 §3.10.2, SEND).
     *
     * @param src bytes.
     * @param off first byte in {@code src}.
     * @param len bytes offered.
     * @return bytes accepted (0 when the send buffer is full: wait for
     *         {@link TcpHandler#onWritable}), or {@link #FAILED} when our side is closed or the
     *         connection failed ({@link #error()} is then EPIPE or the failure).
     */
    public int send(final DirectBuffer src, final int off, final int len)
    {
        if (!state.canSendData() || finQueued)
        {
            if (error == TcpError.NONE)
            {
                error = state == TcpState.CLOSED ? TcpError.ENOTCONN : TcpError.EPIPE;
            }
            return FAILED;
        }
        final int accepted = sendBuffer.write(src, off, len);
        if (accepted > 0 && state.synchronizedState())
        {
            sender.output(engine.now());
            // The output may have armed the retransmission or persist timer (RFC 6298 §5.1):
            // the engine's wheel must know, or it fires only with some later, unrelated timer.
            engine.schedule(this);
        }
        return accepted;
    }

    /**
     * Read in-order bytes (RFC 9293 §3.10.3, RECEIVE); reading opens the window, and a window
     * that opened a lot is advertised at once (RFC 9293 §3.8.6.2.2).
     *
     * @param dst    where to copy.
     * @param off    first index in {@code dst}.
     * @param maxLen most bytes.
     * @return bytes read; 0 if none yet; {@link #EOF} after the peer's FIN; {@link #FAILED} if the
     *         connection failed ({@link #error()} says why) with nothing left to read.
     */
    public int receive(final MutableDirectBuffer dst, final int off, final int maxLen)
    {
        if (receiveBuffer.readable() > 0)
        {
            if (maxLen <= 0)
            {
                return 0;
            }
            final int read = receiveBuffer.read(dst, off, maxLen);
            if (state.synchronizedState())
            {
                sender.onApplicationRead(engine.now());
            }
            return read;
        }
        if (peerFinReceived)
        {
            return EOF;
        }
        if (error != TcpError.NONE)
        {
            return FAILED;
        }
        return 0;
    }

    /**
     * @return in-order bytes ready to {@link #receive}.
     */
    public int readable()
    {
        return receiveBuffer.readable();
    }

    /**
     * @return free space in the send buffer.
     */
    public int writable()
    {
        return sendBuffer.free();
    }

    /**
     * @return bytes queued and not yet acknowledged.
     */
    public int unacknowledged()
    {
        return sendBuffer.length();
    }

    /**
     * Close our sending side: FIN after all queued data (RFC 9293 §3.10.4, CLOSE while data may
     * still arrive: half-close). ESTABLISHED becomes FIN_WAIT_1, CLOSE_WAIT becomes LAST_ACK.
     *
     * @return 0, or {@link #FAILED} with {@link #error()} ENOTCONN if the connection is not open.
     */
    public int shutdownWrite()
    {
        switch (state)
        {
            case SYN_SENT:
                // RFC 9293 §3.10.4: CLOSE in SYN-SENT deletes the TCB.
                engine.terminate(this, TcpError.NONE);
                return 0;
            case SYN_RECEIVED:
                // RFC 9293 §3.10.4 lets CLOSE in SYN-RECEIVED "queue for processing after entering
                // ESTABLISHED state". Sending the FIN now would leave our SYN unacknowledged in
                // FIN-WAIT-1, where the retransmission timer resends from SND.UNA as if it were
                // data; establish() carries the close out instead.
                finQueued = true;
                return 0;
            case ESTABLISHED:
                queueFin(TcpState.FIN_WAIT_1);
                return 0;
            case CLOSE_WAIT:
                queueFin(TcpState.LAST_ACK);
                return 0;
            case FIN_WAIT_1:
            case FIN_WAIT_2:
            case CLOSING:
            case LAST_ACK:
            case TIME_WAIT:
                return 0;
            default:
                error = TcpError.ENOTCONN;
                return FAILED;
        }
    }

    /**
     * Close the connection as a socket's close() does: if unread data is waiting, abort with RST
     * (RFC 9293 §3.10.4 and RFC 2525 §2.17: data would be lost silently otherwise); else send FIN
     * after the queued data and let the engine finish the exchange without the application.
     * Data arriving after this resets the connection (RFC 2525 §2.17). Releases the connection
     * for reuse once it is closed; do not use it after this call.
     */
    public void close()
    {
        if (appClosed)
        {
            return;
        }
        appClosed = true;
        if (!inFlowTable)
        {
            // Already ended (CLOSED, or TIME_WAIT kept as a record): only the object is left.
            engine.release(this);
            return;
        }
        if (receiveBuffer.readable() > 0 || receiveBuffer.hasOutOfOrder())
        {
            engine.countUnreadDataReset();
            abort();
            return;
        }
        shutdownWrite();
        if (state == TcpState.FIN_WAIT_2)
        {
            sender.armFinWait2(engine.now());
        }
        engine.schedule(this);
    }

    /**
     * Abort (RFC 9293 §3.10.5): send RST unless the state forbids it, and go to CLOSED at once.
     * Queued data is discarded.
     */
    public void abort()
    {
        final boolean sendReset = state == TcpState.SYN_RECEIVED || state == TcpState.ESTABLISHED ||
            state == TcpState.FIN_WAIT_1 || state == TcpState.FIN_WAIT_2 || state == TcpState.CLOSE_WAIT;
        if (!inFlowTable)
        {
            // Already ended (CLOSED, or TIME_WAIT kept as a record): nothing to abort.
            if (appClosed)
            {
                engine.release(this);
            }
            return;
        }
        if (sendReset)
        {
            sender.sendReset(engine.now());
        }
        engine.terminate(this, TcpError.ECONNABORTED);
    }

    /**
     * @param on true to send small segments at once (no Nagle, RFC 9293 §3.7.4).
     */
    public void noDelay(final boolean on)
    {
        sender.noDelay = on;
        if (state.synchronizedState())
        {
            sender.output(engine.now());
            engine.schedule(this);
        }
    }

    /**
     * @return whether Nagle's algorithm is off.
     */
    public boolean noDelay()
    {
        return sender.noDelay;
    }

    /**
     * Cap the segments we send (the socket option TCP_MAXSEG: "the maximum segment size for
     * outgoing TCP packets", tcp(7)); the MSS we advertise stays the interface's.
     *
     * @param mss bytes of payload and options per segment, at least
     *            {@link TcpConfig#minSendMss()}; 0 removes the cap.
     */
    public void maxSegment(final int mss)
    {
        userMss = mss == 0 ? 0 : Math.max(config.minSendMss(), mss);
        if (state.synchronizedState())
        {
            applyMss();
        }
    }

    /**
     * Keepalive timing of this connection (TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT); the
     * defaults come from {@link TcpConfig}.
     *
     * @param idleNanos     idle time before the first probe; 0 keeps the current value.
     * @param intervalNanos time between unanswered probes; 0 keeps the current value.
     * @param probes        unanswered probes before the connection times out; 0 keeps the
     *                      current value.
     */
    public void keepAliveTiming(final long idleNanos, final long intervalNanos, final int probes)
    {
        if (idleNanos > 0)
        {
            sender.keepAliveIdleNanos = idleNanos;
        }
        if (intervalNanos > 0)
        {
            sender.keepAliveIntervalNanos = intervalNanos;
        }
        if (probes > 0)
        {
            sender.keepAliveProbes = probes;
        }
        sender.touchKeepAlive(engine.now());
        engine.schedule(this);
    }

    /**
     * @param on send keepalive probes on an idle connection (RFC 9293 §3.8.4).
     */
    public void keepAlive(final boolean on)
    {
        sender.keepAlive = on;
        sender.touchKeepAlive(engine.now());
        engine.schedule(this);
    }

    /**
     * @return the smoothed RTT in nanoseconds, 0 before a sample.
     */
    public long srttNanos()
    {
        return rtt.srttNanos();
    }

    /**
     * @return the current retransmission timeout in nanoseconds.
     */
    public long rtoNanos()
    {
        return rtt.rtoNanos();
    }

    /**
     * @return the congestion window in bytes.
     */
    public int cwnd()
    {
        return cc.cwnd();
    }

    /**
     * @return the send MSS in effect (data bytes per full segment, before options).
     */
    public int sendMss()
    {
        return sndMss;
    }

    /**
     * @return the peer's window scale shift, or -1 without window scaling.
     */
    public int sendWindowShift()
    {
        return windowScaling ? sndShift : -1;
    }

    /**
     * @return our window scale shift, or -1 without window scaling.
     */
    public int receiveWindowShift()
    {
        return windowScaling ? rcvShift : -1;
    }

    /**
     * @return whether timestamps were negotiated (RFC 7323 §3.2).
     */
    public boolean timestampsEnabled()
    {
        return timestampsOn;
    }

    /**
     * @return whether SACK was negotiated (RFC 2018 §2).
     */
    public boolean sackEnabled()
    {
        return sackOn;
    }

    /**
     * @return segments retransmitted on this connection.
     */
    public long retransmits()
    {
        return sender.retransmits;
    }

    /**
     * @return the send window the peer offers, in bytes.
     */
    public int sendWindow()
    {
        return sndWnd;
    }

    @Override
    public String toString()
    {
        return "TcpConnection{" + io.jmtcp.wire.Ip4.format(localIp) + ':' + localPort + "->" +
            io.jmtcp.wire.Ip4.format(remoteIp) + ':' + remotePort + ' ' + state + '}';
    }

    // ---------------------------------------------------------------------------------------------
    // Opening (engine calls)
    // ---------------------------------------------------------------------------------------------

    void openActive(final long now)
    {
        iss = engine.isn(localIp, localPort, remoteIp, remotePort, now);
        sndUna = iss;
        sndNxt = iss;
        sndMax = iss;
        sendBuffer.startSequence(iss + 1);
        timestampsOn = config.timestamps();
        sackOn = config.sack();
        windowScaling = config.windowScaling();
        state = TcpState.SYN_SENT;
        sender.sendSyn(now);
    }

    /**
     * A SYN reached a listener: become SYN_RECEIVED (RFC 9293 §3.10.7.2).
     */
    void openPassive(final TcpListener from, final TcpHeader tcp, final TcpOptions options, final long now)
    {
        listener = from;
        passive = true;
        irs = tcp.sequenceNumber();
        receiveBuffer.startSequence(irs + 1);
        iss = engine.isn(localIp, localPort, remoteIp, remotePort, now);
        sndUna = iss;
        sndNxt = iss;
        sndMax = iss;
        sendBuffer.startSequence(iss + 1);
        negotiate(options, now);
        // RFC 7323 §2.2: the window field of a SYN is never scaled.
        sndWnd = tcp.window();
        sndWl1 = irs;
        sndWl2 = iss;
        maxSndWnd = sndWnd;
        state = TcpState.SYN_RECEIVED;
        sender.sendSyn(now);
    }

    /**
     * The ACK of a SYN cookie arrived: the connection starts ESTABLISHED, with what the cookie
     * and the timestamp carried (RFC 4987 §3.6).
     */
    void openFromCookie(final TcpListener from, final TcpHeader tcp, final TcpOptions options, final int mss,
        final long now)
    {
        listener = from;
        passive = true;
        fromCookie = true;
        irs = tcp.sequenceNumber() - 1;
        receiveBuffer.startSequence(irs + 1);
        iss = tcp.ackNumber() - 1;
        sndUna = iss + 1;
        sndNxt = iss + 1;
        sndMax = iss + 1;
        sendBuffer.startSequence(iss + 1);
        peerMss = mss;
        timestampsOn = config.timestamps() && options.hasTimestamps();
        if (timestampsOn)
        {
            final int shift = SynCookies.decodeWindowScale(options.tsEcr());
            windowScaling = config.windowScaling() && shift >= 0;
            sndShift = windowScaling ? shift : 0;
            sackOn = config.sack() && SynCookies.decodeSackPermitted(options.tsEcr());
            tsRecent = options.tsVal();
            tsRecentAge = now;
        }
        if (!windowScaling)
        {
            rcvShift = 0;
        }
        applyMss();
        sndWnd = tcp.window() << sndShift;
        sndWl1 = tcp.sequenceNumber();
        sndWl2 = tcp.ackNumber();
        maxSndWnd = sndWnd;
        rcvAdvertisedRight = receiveBuffer.rcvNxt() + Math.min(receiveBuffer.window(), 0xFFFF << rcvShift);
        lastAckSent = receiveBuffer.rcvNxt();
        establish(now);
    }

    /**
     * Options of the peer's SYN: what both sides offered is on (RFC 7323 §2.2, §3.2; RFC 2018 §2).
     */
    private void negotiate(final TcpOptions options, final long now)
    {
        peerMss = options.hasMss() ? options.mss() : TcpConfig.DEFAULT_PEER_MSS;
        windowScaling = config.windowScaling() && options.hasWindowScale();
        if (windowScaling)
        {
            // RFC 7323 §2.3: a shift above 14 is used as 14.
            sndShift = Math.min(options.windowScale(), 14);
        }
        else
        {
            sndShift = 0;
            rcvShift = 0;
        }
        timestampsOn = config.timestamps() && options.hasTimestamps();
        if (timestampsOn)
        {
            tsRecent = options.tsVal();
            tsRecentAge = now;
        }
        sackOn = config.sack() && options.sackPermitted();
        applyMss();
    }

    /**
     * RFC 9293 §3.7.1 and RFC 6691: the send MSS is the peer's MSS, clamped to sane bounds and to
     * what our own path carries.
     */
    void applyMss()
    {
        mssLimit = Math.min(Math.max(config.minSendMss(), Math.min(peerMss, rcvMss)), pathMss);
        if (userMss > 0)
        {
            mssLimit = Math.min(mssLimit, userMss);
        }
        // RFC 5681 §2: SMSS excludes headers and options; every segment carries timestamps.
        sndMss = mssLimit - (timestampsOn ? TcpSender.TIMESTAMPS_SPACE : 0);
    }

    /**
     * A smaller path MTU was reported (RFC 1191 §6.3).
     *
     * @return true if the send MSS went down.
     */
    boolean reducePathMtu(final int mtu, final long now)
    {
        final int mss = Math.max(config.minSendMss(), mtu - 40);
        if (mss >= pathMss)
        {
            return false;
        }
        pathMss = mss;
        applyMss();
        sender.onMssReduced(now);
        return true;
    }

    private void establish(final long now)
    {
        // A CLOSE queued in SYN-RECEIVED (shutdownWrite) takes effect now: the FIN goes out with
        // the output that follows this segment (RFC 9293 §3.10.4).
        state = finQueued ? TcpState.FIN_WAIT_1 : TcpState.ESTABLISHED;
        cc.reset(sndMss, now);
        scoreboard.reset(sndUna);
        sender.onEstablished(now);
        if (passive)
        {
            engine.onPassiveEstablished(this);
        }
        else
        {
            signal(EVENT_CONNECTED);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // SEGMENT ARRIVES (RFC 9293 §3.10.7)
    // ---------------------------------------------------------------------------------------------

    void onSegment(final TcpHeader tcp, final TcpOptions options, final long now)
    {
        if (state == TcpState.SYN_SENT)
        {
            onSegmentInSynSent(tcp, options, now);
        }
        else
        {
            onSegmentSynchronized(tcp, options, now);
        }
        if (state != TcpState.CLOSED)
        {
            sender.output(now);
            if (ackNow)
            {
                sender.sendAck(now);
            }
            engine.schedule(this);
        }
    }

    /** RFC 9293 §3.10.7.3: SYN-SENT. */
    private void onSegmentInSynSent(final TcpHeader tcp, final TcpOptions options, final long now)
    {
        final int flags = tcp.flags();
        final int seq = tcp.sequenceNumber();
        final int ack = tcp.ackNumber();
        final boolean hasAck = (flags & TcpHeader.ACK) != 0;
        // First: the ACK must acknowledge our SYN, else RST (unless it is a RST).
        if (hasAck && (le(ack, iss) || gt(ack, sndMax)))
        {
            engine.count(StackCounter.TCP_BAD_ACK_IN_SYN_SENT);
            if ((flags & TcpHeader.RST) == 0)
            {
                engine.sendResetFor(localPort, remoteIp, remotePort, ack, 0, false, now);
            }
            return;
        }
        // Second: RST. Accepted only with an acceptable ACK (RFC 5961 §3.2 keeps this rule).
        if ((flags & TcpHeader.RST) != 0)
        {
            if (hasAck)
            {
                engine.count(StackCounter.TCP_RESETS_IN);
                engine.terminate(this, TcpError.ECONNREFUSED);
            }
            return;
        }
        // Fourth: SYN.
        if ((flags & TcpHeader.SYN) == 0)
        {
            return;
        }
        irs = seq;
        receiveBuffer.startSequence(irs + 1);
        negotiate(options, now);
        if (hasAck)
        {
            // RFC 9293 §3.10.7.3: "our SYN has been ACKed": ESTABLISHED.
            sndUna = ack;
            if (lt(sndNxt, sndUna))
            {
                sndNxt = sndUna;
            }
            sender.onSynAcked(now);
            // RFC 7323 §2.2: the window in a SYN is not scaled.
            sndWnd = tcp.window();
            sndWl1 = seq;
            sndWl2 = ack;
            maxSndWnd = sndWnd;
            rcvAdvertisedRight = receiveBuffer.rcvNxt();
            establish(now);
            ackNow = true;
        }
        else
        {
            // Simultaneous open (RFC 9293 §3.10.7.3, Figure 8): SYN-RECEIVED, SYN,ACK with our ISS.
            sndWnd = tcp.window();
            sndWl1 = seq;
            sndWl2 = iss;
            maxSndWnd = sndWnd;
            state = TcpState.SYN_RECEIVED;
            engine.count(StackCounter.TCP_SIMULTANEOUS_OPENS);
            sndNxt = iss;
            sender.sendSyn(now);
        }
    }

    /** RFC 9293 §3.10.7.4: SYN-RECEIVED and the synchronized states. */
    private void onSegmentSynchronized(final TcpHeader tcp, final TcpOptions options, final long now)
    {
        final int flags = tcp.flags();
        final int seq = tcp.sequenceNumber();
        final int payloadLength = tcp.payloadLength();
        final boolean rst = (flags & TcpHeader.RST) != 0;
        final boolean syn = (flags & TcpHeader.SYN) != 0;
        final boolean fin = (flags & TcpHeader.FIN) != 0;
        final int segmentLength = payloadLength + (syn ? 1 : 0) + (fin ? 1 : 0);
        final int rcvNxt = rcvNxt();

        // A retransmitted SYN while our SYN-ACK is unacknowledged: the peer lost our SYN-ACK.
        if (state == TcpState.SYN_RECEIVED && syn && !rst && (flags & TcpHeader.ACK) == 0 && seq == irs)
        {
            engine.count(StackCounter.TCP_SYN_RETRANSMITS_IN);
            sender.sendSyn(now);
            return;
        }

        // RFC 7323 §5.3 R1: PAWS, before the sequence number check.
        if (timestampsOn && options.hasTimestamps() && !rst && lt(options.tsVal(), tsRecent))
        {
            if (now - tsRecentAge > PAWS_IDLE_NANOS)
            {
                // RFC 7323 §5.5: a TS.Recent idle for over 24 days is invalid; accept and renew.
                tsRecent = options.tsVal();
                tsRecentAge = now;
            }
            else if (!disorderedDuplicateAck(tcp, options, segmentLength))
            {
                engine.count(StackCounter.TCP_PAWS_REJECTED);
                ackNow = true;
                return;
            }
        }

        // First: check the sequence number (RFC 9293 §3.10.7.4, the acceptability table).
        final int rcvWnd = Math.max(0, rcvAdvertisedRight - rcvNxt);
        if (!SequenceNumbers.segmentAcceptable(seq, segmentLength, rcvNxt, rcvWnd))
        {
            engine.count(StackCounter.TCP_OUT_OF_WINDOW);
            if (!rst && (segmentLength > 0 || now - lastOutOfWindowAck >= OUT_OF_WINDOW_ACK_INTERVAL_NANOS))
            {
                // "an acknowledgment should be sent in reply (unless the RST bit is set)". Not a
                // challenge ACK: data segments are exempt from the RFC 5961 §7 limit. Replies to
                // empty segments are limited per connection (as Linux's tcp_invalid_ratelimit),
                // so that two ends that disagree cannot exchange ACKs forever; a keepalive probe
                // (RFC 9293 §3.8.4) still gets its answer.
                lastOutOfWindowAck = now;
                ackNow = true;
            }
            return;
        }

        // RFC 7323 §4.3 (2): remember the peer's timestamp for PAWS and for our echo.
        if (timestampsOn && options.hasTimestamps() && le(seq, lastAckSent) && ge(options.tsVal(), tsRecent))
        {
            tsRecent = options.tsVal();
            tsRecentAge = now;
        }

        // Second: RST (RFC 5961 §3.2: exact match resets, otherwise a challenge ACK).
        if (rst)
        {
            onReset(seq, rcvNxt, now);
            return;
        }

        // Fourth: SYN in a synchronized state or SYN-RECEIVED: RFC 5961 §4.2 challenge ACK.
        if (syn)
        {
            engine.count(StackCounter.TCP_SYN_IN_SYNCHRONIZED);
            engine.challengeAck(this, now);
            return;
        }

        // Fifth: ACK.
        if ((flags & TcpHeader.ACK) == 0)
        {
            engine.count(StackCounter.TCP_NO_ACK_DROPPED);
            return;
        }
        if (state == TcpState.SYN_RECEIVED)
        {
            if (!onAckInSynReceived(tcp, now))
            {
                return;
            }
        }
        if (!sender.onAck(tcp, options, now))
        {
            return;
        }
        if (state == TcpState.CLOSED)
        {
            return;
        }

        // Seventh: segment text.
        if (payloadLength > 0)
        {
            if (!onText(tcp, seq, payloadLength, now))
            {
                return;
            }
        }

        // Eighth: FIN. It is processed when RCV.NXT reaches it, so a FIN that arrives out of order
        // is remembered rather than dropped.
        if (fin)
        {
            peerFinPending = true;
            peerFinSeq = seq + payloadLength;
            if (!(state == TcpState.ESTABLISHED || state == TcpState.FIN_WAIT_1 || state == TcpState.FIN_WAIT_2 ||
                state == TcpState.SYN_RECEIVED))
            {
                // CLOSE-WAIT, CLOSING, LAST-ACK: "remain in the state"; acknowledge the repeat.
                peerFinPending = false;
                ackNow = true;
            }
        }
        processPeerFin(payloadLength > 0, now);
    }

    /**
     * A duplicate ACK overtaken by a later segment carries an older timestamp; PAWS would drop it
     * and fast retransmit would miss it. As Linux does ({@code tcp_disordered_ack}), let it pass
     * when it can do no harm: a pure ACK at RCV.NXT that neither acknowledges new data nor
     * changes the window, with a timestamp at most one RTO older than TS.Recent (RFC 7323 §5.3
     * guards against old data being taken as new; such an ACK holds none).
     */
    private boolean disorderedDuplicateAck(final TcpHeader tcp, final TcpOptions options, final int segmentLength)
    {
        final long ageMillis = (tsRecent - options.tsVal()) & 0xFFFFFFFFL;
        return segmentLength == 0 && tcp.flags() == TcpHeader.ACK && tcp.sequenceNumber() == rcvNxt() &&
            tcp.ackNumber() == sndUna && (tcp.window() << sndShift) == sndWnd &&
            ageMillis <= rtt.rtoNanos() / 1_000_000L;
    }

    private void onReset(final int seq, final int rcvNxt, final long now)
    {
        if (seq != rcvNxt)
        {
            engine.count(StackCounter.TCP_RST_CHALLENGED);
            engine.challengeAck(this, now);
            return;
        }
        engine.count(StackCounter.TCP_RESETS_IN);
        switch (state)
        {
            case SYN_RECEIVED:
                // RFC 9293 §3.10.7.4: a passive open returns to LISTEN (the listener stays); an
                // active one (simultaneous open) is refused.
                engine.terminate(this, passive ? TcpError.NONE : TcpError.ECONNREFUSED);
                break;
            case ESTABLISHED:
            case FIN_WAIT_1:
            case FIN_WAIT_2:
            case CLOSE_WAIT:
                engine.terminate(this, TcpError.ECONNRESET);
                break;
            default:
                // CLOSING, LAST-ACK: "enter the CLOSED state, delete the TCB, and return".
                engine.terminate(this, TcpError.NONE);
                break;
        }
    }

    /** RFC 9293 §3.10.7.4, fifth check, SYN-RECEIVED. */
    private boolean onAckInSynReceived(final TcpHeader tcp, final long now)
    {
        final int ack = tcp.ackNumber();
        if (lt(sndUna, ack) && le(ack, sndMax))
        {
            if (passive && listener != null && listener.acceptQueueFull())
            {
                // Like Linux with tcp_abort_on_overflow off: forget the ACK; the peer's
                // retransmission or our SYN-ACK retransmission completes it later.
                listener.overflowed();
                engine.count(StackCounter.TCP_ACCEPT_QUEUE_OVERFLOWS);
                return false;
            }
            sndWnd = tcp.window() << sndShift;
            sndWl1 = tcp.sequenceNumber();
            sndWl2 = ack;
            maxSndWnd = Math.max(maxSndWnd, sndWnd);
            sender.onSynAcked(now);
            establish(now);
            return true;
        }
        engine.count(StackCounter.TCP_BAD_ACK_IN_SYN_RECEIVED);
        engine.sendResetFor(localPort, remoteIp, remotePort, ack, 0, false, now);
        return false;
    }

    /**
     * RFC 9293 §3.10.7.4, seventh check: queue in-order data, hold out-of-order data, and decide
     * when to acknowledge (RFC 5681 §4.2, RFC 9293 §3.8.6.3).
     *
     * @return false if the segment ended the connection.
     */
    private boolean onText(final TcpHeader tcp, final int seq, final int payloadLength, final long now)
    {
        if (!(state == TcpState.ESTABLISHED || state == TcpState.FIN_WAIT_1 || state == TcpState.FIN_WAIT_2))
        {
            // CLOSE-WAIT, CLOSING, LAST-ACK: the peer already sent FIN; data now is a peer error.
            ackNow = true;
            return true;
        }
        if (appClosed)
        {
            // RFC 2525 §2.17 (RFC 9293 §3.10.4 rationale): nobody will read this; reset.
            engine.count(StackCounter.TCP_DATA_AFTER_CLOSE_RESETS);
            sender.sendReset(now);
            engine.terminate(this, TcpError.ECONNRESET);
            return false;
        }
        final int rcvNxtBefore = receiveBuffer.rcvNxt();
        final boolean hadOutOfOrder = receiveBuffer.hasOutOfOrder();
        final int advanced = receiveBuffer.receive(seq, tcp.buffer(), tcp.payloadOffset(), payloadLength);
        if (advanced > 0)
        {
            engine.countDataIn(advanced);
            signal(EVENT_READABLE);
        }
        if (seq != rcvNxtBefore || hadOutOfOrder || receiveBuffer.hasOutOfOrder())
        {
            // RFC 5681 §4.2: out-of-order data, and data filling a hole, are acknowledged at once.
            engine.count(seq != rcvNxtBefore ? StackCounter.TCP_OUT_OF_ORDER_SEGMENTS : StackCounter.TCP_HOLES_FILLED);
            ackNow = true;
        }
        else if (advanced < payloadLength)
        {
            // Part of it was beyond the window or a duplicate: tell the peer where we are.
            ackNow = true;
        }
        else
        {
            sender.onInOrderData(now);
        }
        return true;
    }

    /**
     * RFC 9293 §3.10.7.4, eighth check, once RCV.NXT reaches the FIN.
     *
     * <p>In FIN_WAIT_1 and FIN_WAIT_2 the FIN is acknowledged at once: our FIN has gone, nothing
     * else will carry the ACK. In ESTABLISHED the FIN comes under the delayed-ACK rule like a
     * segment of data (RFC 9293 §3.8.6.3, RFC 5681 §4.2), because the eighth check's
     * acknowledgment "should be piggybacked on a segment being transmitted if possible without
     * incurring undue delay" (RFC 9293 §3.10.7.4, seventh check) and the application's own close
     * usually follows at once: one FIN|ACK then goes out instead of an ACK and a FIN. Linux does
     * the same ({@code tcp_fin} enters delayed-ACK "pingpong" mode on the way to CLOSE_WAIT). The
     * pair also lost our FIN to Linux peers: an ACK that reaches a Linux socket in FIN_WAIT_1
     * while its application is inside {@code close()} lets that close() turn the socket into a
     * TIME_WAIT record, and a FIN following a few microseconds later can be queued to the socket
     * being replaced and dropped ({@code TCP_CLOSE} drop reason), so it came back only with our
     * retransmission timeout (README "Numbers", the short-connection note).
     *
     * @param withText whether the segment that carried the FIN also carried data, already counted
     *                 by {@link #onText} for the delayed-ACK rule.
     */
    private void processPeerFin(final boolean withText, final long now)
    {
        if (!peerFinPending || receiveBuffer.rcvNxt() != peerFinSeq)
        {
            return;
        }
        peerFinPending = false;
        peerFinReceived = true;
        signal(EVENT_READABLE);
        switch (state)
        {
            case SYN_RECEIVED:
            case ESTABLISHED:
                state = TcpState.CLOSE_WAIT;
                if (!withText)
                {
                    // The FIN occupies a sequence number (RFC 9293 §3.4): one more segment to acknowledge.
                    sender.onInOrderData(now);
                }
                break;
            case FIN_WAIT_1:
                ackNow = true;
                if (finAcknowledged())
                {
                    enterTimeWait(now);
                }
                else
                {
                    state = TcpState.CLOSING;
                }
                break;
            case FIN_WAIT_2:
                ackNow = true;
                enterTimeWait(now);
                break;
            default:
                ackNow = true;
                break;
        }
    }

    /**
     * RCV.NXT including the peer's FIN, which occupies one sequence number (RFC 9293 §3.4) that
     * the receive buffer, holding data only, does not count.
     */
    int rcvNxt()
    {
        return receiveBuffer.rcvNxt() + (peerFinReceived ? 1 : 0);
    }

    boolean finAcknowledged()
    {
        return finSent && gt(sndUna, finSeq);
    }

    void queueFin(final TcpState next)
    {
        finQueued = true;
        state = next;
        sender.output(engine.now());
        engine.schedule(this);
    }

    /**
     * Our FIN was acknowledged (the sender calls this): FIN_WAIT_1 to FIN_WAIT_2, CLOSING to
     * TIME_WAIT, LAST_ACK to CLOSED (RFC 9293 §3.10.7.4, fifth check).
     */
    void onFinAcknowledged(final long now)
    {
        switch (state)
        {
            case FIN_WAIT_1:
                state = TcpState.FIN_WAIT_2;
                if (appClosed)
                {
                    sender.armFinWait2(now);
                }
                break;
            case CLOSING:
                enterTimeWait(now);
                break;
            case LAST_ACK:
                engine.terminate(this, TcpError.NONE);
                break;
            default:
                break;
        }
    }

    private void enterTimeWait(final long now)
    {
        state = TcpState.TIME_WAIT;
        // The ACK of the peer's FIN goes out before the connection becomes a record.
        sender.sendAck(now);
        engine.enterTimeWait(this, now);
    }

    /**
     * @return true when no application holds this connection: it closed it, or it was never
     *         accepted.
     */
    boolean orphan()
    {
        return appClosed || (passive && !accepted);
    }

    void signal(final int event)
    {
        pendingEvents |= event;
        engine.queueEvents(this);
    }
}
