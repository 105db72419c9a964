package io.jmtcp.api;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A threaded world whose A context can be held busy (a command that waits on a latch) while
 * its request queue, two entries long, is filled by two connects: the next control request of
 * any other socket of A is refused with EAGAIN, for real.
 */
final class BusyContext implements AutoCloseable
{
    static final int PORT = 8080;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    final ApiFixture f;
    final MtcpContext a;
    final MtcpContext b;
    final int listener;
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final int[] fillers = new int[2];
    private final java.util.List<Integer> servers = new java.util.ArrayList<>();

    BusyContext()
    {
        f = ApiFixture.threaded(new SocketConfig().requestQueueCapacity(2).maxSockets(64).ringBytes(16 * 1024));
        a = f.a();
        b = f.b();
        listener = Mtcp.socket(b, Mtcp.AF_INET, Mtcp.SOCK_STREAM, 0);
        assertEquals(0, Mtcp.bind(b, listener, 0, PORT));
        assertEquals(0, Mtcp.listen(b, listener, 16));
        for (int i = 0; i < fillers.length; i++)
        {
            fillers[i] = Mtcp.socket(a, Mtcp.AF_INET, Mtcp.SOCK_STREAM | Mtcp.SOCK_NONBLOCK, 0);
        }
    }

    /** @return {client on A, server on B}, established (blocking calls). */
    int[] connected()
    {
        final int client = Mtcp.socket(a, Mtcp.AF_INET, Mtcp.SOCK_STREAM, 0);
        assertEquals(0, Mtcp.connect(a, client, ApiFixture.B, PORT), () -> Errno.name(a.errno()));
        final int server = Mtcp.accept(b, listener, null);
        assertTrue(server >= 0, () -> Errno.name(b.errno()));
        servers.add(server);
        return new int[] {client, server};
    }

    /** Hold A's context in a command and fill its request queue. */
    void block() throws InterruptedException
    {
        assertTrue(f.contextA().submit(ctx ->
        {
            entered.countDown();
            try
            {
                release.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }));
        assertTrue(entered.await(5, TimeUnit.SECONDS), "the context runs the command");
        for (final int filler : fillers)
        {
            assertEquals(-1, Mtcp.connect(a, filler, ApiFixture.B, PORT));
            assertEquals(Errno.EINPROGRESS, a.errno(), () -> Errno.name(a.errno()));
        }
    }

    /** Let A's context go on; the queued requests run. */
    void unblock()
    {
        release.countDown();
    }

    /**
     * Retry a call refused with EAGAIN until the context has drained its queue.
     *
     * @return the call's last result.
     */
    long retry(final java.util.function.LongSupplier call)
    {
        final long[] result = {-1};
        f.runUntil(() -> (result[0] = call.getAsLong()) != -1 || a.errno() != Errno.EAGAIN, 5 * SECOND);
        return result[0];
    }

    /** @return A's slots in use, for a failure message. */
    private String slotsInUse()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 64; i++)
        {
            final SocketSlot s = a.table().slot(i);
            if (s.type != SocketSlot.FREE)
            {
                sb.append(" [").append(i).append(" type ").append(s.type).append(" phase ").append(s.phase)
                    .append(" id ").append(s.openId).append(" conn ").append(s.connection).append(']');
            }
        }
        return sb.toString();
    }

    @Override
    public void close()
    {
        try
        {
            unblock();
            for (final int filler : fillers)
            {
                retry(() -> Mtcp.abort(a, filler));
            }
            for (final int server : servers)
            {
                Mtcp.abort(b, server);
            }
            Mtcp.close(b, listener);
            final boolean drained = f.runUntil(() -> a.socketsInUse() == 0 && b.socketsInUse() == 0, 5 * SECOND);
            assertTrue(drained, () -> "sockets still in use: A " + a.socketsInUse() + ", B " + b.socketsInUse() + slotsInUse());
        }
        finally
        {
            f.close();
        }
    }
}
