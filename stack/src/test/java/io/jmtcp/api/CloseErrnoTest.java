package io.jmtcp.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.jmtcp.api.ErrnoRow.idRows;
import static io.jmtcp.api.ErrnoRow.row;
import static io.jmtcp.api.Mtcp.AF_INET;
import static io.jmtcp.api.Mtcp.SOCK_STREAM;
import static io.jmtcp.api.Mtcp.SOL_SOCKET;
import static io.jmtcp.api.Mtcp.SO_ERROR;
import static io.jmtcp.api.Mtcp.SO_LINGER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * close(ctx, sockid): each documented errno has a reachable condition and leaves the socket as
 * it was; a successful close frees the id exactly once, sends FIN after the queued bytes or RST
 * (unread data, SO_LINGER 0), and frees a listener's port and resets its accept queue.
 */
class CloseErrnoTest
{
    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);

    static List<ErrnoRow> closeRows()
    {
        final List<ErrnoRow> rows = new ArrayList<>(idRows(w -> w.connected()[0], (w, id) -> Mtcp.close(w.a, id)));
        rows.add(row("closed twice: the id is freed once", Errno.EBADF, w ->
        {
            final int s = w.connected()[0];
            assertEquals(0, Mtcp.close(w.a, s));
            return Mtcp.close(w.a, s);
        }));
        rows.add(row("held by a channel: the socket stays usable", Errno.EINVAL, w ->
        {
            final int s = w.connected()[0];
            CloseCalls.own(w.a, s, true);
            final long result = Mtcp.close(w.a, s);
            final int errno = w.a.errno();
            assertEquals(HELLO.length, Mtcp.write(w.a, s, HELLO, 0, HELLO.length), "still usable");
            w.a.fail(errno);
            return result;
        }));
        rows.add(row("reset by the peer", Errno.ENOTCONN, w ->
        {
            final int s = w.reset();
            final long result = Mtcp.close(w.a, s);
            final int errno = w.a.errno();
            final int[] error = new int[1];
            assertEquals(0, Mtcp.getsockopt(w.a, s, SOL_SOCKET, SO_ERROR, error), "the socket is still there");
            assertEquals(Errno.name(Errno.ECONNRESET), Errno.name(error[0]), "SO_ERROR says why");
            final int inUse = w.a.socketsInUse();
            assertEquals(0, Mtcp.abort(w.a, s), "abort releases it");
            assertEquals(inUse - 1, w.a.socketsInUse());
            w.a.fail(errno);
            return result;
        }));
        rows.add(row("timed out: keepalive probes unanswered", Errno.ENOTCONN, w ->
        {
            final int s = w.keepAliveExpired();
            final long result = Mtcp.close(w.a, s);
            final int errno = w.a.errno();
            final int[] error = new int[1];
            assertEquals(0, Mtcp.getsockopt(w.a, s, SOL_SOCKET, SO_ERROR, error), "the socket is still there");
            assertEquals(Errno.name(Errno.ETIMEDOUT), Errno.name(error[0]), "SO_ERROR says why");
            w.a.fail(errno);
            return result;
        }));
        rows.add(row("a new socket", Errno.NONE, w -> Mtcp.close(w.a, w.stream())));
        rows.add(row("connecting (SYN_SENT)", Errno.NONE, w -> Mtcp.close(w.a, w.connecting())));
        rows.add(row("a refused connect", Errno.NONE, w -> Mtcp.close(w.a, w.refused())));
        rows.add(row("ended in order", Errno.NONE, w -> Mtcp.close(w.a, w.ended())));
        rows.add(row("a listener", Errno.NONE, w -> Mtcp.close(w.a, w.listener(8081))));
        rows.add(row("an epoll instance", Errno.NONE, w -> Mtcp.close(w.a, w.epoll())));
        rows.add(row("a pipe's read end, then its write end", Errno.NONE, w ->
        {
            final int[] fds = w.pipe();
            assertEquals(0, Mtcp.close(w.a, fds[0]));
            return Mtcp.close(w.a, fds[1]);
        }));
        rows.add(row("a pipe's write end, then its read end", Errno.NONE, w ->
        {
            final int[] fds = w.pipe();
            assertEquals(0, Mtcp.close(w.a, fds[1]));
            return Mtcp.close(w.a, fds[0]);
        }));
        return rows;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("closeRows")
    void closeFailsWithTheDocumentedErrno(final ErrnoRow row)
    {
        row.check();
    }

    @Test
    void closeWithAFullRequestQueueIsEagainAndLeavesTheSocketUsable() throws Exception
    {
        try (BusyContext busy = new BusyContext())
        {
            final int[] pair = busy.connected();
            busy.block();
            assertEquals(-1, Mtcp.close(busy.a, pair[0]));
            assertEquals(Errno.name(Errno.EAGAIN), Errno.name(busy.a.errno()));
            assertEquals(HELLO.length, Mtcp.write(busy.a, pair[0], HELLO, 0, HELLO.length), "still usable");
            busy.unblock();
            final byte[] in = new byte[HELLO.length];
            assertEquals(HELLO.length, Mtcp.read(busy.b, pair[1], in, 0, in.length), () -> Errno.name(busy.b.errno()));
            assertArrayEquals(HELLO, in);
            assertEquals(0, Mtcp.close(busy.a, pair[0]), () -> Errno.name(busy.a.errno()));
            assertEquals(0, Mtcp.read(busy.b, pair[1], in, 0, in.length), "FIN after the queued bytes");
            assertEquals(0, Mtcp.close(busy.b, pair[1]));
        }
    }

    @Test
    void closeSendsFinAfterTheQueuedBytes()
    {
        try (ApiWorld w = new ApiWorld())
        {
            final int[] pair = w.connected();
            final byte[] data = new byte[3 * ApiWorld.RING_BYTES / 4];
            for (int i = 0; i < data.length; i++)
            {
                data[i] = (byte)i;
            }
            assertEquals(data.length, Mtcp.write(w.a, pair[0], data, 0, data.length));
            assertEquals(0, Mtcp.close(w.a, pair[0]));
            final byte[] in = new byte[data.length];
            final int[] got = {0, -2};
            assertTrue(w.f.runUntil(() ->
            {
                final int r = Mtcp.read(w.b, pair[1], in, got[0], in.length - got[0]);
                if (r > 0)
                {
                    got[0] += r;
                }
                got[1] = r;
                return r == 0 || r < 0 && w.b.errno() != Errno.EAGAIN;
            }, 5 * ApiWorld.SECOND));
            assertEquals(0, got[1], () -> "end of stream, not " + ApiWorld.errno(w.b));
            assertArrayEquals(data, in);
        }
    }

    @Test
    void closeWithUnreadDataResetsThePeer()
    {
        try (ApiWorld w = new ApiWorld())
        {
            final int[] pair = w.connected();
            assertEquals(HELLO.length, Mtcp.write(w.b, pair[1], HELLO, 0, HELLO.length));
            final int[] n = new int[1];
            assertTrue(w.f.runUntil(() -> Mtcp.ioctl(w.a, pair[0], Mtcp.FIONREAD, n) == 0 && n[0] > 0,
                ApiWorld.SECOND));
            assertEquals(0, Mtcp.close(w.a, pair[0]));
            assertPeerSeesReset(w, pair[1]);
        }
    }

    @Test
    void closeWithLingerZeroResetsThePeer()
    {
        try (ApiWorld w = new ApiWorld())
        {
            final int[] pair = w.connected();
            assertEquals(0, Mtcp.setsockopt(w.a, pair[0], SOL_SOCKET, SO_LINGER, 0));
            assertEquals(0, Mtcp.close(w.a, pair[0]));
            assertPeerSeesReset(w, pair[1]);
        }
    }

    private static void assertPeerSeesReset(final ApiWorld w, final int peer)
    {
        final byte[] in = new byte[64];
        final int[] result = {0};
        assertTrue(w.f.runUntil(() -> (result[0] = Mtcp.read(w.b, peer, in, 0, in.length)) == 0 ||
            result[0] < 0 && w.b.errno() != Errno.EAGAIN, ApiWorld.SECOND));
        assertEquals(-1, result[0], "a reset, not end of stream");
        assertEquals(Errno.name(Errno.ECONNRESET), ApiWorld.errno(w.b));
    }

    @Test
    void closeOfAListenerFreesItsPortAndResetsItsAcceptQueue()
    {
        try (ApiWorld w = new ApiWorld())
        {
            final int listener = w.listener(8081);
            final int client = w.track(w.b, Mtcp.socket(w.b, AF_INET, SOCK_STREAM, 0));
            assertEquals(-1, Mtcp.connect(w.b, client, ApiFixture.A, 8081));
            final SockAddr peer = new SockAddr();
            assertTrue(w.f.runUntil(() -> Mtcp.getpeername(w.b, client, peer) == 0 &&
                ApiWorld.slot(w.a, listener).acceptQueue.size() == 1, ApiWorld.SECOND), "waiting in the accept queue");
            assertEquals(0, Mtcp.close(w.a, listener));
            assertEquals(0, w.a.ports().holders(8081), "the port is free when close returns");
            assertEquals(0, Mtcp.listen(w.a, w.bound(8081), 4), () -> "listen again: " + ApiWorld.errno(w.a));
            final byte[] in = new byte[1];
            final int[] result = {0};
            assertTrue(w.f.runUntil(() -> (result[0] = Mtcp.read(w.b, client, in, 0, 1)) == 0 ||
                result[0] < 0 && w.b.errno() != Errno.EAGAIN, ApiWorld.SECOND));
            assertEquals(Errno.name(Errno.ECONNRESET), ApiWorld.errno(w.b), "the waiting connection was reset");
        }
    }

    @Test
    void staleIdNeverReachesTheSocketThatReusesItsSlot()
    {
        try (ApiWorld w = new ApiWorld())
        {
            final int first = w.stream();
            assertEquals(0, Mtcp.close(w.a, first));
            int reuser = -1;
            for (int i = 0; i < ApiWorld.MAX_SOCKETS && reuser < 0; i++)
            {
                final int s = w.stream();
                if (SocketTable.indexOf(s) == SocketTable.indexOf(first))
                {
                    reuser = s;
                }
            }
            assertTrue(reuser >= 0, "the slot came back");
            assertNotEquals(first, reuser, "another generation");
            assertEquals(-1, Mtcp.close(w.a, first));
            assertEquals(Errno.name(Errno.EBADF), ApiWorld.errno(w.a));
            assertEquals(0, Mtcp.bind(w.a, reuser, 0, 8082), "the new socket is untouched");
        }
    }
}
