package io.jmtcp.tcp;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * An echo service (RFC 862) as a {@link TcpHandler}: every byte read is written back. It keeps
 * no per-connection state, so one instance serves any number of connections of one context: it
 * reads only as many bytes as the send buffer takes at once, so nothing waits between calls, and
 * a full send buffer stops the reading (the receive window then closes and the peer waits) until
 * {@link #onWritable}. A connection is closed once the peer's FIN is read and everything was
 * queued (the FIN goes after it), or released when it failed.
 *
 * <p>For a listener: pass it as the listener's handler and, after
 * {@link TcpEngine#accept accepting}, call {@link #onReadable} once for data that arrived before.
 */
public final class EchoHandler implements TcpHandler
{
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[64 * 1024]);

    @Override
    public void onReadable(final TcpConnection connection)
    {
        pump(connection);
    }

    @Override
    public void onWritable(final TcpConnection connection)
    {
        pump(connection);
    }

    @Override
    public void onClosed(final TcpConnection connection)
    {
        // Reset or timed out: release it.
        connection.close();
    }

    private void pump(final TcpConnection connection)
    {
        while (true)
        {
            final int room = Math.min(scratch.capacity(), connection.writable());
            if (room == 0)
            {
                // Send buffer full: read nothing more until onWritable.
                return;
            }
            final int read = connection.receive(scratch, 0, room);
            if (read > 0)
            {
                if (connection.send(scratch, 0, read) < 0)
                {
                    // Failed under us: onClosed follows.
                    return;
                }
                continue;
            }
            if (read == TcpConnection.EOF)
            {
                connection.close();
            }
            return;
        }
    }
}
