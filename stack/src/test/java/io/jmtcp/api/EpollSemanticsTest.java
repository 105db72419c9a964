package io.jmtcp.api;

import io.jmtcp.port.LinkImpairments;
import org.junit.jupiter.api.Test;

import static io.jmtcp.api.Mtcp.EPOLLERR;
import static io.jmtcp.api.Mtcp.EPOLLET;
import static io.jmtcp.api.Mtcp.EPOLLHUP;
import static io.jmtcp.api.Mtcp.EPOLLIN;
import static io.jmtcp.api.Mtcp.EPOLLONESHOT;
import static io.jmtcp.api.Mtcp.EPOLLOUT;
import static io.jmtcp.api.Mtcp.EPOLLRDHUP;
import static io.jmtcp.api.Mtcp.EPOLL_CTL_ADD;
import static io.jmtcp.api.Mtcp.EPOLL_CTL_MOD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * epoll(7) semantics on the virtual fixture: level-triggered reports until drained,
 * edge-triggered once per change, ONESHOT disarms until MOD, HUP and RDHUP on FIN and RST, OUT
 * once a full send buffer drains, several instances per context, no IN for out-of-order bytes.
 */
class EpollSemanticsTest
{
    private static final byte[] HELLO = {1, 2, 3, 4, 5};
    private final EpollEvents events = new EpollEvents(8);

    /** One wait on A's instance; the bits reported for {@code id}, or 0. */
    private int poll(final ApiWorld w, final int ep, final int id)
    {
        final int n = Mtcp.epollWait(w.a, ep, events, events.capacity(), 0);
        assertTrue(n >= 0, () -> ApiWorld.errno(w.a));
        int bits = 0;
        for (int i = 0; i < n; i++)
        {
            if (events.data(i) == id)
            {
                bits |= events.events(i);
            }
        }
        return bits;
    }

    private static int[] watched(final ApiWorld w, final int ep, final int events)
    {
        final int[] pair = w.connected();
        assertEquals(0, Mtcp.epollCtl(w.a, ep, EPOLL_CTL_ADD, pair[0], events, pair[0]));
        return pair;
    }

    private static void peerSends(final ApiWorld w, final int server)
    {
        assertEquals(HELLO.length, Mtcp.write(w.b, server, HELLO, 0, HELLO.length));
        w.f.run(ApiWorld.SECOND / 10);
    }

    @Test
    void levelTriggeredReportsUntilDrained()
    {
        try (ApiWorld w = new ApiWorld())
        {
            final int ep = w.epoll();
            final int[] pair = watched(w, ep, EPOLLIN);
            assertEquals(0, poll(w, ep, pair[0]));
            peerSends(w, pair[1]);
            assertEquals(EPOLLIN, poll(w, ep, pair[0]));
            assertEquals(EPOLLIN, poll(w, ep, pair[0]), "still readable: reported again");
            assertEquals(2, Mtcp.read(w.a, pair[0], new byte[2], 0, 2));
            assertEquals(EPOLLIN, poll(w, ep, pair[0]), "not drained yet");
            assertEquals(3, Mtcp.read(w.a, pair[0], new byte[8], 0, 8));
            assertEquals(0, poll(w, ep, pair[0]), "drained");
        }
    }

    @Test
    void edgeTriggeredReportsOncePerChange()
    {
        try (ApiWorld w = new ApiWorld())
        {
            final int ep = w.epoll();
            final int[] pair = watched(w, ep, EPOLLIN | EPOLLET);
            peerSends(w, pair[1]);
            assertEquals(EPOLLIN, poll(w, ep, pair[0]));
            assertEquals(0, poll(w, ep, pair[0]), "no new change: not again, though not drained");
            peerSends(w, pair[1]);
            assertEquals(EPOLLIN, poll(w, ep, pair[0]), "more bytes: a new edge");
        }
    }

    @Test
    void oneshotDisarmsUntilModify()
    {
        try (ApiWorld w = new ApiWorld())
        {
            final int ep = w.epoll();
            final int[] pair = watched(w, ep, EPOLLIN | EPOLLONESHOT);
            peerSends(w, pair[1]);
            assertEquals(EPOLLIN, poll(w, ep, pair[0]));
            peerSends(w, pair[1]);
            assertEquals(0, poll(w, ep, pair[0]), "disarmed");
            assertEquals(0, Mtcp.epollCtl(w.a, ep, EPOLL_CTL_MOD, pair[0], EPOLLIN | EPOLLONESHOT, pair[0]));
            assertEquals(EPOLLIN, poll(w, ep, pair[0]), "re-armed, still readable");
        }
    }

    @Test
    void peerFinReportsInAndRdhupThenHupOnceBothSidesAreDone()
    {
        try (ApiWorld w = new ApiWorld())
        {
            final int ep = w.epoll();
            final int[] pair = watched(w, ep, EPOLLIN | EPOLLRDHUP);
            assertEquals(0, Mtcp.shutdown(w.b, pair[1], Mtcp.SHUT_WR));
            w.f.run(ApiWorld.SECOND / 10);
            assertEquals(EPOLLIN | EPOLLRDHUP, poll(w, ep, pair[0]));
            assertEquals(0, Mtcp.shutdown(w.a, pair[0], Mtcp.SHUT_WR));
            assertEquals(EPOLLIN | EPOLLRDHUP | EPOLLHUP, poll(w, ep, pair[0]));
        }
    }

    @Test
    void peerResetReportsHupRdhupAndErrUnasked()
    {
        try (ApiWorld w = new ApiWorld())
        {
            final int ep = w.epoll();
            final int[] pair = watched(w, ep, EPOLLIN | EPOLLRDHUP);
            assertEquals(0, Mtcp.abort(w.b, pair[1]));
            w.f.run(ApiWorld.SECOND / 10);
            assertEquals(EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR, poll(w, ep, pair[0]));
            final int[] unasked = w.connected();
            final int ep2 = w.epoll();
            assertEquals(0, Mtcp.epollCtl(w.a, ep2, EPOLL_CTL_ADD, unasked[0], 0, unasked[0]));
            assertEquals(0, Mtcp.abort(w.b, unasked[1]));
            w.f.run(ApiWorld.SECOND / 10);
            assertEquals(EPOLLHUP | EPOLLERR, poll(w, ep2, unasked[0]), "HUP and ERR are always reported");
        }
    }

    @Test
    void outIsReportedOnceAFullSendBufferDrains()
    {
        try (ApiWorld w = new ApiWorld())
        {
            final int ep = w.epoll();
            final int[] pair = watched(w, ep, EPOLLOUT | EPOLLET);
            assertEquals(EPOLLOUT, poll(w, ep, pair[0]), "writable at first");
            final byte[] chunk = new byte[4096];
            int writes = 0;
            while (writes++ < 10_000 && (Mtcp.write(w.a, pair[0], chunk, 0, chunk.length) > 0 ||
                w.a.errno() != Errno.EAGAIN || w.f.step() > 0))
            {
                assertTrue(writes < 10_000, "the peer's window and our ring fill up");
            }
            assertEquals(0, poll(w, ep, pair[0]), "full: not writable");
            final byte[] in = new byte[8192];
            assertTrue(w.f.runUntil(() ->
            {
                int read;
                do
                {
                    read = Mtcp.read(w.b, pair[1], in, 0, in.length);
                }
                while (read > 0);
                return poll(w, ep, pair[0]) == EPOLLOUT;
            }, 5 * ApiWorld.SECOND), "OUT once the peer read and our ring drained");
        }
    }

    @Test
    void severalEpollInstancesPerContextEachReport()
    {
        try (ApiWorld w = new ApiWorld())
        {
            final int first = w.epoll();
            final int second = w.epoll();
            final int[] pair = watched(w, first, EPOLLIN);
            assertEquals(0, Mtcp.epollCtl(w.a, second, EPOLL_CTL_ADD, pair[0], EPOLLIN | EPOLLET, pair[0]));
            final int[] fds = w.pipe();
            assertEquals(0, Mtcp.epollCtl(w.a, second, EPOLL_CTL_ADD, fds[0], EPOLLIN, fds[0]));
            peerSends(w, pair[1]);
            assertEquals(EPOLLIN, poll(w, first, pair[0]));
            assertEquals(EPOLLIN, poll(w, second, pair[0]));
            assertEquals(1, Mtcp.write(w.a, fds[1], HELLO, 0, 1));
            assertEquals(EPOLLIN, poll(w, second, fds[0]));
            assertEquals(0, poll(w, first, fds[0]), "the first does not watch the pipe");
        }
    }

    @Test
    void epollinIsNeverReportedForOutOfOrderBytesOnly()
    {
        final LinkImpairments lossy = LinkImpairments.NONE.withLossRate(0.2).withReorderRate(0.2);
        try (ApiFixture f = ApiFixture.virtual(new SocketConfig().maxSockets(8).ringBytes(16 * 1024), lossy))
        {
            final MtcpContext a = f.a();
            final MtcpContext b = f.b();
            final int listener = Mtcp.socket(b, Mtcp.AF_INET, Mtcp.SOCK_STREAM, 0);
            assertEquals(0, Mtcp.bind(b, listener, 0, 8080));
            assertEquals(0, Mtcp.listen(b, listener, 4));
            final int client = Mtcp.socket(a, Mtcp.AF_INET, Mtcp.SOCK_STREAM, 0);
            Mtcp.connect(a, client, ApiFixture.B, 8080);
            final int[] server = {-1};
            assertTrue(f.runUntil(() -> (server[0] = Mtcp.accept(b, listener, null)) >= 0, 60 * ApiWorld.SECOND));
            final int ep = Mtcp.epollCreate(b, 1);
            assertEquals(0, Mtcp.epollCtl(b, ep, EPOLL_CTL_ADD, server[0], EPOLLIN, 0));
            final EpollEvents out = new EpollEvents(1);
            final byte[] chunk = new byte[1000];
            final byte[] in = new byte[16 * 1024];
            final int total = 200_000;
            final int[] counts = {0, 0, 0};
            assertTrue(f.runUntil(() ->
            {
                if (counts[0] < total)
                {
                    final int wrote = Mtcp.write(a, client, chunk, 0, Math.min(chunk.length, total - counts[0]));
                    counts[0] += Math.max(0, wrote);
                }
                if (Mtcp.epollWait(b, ep, out, 1, 0) == 1)
                {
                    final int[] ready = new int[1];
                    assertEquals(0, Mtcp.ioctl(b, server[0], Mtcp.FIONREAD, ready));
                    assertTrue(ready[0] > 0, "IN reported with no in-order byte to read");
                    counts[2]++;
                    counts[1] += Mtcp.read(b, server[0], in, 0, in.length);
                }
                return counts[1] == total;
            }, 600 * ApiWorld.SECOND), () -> "received " + counts[1]);
            assertTrue(counts[2] > 0, "IN was reported");
            Mtcp.close(a, client);
            Mtcp.close(b, server[0]);
            Mtcp.close(b, listener);
            Mtcp.close(b, ep);
            assertTrue(f.runUntil(() -> a.socketsInUse() == 0 && b.socketsInUse() == 0, 300 * ApiWorld.SECOND));
        }
    }
}
