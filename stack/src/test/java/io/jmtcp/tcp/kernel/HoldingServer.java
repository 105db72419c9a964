package io.jmtcp.tcp.kernel;

import io.jmtcp.tcp.TcpConnection;
import io.jmtcp.tcp.TcpEngine;
import io.jmtcp.tcp.TcpHandler;
import io.jmtcp.tcp.TcpListener;
import io.jmtcp.tcp.TcpState;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Our side of the close-case tests, as a server: it accepts one connection and then does nothing
 * by itself: it neither reads nor sends nor closes, so the test decides each step (read, close
 * with unread data, abort, start a {@link io.jmtcp.tcp.sim.StreamEndpoint}) through
 * {@link io.jmtcp.bed.StackOnBed#call}. It records how the connection ended. Lives on the context
 * thread.
 */
final class HoldingServer implements TcpHandler
{
    private final TcpEngine engine;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[64 * 1024]);
    private TcpListener listener;
    private TcpConnection connection;
    private int extraConnections;
    private long bytesRead;
    private boolean eof;
    private boolean ended;
    private TcpState endState;
    private int endError;

    private HoldingServer(final TcpEngine engine)
    {
        this.engine = engine;
    }

    /**
     * Listen; call on the context thread.
     *
     * @param engine the engine.
     * @param port   the port.
     * @return the listening server.
     */
    static HoldingServer listen(final TcpEngine engine, final int port)
    {
        final HoldingServer server = new HoldingServer(engine);
        server.listener = engine.listen(port, 16, server);
        if (server.listener == null)
        {
            throw new IllegalStateException("listen on " + port + " failed: errno " + engine.lastError());
        }
        return server;
    }

    @Override
    public void onAcceptable(final TcpListener l)
    {
        TcpConnection accepted;
        while ((accepted = engine.accept(l)) != null)
        {
            if (connection == null)
            {
                connection = accepted;
            }
            else
            {
                extraConnections++;
                accepted.abort();
            }
        }
    }

    @Override
    public void onClosed(final TcpConnection c)
    {
        if (c == connection)
        {
            ended = true;
            endState = c.state();
            endError = c.error();
        }
    }

    /**
     * Read everything that is readable now.
     *
     * @return bytes read.
     */
    int drain()
    {
        int total = 0;
        while (true)
        {
            final int n = connection.receive(scratch, 0, scratch.capacity());
            if (n > 0)
            {
                total += n;
                continue;
            }
            eof |= n == TcpConnection.EOF;
            bytesRead += total;
            return total;
        }
    }

    /**
     * @return the accepted connection, or null before the accept.
     */
    TcpConnection connection()
    {
        return connection;
    }

    /**
     * @return bytes read by {@link #drain()} so far.
     */
    long bytesRead()
    {
        return bytesRead;
    }

    /**
     * @return whether {@link #drain()} met the peer's FIN.
     */
    boolean eof()
    {
        return eof;
    }

    /**
     * @return whether the engine reported the connection's end ({@link TcpHandler#onClosed}).
     */
    boolean ended()
    {
        return ended;
    }

    /**
     * @return the state the connection ended in.
     */
    TcpState endState()
    {
        return endState;
    }

    /**
     * @return the errno the connection ended with.
     */
    int endError()
    {
        return endError;
    }

    /**
     * @return connections accepted after the first (aborted).
     */
    int extraConnections()
    {
        return extraConnections;
    }

    /** Stop listening. */
    void close()
    {
        engine.closeListener(listener);
    }
}
