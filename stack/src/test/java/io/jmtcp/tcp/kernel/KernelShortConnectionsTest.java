package io.jmtcp.tcp.kernel;

import io.jmtcp.bed.CommandResult;
import io.jmtcp.bed.KernelBed;
import io.jmtcp.bed.NetnsBed;
import io.jmtcp.bed.StackOnBed;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.stats.StackCounters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 1,000 sequential short connections from the kernel to our echo server: connect, 64 bytes each
 * way, close. The kernel closes first, so its sockets pile up in TIME_WAIT: the namespace gets
 * {@code net.ipv4.tcp_tw_reuse=1} (PACKET-IO-NOTES.md pitfall 10) and our port lies below
 * {@code ip_local_port_range}.
 */
@KernelBed
class KernelShortConnectionsTest
{
    private static final int CONNECTIONS = 1000;
    private static final int REQUEST_BYTES = 64;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void thousandSequentialShortConnectionsFromTheKernel(final NetnsBed bed) throws Exception
    {
        final CommandResult sysctl = bed.exec(Duration.ofSeconds(10), "sysctl", "-w", "net.ipv4.tcp_tw_reuse=1");
        assertTrue(sysctl.ok(), sysctl.describe());
        try (StackOnBed stack = StackOnBed.startTcp(bed, Transfers.tcpConfig(), UnaryOperator.identity()))
        {
            final EchoServer server = stack.call(ctx -> EchoServer.listen(ctx.tcp(), Transfers.OUR_PORT, 128));
            final PeerProcess peer = PeerProcess.start(bed, "echo-client", bed.stackAddressText(),
                Integer.toString(Transfers.OUR_PORT), Integer.toString(CONNECTIONS), Integer.toString(REQUEST_BYTES));
            assertEquals(0, peer.awaitExit(Duration.ofSeconds(60)), () -> peer.describe() + "\n"
                + Transfers.describe(stack));
            assertEquals(Integer.toString(CONNECTIONS), peer.value("connections"), peer::describe);
            // The kernel's last FIN may still be on its way: wait until every connection is gone.
            assertTrue(stack.await(ctx -> ctx.tcp().connectionCount() == 0, Duration.ofSeconds(10)),
                () -> Transfers.describe(stack));
            assertEquals(Long.valueOf(CONNECTIONS), stack.call(ctx -> server.accepted()));
            assertEquals(Long.valueOf((long)CONNECTIONS * REQUEST_BYTES), stack.call(ctx -> server.echoedBytes()));
            assertEquals(Long.valueOf(0), stack.call(ctx -> server.shortWrites()));
            assertEquals(Long.valueOf(0), stack.call(ctx -> server.failures()));
            assertEquals(CONNECTIONS, stack.context().counters().get(StackCounter.TCP_PASSIVE_OPENS));
            assertEquals(0, stack.context().counters().get(StackCounter.TCP_RESETS_OUT),
                () -> Transfers.describe(stack));
            KernelView.assertNoChecksumErrors(bed);
            final long elapsedMs = Long.parseLong(peer.value("elapsedMs"));
            System.out.printf(Locale.ROOT,
                "%d sequential connections (64 B each way) in %d ms: %.0f connections/s%n  %s%n", CONNECTIONS, elapsedMs,
                CONNECTIONS * 1000.0 / Math.max(1, elapsedMs), Transfers.describe(stack));
        }
    }

    /**
     * The kernel closes first and our echo server closes as soon as it reads that FIN, in the
     * same duty cycle: the FIN's acknowledgment rides on our FIN (RFC 9293 §3.10.7.4), three
     * segments per connection (SYN-ACK, echo, FIN|ACK) plus any window update, and our FIN is
     * never retransmitted. A pure ACK sent a few microseconds ahead of our FIN made it four, and
     * up to a few in 1,000 of those FINs were lost inside the kernel client's close()
     * ({@code TcpConnection.processPeerFin} says how) and came back only with the 200 ms RTO. The
     * loss depends on timing (some runs of 3,000 saw none); the segment count does not.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void kernelClosesFirstAndGetsOurFinOnce(final NetnsBed bed) throws Exception
    {
        final int connections = 3 * CONNECTIONS;
        final CommandResult sysctl = bed.exec(Duration.ofSeconds(10), "sysctl", "-w", "net.ipv4.tcp_tw_reuse=1");
        assertTrue(sysctl.ok(), sysctl.describe());
        try (StackOnBed stack = StackOnBed.startTcp(bed, Transfers.tcpConfig(), UnaryOperator.identity()))
        {
            final EchoServer server = stack.call(ctx -> EchoServer.listen(ctx.tcp(), Transfers.OUR_PORT, 128));
            final PeerProcess peer = PeerProcess.start(bed, "echo-client", bed.stackAddressText(),
                Integer.toString(Transfers.OUR_PORT), Integer.toString(connections), Integer.toString(REQUEST_BYTES));
            assertEquals(0, peer.awaitExit(Duration.ofSeconds(90)), () -> peer.describe() + "\n"
                + Transfers.describe(stack));
            assertEquals(Integer.toString(connections), peer.value("connections"), peer::describe);
            assertTrue(stack.await(ctx -> ctx.tcp().connectionCount() == 0, Duration.ofSeconds(10)),
                () -> Transfers.describe(stack));
            assertEquals(Long.valueOf((long)connections * REQUEST_BYTES), stack.call(ctx -> server.echoedBytes()));
            assertEquals(Long.valueOf(0), stack.call(ctx -> server.failures()));
            final StackCounters counters = stack.context().counters();
            assertEquals(0, counters.get(StackCounter.TCP_RETRANSMITS), () -> Transfers.describe(stack));
            assertEquals(3L * connections + counters.get(StackCounter.TCP_WINDOW_UPDATES_OUT),
                counters.get(StackCounter.TCP_SEGMENTS_OUT), () -> Transfers.describe(stack));
            KernelView.assertNoChecksumErrors(bed);
        }
    }
}
