package io.jmtcp.api;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.wire.DropReason;
import io.jmtcp.wire.Ip4;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.jmtcp.api.Mtcp.AF_INET;
import static io.jmtcp.api.Mtcp.SOCK_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sockets an errno test needs, made on a virtual {@link ApiFixture} whose contexts have
 * different indexes (A is 0, B is 1): every call of a test runs on A's handle, B is the peer.
 * Closing the world closes whatever it handed out and checks that both socket tables are empty
 * again, so a failed call that leaked a slot fails its test.
 */
final class ApiWorld implements AutoCloseable
{
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    static final int MAX_SOCKETS = 64;
    static final int RING_BYTES = 16 * 1024;
    static final int PORT = 8080;
    /** SYN retransmissions of {@link #timeouts()}. */
    static final int SYN_RETRIES = 2;
    /** Data retransmissions (and zero-window probes) of {@link #timeouts()}. */
    static final int DATA_RETRIES = 3;
    /** An address on A's subnet that nobody answers. */
    static final int NOBODY = Ip4.parse("198.18.0.3");
    private static final byte[] HELLO = {1, 2, 3};

    final ApiFixture f;
    final MtcpContext a;
    final MtcpContext b;
    private final List<long[]> handedOut = new ArrayList<>();
    private int peerListener = -1;
    private int spareStream = -1;
    private int spareEpoll = -1;

    ApiWorld()
    {
        this(ApiFixture.smallTcp());
    }

    ApiWorld(final TcpConfig tcpConfig)
    {
        this(ApiFixture.setup().tcp(tcpConfig));
    }

    private ApiWorld(final ApiFixture.Setup setup)
    {
        f = setup.sockets(new SocketConfig().maxSockets(MAX_SOCKETS).ringBytes(RING_BYTES)).contextIndexB(1).build();
        a = f.a();
        b = f.b();
    }

    /**
     * A world whose contexts run on their own threads: the test thread is an application thread,
     * so calls queue requests for the context and blocking calls block. The helpers that expect
     * calls to run inline ({@link #connected()} and those built on it) do not apply.
     */
    static ApiWorld threaded(final TcpConfig tcpConfig)
    {
        return new ApiWorld(ApiFixture.setup().threaded().tcp(tcpConfig));
    }

    /**
     * Engine tunables for rows that wait for a connection to time out, on the virtual clock: two
     * SYN retransmissions (1 + 2 + 4 s, RFC 6298 §5.5 doubling) and three data retransmissions
     * (RFC 9293 §3.8.3 R2: give up after enough of them) before ETIMEDOUT.
     */
    static TcpConfig timeouts()
    {
        return ApiFixture.smallTcp().synRetries(SYN_RETRIES).dataRetries(DATA_RETRIES);
    }

    /**
     * {@link #timeouts()} for a threaded world, on the real clock: an RTO of 50 ms (doubled on
     * each expiry), so a connect gives up after 350 ms and a connection after 750 ms.
     */
    static TcpConfig timeoutsOnTheRealClock()
    {
        final long rto = TimeUnit.MILLISECONDS.toNanos(50);
        return timeouts().initialRtoNanos(rto).minRtoNanos(rto);
    }

    static SocketSlot slot(final MtcpContext ctx, final int id)
    {
        return ctx.table().slot(SocketTable.indexOf(id));
    }

    static String errno(final MtcpContext ctx)
    {
        return Errno.name(ctx.errno());
    }

    int track(final MtcpContext ctx, final int id)
    {
        assertTrue(id >= 0, () -> "expected an id, got errno " + errno(ctx));
        handedOut.add(new long[] {ctx == a ? 0 : 1, id});
        return id;
    }

    /** A new stream on A. */
    int stream()
    {
        return track(a, Mtcp.socket(a, AF_INET, SOCK_STREAM, 0));
    }

    int bound(final int port)
    {
        final int s = stream();
        assertEquals(0, Mtcp.bind(a, s, 0, port), () -> errno(a));
        return s;
    }

    int reusePortBound(final int port)
    {
        final int s = stream();
        assertEquals(0, Mtcp.setsockopt(a, s, Mtcp.SOL_SOCKET, Mtcp.SO_REUSEPORT, 1));
        assertEquals(0, Mtcp.bind(a, s, 0, port), () -> errno(a));
        return s;
    }

    /** A listener on A. */
    int listener(final int port)
    {
        final int s = bound(port);
        assertEquals(0, Mtcp.listen(a, s, 16), () -> errno(a));
        return s;
    }

    /** A stream on A whose SYN goes to an address that never answers (it stays connecting). */
    int connecting()
    {
        final int s = stream();
        assertEquals(-1, Mtcp.connect(a, s, NOBODY, PORT));
        assertEquals(Errno.EINPROGRESS, a.errno());
        return s;
    }

    /** A's listener-side peer on B, made once. */
    int peerListener()
    {
        if (peerListener < 0)
        {
            peerListener = track(b, Mtcp.socket(b, AF_INET, SOCK_STREAM, 0));
            assertEquals(0, Mtcp.bind(b, peerListener, 0, PORT), () -> errno(b));
            assertEquals(0, Mtcp.listen(b, peerListener, 16), () -> errno(b));
        }
        return peerListener;
    }

    /** @return {client on A, server on B}, established. */
    int[] connected()
    {
        final int listener = peerListener();
        final int client = stream();
        assertEquals(-1, Mtcp.connect(a, client, ApiFixture.B, PORT));
        assertEquals(Errno.EINPROGRESS, a.errno(), () -> errno(a));
        final int[] server = {-1};
        final SockAddr peer = new SockAddr();
        assertTrue(f.runUntil(() -> (server[0] >= 0 || (server[0] = Mtcp.accept(b, listener, null)) >= 0) &&
            Mtcp.getpeername(a, client, peer) == 0, SECOND), "connection established");
        track(b, server[0]);
        return new int[] {client, server[0]};
    }

    /** A stream on A whose connection the peer reset (the stream is terminated, SO_ERROR ECONNRESET). */
    int reset()
    {
        final int[] pair = connected();
        assertEquals(0, Mtcp.abort(b, pair[1]), () -> errno(b));
        assertTrue(f.runUntil(() -> slot(a, pair[0]).phase == SocketSlot.TERMINATED, SECOND), "reset arrived");
        return pair[0];
    }

    /**
     * A stream on A whose connection ended in order: the peer closed first, then A shut its
     * sending side, so A's end goes LAST_ACK to CLOSED (no TIME_WAIT on A's side).
     */
    int ended()
    {
        final int[] pair = connected();
        assertEquals(0, Mtcp.close(b, pair[1]), () -> errno(b));
        assertTrue(f.runUntil(() -> slot(a, pair[0]).peerFin, SECOND), "the peer's FIN arrived");
        assertEquals(0, Mtcp.shutdown(a, pair[0], Mtcp.SHUT_WR), () -> errno(a));
        assertTrue(f.runUntil(() -> slot(a, pair[0]).phase == SocketSlot.ENDED, 5 * SECOND), "ended");
        return pair[0];
    }

    /** A stream on A whose non-blocking connect the peer refused (SO_ERROR ECONNREFUSED). */
    int refused()
    {
        final int s = stream();
        assertEquals(-1, Mtcp.connect(a, s, ApiFixture.B, PORT + 1));
        assertTrue(f.runUntil(() -> slot(a, s).phase == SocketSlot.NEW && slot(a, s).error != 0, SECOND), "refused");
        return s;
    }

    /**
     * A stream on A whose non-blocking connect timed out: the peer's TCP vanished, every SYN was
     * dropped (the first and {@link #SYN_RETRIES} retransmissions), SO_ERROR ETIMEDOUT. Needs
     * {@link #timeouts()}.
     */
    int timedOutConnect()
    {
        return failedConnect(PathFault.Mode.BLACKHOLE);
    }

    /**
     * A stream on A whose connect failed after a router answered each SYN with ICMP host
     * unreachable: a soft error (RFC 1122 §4.2.3.9), reported when the SYN retransmissions ran
     * out (SO_ERROR EHOSTUNREACH). Needs {@link #timeouts()}.
     */
    int unreachableConnect()
    {
        return failedConnect(PathFault.Mode.UNREACHABLE);
    }

    /**
     * A stream on A whose connect went to a neighbour that never answered ARP: each SYN was
     * dropped unsent, which its connection hears as an ICMP host unreachable (a soft error), so
     * the connect fails with EHOSTUNREACH when the SYN retransmissions run out, as on Linux.
     * Needs {@link #timeouts()}.
     */
    int absentNeighbourConnect()
    {
        final int s = connecting();
        assertTrue(f.runUntil(() -> slot(a, s).phase == SocketSlot.NEW, 60 * SECOND), "the connect failed");
        assertTrue(f.contextA().counters().dropped(DropReason.ARP_RESOLUTION_FAILED) >= 1,
            "the SYNs waited for ARP and were dropped");
        return s;
    }

    private int failedConnect(final PathFault.Mode mode)
    {
        peerListener();
        f.pathToB().mode(mode);
        final int s = stream();
        assertEquals(-1, Mtcp.connect(a, s, ApiFixture.B, PORT));
        assertEquals(Errno.EINPROGRESS, a.errno(), () -> errno(a));
        assertTrue(f.runUntil(() -> slot(a, s).phase == SocketSlot.NEW, 60 * SECOND), "the connect failed");
        assertEquals(SYN_RETRIES + 1, f.pathToB().synsDropped(), "the SYN and its retransmissions, unanswered");
        return s;
    }

    /**
     * A stream on A whose connection timed out: the peer vanished with our bytes unacknowledged,
     * and the retransmissions ran out (RFC 9293 §3.8.3 R2). Needs {@link #timeouts()}.
     */
    int timedOut()
    {
        return broken(PathFault.Mode.BLACKHOLE);
    }

    /**
     * A stream on A whose retransmissions a router answered with ICMP host unreachable: a soft
     * error (RFC 1122 §4.2.3.9, RFC 5461), the connection's error when the retransmissions ran
     * out. Needs {@link #timeouts()}.
     */
    int unreachable()
    {
        return broken(PathFault.Mode.UNREACHABLE);
    }

    private int broken(final PathFault.Mode mode)
    {
        final int[] pair = connected();
        f.pathToB().mode(mode);
        assertEquals(HELLO.length, Mtcp.write(a, pair[0], HELLO, 0, HELLO.length), () -> errno(a));
        final long giveUps = a.context().counters().get(StackCounter.TCP_RETRANSMIT_GIVE_UPS);
        assertTrue(f.runUntil(() -> slot(a, pair[0]).phase == SocketSlot.TERMINATED, 60 * SECOND), "timed out");
        assertEquals(giveUps + 1, a.context().counters().get(StackCounter.TCP_RETRANSMIT_GIVE_UPS),
            "the retransmissions ran out");
        return pair[0];
    }

    /**
     * A stream on A whose peer read nothing until its window shut, then vanished: the
     * zero-window probes went unanswered (RFC 9293 §3.8.6.1 keeps the window probed only while
     * the peer answers). Needs {@link #timeouts()}.
     */
    int zeroWindowTimedOut()
    {
        final int s = connected()[0];
        final byte[] chunk = new byte[4096];
        assertTrue(f.runUntil(() ->
        {
            while (Mtcp.write(a, s, chunk, 0, chunk.length) > 0)
            {
                continue;
            }
            return slot(a, s).connection.sendWindow() == 0;
        }, 10 * SECOND), "the peer's window shut");
        f.pathToB().mode(PathFault.Mode.BLACKHOLE);
        final long probes = a.context().counters().get(StackCounter.TCP_ZERO_WINDOW_PROBES);
        assertTrue(f.runUntil(() -> slot(a, s).phase == SocketSlot.TERMINATED, 60 * SECOND), "timed out");
        assertEquals(probes + DATA_RETRIES, a.context().counters().get(StackCounter.TCP_ZERO_WINDOW_PROBES),
            "the window probes went unanswered");
        return s;
    }

    /**
     * A stream on A whose idle connection's keepalive probes (SO_KEEPALIVE, 1 s idle, 1 s apart,
     * two of them) went unanswered: the peer vanished (RFC 1122 §4.2.3.6; RFC 9293 §3.8.4).
     */
    int keepAliveExpired()
    {
        final int[] pair = connected();
        final int s = pair[0];
        assertEquals(0, Mtcp.setsockopt(a, s, Mtcp.SOL_SOCKET, Mtcp.SO_KEEPALIVE, 1));
        assertEquals(0, Mtcp.setsockopt(a, s, Mtcp.IPPROTO_TCP, Mtcp.TCP_KEEPIDLE, 1));
        assertEquals(0, Mtcp.setsockopt(a, s, Mtcp.IPPROTO_TCP, Mtcp.TCP_KEEPINTVL, 1));
        assertEquals(0, Mtcp.setsockopt(a, s, Mtcp.IPPROTO_TCP, Mtcp.TCP_KEEPCNT, 2));
        f.pathToB().mode(PathFault.Mode.BLACKHOLE);
        final long timeouts = a.context().counters().get(StackCounter.TCP_KEEPALIVE_TIMEOUTS);
        assertTrue(f.runUntil(() -> slot(a, s).phase == SocketSlot.TERMINATED, 60 * SECOND), "timed out");
        assertEquals(timeouts + 1, a.context().counters().get(StackCounter.TCP_KEEPALIVE_TIMEOUTS),
            "the keepalive probes went unanswered");
        assertEquals(2, f.pathToB().segmentsDropped(), "two probes");
        return s;
    }

    int epoll()
    {
        return track(a, Mtcp.epollCreate(a, 1));
    }

    /** @return {read end, write end} on A. */
    int[] pipe()
    {
        final int[] fds = new int[2];
        assertEquals(0, Mtcp.pipe(a, fds), () -> errno(a));
        track(a, fds[0]);
        track(a, fds[1]);
        return fds;
    }

    /** The id of a stream that was closed. */
    int stale()
    {
        final int s = Mtcp.socket(a, AF_INET, SOCK_STREAM, 0);
        assertEquals(0, Mtcp.close(a, s), () -> errno(a));
        return s;
    }

    /** An open id of B's context (index 1). */
    int otherContextId()
    {
        return track(b, Mtcp.socket(b, AF_INET, SOCK_STREAM, 0));
    }

    /** An id of A's context whose index lies beyond the table. */
    static int beyondTable()
    {
        return MAX_SOCKETS;
    }

    /** An id of A's context, within the table, that was never handed out. */
    static int neverHandedOut()
    {
        return MAX_SOCKETS - 1;
    }

    /**
     * Fill A's table: every later allocation fails.
     *
     * @return the last id made.
     */
    int fillTable()
    {
        int last = -1;
        while (a.socketsInUse() < MAX_SOCKETS)
        {
            last = stream();
        }
        return last;
    }

    /** A stream made before the row's condition (made on first use, or by {@link #prepareSpares}). */
    int spareStream()
    {
        if (spareStream < 0)
        {
            spareStream = stream();
        }
        return spareStream;
    }

    /** An epoll instance made before the row's condition. */
    int spareEpoll()
    {
        if (spareEpoll < 0)
        {
            spareEpoll = epoll();
        }
        return spareEpoll;
    }

    /** Make the spare ids now, while the context can still hand them out. */
    void prepareSpares()
    {
        spareStream();
        spareEpoll();
    }

    @Override
    public void close()
    {
        try
        {
            for (int i = handedOut.size() - 1; i >= 0; i--)
            {
                final MtcpContext ctx = handedOut.get(i)[0] == 0 ? a : b;
                final int id = (int)handedOut.get(i)[1];
                if (ctx.destroyed())
                {
                    continue;
                }
                CloseCalls.own(ctx, id, false);
                if (Mtcp.close(ctx, id) < 0 && ctx.errno() == Errno.ENOTCONN)
                {
                    assertEquals(0, Mtcp.abort(ctx, id), () -> errno(ctx));
                }
            }
            final boolean empty = f.runUntil(() -> (a.destroyed() || a.socketsInUse() == 0) && b.socketsInUse() == 0,
                10 * SECOND);
            assertTrue(empty, () -> "sockets still in use: A " + a.socketsInUse() + ", B " + b.socketsInUse());
        }
        finally
        {
            f.close();
        }
    }
}
