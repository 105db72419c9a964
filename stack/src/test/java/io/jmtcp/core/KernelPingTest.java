package io.jmtcp.core;

import io.jmtcp.bed.CommandResult;
import io.jmtcp.bed.KernelBed;
import io.jmtcp.bed.NetnsBed;
import io.jmtcp.bed.StackOnBed;
import io.jmtcp.net.InterfaceConfig;
import io.jmtcp.port.PcapPort;
import io.jmtcp.port.PcapPortConfig;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.wire.DropReason;
import io.jmtcp.wire.Ip4;
import io.jmtcp.wire.Mac;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stack against the Linux kernel over a veth pair: ARP both ways and ICMP echo both ways.
 */
@KernelBed
class KernelPingTest
{
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(30);

    @Test
    void kernelPingsFiftyTimesAndGetsFiftyReplies(final NetnsBed bed) throws Exception
    {
        try (StackOnBed stack = StackOnBed.start(bed))
        {
            final CommandResult ping = bed.exec(PING_TIMEOUT, "ping", "-n", "-c", "50", "-i", "0.01", "-W", "2",
                bed.stackAddressText());
            assertTrue(ping.ok(), ping.describe());
            assertTrue(ping.stdout().contains("50 packets transmitted, 50 received"), ping.stdout());

            stack.close();
            // Read after the context thread stopped: the reply counter is bumped after the reply
            // left, so the kernel's ping may finish first.
            final StackContext context = stack.context();
            assertEquals(50, context.counters().get(StackCounter.ICMP_ECHO_REQUESTS_IN));
            assertEquals(50, context.counters().get(StackCounter.ICMP_ECHO_REPLIES_OUT));
            assertEquals(0, context.counters().get(StackCounter.INTERNAL_ERRORS));
            assertEquals(0, context.counters().dropped(DropReason.IPV4_BAD_CHECKSUM));
            assertEquals(0, context.counters().dropped(DropReason.ICMP_BAD_CHECKSUM));
            assertEquals(0, stack.port().txErrors());
        }
    }

    /**
     * An idle context sleeps in its pcap handle's descriptor, not in a timed park: with a sleep of
     * up to a minute, every one of the kernel's pings (200 ms apart, the context asleep between
     * them) must still be answered within ping's 2 s.
     */
    @Test
    void anIdleContextAnswersEachFrameWithoutWaitingOutItsSleep(final NetnsBed bed) throws Exception
    {
        final InterfaceConfig iface = new InterfaceConfig(bed.stackMac(), bed.stackAddress(), bed.prefixLength(),
            InterfaceConfig.NO_GATEWAY, bed.mtu());
        try (PcapPort port = PcapPort.open(PcapPortConfig.builder(bed.stackInterface()).maxFrameLength(bed.mtu() + 14)
            .build()))
        {
            final StackContext context = new StackContext(new ContextConfig().name("sleepy").iface(iface), port,
                SystemNanoClock.INSTANCE);
            try (ContextRunner runner = ContextRunner.start(context,
                new ContextIdleStrategy(context, TimeUnit.MINUTES.toNanos(1))))
            {
                final CommandResult ping = bed.exec(PING_TIMEOUT, "ping", "-n", "-c", "5", "-i", "0.2", "-W", "2",
                    bed.stackAddressText());
                assertTrue(ping.stdout().contains("5 packets transmitted, 5 received"), ping.describe());
            }
            assertEquals(5, context.counters().get(StackCounter.ICMP_ECHO_REPLIES_OUT));
        }
    }

    @Test
    void kernelNeighbourTableLearnsOurMac(final NetnsBed bed) throws Exception
    {
        try (StackOnBed stack = StackOnBed.start(bed))
        {
            assertTrue(bed.exec(PING_TIMEOUT, "ping", "-n", "-c", "3", "-i", "0.05", "-W", "2",
                bed.stackAddressText()).ok());
            final Map<Integer, NetnsBed.Neighbour> neighbours = bed.neighbours();
            final NetnsBed.Neighbour us = neighbours.get(bed.stackAddress());
            assertTrue(us != null, "kernel has no entry for " + bed.stackAddressText() + ": " + neighbours);
            assertEquals(Mac.format(bed.stackMac()), Mac.format(us.mac()), "state " + us.state());
            assertTrue(stack.context().counters().get(StackCounter.ARP_REPLIES_OUT) >= 1);
        }
    }

    @Test
    void stackResolvesTheKernelsMacAndPingsIt(final NetnsBed bed) throws Exception
    {
        try (StackOnBed stack = StackOnBed.start(bed))
        {
            final StackContext context = stack.context();
            final long[] rtts = new Pinger(context, 0x4A4D).ping(bed.peerAddress(), 5, Duration.ofMillis(20),
                Duration.ofSeconds(5));
            assertTrue(Arrays.stream(rtts).allMatch(rtt -> rtt > 0), "round-trip times " + Arrays.toString(rtts));
            assertTrue(context.counters().get(StackCounter.ARP_REQUESTS_OUT) >= 1);
            assertEquals(1, context.counters().get(StackCounter.ARP_RESOLVED));
            assertEquals(5, context.counters().get(StackCounter.ICMP_ECHO_REPLIES_IN));
            final String arpCache = onContext(context, ctx -> ctx.network().arp().dump());
            assertTrue(arpCache.contains(Ip4.format(bed.peerAddress()) + " " + Mac.format(bed.peerMac())), arpCache);
        }
    }

    @Test
    void arpRequestForAnotherAddressGetsNoAnswer(final NetnsBed bed) throws Exception
    {
        try (StackOnBed stack = StackOnBed.start(bed))
        {
            final String other = "198.18.0.77";
            final CommandResult ping = bed.exec(PING_TIMEOUT, "ping", "-n", "-c", "2", "-i", "0.5", "-W", "1", other);
            assertNotEquals(0, ping.exitCode(), "nobody may answer for " + other + ": " + ping.stdout());
            final StackContext context = stack.context();
            assertTrue(context.counters().dropped(DropReason.ARP_NOT_FOR_US) >= 1,
                "the kernel's requests for " + other + " reached the stack");
            assertEquals(0, context.counters().get(StackCounter.ARP_REPLIES_OUT));
            final NetnsBed.Neighbour entry = bed.neighbours().get(Ip4.parse(other));
            assertTrue(entry == null || entry.mac() == NetnsBed.Neighbour.NO_MAC, "kernel learned " + entry);
        }
    }

    /** Run a query on the context's thread and wait for its answer. */
    private static <T> T onContext(final StackContext context, final Function<StackContext, T> query)
        throws Exception
    {
        final CompletableFuture<T> answer = new CompletableFuture<>();
        assertTrue(context.submit(ctx -> answer.complete(query.apply(ctx))));
        return answer.get(5, TimeUnit.SECONDS);
    }
}
