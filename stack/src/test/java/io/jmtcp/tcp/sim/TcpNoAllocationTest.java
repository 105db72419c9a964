package io.jmtcp.tcp.sim;

import io.jmtcp.port.LinkImpairments;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.tcp.TcpConnection;
import io.jmtcp.tcp.TcpEngine;
import io.jmtcp.tcp.TcpHandler;
import io.jmtcp.tcp.TcpListener;
import io.jmtcp.testing.Allocations;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TCP data path allocates nothing in steady state: a bulk stream between two stacks, with
 * loss so that SACK recovery, retransmission timers, delayed ACKs and window updates all run,
 * while the thread's allocation counter stays still for a whole batch of duty cycles.
 */
class TcpNoAllocationTest
{
    @Test
    void bulkTransferWithLossDoesNotAllocate()
    {
        final LinkImpairments path = LinkImpairments.NONE.withDelayNanos(TimeUnit.MILLISECONDS.toNanos(1))
            .withRateBitsPerSecond(1_000_000_000L).withLossRate(0.01);
        try (TwoStacks net = new TwoStacks(5, path, path, new TcpConfig().secret(1, 2), new TcpConfig().secret(3, 4),
            1500))
        {
            final StreamEndpoint client = new StreamEndpoint(Long.MAX_VALUE, 1);
            final StreamEndpoint[] server = new StreamEndpoint[1];
            final TcpEngine b = net.b().tcp();
            final TcpListener listener = b.listen(9, 4, new TcpHandler()
            {
                @Override
                public void onAcceptable(final TcpListener l)
                {
                    server[0] = new StreamEndpoint(0, 2);
                    server[0].start(b.accept(l));
                }
            });
            net.a().tcp().connect(TwoStacks.B, 9, 0, client, net.clock().nanoTime());

            final long least = Allocations.leastBytesPerBatch(net::step, 200_000, 20_000, 10);

            assertEquals(0, least, "fewest bytes allocated by a batch of 20000 duty-cycle pairs");
            assertTrue(server[0].received() > 10_000_000, "the stream moved: " + server[0].received());
            assertTrue(net.a().counters().get(StackCounter.TCP_RETRANSMITS) > 0, "recovery ran");
            b.closeListener(listener);
        }
    }

    /**
     * Short connections, one after another, in steady state: connect from an ephemeral port, the
     * server accepts and closes at the client's FIN, the client's end goes through TIME_WAIT and
     * expires. Counting each connection's port in the stack's port space, and giving it back, at
     * connect, close and TIME_WAIT expiry allocates nothing either.
     */
    @Test
    void shortConnectionsThroughTimeWaitDoNotAllocate()
    {
        final TcpConfig config = new TcpConfig().timeWaitNanos(TimeUnit.MILLISECONDS.toNanos(20));
        try (TwoStacks net = new TwoStacks(6, LinkImpairments.NONE, LinkImpairments.NONE, config.secret(1, 2),
            new TcpConfig().secret(3, 4), 1500))
        {
            final TcpEngine a = net.a().tcp();
            final TcpEngine b = net.b().tcp();
            final TcpHandler closeAtEof = new TcpHandler()
            {
                @Override
                public void onReadable(final TcpConnection connection)
                {
                    if (connection.receive(null, 0, 0) == TcpConnection.EOF)
                    {
                        connection.close();
                    }
                }
            };
            final TcpListener listener = b.listen(9, 64, new TcpHandler()
            {
                @Override
                public void onAcceptable(final TcpListener l)
                {
                    TcpConnection accepted;
                    while ((accepted = b.accept(l)) != null)
                    {
                        accepted.handler(closeAtEof);
                        closeAtEof.onReadable(accepted);
                    }
                }
            });
            final TcpHandler closeWhenConnected = new TcpHandler()
            {
                @Override
                public void onConnected(final TcpConnection connection)
                {
                    connection.close();
                }
            };
            final long[] opened = {0};
            final Runnable round = () ->
            {
                if (a.flowCount() == 0)
                {
                    a.connect(TwoStacks.B, 9, 0, closeWhenConnected, net.clock().nanoTime());
                    opened[0]++;
                }
                net.step();
            };

            final long least = Allocations.leastBytesPerBatch(round, 200_000, 20_000, 10);

            assertEquals(0, least, "fewest bytes allocated by a batch of 20000 rounds");
            assertTrue(opened[0] > 1_000, "connections opened: " + opened[0]);
            assertTrue(net.a().counters().get(StackCounter.TCP_TIME_WAIT_ENTERED) > 1_000);
            assertEquals(a.timeWaitCount(), net.a().portSpace().connectionsOnAllPorts() - a.flowCount());
            b.closeListener(listener);
        }
    }
}
