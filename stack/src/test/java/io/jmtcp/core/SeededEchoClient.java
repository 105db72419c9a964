package io.jmtcp.core;

import io.jmtcp.bed.SeededBytes;
import io.jmtcp.tcp.TcpConnection;
import io.jmtcp.tcp.TcpHandler;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A client of an echo server, on a context thread: sends {@code bytes} of the
 * {@link SeededBytes} stream of its seed, half-closes, checks every byte that comes back, and
 * closes at the echo's EOF. One instance per connection.
 */
public final class SeededEchoClient implements TcpHandler
{
    private final long seed;
    private final long bytes;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[16 * 1024]);
    private long sent;
    private long received;
    private boolean shutdown;
    private volatile boolean done;
    private volatile String failure;

    public SeededEchoClient(final long seed, final long bytes)
    {
        this.seed = seed;
        this.bytes = bytes;
    }

    @Override
    public void onConnected(final TcpConnection connection)
    {
        onWritable(connection);
    }

    @Override
    public void onWritable(final TcpConnection connection)
    {
        while (sent < bytes)
        {
            final int chunk = (int)Math.min(Math.min(scratch.capacity(), bytes - sent), connection.writable());
            if (chunk <= 0)
            {
                return;
            }
            SeededBytes.fill(seed, sent, scratch, 0, chunk);
            final int n = connection.send(scratch, 0, chunk);
            if (n <= 0)
            {
                return;
            }
            sent += n;
        }
        if (!shutdown)
        {
            shutdown = true;
            connection.shutdownWrite();
        }
    }

    @Override
    public void onReadable(final TcpConnection connection)
    {
        int n;
        while ((n = connection.receive(scratch, 0, scratch.capacity())) > 0)
        {
            for (int i = 0; i < n; i++)
            {
                if (scratch.getByte(i) != SeededBytes.byteAt(seed, received + i) && failure == null)
                {
                    failure = "byte " + (received + i) + " differs";
                }
            }
            received += n;
        }
        if (n == TcpConnection.EOF)
        {
            if (received != bytes && failure == null)
            {
                failure = "EOF after " + received + " of " + bytes + " bytes";
            }
            done = true;
            connection.close();
        }
    }

    @Override
    public void onClosed(final TcpConnection connection)
    {
        if (!done)
        {
            failure = "closed with errno " + connection.error() + " after " + received + " bytes";
            done = true;
        }
        connection.close();
    }

    public boolean done()
    {
        return done;
    }

    public String failure()
    {
        return failure;
    }
}
