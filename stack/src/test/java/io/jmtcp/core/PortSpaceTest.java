package io.jmtcp.core;

import io.jmtcp.tcp.TcpError;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link PortSpace}: bind, SO_REUSEPORT sharing, release, range checks, and racing claims. */
class PortSpaceTest
{
    private final PortSpace ports = new PortSpace(49152, 65535);

    @Test
    void exclusiveClaimRefusesEveryOther()
    {
        assertEquals(TcpError.NONE, ports.bind(80, false));
        assertEquals(TcpError.EADDRINUSE, ports.bind(80, false));
        assertEquals(TcpError.EADDRINUSE, ports.bind(80, true));
        assertEquals(1, ports.holders(80));
        ports.release(80);
        assertEquals(0, ports.holders(80));
        assertEquals(TcpError.NONE, ports.bind(80, true));
    }

    @Test
    void reusePortSharesOnlyWhenEveryHolderSetIt()
    {
        assertEquals(TcpError.NONE, ports.bind(8080, true));
        assertEquals(TcpError.NONE, ports.bind(8080, true));
        assertEquals(TcpError.EADDRINUSE, ports.bind(8080, false));
        assertEquals(2, ports.holders(8080));
        ports.release(8080);
        ports.release(8080);
        assertEquals(0, ports.holders(8080));
        assertEquals(TcpError.NONE, ports.bind(8080, false));
        assertEquals(TcpError.EADDRINUSE, ports.bind(8080, true), "an exclusive holder keeps the port");
    }

    @Test
    void outOfRangeAndFreeReleases()
    {
        assertEquals(TcpError.EINVAL, ports.bind(0, false));
        assertEquals(TcpError.EINVAL, ports.bind(65536, true));
        assertEquals(TcpError.EINVAL, ports.bind(-1, false));
        ports.release(5);
        ports.release(70000);
        assertEquals(0, ports.holders(5));
        assertEquals(0, ports.holders(-3));
        assertEquals(49152, ports.ephemeralFirst());
        assertEquals(65535, ports.ephemeralLast());
        assertThrows(IllegalArgumentException.class, () -> new PortSpace(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new PortSpace(10, 9));
        assertThrows(IllegalArgumentException.class, () -> new PortSpace(10, 65536));
    }

    @Test
    void racingExclusiveClaimsHaveOneWinnerAndSharedClaimsAllCount() throws Exception
    {
        final int threads = 4;
        final int rounds = 2000;
        final AtomicInteger exclusiveWins = new AtomicInteger();
        final CountDownLatch start = new CountDownLatch(1);
        final Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() ->
            {
                try
                {
                    start.await();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int port = 1; port <= rounds; port++)
                {
                    if (ports.bind(port, false) == TcpError.NONE)
                    {
                        exclusiveWins.incrementAndGet();
                    }
                    ports.bind(10_000 + port, true);
                    ports.bind(20_000 + port, true);
                    ports.release(20_000 + port);
                }
            });
            workers[t].start();
        }
        start.countDown();
        for (final Thread worker : workers)
        {
            worker.join();
        }
        assertEquals(rounds, exclusiveWins.get());
        for (int port = 1; port <= rounds; port++)
        {
            assertEquals(1, ports.holders(port));
            assertEquals(threads, ports.holders(10_000 + port));
            assertEquals(0, ports.holders(20_000 + port));
        }
    }
}
