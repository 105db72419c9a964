package io.jmtcp.examples;

import io.jmtcp.core.StackContext;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.TcpConnection;
import io.jmtcp.tcp.TcpEngine;
import io.jmtcp.tcp.TcpError;
import io.jmtcp.tcp.TcpHandler;
import io.jmtcp.tcp.TcpListener;
import io.jmtcp.wire.Ip4;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What {@code echo} and {@code sink} share: listen on a port until SIGINT or SIGTERM and give
 * each accepted connection a handler. Runs as the listener's handler, on the context thread.
 * With several contexts every context listens on the port with a listener of its own (as mTCP:
 * shared-nothing, each context accepts the flows its filter gives it), and at the end each
 * context's connection count and misrouted segments are printed, which shows how the flows spread.
 */
final class TcpServer implements TcpHandler
{
    /** Connections waiting to be accepted, as Linux's default somaxconn. */
    private static final int BACKLOG = 4096;

    private final TcpEngine engine;
    private final Supplier<TcpHandler> handlers;
    /** Written on the context thread, read by the command's thread at the end. */
    private final AtomicLong accepted = new AtomicLong();

    private TcpServer(final TcpEngine engine, final Supplier<TcpHandler> handlers)
    {
        this.engine = engine;
        this.handlers = handlers;
    }

    /**
     * Run a server command: validate the port, start the stack with a listener on every
     * context, and wait for a signal.
     *
     * @param spec     the command.
     * @param stack    its interface options.
     * @param tcp      its TCP options.
     * @param port     the port to listen on.
     * @param handlers for each context (called on the command's thread before the contexts run),
     *                 what gives each connection it accepts a handler; that supplier is called on
     *                 the context's thread, so what it shares is shared by one thread only.
     * @return the exit status: 0 after a signal, 1 if the port or the listener cannot be opened,
     *         2 for a bad option.
     * @throws InterruptedException if the command's thread is interrupted.
     */
    static int serve(final CommandSpec spec, final LiveStack stack, final TcpOptions tcp, final int port,
        final Function<StackContext, Supplier<TcpHandler>> handlers) throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        if (port < 1 || port > 0xFFFF)
        {
            err.println("jmtcp " + spec.name() + ": --port must be 1..65535: " + port);
            return 2;
        }
        final List<TcpServer> servers = new ArrayList<>();
        final int[] listenError = { TcpError.NONE };
        return stack.run(spec, tcp.toConfig(), context ->
        {
            // Before the contexts run, on the command's thread: the engine is not yet in use.
            final TcpServer server = new TcpServer(context.tcp(), handlers.apply(context));
            servers.add(server);
            if (context.tcp().listen(port, BACKLOG, server) == null && listenError[0] == TcpError.NONE)
            {
                listenError[0] = context.tcp().lastError();
            }
        }, (contexts, signals) ->
        {
            if (listenError[0] != TcpError.NONE)
            {
                err.println("jmtcp " + spec.name() + ": cannot listen on port " + port + ": " +
                    TcpError.name(listenError[0]));
                return new LiveStack.Outcome(1, null);
            }
            out.println("listening on " + Ip4.format(contexts.get(0).config().iface().address()) + ":" + port +
                (contexts.size() == 1 ? "" : " in each of " + contexts.size() + " contexts"));
            final LiveStack.Outcome outcome = LiveStack.untilSignal(signals, out);
            for (final StackContext context : contexts)
            {
                out.println("context " + context.index() + ": connections=" + servers.get(context.index()).accepted.get() +
                    " misrouted=" + context.counters().get(StackCounter.TCP_MISROUTED));
            }
            return outcome;
        });
    }

    @Override
    public void onAcceptable(final TcpListener listener)
    {
        TcpConnection connection;
        while ((connection = engine.accept(listener)) != null)
        {
            accepted.lazySet(accepted.get() + 1);
            final TcpHandler handler = handlers.get();
            connection.handler(handler);
            // Data (even a FIN) may have arrived before the accept, when the engine delivers no events.
            handler.onReadable(connection);
        }
    }
}
