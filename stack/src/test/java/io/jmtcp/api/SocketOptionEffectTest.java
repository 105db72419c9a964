package io.jmtcp.api;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static io.jmtcp.api.Mtcp.AF_INET;
import static io.jmtcp.api.Mtcp.IPPROTO_TCP;
import static io.jmtcp.api.Mtcp.SOCK_NONBLOCK;
import static io.jmtcp.api.Mtcp.SOCK_STREAM;
import static io.jmtcp.api.Mtcp.SOL_SOCKET;
import static io.jmtcp.api.Mtcp.SO_LINGER;
import static io.jmtcp.api.Mtcp.TCP_INFO;
import static io.jmtcp.api.Mtcp.TCP_MAXSEG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Options that change what goes on the wire, not only what getsockopt reads back: a lingering
 * close that gives up resets, one that is acknowledged in time ends in order, and TCP_MAXSEG caps
 * the segments we send.
 */
class SocketOptionEffectTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void lingerTimeoutResetsWhenTheQueuedBytesCannotBeDelivered()
    {
        try (ApiFixture f = ApiFixture.virtual())
        {
            final int[] pair = connectedPair(f);
            final MtcpContext a = f.a();
            final byte[] chunk = new byte[16384];
            // The peer never reads: its ring and receive buffer fill, its window closes, and our
            // bytes (and so our FIN) cannot go out.
            assertTrue(f.runUntil(() -> Mtcp.write(a, pair[0], chunk, 0, chunk.length) < 0
                && a.errno() == Errno.EAGAIN && quiet(f), 30 * SECOND));
            assertEquals(0, Mtcp.setsockopt(a, pair[0], SOL_SOCKET, SO_LINGER, 2));
            assertEquals(0, Mtcp.close(a, pair[0]));
            f.run(SECOND);
            assertEquals(1, a.socketsInUse(), "still trying within the linger time");
            f.run(2 * SECOND);
            assertEquals(0, a.socketsInUse(), "given up: reset and freed");
            final MtcpContext b = f.b();
            final byte[] in = new byte[65536];
            assertTrue(f.runUntil(() -> Mtcp.read(b, pair[1], in, 0, in.length) < 0 && b.errno() == Errno.ECONNRESET,
                10 * SECOND), "the peer learns of the reset after the bytes that did arrive");
            assertEquals(0, Mtcp.abort(b, pair[1]));
        }
    }

    @Test
    void lingerCloseAcknowledgedInTimeEndsInOrder()
    {
        try (ApiFixture f = ApiFixture.virtual())
        {
            final int[] pair = connectedPair(f);
            final MtcpContext a = f.a();
            final MtcpContext b = f.b();
            final byte[] chunk = new byte[50_000];
            assertEquals(chunk.length, Mtcp.write(a, pair[0], chunk, 0, chunk.length));
            assertEquals(0, Mtcp.setsockopt(a, pair[0], SOL_SOCKET, SO_LINGER, 5));
            assertEquals(0, Mtcp.close(a, pair[0]));
            final byte[] in = new byte[8192];
            final long[] received = {0};
            assertTrue(f.runUntil(() ->
            {
                final int r = Mtcp.read(b, pair[1], in, 0, in.length);
                if (r > 0)
                {
                    received[0] += r;
                }
                return r == 0;
            }, 10 * SECOND));
            assertEquals(chunk.length, received[0], "every byte, then EOF: no reset");
            assertEquals(0, Mtcp.close(b, pair[1]));
            assertTrue(f.runUntil(() -> a.socketsInUse() == 0 && b.socketsInUse() == 0, 10 * SECOND));
        }
    }

    @Test
    void maxSegmentCapsTheSegmentsWeSend()
    {
        try (ApiFixture f = ApiFixture.virtual())
        {
            final MtcpContext a = f.a();
            final MtcpContext b = f.b();
            final int listener = Mtcp.socket(b, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            Mtcp.bind(b, listener, 0, 9000);
            Mtcp.listen(b, listener, 4);
            final int client = Mtcp.socket(a, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            assertEquals(0, Mtcp.setsockopt(a, client, IPPROTO_TCP, TCP_MAXSEG, 600));
            Mtcp.connect(a, client, ApiFixture.B, 9000);
            assertTrue(f.runUntil(() -> Mtcp.accept(b, listener, null) >= 0, 5 * SECOND));
            final TcpInfo info = new TcpInfo();
            assertEquals(0, Mtcp.getsockopt(a, client, IPPROTO_TCP, TCP_INFO, info));
            assertTrue(info.sendMss() <= 600 && info.sendMss() > 500, info::toString);
            final int[] mss = new int[1];
            assertEquals(0, Mtcp.getsockopt(a, client, IPPROTO_TCP, TCP_MAXSEG, mss));
            assertEquals(info.sendMss(), mss[0]);
        }
    }

    private static boolean quiet(final ApiFixture f)
    {
        f.run(TimeUnit.MILLISECONDS.toNanos(200));
        return true;
    }

    private static int[] connectedPair(final ApiFixture f)
    {
        final MtcpContext a = f.a();
        final MtcpContext b = f.b();
        final int listener = Mtcp.socket(b, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        assertEquals(0, Mtcp.bind(b, listener, 0, 9001));
        assertEquals(0, Mtcp.listen(b, listener, 4));
        final int client = Mtcp.socket(a, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        Mtcp.connect(a, client, ApiFixture.B, 9001);
        final int[] server = {-1};
        assertTrue(f.runUntil(() -> (server[0] = Mtcp.accept(b, listener, null)) >= 0, 5 * SECOND));
        assertEquals(0, Mtcp.close(b, listener));
        return new int[] {client, server[0]};
    }
}
