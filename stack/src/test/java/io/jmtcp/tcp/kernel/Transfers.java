package io.jmtcp.tcp.kernel;

import io.jmtcp.bed.SeededBytes;
import io.jmtcp.bed.NetnsBed;
import io.jmtcp.bed.StackOnBed;
import io.jmtcp.core.StackContext;
import io.jmtcp.port.PacketPort;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.tcp.TcpState;
import io.jmtcp.tcp.sim.StreamEndpoint;
import io.jmtcp.wire.DropReason;

import java.time.Duration;
import java.util.Locale;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Byte-exact transfers between our stack and a {@link KernelPeer}, both ways at once: each side
 * sends the seeded stream of its own seed, half-closes, and reads the other's to EOF; the test
 * compares both SHA-256s with the streams' expected hashes and checks that the connection ended
 * cleanly on both sides and that the kernel counted no checksum error.
 */
final class Transfers
{
    /** The port our servers listen on: below ip_local_port_range (PACKET-IO-NOTES.md pitfall 10). */
    static final int OUR_PORT = 5001;
    /** The port the kernel's servers listen on. */
    static final int KERNEL_PORT = 5002;
    /** The seed of the stream our stack sends. */
    static final long OUR_SEED = 0x6A6D746370L;
    /** The seed of the stream the kernel sends. */
    static final long KERNEL_SEED = 0x6B65726E656CL;

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(20);

    private Transfers()
    {
    }

    /**
     * What one transfer measured.
     *
     * @param bytes        bytes each way.
     * @param elapsedNanos the kernel peer's time from connect (or accept) to EOF.
     * @param retransmits  segments our stack retransmitted.
     * @param summary      a line for the test's output.
     */
    record Result(long bytes, long elapsedNanos, long retransmits, String summary)
    {
    }

    /**
     * @return the engine configuration of these tests: the defaults, with 1 MB buffers so that
     *         the window is not what limits a veth transfer.
     */
    static TcpConfig tcpConfig()
    {
        return new TcpConfig().sendBufferBytes(1 << 20).receiveBufferBytes(1 << 20);
    }

    /**
     * The kernel connects to our server. It sends its whole stream and half-closes before it
     * reads anything ({@code send-first}), so our side gets the kernel's FIN while it still has
     * most of its own stream to send, and the kernel keeps reading after its shutdown.
     *
     * @param bed     the bed.
     * @param wrapper wraps our pcap port (identity, or an impairment).
     * @param bytes   bytes each way.
     * @param limit   how long the kernel peer may take.
     * @return the measurement.
     */
    static Result kernelClientToOurServer(final NetnsBed bed, final UnaryOperator<PacketPort> wrapper,
        final long bytes, final Duration limit) throws Exception
    {
        try (StackOnBed stack = StackOnBed.startTcp(bed, tcpConfig(), wrapper))
        {
            final StreamServer server = stack.call(ctx -> StreamServer.listen(ctx.tcp(), OUR_PORT, bytes, OUR_SEED));
            final PeerProcess peer = PeerProcess.start(bed, "client", bed.stackAddressText(),
                Integer.toString(OUR_PORT), Long.toString(bytes), Long.toString(KERNEL_SEED), "send-first");
            final int exit = peer.awaitExit(limit);
            assertEquals(0, exit, () -> peer.describe() + "\n" + describe(stack));
            final boolean ended = stack.await(ctx -> server.endpoint() != null && server.endpoint().closed(),
                CLOSE_TIMEOUT);
            assertTrue(ended, () -> "our connection did not end: " + describe(stack));
            final OurEnd ours = stack.call(ctx -> OurEnd.of(server.endpoint()));
            assertEquals(Integer.valueOf(0), stack.call(ctx -> server.extraConnections()),
                "connections beyond the first");
            stack.call(ctx ->
            {
                server.close();
                return null;
            });
            return check(bed, stack, peer, ours, bytes, "kernel client -> our server");
        }
    }

    /**
     * Our client connects to the kernel's server; both send at once ({@code concurrent}).
     *
     * @param bed     the bed.
     * @param wrapper wraps our pcap port (identity, or an impairment).
     * @param bytes   bytes each way.
     * @param limit   how long the kernel peer may take.
     * @return the measurement.
     */
    static Result ourClientToKernelServer(final NetnsBed bed, final UnaryOperator<PacketPort> wrapper,
        final long bytes, final Duration limit) throws Exception
    {
        try (StackOnBed stack = StackOnBed.startTcp(bed, tcpConfig(), wrapper))
        {
            final PeerProcess peer = PeerProcess.start(bed, "server", Integer.toString(KERNEL_PORT),
                Long.toString(bytes), Long.toString(KERNEL_SEED), "concurrent");
            peer.awaitLine("listening", Duration.ofSeconds(20));
            final StreamEndpoint client = new StreamEndpoint(bytes, OUR_SEED);
            stack.call(ctx -> ctx.tcp().connect(bed.peerAddress(), KERNEL_PORT, 0, client, ctx.now()));
            final int exit = peer.awaitExit(limit);
            assertEquals(0, exit, () -> peer.describe() + "\n" + describe(stack));
            assertTrue(stack.await(ctx -> client.closed(), CLOSE_TIMEOUT),
                () -> "our connection did not end: " + describe(stack));
            return check(bed, stack, peer, stack.call(ctx -> OurEnd.of(client)), bytes, "our client -> kernel server");
        }
    }

    private static Result check(final NetnsBed bed, final StackOnBed stack, final PeerProcess peer, final OurEnd ours,
        final long bytes, final String what)
    {
        assertEquals(Long.toString(bytes), peer.value("bytes"), () -> "kernel received " + peer.describe());
        assertEquals(SeededBytes.sha256Hex(OUR_SEED, bytes), peer.value("sha256"), "what the kernel received");
        assertEquals(bytes, ours.received(), () -> "we received " + ours);
        assertEquals(SeededBytes.sha256Hex(KERNEL_SEED, bytes), ours.sha256(), "what we received");
        assertTrue(ours.eof(), "we read the kernel's FIN");
        assertEquals(0, ours.error(), () -> "our connection's error " + ours);
        assertTrue(ours.state() == TcpState.TIME_WAIT || ours.state() == TcpState.CLOSED, () -> "ended in " + ours);
        KernelView.assertNoChecksumErrors(bed);
        final StackContext context = stack.context();
        assertEquals(0, context.counters().dropped(DropReason.TCP_BAD_CHECKSUM), "checksum errors the kernel caused");
        assertEquals(0, context.counters().get(StackCounter.INTERNAL_ERRORS), () -> describe(stack));
        final long elapsedNanos = Long.parseLong(peer.value("elapsedMs")) * 1_000_000L;
        final long retransmits = context.counters().get(StackCounter.TCP_RETRANSMITS);
        final String summary = String.format(Locale.ROOT,
            "%s: %d bytes each way in %.2f s, %.0f Mbit/s each way; we retransmitted %d segments%n  %s",
            what, bytes, elapsedNanos / 1e9, bytes * 8e3 / Math.max(1, elapsedNanos), retransmits, describe(stack));
        System.out.println(summary);
        return new Result(bytes, elapsedNanos, retransmits, summary);
    }

    /**
     * @param stack the stack.
     * @return its non-zero counters and drop reasons, for failure messages and the test output.
     */
    static String describe(final StackOnBed stack)
    {
        final StackContext context = stack.context();
        final StringBuilder text = new StringBuilder();
        for (final StackCounter counter : StackCounter.values())
        {
            final long value = context.counters().get(counter);
            if (value != 0)
            {
                text.append(counter.description()).append('=').append(value).append(", ");
            }
        }
        for (final DropReason reason : DropReason.values())
        {
            final long value = reason == DropReason.NONE ? 0 : context.counters().dropped(reason);
            if (value != 0)
            {
                text.append("drop ").append(reason).append('=').append(value).append(", ");
            }
        }
        return text.append("pcap tx errors=").append(stack.port().txErrors()).toString();
    }

    /** Our endpoint's outcome, copied on the context thread. */
    private record OurEnd(long received, String sha256, boolean eof, TcpState state, int error)
    {
        static OurEnd of(final StreamEndpoint endpoint)
        {
            return new OurEnd(endpoint.received(), endpoint.receivedSha256(), endpoint.eof(), endpoint.finalState(),
                endpoint.finalError());
        }
    }
}
