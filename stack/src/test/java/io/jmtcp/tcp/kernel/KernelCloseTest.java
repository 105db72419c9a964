package io.jmtcp.tcp.kernel;

import io.jmtcp.bed.SeededBytes;
import io.jmtcp.bed.KernelBed;
import io.jmtcp.bed.NetnsBed;
import io.jmtcp.bed.StackOnBed;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.TcpConnection;
import io.jmtcp.tcp.TcpError;
import io.jmtcp.tcp.TcpState;
import io.jmtcp.tcp.sim.StreamEndpoint;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way a connection ends, against the Linux kernel (DESIGN.md §4's close matrix): refused,
 * graceful both ways, half-close in each direction, our close with unread data and our abort
 * (the kernel sees ECONNRESET), the kernel closing first, and the kernel's abort with
 * {@code SO_LINGER} 0 (we see ECONNRESET). Each test also checks that the kernel counted no
 * checksum error.
 */
@KernelBed
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KernelCloseTest
{
    private static final int PORT = Transfers.OUR_PORT;
    private static final Duration STEP = Duration.ofSeconds(15);
    /** Less than our receive buffer, so that data can wait unread in it. */
    private static final int SMALL = 100_000;

    @Test
    void kernelConnectToAPortWithoutListenerIsRefused(final NetnsBed bed) throws Exception
    {
        try (StackOnBed stack = StackOnBed.startTcp(bed, Transfers.tcpConfig(), UnaryOperator.identity()))
        {
            final PeerProcess peer = PeerProcess.start(bed, "connect", bed.stackAddressText(), "5999");
            assertEquals(KernelPeer.EXIT_SOCKET_ERROR, peer.awaitExit(STEP), peer::describe);
            assertEquals("ECONNREFUSED", peer.value("error"), peer::describe);
            assertEquals(1, stack.context().counters().get(StackCounter.TCP_RESETS_TO_CLOSED_PORTS));
            KernelView.assertNoChecksumErrors(bed);
        }
    }

    @Test
    void gracefulCloseBothWaysKernelReadsEofAfterAllData(final NetnsBed bed) throws Exception
    {
        // Both sides send at once and half-close when done; each reads the other's stream to EOF.
        final Transfers.Result result = Transfers.kernelClientToOurServer(bed, UnaryOperator.identity(), 1_000_000,
            STEP);
        assertEquals(1_000_000, result.bytes());
        final Transfers.Result reverse = Transfers.ourClientToKernelServer(bed, UnaryOperator.identity(), 1_000_000,
            STEP);
        assertEquals(1_000_000, reverse.bytes());
    }

    @Test
    void kernelHalfClosesFirstAndStillReadsWhatWeSendAfterItsFin(final NetnsBed bed) throws Exception
    {
        try (StackOnBed stack = StackOnBed.startTcp(bed, Transfers.tcpConfig(), UnaryOperator.identity()))
        {
            final HoldingServer server = stack.call(ctx -> HoldingServer.listen(ctx.tcp(), PORT));
            final PeerProcess peer = PeerProcess.start(bed, "client", bed.stackAddressText(), Integer.toString(PORT),
                Integer.toString(SMALL), Long.toString(Transfers.KERNEL_SEED), "send-first");
            // We send nothing until the kernel's data and FIN have arrived: CLOSE_WAIT.
            assertTrue(stack.await(ctx -> server.connection() != null
                && server.connection().state() == TcpState.CLOSE_WAIT
                && server.connection().readable() == SMALL, STEP), () -> Transfers.describe(stack));
            final StreamEndpoint endpoint = new StreamEndpoint(2 * SMALL, Transfers.OUR_SEED);
            stack.call(ctx ->
            {
                endpoint.start(server.connection());
                return null;
            });
            assertEquals(0, peer.awaitExit(STEP), peer::describe);
            assertEquals(Long.toString(2 * SMALL), peer.value("bytes"), peer::describe);
            assertEquals(SeededBytes.sha256Hex(Transfers.OUR_SEED, 2 * SMALL), peer.value("sha256"));
            assertTrue(stack.await(ctx -> endpoint.closed(), STEP), () -> Transfers.describe(stack));
            assertEquals(SeededBytes.sha256Hex(Transfers.KERNEL_SEED, SMALL),
                stack.call(ctx -> endpoint.receivedSha256()));
            assertEquals(Integer.valueOf(TcpError.NONE), stack.call(ctx -> endpoint.finalError()));
            KernelView.assertNoChecksumErrors(bed);
        }
    }

    @Test
    void weHalfCloseFirstAndStillReadWhatTheKernelSendsAfterOurFin(final NetnsBed bed) throws Exception
    {
        try (StackOnBed stack = StackOnBed.startTcp(bed, Transfers.tcpConfig(), UnaryOperator.identity()))
        {
            // The kernel server reads to our FIN before it sends anything.
            final PeerProcess peer = PeerProcess.start(bed, "server", Integer.toString(Transfers.KERNEL_PORT),
                Integer.toString(2 * SMALL), Long.toString(Transfers.KERNEL_SEED), "after-eof");
            peer.awaitLine("listening", STEP);
            final StreamEndpoint client = new StreamEndpoint(SMALL, Transfers.OUR_SEED);
            stack.call(ctx -> ctx.tcp().connect(bed.peerAddress(), Transfers.KERNEL_PORT, 0, client, ctx.now()));
            assertEquals(0, peer.awaitExit(STEP), peer::describe);
            assertEquals(Integer.toString(SMALL), peer.value("bytes"), peer::describe);
            assertEquals(SeededBytes.sha256Hex(Transfers.OUR_SEED, SMALL), peer.value("sha256"));
            assertTrue(stack.await(ctx -> client.closed(), STEP), () -> Transfers.describe(stack));
            assertEquals(Long.valueOf(2 * SMALL), stack.call(ctx -> client.received()));
            assertEquals(SeededBytes.sha256Hex(Transfers.KERNEL_SEED, 2 * SMALL),
                stack.call(ctx -> client.receivedSha256()));
            // We sent our FIN first, so we are the side that waits in TIME_WAIT.
            assertEquals(TcpState.TIME_WAIT, stack.call(ctx -> client.finalState()));
            assertEquals(Integer.valueOf(TcpError.NONE), stack.call(ctx -> client.finalError()));
            KernelView.assertNoChecksumErrors(bed);
        }
    }

    @Test
    void ourCloseWithUnreadDataResetsAndTheKernelSeesEconnreset(final NetnsBed bed) throws Exception
    {
        try (StackOnBed stack = StackOnBed.startTcp(bed, Transfers.tcpConfig(), UnaryOperator.identity()))
        {
            final HoldingServer server = stack.call(ctx -> HoldingServer.listen(ctx.tcp(), PORT));
            final PeerProcess peer = PeerProcess.start(bed, "client", bed.stackAddressText(), Integer.toString(PORT),
                Integer.toString(SMALL), Long.toString(Transfers.KERNEL_SEED), "send-first");
            assertTrue(stack.await(ctx -> server.connection() != null && server.connection().readable() == SMALL,
                STEP), () -> Transfers.describe(stack));
            stack.call(ctx ->
            {
                server.connection().close();
                return null;
            });
            assertEquals(KernelPeer.EXIT_SOCKET_ERROR, peer.awaitExit(STEP), peer::describe);
            assertEquals("ECONNRESET", peer.value("error"), peer::describe);
            assertEquals(1, stack.context().counters().get(StackCounter.TCP_UNREAD_DATA_RESETS));
            assertTrue(stack.context().counters().get(StackCounter.TCP_RESETS_OUT) >= 1);
            KernelView.assertNoChecksumErrors(bed);
        }
    }

    @Test
    void ourAbortResetsAndTheKernelSeesEconnreset(final NetnsBed bed) throws Exception
    {
        try (StackOnBed stack = StackOnBed.startTcp(bed, Transfers.tcpConfig(), UnaryOperator.identity()))
        {
            final HoldingServer server = stack.call(ctx -> HoldingServer.listen(ctx.tcp(), PORT));
            // The kernel sends nothing and waits in read() for our data or FIN.
            final PeerProcess peer = PeerProcess.start(bed, "client", bed.stackAddressText(), Integer.toString(PORT),
                "0", Long.toString(Transfers.KERNEL_SEED), "after-eof");
            assertTrue(stack.await(ctx -> server.connection() != null
                && server.connection().state() == TcpState.ESTABLISHED, STEP), () -> Transfers.describe(stack));
            stack.call(ctx ->
            {
                server.connection().abort();
                return null;
            });
            assertEquals(KernelPeer.EXIT_SOCKET_ERROR, peer.awaitExit(STEP), peer::describe);
            assertEquals("ECONNRESET", peer.value("error"), peer::describe);
            assertEquals(1, stack.context().counters().get(StackCounter.TCP_RESETS_OUT));
            KernelView.assertNoChecksumErrors(bed);
        }
    }

    @Test
    void kernelClosesFirstWeReadEofThenCloseAndTheKernelEndsInTimeWait(final NetnsBed bed) throws Exception
    {
        try (StackOnBed stack = StackOnBed.startTcp(bed, Transfers.tcpConfig(), UnaryOperator.identity()))
        {
            final HoldingServer server = stack.call(ctx -> HoldingServer.listen(ctx.tcp(), PORT));
            final PeerProcess peer = PeerProcess.start(bed, "close-first", bed.stackAddressText(),
                Integer.toString(PORT), "1000", Long.toString(Transfers.KERNEL_SEED));
            assertEquals(0, peer.awaitExit(STEP), peer::describe);
            assertTrue(stack.await(ctx -> server.connection() != null
                && server.connection().state() == TcpState.CLOSE_WAIT, STEP), () -> Transfers.describe(stack));
            assertEquals(Integer.valueOf(1000), stack.call(ctx -> server.drain()));
            assertEquals(Boolean.TRUE, stack.call(ctx -> server.eof()), "EOF after the kernel's 1000 bytes");
            stack.call(ctx ->
            {
                server.connection().close();
                return null;
            });
            // Our FIN is acknowledged (LAST_ACK -> CLOSED, the connection released) and the
            // kernel, which closed first, waits in TIME_WAIT.
            assertTrue(stack.await(ctx -> ctx.tcp().connectionCount() == 0, STEP), () -> Transfers.describe(stack));
            final String timeWait = KernelView.ss(bed, "state", "time-wait");
            assertTrue(timeWait.contains(bed.stackAddressText() + ":" + PORT), "kernel sockets in TIME_WAIT:\n"
                + timeWait);
            assertEquals(0, stack.context().counters().get(StackCounter.TCP_RESETS_OUT));
            KernelView.assertNoChecksumErrors(bed);
        }
    }

    @Test
    void kernelAbortWithLingerZeroGivesUsEconnreset(final NetnsBed bed) throws Exception
    {
        try (StackOnBed stack = StackOnBed.startTcp(bed, Transfers.tcpConfig(), UnaryOperator.identity()))
        {
            final HoldingServer server = stack.call(ctx -> HoldingServer.listen(ctx.tcp(), PORT));
            final PeerProcess peer = PeerProcess.start(bed, "abort", bed.stackAddressText(), Integer.toString(PORT),
                "1000");
            assertTrue(stack.await(ctx -> server.connection() != null, STEP), () -> Transfers.describe(stack));
            // The kernel aborts once it has read our 1000 bytes, so the RST comes after them.
            final UnsafeBuffer data = new UnsafeBuffer(new byte[1000]);
            SeededBytes.fill(Transfers.OUR_SEED, 0, data, 0, data.capacity());
            assertEquals(Integer.valueOf(1000), stack.call(ctx -> server.connection().send(data, 0, data.capacity())));
            assertEquals(0, peer.awaitExit(STEP), peer::describe);
            assertTrue(stack.await(ctx -> server.ended(), STEP), () -> Transfers.describe(stack));
            assertEquals(Integer.valueOf(TcpError.ECONNRESET), stack.call(ctx -> server.endError()),
                () -> TcpError.name(stack.call(ctx -> server.endError())));
            assertEquals(TcpState.CLOSED, stack.call(ctx -> server.endState()));
            assertEquals(Integer.valueOf(TcpConnection.FAILED), stack.call(ctx -> server.connection().receive(
                new UnsafeBuffer(new byte[16]), 0, 16)), "receive after the reset");
            assertEquals(1, stack.context().counters().get(StackCounter.TCP_RESETS_IN));
            KernelView.assertNoChecksumErrors(bed);
        }
    }
}
