package io.jmtcp.examples;

import io.jmtcp.core.ContextConfig;
import io.jmtcp.core.ContextRunner;
import io.jmtcp.core.StackContext;
import io.jmtcp.net.InterfaceConfig;
import io.jmtcp.port.PacketPort;
import io.jmtcp.port.PcapLibrary;
import io.jmtcp.port.PcapPort;
import io.jmtcp.port.PcapPortConfig;
import io.jmtcp.port.TracingPort;
import io.jmtcp.tcp.TcpConfig;
import org.agrona.concurrent.SystemNanoClock;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * What every command that runs the stack on a live interface shares: the interface options,
 * {@code --trace} and {@code --counters}, opening the port, running one context on a thread of
 * its own, SIGINT/SIGTERM, and the counters printed after a signal. A command supplies a
 * {@link Session}: what it does while the stack runs.
 */
final class LiveStack
{
    /** The Ethernet header a frame adds to the IP MTU (untagged). */
    private static final int ETHERNET_HEADER = 14;

    /** How long a command waits for the context thread to run something for it (it runs within a duty cycle). */
    private static final long CONTEXT_CALL_SECONDS = 5;

    @Mixin
    InterfaceOptions interfaceOptions;

    @Option(names = "--trace", paramLabel = "FILE",
        description = "Write every frame the stack receives and sends to this pcap file (Wireshark opens it).")
    Path trace;

    @Option(names = "--counters", paramLabel = "FILE",
        description = "Keep the counters in this file, readable live from another process with `jmtcp stats FILE`.")
    Path countersFile;

    /**
     * What a command does while its stack runs, on the command's thread; it touches the TCP
     * engine only through {@link #onContext} or the engine's own handler calls.
     */
    @FunctionalInterface
    interface Session
    {
        /**
         * @param context the running context.
         * @param signals released by SIGINT or SIGTERM, or by the session itself.
         * @return how the command ends.
         * @throws InterruptedException if the command's thread is interrupted.
         */
        Outcome run(StackContext context, SignalLatch signals) throws InterruptedException;
    }

    /**
     * How a session ended.
     *
     * @param status the exit status.
     * @param signal the signal that stopped it, then the counters are printed; null if it ended by itself.
     */
    record Outcome(int status, String signal)
    {
    }

    /**
     * Open the interface, run a context on it (with a TCP engine if {@code tcpConfig} is given)
     * for as long as {@code session} runs, then stop it; after a signal, print the counters.
     *
     * @param spec      the command, for its name and output streams.
     * @param tcpConfig the TCP engine's tunables, or null for a stack without TCP (segments are
     *                  counted and dropped).
     * @param session   what the command does meanwhile.
     * @return the exit status: the session's, 1 if the port cannot be opened, 2 for a bad
     *         interface option.
     * @throws InterruptedException if the command's thread is interrupted.
     */
    int run(final CommandSpec spec, final TcpConfig tcpConfig, final Session session) throws InterruptedException
    {
        final String name = "jmtcp " + spec.name();
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final InterfaceConfig iface;
        final boolean promiscuous;
        try
        {
            iface = interfaceOptions.toConfig();
            promiscuous = interfaceOptions.promiscuous(iface.mac());
        }
        catch (final IllegalArgumentException | IOException ex)
        {
            err.println(name + ": " + ex.getMessage());
            return 2;
        }
        final int maxFrameLength = iface.mtu() + ETHERNET_HEADER;

        final SignalLatch signals = SignalLatch.install();
        try
        {
            PcapLibrary.ensureLoaded();
            try (PcapPort port = PcapPort.open(PcapPortConfig.builder(interfaceOptions.iface)
                .maxFrameLength(maxFrameLength)
                .snaplen(Math.max(PcapPortConfig.DEFAULT_SNAPLEN, maxFrameLength))
                .promiscuous(promiscuous)
                .build());
                PacketPort stackPort = trace == null ? port : TracingPort.open(port, trace))
            {
                final ContextConfig contextConfig = new ContextConfig().iface(iface).countersFile(countersFile);
                final StackContext context = tcpConfig == null
                    ? new StackContext(contextConfig, stackPort, SystemNanoClock.INSTANCE)
                    : new StackContext(contextConfig, stackPort, SystemNanoClock.INSTANCE, tcpConfig);
                final Outcome outcome;
                // The runner is closed first, also on an exception, so the port never closes
                // under a running context.
                try (ContextRunner runner = ContextRunner.start(context))
                {
                    out.println("jmtcp running on " + interfaceOptions.iface + ": " + iface +
                        (promiscuous ? " (promiscuous)" : "") + (trace == null ? "" : ", tracing to " + trace));
                    out.flush();
                    outcome = session.run(context, signals);
                }
                if (outcome.signal() != null)
                {
                    printCounters(out, outcome.signal(), context, port);
                }
                out.flush();
                context.counters().close();
                return outcome.status();
            }
        }
        catch (final IOException | UncheckedIOException ex)
        {
            err.println(name + ": " + ex.getMessage());
            return 1;
        }
    }

    /**
     * The session of a server: run until SIGINT or SIGTERM, then exit 0.
     *
     * @param signals the latch.
     * @param out     where to say how to stop.
     * @return the outcome, naming the signal.
     * @throws InterruptedException if the command's thread is interrupted.
     */
    static Outcome untilSignal(final SignalLatch signals, final PrintWriter out) throws InterruptedException
    {
        out.println("stop with Ctrl-C (SIGINT) or SIGTERM");
        out.flush();
        return new Outcome(0, signals.await());
    }

    /**
     * Run {@code action} on the context's thread, where the TCP engine lives, and wait for its
     * result.
     *
     * @param context the running context.
     * @param action  what to run there.
     * @param <T>     its result's type.
     * @return its result.
     * @throws InterruptedException  if the command's thread is interrupted.
     * @throws IllegalStateException if the context does not run it within a few seconds, or it threw.
     */
    static <T> T onContext(final StackContext context, final Function<StackContext, T> action)
        throws InterruptedException
    {
        final CompletableFuture<T> result = new CompletableFuture<>();
        // Completing exceptionally here, rather than letting the context count an internal error,
        // gives the command the cause.
        final boolean queued = context.submit(ctx ->
        {
            try
            {
                result.complete(action.apply(ctx));
            }
            catch (final RuntimeException ex)
            {
                result.completeExceptionally(ex);
            }
        });
        if (!queued)
        {
            throw new IllegalStateException("the context's command queue is full");
        }
        try
        {
            return result.get(CONTEXT_CALL_SECONDS, TimeUnit.SECONDS);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("failed on the context thread: " + ex.getCause(), ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException("the context thread did not answer within " + CONTEXT_CALL_SECONDS + " s",
                ex);
        }
    }

    private static void printCounters(final PrintWriter out, final String signal, final StackContext context,
        final PcapPort port)
    {
        out.println(signal + ": stopped. Counters:");
        out.print(context.counters().format(false));
        try
        {
            out.println("libpcap: " + port.libpcapStats());
        }
        catch (final IOException ex)
        {
            out.println("libpcap: statistics unavailable (" + ex.getMessage() + ")");
        }
    }
}
