package io.jmtcp.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java layer's errnos: every {@link MtcpException} the Javadoc of {@link TcpChannel} and
 * {@link TcpServerChannel} names, one row per condition, each in a fresh world (threaded unless
 * the row says the context's thread). A failed open leaves no socket behind. (A refused connect is
 * in {@link TcpChannelTest}, and what a closed channel throws.)
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ChannelErrnoTest
{
    private static final int PORT = ApiWorld.PORT;

    /** A condition, the errno of the exception the call must throw, and the call. */
    record Row(String condition, int errno, Supplier<ApiWorld> world, Call call)
    {
        @Override
        public String toString()
        {
            return condition + " -> " + Errno.name(errno);
        }
    }

    @FunctionalInterface
    interface Call
    {
        void run(ApiWorld w) throws Exception;
    }

    private static Row threaded(final String condition, final int errno, final Call call)
    {
        return new Row(condition, errno, () -> ApiWorld.threaded(ApiWorld.timeoutsOnTheRealClock()), call);
    }

    /** A connected channel on A and its peer's socket on B. */
    record Connection(TcpChannel channel, int peer)
    {
    }

    /** A connected channel on A; its id and its peer's are closed with the world. */
    private static Connection connection(final ApiWorld w) throws MtcpException
    {
        final int listener = w.peerListener();
        final TcpChannel channel = TcpChannel.connect(w.a, ApiFixture.B, PORT);
        w.track(w.a, channel.sockid());
        final int peer = w.track(w.b, Mtcp.accept(w.b, listener, null));
        return new Connection(channel, peer);
    }

    private static TcpChannel channel(final ApiWorld w) throws MtcpException
    {
        return connection(w).channel();
    }

    private static void awaitTerminated(final ApiWorld w, final TcpChannel channel)
    {
        assertTrue(w.f.runUntil(() -> ApiWorld.slot(w.a, channel.sockid()).phase == SocketSlot.TERMINATED,
            5 * ApiWorld.SECOND), "the connection ended");
    }

    /** Run the call, which must fail, and check that it left A's socket count as it was. */
    private static Call leavesNoSocket(final Call call)
    {
        return w ->
        {
            final int inUse = w.a.socketsInUse();
            try
            {
                call.run(w);
            }
            finally
            {
                assertEquals(inUse, w.a.socketsInUse(), "the failed call left no socket");
            }
        };
    }

    static List<Row> rows()
    {
        return List.of(
            // TcpChannel.connect: the errno of socket or connect
            threaded("connect: the socket table is full", Errno.EMFILE, w ->
            {
                w.fillTable();
                TcpChannel.connect(w.a, ApiFixture.B, PORT);
            }),
            threaded("connect: the peer's TCP vanished, the SYN retransmissions run out", Errno.ETIMEDOUT,
                leavesNoSocket(w ->
                {
                    w.peerListener();
                    w.f.pathToB().mode(PathFault.Mode.BLACKHOLE);
                    TcpChannel.connect(w.a, ApiFixture.B, PORT);
                })),
            threaded("connect: a router answers the SYNs with ICMP host unreachable", Errno.EHOSTUNREACH,
                leavesNoSocket(w ->
                {
                    w.peerListener();
                    w.f.pathToB().mode(PathFault.Mode.UNREACHABLE);
                    TcpChannel.connect(w.a, ApiFixture.B, PORT);
                })),
            // TcpChannel.read: a reset or a timeout
            threaded("read: the peer resets", Errno.ECONNRESET, w ->
            {
                final Connection c = connection(w);
                final TcpChannel channel = c.channel();
                assertEquals(0, Mtcp.abort(w.b, c.peer()));
                channel.read(ByteBuffer.allocate(1));
            }),
            threaded("read: the peer vanishes, the retransmissions run out", Errno.ETIMEDOUT, w ->
            {
                final TcpChannel channel = channel(w);
                w.f.pathToB().mode(PathFault.Mode.BLACKHOLE);
                assertEquals(1, channel.write(ByteBuffer.allocate(1)));
                channel.read(ByteBuffer.allocate(1));
            }),
            threaded("read: a router answers the retransmissions with host unreachable", Errno.EHOSTUNREACH, w ->
            {
                final TcpChannel channel = channel(w);
                w.f.pathToB().mode(PathFault.Mode.UNREACHABLE);
                assertEquals(1, channel.write(ByteBuffer.allocate(1)));
                channel.read(ByteBuffer.allocate(1));
            }),
            // TcpChannel.write: EPIPE after shutdownOutput; the failure once, then EPIPE
            threaded("write: after shutdownOutput", Errno.EPIPE, w ->
            {
                final TcpChannel channel = channel(w);
                channel.shutdownOutput();
                channel.write(ByteBuffer.allocate(1));
            }),
            threaded("write: the peer resets", Errno.ECONNRESET, w ->
            {
                final Connection c = connection(w);
                final TcpChannel channel = c.channel();
                assertEquals(0, Mtcp.abort(w.b, c.peer()));
                awaitTerminated(w, channel);
                channel.write(ByteBuffer.allocate(1));
            }),
            threaded("write: the reset was reported, then", Errno.EPIPE, w ->
            {
                final Connection c = connection(w);
                final TcpChannel channel = c.channel();
                assertEquals(0, Mtcp.abort(w.b, c.peer()));
                final MtcpException reset = assertThrows(MtcpException.class, () -> channel.read(ByteBuffer.allocate(1)));
                assertEquals(Errno.name(Errno.ECONNRESET), Errno.name(reset.errno()));
                channel.write(ByteBuffer.allocate(1));
            }),
            threaded("write: the peer vanishes, the retransmissions run out", Errno.ETIMEDOUT, w ->
            {
                final TcpChannel channel = channel(w);
                w.f.pathToB().mode(PathFault.Mode.BLACKHOLE);
                assertEquals(1, channel.write(ByteBuffer.allocate(1)));
                awaitTerminated(w, channel);
                channel.write(ByteBuffer.allocate(1));
            }),
            // TcpChannel.shutdownOutput: the connection is gone
            threaded("shutdownOutput: the peer reset the connection", Errno.ENOTCONN, w ->
            {
                final Connection c = connection(w);
                final TcpChannel channel = c.channel();
                assertEquals(0, Mtcp.abort(w.b, c.peer()));
                awaitTerminated(w, channel);
                channel.shutdownOutput();
            }),
            // TcpChannel.noDelay, remoteAddress, localAddress
            threaded("noDelay: the context is destroyed", Errno.EACCES, w ->
            {
                final TcpChannel channel = channel(w);
                w.a.destroy();
                channel.noDelay(true);
            }),
            threaded("remoteAddress: the context is destroyed", Errno.EACCES, w ->
            {
                final TcpChannel channel = channel(w);
                w.a.destroy();
                channel.remoteAddress();
            }),
            threaded("localAddress: the context is destroyed", Errno.EACCES, w ->
            {
                final TcpChannel channel = channel(w);
                w.a.destroy();
                channel.localAddress();
            }),
            // TcpServerChannel.listen: the errno of socket, bind or listen
            threaded("listen: the socket table is full", Errno.EMFILE, w ->
            {
                w.fillTable();
                TcpServerChannel.listen(w.a, 8081, 4, false);
            }),
            threaded("listen: port 65536 (bind)", Errno.EINVAL,
                leavesNoSocket(w -> TcpServerChannel.listen(w.a, 65536, 4, false))),
            threaded("listen: the port is held (bind)", Errno.EADDRINUSE, w ->
            {
                w.bound(8081);
                leavesNoSocket(x -> TcpServerChannel.listen(x.a, 8081, 4, false)).run(w);
            }),
            threaded("listen: this context already listens on the port, SO_REUSEPORT (listen)", Errno.EADDRINUSE,
                w ->
                {
                    w.track(w.a, TcpServerChannel.listen(w.a, 8081, 4, true).sockid());
                    leavesNoSocket(x -> TcpServerChannel.listen(x.a, 8081, 4, true)).run(w);
                }),
            // TcpServerChannel.accept
            new Row("accept: on the context's thread, none waiting", Errno.EAGAIN, ApiWorld::new, w ->
            {
                final TcpServerChannel server = TcpServerChannel.listen(w.a, 8081, 4, false);
                w.track(w.a, server.sockid());
                server.accept();
            }),
            threaded("accept: another thread closes the channel while it waits", Errno.EBADF, w ->
            {
                final TcpServerChannel server = TcpServerChannel.listen(w.a, 8081, 4, false);
                final SocketSlot slot = ApiWorld.slot(w.a, server.sockid());
                final Thread caller = Thread.currentThread();
                final CompletableFuture<Void> closer = CompletableFuture.runAsync(() ->
                {
                    final long deadline = System.nanoTime() + 5 * ApiWorld.SECOND;
                    while (slot.waiter != caller && System.nanoTime() - deadline < 0)
                    {
                        Thread.onSpinWait();
                    }
                    server.close();
                });
                try
                {
                    server.accept();
                }
                finally
                {
                    closer.get(5, TimeUnit.SECONDS);
                }
            }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void channelCallThrowsTheDocumentedErrno(final Row row)
    {
        try (ApiWorld w = row.world().get())
        {
            final MtcpException thrown = assertThrows(MtcpException.class, () -> row.call().run(w), row.condition());
            assertEquals(Errno.name(row.errno()), Errno.name(thrown.errno()), row.condition());
        }
    }

    @Test
    void noDelayWithAFullRequestQueueIsEagainAndChangesNothing() throws Exception
    {
        try (BusyContext busy = new BusyContext())
        {
            final TcpChannel channel = new TcpChannel(busy.a, busy.connected()[0]);
            busy.block();
            final MtcpException full = assertThrows(MtcpException.class, () -> channel.noDelay(true));
            assertEquals(Errno.name(Errno.EAGAIN), Errno.name(full.errno()));
            final int[] value = new int[1];
            assertEquals(0, Mtcp.getsockopt(busy.a, channel.sockid(), Mtcp.IPPROTO_TCP, Mtcp.TCP_NODELAY, value));
            assertEquals(0, value[0], "TCP_NODELAY unchanged");
            busy.unblock();
            channel.close();
        }
    }
}
