package io.jmtcp.examples;

import io.jmtcp.tcp.TcpConnection;
import io.jmtcp.tcp.TcpEngine;
import io.jmtcp.tcp.TcpError;
import io.jmtcp.tcp.TcpHandler;
import io.jmtcp.tcp.TcpListener;
import io.jmtcp.wire.Ip4;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.function.Supplier;

/**
 * What {@code echo} and {@code sink} share: listen on a port until SIGINT or SIGTERM and give
 * each accepted connection a handler. Runs as the listener's handler, on the context thread.
 */
final class TcpServer implements TcpHandler
{
    /** Connections waiting to be accepted, as Linux's default somaxconn. */
    private static final int BACKLOG = 4096;

    private final TcpEngine engine;
    private final Supplier<TcpHandler> handlers;

    private TcpServer(final TcpEngine engine, final Supplier<TcpHandler> handlers)
    {
        this.engine = engine;
        this.handlers = handlers;
    }

    /**
     * Run a server command: validate the port, start the stack, listen, and wait for a signal.
     *
     * @param spec     the command.
     * @param stack    its interface options.
     * @param tcp      its TCP options.
     * @param port     the port to listen on.
     * @param handlers a handler for each accepted connection, called on the context thread.
     * @return the exit status: 0 after a signal, 1 if the port or the listener cannot be opened,
     *         2 for a bad option.
     * @throws InterruptedException if the command's thread is interrupted.
     */
    static int serve(final CommandSpec spec, final LiveStack stack, final TcpOptions tcp, final int port,
        final Supplier<TcpHandler> handlers) throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        if (port < 1 || port > 0xFFFF)
        {
            err.println("jmtcp " + spec.name() + ": --port must be 1..65535: " + port);
            return 2;
        }
        return stack.run(spec, tcp.toConfig(), (context, signals) ->
        {
            final int errno = LiveStack.onContext(context, ctx ->
            {
                final TcpServer server = new TcpServer(ctx.tcp(), handlers);
                return ctx.tcp().listen(port, BACKLOG, server) == null ? ctx.tcp().lastError() : TcpError.NONE;
            });
            if (errno != TcpError.NONE)
            {
                err.println("jmtcp " + spec.name() + ": cannot listen on port " + port + ": " + TcpError.name(errno));
                return new LiveStack.Outcome(1, null);
            }
            out.println("listening on " + Ip4.format(context.config().iface().address()) + ":" + port);
            return LiveStack.untilSignal(signals, out);
        });
    }

    @Override
    public void onAcceptable(final TcpListener listener)
    {
        TcpConnection connection;
        while ((connection = engine.accept(listener)) != null)
        {
            final TcpHandler handler = handlers.get();
            connection.handler(handler);
            // Data (even a FIN) may have arrived before the accept, when the engine delivers no events.
            handler.onReadable(connection);
        }
    }
}
