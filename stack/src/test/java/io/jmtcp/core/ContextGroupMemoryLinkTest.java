package io.jmtcp.core;

import io.jmtcp.net.InterfaceConfig;
import io.jmtcp.port.MemoryLink;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.tcp.TcpConnection;
import io.jmtcp.tcp.TcpError;
import io.jmtcp.tcp.TcpHandler;
import io.jmtcp.time.VirtualClock;
import io.jmtcp.wire.Ip4;
import io.jmtcp.wire.Mac;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A group of 1, 2 and 4 contexts sharing one in-memory link end, against a one-context peer on
 * the other end, every duty cycle driven from the test's thread on a virtual clock: connections
 * both ways, each flow on the context {@link FlowHash} names, byte-exact echoes, nothing
 * misrouted, nothing left.
 */
class ContextGroupMemoryLinkTest
{
    private static final int A = Ip4.parse("198.18.0.1");
    private static final int B = Ip4.parse("198.18.0.2");
    private static final int GROUP_PORT = 7000;
    private static final int PEER_PORT = 7001;
    private static final long IDLE_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long LIMIT_NANOS = TimeUnit.SECONDS.toNanos(120);

    private final VirtualClock clock = new VirtualClock();

    @ParameterizedTest(name = "{0} contexts")
    @ValueSource(ints = {1, 2, 4})
    void connectionsBothWaysLandOnTheirOwners(final int contexts)
    {
        final int inbound = 24;
        final int outboundPerContext = 6;
        final long bytes = 20_000;
        try (MemoryLink link = MemoryLink.builder().clock(clock).seed(contexts).capacity(4096).build();
            Bed bed = new Bed(link, contexts))
        {
            final List<SeededEchoClient> clients = new ArrayList<>();
            for (int i = 0; i < inbound; i++)
            {
                final SeededEchoClient client = new SeededEchoClient(1000 + i, bytes);
                clients.add(client);
                assertNotNull(bed.peer.tcp().connect(A, GROUP_PORT, 0, client, clock.nanoTime()),
                    () -> "peer connect: errno " + bed.peer.tcp().lastError());
            }
            final List<TcpConnection> ours = new ArrayList<>();
            for (int c = 0; c < contexts; c++)
            {
                final StackContext context = bed.group.context(c);
                for (int i = 0; i < outboundPerContext; i++)
                {
                    final SeededEchoClient client = new SeededEchoClient(2000 + 100 * c + i, bytes);
                    clients.add(client);
                    final TcpConnection connection = context.tcp().connect(B, PEER_PORT, 0, client, clock.nanoTime());
                    assertNotNull(connection, () -> "connect: errno " + context.tcp().lastError());
                    assertEquals(c, FlowHash.contextOf(A, connection.localPort(), B, PEER_PORT, contexts));
                    ours.add(connection);
                }
            }
            assertTrue(bed.runUntil(() -> clients.stream().allMatch(SeededEchoClient::done)), bed::describe);
            for (final SeededEchoClient client : clients)
            {
                assertNull(client.failure(), client.failure());
            }
            assertTrue(bed.runUntil(bed::noConnections), bed::describe);

            long passive = 0;
            for (int c = 0; c < contexts; c++)
            {
                final StackContext context = bed.group.context(c);
                assertEquals(0, context.counters().get(StackCounter.TCP_MISROUTED), bed::describe);
                assertEquals(0, context.counters().get(StackCounter.INTERNAL_ERRORS), bed::describe);
                assertEquals(0, bed.echoes[c].foreign());
                assertEquals(context.counters().get(StackCounter.TCP_PASSIVE_OPENS), bed.echoes[c].accepted());
                assertEquals(outboundPerContext, context.counters().get(StackCounter.TCP_ACTIVE_OPENS));
                assertTrue(bed.echoes[c].accepted() > 0, () -> "no inbound flow reached a context\n" + bed.describe());
                passive += bed.echoes[c].accepted();
            }
            assertEquals(inbound, passive);
            assertEquals(0, bed.group.sharedPort().receiveDrops(0));
        }
    }

    @Test
    void ephemeralPortsLandOnTheCallerAndAreNotReusedWhileInUse()
    {
        final int contexts = 4;
        try (MemoryLink link = MemoryLink.builder().clock(clock).capacity(4096).build();
            Bed bed = new Bed(link, contexts))
        {
            final PortSpace ports = bed.group.portSpace();
            final int claimed = firstPortOwnedBy(1, contexts, ports.ephemeralFirst());
            assertEquals(0, ports.bind(claimed, 0));
            for (int c = 0; c < contexts; c++)
            {
                final StackContext context = bed.group.context(c);
                final Set<Integer> used = new HashSet<>();
                for (int i = 0; i < 300; i++)
                {
                    final TcpConnection connection = context.tcp().connect(B, 9, 0, new TcpHandler()
                    {
                    }, clock.nanoTime());
                    assertNotNull(connection, () -> "errno " + context.tcp().lastError());
                    final int port = connection.localPort();
                    assertEquals(c, FlowHash.contextOf(A, port, B, 9, contexts));
                    assertTrue(port >= ports.ephemeralFirst() && port <= ports.ephemeralLast());
                    assertTrue(used.add(port), "port " + port + " given twice");
                    assertTrue(port != claimed, "a claimed port was chosen");
                }
            }
            ports.release(claimed);
        }
    }

    @Test
    void explicitLocalPortOfAnotherContextIsRefused()
    {
        final int contexts = 2;
        try (MemoryLink link = MemoryLink.builder().clock(clock).capacity(4096).build();
            Bed bed = new Bed(link, contexts))
        {
            final int mine = firstPortOwnedBy(0, contexts, 40000);
            final int theirs = firstPortOwnedBy(1, contexts, 40000);
            final StackContext zero = bed.group.context(0);
            assertNull(zero.tcp().connect(B, PEER_PORT, theirs, new TcpHandler()
            {
            }, clock.nanoTime()));
            assertEquals(TcpError.EADDRNOTAVAIL, zero.tcp().lastError());
            assertNotNull(zero.tcp().connect(B, PEER_PORT, mine, new TcpHandler()
            {
            }, clock.nanoTime()));
            assertEquals(TcpError.NONE, zero.tcp().lastError());
        }
    }

    private static int firstPortOwnedBy(final int context, final int contexts, final int from)
    {
        int port = from;
        while (FlowHash.contextOf(A, port, B, contexts == 2 ? PEER_PORT : 9, contexts) != context)
        {
            port++;
        }
        return port;
    }

    /** The group on end A, the peer on end B, both driven by {@link #runUntil}. */
    private final class Bed implements AutoCloseable
    {
        private final MemoryLink link;
        private final ContextGroup group;
        private final StackContext peer;
        private final OwnerCheckingEcho[] echoes;
        private final OwnerCheckingEcho peerEcho;

        Bed(final MemoryLink link, final int contexts)
        {
            this.link = link;
            final TcpConfig tcp = new TcpConfig().secret(contexts, 17);
            echoes = new OwnerCheckingEcho[contexts];
            group = ContextGroup.builder(new ContextConfig().name("a")
                    .iface(new InterfaceConfig(Mac.parse("02:00:00:00:00:01"), A, 24, InterfaceConfig.NO_GATEWAY, 1500)),
                    contexts)
                .tcp(tcp)
                .clock(clock)
                .manual()
                .setup(context ->
                {
                    echoes[context.index()] = new OwnerCheckingEcho(context);
                    assertNotNull(context.tcp().listen(GROUP_PORT, 64, echoes[context.index()]));
                })
                .openShared(link.endA());
            peer = new StackContext(new ContextConfig().name("b")
                .iface(new InterfaceConfig(Mac.parse("02:00:00:00:00:02"), B, 24, InterfaceConfig.NO_GATEWAY, 1500)),
                link.endB(), clock, new TcpConfig().secret(99, 98));
            peerEcho = new OwnerCheckingEcho(peer);
            assertNotNull(peer.tcp().listen(PEER_PORT, 64, peerEcho));
            group.doWork();
            peer.doWork();
        }

        boolean runUntil(final BooleanSupplier done)
        {
            final long deadline = clock.nanoTime() + LIMIT_NANOS;
            while (!done.getAsBoolean())
            {
                final int work = group.doWork() + peer.doWork();
                for (final StackContext context : group.contexts())
                {
                    if (context.lastError() != null)
                    {
                        throw new AssertionError(context.roleName() + " caught an exception", context.lastError());
                    }
                }
                if (work == 0)
                {
                    final long now = clock.nanoTime();
                    final long step = now + IDLE_STEP_NANOS;
                    final long next = link.nextDeliveryNanos();
                    clock.advanceTo(next != Long.MAX_VALUE && next - step < 0 ? Math.max(next, now + 1) : step);
                }
                if (clock.nanoTime() - deadline > 0)
                {
                    return false;
                }
            }
            return true;
        }

        boolean noConnections()
        {
            for (final StackContext context : group.contexts())
            {
                if (context.tcp().connectionCount() != 0)
                {
                    return false;
                }
            }
            return peer.tcp().connectionCount() == 0;
        }

        String describe()
        {
            final StringBuilder text = new StringBuilder();
            for (final StackContext context : group.contexts())
            {
                text.append(context.roleName()).append(": connections ").append(context.tcp().connectionCount())
                    .append('\n').append(context.counters().format(false));
            }
            text.append("peer: connections ").append(peer.tcp().connectionCount()).append('\n')
                .append(peer.counters().format(false));
            return text.toString();
        }

        @Override
        public void close()
        {
            group.close();
            peer.counters().close();
        }
    }
}
