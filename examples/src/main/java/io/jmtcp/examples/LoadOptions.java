package io.jmtcp.examples;

import io.jmtcp.tcp.TcpConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The options {@code crr} and {@code rr} share, and how both run: a {@link RequestResponseLoad}
 * on a socket API stack, a result line, and the exit status.
 */
final class LoadOptions
{
    /** Longest --seconds: an hour. */
    private static final int MAX_SECONDS = 3_600;

    /** The reason the load gives {@link SignalLatch#release} when it ended by itself. */
    private static final String DONE = "done";

    @Option(names = "--connect", required = true, paramLabel = "HOST:PORT",
        description = "The echo server: an IPv4 address (no name lookup) and a port.")
    String connect;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "10",
        description = "Start new transactions for this long, 1..3600; those under way then get 2 s to finish " +
            "(default: ${DEFAULT-VALUE}).")
    int seconds;

    /**
     * Run the load and print its line.
     *
     * @param spec       the command.
     * @param stack      its interface options.
     * @param clients    concurrent clients (already validated).
     * @param reconnect  true for crr (a connection per transaction), false for rr.
     * @param countName  the line's first key.
     * @param rateName   the line's rate key.
     * @param withErrors whether the line ends with {@code errors=E}.
     * @return 0 if transactions completed and none failed; 1 after a failure (the first one's
     *         errno name goes to stderr), when the port cannot be opened or a signal stopped it;
     *         2 for a bad option.
     * @throws InterruptedException if the command's thread is interrupted.
     */
    int run(final CommandSpec spec, final LiveStack stack, final int clients, final boolean reconnect,
        final String countName, final String rateName, final boolean withErrors) throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final String name = "jmtcp " + spec.name();
        final Endpoint peer;
        try
        {
            peer = Endpoint.parse(connect);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println(name + ": " + ex.getMessage());
            return 2;
        }
        if (seconds < 1 || seconds > MAX_SECONDS)
        {
            err.println(name + ": --seconds must be 1.." + MAX_SECONDS + ": " + seconds);
            return 2;
        }
        return stack.runSockets(spec, new TcpConfig(), (mtcp, signals) ->
        {
            final RequestResponseLoad load = new RequestResponseLoad(mtcp, peer, clients, reconnect, seconds);
            final CompletableFuture<RequestResponseLoad.Result> result = new CompletableFuture<>();
            // The load runs on a thread of its own so that this one can take a signal meanwhile.
            final Thread runner = new Thread(() ->
            {
                try
                {
                    result.complete(load.run());
                }
                catch (final InterruptedException | RuntimeException ex)
                {
                    result.completeExceptionally(ex);
                }
                signals.release(DONE);
            }, "load");
            runner.start();
            final String reason = signals.await();
            if (!DONE.equals(reason))
            {
                load.stop();
            }
            final RequestResponseLoad.Result measured;
            try
            {
                measured = result.get(TimeUnit.NANOSECONDS.toSeconds(RequestResponseLoad.GRACE_NANOS) + 5,
                    TimeUnit.SECONDS);
            }
            catch (final ExecutionException | TimeoutException ex)
            {
                err.println(name + ": the load failed: " + (ex.getCause() != null ? ex.getCause() : ex));
                return new LiveStack.Outcome(1, DONE.equals(reason) ? null : reason);
            }
            out.println(measured.line(countName, rateName, withErrors));
            out.flush();
            if (!DONE.equals(reason))
            {
                err.println(name + ": stopped by " + reason);
                return new LiveStack.Outcome(1, reason);
            }
            if (measured.errors() > 0)
            {
                err.println(name + ": " + measured.errors() + " failed, the first: " + measured.firstError());
                return new LiveStack.Outcome(1, null);
            }
            if (measured.transactions() == 0)
            {
                err.println(name + ": no transaction completed in " + seconds + " s");
                return new LiveStack.Outcome(1, null);
            }
            return new LiveStack.Outcome(0, null);
        });
    }
}
