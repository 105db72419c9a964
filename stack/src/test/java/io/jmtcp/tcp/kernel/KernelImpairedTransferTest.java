package io.jmtcp.tcp.kernel;

import io.jmtcp.bed.KernelBed;
import io.jmtcp.bed.NetnsBed;
import io.jmtcp.port.ImpairedPort;
import io.jmtcp.port.PacketPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The transfers of {@link KernelTransferTest} over an impaired link: 2% loss, 2% reordering and
 * 5 ms delay in each direction ({@link ImpairedPort#TCP_TEST_PROFILE}, 10 ms added to the round
 * trip).
 *
 * <p>The issue asks for {@code tc netem} on the veth. This machine's kernel has no netem qdisc
 * ({@code CONFIG_NET_SCH_NETEM} is off; {@link NetnsBed#netem} says so), so the impairment sits
 * in user space instead: an {@link ImpairedPort} wraps our pcap port and impairs both what we
 * send before it reaches the veth and what arrives before our stack sees it. The kernel peer
 * sees the same loss, reordering and delay as through netem on the link.
 *
 * <p><b>Size.</b> At 2% loss each way and a 10 ms round trip, TCP's throughput is bounded by the
 * loss rate, not the link (about MSS / RTT · 1.22 / √p, a few Mbit/s). The default run sends
 * {@value #DEFAULT_MEGABYTES} MB each way to keep the suite short; the 200 MB each way
 * runs with the Maven property {@code -Dkernel.impairedMegabytes=200}, which
 * {@code mvn -Psoak verify} sets (the README's Tests section has the command and the measured
 * durations).
 */
@KernelBed
class KernelImpairedTransferTest
{
    /** Megabytes each way in the default run. */
    static final long DEFAULT_MEGABYTES = 8;
    private static final long BYTES = Long.getLong("jmtcp.kernel.impairedMegabytes", DEFAULT_MEGABYTES) * 1_000_000L;
    /** The impairments' seed; the decisions per frame replay from it (the timing does not). */
    private static final long SEED = Long.getLong("jmtcp.seed", 20_260_101L);
    /** Generous: a 200 MB soak run at a few Mbit/s takes minutes. */
    private static final Duration PEER_LIMIT = Duration.ofSeconds(Math.max(120, BYTES / 100_000));

    @Test
    @Timeout(value = 1800, unit = TimeUnit.SECONDS)
    void kernelClientToOurServerOverTwoPercentLossAndTenMillisecondRoundTrip(final NetnsBed bed) throws Exception
    {
        System.out.println("impairment seed " + SEED + " (-Djmtcp.seed=" + SEED + ")");
        Transfers.kernelClientToOurServer(bed, impaired(), BYTES, PEER_LIMIT);
    }

    @Test
    @Timeout(value = 1800, unit = TimeUnit.SECONDS)
    void ourClientToKernelServerOverTwoPercentLossAndTenMillisecondRoundTrip(final NetnsBed bed) throws Exception
    {
        System.out.println("impairment seed " + SEED + " (-Djmtcp.seed=" + SEED + ")");
        Transfers.ourClientToKernelServer(bed, impaired(), BYTES, PEER_LIMIT);
    }

    private static UnaryOperator<PacketPort> impaired()
    {
        return port -> ImpairedPort.builder(port).seed(SEED).bothWays(ImpairedPort.TCP_TEST_PROFILE).build();
    }
}
