package io.jmtcp.tcp.kernel;

import io.jmtcp.bed.SeededBytes;
import io.jmtcp.bed.KernelBed;
import io.jmtcp.bed.NetnsBed;
import io.jmtcp.bed.StackOnBed;
import io.jmtcp.tcp.TcpConnection;
import io.jmtcp.tcp.sim.StreamEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel's own view of a connection with our stack, read with {@code ss -tin} in the middle
 * of a transfer: window scaling, SACK and timestamps negotiated, the MSS our SYN-ACK offered;
 * and afterwards {@code nstat}: no checksum error.
 */
@KernelBed
class KernelNegotiationTest
{
    private static final int KERNEL_BYTES = 8_000_000;
    private static final int OUR_BYTES = 1_000_000;
    private static final Duration STEP = Duration.ofSeconds(20);
    private static final Pattern WSCALE = Pattern.compile("wscale:(\\d+),(\\d+)");

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void ssShowsWindowScaleSackAndTimestampsDuringATransfer(final NetnsBed bed) throws Exception
    {
        try (StackOnBed stack = StackOnBed.startTcp(bed, Transfers.tcpConfig(), UnaryOperator.identity()))
        {
            final HoldingServer server = stack.call(ctx -> HoldingServer.listen(ctx.tcp(), Transfers.OUR_PORT));
            final PeerProcess peer = PeerProcess.start(bed, "client", bed.stackAddressText(),
                Integer.toString(Transfers.OUR_PORT), Integer.toString(KERNEL_BYTES),
                Long.toString(Transfers.KERNEL_SEED), "send-first");
            // We do not read yet: the kernel's 8 MB stall once our receive window is full, so the
            // connection is caught in the middle of the transfer. (The window never fills to the
            // byte: the kernel does not split a segment to fit the last few hundred bytes.)
            final int buffer = Transfers.tcpConfig().receiveBufferBytes();
            assertTrue(stack.await(ctx -> server.connection() != null
                && server.connection().readable() >= buffer / 2, STEP), () -> Transfers.describe(stack));
            final String ss = KernelView.ss(bed, "state", "established", "dport", "=", ":" + Transfers.OUR_PORT);
            System.out.println("ss -tin during the transfer:\n" + ss);
            assertTrue(ss.contains(bed.stackAddressText() + ":" + Transfers.OUR_PORT), ss);
            final String info = " " + ss.replaceAll("\\s+", " ") + " ";
            assertTrue(info.contains(" ts "), "timestamps negotiated: " + ss);
            assertTrue(info.contains(" sack "), "SACK negotiated: " + ss);
            // MTU 1500 - 40 header bytes = the MSS of our SYN-ACK, less 12 bytes of timestamps.
            assertTrue(info.contains(" mss:1448 "), "MSS 1460 offered, timestamps on: " + ss);
            final Matcher wscale = WSCALE.matcher(ss);
            assertTrue(wscale.find(), "window scaling negotiated: " + ss);
            // ss prints the shift the kernel applies to our windows, then its own.
            final int[] ours = stack.call(ctx ->
            {
                final TcpConnection c = server.connection();
                return new int[]{ c.receiveWindowShift(), c.sendWindowShift() };
            });
            assertEquals(ours[0], Integer.parseInt(wscale.group(1)), "our window shift as the kernel applies it");
            assertEquals(ours[1], Integer.parseInt(wscale.group(2)), "the kernel's window shift as we apply it");
            assertTrue(ours[0] > 0 && ours[1] > 0, "both shifts in use: " + ss);
            assertEquals(Boolean.TRUE, stack.call(ctx -> server.connection().sackEnabled()
                && server.connection().timestampsEnabled()));

            // Let the transfer finish: read the rest, send ours, close.
            final StreamEndpoint endpoint = new StreamEndpoint(OUR_BYTES, Transfers.OUR_SEED);
            stack.call(ctx ->
            {
                endpoint.start(server.connection());
                return null;
            });
            assertEquals(0, peer.awaitExit(STEP), peer::describe);
            assertEquals(Integer.toString(OUR_BYTES), peer.value("bytes"), peer::describe);
            assertEquals(SeededBytes.sha256Hex(Transfers.OUR_SEED, OUR_BYTES), peer.value("sha256"));
            assertTrue(stack.await(ctx -> endpoint.closed(), STEP), () -> Transfers.describe(stack));
            assertEquals(SeededBytes.sha256Hex(Transfers.KERNEL_SEED, KERNEL_BYTES),
                stack.call(ctx -> endpoint.receivedSha256()));
            final Map<String, Long> nstat = KernelView.assertNoChecksumErrors(bed);
            System.out.println("kernel: TcpInSegs=" + nstat.get("TcpInSegs") + " TcpOutSegs=" + nstat.get("TcpOutSegs")
                + " TcpRetransSegs=" + nstat.get("TcpRetransSegs")
                + " TcpInCsumErrors=" + nstat.get("TcpInCsumErrors"));
        }
    }
}
