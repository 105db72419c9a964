package io.jmtcp.examples;

import io.jmtcp.core.ContextConfig;
import io.jmtcp.core.ContextRunner;
import io.jmtcp.core.StackContext;
import io.jmtcp.net.InterfaceConfig;
import io.jmtcp.port.PcapLibrary;
import io.jmtcp.port.PcapPort;
import io.jmtcp.port.PcapPortConfig;
import io.jmtcp.port.PacketPort;
import io.jmtcp.port.TracingPort;
import org.agrona.concurrent.SystemNanoClock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code jmtcp run}: the stack on a live interface, answering ARP and ICMP echo until SIGINT or
 * SIGTERM, then its counters.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run the stack on an interface: answer ARP and ICMP echo until SIGINT or SIGTERM, " +
        "then print the counters.")
final class RunCommand implements Callable<Integer>
{
    /** The Ethernet header a frame adds to the IP MTU (untagged). */
    private static final int ETHERNET_HEADER = 14;

    @Mixin
    InterfaceOptions interfaceOptions;

    @Option(names = "--trace", paramLabel = "FILE",
        description = "Write every frame the stack receives and sends to this pcap file (Wireshark opens it).")
    Path trace;

    @Option(names = "--counters", paramLabel = "FILE",
        description = "Keep the counters in this file, readable live from another process with `jmtcp stats FILE`.")
    Path countersFile;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException
    {
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
            err.println("jmtcp run: " + ex.getMessage());
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
                final StackContext context = new StackContext(new ContextConfig().iface(iface)
                    .countersFile(countersFile), stackPort, SystemNanoClock.INSTANCE);
                final String signal;
                // The runner is closed first, also on an exception, so the port never closes
                // under a running context.
                try (ContextRunner runner = ContextRunner.start(context))
                {
                    out.println("jmtcp running on " + interfaceOptions.iface + ": " + iface +
                        (promiscuous ? " (promiscuous)" : "") + (trace == null ? "" : ", tracing to " + trace));
                    out.println("stop with Ctrl-C (SIGINT) or SIGTERM");
                    out.flush();
                    signal = signals.await();
                }
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
                out.flush();
                context.counters().close();
            }
        }
        catch (final IOException | UncheckedIOException ex)
        {
            err.println("jmtcp run: " + ex.getMessage());
            return 1;
        }
        return 0;
    }
}
