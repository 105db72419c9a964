package io.jmtcp.api;

import io.jmtcp.bed.KernelBed;
import io.jmtcp.bed.NetnsBed;
import io.jmtcp.bed.SeededBytes;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.tcp.kernel.KernelPeer;
import io.jmtcp.tcp.kernel.PeerProcess;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The socket API's close matrix against the kernel's TCP, as the kernel's reads see it
 * ({@link KernelPeer} in the bed's namespace; the test thread is our application thread with
 * blocking sockets): close after writing gives all bytes then EOF, close with unread data and
 * SO_LINGER 0 give ECONNRESET, a closed listener's port refuses, a listener closed with
 * connections in its accept queue resets them, and SHUT_WR gives EOF while the kernel can still
 * send to us. Each test ends with every id, connection and port returned.
 */
@KernelBed
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KernelApiCloseTest
{
    private static final int PORT = ApiStackOnBed.OUR_PORT;
    private static final Duration STEP = Duration.ofSeconds(15);
    private static final long OUR_SEED = 0x6A6D746370L;
    private static final long KERNEL_SEED = 0x6B65726E656CL;
    /** More than one ring and one engine buffer, so the close has to wait for queued bytes. */
    private static final int BYTES = 300_000;
    /** Less than the ring, so that it can all wait unread. */
    private static final int SMALL = 10_000;

    @Test
    void closeAfterWritingKernelReadsEveryByteThenEof(final NetnsBed bed) throws Exception
    {
        try (MtcpStack stack = ApiStackOnBed.open(bed, 1, new TcpConfig(), new SocketConfig()))
        {
            final MtcpContext ctx = stack.context(0);
            final int listener = listen(ctx, PORT, 16);
            final PeerProcess peer = kernelClient(bed, 0, "after-eof");
            final int s = accept(ctx, listener);
            writeSeeded(ctx, s, OUR_SEED, BYTES);
            assertEquals(0, Mtcp.close(ctx, s), () -> Errno.name(ctx.errno()));
            assertEquals(0, peer.awaitExit(STEP), peer::describe);
            assertEquals(Integer.toString(BYTES), peer.value("bytes"), peer::describe);
            assertEquals(SeededBytes.sha256Hex(OUR_SEED, BYTES), peer.value("sha256"));
            assertEquals(0, stack.stackContext(0).counters().get(StackCounter.TCP_RESETS_OUT));
            closeAndAssertReturned(stack, listener);
        }
    }

    @Test
    void ourClientClosesAfterWritingKernelServerReadsEveryByteThenEof(final NetnsBed bed) throws Exception
    {
        try (MtcpStack stack = ApiStackOnBed.open(bed, 1, new TcpConfig(), new SocketConfig()))
        {
            final MtcpContext ctx = stack.context(0);
            final PeerProcess peer = PeerProcess.start(bed, "server", Integer.toString(ApiStackOnBed.KERNEL_PORT),
                "0", Long.toString(KERNEL_SEED), "after-eof");
            peer.awaitLine("listening", STEP);
            final int s = Mtcp.socket(ctx, Mtcp.AF_INET, Mtcp.SOCK_STREAM, 0);
            assertEquals(0, Mtcp.connect(ctx, s, bed.peerAddress(), ApiStackOnBed.KERNEL_PORT),
                () -> Errno.name(ctx.errno()));
            writeSeeded(ctx, s, OUR_SEED, BYTES);
            assertEquals(0, Mtcp.close(ctx, s), () -> Errno.name(ctx.errno()));
            assertEquals(0, peer.awaitExit(STEP), peer::describe);
            assertEquals(Integer.toString(BYTES), peer.value("bytes"), peer::describe);
            assertEquals(SeededBytes.sha256Hex(OUR_SEED, BYTES), peer.value("sha256"));
            closeAndAssertReturned(stack, -1);
            assertEquals(1, stack.group().portSpace().connectionsOnAllPorts(), "our TIME_WAIT keeps its port");
            stack.close();
            assertEquals(0, stack.group().portSpace().connectionsOnAllPorts(), "until the stack is closed");
        }
    }

    @Test
    void closeWithUnreadDataKernelSeesEconnreset(final NetnsBed bed) throws Exception
    {
        try (MtcpStack stack = ApiStackOnBed.open(bed, 1, new TcpConfig(), new SocketConfig()))
        {
            final MtcpContext ctx = stack.context(0);
            final int listener = listen(ctx, PORT, 16);
            // The kernel sends, half-closes and reads: our close must not look like an orderly end.
            final PeerProcess peer = kernelClient(bed, SMALL, "send-first");
            final int s = accept(ctx, listener);
            final int[] ready = new int[1];
            assertTrue(ApiStackOnBed.await(() -> Mtcp.ioctl(ctx, s, Mtcp.FIONREAD, ready) == 0 && ready[0] == SMALL,
                STEP), () -> "unread " + ready[0] + "\n" + ApiStackOnBed.describe(stack));
            assertEquals(0, Mtcp.close(ctx, s), () -> Errno.name(ctx.errno()));
            assertEquals(KernelPeer.EXIT_SOCKET_ERROR, peer.awaitExit(STEP), peer::describe);
            assertEquals("ECONNRESET", peer.value("error"), peer::describe);
            assertEquals(1, stack.stackContext(0).counters().get(StackCounter.TCP_UNREAD_DATA_RESETS));
            closeAndAssertReturned(stack, listener);
        }
    }

    @Test
    void lingerZeroCloseKernelSeesEconnreset(final NetnsBed bed) throws Exception
    {
        try (MtcpStack stack = ApiStackOnBed.open(bed, 1, new TcpConfig(), new SocketConfig()))
        {
            final MtcpContext ctx = stack.context(0);
            final int listener = listen(ctx, PORT, 16);
            // The kernel sends nothing and waits in read() for our data or FIN.
            final PeerProcess peer = kernelClient(bed, 0, "after-eof");
            final int s = accept(ctx, listener);
            assertEquals(0, Mtcp.setsockopt(ctx, s, Mtcp.SOL_SOCKET, Mtcp.SO_LINGER, 0));
            assertEquals(0, Mtcp.close(ctx, s), () -> Errno.name(ctx.errno()));
            assertEquals(KernelPeer.EXIT_SOCKET_ERROR, peer.awaitExit(STEP), peer::describe);
            assertEquals("ECONNRESET", peer.value("error"), peer::describe);
            assertEquals(1, stack.stackContext(0).counters().get(StackCounter.TCP_RESETS_OUT));
            closeAndAssertReturned(stack, listener);
        }
    }

    @Test
    void connectToTheClosedListenersPortIsRefused(final NetnsBed bed) throws Exception
    {
        try (MtcpStack stack = ApiStackOnBed.open(bed, 1, new TcpConfig(), new SocketConfig()))
        {
            final MtcpContext ctx = stack.context(0);
            final int listener = listen(ctx, PORT, 16);
            // One connection while it listens, so the refusal is the close's doing.
            final PeerProcess first = kernelClient(bed, 0, "after-eof");
            final int s = accept(ctx, listener);
            assertEquals(0, Mtcp.close(ctx, s));
            assertEquals(0, first.awaitExit(STEP), first::describe);
            closeAndAssertReturned(stack, listener);
            final PeerProcess peer = PeerProcess.start(bed, "connect", bed.stackAddressText(), Integer.toString(PORT));
            assertEquals(KernelPeer.EXIT_SOCKET_ERROR, peer.awaitExit(STEP), peer::describe);
            assertEquals("ECONNREFUSED", peer.value("error"), peer::describe);
            assertEquals(1, stack.stackContext(0).counters().get(StackCounter.TCP_RESETS_TO_CLOSED_PORTS));
        }
    }

    @Test
    void listenerClosedWithConnectionsInItsAcceptQueueResetsThem(final NetnsBed bed) throws Exception
    {
        final int waiting = 3;
        try (MtcpStack stack = ApiStackOnBed.open(bed, 1, new TcpConfig(), new SocketConfig()))
        {
            final MtcpContext ctx = stack.context(0);
            final int listener = listen(ctx, PORT, 16);
            final List<PeerProcess> peers = new ArrayList<>();
            for (int i = 0; i < waiting; i++)
            {
                // Established on the kernel's side, waiting in read(); never accepted on ours.
                peers.add(kernelClient(bed, 0, "after-eof"));
            }
            assertTrue(ApiStackOnBed.await(stack.stackContext(0), sc -> sc.tcp().connectionCount() == waiting, STEP),
                () -> ApiStackOnBed.describe(stack));
            final int epoll = Mtcp.epollCreate(ctx, 1);
            assertEquals(0, Mtcp.epollCtl(ctx, epoll, Mtcp.EPOLL_CTL_ADD, listener, Mtcp.EPOLLIN, listener));
            assertEquals(1, Mtcp.epollWait(ctx, epoll, new EpollEvents(1), 1, (int)STEP.toMillis()),
                "the listener is readable: its queue holds them");
            assertEquals(0, Mtcp.close(ctx, epoll));
            assertEquals(0, Mtcp.close(ctx, listener), () -> Errno.name(ctx.errno()));
            for (final PeerProcess peer : peers)
            {
                assertEquals(KernelPeer.EXIT_SOCKET_ERROR, peer.awaitExit(STEP), peer::describe);
                assertEquals("ECONNRESET", peer.value("error"), peer::describe);
            }
            assertEquals(waiting, stack.stackContext(0).counters().get(StackCounter.TCP_RESETS_OUT));
            assertReturned(stack);
        }
    }

    @Test
    void shutWriteKernelReadsEofAndStillSendsToUs(final NetnsBed bed) throws Exception
    {
        try (MtcpStack stack = ApiStackOnBed.open(bed, 1, new TcpConfig(), new SocketConfig()))
        {
            final MtcpContext ctx = stack.context(0);
            final int listener = listen(ctx, PORT, 16);
            // The kernel reads to our FIN, and only then sends its stream and half-closes.
            final PeerProcess peer = kernelClient(bed, BYTES, "after-eof");
            final int s = accept(ctx, listener);
            writeSeeded(ctx, s, OUR_SEED, SMALL);
            assertEquals(0, Mtcp.shutdown(ctx, s, Mtcp.SHUT_WR), () -> Errno.name(ctx.errno()));
            final MessageDigest digest = MessageDigest.getInstance("SHA-256");
            final byte[] block = new byte[16 * 1024];
            long received = 0;
            for (int n; (n = Mtcp.read(ctx, s, block, 0, block.length)) != 0; received += n)
            {
                assertTrue(n > 0, () -> Errno.name(ctx.errno()));
                digest.update(block, 0, n);
            }
            assertEquals(BYTES, received);
            assertEquals(SeededBytes.sha256Hex(KERNEL_SEED, BYTES), HexFormat.of().formatHex(digest.digest()));
            assertEquals(0, peer.awaitExit(STEP), peer::describe);
            assertEquals(Integer.toString(SMALL), peer.value("bytes"), peer::describe);
            assertEquals(SeededBytes.sha256Hex(OUR_SEED, SMALL), peer.value("sha256"));
            assertEquals(0, Mtcp.close(ctx, s), () -> Errno.name(ctx.errno()));
            assertEquals(0, stack.stackContext(0).counters().get(StackCounter.TCP_RESETS_OUT));
            closeAndAssertReturned(stack, listener);
        }
    }

    private static PeerProcess kernelClient(final NetnsBed bed, final int bytes, final String order)
    {
        return PeerProcess.start(bed, "client", bed.stackAddressText(), Integer.toString(PORT),
            Integer.toString(bytes), Long.toString(KERNEL_SEED), order);
    }

    private static int listen(final MtcpContext ctx, final int port, final int backlog)
    {
        final int listener = Mtcp.socket(ctx, Mtcp.AF_INET, Mtcp.SOCK_STREAM, 0);
        assertTrue(listener >= 0, () -> Errno.name(ctx.errno()));
        assertEquals(0, Mtcp.bind(ctx, listener, 0, port), () -> Errno.name(ctx.errno()));
        assertEquals(0, Mtcp.listen(ctx, listener, backlog), () -> Errno.name(ctx.errno()));
        return listener;
    }

    private static int accept(final MtcpContext ctx, final int listener)
    {
        final int s = Mtcp.accept(ctx, listener, null);
        assertTrue(s >= 0, () -> Errno.name(ctx.errno()));
        return s;
    }

    /** Blocking write of the seeded stream: returns once every byte is queued. */
    private static void writeSeeded(final MtcpContext ctx, final int s, final long seed, final int bytes)
    {
        final byte[] stream = new byte[bytes];
        SeededBytes.fill(seed, 0, new UnsafeBuffer(stream), 0, bytes);
        assertEquals(bytes, Mtcp.write(ctx, s, stream, 0, bytes), () -> Errno.name(ctx.errno()));
    }

    private static void closeAndAssertReturned(final MtcpStack stack, final int listener) throws Exception
    {
        if (listener >= 0)
        {
            assertEquals(0, Mtcp.close(stack.context(0), listener), () -> Errno.name(stack.context(0).errno()));
        }
        assertReturned(stack);
    }

    /**
     * Ids, connections (TIME_WAIT records aside) and the listening port all back; no port in use
     * but by TIME_WAIT records (of our active opens).
     */
    private static void assertReturned(final MtcpStack stack) throws Exception
    {
        assertEquals(0, stack.group().portSpace().holders(PORT));
        assertTrue(ApiStackOnBed.await(stack.stackContext(0), sc -> sc.tcp().connectionCount() == 0, STEP),
            () -> "connections left\n" + ApiStackOnBed.describe(stack));
        assertTrue(ApiStackOnBed.await(() -> stack.context(0).socketsInUse() == 0, STEP),
            () -> "ids left\n" + ApiStackOnBed.describe(stack));
        assertEquals(0, stack.stackContext(0).counters().get(StackCounter.INTERNAL_ERRORS));
        final int timeWaitRecords = ApiStackOnBed.call(stack.stackContext(0), sc -> sc.tcp().timeWaitCount());
        assertTrue(stack.group().portSpace().connectionsOnAllPorts() <= timeWaitRecords,
            () -> "ports in use by " + stack.group().portSpace().connectionsOnAllPorts() + " connections, " +
            timeWaitRecords + " TIME_WAIT records");
    }
}
