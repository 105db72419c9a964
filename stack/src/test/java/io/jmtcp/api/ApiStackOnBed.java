package io.jmtcp.api;

import io.jmtcp.bed.CommandResult;
import io.jmtcp.bed.NetnsBed;
import io.jmtcp.core.ContextConfig;
import io.jmtcp.core.ContextGroup;
import io.jmtcp.core.StackContext;
import io.jmtcp.net.InterfaceConfig;
import io.jmtcp.port.PcapLibrary;
import io.jmtcp.port.PcapPortConfig;
import io.jmtcp.port.PortException;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.TcpConfig;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The socket API's kernel-peer tests' common steps: K contexts with the socket API on the bed's
 * veth (a pcap handle each, direction IN, with its flow-hash filter), calls on a context's own
 * thread, bounded waits, and a description of every context's counters for failure messages.
 */
final class ApiStackOnBed
{
    /** Our listening port; outside the kernel's ephemeral range (PACKET-IO-NOTES pitfall 10). */
    static final int OUR_PORT = 5001;
    /** The kernel server's port; likewise. */
    static final int KERNEL_PORT = 5002;

    private ApiStackOnBed()
    {
    }

    /**
     * Open the stack and make the kernel side ready for many short connections: TIME_WAIT reuse
     * and an ephemeral range that keeps clear of both test ports.
     *
     * @param bed      the bed.
     * @param contexts K.
     * @param tcp      each context's TCP configuration.
     * @param sockets  each context's socket layer.
     * @return the running stack.
     */
    static MtcpStack open(final NetnsBed bed, final int contexts, final TcpConfig tcp, final SocketConfig sockets)
        throws PortException
    {
        sysctl(bed, "net.ipv4.tcp_tw_reuse=1");
        sysctl(bed, "net.ipv4.ip_local_port_range=20000 60999");
        PcapLibrary.ensureLoaded();
        final InterfaceConfig iface = new InterfaceConfig(bed.stackMac(), bed.stackAddress(), bed.prefixLength(),
            InterfaceConfig.NO_GATEWAY, bed.mtu());
        return MtcpStack.openPcap(
            ContextGroup.builder(new ContextConfig().name("api").iface(iface), contexts).tcp(tcp).cpus(0, 1),
            PcapPortConfig.builder(bed.stackInterface()).maxFrameLength(bed.mtu() + 14)
                .direction(PcapPortConfig.Direction.IN).build(),
            sockets);
    }

    private static void sysctl(final NetnsBed bed, final String setting)
    {
        final CommandResult result = bed.exec(Duration.ofSeconds(10), "sysctl", "-w", setting);
        assertTrue(result.ok(), result.describe());
    }

    /**
     * Run a function on a context's own thread and wait for its result.
     *
     * @param context the context.
     * @param action  what to run there.
     * @param <T>     the result type.
     * @return the result.
     */
    static <T> T call(final StackContext context, final Function<StackContext, T> action) throws Exception
    {
        final CompletableFuture<T> result = new CompletableFuture<>();
        assertTrue(context.submit(ctx ->
        {
            try
            {
                result.complete(action.apply(ctx));
            }
            catch (final RuntimeException ex)
            {
                result.completeExceptionally(ex);
            }
        }));
        return result.get(10, TimeUnit.SECONDS);
    }

    /**
     * Wait, polling on the context's thread, until the condition holds.
     *
     * @return false if it did not within {@code timeout}.
     */
    static boolean await(final StackContext context, final Predicate<StackContext> condition,
        final Duration timeout) throws Exception
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!call(context, condition::test))
        {
            if (System.nanoTime() - deadline > 0)
            {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
        return true;
    }

    /**
     * Wait, polling from this thread, until the condition holds.
     *
     * @return false if it did not within {@code timeout}.
     */
    static boolean await(final BooleanSupplier condition, final Duration timeout)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
        return true;
    }

    /** @return every context's counters and engine state, for failure messages. */
    static String describe(final MtcpStack stack)
    {
        final StringBuilder text = new StringBuilder();
        for (int c = 0; c < stack.size(); c++)
        {
            final StackContext context = stack.stackContext(c);
            text.append("context ").append(c).append(": sockets in use ").append(stack.context(c).socketsInUse())
                .append(", misrouted ").append(context.counters().get(StackCounter.TCP_MISROUTED)).append('\n')
                .append(context.counters().format(false));
        }
        return text.toString();
    }
}
