package io.jmtcp.core;

import io.jmtcp.tcp.TcpError;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.jmtcp.tcp.TcpEngine.REUSE_ADDRESS;
import static io.jmtcp.tcp.TcpEngine.REUSE_PORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PortSpace}: bind, SO_REUSEPORT sharing, release, range checks; the connections counted
 * on a port and Linux's rule for binds against them (the matrix measured on a 6.18 kernel); the
 * limits of each field; and racing threads, for binds alone and for binds against active opens.
 *
 * <p>The racing tests draw a seed, print it and report it in any failure;
 * {@code -Djmtcp.seed=N} replays the choices (the interleaving is the scheduler's).
 */
class PortSpaceTest
{
    private static final int BOTH = REUSE_ADDRESS | REUSE_PORT;

    private final PortSpace ports = new PortSpace(49152, 65535);
    private final long seed = Long.getLong("jmtcp.seed", System.nanoTime());

    @Test
    void exclusiveClaimRefusesEveryOther()
    {
        assertEquals(TcpError.NONE, ports.bind(80, 0));
        assertEquals(TcpError.EADDRINUSE, ports.bind(80, 0));
        assertEquals(TcpError.EADDRINUSE, ports.bind(80, REUSE_PORT));
        assertEquals(TcpError.EADDRINUSE, ports.bind(80, REUSE_ADDRESS), "SO_REUSEADDR does not share among binds");
        assertEquals(1, ports.holders(80));
        ports.release(80);
        assertEquals(0, ports.holders(80));
        assertEquals(TcpError.NONE, ports.bind(80, REUSE_PORT));
    }

    @Test
    void reusePortSharesOnlyWhenEveryHolderSetIt()
    {
        assertEquals(TcpError.NONE, ports.bind(8080, REUSE_PORT));
        assertEquals(TcpError.NONE, ports.bind(8080, BOTH));
        assertEquals(TcpError.EADDRINUSE, ports.bind(8080, 0));
        assertEquals(2, ports.holders(8080));
        ports.release(8080);
        ports.release(8080);
        assertEquals(0, ports.holders(8080));
        assertEquals(TcpError.NONE, ports.bind(8080, 0));
        assertEquals(TcpError.EADDRINUSE, ports.bind(8080, REUSE_PORT), "an exclusive holder keeps the port");
    }

    @Test
    void outOfRangeAndFreeReleases()
    {
        assertEquals(TcpError.EINVAL, ports.bind(0, 0));
        assertEquals(TcpError.EINVAL, ports.bind(65536, REUSE_PORT));
        assertEquals(TcpError.EINVAL, ports.bind(-1, 0));
        assertEquals(TcpError.EINVAL, ports.bindUnused(0, 0));
        assertFalse(ports.addConnection(0, 0));
        assertFalse(ports.addEphemeralConnection(65536, 0));
        ports.release(5);
        ports.release(70000);
        ports.removeConnection(5, 0);
        ports.removeConnection(-1, 0);
        assertEquals(0, ports.holders(5));
        assertEquals(0, ports.holders(-3));
        assertEquals(0, ports.connections(5));
        assertEquals(0, ports.connections(65536));
        assertEquals(0, ports.connectionsOnAllPorts());
        assertEquals(49152, ports.ephemeralFirst());
        assertEquals(65535, ports.ephemeralLast());
        assertThrows(IllegalArgumentException.class, () -> new PortSpace(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new PortSpace(10, 9));
        assertThrows(IllegalArgumentException.class, () -> new PortSpace(10, 65536));
    }

    /**
     * Linux (inet_bind_conflict): a bind or listen shares a port with a connection only if both
     * sockets set SO_REUSEADDR or both set SO_REUSEPORT. Measured on the 6.18 kernel, for a
     * connection with neither, SO_REUSEADDR, SO_REUSEPORT, alive and in TIME_WAIT alike.
     */
    @Test
    void aConnectionSharesItsPortOnlyWithABindThatSetTheSameReuseOption()
    {
        final String[] names = {"neither", "SO_REUSEADDR", "SO_REUSEPORT", "both"};
        for (int connection = 0; connection <= BOTH; connection++)
        {
            final int port = 50_000 + connection;
            assertTrue(ports.addEphemeralConnection(port, connection));
            for (int binder = 0; binder <= BOTH; binder++)
            {
                final boolean shared = (connection & binder) != 0;
                final String what = "connection " + names[connection] + ", bind " + names[binder];
                assertEquals(shared, ports.connectionsAllow(port, binder), what);
                assertEquals(shared ? TcpError.NONE : TcpError.EADDRINUSE, ports.bind(port, binder), what);
                if (shared)
                {
                    assertEquals(1, ports.holders(port));
                    assertEquals(1, ports.connections(port), "the bind leaves the connection counted");
                    ports.release(port);
                }
                assertEquals(0, ports.holders(port));
            }
            assertEquals(TcpError.EADDRINUSE, ports.bindUnused(port, BOTH), "an automatic bind never shares");
            ports.removeConnection(port, connection);
            assertEquals(0, ports.connections(port));
            assertEquals(TcpError.NONE, ports.bind(port, 0), "free once the connection is gone");
            ports.release(port);
        }
        final int port = 50_010;
        assertTrue(ports.addEphemeralConnection(port, REUSE_ADDRESS));
        assertTrue(ports.addEphemeralConnection(port, REUSE_PORT));
        assertEquals(TcpError.EADDRINUSE, ports.bind(port, REUSE_ADDRESS), "the SO_REUSEPORT connection objects");
        assertEquals(TcpError.EADDRINUSE, ports.bind(port, REUSE_PORT), "the SO_REUSEADDR connection objects");
        assertEquals(TcpError.NONE, ports.bind(port, BOTH), "each connection shares one option with it");
    }

    @Test
    void activeOpensStayOffHeldPortsAndShareAPortAmongThemselves()
    {
        final int port = 50_100;
        assertEquals(TcpError.NONE, ports.bind(port, BOTH));
        assertFalse(ports.addEphemeralConnection(port, BOTH), "a held port is no ephemeral port");
        assertEquals(0, ports.connections(port));
        ports.release(port);
        assertTrue(ports.addEphemeralConnection(port, 0));
        assertTrue(ports.addEphemeralConnection(port, REUSE_ADDRESS), "connections to other peers share a port");
        assertTrue(ports.addEphemeralConnection(port, 0));
        assertEquals(3, ports.connections(port));
        assertEquals(3, ports.connectionsOnAllPorts());
        assertEquals(0, ports.holders(port));
        ports.removeConnection(port, 0);
        ports.removeConnection(port, 0);
        ports.removeConnection(port, 0);
        assertEquals(1, ports.connections(port), "a release of a kind no connection has changes nothing");
        assertEquals(TcpError.NONE, ports.bind(port, REUSE_ADDRESS), "only the SO_REUSEADDR connection is left");
        ports.release(port);
        ports.removeConnection(port, REUSE_ADDRESS);
        assertEquals(0, ports.connectionsOnAllPorts());
        assertEquals(TcpError.NONE, ports.bindUnused(port, 0));
        assertEquals(TcpError.EADDRINUSE, ports.bindUnused(port, REUSE_PORT));
    }

    @Test
    void aBoundSocketsConnectionOutlivesItsBind()
    {
        final int port = 7000;
        assertEquals(TcpError.NONE, ports.bind(port, REUSE_PORT));
        assertTrue(ports.addConnection(port, REUSE_PORT), "the bound socket's own connect ignores the holders");
        assertEquals(TcpError.NONE, ports.bind(port, REUSE_PORT), "another SO_REUSEPORT socket joins");
        ports.release(port);
        ports.release(port);
        assertEquals(0, ports.holders(port));
        assertEquals(1, ports.connections(port), "closed socket, connection in TIME_WAIT");
        assertEquals(TcpError.EADDRINUSE, ports.bind(port, REUSE_ADDRESS));
        assertEquals(TcpError.NONE, ports.bind(port, REUSE_PORT));
        ports.release(port);
        ports.removeConnection(port, REUSE_PORT);
        assertEquals(TcpError.NONE, ports.bind(port, 0));
    }

    @Test
    void fullFieldsRefuseOneMoreAndNeverSpillIntoTheirNeighbours()
    {
        final int port = 9000;
        for (int i = 0; i < PortSpace.MAX_CONNECTIONS; i++)
        {
            assertTrue(ports.addEphemeralConnection(port, REUSE_ADDRESS));
        }
        assertFalse(ports.addEphemeralConnection(port, REUSE_ADDRESS), "full");
        assertFalse(ports.addConnection(port, REUSE_ADDRESS), "full");
        for (final int other : new int[] {0, REUSE_PORT, BOTH})
        {
            assertTrue(ports.addConnection(port, other), "another kind has its own field");
        }
        assertEquals(PortSpace.MAX_CONNECTIONS + 3, ports.connections(port));
        assertEquals(0, ports.holders(port));
        ports.removeConnection(port, REUSE_ADDRESS);
        assertTrue(ports.addConnection(port, REUSE_ADDRESS), "room for one again");
        for (int i = 0; i < PortSpace.MAX_CONNECTIONS; i++)
        {
            ports.removeConnection(port, REUSE_ADDRESS);
        }
        for (final int other : new int[] {0, REUSE_PORT, BOTH})
        {
            ports.removeConnection(port, other);
        }
        assertEquals(0, ports.connections(port));

        for (int i = 0; i < PortSpace.MAX_HOLDERS; i++)
        {
            assertEquals(TcpError.NONE, ports.bind(port, REUSE_PORT));
        }
        assertEquals(TcpError.EADDRINUSE, ports.bind(port, REUSE_PORT), "as many holders as the field counts");
        assertEquals(PortSpace.MAX_HOLDERS, ports.holders(port));
        assertEquals(0, ports.connections(port));
        assertTrue(ports.addConnection(port, BOTH));
        assertEquals(1, ports.connections(port));
        for (int i = 0; i < PortSpace.MAX_HOLDERS; i++)
        {
            ports.release(port);
        }
        assertEquals(0, ports.holders(port));
        assertEquals(1, ports.connections(port), "the holders' field borrowed nothing");
        ports.removeConnection(port, BOTH);
        assertEquals(0, ports.connectionsOnAllPorts());
        assertEquals(TcpError.NONE, ports.bind(port, 0), "free again");
        assertEquals(TcpError.EADDRINUSE, ports.bind(port, REUSE_PORT));
    }

    @Test
    void racingExclusiveClaimsHaveOneWinnerAndSharedClaimsAllCount() throws Exception
    {
        final int threads = 4;
        final int rounds = 2000;
        final AtomicInteger exclusiveWins = new AtomicInteger();
        race(threads, thread ->
        {
            for (int port = 1; port <= rounds; port++)
            {
                if (ports.bind(port, 0) == TcpError.NONE)
                {
                    exclusiveWins.incrementAndGet();
                }
                ports.bind(10_000 + port, REUSE_PORT);
                ports.bind(20_000 + port, REUSE_PORT);
                ports.release(20_000 + port);
            }
        });
        assertEquals(rounds, exclusiveWins.get());
        for (int port = 1; port <= rounds; port++)
        {
            assertEquals(1, ports.holders(port));
            assertEquals(threads, ports.holders(10_000 + port));
            assertEquals(0, ports.holders(20_000 + port));
        }
    }

    /**
     * Contexts open and close connections on a few ephemeral ports while application threads
     * bind and release them exclusively: a bind never wins while a connection is counted on its
     * port, an active open never lands on a port held that way, and every count comes back to 0.
     * Each thread checks the invariant from inside its own claim or connection, which the other
     * side cannot end.
     */
    @Test
    void racingBindsAndActiveOpensNeverBothWinAPort() throws Exception
    {
        System.out.println("PortSpaceTest racing seed " + seed + " (-Djmtcp.seed to replay)");
        final int first = 60_000;
        final int span = 8;
        final int rounds = 20_000;
        final AtomicInteger binds = new AtomicInteger();
        final AtomicInteger opens = new AtomicInteger();
        final AtomicReference<String> violation = new AtomicReference<>();
        race(4, thread ->
        {
            final SplittableRandom random = new SplittableRandom(seed + thread);
            final boolean context = thread % 2 == 0;
            final int[] open = new int[span];
            final int[] openSharing = new int[span];
            for (int round = 0; round < rounds; round++)
            {
                final int port = first + random.nextInt(span);
                final int slot = port - first;
                if (!context)
                {
                    if (ports.bind(port, 0) == TcpError.NONE)
                    {
                        binds.incrementAndGet();
                        if (ports.connections(port) != 0)
                        {
                            violation.compareAndSet(null, "a bind won port " + port + " with connections on it");
                        }
                        ports.release(port);
                    }
                }
                else if (open[slot] > 0 && random.nextBoolean())
                {
                    if (ports.holders(port) != 0)
                    {
                        violation.compareAndSet(null, "port " + port + " held under a live connection");
                    }
                    ports.removeConnection(port, openSharing[slot]);
                    open[slot]--;
                }
                else if (open[slot] == 0)
                {
                    final int sharing = random.nextInt(BOTH + 1);
                    if (ports.addEphemeralConnection(port, sharing))
                    {
                        opens.incrementAndGet();
                        open[slot]++;
                        openSharing[slot] = sharing;
                    }
                }
            }
            for (int slot = 0; slot < span; slot++)
            {
                if (open[slot] > 0)
                {
                    ports.removeConnection(first + slot, openSharing[slot]);
                }
            }
        });
        assertNull(violation.get(), () -> violation.get() + " (seed " + seed + ")");
        assertTrue(binds.get() > 0 && opens.get() > 0, () -> "both sides won sometimes: binds " + binds + ", opens " +
            opens + " (seed " + seed + ")");
        for (int port = first; port < first + span; port++)
        {
            assertEquals(0, ports.holders(port), "seed " + seed);
            assertEquals(0, ports.connections(port), "seed " + seed);
        }
    }

    /** Several threads (contexts) count connections on the same ports at once: none is lost. */
    @Test
    void racingConnectionCountsAddUpAndReturnToZero() throws Exception
    {
        final int threads = 4;
        final int first = 50_000;
        final int span = 64;
        final int perPort = 100;
        race(threads, thread ->
        {
            final int sharing = thread % (BOTH + 1);
            for (int i = 0; i < perPort; i++)
            {
                for (int port = first; port < first + span; port++)
                {
                    assertTrue(ports.addEphemeralConnection(port, sharing));
                }
            }
        });
        for (int port = first; port < first + span; port++)
        {
            assertEquals(threads * perPort, ports.connections(port));
            assertEquals(TcpError.EADDRINUSE, ports.bind(port, BOTH), "thread 0's connections set neither");
        }
        race(threads, thread ->
        {
            final int sharing = thread % (BOTH + 1);
            for (int i = 0; i < perPort; i++)
            {
                for (int port = first; port < first + span; port++)
                {
                    ports.removeConnection(port, sharing);
                }
            }
        });
        assertEquals(0, ports.connectionsOnAllPorts());
    }

    /** Run {@code body} on {@code threads} threads started together; rethrow the first failure. */
    private static void race(final int threads, final ThreadBody body) throws Exception
    {
        final CountDownLatch start = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            final int thread = t;
            workers[t] = new Thread(() ->
            {
                try
                {
                    start.await();
                    body.run(thread);
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
            });
            workers[t].start();
        }
        start.countDown();
        for (final Thread worker : workers)
        {
            worker.join();
        }
        if (failure.get() != null)
        {
            throw new AssertionError(failure.get());
        }
    }

    @FunctionalInterface
    private interface ThreadBody
    {
        void run(int thread) throws Exception;
    }
}
