package io.jmtcp.api;

import io.jmtcp.bed.KernelBed;
import io.jmtcp.bed.NetnsBed;
import io.jmtcp.bed.SeededBytes;
import io.jmtcp.core.FlowHash;
import io.jmtcp.core.PortSpace;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.tcp.kernel.PeerProcess;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 2,000 concurrent connections each way between the socket API on 1, 2 and 4 contexts and the
 * kernel's TCP, every one byte-exact: kernel clients to an echo server written on the API (every
 * context listens on the port with SO_REUSEPORT; an application thread per context with
 * non-blocking sockets and epoll), and the contexts' own connections to a kernel echo server.
 * Every flow is on exactly one context, the one {@link FlowHash} names; nothing is misrouted;
 * and at the end every id, connection and port is back.
 */
@KernelBed
class KernelApiManyConnectionsTest
{
    private static final int CONNECTIONS = 2_000;
    /** A few KB a connection: the seeded stream out, its echo back. */
    private static final int BYTES = 4_096;
    private static final long KERNEL_SEED = 0x6B63726F7764L;
    private static final long OUR_SEED = 0x6F75727300L;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int MAX_EVENTS = 256;
    private static final int EPOLL_TIMEOUT_MILLIS = 20;

    /**
     * Small buffers keep 2,000 connections' memory bounded (64 KiB each way in the engine, 16 KiB
     * rings); SYNs come in a burst, so the SYN queue holds them all rather than falling back to
     * cookies.
     */
    private static TcpConfig tcpConfig()
    {
        return new TcpConfig().sendBufferBytes(64 * 1024).receiveBufferBytes(64 * 1024)
            .maxConnections(CONNECTIONS + 100).synQueueCapacity(CONNECTIONS + 100);
    }

    private static SocketConfig socketConfig()
    {
        return new SocketConfig().ringBytes(16 * 1024);
    }

    @ParameterizedTest(name = "{0} contexts")
    @ValueSource(ints = {1, 2, 4})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void kernelClientsToOurEpollEchoServer(final int contexts, final NetnsBed bed) throws Exception
    {
        try (MtcpStack stack = ApiStackOnBed.open(bed, contexts, tcpConfig(), socketConfig()))
        {
            final Set<Integer> peerPorts = ConcurrentHashMap.newKeySet();
            final AtomicInteger closed = new AtomicInteger();
            final List<EchoServer> servers = new ArrayList<>();
            for (int c = 0; c < contexts; c++)
            {
                servers.add(new EchoServer(stack.context(c), c, contexts, bed, peerPorts, closed));
            }
            servers.forEach(EchoServer::start);
            final long start = System.nanoTime();
            final PeerProcess crowd = PeerProcess.start(bed, KernelCrowd.class, "echo-clients",
                bed.stackAddressText(), Integer.toString(ApiStackOnBed.OUR_PORT), Integer.toString(CONNECTIONS),
                Integer.toString(BYTES), Long.toString(KERNEL_SEED));
            final int exit = crowd.awaitExit(Duration.ofSeconds(45));
            final long elapsedNanos = System.nanoTime() - start;
            assertEquals(0, exit, () -> crowd.describe() + "\n" + ApiStackOnBed.describe(stack));
            assertEquals(Integer.toString(CONNECTIONS), crowd.value("connections"), crowd::describe);
            assertTrue(ApiStackOnBed.await(() -> closed.get() == CONNECTIONS, WAIT),
                () -> closed.get() + " closed\n" + ApiStackOnBed.describe(stack));
            int accepted = 0;
            final StringBuilder spread = new StringBuilder();
            for (final EchoServer server : servers)
            {
                server.stop();
                assertNull(server.failure.get(), () -> server.failure.get() + "\n" + ApiStackOnBed.describe(stack));
                assertEquals(0, server.foreign, "flows accepted on a context the hash does not name");
                accepted += server.accepted;
                spread.append(' ').append(server.accepted);
            }
            assertEquals(CONNECTIONS, accepted);
            assertEquals(CONNECTIONS, peerPorts.size(), "a flow accepted twice");
            System.out.printf("%d contexts: %d kernel clients in %d ms (%s; the crowd's own %s ms, %s ms of them"
                    + " until all were connected), per context%s%n",
                contexts, CONNECTIONS, TimeUnit.NANOSECONDS.toMillis(elapsedNanos),
                perSecond(CONNECTIONS, elapsedNanos), crowd.value("elapsedMs"), crowd.value("connectMs"), spread);
            assertAllReturned(stack, true);
        }
    }

    @ParameterizedTest(name = "{0} contexts")
    @ValueSource(ints = {1, 2, 4})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void ourConnectionsToAKernelEchoServer(final int contexts, final NetnsBed bed) throws Exception
    {
        final PeerProcess server = PeerProcess.start(bed, KernelCrowd.class, "echo-server",
            Integer.toString(ApiStackOnBed.KERNEL_PORT));
        server.awaitLine("listening", WAIT);
        try (MtcpStack stack = ApiStackOnBed.open(bed, contexts, tcpConfig(), socketConfig()))
        {
            final Set<Integer> localPorts = ConcurrentHashMap.newKeySet();
            final AtomicInteger connected = new AtomicInteger();
            final List<EchoClients> clients = new ArrayList<>();
            for (int c = 0; c < contexts; c++)
            {
                // Spread evenly; the first contexts take the remainder.
                final int first = c * (CONNECTIONS / contexts) + Math.min(c, CONNECTIONS % contexts);
                final int count = CONNECTIONS / contexts + (c < CONNECTIONS % contexts ? 1 : 0);
                clients.add(new EchoClients(stack.context(c), c, contexts, bed, first, count, localPorts, connected));
            }
            final long start = System.nanoTime();
            clients.forEach(EchoClients::start);
            // Only timed here: a context that could not connect says why below.
            ApiStackOnBed.await(() -> connected.get() == CONNECTIONS, WAIT);
            final long connectNanos = System.nanoTime() - start;
            for (final EchoClients client : clients)
            {
                client.thread.join(TimeUnit.SECONDS.toMillis(50));
                assertTrue(!client.thread.isAlive(), () -> "context " + client.index + " still running\n"
                    + ApiStackOnBed.describe(stack));
                assertNull(client.failure.get(), () -> client.failure.get() + "\n" + ApiStackOnBed.describe(stack));
            }
            final long elapsedNanos = System.nanoTime() - start;
            int done = 0;
            final StringBuilder spread = new StringBuilder();
            for (final EchoClients client : clients)
            {
                assertEquals(client.count, client.verified, "byte-exact echoes on context " + client.index);
                assertEquals(0, client.foreign, "flows opened on a context the hash does not name");
                assertEquals(client.count, stack.stackContext(client.index).counters()
                    .get(StackCounter.TCP_ACTIVE_OPENS));
                done += client.verified;
                spread.append(' ').append(client.count);
            }
            assertEquals(CONNECTIONS, done);
            assertEquals(CONNECTIONS, localPorts.size(), "two flows on one local port");
            System.out.printf("%d contexts: %d connections of ours in %d ms (%s; %d ms of them until all were"
                    + " connected), per context%s%n",
                contexts, CONNECTIONS, TimeUnit.NANOSECONDS.toMillis(elapsedNanos),
                perSecond(CONNECTIONS, elapsedNanos), TimeUnit.NANOSECONDS.toMillis(connectNanos), spread);
            assertAllReturned(stack, false);
        }
    }

    /**
     * Every id, connection and port is back: sockets in use 0 per context once the closes have
     * finished, no connection in the engine (TIME_WAIT records are not connections), nothing
     * misrouted, the listening port held by nobody, and no port in use but by the TIME_WAIT
     * records of our own connections (the server's accepted connections count none: the kernel
     * closed first, so ours ended in LAST_ACK); once the stack is closed, by none.
     */
    private static void assertAllReturned(final MtcpStack stack, final boolean listened) throws Exception
    {
        assertPortsReturned(stack, listened);
        stack.close();
        assertEquals(0, stack.group().portSpace().connectionsOnAllPorts(), "ports in use after the stack closed");
    }

    private static void assertPortsReturned(final MtcpStack stack, final boolean listened) throws Exception
    {
        for (int c = 0; c < stack.size(); c++)
        {
            final MtcpContext ctx = stack.context(c);
            assertTrue(ApiStackOnBed.await(stack.stackContext(c), sc -> sc.tcp().connectionCount() == 0, WAIT),
                () -> "connections left\n" + ApiStackOnBed.describe(stack));
            assertTrue(ApiStackOnBed.await(() -> ctx.socketsInUse() == 0, WAIT),
                () -> "ids left\n" + ApiStackOnBed.describe(stack));
            assertEquals(0, stack.stackContext(c).counters().get(StackCounter.TCP_MISROUTED),
                () -> ApiStackOnBed.describe(stack));
            assertEquals(0, stack.stackContext(c).counters().get(StackCounter.INTERNAL_ERRORS),
                () -> ApiStackOnBed.describe(stack));
        }
        long timeWaitRecords = 0;
        for (int c = 0; c < stack.size(); c++)
        {
            timeWaitRecords += ApiStackOnBed.call(stack.stackContext(c), sc -> sc.tcp().timeWaitCount());
        }
        final PortSpace ports = stack.group().portSpace();
        if (listened)
        {
            assertEquals(0, ports.holders(ApiStackOnBed.OUR_PORT));
            assertEquals(0, ports.connectionsOnAllPorts(), "no active open, no port in use");
        }
        else
        {
            assertEquals(CONNECTIONS, timeWaitRecords, "we closed first: each connection in TIME_WAIT");
            assertEquals(timeWaitRecords, ports.connectionsOnAllPorts(), "the TIME_WAIT records keep their ports");
        }
    }

    private static String perSecond(final int count, final long nanos)
    {
        return String.format("%.0f connections/s", count * 1e9 / nanos);
    }

    private static boolean again(final MtcpContext ctx, final int result)
    {
        return result < 0 && ctx.errno() == Errno.EAGAIN;
    }

    /**
     * One context's echo server, on an application thread of its own: a non-blocking listener
     * with SO_REUSEPORT on the shared port, epoll over it and every accepted socket, echo until
     * EOF, then close.
     */
    private static final class EchoServer
    {
        private final MtcpContext ctx;
        private final int index;
        private final int contexts;
        private final NetnsBed bed;
        private final Set<Integer> peerPorts;
        private final AtomicInteger closed;
        private final AtomicReference<String> failure = new AtomicReference<>();
        private final Thread thread;
        private final int listener;
        private final int epoll;
        private volatile boolean stopping;
        private int accepted;
        private int foreign;

        EchoServer(final MtcpContext ctx, final int index, final int contexts, final NetnsBed bed,
            final Set<Integer> peerPorts, final AtomicInteger closed)
        {
            this.ctx = ctx;
            this.index = index;
            this.contexts = contexts;
            this.bed = bed;
            this.peerPorts = peerPorts;
            this.closed = closed;
            // Set up on the test thread, so a failure fails the test at once; the application
            // thread takes the handle over when it starts.
            listener = Mtcp.socket(ctx, Mtcp.AF_INET, Mtcp.SOCK_STREAM | Mtcp.SOCK_NONBLOCK, 0);
            assertTrue(listener >= 0, Errno.name(ctx.errno()));
            assertEquals(0, Mtcp.setsockopt(ctx, listener, Mtcp.SOL_SOCKET, Mtcp.SO_REUSEPORT, 1));
            assertEquals(0, Mtcp.bind(ctx, listener, 0, ApiStackOnBed.OUR_PORT), () -> Errno.name(ctx.errno()));
            assertEquals(0, Mtcp.listen(ctx, listener, SocketConfig.MAX_BACKLOG), () -> Errno.name(ctx.errno()));
            epoll = Mtcp.epollCreate(ctx, 1);
            assertTrue(epoll >= 0);
            assertEquals(0, Mtcp.epollCtl(ctx, epoll, Mtcp.EPOLL_CTL_ADD, listener, Mtcp.EPOLLIN, listener));
            thread = new Thread(this::run, "api-echo-" + index);
            thread.setDaemon(true);
        }

        void start()
        {
            thread.start();
        }

        /** Let the loop end, then close the listener and epoll on the application thread. */
        void stop() throws InterruptedException
        {
            stopping = true;
            thread.join(TimeUnit.SECONDS.toMillis(10));
            assertTrue(!thread.isAlive(), "echo server thread " + index + " did not stop");
        }

        private void run()
        {
            try
            {
                final EpollEvents events = new EpollEvents(MAX_EVENTS);
                final Echo[] echoes = new Echo[SocketTable.MAX_INDEX + 1];
                final SockAddr peer = new SockAddr();
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(55);
                while (!stopping && deadline - System.nanoTime() > 0)
                {
                    final int n = Mtcp.epollWait(ctx, epoll, events, MAX_EVENTS, EPOLL_TIMEOUT_MILLIS);
                    check(n >= 0, "epollWait");
                    for (int i = 0; i < n; i++)
                    {
                        final int id = (int)events.data(i);
                        if (id == listener)
                        {
                            acceptAll(echoes, peer);
                        }
                        else
                        {
                            echoes[SocketTable.indexOf(id)].onEvent();
                        }
                    }
                }
                check(Mtcp.close(ctx, listener) == 0, "close listener");
                check(Mtcp.close(ctx, epoll) == 0, "close epoll");
            }
            catch (final RuntimeException | AssertionError ex)
            {
                failure.compareAndSet(null, ex.toString());
            }
        }

        private void acceptAll(final Echo[] echoes, final SockAddr peer)
        {
            while (true)
            {
                final int id = Mtcp.accept(ctx, listener, peer);
                if (again(ctx, id))
                {
                    return;
                }
                check(id >= 0, "accept");
                accepted++;
                if (FlowHash.contextOf(bed.stackAddress(), ApiStackOnBed.OUR_PORT, peer.ip(), peer.port(), contexts)
                    != index)
                {
                    foreign++;
                }
                check(peerPorts.add(peer.port()), "peer port " + peer.port() + " accepted twice");
                check(Mtcp.ioctl(ctx, id, Mtcp.FIONBIO, new int[] {1}) == 0, "FIONBIO");
                check(Mtcp.epollCtl(ctx, epoll, Mtcp.EPOLL_CTL_ADD, id, Mtcp.EPOLLIN, id) == 0, "epoll add");
                echoes[SocketTable.indexOf(id)] = new Echo(id);
            }
        }

        private void check(final boolean ok, final String what)
        {
            if (!ok)
            {
                throw new AssertionError("context " + index + ": " + what + " failed: " + Errno.name(ctx.errno()));
            }
        }

        /** One accepted connection: what was read and not yet written, and whether EOF came. */
        private final class Echo
        {
            private final int id;
            private final byte[] block = new byte[4096];
            private int offset;
            private int length;
            private boolean eof;
            private int interest = Mtcp.EPOLLIN;

            Echo(final int id)
            {
                this.id = id;
            }

            void onEvent()
            {
                // Bounded: at most a few blocks per event; level-triggered epoll reports the rest.
                for (int round = 0; round < 4; round++)
                {
                    if (length > 0)
                    {
                        final int written = Mtcp.write(ctx, id, block, offset, length);
                        if (again(ctx, written))
                        {
                            break;
                        }
                        check(written >= 0, "write");
                        offset += written;
                        length -= written;
                        continue;
                    }
                    if (eof)
                    {
                        check(Mtcp.close(ctx, id) == 0, "close");
                        closed.incrementAndGet();
                        return;
                    }
                    final int read = Mtcp.read(ctx, id, block, 0, block.length);
                    if (again(ctx, read))
                    {
                        break;
                    }
                    check(read >= 0, "read");
                    eof = read == 0;
                    offset = 0;
                    length = read;
                }
                final int wanted = length > 0 ? Mtcp.EPOLLOUT : Mtcp.EPOLLIN;
                if (wanted != interest)
                {
                    interest = wanted;
                    check(Mtcp.epollCtl(ctx, epoll, Mtcp.EPOLL_CTL_MOD, id, wanted, id) == 0, "epoll mod");
                }
            }
        }
    }

    /**
     * One context's share of our connections, on an application thread of its own: open every
     * one non-blocking, wait (epoll, EPOLLOUT then SO_ERROR) until all of every context are
     * established, then send the seeded stream, SHUT_WR, read the echo to EOF, compare, close.
     */
    private static final class EchoClients
    {
        private final MtcpContext ctx;
        private final int index;
        private final int contexts;
        private final NetnsBed bed;
        private final int first;
        private final int count;
        private final Set<Integer> localPorts;
        private final AtomicInteger connected;
        private final AtomicReference<String> failure = new AtomicReference<>();
        private final Thread thread;
        private int verified;
        private int foreign;

        EchoClients(final MtcpContext ctx, final int index, final int contexts, final NetnsBed bed, final int first,
            final int count, final Set<Integer> localPorts, final AtomicInteger connected)
        {
            this.ctx = ctx;
            this.index = index;
            this.contexts = contexts;
            this.bed = bed;
            this.first = first;
            this.count = count;
            this.localPorts = localPorts;
            this.connected = connected;
            thread = new Thread(this::run, "api-clients-" + index);
            thread.setDaemon(true);
        }

        void start()
        {
            thread.start();
        }

        private void run()
        {
            try
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
                final int epoll = Mtcp.epollCreate(ctx, 1);
                check(epoll >= 0, "epollCreate");
                final Client[] clients = new Client[count];
                for (int i = 0; i < count; i++)
                {
                    clients[i] = new Client(OUR_SEED + first + i);
                    clients[i].open(epoll, i);
                }
                final EpollEvents events = new EpollEvents(MAX_EVENTS);
                int mine = 0;
                while (mine < count && deadline - System.nanoTime() > 0)
                {
                    final int n = Mtcp.epollWait(ctx, epoll, events, MAX_EVENTS, EPOLL_TIMEOUT_MILLIS);
                    check(n >= 0, "epollWait");
                    for (int i = 0; i < n; i++)
                    {
                        mine += clients[(int)events.data(i)].onConnected(epoll, (int)events.data(i));
                    }
                }
                check(mine == count, "connect: only " + mine + " of " + count);
                connected.addAndGet(mine);
                // Every context's connections are open at once before any data moves.
                while (connected.get() < CONNECTIONS && deadline - System.nanoTime() > 0)
                {
                    Thread.onSpinWait();
                }
                check(connected.get() == CONNECTIONS, "all connections open: " + connected.get());
                for (int i = 0; i < count; i++)
                {
                    check(Mtcp.epollCtl(ctx, epoll, Mtcp.EPOLL_CTL_MOD, clients[i].id,
                        Mtcp.EPOLLIN | Mtcp.EPOLLOUT, i) == 0, "epoll mod");
                }
                while (verified < count && deadline - System.nanoTime() > 0)
                {
                    final int n = Mtcp.epollWait(ctx, epoll, events, MAX_EVENTS, EPOLL_TIMEOUT_MILLIS);
                    check(n >= 0, "epollWait");
                    for (int i = 0; i < n; i++)
                    {
                        verified += clients[(int)events.data(i)].onEvent(epoll, (int)events.data(i));
                    }
                }
                check(verified == count, "echoes: only " + verified + " of " + count);
                check(Mtcp.close(ctx, epoll) == 0, "close epoll");
            }
            catch (final RuntimeException | AssertionError ex)
            {
                failure.compareAndSet(null, ex.toString());
            }
        }

        private void check(final boolean ok, final String what)
        {
            if (!ok)
            {
                throw new AssertionError("context " + index + ": " + what + " failed: " + Errno.name(ctx.errno()));
            }
        }

        /** One connection: its seeded stream, how much went out, the echo's digest. */
        private final class Client
        {
            private final long seed;
            private final byte[] stream = new byte[BYTES];
            private final byte[] block = new byte[4096];
            private final MessageDigest digest = sha256();
            private int id;
            private int sent;
            private int received;
            private boolean open;
            private boolean done;

            Client(final long seed)
            {
                this.seed = seed;
                SeededBytes.fill(seed, 0, new UnsafeBuffer(stream), 0, BYTES);
            }

            void open(final int epoll, final int data)
            {
                id = Mtcp.socket(ctx, Mtcp.AF_INET, Mtcp.SOCK_STREAM | Mtcp.SOCK_NONBLOCK, 0);
                check(id >= 0, "socket");
                final int result = Mtcp.connect(ctx, id, bed.peerAddress(), ApiStackOnBed.KERNEL_PORT);
                check(result < 0 && ctx.errno() == Errno.EINPROGRESS, "connect");
                check(Mtcp.epollCtl(ctx, epoll, Mtcp.EPOLL_CTL_ADD, id, Mtcp.EPOLLOUT, data) == 0, "epoll add");
            }

            /** @return 1 when this event completed the connect. */
            int onConnected(final int epoll, final int data)
            {
                if (open)
                {
                    return 0;
                }
                final int[] error = new int[1];
                check(Mtcp.getsockopt(ctx, id, Mtcp.SOL_SOCKET, Mtcp.SO_ERROR, error) == 0, "SO_ERROR");
                if (error[0] != 0)
                {
                    throw new AssertionError("context " + index + ": connect failed: " + Errno.name(error[0]));
                }
                open = true;
                final SockAddr local = new SockAddr();
                check(Mtcp.getsockname(ctx, id, local) == 0, "getsockname");
                if (FlowHash.contextOf(local.ip(), local.port(), bed.peerAddress(), ApiStackOnBed.KERNEL_PORT,
                    contexts) != index)
                {
                    foreign++;
                }
                check(localPorts.add(local.port()), "local port " + local.port() + " used twice");
                // Quiet until every connection is open (EPOLLERR and EPOLLHUP are still reported).
                check(Mtcp.epollCtl(ctx, epoll, Mtcp.EPOLL_CTL_MOD, id, 0, data) == 0, "epoll mod");
                return 1;
            }

            /** @return 1 when the echo ended and matched. */
            int onEvent(final int epoll, final int data)
            {
                if (done)
                {
                    return 0;
                }
                if (sent < BYTES)
                {
                    final int written = Mtcp.write(ctx, id, stream, sent, BYTES - sent);
                    if (!again(ctx, written))
                    {
                        check(written >= 0, "write");
                        sent += written;
                        if (sent == BYTES)
                        {
                            check(Mtcp.shutdown(ctx, id, Mtcp.SHUT_WR) == 0, "shutdown");
                            check(Mtcp.epollCtl(ctx, epoll, Mtcp.EPOLL_CTL_MOD, id, Mtcp.EPOLLIN, data) == 0,
                                "epoll mod");
                        }
                    }
                }
                final int read = Mtcp.read(ctx, id, block, 0, block.length);
                if (again(ctx, read))
                {
                    return 0;
                }
                check(read >= 0, "read");
                if (read > 0)
                {
                    digest.update(block, 0, read);
                    received += read;
                    return 0;
                }
                final String hash = HexFormat.of().formatHex(digest.digest());
                check(received == BYTES && hash.equals(SeededBytes.sha256Hex(seed, BYTES)),
                    "echo of " + received + " bytes differs");
                check(Mtcp.close(ctx, id) == 0, "close");
                done = true;
                return 1;
            }
        }
    }

    private static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("every JDK has SHA-256", ex);
        }
    }
}
