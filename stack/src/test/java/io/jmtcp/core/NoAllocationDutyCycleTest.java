package io.jmtcp.core;

import io.jmtcp.net.InterfaceConfig;
import io.jmtcp.port.MemoryLink;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.testing.Allocations;
import io.jmtcp.time.VirtualClock;
import io.jmtcp.wire.DropReason;
import io.jmtcp.wire.Ip4;
import io.jmtcp.wire.Mac;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The whole receive-and-answer path allocates nothing in steady state: two contexts over the
 * in-memory link exchange ICMP echo round trips (pinger, ARP cache lookup, IPv4 and ICMP
 * validation and output, link hand-off, counters) while the thread's allocation counter stays
 * still for a whole batch.
 */
class NoAllocationDutyCycleTest
{
    private static final int A = Ip4.parse("198.18.0.1");
    private static final int B = Ip4.parse("198.18.0.2");

    @Test
    void echoRoundTripsBetweenTwoContextsDoNotAllocate()
    {
        final VirtualClock clock = new VirtualClock();
        try (MemoryLink link = MemoryLink.builder().clock(clock).seed(1).build())
        {
            final StackContext a = new StackContext(new ContextConfig().name("a")
                .iface(new InterfaceConfig(Mac.parse("02:00:00:00:00:01"), A, 24, InterfaceConfig.NO_GATEWAY, 1500)),
                link.endA(), clock);
            final StackContext b = new StackContext(new ContextConfig().name("b")
                .iface(new InterfaceConfig(Mac.parse("02:00:00:00:00:02"), B, 24, InterfaceConfig.NO_GATEWAY, 1500)),
                link.endB(), clock);
            final int[] sequence = new int[1];
            final Runnable roundTrip = () ->
            {
                b.network().sendEchoRequest(A, 7, sequence[0]++ & 0xFFFF, 56, clock.nanoTime());
                b.doWork();
                a.doWork();
                b.doWork();
                clock.advance(1_000);
            };

            final long least = Allocations.leastBytesPerBatch(roundTrip, 50_000, 20_000, 5);

            assertEquals(0, least, "fewest bytes allocated by a batch of 20000 echo round trips");
            assertEquals(b.counters().get(StackCounter.ICMP_ECHO_REQUESTS_OUT),
                b.counters().get(StackCounter.ICMP_ECHO_REPLIES_IN), "every request was answered");
            for (final StackContext context : new StackContext[]{ a, b })
            {
                assertEquals(context.counters().dropped(DropReason.ARP_NOT_FOR_US), context.counters().totalDropped(),
                    "only the other's gratuitous announcement is not taken");
            }
        }
    }
}
