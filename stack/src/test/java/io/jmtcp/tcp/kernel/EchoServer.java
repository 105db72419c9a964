package io.jmtcp.tcp.kernel;

import io.jmtcp.tcp.TcpConnection;
import io.jmtcp.tcp.TcpEngine;
import io.jmtcp.tcp.TcpHandler;
import io.jmtcp.tcp.TcpListener;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Our echo server for the short-connection test: every accepted connection gets back what it
 * sends, and is closed when the peer's FIN has been read. Lives on the context thread.
 */
final class EchoServer implements TcpHandler
{
    private final TcpEngine engine;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[64 * 1024]);
    private TcpListener listener;
    private long accepted;
    private long echoedBytes;
    private long shortWrites;
    private long failures;

    private EchoServer(final TcpEngine engine)
    {
        this.engine = engine;
    }

    /**
     * Listen; call on the context thread.
     *
     * @param engine  the engine.
     * @param port    the port.
     * @param backlog the accept queue length.
     * @return the listening server.
     */
    static EchoServer listen(final TcpEngine engine, final int port, final int backlog)
    {
        final EchoServer server = new EchoServer(engine);
        server.listener = engine.listen(port, backlog, server);
        if (server.listener == null)
        {
            throw new IllegalStateException("listen on " + port + " failed: errno " + engine.lastError());
        }
        return server;
    }

    @Override
    public void onAcceptable(final TcpListener l)
    {
        TcpConnection connection;
        while ((connection = engine.accept(l)) != null)
        {
            accepted++;
            connection.noDelay(true);
            onReadable(connection);
        }
    }

    @Override
    public void onReadable(final TcpConnection connection)
    {
        while (true)
        {
            final int n = connection.receive(scratch, 0, scratch.capacity());
            if (n > 0)
            {
                // The requests are tiny and the send buffer empty, so the echo always fits;
                // a short write is counted for the test to fail on rather than queued here.
                final int sent = connection.send(scratch, 0, n);
                if (sent != n)
                {
                    shortWrites++;
                }
                echoedBytes += Math.max(0, sent);
                continue;
            }
            if (n == TcpConnection.EOF)
            {
                connection.close();
            }
            else if (n == TcpConnection.FAILED)
            {
                failures++;
                connection.close();
            }
            return;
        }
    }

    @Override
    public void onClosed(final TcpConnection connection)
    {
        if (connection.error() != 0)
        {
            failures++;
        }
        connection.close();
    }

    /** @return connections accepted. */
    long accepted()
    {
        return accepted;
    }

    /** @return bytes echoed. */
    long echoedBytes()
    {
        return echoedBytes;
    }

    /** @return echoes that did not fit the send buffer. */
    long shortWrites()
    {
        return shortWrites;
    }

    /** @return connections that failed (an error, not an orderly close). */
    long failures()
    {
        return failures;
    }

    /** Stop listening. */
    void close()
    {
        engine.closeListener(listener);
    }
}
