package io.jmtcp.core;

import io.jmtcp.tcp.EchoHandler;
import io.jmtcp.tcp.TcpConnection;
import io.jmtcp.tcp.TcpHandler;
import io.jmtcp.tcp.TcpListener;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * An echo listener's handler for one context of a group: accepts, checks that {@link FlowHash}
 * gives the accepted flow to this context, and echoes with {@link EchoHandler}.
 */
public final class OwnerCheckingEcho implements TcpHandler
{
    private final StackContext context;
    private final EchoHandler echo = new EchoHandler();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger foreign = new AtomicInteger();

    public OwnerCheckingEcho(final StackContext context)
    {
        this.context = context;
    }

    @Override
    public void onAcceptable(final TcpListener listener)
    {
        TcpConnection connection;
        while ((connection = context.tcp().accept(listener)) != null)
        {
            accepted.incrementAndGet();
            if (FlowHash.contextOf(connection.localIp(), connection.localPort(), connection.remoteIp(),
                connection.remotePort(), context.contexts()) != context.index())
            {
                foreign.incrementAndGet();
            }
            connection.handler(echo);
            echo.onReadable(connection);
        }
    }

    public int accepted()
    {
        return accepted.get();
    }

    public int foreign()
    {
        return foreign.get();
    }
}
