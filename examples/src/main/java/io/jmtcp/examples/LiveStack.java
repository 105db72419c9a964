package io.jmtcp.examples;

import io.jmtcp.api.MtcpStack;
import io.jmtcp.api.SocketConfig;
import io.jmtcp.core.ContextConfig;
import io.jmtcp.core.ContextGroup;
import io.jmtcp.core.FlowHash;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What every command that runs the stack on a live interface shares: the interface options,
 * {@code --contexts}, {@code --trace} and {@code --counters}, opening the port, running the
 * contexts on threads of their own, SIGINT/SIGTERM, and the counters printed after a signal. A
 * command supplies a {@link Session} (engine API) or a {@link SocketSession} (socket API): what it
 * does while the stack runs.
 *
 * <p>One context on the engine API runs on a {@link PcapPort} opened here, so {@code --trace} can
 * wrap it and libpcap's statistics are printed. Several contexts, or the socket API, run as an
 * {@link ContextGroup} (a pcap handle per context, each with its flow-hash filter); the group
 * opens the handles itself, so {@code --trace} is refused there.
 */
final class LiveStack
{
    /** The Ethernet header a frame adds to the IP MTU (untagged). */
    private static final int ETHERNET_HEADER = 14;

    /** How long a command waits for the context thread to run something for it (it runs within a duty cycle). */
    private static final long CONTEXT_CALL_SECONDS = 5;

    @Mixin
    InterfaceOptions interfaceOptions;

    @Option(names = "--contexts", paramLabel = "K", defaultValue = "1",
        description = "Run K contexts on the interface, each on a thread with its own pcap handle and flow-hash " +
            "filter, 1..64 (default: ${DEFAULT-VALUE}).")
    int contexts;

    @Option(names = "--trace", paramLabel = "FILE",
        description = "Write every frame the stack receives and sends to this pcap file (Wireshark opens it); " +
            "one context on the engine API only (run, echo, sink, source with --contexts 1).")
    Path trace;

    @Option(names = "--counters", paramLabel = "FILE",
        description = "Keep the counters in this file, readable live from another process with `jmtcp stats FILE` " +
            "(context i of several in FILE.i).")
    Path countersFile;

    /**
     * What a command does while its stack runs, on the command's thread; it touches the TCP
     * engine only through {@link #onContext} or the engine's own handler calls.
     */
    @FunctionalInterface
    interface Session
    {
        /**
         * @param contexts the running contexts, by index.
         * @param signals  released by SIGINT or SIGTERM, or by the session itself.
         * @return how the command ends.
         * @throws InterruptedException if the command's thread is interrupted.
         */
        Outcome run(List<StackContext> contexts, SignalLatch signals) throws InterruptedException;
    }

    /** What a socket API command does while its stack runs, on the command's thread. */
    @FunctionalInterface
    interface SocketSession
    {
        /**
         * @param stack   the running stack: one {@link io.jmtcp.api.MtcpContext} per context.
         * @param signals released by SIGINT or SIGTERM, or by the session itself.
         * @return how the command ends.
         * @throws InterruptedException if the command's thread is interrupted.
         */
        Outcome run(MtcpStack stack, SignalLatch signals) throws InterruptedException;
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

    /** The validated interface options. */
    private record Interface(InterfaceConfig config, boolean promiscuous, PcapPortConfig.Builder port)
    {
    }

    /**
     * {@link #run(CommandSpec, TcpConfig, Consumer, Session)} with nothing to set up.
     *
     * @param spec      the command.
     * @param tcpConfig the TCP engine's tunables, or null for a stack without TCP.
     * @param session   what the command does meanwhile.
     * @return the exit status.
     * @throws InterruptedException if the command's thread is interrupted.
     */
    int run(final CommandSpec spec, final TcpConfig tcpConfig, final Session session) throws InterruptedException
    {
        return run(spec, tcpConfig, context ->
        {
        }, session);
    }

    /**
     * Open the interface, run {@code --contexts} contexts on it (with a TCP engine each if
     * {@code tcpConfig} is given) for as long as {@code session} runs, then stop them; after a
     * signal, print the counters.
     *
     * @param spec      the command, for its name and output streams.
     * @param tcpConfig the TCP engine's tunables, or null for a stack without TCP (segments are
     *                  counted and dropped).
     * @param setup     run for each context, on the command's thread before any context runs
     *                  (listen there, for example).
     * @param session   what the command does meanwhile.
     * @return the exit status: the session's, 1 if the port cannot be opened, 2 for a bad
     *         interface option.
     * @throws InterruptedException if the command's thread is interrupted.
     */
    int run(final CommandSpec spec, final TcpConfig tcpConfig, final Consumer<StackContext> setup,
        final Session session) throws InterruptedException
    {
        final Interface iface = validate(spec, contexts == 1);
        if (iface == null)
        {
            return 2;
        }
        final SignalLatch signals = SignalLatch.install();
        try
        {
            PcapLibrary.ensureLoaded();
            if (contexts == 1)
            {
                return runOne(spec, iface, tcpConfig, setup, session, signals);
            }
            final ContextGroup.Builder builder = ContextGroup.builder(contextConfig(iface), contexts).setup(setup);
            if (tcpConfig != null)
            {
                builder.tcp(tcpConfig);
            }
            try (ContextGroup group = builder.openPcap(iface.port().build()))
            {
                return runGroup(spec, iface, group, () -> session.run(group.contexts(), signals));
            }
        }
        catch (final IOException | UncheckedIOException ex)
        {
            spec.commandLine().getErr().println("jmtcp " + spec.name() + ": " + ex.getMessage());
            return 1;
        }
    }

    /**
     * Open the interface, run {@code --contexts} contexts with the socket API on each (an
     * {@link MtcpStack}) for as long as {@code session} runs, then stop them; after a signal,
     * print the counters.
     *
     * @param spec      the command.
     * @param tcpConfig the TCP engine's tunables.
     * @param session   what the command does meanwhile.
     * @return the exit status: the session's, 1 if the port cannot be opened, 2 for a bad option.
     * @throws InterruptedException if the command's thread is interrupted.
     */
    int runSockets(final CommandSpec spec, final TcpConfig tcpConfig, final SocketSession session)
        throws InterruptedException
    {
        final Interface iface = validate(spec, false);
        if (iface == null)
        {
            return 2;
        }
        final SignalLatch signals = SignalLatch.install();
        try
        {
            PcapLibrary.ensureLoaded();
            try (MtcpStack stack = MtcpStack.openPcap(ContextGroup.builder(contextConfig(iface), contexts).tcp(tcpConfig),
                iface.port().build(), new SocketConfig()))
            {
                return runGroup(spec, iface, stack.group(), () -> session.run(stack, signals));
            }
        }
        catch (final IOException | UncheckedIOException ex)
        {
            spec.commandLine().getErr().println("jmtcp " + spec.name() + ": " + ex.getMessage());
            return 1;
        }
    }

    /**
     * @param traceAllowed whether {@code --trace} can be honoured.
     * @return the interface, or null after naming the bad option on stderr.
     */
    private Interface validate(final CommandSpec spec, final boolean traceAllowed)
    {
        final PrintWriter err = spec.commandLine().getErr();
        final String name = "jmtcp " + spec.name();
        if (contexts < 1 || contexts > FlowHash.MAX_CONTEXTS)
        {
            err.println(name + ": --contexts must be 1.." + FlowHash.MAX_CONTEXTS + ": " + contexts);
            return null;
        }
        if (trace != null && !traceAllowed)
        {
            err.println(name + ": --trace works with one context on the engine API only (run, echo, sink, source " +
                "with --contexts 1)");
            return null;
        }
        try
        {
            final InterfaceConfig config = interfaceOptions.toConfig();
            final boolean promiscuous = interfaceOptions.promiscuous(config.mac());
            final int maxFrameLength = config.mtu() + ETHERNET_HEADER;
            // Direction IN: with several handles on one interface, each would otherwise see what
            // the others sent (PACKET-IO-NOTES.md pitfall 7).
            final PcapPortConfig.Builder port = PcapPortConfig.builder(interfaceOptions.iface)
                .maxFrameLength(maxFrameLength)
                .snaplen(Math.max(PcapPortConfig.DEFAULT_SNAPLEN, maxFrameLength))
                .promiscuous(promiscuous);
            return new Interface(config, promiscuous, contexts == 1 && traceAllowed ? port :
                port.direction(PcapPortConfig.Direction.IN));
        }
        catch (final IllegalArgumentException | IOException ex)
        {
            err.println(name + ": " + ex.getMessage());
            return null;
        }
    }

    private ContextConfig contextConfig(final Interface iface)
    {
        return new ContextConfig().iface(iface.config()).countersFile(countersFile);
    }

    private int runOne(final CommandSpec spec, final Interface iface, final TcpConfig tcpConfig,
        final Consumer<StackContext> setup, final Session session, final SignalLatch signals)
        throws IOException, InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        try (PcapPort port = PcapPort.open(iface.port().build());
            PacketPort stackPort = trace == null ? port : TracingPort.open(port, trace))
        {
            final ContextConfig contextConfig = contextConfig(iface);
            final StackContext context = tcpConfig == null
                ? new StackContext(contextConfig, stackPort, SystemNanoClock.INSTANCE)
                : new StackContext(contextConfig, stackPort, SystemNanoClock.INSTANCE, tcpConfig);
            setup.accept(context);
            final Outcome outcome;
            // The runner is closed first, also on an exception, so the port never closes
            // under a running context.
            try (ContextRunner runner = ContextRunner.start(context))
            {
                printRunning(out, iface);
                outcome = session.run(List.of(context), signals);
            }
            if (outcome.signal() != null)
            {
                out.println(outcome.signal() + ": stopped. Counters:");
                out.print(context.counters().format(false));
                printLibpcapStats(out, port);
            }
            out.flush();
            context.counters().close();
            return outcome.status();
        }
    }

    /** What a group session does, so that one method serves the engine and the socket API. */
    @FunctionalInterface
    private interface GroupBody
    {
        Outcome run() throws InterruptedException;
    }

    private int runGroup(final CommandSpec spec, final Interface iface, final ContextGroup group, final GroupBody body)
        throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        printRunning(out, iface);
        final Outcome outcome = body.run();
        if (outcome.signal() != null)
        {
            // The contexts still run: their counters are read live, as `jmtcp stats` does.
            out.println(outcome.signal() + ": stopped. Counters:");
            for (final StackContext context : group.contexts())
            {
                out.println("context " + context.index() + ":");
                out.print(context.counters().format(false));
            }
        }
        out.flush();
        return outcome.status();
    }

    private void printRunning(final PrintWriter out, final Interface iface)
    {
        out.println("jmtcp running on " + interfaceOptions.iface + ": " + iface.config() +
            (iface.promiscuous() ? " (promiscuous)" : "") + (contexts == 1 ? "" : ", " + contexts + " contexts") +
            (trace == null ? "" : ", tracing to " + trace));
        out.flush();
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

    private static void printLibpcapStats(final PrintWriter out, final PcapPort port)
    {
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
