package io.jmtcp.tcp.kernel;

import io.jmtcp.bed.CommandResult;
import io.jmtcp.bed.KernelBed;
import io.jmtcp.bed.NetnsBed;
import io.jmtcp.core.ContextConfig;
import io.jmtcp.core.ContextGroup;
import io.jmtcp.core.FlowHash;
import io.jmtcp.core.OwnerCheckingEcho;
import io.jmtcp.core.SeededEchoClient;
import io.jmtcp.core.StackContext;
import io.jmtcp.net.ArpResolver;
import io.jmtcp.net.InterfaceConfig;
import io.jmtcp.port.PcapLibrary;
import io.jmtcp.port.PcapPortConfig;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.tcp.TcpConnection;
import io.jmtcp.testing.ChildJvm;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 2 and 4 contexts on the bed's veth, one pcap handle each with its kernel filter: kernel
 * clients connect to a listener every context opens on the same port, and every context opens
 * connections to a kernel echo server. Every flow is on the context {@link FlowHash} names,
 * nothing is misrouted, the other contexts send through the neighbour context 0 learned from the
 * kernel's ARP request, and every connection is gone at the end.
 */
@KernelBed
class KernelContextGroupTest
{
    private static final int KERNEL_CONNECTIONS = 200;
    private static final int OURS_PER_CONTEXT = 4;
    private static final long OUR_BYTES = 50_000;
    private static final Duration WAIT = Duration.ofSeconds(15);

    @ParameterizedTest(name = "{0} contexts")
    @ValueSource(ints = {2, 4})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void flowsBothWaysOnTheirOwners(final int contexts, final NetnsBed bed) throws Exception
    {
        final CommandResult sysctl = bed.exec(Duration.ofSeconds(10), "sysctl", "-w", "net.ipv4.tcp_tw_reuse=1");
        assertTrue(sysctl.ok(), sysctl.describe());
        PcapLibrary.ensureLoaded();
        final OwnerCheckingEcho[] echoes = new OwnerCheckingEcho[contexts];
        final InterfaceConfig iface = new InterfaceConfig(bed.stackMac(), bed.stackAddress(), bed.prefixLength(),
            InterfaceConfig.NO_GATEWAY, bed.mtu());
        final Process server = bed.start(ChildJvm.command(List.of("-Xmx64m", "-XX:+UseSerialGC"),
            KernelEchoServer.class, Integer.toString(Transfers.KERNEL_PORT)).toArray(new String[0]));
        try (ContextGroup group = ContextGroup.builder(new ContextConfig().name("ctx").iface(iface), contexts)
            .tcp(new TcpConfig())
            .cpus(0, 1)
            .setup(context ->
            {
                echoes[context.index()] = new OwnerCheckingEcho(context);
                assertNotNull(context.tcp().listen(Transfers.OUR_PORT, 128, echoes[context.index()]));
            })
            .openPcap(PcapPortConfig.builder(bed.stackInterface()).maxFrameLength(bed.mtu() + 14).build()))
        {
            final BufferedReader serverOut = new BufferedReader(
                new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("listening", serverOut.readLine());

            final PeerProcess peer = PeerProcess.start(bed, "echo-client", bed.stackAddressText(),
                Integer.toString(Transfers.OUR_PORT), Integer.toString(KERNEL_CONNECTIONS), "64");
            assertEquals(0, peer.awaitExit(Duration.ofSeconds(30)), () -> peer.describe() + "\n" + describe(group));
            assertEquals(Integer.toString(KERNEL_CONNECTIONS), peer.value("connections"), peer::describe);

            final List<SeededEchoClient> clients = new ArrayList<>();
            for (int c = 0; c < contexts; c++)
            {
                for (int i = 0; i < OURS_PER_CONTEXT; i++)
                {
                    final SeededEchoClient client = new SeededEchoClient(31L * c + i, OUR_BYTES);
                    clients.add(client);
                    final int index = c;
                    final TcpConnection connection = call(group.context(c), ctx ->
                        ctx.tcp().connect(bed.peerAddress(), Transfers.KERNEL_PORT, 0, client, ctx.now()));
                    assertNotNull(connection, () -> "connect on context " + index);
                    assertEquals(c, FlowHash.contextOf(bed.stackAddress(), connection.localPort(), bed.peerAddress(),
                        Transfers.KERNEL_PORT, contexts));
                }
            }
            final long deadline = System.nanoTime() + WAIT.toNanos();
            while (!clients.stream().allMatch(SeededEchoClient::done) && deadline - System.nanoTime() > 0)
            {
                TimeUnit.MILLISECONDS.sleep(5);
            }
            for (final SeededEchoClient client : clients)
            {
                assertTrue(client.done(), () -> "a connection to the kernel did not finish\n" + describe(group));
                assertNull(client.failure(), client.failure());
            }
            for (int c = 0; c < contexts; c++)
            {
                assertTrue(await(group.context(c), ctx -> ctx.tcp().connectionCount() == 0),
                    () -> "connections left\n" + describe(group));
            }

            int accepted = 0;
            for (int c = 0; c < contexts; c++)
            {
                final StackContext context = group.context(c);
                final int index = c;
                assertEquals(0, context.counters().get(StackCounter.TCP_MISROUTED), () -> describe(group));
                assertEquals(0, context.counters().get(StackCounter.INTERNAL_ERRORS), () -> describe(group));
                assertEquals(0, context.counters().get(StackCounter.TCP_RESETS_OUT), () -> describe(group));
                assertEquals(0, echoes[c].foreign());
                assertTrue(echoes[c].accepted() > 0, () -> "no kernel client reached context " + index);
                assertEquals(OURS_PER_CONTEXT, context.counters().get(StackCounter.TCP_ACTIVE_OPENS));
                assertEquals("cpu " + (c % 2), group.pinning(c));
                accepted += echoes[c].accepted();
                if (c > 0)
                {
                    // The kernel's ARP request reached context 0 only; the others sent through
                    // what it published, without a request of their own.
                    assertEquals(0, context.counters().get(StackCounter.ARP_REQUESTS_OUT), () -> describe(group));
                    assertEquals(0, context.counters().get(StackCounter.ARP_REQUESTS_IN), () -> describe(group));
                }
            }
            assertEquals(KERNEL_CONNECTIONS, accepted);
            final StringBuilder spread = new StringBuilder();
            for (final OwnerCheckingEcho echo : echoes)
            {
                spread.append(' ').append(echo.accepted());
            }
            System.out.printf("%d contexts: kernel connections per context%s%n", contexts, spread);
            final long kernelMac = call(group.context(0), ctx -> ctx.network().arp().lookup(bed.peerAddress(), ctx.now()));
            assertNotEquals(ArpResolver.UNRESOLVED, kernelMac);
            KernelView.assertNoChecksumErrors(bed);
        }
        finally
        {
            server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static <T> T call(final StackContext context, final Function<StackContext, T> action) throws Exception
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

    private static boolean await(final StackContext context, final Predicate<StackContext> condition)
        throws Exception
    {
        final long deadline = System.nanoTime() + WAIT.toNanos();
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

    private static String describe(final ContextGroup group)
    {
        final StringBuilder text = new StringBuilder();
        for (final StackContext context : group.contexts())
        {
            text.append(context.counters().format(false));
        }
        return text.toString();
    }
}
