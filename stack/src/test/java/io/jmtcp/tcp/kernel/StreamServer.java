package io.jmtcp.tcp.kernel;

import io.jmtcp.tcp.TcpConnection;
import io.jmtcp.tcp.TcpEngine;
import io.jmtcp.tcp.TcpHandler;
import io.jmtcp.tcp.TcpListener;
import io.jmtcp.tcp.sim.StreamEndpoint;

/**
 * Our side of a one-connection stream test, as a server: the first connection accepted on the
 * port becomes a {@link StreamEndpoint} (send the seeded stream, half-close, read to EOF, hash);
 * a second one is aborted and counted, since a test expects exactly one. Lives on the context
 * thread: create and read it through {@link io.jmtcp.bed.StackOnBed#call}.
 */
final class StreamServer implements TcpHandler
{
    private final TcpEngine engine;
    private final long bytesToSend;
    private final long seed;
    private TcpListener listener;
    private StreamEndpoint endpoint;
    private int extraConnections;

    private StreamServer(final TcpEngine engine, final long bytesToSend, final long seed)
    {
        this.engine = engine;
        this.bytesToSend = bytesToSend;
        this.seed = seed;
    }

    /**
     * Listen; call on the context thread.
     *
     * @param engine      the engine.
     * @param port        the port.
     * @param bytesToSend bytes of the stream {@code seed} to send on the accepted connection.
     * @param seed        the stream's seed.
     * @return the listening server.
     */
    static StreamServer listen(final TcpEngine engine, final int port, final long bytesToSend, final long seed)
    {
        final StreamServer server = new StreamServer(engine, bytesToSend, seed);
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
        TcpConnection connection;
        while ((connection = engine.accept(l)) != null)
        {
            if (endpoint == null)
            {
                endpoint = new StreamEndpoint(bytesToSend, seed);
                endpoint.start(connection);
            }
            else
            {
                extraConnections++;
                connection.abort();
            }
        }
    }

    /**
     * @return the accepted connection's endpoint, or null before the accept.
     */
    StreamEndpoint endpoint()
    {
        return endpoint;
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
