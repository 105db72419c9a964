package io.jmtcp.api;

import io.jmtcp.bed.SeededBytes;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import static io.jmtcp.api.Mtcp.AF_INET;
import static io.jmtcp.api.Mtcp.SOCK_NONBLOCK;
import static io.jmtcp.api.Mtcp.SOCK_STREAM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ApiSmokeTest
{
    private static final long SECONDS = TimeUnit.SECONDS.toNanos(1);

    @Test
    void virtualTransferBothWays() throws Exception
    {
        try (ApiFixture f = ApiFixture.virtual())
        {
            final MtcpContext a = f.a();
            final MtcpContext b = f.b();
            final int listener = Mtcp.socket(b, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            assertEquals(0, Mtcp.bind(b, listener, 0, 8080), () -> Errno.name(b.errno()));
            assertEquals(0, Mtcp.listen(b, listener, 16), () -> Errno.name(b.errno()));
            final int client = Mtcp.socket(a, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            assertEquals(-1, Mtcp.connect(a, client, ApiFixture.B, 8080));
            assertEquals(Errno.EINPROGRESS, a.errno());
            final int[] server = {-1};
            assertTrue(f.runUntil(() -> (server[0] = Mtcp.accept(b, listener, null)) >= 0, 5 * SECONDS));
            final int total = 3_000_000;
            final byte[] chunk = new byte[8192];
            final byte[] in = new byte[8192];
            final MessageDigest sent = MessageDigest.getInstance("SHA-256");
            final MessageDigest received = MessageDigest.getInstance("SHA-256");
            final long[] offsets = {0, 0};
            assertTrue(f.runUntil(() ->
            {
                if (offsets[0] < total)
                {
                    final int n = (int)Math.min(chunk.length, total - offsets[0]);
                    SeededBytes.fill(7, offsets[0], new org.agrona.concurrent.UnsafeBuffer(chunk), 0, n);
                    final int w = Mtcp.write(a, client, chunk, 0, n);
                    if (w > 0)
                    {
                        sent.update(chunk, 0, w);
                        offsets[0] += w;
                        if (offsets[0] == total)
                        {
                            Mtcp.shutdown(a, client, Mtcp.SHUT_WR);
                        }
                    }
                }
                int r;
                while ((r = Mtcp.read(b, server[0], in, 0, in.length)) > 0)
                {
                    received.update(in, 0, r);
                    offsets[1] += r;
                }
                return r == 0;
            }, 60 * SECONDS), () -> "sent " + offsets[0] + " received " + offsets[1]);
            assertEquals(total, offsets[1]);
            assertEquals(HexFormat.of().formatHex(sent.digest()), HexFormat.of().formatHex(received.digest()));
            assertEquals(0, Mtcp.close(b, server[0]), () -> Errno.name(b.errno()));
            assertTrue(f.runUntil(() -> Mtcp.read(a, client, in, 0, in.length) == 0, 5 * SECONDS));
            assertEquals(0, Mtcp.close(a, client), () -> Errno.name(a.errno()));
            assertEquals(0, Mtcp.close(b, listener));
            f.run(2 * SECONDS);
            assertEquals(0, a.socketsInUse());
            assertEquals(0, b.socketsInUse());
        }
    }

    @Test
    void threadedBlockingTransfer() throws Exception
    {
        try (ApiFixture f = ApiFixture.threaded())
        {
            final MtcpContext a = f.a();
            final MtcpContext b = f.b();
            final int listener = Mtcp.socket(b, AF_INET, SOCK_STREAM, 0);
            assertEquals(0, Mtcp.bind(b, listener, 0, 8080), () -> Errno.name(b.errno()));
            assertEquals(0, Mtcp.listen(b, listener, 16), () -> Errno.name(b.errno()));
            final int total = 20_000_000;
            final String[] serverHash = new String[1];
            final Thread server = new Thread(() ->
            {
                try
                {
                    final int s = Mtcp.accept(b, listener, null);
                    final MessageDigest digest = MessageDigest.getInstance("SHA-256");
                    final byte[] in = new byte[16384];
                    int r;
                    while ((r = Mtcp.read(b, s, in, 0, in.length)) > 0)
                    {
                        digest.update(in, 0, r);
                    }
                    serverHash[0] = r == 0 ? HexFormat.of().formatHex(digest.digest()) : Errno.name(b.errno());
                    Mtcp.close(b, s);
                }
                catch (final Exception ex)
                {
                    serverHash[0] = ex.toString();
                }
            });
            server.start();
            final int client = Mtcp.socket(a, AF_INET, SOCK_STREAM, 0);
            assertEquals(0, Mtcp.connect(a, client, ApiFixture.B, 8080), () -> Errno.name(a.errno()));
            final byte[] chunk = new byte[65536];
            final org.agrona.concurrent.UnsafeBuffer buffer = new org.agrona.concurrent.UnsafeBuffer(chunk);
            for (long off = 0; off < total; off += chunk.length)
            {
                final int n = (int)Math.min(chunk.length, total - off);
                SeededBytes.fill(9, off, buffer, 0, n);
                assertEquals(n, Mtcp.write(a, client, chunk, 0, n), () -> Errno.name(a.errno()));
            }
            assertEquals(0, Mtcp.shutdown(a, client, Mtcp.SHUT_WR));
            server.join(30_000);
            assertEquals(SeededBytes.sha256Hex(9, total), serverHash[0]);
            final byte[] in = new byte[16];
            assertEquals(0, Mtcp.read(a, client, in, 0, in.length), () -> Errno.name(a.errno()));
            assertEquals(0, Mtcp.close(a, client), () -> Errno.name(a.errno()));
            assertEquals(0, Mtcp.close(b, listener));
            assertTrue(f.runUntil(() -> a.socketsInUse() == 0 && b.socketsInUse() == 0, 5 * SECONDS),
                () -> a.socketsInUse() + " " + b.socketsInUse());
        }
    }
}
