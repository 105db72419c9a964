package io.jmtcp.examples;

import io.jmtcp.bed.CommandResult;
import io.jmtcp.bed.HostTools;
import io.jmtcp.bed.NetnsBed;
import io.jmtcp.bed.StackOnBed;
import io.jmtcp.core.ContextConfig;
import io.jmtcp.core.ContextRunner;
import io.jmtcp.core.Pinger;
import io.jmtcp.core.StackContext;
import io.jmtcp.net.InterfaceConfig;
import io.jmtcp.port.MemoryLink;
import io.jmtcp.port.PortException;
import io.jmtcp.wire.Ip4;
import io.jmtcp.wire.Mac;
import org.agrona.concurrent.SystemNanoClock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * {@code jmtcp demo}: the Quick start's job. As root it builds a private network-namespace bed
 * in which the Linux kernel pings the stack and the stack pings the kernel; without root it says
 * what it needs and runs the same exchange between two stacks over the in-memory link.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Show the stack talking to the Linux kernel in a private network namespace " +
        "(root), or to a second stack over the in-memory link (otherwise).")
final class DemoCommand implements Callable<Integer>
{
    private static final Duration PING_INTERVAL = Duration.ofMillis(200);
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(3);
    private static final int PINGER_ID = 0x4A4D;

    @Option(names = "--count", defaultValue = "5", description = "Pings each way (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--memory", description = "Run over the in-memory link even as root.")
    boolean memoryOnly;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        if (count < 1 || count > 1000)
        {
            spec.commandLine().getErr().println("jmtcp demo: --count must be 1..1000: " + count);
            return 2;
        }
        if (memoryOnly)
        {
            return memoryDemo(out);
        }
        if (!HostTools.isLinux() || !HostTools.isRoot())
        {
            out.println("The kernel-peer demo needs Linux and root (CAP_NET_ADMIN to create a network namespace");
            out.println("and a veth pair, CAP_NET_RAW to open a raw port): run it as root, e.g. with sudo.");
            out.println("Running the same exchange between two jmtcp stacks over the in-memory link instead.");
            out.println();
            return memoryDemo(out);
        }
        final HostTools.Result tools = HostTools.ensure(HostTools.KERNEL_BED);
        if (!tools.ok())
        {
            out.println(tools.message());
            out.println("Running the same exchange between two jmtcp stacks over the in-memory link instead.");
            out.println();
            return memoryDemo(out);
        }
        return kernelDemo(out);
    }

    private int kernelDemo(final PrintWriter out) throws InterruptedException
    {
        try (NetnsBed bed = NetnsBed.create(); StackOnBed stack = StackOnBed.start(bed))
        {
            out.printf("Bed: namespace %s; the kernel at %s (%s) on %s;%n", bed.namespace(), bed.peerAddressText(),
                Mac.format(bed.peerMac()), bed.peerInterface());
            out.printf("     jmtcp at %s/%d (%s) on %s through libpcap.%n%n", bed.stackAddressText(),
                bed.prefixLength(), Mac.format(bed.stackMac()), bed.stackInterface());

            out.printf("1. jmtcp resolves the kernel's MAC with ARP and pings it %d times:%n", count);
            out.flush();
            final long[] rtts = new Pinger(stack.context(), PINGER_ID).ping(bed.peerAddress(), count, PING_INTERVAL,
                REPLY_TIMEOUT);
            printRtts(out, bed.peerAddressText(), rtts);
            out.println();

            out.printf("2. The kernel pings jmtcp: ping -c %d %s%n", count, bed.stackAddressText());
            out.flush();
            final CommandResult ping = bed.exec(Duration.ofSeconds(10L + count), "ping", "-n", "-c",
                Integer.toString(count), "-i", "0.2", "-W", "2", bed.stackAddressText());
            out.print(indent(ping.stdout()));
            out.println();

            final NetnsBed.Neighbour learned = bed.neighbours().get(bed.stackAddress());
            out.printf("3. The kernel's neighbour table: %s -> %s (%s)%n", bed.stackAddressText(),
                learned == null || learned.mac() == NetnsBed.Neighbour.NO_MAC ? "none" : Mac.format(learned.mac()),
                learned == null ? "no entry" : learned.state());
            out.println();
            out.println("jmtcp counters:");
            out.print(indent(stack.context().counters().format(false)));
            final boolean kernelAnswered = ping.ok();
            final boolean stackAnswered = Arrays.stream(rtts).allMatch(rtt -> rtt >= 0);
            out.println();
            out.println(kernelAnswered && stackAnswered ? "OK: every ping was answered both ways." :
                "FAILED: some pings were not answered (see above).");
            out.flush();
            return kernelAnswered && stackAnswered ? 0 : 1;
        }
        catch (final PortException ex)
        {
            spec.commandLine().getErr().println("jmtcp demo: " + ex.getMessage());
            return 1;
        }
    }

    private int memoryDemo(final PrintWriter out) throws InterruptedException
    {
        final int addressA = Ip4.parse("198.18.0.1");
        final int addressB = Ip4.parse("198.18.0.2");
        try (MemoryLink link = MemoryLink.builder().clock(SystemNanoClock.INSTANCE).name("demo").build())
        {
            final StackContext a = new StackContext(new ContextConfig().name("a")
                .iface(new InterfaceConfig(Mac.parse("02:00:c6:12:00:01"), addressA, 24, InterfaceConfig.NO_GATEWAY,
                1500)), link.endA(), SystemNanoClock.INSTANCE);
            final StackContext b = new StackContext(new ContextConfig().name("b")
                .iface(new InterfaceConfig(Mac.parse("02:00:c6:12:00:02"), addressB, 24, InterfaceConfig.NO_GATEWAY,
                1500)), link.endB(), SystemNanoClock.INSTANCE);
            try (ContextRunner runnerA = ContextRunner.start(a); ContextRunner runnerB = ContextRunner.start(b))
            {
                out.println("Two jmtcp stacks on one in-memory link, each on its own thread:");
                out.println("  a = 198.18.0.1/24, b = 198.18.0.2/24");
                out.println();
                out.printf("1. b pings a %d times (b resolves a's MAC with ARP first):%n", count);
                out.flush();
                final long[] bToA = new Pinger(b, PINGER_ID).ping(addressA, count, PING_INTERVAL, REPLY_TIMEOUT);
                printRtts(out, "198.18.0.1", bToA);
                out.printf("%n2. a pings b %d times:%n", count);
                out.flush();
                final long[] aToB = new Pinger(a, PINGER_ID).ping(addressB, count, PING_INTERVAL, REPLY_TIMEOUT);
                printRtts(out, "198.18.0.2", aToB);
                out.println();
                out.println("Counters of a:");
                out.print(indent(a.counters().format(false)));
                final boolean ok = Arrays.stream(bToA).allMatch(rtt -> rtt >= 0) &&
                    Arrays.stream(aToB).allMatch(rtt -> rtt >= 0);
                out.println();
                out.println(ok ? "OK: every ping was answered both ways." : "FAILED: some pings were not answered.");
                out.flush();
                return ok ? 0 : 1;
            }
        }
    }

    private static void printRtts(final PrintWriter out, final String destination, final long[] rtts)
    {
        for (int i = 0; i < rtts.length; i++)
        {
            if (rtts[i] >= 0)
            {
                out.printf("   reply from %s: seq=%d time=%.1f us%n", destination, i + 1, rtts[i] / 1000.0);
            }
            else
            {
                out.printf("   no reply from %s: seq=%d%n", destination, i + 1);
            }
        }
    }

    private static String indent(final String text)
    {
        return text.isEmpty() ? "" : "   " + text.strip().replace("\n", "\n   ") + "\n";
    }
}
