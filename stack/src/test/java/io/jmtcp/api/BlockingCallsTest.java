package io.jmtcp.api;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.jmtcp.api.Mtcp.AF_INET;
import static io.jmtcp.api.Mtcp.EPOLLIN;
import static io.jmtcp.api.Mtcp.EPOLL_CTL_ADD;
import static io.jmtcp.api.Mtcp.SOCK_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Calls that block, on the threaded fixture (the test thread is an application thread): epoll
 * waits with timeouts -1, 0 and above 0, the EBADF of a blocked accept, read and epoll_wait whose
 * id another thread closes, and the bytes a blocked write had queued when its socket was aborted.
 * The reasons a blocking connect fails, and the errnos that wake a blocked read or write, are
 * tables in {@link ApplicationThreadErrnoTest}.
 */
class BlockingCallsTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final int PORT = 8080;
    private static final byte[] HELLO = {1, 2, 3};

    private static int[] connected(final ApiFixture f)
    {
        final MtcpContext a = f.a();
        final MtcpContext b = f.b();
        final int listener = Mtcp.socket(b, AF_INET, SOCK_STREAM, 0);
        assertEquals(0, Mtcp.bind(b, listener, 0, PORT));
        assertEquals(0, Mtcp.listen(b, listener, 4));
        final int client = Mtcp.socket(a, AF_INET, SOCK_STREAM, 0);
        assertEquals(0, Mtcp.connect(a, client, ApiFixture.B, PORT), () -> Errno.name(a.errno()));
        final int server = Mtcp.accept(b, listener, null);
        assertTrue(server >= 0, () -> Errno.name(b.errno()));
        return new int[] {client, server, listener};
    }

    private static void closeAll(final ApiFixture f, final int[] ids)
    {
        assertEquals(0, Mtcp.close(f.a(), ids[0]), () -> Errno.name(f.a().errno()));
        if (Mtcp.close(f.b(), ids[1]) < 0)
        {
            Mtcp.abort(f.b(), ids[1]);
        }
        assertEquals(0, Mtcp.close(f.b(), ids[2]));
        assertTrue(f.runUntil(() -> f.a().socketsInUse() == 0 && f.b().socketsInUse() == 0, 5 * SECOND),
            () -> "sockets in use: A " + f.a().socketsInUse() + ", B " + f.b().socketsInUse());
    }

    /**
     * Run {@code call} on another thread a little later, while the test thread is blocked. That
     * thread shares A's handle: it only makes calls that succeed, so it never writes the errno
     * the test thread reads.
     */
    private static CompletableFuture<Void> later(final Runnable call)
    {
        return CompletableFuture.runAsync(() ->
        {
            try
            {
                Thread.sleep(50);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            call.run();
        });
    }

    @Test
    void epollWaitMinusOneIsWokenByData() throws Exception
    {
        try (ApiFixture f = ApiFixture.threaded())
        {
            final int[] ids = connected(f);
            final int ep = Mtcp.epollCreate(f.a(), 1);
            assertEquals(0, Mtcp.epollCtl(f.a(), ep, EPOLL_CTL_ADD, ids[0], EPOLLIN, 7));
            final CompletableFuture<Void> writer = later(() -> Mtcp.write(f.b(), ids[1], HELLO, 0, HELLO.length));
            final EpollEvents events = new EpollEvents(4);
            assertEquals(1, Mtcp.epollWait(f.a(), ep, events, 4, -1), () -> Errno.name(f.a().errno()));
            assertEquals(EPOLLIN, events.events(0));
            assertEquals(7, events.data(0));
            writer.get(5, TimeUnit.SECONDS);
            assertEquals(0, Mtcp.close(f.a(), ep));
            closeAll(f, ids);
        }
    }

    @Test
    void epollWaitZeroReturnsAtOnceAndPositiveTimesOut()
    {
        try (ApiFixture f = ApiFixture.threaded())
        {
            final int ep = Mtcp.epollCreate(f.a(), 1);
            final EpollEvents events = new EpollEvents(4);
            final long start = System.nanoTime();
            assertEquals(0, Mtcp.epollWait(f.a(), ep, events, 4, 0));
            assertTrue(System.nanoTime() - start < SECOND / 2, "0: no wait");
            final long timed = System.nanoTime();
            assertEquals(0, Mtcp.epollWait(f.a(), ep, events, 4, 100));
            final long waited = System.nanoTime() - timed;
            assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(100) && waited < 5 * SECOND, () -> "waited " + waited);
            assertEquals(0, Mtcp.close(f.a(), ep));
            assertEquals(0, f.a().socketsInUse());
        }
    }

    @Test
    void epollWaitIsEbadfWhenTheInstanceIsClosedMeanwhile() throws Exception
    {
        try (ApiFixture f = ApiFixture.threaded())
        {
            final int ep = Mtcp.epollCreate(f.a(), 1);
            final CompletableFuture<Void> close = later(() -> assertEquals(0, Mtcp.close(f.a(), ep)));
            assertEquals(-1, Mtcp.epollWait(f.a(), ep, new EpollEvents(1), 1, -1));
            assertEquals(Errno.name(Errno.EBADF), Errno.name(f.a().errno()));
            close.get(5, TimeUnit.SECONDS);
            assertEquals(0, f.a().socketsInUse());
        }
    }

    @Test
    void blockedAcceptIsEbadfWhenTheListenerIsClosed() throws Exception
    {
        try (ApiFixture f = ApiFixture.threaded())
        {
            final int listener = Mtcp.socket(f.a(), AF_INET, SOCK_STREAM, 0);
            assertEquals(0, Mtcp.bind(f.a(), listener, 0, PORT));
            assertEquals(0, Mtcp.listen(f.a(), listener, 4));
            final CompletableFuture<Void> close = later(() -> assertEquals(0, Mtcp.close(f.a(), listener)));
            assertEquals(-1, Mtcp.accept(f.a(), listener, null));
            assertEquals(Errno.name(Errno.EBADF), Errno.name(f.a().errno()));
            close.get(5, TimeUnit.SECONDS);
            assertTrue(f.runUntil(() -> f.a().socketsInUse() == 0, 5 * SECOND));
        }
    }

    @Test
    void blockedReadIsEbadfWhenTheSocketIsClosed() throws Exception
    {
        try (ApiFixture f = ApiFixture.threaded())
        {
            final int[] ids = connected(f);
            final CompletableFuture<Void> close = later(() -> assertEquals(0, Mtcp.close(f.a(), ids[0])));
            assertEquals(-1, Mtcp.read(f.a(), ids[0], new byte[4], 0, 4));
            assertEquals(Errno.name(Errno.EBADF), Errno.name(f.a().errno()));
            close.get(5, TimeUnit.SECONDS);
            assertEquals(0, Mtcp.read(f.b(), ids[1], new byte[4], 0, 4), "the peer sees our FIN");
            assertEquals(0, Mtcp.close(f.b(), ids[1]));
            assertEquals(0, Mtcp.close(f.b(), ids[2]));
            assertTrue(f.runUntil(() -> f.a().socketsInUse() == 0 && f.b().socketsInUse() == 0, 5 * SECOND));
        }
    }

    @Test
    void blockedWriteReturnsWhatItQueuedWhenTheSocketIsAborted() throws Exception
    {
        try (ApiFixture f = ApiFixture.threaded(new SocketConfig().ringBytes(4096)))
        {
            final int[] ids = connected(f);
            final CompletableFuture<Void> close = later(() -> assertEquals(0, Mtcp.abort(f.a(), ids[0])));
            final byte[] big = new byte[4 * 1024 * 1024];
            assertTrue(Mtcp.write(f.a(), ids[0], big, 0, big.length) < big.length, "stopped before the end");
            close.get(5, TimeUnit.SECONDS);
            Mtcp.abort(f.b(), ids[1]);
            assertEquals(0, Mtcp.close(f.b(), ids[2]));
            assertTrue(f.runUntil(() -> f.a().socketsInUse() == 0 && f.b().socketsInUse() == 0, 5 * SECOND));
        }
    }

    @Test
    void blockedPipeReadIsWokenByAWriteAndSeesEofAfterTheWriterCloses() throws Exception
    {
        try (ApiFixture f = ApiFixture.threaded())
        {
            final int[] fds = new int[2];
            assertEquals(0, Mtcp.pipe(f.a(), fds));
            final CompletableFuture<Void> writer = later(() ->
            {
                assertEquals(HELLO.length, Mtcp.write(f.a(), fds[1], HELLO, 0, HELLO.length));
                assertEquals(0, Mtcp.close(f.a(), fds[1]));
            });
            final byte[] in = new byte[8];
            assertEquals(HELLO.length, Mtcp.read(f.a(), fds[0], in, 0, in.length));
            writer.get(5, TimeUnit.SECONDS);
            assertEquals(0, Mtcp.read(f.a(), fds[0], in, 0, in.length), "EOF");
            assertEquals(0, Mtcp.close(f.a(), fds[0]));
            assertEquals(0, f.a().socketsInUse());
        }
    }
}
