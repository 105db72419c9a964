package io.jmtcp.api;

import io.jmtcp.tcp.TcpConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

import static io.jmtcp.api.ErrnoRow.idRows;
import static io.jmtcp.api.ErrnoRow.row;
import static io.jmtcp.api.Mtcp.AF_INET;
import static io.jmtcp.api.Mtcp.EPOLLIN;
import static io.jmtcp.api.Mtcp.EPOLL_CTL_ADD;
import static io.jmtcp.api.Mtcp.EPOLL_CTL_DEL;
import static io.jmtcp.api.Mtcp.EPOLL_CTL_MOD;
import static io.jmtcp.api.Mtcp.FIONBIO;
import static io.jmtcp.api.Mtcp.FIONREAD;
import static io.jmtcp.api.Mtcp.IPPROTO_TCP;
import static io.jmtcp.api.Mtcp.MSG_DONTWAIT;
import static io.jmtcp.api.Mtcp.MSG_PEEK;
import static io.jmtcp.api.Mtcp.SHUT_RD;
import static io.jmtcp.api.Mtcp.SHUT_RDWR;
import static io.jmtcp.api.Mtcp.SHUT_WR;
import static io.jmtcp.api.Mtcp.SOCK_NONBLOCK;
import static io.jmtcp.api.Mtcp.SOCK_STREAM;
import static io.jmtcp.api.Mtcp.SOL_SOCKET;
import static io.jmtcp.api.Mtcp.SO_ERROR;
import static io.jmtcp.api.Mtcp.SO_KEEPALIVE;
import static io.jmtcp.api.Mtcp.SO_LINGER;
import static io.jmtcp.api.Mtcp.SO_RCVBUF;
import static io.jmtcp.api.Mtcp.SO_REUSEPORT;
import static io.jmtcp.api.Mtcp.SO_SNDBUF;
import static io.jmtcp.api.Mtcp.SO_TYPE;
import static io.jmtcp.api.Mtcp.TCP_INFO;
import static io.jmtcp.api.Mtcp.TCP_KEEPCNT;
import static io.jmtcp.api.Mtcp.TCP_KEEPIDLE;
import static io.jmtcp.api.Mtcp.TCP_KEEPINTVL;
import static io.jmtcp.api.Mtcp.TCP_MAXSEG;
import static io.jmtcp.api.Mtcp.TCP_NODELAY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every errno each call's Javadoc documents, one table per call, each row in a fresh virtual
 * world (calls run inline on A's context; B is the peer, behind a {@link PathFault} that can make
 * it vanish or have a router report it unreachable). The EAGAIN of a full request queue is in
 * {@link RequestQueueFullTest}, close in {@link CloseErrnoTest}, the errors only an application
 * thread sees (a blocking connect's reason, a blocked call woken, EAGAIN of a non-blocking socket)
 * in {@link ApplicationThreadErrnoTest} and {@link BlockingCallsTest}, the Java layer's in
 * {@link ChannelErrnoTest}.
 */
class SocketCallErrnoTest
{
    private static final byte[] BYTES = new byte[16];
    private static final int BUSY_PORT = 8081;

    // ---------------------------------------------------------------------------------------------
    // socket
    // ---------------------------------------------------------------------------------------------

    static List<ErrnoRow> socketRows()
    {
        return List.of(
            row("context destroyed", Errno.EACCES, w ->
            {
                w.a.destroy();
                return Mtcp.socket(w.a, AF_INET, SOCK_STREAM, 0);
            }),
            row("domain AF_INET6", Errno.EAFNOSUPPORT, w -> Mtcp.socket(w.a, 10, SOCK_STREAM, 0)),
            row("type SOCK_DGRAM", Errno.ESOCKTNOSUPPORT, w -> Mtcp.socket(w.a, AF_INET, 2, 0)),
            row("protocol UDP", Errno.EPROTONOSUPPORT, w -> Mtcp.socket(w.a, AF_INET, SOCK_STREAM, 17)),
            row("socket table full", Errno.EMFILE, w ->
            {
                w.fillTable();
                return Mtcp.socket(w.a, AF_INET, SOCK_STREAM, 0);
            }),
            row("SOCK_NONBLOCK and IPPROTO_TCP", Errno.NONE,
                w -> w.track(w.a, Mtcp.socket(w.a, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_TCP))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("socketRows")
    void socketFailsWithTheDocumentedErrno(final ErrnoRow row)
    {
        row.check();
    }

    // ---------------------------------------------------------------------------------------------
    // bind
    // ---------------------------------------------------------------------------------------------

    static List<ErrnoRow> bindRows()
    {
        final List<ErrnoRow> rows = new ArrayList<>(idRows(ApiWorld::stream, (w, id) -> Mtcp.bind(w.a, id, 0, BUSY_PORT)));
        rows.add(row("already bound", Errno.EINVAL, w -> Mtcp.bind(w.a, w.bound(BUSY_PORT), 0, BUSY_PORT + 1)));
        rows.add(row("a listener", Errno.EINVAL, w -> Mtcp.bind(w.a, w.listener(BUSY_PORT), 0, BUSY_PORT + 1)));
        rows.add(row("connecting", Errno.EINVAL, w -> Mtcp.bind(w.a, w.connecting(), 0, BUSY_PORT)));
        rows.add(row("connected", Errno.EINVAL, w -> Mtcp.bind(w.a, w.connected()[0], 0, BUSY_PORT)));
        rows.add(row("port -1", Errno.EINVAL, w -> Mtcp.bind(w.a, w.stream(), 0, -1)));
        rows.add(row("port 65536", Errno.EINVAL, w -> Mtcp.bind(w.a, w.stream(), 0, 65536)));
        rows.add(row("an epoll instance", Errno.ENOTSOCK, w -> Mtcp.bind(w.a, w.epoll(), 0, BUSY_PORT)));
        rows.add(row("a pipe end", Errno.ENOTSOCK, w -> Mtcp.bind(w.a, w.pipe()[0], 0, BUSY_PORT)));
        rows.add(row("not our address", Errno.EADDRNOTAVAIL, w -> Mtcp.bind(w.a, w.stream(), ApiFixture.B, BUSY_PORT)));
        rows.add(row("port held", Errno.EADDRINUSE, w ->
        {
            w.bound(BUSY_PORT);
            return Mtcp.bind(w.a, w.stream(), 0, BUSY_PORT);
        }));
        rows.add(row("port held, SO_REUSEPORT on the new socket only", Errno.EADDRINUSE, w ->
        {
            w.bound(BUSY_PORT);
            final int s = w.stream();
            Mtcp.setsockopt(w.a, s, SOL_SOCKET, SO_REUSEPORT, 1);
            return Mtcp.bind(w.a, s, 0, BUSY_PORT);
        }));
        rows.add(row("port held, SO_REUSEPORT on both", Errno.NONE, w ->
        {
            w.reusePortBound(BUSY_PORT);
            return w.reusePortBound(BUSY_PORT);
        }));
        rows.add(row("our address, port 0", Errno.NONE, w -> Mtcp.bind(w.a, w.stream(), ApiFixture.A, 0)));
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bindRows")
    void bindFailsWithTheDocumentedErrno(final ErrnoRow row)
    {
        row.check();
    }

    // ---------------------------------------------------------------------------------------------
    // listen
    // ---------------------------------------------------------------------------------------------

    static List<ErrnoRow> listenRows()
    {
        final List<ErrnoRow> rows = new ArrayList<>(idRows(ApiWorld::stream, (w, id) -> Mtcp.listen(w.a, id, 4)));
        rows.add(row("an epoll instance", Errno.ENOTSOCK, w -> Mtcp.listen(w.a, w.epoll(), 4)));
        rows.add(row("a pipe end", Errno.ENOTSOCK, w -> Mtcp.listen(w.a, w.pipe()[1], 4)));
        rows.add(row("connecting", Errno.EINVAL, w -> Mtcp.listen(w.a, w.connecting(), 4)));
        rows.add(row("connected", Errno.EINVAL, w -> Mtcp.listen(w.a, w.connected()[0], 4)));
        rows.add(row("no ephemeral port free", Errno.EADDRINUSE, w ->
        {
            for (int port = w.a.ports().ephemeralFirst(); port <= w.a.ports().ephemeralLast(); port++)
            {
                w.a.ports().bind(port, 0);
            }
            final int s = w.stream();
            final long result = Mtcp.listen(w.a, s, 4);
            assertEquals(SocketSlot.STREAM, ApiWorld.slot(w.a, s).type, "a failed listen leaves a stream");
            return result;
        }));
        rows.add(row("this context already listens on the port", Errno.EADDRINUSE, w ->
        {
            assertEquals(0, Mtcp.listen(w.a, w.reusePortBound(BUSY_PORT), 4));
            final int s = w.reusePortBound(BUSY_PORT);
            final long result = Mtcp.listen(w.a, s, 4);
            assertEquals(SocketSlot.STREAM, ApiWorld.slot(w.a, s).type, "a failed listen leaves a stream");
            return result;
        }));
        rows.add(row("a listener again", Errno.NONE, w -> Mtcp.listen(w.a, w.listener(BUSY_PORT), 0)));
        rows.add(row("unbound: an ephemeral port", Errno.NONE, w -> Mtcp.listen(w.a, w.stream(), 4)));
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("listenRows")
    void listenFailsWithTheDocumentedErrno(final ErrnoRow row)
    {
        row.check();
    }

    // ---------------------------------------------------------------------------------------------
    // accept
    // ---------------------------------------------------------------------------------------------

    static List<ErrnoRow> acceptRows()
    {
        final List<ErrnoRow> rows = new ArrayList<>(idRows(w -> w.listener(BUSY_PORT),
            (w, id) -> Mtcp.accept(w.a, id, null)));
        rows.add(row("a stream, not listening", Errno.EINVAL, w -> Mtcp.accept(w.a, w.stream(), null)));
        rows.add(row("a connected stream", Errno.EINVAL, w -> Mtcp.accept(w.a, w.connected()[0], null)));
        rows.add(row("an epoll instance", Errno.ENOTSOCK, w -> Mtcp.accept(w.a, w.epoll(), null)));
        rows.add(row("a pipe end", Errno.ENOTSOCK, w -> Mtcp.accept(w.a, w.pipe()[0], null)));
        rows.add(row("none waiting", Errno.EAGAIN, w -> Mtcp.accept(w.a, w.listener(BUSY_PORT), new SockAddr())));
        rows.add(row("none waiting, non-blocking listener", Errno.EAGAIN, w ->
        {
            final int l = w.listener(BUSY_PORT);
            Mtcp.ioctl(w.a, l, FIONBIO, new int[] {1});
            return Mtcp.accept(w.a, l, null);
        }));
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptRows")
    void acceptFailsWithTheDocumentedErrno(final ErrnoRow row)
    {
        row.check();
    }

    // ---------------------------------------------------------------------------------------------
    // connect
    // ---------------------------------------------------------------------------------------------

    static List<ErrnoRow> connectRows()
    {
        final List<ErrnoRow> rows = new ArrayList<>(idRows(ApiWorld::stream,
            (w, id) -> Mtcp.connect(w.a, id, ApiFixture.B, ApiWorld.PORT)));
        rows.add(row("non-blocking: under way", Errno.EINPROGRESS, w ->
        {
            w.peerListener();
            return Mtcp.connect(w.a, w.stream(), ApiFixture.B, ApiWorld.PORT);
        }));
        rows.add(row("a connect under way", Errno.EALREADY, w -> Mtcp.connect(w.a, w.connecting(), ApiWorld.NOBODY,
            ApiWorld.PORT)));
        rows.add(row("connected", Errno.EISCONN, w -> Mtcp.connect(w.a, w.connected()[0], ApiFixture.B,
            ApiWorld.PORT)));
        rows.add(row("a listener", Errno.EISCONN, w -> Mtcp.connect(w.a, w.listener(BUSY_PORT), ApiFixture.B,
            ApiWorld.PORT)));
        rows.add(row("an epoll instance", Errno.ENOTSOCK, w -> Mtcp.connect(w.a, w.epoll(), ApiFixture.B,
            ApiWorld.PORT)));
        rows.add(row("a pipe end", Errno.ENOTSOCK, w -> Mtcp.connect(w.a, w.pipe()[1], ApiFixture.B, ApiWorld.PORT)));
        rows.add(row("port 0", Errno.EINVAL, w -> Mtcp.connect(w.a, w.stream(), ApiFixture.B, 0)));
        rows.add(row("port 65536", Errno.EINVAL, w -> Mtcp.connect(w.a, w.stream(), ApiFixture.B, 65536)));
        rows.add(row("address 0", Errno.EINVAL, w -> Mtcp.connect(w.a, w.stream(), 0, ApiWorld.PORT)));
        rows.add(row("multicast address", Errno.ENETUNREACH,
            w -> Mtcp.connect(w.a, w.stream(), io.jmtcp.wire.Ip4.parse("224.0.0.1"), ApiWorld.PORT)));
        rows.add(row("limited broadcast", Errno.ENETUNREACH,
            w -> Mtcp.connect(w.a, w.stream(), io.jmtcp.wire.Ip4.parse("255.255.255.255"), ApiWorld.PORT)));
        rows.add(row("bound port already has a flow to that peer", Errno.EADDRINUSE, w ->
        {
            w.peerListener();
            Mtcp.connect(w.a, w.reusePortBound(40000), ApiFixture.B, ApiWorld.PORT);
            final int s = w.reusePortBound(40000);
            final long result = Mtcp.connect(w.a, s, ApiFixture.B, ApiWorld.PORT);
            assertEquals(SocketSlot.NEW, ApiWorld.slot(w.a, s).phase, "a failed connect leaves the socket new");
            return result;
        }));
        rows.add(row("no connection object left", Errno.ENOBUFS, () -> new ApiWorld(new TcpConfig()
            .maxConnections(1).secret(1, 2)), w ->
        {
            Mtcp.connect(w.a, w.stream(), ApiWorld.NOBODY, ApiWorld.PORT);
            return Mtcp.connect(w.a, w.stream(), ApiWorld.NOBODY, ApiWorld.PORT);
        }));
        rows.add(row("again after a refused connect", Errno.EINPROGRESS, w ->
        {
            final int s = w.refused();
            w.peerListener();
            return Mtcp.connect(w.a, s, ApiFixture.B, ApiWorld.PORT);
        }));
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("connectRows")
    void connectFailsWithTheDocumentedErrno(final ErrnoRow row)
    {
        row.check();
    }

    // ---------------------------------------------------------------------------------------------
    // read, recv, readv
    // ---------------------------------------------------------------------------------------------

    static List<ErrnoRow> readRows()
    {
        final List<ErrnoRow> rows = new ArrayList<>(idRows(w -> w.connected()[0],
            (w, id) -> Mtcp.recv(w.a, id, BYTES, 0, BYTES.length, 0)));
        // read(ByteBuffer) and readv resolve the id themselves.
        for (final ErrnoRow idRow : idRows(w -> w.connected()[0], (w, id) -> Mtcp.read(w.a, id, ByteBuffer.allocate(1))))
        {
            rows.add(idRow.named("read(ByteBuffer): "));
        }
        for (final ErrnoRow idRow : idRows(w -> w.connected()[0], (w, id) -> Mtcp.readv(w.a, id, buffers(2))))
        {
            rows.add(idRow.named("readv: "));
        }
        rows.add(row("null buffer", Errno.EFAULT, w -> Mtcp.read(w.a, w.connected()[0], null, 0, 1)));
        rows.add(row("negative offset", Errno.EFAULT, w -> Mtcp.read(w.a, w.connected()[0], BYTES, -1, 1)));
        rows.add(row("length beyond the array", Errno.EFAULT, w -> Mtcp.read(w.a, w.connected()[0], BYTES, 8, 9)));
        rows.add(row("null ByteBuffer", Errno.EFAULT, w -> Mtcp.read(w.a, w.connected()[0], (ByteBuffer)null)));
        rows.add(row("readv: null array", Errno.EFAULT, w -> Mtcp.readv(w.a, w.connected()[0], null)));
        rows.add(row("readv: null element", Errno.EFAULT,
            w -> Mtcp.readv(w.a, w.connected()[0], new ByteBuffer[] {ByteBuffer.allocate(1), null})));
        rows.add(row("readv: more than 1024 buffers", Errno.EINVAL,
            w -> Mtcp.readv(w.a, w.connected()[0], buffers(1025))));
        rows.add(row("unknown flag", Errno.EINVAL, w -> Mtcp.recv(w.a, w.connected()[0], BYTES, 0, 1, 0x1)));
        rows.add(row("an epoll instance", Errno.EINVAL, w -> Mtcp.read(w.a, w.epoll(), BYTES, 0, 1)));
        rows.add(row("not connected", Errno.ENOTCONN, w -> Mtcp.read(w.a, w.stream(), BYTES, 0, 1)));
        rows.add(row("a listener", Errno.ENOTCONN, w -> Mtcp.read(w.a, w.listener(BUSY_PORT), BYTES, 0, 1)));
        rows.add(row("a pipe's write end", Errno.EBADF, w -> Mtcp.read(w.a, w.pipe()[1], BYTES, 0, 1)));
        rows.add(row("nothing yet", Errno.EAGAIN, w -> Mtcp.read(w.a, w.connected()[0], BYTES, 0, 1)));
        rows.add(row("nothing yet, MSG_PEEK | MSG_DONTWAIT", Errno.EAGAIN,
            w -> Mtcp.recv(w.a, w.connected()[0], BYTES, 0, 1, MSG_PEEK | MSG_DONTWAIT)));
        rows.add(row("readv: nothing yet", Errno.EAGAIN, w -> Mtcp.readv(w.a, w.connected()[0], buffers(2))));
        rows.add(row("an empty pipe", Errno.EAGAIN, w -> Mtcp.read(w.a, w.pipe()[0], BYTES, 0, 1)));
        rows.add(row("reset by the peer", Errno.ECONNRESET, w -> Mtcp.read(w.a, w.reset(), BYTES, 0, 1)));
        rows.add(row("readv: reset by the peer", Errno.ECONNRESET, w -> Mtcp.readv(w.a, w.reset(), buffers(2))));
        rows.add(row("readv: bytes, then the peer's reset: the bytes now, the reset next", Errno.ECONNRESET, w ->
        {
            final int[] pair = w.connected();
            assertEquals(2, Mtcp.write(w.b, pair[1], BYTES, 0, 2));
            final int[] ready = new int[1];
            assertTrue(w.f.runUntil(() -> Mtcp.ioctl(w.a, pair[0], FIONREAD, ready) == 0 && ready[0] == 2,
                ApiWorld.SECOND), "the bytes arrived");
            assertEquals(0, Mtcp.abort(w.b, pair[1]));
            assertTrue(w.f.runUntil(() -> ApiWorld.slot(w.a, pair[0]).phase == SocketSlot.TERMINATED, ApiWorld.SECOND),
                "the reset arrived");
            assertEquals(2, Mtcp.readv(w.a, pair[0], buffers(3)), "the bytes before the reset");
            return Mtcp.read(w.a, pair[0], BYTES, 0, 1);
        }));
        rows.add(row("the reset is reported once, then end of stream", Errno.NONE, w ->
        {
            final int s = w.reset();
            assertEquals(-1, Mtcp.read(w.a, s, BYTES, 0, 1));
            assertEquals(0, Mtcp.read(w.a, s, BYTES, 0, 1));
            return 0;
        }));
        rows.add(row("a refused connect", Errno.ECONNREFUSED, w -> Mtcp.read(w.a, w.refused(), BYTES, 0, 1)));
        rows.add(timeoutRow("a connect whose SYNs went unanswered", Errno.ETIMEDOUT,
            w -> Mtcp.read(w.a, w.timedOutConnect(), BYTES, 0, 1)));
        rows.add(timeoutRow("a connect answered with ICMP host unreachable", Errno.EHOSTUNREACH,
            w -> Mtcp.read(w.a, w.unreachableConnect(), BYTES, 0, 1)));
        rows.add(timeoutRow("a connect to a neighbour that never answers ARP", Errno.EHOSTUNREACH,
            w -> Mtcp.read(w.a, w.absentNeighbourConnect(), BYTES, 0, 1)));
        rows.add(timeoutRow("retransmissions unanswered", Errno.ETIMEDOUT, w -> Mtcp.read(w.a, w.timedOut(), BYTES, 0, 1)));
        rows.add(timeoutRow("readv: retransmissions unanswered", Errno.ETIMEDOUT,
            w -> Mtcp.readv(w.a, w.timedOut(), buffers(2))));
        rows.add(timeoutRow("read(ByteBuffer): retransmissions unanswered", Errno.ETIMEDOUT,
            w -> Mtcp.read(w.a, w.timedOut(), ByteBuffer.allocate(1))));
        rows.add(row("keepalive probes unanswered", Errno.ETIMEDOUT, w -> Mtcp.read(w.a, w.keepAliveExpired(), BYTES, 0, 1)));
        rows.add(timeoutRow("retransmissions answered with ICMP host unreachable", Errno.EHOSTUNREACH,
            w -> Mtcp.read(w.a, w.unreachable(), BYTES, 0, 1)));
        rows.add(timeoutRow("the timeout is reported once, then end of stream", Errno.NONE, w ->
        {
            final int s = w.timedOut();
            assertEquals(-1, Mtcp.read(w.a, s, BYTES, 0, 1));
            assertEquals(Errno.name(Errno.ETIMEDOUT), ApiWorld.errno(w.a));
            return Mtcp.read(w.a, s, BYTES, 0, 1);
        }));
        rows.add(row("the peer's FIN: end of stream", Errno.NONE, w ->
        {
            final int[] pair = w.connected();
            Mtcp.shutdown(w.b, pair[1], SHUT_WR);
            w.f.runUntil(() -> ApiWorld.slot(w.a, pair[0]).peerFin, ApiWorld.SECOND);
            assertEquals(0, Mtcp.read(w.a, pair[0], BYTES, 0, 1));
            return 0;
        }));
        return rows;
    }

    private static ByteBuffer[] buffers(final int count)
    {
        final ByteBuffer[] buffers = new ByteBuffer[count];
        for (int i = 0; i < count; i++)
        {
            buffers[i] = ByteBuffer.allocate(1);
        }
        return buffers;
    }

    /** A row whose world times connections out quickly ({@link ApiWorld#timeouts()}). */
    private static ErrnoRow timeoutRow(final String condition, final int errno,
        final ToLongFunction<ApiWorld> call)
    {
        return row(condition, errno, () -> new ApiWorld(ApiWorld.timeouts()), call);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readRows")
    void readFailsWithTheDocumentedErrno(final ErrnoRow row)
    {
        row.check();
    }

    // ---------------------------------------------------------------------------------------------
    // write, writev
    // ---------------------------------------------------------------------------------------------

    static List<ErrnoRow> writeRows()
    {
        final List<ErrnoRow> rows = new ArrayList<>(idRows(w -> w.connected()[0],
            (w, id) -> Mtcp.write(w.a, id, BYTES, 0, 1)));
        // write(ByteBuffer) and writev resolve the id themselves.
        for (final ErrnoRow idRow : idRows(w -> w.connected()[0], (w, id) -> Mtcp.write(w.a, id, ByteBuffer.allocate(1))))
        {
            rows.add(idRow.named("write(ByteBuffer): "));
        }
        for (final ErrnoRow idRow : idRows(w -> w.connected()[0], (w, id) -> Mtcp.writev(w.a, id, buffers(2))))
        {
            rows.add(idRow.named("writev: "));
        }
        rows.add(row("null buffer", Errno.EFAULT, w -> Mtcp.write(w.a, w.connected()[0], null, 0, 1)));
        rows.add(row("negative offset", Errno.EFAULT, w -> Mtcp.write(w.a, w.connected()[0], BYTES, -1, 1)));
        rows.add(row("length beyond the array", Errno.EFAULT, w -> Mtcp.write(w.a, w.connected()[0], BYTES, 0, 17)));
        rows.add(row("null ByteBuffer", Errno.EFAULT, w -> Mtcp.write(w.a, w.connected()[0], (ByteBuffer)null)));
        rows.add(row("writev: null array", Errno.EFAULT, w -> Mtcp.writev(w.a, w.connected()[0], null)));
        rows.add(row("writev: null element", Errno.EFAULT,
            w -> Mtcp.writev(w.a, w.connected()[0], new ByteBuffer[] {ByteBuffer.allocate(1), null})));
        rows.add(row("writev: more than 1024 buffers", Errno.EINVAL,
            w -> Mtcp.writev(w.a, w.connected()[0], buffers(1025))));
        rows.add(row("an epoll instance", Errno.EINVAL, w -> Mtcp.write(w.a, w.epoll(), BYTES, 0, 1)));
        rows.add(row("not connected", Errno.ENOTCONN, w -> Mtcp.write(w.a, w.stream(), BYTES, 0, 1)));
        rows.add(row("a listener", Errno.ENOTCONN, w -> Mtcp.write(w.a, w.listener(BUSY_PORT), BYTES, 0, 1)));
        rows.add(row("after SHUT_WR", Errno.EPIPE, w ->
        {
            final int s = w.connected()[0];
            Mtcp.shutdown(w.a, s, SHUT_WR);
            return Mtcp.write(w.a, s, BYTES, 0, 1);
        }));
        rows.add(row("the connection ended", Errno.EPIPE, w -> Mtcp.write(w.a, w.ended(), BYTES, 0, 1)));
        rows.add(row("writev: the connection ended", Errno.EPIPE, w -> Mtcp.writev(w.a, w.ended(), buffers(2))));
        rows.add(row("a pipe whose read end is closed", Errno.EPIPE, w ->
        {
            final int[] fds = w.pipe();
            Mtcp.close(w.a, fds[0]);
            return Mtcp.write(w.a, fds[1], BYTES, 0, 1);
        }));
        rows.add(row("reset by the peer", Errno.ECONNRESET, w -> Mtcp.write(w.a, w.reset(), BYTES, 0, 1)));
        rows.add(row("the reset is reported once, then EPIPE", Errno.EPIPE, w ->
        {
            final int s = w.reset();
            assertEquals(-1, Mtcp.write(w.a, s, BYTES, 0, 1));
            assertEquals(Errno.ECONNRESET, w.a.errno());
            return Mtcp.write(w.a, s, BYTES, 0, 1);
        }));
        rows.add(row("a refused connect", Errno.ECONNREFUSED, w -> Mtcp.write(w.a, w.refused(), BYTES, 0, 1)));
        rows.add(timeoutRow("a connect whose SYNs went unanswered", Errno.ETIMEDOUT,
            w -> Mtcp.write(w.a, w.timedOutConnect(), BYTES, 0, 1)));
        rows.add(timeoutRow("a connect answered with ICMP host unreachable", Errno.EHOSTUNREACH,
            w -> Mtcp.write(w.a, w.unreachableConnect(), BYTES, 0, 1)));
        rows.add(timeoutRow("retransmissions unanswered", Errno.ETIMEDOUT, w -> Mtcp.write(w.a, w.timedOut(), BYTES, 0, 1)));
        rows.add(timeoutRow("writev: retransmissions unanswered", Errno.ETIMEDOUT,
            w -> Mtcp.writev(w.a, w.timedOut(), buffers(2))));
        rows.add(timeoutRow("write(ByteBuffer): retransmissions unanswered", Errno.ETIMEDOUT,
            w -> Mtcp.write(w.a, w.timedOut(), ByteBuffer.allocate(1))));
        rows.add(row("keepalive probes unanswered", Errno.ETIMEDOUT,
            w -> Mtcp.write(w.a, w.keepAliveExpired(), BYTES, 0, 1)));
        rows.add(timeoutRow("zero-window probes unanswered", Errno.ETIMEDOUT,
            w -> Mtcp.write(w.a, w.zeroWindowTimedOut(), BYTES, 0, 1)));
        rows.add(timeoutRow("retransmissions answered with ICMP host unreachable", Errno.EHOSTUNREACH,
            w -> Mtcp.write(w.a, w.unreachable(), BYTES, 0, 1)));
        rows.add(timeoutRow("the timeout is reported once, then EPIPE", Errno.EPIPE, w ->
        {
            final int s = w.timedOut();
            assertEquals(-1, Mtcp.write(w.a, s, BYTES, 0, 1));
            assertEquals(Errno.name(Errno.ETIMEDOUT), ApiWorld.errno(w.a));
            return Mtcp.write(w.a, s, BYTES, 0, 1);
        }));
        rows.add(row("send ring full", Errno.EAGAIN, w ->
        {
            final int s = w.connected()[0];
            final byte[] chunk = new byte[4096];
            long result;
            int writes = 0;
            while ((result = Mtcp.write(w.a, s, chunk, 0, chunk.length)) > 0 && writes++ < 1000)
            {
                assertTrue(result <= chunk.length);
            }
            return result;
        }));
        rows.add(row("a full pipe", Errno.EAGAIN, w ->
        {
            final int[] fds = w.pipe();
            final byte[] chunk = new byte[ApiWorld.RING_BYTES];
            assertEquals(ApiWorld.RING_BYTES, Mtcp.write(w.a, fds[1], chunk, 0, chunk.length));
            return Mtcp.write(w.a, fds[1], chunk, 0, 1);
        }));
        rows.add(row("a pipe's read end", Errno.EBADF, w -> Mtcp.write(w.a, w.pipe()[0], BYTES, 0, 1)));
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("writeRows")
    void writeFailsWithTheDocumentedErrno(final ErrnoRow row)
    {
        row.check();
    }

    // ---------------------------------------------------------------------------------------------
    // shutdown, abort
    // ---------------------------------------------------------------------------------------------

    static List<ErrnoRow> shutdownRows()
    {
        final List<ErrnoRow> rows = new ArrayList<>(idRows(w -> w.connected()[0],
            (w, id) -> Mtcp.shutdown(w.a, id, SHUT_WR)));
        rows.add(row("how 3", Errno.EINVAL, w -> Mtcp.shutdown(w.a, w.connected()[0], 3)));
        rows.add(row("how -1", Errno.EINVAL, w -> Mtcp.shutdown(w.a, w.connected()[0], -1)));
        rows.add(row("an epoll instance", Errno.ENOTSOCK, w -> Mtcp.shutdown(w.a, w.epoll(), SHUT_WR)));
        rows.add(row("a pipe end", Errno.ENOTSOCK, w -> Mtcp.shutdown(w.a, w.pipe()[1], SHUT_WR)));
        rows.add(row("not connected", Errno.ENOTCONN, w -> Mtcp.shutdown(w.a, w.stream(), SHUT_WR)));
        rows.add(row("connecting", Errno.ENOTCONN, w -> Mtcp.shutdown(w.a, w.connecting(), SHUT_WR)));
        rows.add(row("a listener", Errno.ENOTCONN, w -> Mtcp.shutdown(w.a, w.listener(BUSY_PORT), SHUT_RDWR)));
        rows.add(row("terminated by a reset", Errno.ENOTCONN, w -> Mtcp.shutdown(w.a, w.reset(), SHUT_WR)));
        rows.add(timeoutRow("terminated by a timeout", Errno.ENOTCONN, w -> Mtcp.shutdown(w.a, w.timedOut(), SHUT_RD)));
        rows.add(row("SHUT_RD: reads return 0", Errno.NONE, w ->
        {
            final int s = w.connected()[0];
            assertEquals(0, Mtcp.shutdown(w.a, s, SHUT_RD));
            assertEquals(0, Mtcp.read(w.a, s, BYTES, 0, 1));
            return 0;
        }));
        rows.add(row("SHUT_RDWR twice", Errno.NONE, w ->
        {
            final int s = w.connected()[0];
            assertEquals(0, Mtcp.shutdown(w.a, s, SHUT_RDWR));
            return Mtcp.shutdown(w.a, s, SHUT_RDWR);
        }));
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shutdownRows")
    void shutdownFailsWithTheDocumentedErrno(final ErrnoRow row)
    {
        row.check();
    }

    static List<ErrnoRow> abortRows()
    {
        final List<ErrnoRow> rows = new ArrayList<>(idRows(w -> w.connected()[0], (w, id) -> Mtcp.abort(w.a, id)));
        rows.add(row("a listener", Errno.ENOTSOCK, w -> Mtcp.abort(w.a, w.listener(BUSY_PORT))));
        rows.add(row("an epoll instance", Errno.ENOTSOCK, w -> Mtcp.abort(w.a, w.epoll())));
        rows.add(row("a pipe end", Errno.ENOTSOCK, w -> Mtcp.abort(w.a, w.pipe()[0])));
        rows.add(row("held by a channel", Errno.EINVAL, w ->
        {
            final int s = w.connected()[0];
            CloseCalls.own(w.a, s, true);
            return Mtcp.abort(w.a, s);
        }));
        rows.add(row("a new socket", Errno.NONE, w -> Mtcp.abort(w.a, w.stream())));
        rows.add(row("connecting", Errno.NONE, w -> Mtcp.abort(w.a, w.connecting())));
        rows.add(row("terminated by a reset", Errno.NONE, w -> Mtcp.abort(w.a, w.reset())));
        rows.add(row("twice: the id is freed once", Errno.EBADF, w ->
        {
            final int s = w.connected()[0];
            assertEquals(0, Mtcp.abort(w.a, s));
            return Mtcp.abort(w.a, s);
        }));
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("abortRows")
    void abortFailsWithTheDocumentedErrno(final ErrnoRow row)
    {
        row.check();
    }

    // ---------------------------------------------------------------------------------------------
    // getsockname, getpeername
    // ---------------------------------------------------------------------------------------------

    static List<ErrnoRow> getsocknameRows()
    {
        final List<ErrnoRow> rows = new ArrayList<>(idRows(ApiWorld::stream,
            (w, id) -> Mtcp.getsockname(w.a, id, new SockAddr())));
        rows.add(row("null address", Errno.EFAULT, w -> Mtcp.getsockname(w.a, w.stream(), null)));
        rows.add(row("an epoll instance", Errno.ENOTSOCK, w -> Mtcp.getsockname(w.a, w.epoll(), new SockAddr())));
        rows.add(row("a pipe end", Errno.ENOTSOCK, w -> Mtcp.getsockname(w.a, w.pipe()[0], new SockAddr())));
        rows.add(row("a listener", Errno.NONE, w -> Mtcp.getsockname(w.a, w.listener(BUSY_PORT), new SockAddr())));
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("getsocknameRows")
    void getsocknameFailsWithTheDocumentedErrno(final ErrnoRow row)
    {
        row.check();
    }

    static List<ErrnoRow> getpeernameRows()
    {
        final List<ErrnoRow> rows = new ArrayList<>(idRows(w -> w.connected()[0],
            (w, id) -> Mtcp.getpeername(w.a, id, new SockAddr())));
        rows.add(row("null address", Errno.EFAULT, w -> Mtcp.getpeername(w.a, w.connected()[0], null)));
        rows.add(row("not connected", Errno.ENOTCONN, w -> Mtcp.getpeername(w.a, w.stream(), new SockAddr())));
        rows.add(row("connecting", Errno.ENOTCONN, w -> Mtcp.getpeername(w.a, w.connecting(), new SockAddr())));
        rows.add(row("a listener", Errno.ENOTCONN,
            w -> Mtcp.getpeername(w.a, w.listener(BUSY_PORT), new SockAddr())));
        rows.add(row("an epoll instance", Errno.ENOTSOCK, w -> Mtcp.getpeername(w.a, w.epoll(), new SockAddr())));
        rows.add(row("a pipe end", Errno.ENOTSOCK, w -> Mtcp.getpeername(w.a, w.pipe()[1], new SockAddr())));
        rows.add(row("terminated: the peer is still known", Errno.NONE,
            w -> Mtcp.getpeername(w.a, w.reset(), new SockAddr())));
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("getpeernameRows")
    void getpeernameFailsWithTheDocumentedErrno(final ErrnoRow row)
    {
        row.check();
    }

    // ---------------------------------------------------------------------------------------------
    // setsockopt, getsockopt
    // ---------------------------------------------------------------------------------------------

    static List<ErrnoRow> setsockoptRows()
    {
        final List<ErrnoRow> rows = new ArrayList<>(idRows(ApiWorld::stream,
            (w, id) -> Mtcp.setsockopt(w.a, id, IPPROTO_TCP, TCP_NODELAY, 1)));
        rows.add(setRow("unknown level", Errno.ENOPROTOOPT, 99, TCP_NODELAY, 1));
        rows.add(setRow("unknown SOL_SOCKET option", Errno.ENOPROTOOPT, SOL_SOCKET, 999, 1));
        rows.add(setRow("unknown IPPROTO_TCP option", Errno.ENOPROTOOPT, IPPROTO_TCP, 999, 1));
        rows.add(setRow("SO_ERROR is read-only", Errno.ENOPROTOOPT, SOL_SOCKET, SO_ERROR, 1));
        rows.add(setRow("SO_TYPE is read-only", Errno.ENOPROTOOPT, SOL_SOCKET, SO_TYPE, 1));
        rows.add(setRow("TCP_INFO is read-only", Errno.ENOPROTOOPT, IPPROTO_TCP, TCP_INFO, 1));
        rows.add(setRow("SO_LINGER -2", Errno.EINVAL, SOL_SOCKET, SO_LINGER, -2));
        rows.add(setRow("SO_SNDBUF 0", Errno.EINVAL, SOL_SOCKET, SO_SNDBUF, 0));
        rows.add(setRow("SO_RCVBUF -1", Errno.EINVAL, SOL_SOCKET, SO_RCVBUF, -1));
        rows.add(setRow("TCP_MAXSEG 87", Errno.EINVAL, IPPROTO_TCP, TCP_MAXSEG, 87));
        rows.add(setRow("TCP_MAXSEG 65536", Errno.EINVAL, IPPROTO_TCP, TCP_MAXSEG, 65536));
        rows.add(setRow("TCP_KEEPIDLE 0", Errno.EINVAL, IPPROTO_TCP, TCP_KEEPIDLE, 0));
        rows.add(setRow("TCP_KEEPIDLE 32768", Errno.EINVAL, IPPROTO_TCP, TCP_KEEPIDLE, 32768));
        rows.add(setRow("TCP_KEEPINTVL 0", Errno.EINVAL, IPPROTO_TCP, TCP_KEEPINTVL, 0));
        rows.add(setRow("TCP_KEEPCNT 0", Errno.EINVAL, IPPROTO_TCP, TCP_KEEPCNT, 0));
        rows.add(setRow("TCP_KEEPCNT 128", Errno.EINVAL, IPPROTO_TCP, TCP_KEEPCNT, 128));
        rows.add(row("an epoll instance", Errno.ENOTSOCK,
            w -> Mtcp.setsockopt(w.a, w.epoll(), IPPROTO_TCP, TCP_NODELAY, 1)));
        rows.add(row("a pipe end", Errno.ENOTSOCK, w -> Mtcp.setsockopt(w.a, w.pipe()[0], SOL_SOCKET, SO_KEEPALIVE, 1)));
        rows.add(row("SO_KEEPALIVE on a connection", Errno.NONE,
            w -> Mtcp.setsockopt(w.a, w.connected()[0], SOL_SOCKET, SO_KEEPALIVE, 1)));
        rows.add(row("TCP_MAXSEG on a listener", Errno.NONE,
            w -> Mtcp.setsockopt(w.a, w.listener(BUSY_PORT), IPPROTO_TCP, TCP_MAXSEG, 1000)));
        return rows;
    }

    private static ErrnoRow setRow(final String condition, final int errno, final int level, final int option,
        final int value)
    {
        return row(condition, errno, w ->
        {
            final int s = w.stream();
            final int[] before = new int[1];
            final boolean readable = Mtcp.getsockopt(w.a, s, level, option, before) == 0;
            final long result = Mtcp.setsockopt(w.a, s, level, option, value);
            if (readable && result < 0)
            {
                final int errno1 = w.a.errno();
                final int[] after = new int[1];
                assertEquals(0, Mtcp.getsockopt(w.a, s, level, option, after));
                assertEquals(before[0], after[0], "a refused option is unchanged");
                w.a.fail(errno1);
            }
            return result;
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setsockoptRows")
    void setsockoptFailsWithTheDocumentedErrno(final ErrnoRow row)
    {
        row.check();
    }

    static List<ErrnoRow> getsockoptRows()
    {
        final List<ErrnoRow> rows = new ArrayList<>(idRows(ApiWorld::stream,
            (w, id) -> Mtcp.getsockopt(w.a, id, SOL_SOCKET, SO_ERROR, new int[1])));
        rows.add(row("null array", Errno.EFAULT,
            w -> Mtcp.getsockopt(w.a, w.stream(), SOL_SOCKET, SO_ERROR, (int[])null)));
        rows.add(row("empty array", Errno.EFAULT, w -> Mtcp.getsockopt(w.a, w.stream(), SOL_SOCKET, SO_ERROR,
            new int[0])));
        rows.add(row("unknown level", Errno.ENOPROTOOPT, w -> Mtcp.getsockopt(w.a, w.stream(), 99, SO_ERROR,
            new int[1])));
        rows.add(row("unknown option", Errno.ENOPROTOOPT, w -> Mtcp.getsockopt(w.a, w.stream(), SOL_SOCKET, 999,
            new int[1])));
        rows.add(row("TCP_INFO into an int", Errno.ENOPROTOOPT,
            w -> Mtcp.getsockopt(w.a, w.connected()[0], IPPROTO_TCP, TCP_INFO, new int[1])));
        rows.add(row("an epoll instance", Errno.ENOTSOCK,
            w -> Mtcp.getsockopt(w.a, w.epoll(), SOL_SOCKET, SO_TYPE, new int[1])));
        rows.add(row("a pipe end", Errno.ENOTSOCK,
            w -> Mtcp.getsockopt(w.a, w.pipe()[1], SOL_SOCKET, SO_TYPE, new int[1])));
        rows.add(row("TCP_MAXSEG of a connection", Errno.NONE, w ->
        {
            final int[] mss = new int[1];
            assertEquals(0, Mtcp.getsockopt(w.a, w.connected()[0], IPPROTO_TCP, TCP_MAXSEG, mss));
            assertTrue(mss[0] > 536 && mss[0] <= 1460, () -> "the MSS in use on a 1500-byte link: " + mss[0]);
            return 0;
        }));
        rows.add(timeoutRow("SO_ERROR and EPOLLERR of a connect whose SYNs went unanswered", Errno.NONE, w ->
        {
            final int s = w.timedOutConnect();
            final int ep = w.epoll();
            assertEquals(0, Mtcp.epollCtl(w.a, ep, EPOLL_CTL_ADD, s, Mtcp.EPOLLOUT, s));
            final EpollEvents events = new EpollEvents(1);
            assertEquals(1, Mtcp.epollWait(w.a, ep, events, 1, 0));
            assertEquals(Mtcp.EPOLLERR, events.events(0) & Mtcp.EPOLLERR, "EPOLLERR with the pending error");
            final int[] error = new int[1];
            assertEquals(0, Mtcp.getsockopt(w.a, s, SOL_SOCKET, SO_ERROR, error));
            assertEquals(Errno.name(Errno.ETIMEDOUT), Errno.name(error[0]));
            return 0;
        }));
        rows.add(row("SO_ERROR is cleared by the read", Errno.NONE, w ->
        {
            final int s = w.reset();
            final int[] error = new int[1];
            assertEquals(0, Mtcp.getsockopt(w.a, s, SOL_SOCKET, SO_ERROR, error));
            assertEquals(Errno.ECONNRESET, error[0]);
            assertEquals(0, Mtcp.getsockopt(w.a, s, SOL_SOCKET, SO_ERROR, error));
            assertEquals(0, error[0]);
            return 0;
        }));
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("getsockoptRows")
    void getsockoptFailsWithTheDocumentedErrno(final ErrnoRow row)
    {
        row.check();
    }

    static List<ErrnoRow> tcpInfoRows()
    {
        final List<ErrnoRow> rows = new ArrayList<>(idRows(w -> w.connected()[0],
            (w, id) -> Mtcp.getsockopt(w.a, id, IPPROTO_TCP, TCP_INFO, new TcpInfo())));
        rows.add(row("null info", Errno.EFAULT,
            w -> Mtcp.getsockopt(w.a, w.connected()[0], IPPROTO_TCP, TCP_INFO, (TcpInfo)null)));
        rows.add(row("another level", Errno.ENOPROTOOPT,
            w -> Mtcp.getsockopt(w.a, w.connected()[0], SOL_SOCKET, TCP_INFO, new TcpInfo())));
        rows.add(row("another option", Errno.ENOPROTOOPT,
            w -> Mtcp.getsockopt(w.a, w.connected()[0], IPPROTO_TCP, TCP_NODELAY, new TcpInfo())));
        rows.add(row("an epoll instance", Errno.ENOTSOCK,
            w -> Mtcp.getsockopt(w.a, w.epoll(), IPPROTO_TCP, TCP_INFO, new TcpInfo())));
        rows.add(row("a pipe end", Errno.ENOTSOCK,
            w -> Mtcp.getsockopt(w.a, w.pipe()[0], IPPROTO_TCP, TCP_INFO, new TcpInfo())));
        rows.add(row("a listener", Errno.NONE,
            w -> Mtcp.getsockopt(w.a, w.listener(BUSY_PORT), IPPROTO_TCP, TCP_INFO, new TcpInfo())));
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tcpInfoRows")
    void getsockoptTcpInfoFailsWithTheDocumentedErrno(final ErrnoRow row)
    {
        row.check();
    }

    // ---------------------------------------------------------------------------------------------
    // ioctl, pipe
    // ---------------------------------------------------------------------------------------------

    static List<ErrnoRow> ioctlRows()
    {
        final List<ErrnoRow> rows = new ArrayList<>(idRows(ApiWorld::stream,
            (w, id) -> Mtcp.ioctl(w.a, id, FIONBIO, new int[] {1})));
        rows.add(row("null argument", Errno.EFAULT, w -> Mtcp.ioctl(w.a, w.stream(), FIONREAD, null)));
        rows.add(row("empty argument", Errno.EFAULT, w -> Mtcp.ioctl(w.a, w.stream(), FIONREAD, new int[0])));
        rows.add(row("unknown request", Errno.ENOTTY, w -> Mtcp.ioctl(w.a, w.stream(), 0x5401, new int[1])));
        rows.add(row("FIONREAD on an epoll instance", Errno.ENOTTY,
            w -> Mtcp.ioctl(w.a, w.epoll(), FIONREAD, new int[1])));
        rows.add(row("FIONREAD on a pipe's write end", Errno.ENOTTY,
            w -> Mtcp.ioctl(w.a, w.pipe()[1], FIONREAD, new int[1])));
        rows.add(row("FIONREAD on a listener", Errno.EINVAL,
            w -> Mtcp.ioctl(w.a, w.listener(BUSY_PORT), FIONREAD, new int[1])));
        rows.add(row("FIONREAD on a pipe's read end", Errno.NONE, w ->
        {
            final int[] fds = w.pipe();
            Mtcp.write(w.a, fds[1], BYTES, 0, 5);
            final int[] n = new int[1];
            assertEquals(0, Mtcp.ioctl(w.a, fds[0], FIONREAD, n));
            assertEquals(5, n[0]);
            return 0;
        }));
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ioctlRows")
    void ioctlFailsWithTheDocumentedErrno(final ErrnoRow row)
    {
        row.check();
    }

    static List<ErrnoRow> pipeRows()
    {
        return List.of(
            row("context destroyed", Errno.EACCES, w ->
            {
                w.a.destroy();
                return Mtcp.pipe(w.a, new int[2]);
            }),
            row("null array", Errno.EFAULT, w -> Mtcp.pipe(w.a, null)),
            row("array of one", Errno.EFAULT, w -> Mtcp.pipe(w.a, new int[1])),
            row("socket table full", Errno.EMFILE, w ->
            {
                w.fillTable();
                return Mtcp.pipe(w.a, new int[2]);
            }),
            row("one slot left: the read end is given back", Errno.EMFILE, w ->
            {
                assertEquals(0, Mtcp.close(w.a, w.fillTable()));
                final long result = Mtcp.pipe(w.a, new int[2]);
                final int errno = w.a.errno();
                assertEquals(ApiWorld.MAX_SOCKETS - 1, w.a.socketsInUse(), "no slot leaked");
                w.a.fail(errno);
                return result;
            }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pipeRows")
    void pipeFailsWithTheDocumentedErrno(final ErrnoRow row)
    {
        row.check();
    }

    // ---------------------------------------------------------------------------------------------
    // epoll
    // ---------------------------------------------------------------------------------------------

    static List<ErrnoRow> epollCreateRows()
    {
        return List.of(
            row("context destroyed", Errno.EACCES, w ->
            {
                w.a.destroy();
                return Mtcp.epollCreate(w.a, 1);
            }),
            row("size 0", Errno.EINVAL, w -> Mtcp.epollCreate(w.a, 0)),
            row("size -1", Errno.EINVAL, w -> Mtcp.epollCreate(w.a, -1)),
            row("socket table full", Errno.EMFILE, w ->
            {
                w.fillTable();
                return Mtcp.epollCreate(w.a, 1);
            }),
            row("several per context", Errno.NONE, w ->
            {
                w.epoll();
                return w.epoll();
            }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("epollCreateRows")
    void epollCreateFailsWithTheDocumentedErrno(final ErrnoRow row)
    {
        row.check();
    }

    static List<ErrnoRow> epollCtlRows()
    {
        final List<ErrnoRow> rows = new ArrayList<>();
        for (final ErrnoRow idRow : idRows(ApiWorld::epoll,
            (w, id) -> Mtcp.epollCtl(w.a, id, EPOLL_CTL_ADD, w.spareStream(), EPOLLIN, 0)))
        {
            rows.add(idRow.named("epid: "));
        }
        for (final ErrnoRow idRow : idRows(ApiWorld::stream,
            (w, id) -> Mtcp.epollCtl(w.a, w.spareEpoll(), EPOLL_CTL_ADD, id, EPOLLIN, 0)))
        {
            rows.add(idRow.named("sockid: "));
        }
        rows.add(row("epid is a stream", Errno.EINVAL,
            w -> Mtcp.epollCtl(w.a, w.stream(), EPOLL_CTL_ADD, w.stream(), EPOLLIN, 0)));
        rows.add(row("sockid is the epid", Errno.EINVAL, w ->
        {
            final int ep = w.epoll();
            return Mtcp.epollCtl(w.a, ep, EPOLL_CTL_ADD, ep, EPOLLIN, 0);
        }));
        rows.add(row("unknown op", Errno.EINVAL, w -> Mtcp.epollCtl(w.a, w.epoll(), 7, w.stream(), EPOLLIN, 0)));
        rows.add(row("sockid is another epoll instance", Errno.EPERM,
            w -> Mtcp.epollCtl(w.a, w.epoll(), EPOLL_CTL_ADD, w.epoll(), EPOLLIN, 0)));
        rows.add(row("ADD of a watched id", Errno.EEXIST, w ->
        {
            final int ep = w.epoll();
            final int s = w.stream();
            assertEquals(0, Mtcp.epollCtl(w.a, ep, EPOLL_CTL_ADD, s, EPOLLIN, 0));
            return Mtcp.epollCtl(w.a, ep, EPOLL_CTL_ADD, s, EPOLLIN, 0);
        }));
        rows.add(row("MOD of an id not watched", Errno.ENOENT,
            w -> Mtcp.epollCtl(w.a, w.epoll(), EPOLL_CTL_MOD, w.stream(), EPOLLIN, 0)));
        rows.add(row("DEL of an id not watched", Errno.ENOENT,
            w -> Mtcp.epollCtl(w.a, w.epoll(), EPOLL_CTL_DEL, w.stream(), 0, 0)));
        rows.add(row("DEL twice", Errno.ENOENT, w ->
        {
            final int ep = w.epoll();
            final int s = w.stream();
            assertEquals(0, Mtcp.epollCtl(w.a, ep, EPOLL_CTL_ADD, s, EPOLLIN, 0));
            assertEquals(0, Mtcp.epollCtl(w.a, ep, EPOLL_CTL_DEL, s, 0, 0));
            return Mtcp.epollCtl(w.a, ep, EPOLL_CTL_DEL, s, 0, 0);
        }));
        rows.add(row("a pipe end and a listener", Errno.NONE, w ->
        {
            final int ep = w.epoll();
            assertEquals(0, Mtcp.epollCtl(w.a, ep, EPOLL_CTL_ADD, w.pipe()[0], EPOLLIN, 0));
            return Mtcp.epollCtl(w.a, ep, EPOLL_CTL_ADD, w.listener(BUSY_PORT), EPOLLIN, 0);
        }));
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("epollCtlRows")
    void epollCtlFailsWithTheDocumentedErrno(final ErrnoRow row)
    {
        row.check();
    }

    static List<ErrnoRow> epollWaitRows()
    {
        final List<ErrnoRow> rows = new ArrayList<>(idRows(ApiWorld::epoll,
            (w, id) -> Mtcp.epollWait(w.a, id, new EpollEvents(4), 4, 0)));
        rows.add(row("not an epoll instance", Errno.EINVAL,
            w -> Mtcp.epollWait(w.a, w.stream(), new EpollEvents(4), 4, 0)));
        rows.add(row("maxEvents 0", Errno.EINVAL, w -> Mtcp.epollWait(w.a, w.epoll(), new EpollEvents(4), 0, 0)));
        rows.add(row("maxEvents beyond the array", Errno.EINVAL,
            w -> Mtcp.epollWait(w.a, w.epoll(), new EpollEvents(4), 5, 0)));
        rows.add(row("null events", Errno.EFAULT, w -> Mtcp.epollWait(w.a, w.epoll(), null, 4, 0)));
        rows.add(row("nothing ready, timeout -1 on the context thread: no wait", Errno.NONE,
            w -> Mtcp.epollWait(w.a, w.epoll(), new EpollEvents(4), 4, -1)));
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("epollWaitRows")
    void epollWaitFailsWithTheDocumentedErrno(final ErrnoRow row)
    {
        row.check();
    }
}
