package io.jmtcp.api;

import io.jmtcp.bed.SeededBytes;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpChannelTest
{
    @Test
    void echoThroughChannelsIsByteExact() throws Exception
    {
        try (ApiFixture f = ApiFixture.threaded())
        {
            final TcpServerChannel server = TcpServerChannel.listen(f.b(), 7, 8, false);
            final Thread echo = new Thread(() ->
            {
                try (TcpChannel connection = server.accept())
                {
                    final ByteBuffer buffer = ByteBuffer.allocate(8192);
                    while (connection.read(buffer) >= 0)
                    {
                        buffer.flip();
                        while (buffer.hasRemaining())
                        {
                            connection.write(buffer);
                        }
                        buffer.clear();
                    }
                    connection.shutdownOutput();
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            echo.start();
            final int total = 2_000_000;
            final MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (TcpChannel client = TcpChannel.connect(f.a(), ApiFixture.B, 7))
            {
                assertEquals(7, client.remoteAddress().port());
                final Thread writer = new Thread(() ->
                {
                    try
                    {
                        final byte[] chunk = new byte[32768];
                        for (long off = 0; off < total; off += chunk.length)
                        {
                            final int n = (int)Math.min(chunk.length, total - off);
                            SeededBytes.fill(3, off, new UnsafeBuffer(chunk), 0, n);
                            final ByteBuffer src = ByteBuffer.wrap(chunk, 0, n);
                            while (src.hasRemaining())
                            {
                                client.write(src);
                            }
                        }
                        client.shutdownOutput();
                    }
                    catch (final Exception ex)
                    {
                        throw new IllegalStateException(ex);
                    }
                });
                writer.start();
                final ByteBuffer in = ByteBuffer.allocate(16384);
                long received = 0;
                int read;
                while ((read = client.read(in)) >= 0)
                {
                    digest.update(in.array(), 0, read);
                    received += read;
                    in.clear();
                }
                writer.join(10_000);
                assertEquals(total, received);
            }
            echo.join(10_000);
            assertEquals(SeededBytes.sha256Hex(3, total), HexFormat.of().formatHex(digest.digest()));
            server.close();
            assertTrue(f.runUntil(() -> f.a().socketsInUse() == 0 && f.b().socketsInUse() == 0,
                TimeUnit.SECONDS.toNanos(5)));
        }
    }

    @Test
    void channelHoldsItsIdAgainstRawClose() throws Exception
    {
        try (ApiFixture f = ApiFixture.threaded())
        {
            final TcpServerChannel server = TcpServerChannel.listen(f.b(), 9, 8, false);
            assertEquals(-1, Mtcp.close(f.b(), server.sockid()));
            assertEquals(Errno.EINVAL, f.b().errno());
            final TcpChannel client = TcpChannel.connect(f.a(), ApiFixture.B, 9);
            final TcpChannel accepted = server.accept();
            client.close();
            assertThrows(ClosedChannelException.class, () -> client.read(ByteBuffer.allocate(1)));
            assertEquals(-1, accepted.read(ByteBuffer.allocate(1)));
            accepted.close();
            server.close();
            server.close();
            assertTrue(f.runUntil(() -> f.a().socketsInUse() == 0 && f.b().socketsInUse() == 0,
                TimeUnit.SECONDS.toNanos(5)));
        }
    }

    @Test
    void refusedConnectIsAnException()
    {
        try (ApiFixture f = ApiFixture.threaded())
        {
            final MtcpException refused = assertThrows(MtcpException.class, () -> TcpChannel.connect(f.a(), ApiFixture.B, 1));
            assertEquals(Errno.ECONNREFUSED, refused.errno());
            assertTrue(f.runUntil(() -> f.a().socketsInUse() == 0, TimeUnit.SECONDS.toNanos(5)));
        }
    }
}
