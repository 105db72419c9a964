package io.jmtcp.bench;

import io.jmtcp.api.Errno;
import io.jmtcp.api.Mtcp;
import io.jmtcp.api.MtcpContext;
import io.jmtcp.api.SocketConfig;
import io.jmtcp.bed.HostTools;
import io.jmtcp.bed.NetnsBed;
import io.jmtcp.core.ContextConfig;
import io.jmtcp.core.ContextGroup;
import io.jmtcp.core.ContextService;
import io.jmtcp.core.StackContext;
import io.jmtcp.net.InterfaceConfig;
import io.jmtcp.port.MemoryLink;
import io.jmtcp.port.PcapLibrary;
import io.jmtcp.port.PcapPortConfig;
import io.jmtcp.port.PortException;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.wire.Ip4;
import io.jmtcp.wire.Mac;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Short connections per second and small request/response latency: a jmtcp echo server with 1
 * and 2 contexts against the Linux kernel's, with the same kernel client on the same veth pair
 * in one run; then jmtcp on both ends over the in-memory link. Needs Linux and root for the veth
 * part; {@code --memory-only true} skips it.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.jmtcp.bench.ConnectionsComparison [--seconds S]
 *     [--connections N] [--round-trips N] [--warmup N] [--size B] [--cpus S:P] [--idle spin|park]
 *     [--memory-only B]
 * </pre>
 *
 * <p>Each cell runs two phases: short connections (connect, B bytes each way, the client closes;
 * one at a time; WARMUP unmeasured, then at most N, default 100 000) and then, on one connection,
 * WARMUP + ROUND_TRIPS round trips of B bytes (default 2 000 + 20 000), each timed by the client
 * with {@link System#nanoTime()}. Every warm-up and every measured series is also bounded by S
 * seconds (default 3).
 *
 * <p>Veth cells, on one {@link NetnsBed} (198.18.0.1 the stack end, 198.18.0.2 the namespace),
 * the client always a {@link KernelSocketPeer} in the namespace pinned to CPU P with
 * {@code taskset}:
 * <ul>
 *   <li>jmtcp, 1 context: a {@link ContextGroup} over pcap, busy-spinning, pinned to CPU S;</li>
 *   <li>jmtcp, 2 contexts: pinned to CPUs S and P, each with its own listening socket on the
 *       port (SO_REUSEPORT) and the flows split by {@code FlowHash}: on a 2-vCPU machine context
 *       1 shares CPU P with the kernel client;</li>
 *   <li>the kernel: with jmtcp stopped, the stack end gets 198.18.0.1 ({@link KernelOnStackEnd})
 *       and a {@link KernelSocketPeer} echo server runs in the root namespace on CPU S.</li>
 * </ul>
 * Memory cells: the server is the same {@link ContextGroup} (1 or 2 contexts, same pinning) on
 * one end of an in-memory link; the client is one jmtcp context whose thread is also the
 * application (calls inline), pinned to CPU P. The client's TIME_WAIT lasts 1 s (the kernel
 * client runs with {@code tcp_tw_reuse=1}, which the bed sets), so its 16 384 ephemeral ports
 * are not the limit.
 *
 * <p>The jmtcp echo server is a {@link ContextService} on each context that calls the socket API
 * inline (accept, read, write back, close at EOF), as an application on the context's core does.
 */
public final class ConnectionsComparison
{
    private static final int PORT = 5003;
    private static final int ETHERNET_HEADER = 14;
    private static final Duration SLACK = Duration.ofSeconds(20);
    /** The in-memory client's TIME_WAIT (see the class comment). */
    private static final Duration CLIENT_TIME_WAIT = Duration.ofSeconds(1);
    private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(15);
    private static final int CLIENT_IP = Ip4.parse("198.18.0.2");
    private static final int SERVER_IP = Ip4.parse("198.18.0.1");

    private ConnectionsComparison()
    {
    }

    /**
     * What to run.
     *
     * @param seconds     the longest each phase of a cell may run.
     * @param connections short connections at most per cell.
     * @param roundTrips  measured round trips.
     * @param warmup      unmeasured short connections, and round trips, first.
     * @param size        bytes each way.
     * @param stackCpu    the server's (first) CPU, or -1.
     * @param peerCpu     the client's CPU (and the second context's), or -1.
     * @param park        jmtcp's server contexts idle with the default strategy (spin, yield, then
     *                    sleep until woken) instead of busy-spinning.
     * @param memoryOnly  skip the veth cells.
     */
    public record Options(int seconds, int connections, int roundTrips, int warmup, int size, int stackCpu,
        int peerCpu, boolean park, boolean memoryOnly)
    {
        /** 3 s, 100 000 connections, 20 000 round trips, 2 000 warm-up, 64 B, CPUs 0:1, spin, veth too. */
        public static final Options DEFAULT = new Options(3, 100_000, 20_000, 2_000, 64, 0, 1, false, false);

        /**
         * Validates the bounds.
         *
         * @param seconds     the longest each phase may run.
         * @param connections short connections at most.
         * @param roundTrips  measured round trips.
         * @param warmup      unmeasured round trips.
         * @param size        bytes each way.
         * @param stackCpu    the server's CPU.
         * @param peerCpu     the client's CPU.
         * @param park        idle the contexts with the default strategy.
         * @param memoryOnly  skip the veth cells.
         */
        public Options
        {
            require(seconds > 0 && seconds <= 60, "--seconds must be 1..60: " + seconds);
            require(connections > 0 && connections <= 10_000_000, "--connections must be 1..10^7");
            require(roundTrips > 0 && roundTrips <= 10_000_000, "--round-trips must be 1..10^7");
            require(warmup >= 0 && warmup <= 10_000_000, "--warmup must be 0..10^7");
            require(size > 0 && size <= 16_384, "--size must be 1..16384: " + size);
            require(stackCpu >= -1 && stackCpu < 64 && peerCpu >= -1 && peerCpu < 64, "--cpus out of range");
        }

        /**
         * Parse command-line options over {@link #DEFAULT}.
         *
         * @param args the arguments.
         * @return the options.
         * @throws IllegalArgumentException for an unknown option or a bad value.
         */
        public static Options parse(final String... args)
        {
            int seconds = DEFAULT.seconds;
            int connections = DEFAULT.connections;
            int roundTrips = DEFAULT.roundTrips;
            int warmup = DEFAULT.warmup;
            int size = DEFAULT.size;
            int stackCpu = DEFAULT.stackCpu;
            int peerCpu = DEFAULT.peerCpu;
            boolean park = DEFAULT.park;
            boolean memoryOnly = DEFAULT.memoryOnly;
            for (int i = 0; i < args.length; i++)
            {
                final String name = args[i];
                require(i + 1 < args.length, name + " needs a value");
                final String value = args[++i];
                switch (name)
                {
                    case "--seconds" -> seconds = Integer.parseInt(value);
                    case "--connections" -> connections = Integer.parseInt(value);
                    case "--round-trips" -> roundTrips = Integer.parseInt(value);
                    case "--warmup" -> warmup = Integer.parseInt(value);
                    case "--size" -> size = Integer.parseInt(value);
                    case "--memory-only" -> memoryOnly = Boolean.parseBoolean(value);
                    case "--idle" ->
                    {
                        require(value.equals("spin") || value.equals("park"), "--idle must be spin or park");
                        park = value.equals("park");
                    }
                    case "--cpus" ->
                    {
                        stackCpu = ThreadAffinity.cpuOf(value, 0);
                        peerCpu = ThreadAffinity.cpuOf(value, 1);
                    }
                    default -> throw new IllegalArgumentException("unknown option " + name);
                }
            }
            return new Options(seconds, connections, roundTrips, warmup, size, stackCpu, peerCpu, park, memoryOnly);
        }

        private int[] serverCpus(final int contexts)
        {
            if (stackCpu < 0)
            {
                return new int[0];
            }
            return contexts == 1 ? new int[] {stackCpu} : new int[] {stackCpu, peerCpu < 0 ? stackCpu : peerCpu};
        }
    }

    /**
     * One cell of the table.
     *
     * @param link        "veth" or "memory".
     * @param server      who serves.
     * @param connections short connections completed.
     * @param nanos       the time they took.
     * @param rr          the round trips.
     * @param note        what else the cell saw (counters, how a phase ended).
     */
    public record Cell(String link, String server, long connections, long nanos, TcpVethComparison.RoundTrips rr,
        String note)
    {
        /** @return short connections per second. */
        public double perSecond()
        {
            return connections * 1e9 / nanos;
        }
    }

    /**
     * Run the comparison and print the table.
     *
     * @param args the options, see the class comment.
     * @throws Exception if a step fails; the bed is removed first.
     */
    public static void main(final String[] args) throws Exception
    {
        final Options options;
        try
        {
            options = Options.parse(args);
        }
        catch (final IllegalArgumentException e)
        {
            System.err.println("ConnectionsComparison: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (!options.memoryOnly() && (!HostTools.isLinux() || !HostTools.isRoot()))
        {
            System.err.println("ConnectionsComparison needs Linux and root for the veth cells; --memory-only true skips them");
            System.exit(2);
            return;
        }
        run(options, System.out);
    }

    /**
     * Run every cell, printing each as it ends and the table at the end.
     *
     * @param options what to run.
     * @param out     where to print.
     * @return the cells.
     * @throws Exception if a step fails; the bed is removed first.
     */
    public static List<Cell> run(final Options options, final PrintStream out) throws Exception
    {
        out.println("ConnectionsComparison: " + options);
        out.println("machine: " + Runtime.getRuntime().availableProcessors() + " CPUs available, JDK "
            + Runtime.version());
        final List<Cell> cells = new ArrayList<>();
        if (!options.memoryOnly())
        {
            try (NetnsBed bed = NetnsBed.create())
            {
                out.println("  bed " + bed + ", MTU " + bed.mtu());
                cells.add(print(out, jmtcpOnVeth(bed, options, 1)));
                cells.add(print(out, jmtcpOnVeth(bed, options, 2)));
                try (KernelOnStackEnd ignored = KernelOnStackEnd.assign(bed))
                {
                    cells.add(print(out, kernelOnVeth(bed, options)));
                }
            }
        }
        cells.add(print(out, jmtcpInMemory(options, 1)));
        cells.add(print(out, jmtcpInMemory(options, 2)));
        printTable(options, cells, out);
        return cells;
    }

    private static Cell print(final PrintStream out, final Cell cell)
    {
        out.printf(Locale.ROOT, "  %s, %s: %d connections in %.2f s; RR p50 %.1f µs p99 %.1f µs; %s%n", cell.link(),
            cell.server(), cell.connections(), cell.nanos() / 1e9, cell.rr().p50() / 1e3, cell.rr().p99() / 1e3,
            cell.note());
        return cell;
    }

    private static Cell jmtcpOnVeth(final NetnsBed bed, final Options options, final int contexts)
        throws PortException, InterruptedException
    {
        PcapLibrary.ensureLoaded();
        final InterfaceConfig iface = new InterfaceConfig(bed.stackMac(), bed.stackAddress(), bed.prefixLength(),
            InterfaceConfig.NO_GATEWAY, bed.mtu());
        final CountDownLatch listening = new CountDownLatch(contexts);
        final ContextGroup group = server(iface, options, contexts, listening).openPcap(
            PcapPortConfig.builder(bed.stackInterface()).direction(PcapPortConfig.Direction.IN)
                .maxFrameLength(bed.mtu() + ETHERNET_HEADER).build());
        try (group)
        {
            awaitListening(listening);
            final String[] cc = clientOnVeth(bed, options);
            return new Cell("veth", "jmtcp, " + contexts + " context(s)", field(cc[0], "count"), field(cc[0], "nanos"),
                TcpVethComparison.RoundTrips.parse(cc[1]), describe(group));
        }
    }

    private static Cell kernelOnVeth(final NetnsBed bed, final Options options)
        throws Exception
    {
        try (PeerProcess server = PeerProcess.inRoot(options.stackCpu(), "echoall", bed.stackAddressText(),
            Integer.toString(PORT), Integer.toString(3 * options.seconds() + 10)))
        {
            server.awaitLine(KernelSocketPeer.LISTENING, LISTEN_TIMEOUT);
            final String[] cc = clientOnVeth(bed, options);
            return new Cell("veth", "Linux kernel", field(cc[0], "count"), field(cc[0], "nanos"),
                TcpVethComparison.RoundTrips.parse(cc[1]), "kernel echo server on CPU " + options.stackCpu());
        }
    }

    /** The kernel client's two phases; returns their result lines. */
    private static String[] clientOnVeth(final NetnsBed bed, final Options options) throws InterruptedException
    {
        final Duration timeout = Duration.ofSeconds(options.seconds()).plus(SLACK);
        final String cc;
        try (PeerProcess client = PeerProcess.inNamespace(bed, options.peerCpu(), "cc", bed.stackAddressText(),
            Integer.toString(PORT), Integer.toString(options.size()), Integer.toString(options.warmup()),
            Integer.toString(options.connections()), Integer.toString(options.seconds())))
        {
            cc = client.awaitResult("count=", timeout);
        }
        final String rr;
        try (PeerProcess client = PeerProcess.inNamespace(bed, options.peerCpu(), "rr", bed.stackAddressText(),
            Integer.toString(PORT), Integer.toString(options.size()), Integer.toString(options.warmup()),
            Integer.toString(options.roundTrips()), Integer.toString(options.seconds())))
        {
            rr = client.awaitResult("count=", timeout);
        }
        return new String[] {cc, rr};
    }

    private static Cell jmtcpInMemory(final Options options, final int contexts) throws Exception
    {
        final MemoryLink link = MemoryLink.builder().clock(SystemNanoClock.INSTANCE).seed(1).capacity(4096).build();
        final InterfaceConfig serverIface = new InterfaceConfig(Mac.parse("02:00:00:00:00:01"), SERVER_IP, 24,
            InterfaceConfig.NO_GATEWAY, 1500);
        final CountDownLatch listening = new CountDownLatch(contexts);
        try (link; ContextGroup group = server(serverIface, options, contexts, listening).openShared(link.endB()))
        {
            awaitListening(listening);
            final CompletableFuture<Cell> result = new CompletableFuture<>();
            final Thread client = new Thread(() ->
            {
                try
                {
                    result.complete(memoryClient(link, options, contexts, group));
                }
                catch (final Throwable e)
                {
                    result.completeExceptionally(e);
                }
            }, "memory-client");
            client.setDaemon(true);
            client.start();
            return result.get(2L * options.seconds() + SLACK.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static Cell memoryClient(final MemoryLink link, final Options options, final int contexts,
        final ContextGroup group)
    {
        final boolean pinned = options.peerCpu() >= 0 && ThreadAffinity.pinCurrentThread(options.peerCpu());
        final StackContext context = new StackContext(new ContextConfig().name("client")
            .iface(new InterfaceConfig(Mac.parse("02:00:00:00:00:02"), CLIENT_IP, 24, InterfaceConfig.NO_GATEWAY, 1500)),
            link.endA(), SystemNanoClock.INSTANCE,
            new TcpConfig().timeWaitNanos(CLIENT_TIME_WAIT.toNanos()).timeWaitCapacity(1 << 15));
        final MtcpContext ctx = MtcpContext.attach(context, new SocketConfig());
        context.doWork();
        final InlineClient client = new InlineClient(context, ctx, options);
        // Unmeasured first: on 2 vCPUs with spinning contexts the JIT compiler threads get little
        // CPU, and the first few hundred connections take milliseconds each until it is done.
        client.shortConnections(options.warmup(), System.nanoTime() + TimeUnit.SECONDS.toNanos(options.seconds()));
        final long start = System.nanoTime();
        final String stop = client.shortConnections(options.connections(),
            start + TimeUnit.SECONDS.toNanos(options.seconds()));
        final long nanos = System.nanoTime() - start;
        final long connections = client.completed;
        final TcpVethComparison.RoundTrips rr = client.roundTrips();
        ctx.destroy();
        return new Cell("memory", "jmtcp, " + contexts + " context(s)", connections, nanos, rr,
            "client " + (pinned ? "on CPU " + options.peerCpu() : "unpinned") + ", " + stop + "; " + describe(group));
    }

    /**
     * @param listening counted down by each context's echo service once it listens: the client
     *                  must not start before (its first SYN would be refused).
     */
    private static ContextGroup.Builder server(final InterfaceConfig iface, final Options options, final int contexts,
        final CountDownLatch listening)
    {
        final SocketConfig sockets = new SocketConfig();
        final ContextGroup.Builder builder = ContextGroup.builder(new ContextConfig().name("srv").iface(iface), contexts)
            .tcp(new TcpConfig().noDelay(true))
            .cpus(options.serverCpus(contexts))
            .setup(context -> context.attach(new EchoService(MtcpContext.attach(context, sockets), listening)));
        return options.park() ? builder : builder.idleStrategy(context -> new BusySpinIdleStrategy());
    }

    private static void awaitListening(final CountDownLatch listening) throws InterruptedException
    {
        if (!listening.await(LISTEN_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
        {
            throw new IllegalStateException("the jmtcp echo server did not listen within " + LISTEN_TIMEOUT);
        }
    }

    private static String describe(final ContextGroup group)
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < group.size(); i++)
        {
            final StackContext context = group.context(i);
            text.append(i == 0 ? "" : ", ").append("context ").append(i).append(' ').append(group.pinning(i))
                .append(": ").append(context.counters().get(StackCounter.TCP_PASSIVE_OPENS)).append(" accepted, ")
                .append(context.counters().get(StackCounter.TCP_RETRANSMITS)).append(" retransmitted");
        }
        return text.toString();
    }

    /**
     * The echo application on one context: its own listening socket on {@link #PORT}
     * (SO_REUSEPORT, so every context listens there), then in every duty cycle accept what is
     * waiting, echo what each connection has, and close at EOF. It runs on the context's thread,
     * so each call is inline and never blocks.
     */
    static final class EchoService implements ContextService
    {
        /** Connections one context serves at once; the clients here open one at a time. */
        private static final int MAX_OPEN = 256;

        private final MtcpContext ctx;
        private final int[] open = new int[MAX_OPEN];
        private final byte[] chunk = new byte[16 * 1024];
        private int count;
        private final CountDownLatch listening;
        private int listener = -1;

        EchoService(final MtcpContext ctx, final CountDownLatch listening)
        {
            this.ctx = ctx;
            this.listening = listening;
        }

        @Override
        public int doWork(final long now)
        {
            if (listener < 0)
            {
                listen();
            }
            int work = 0;
            int accepted;
            while (count < MAX_OPEN && (accepted = Mtcp.accept(ctx, listener, null)) >= 0)
            {
                Mtcp.setsockopt(ctx, accepted, Mtcp.IPPROTO_TCP, Mtcp.TCP_NODELAY, 1);
                open[count++] = accepted;
                work++;
            }
            for (int i = count - 1; i >= 0; i--)
            {
                final int socket = open[i];
                final int read = Mtcp.read(ctx, socket, chunk, 0, chunk.length);
                if (read > 0)
                {
                    work++;
                    // Ring space is 64 KiB and the clients wait for each echo: a short write means a bug.
                    if (Mtcp.write(ctx, socket, chunk, 0, read) != read)
                    {
                        Mtcp.abort(ctx, socket);
                        release(i);
                    }
                }
                else if (read == 0 || ctx.errno() != Errno.EAGAIN)
                {
                    work++;
                    // A reset connection refuses close (ENOTCONN); abort releases its id then.
                    if (Mtcp.close(ctx, socket) != 0)
                    {
                        Mtcp.abort(ctx, socket);
                    }
                    release(i);
                }
            }
            return work;
        }

        private void listen()
        {
            final int socket = Mtcp.socket(ctx, Mtcp.AF_INET, Mtcp.SOCK_STREAM, 0);
            if (socket < 0 || Mtcp.setsockopt(ctx, socket, Mtcp.SOL_SOCKET, Mtcp.SO_REUSEPORT, 1) != 0
                || Mtcp.bind(ctx, socket, 0, PORT) != 0 || Mtcp.listen(ctx, socket, 1024) != 0)
            {
                throw new IllegalStateException("echo server: listen failed: " + Errno.name(ctx.errno()));
            }
            listener = socket;
            listening.countDown();
        }

        private void release(final int index)
        {
            open[index] = open[--count];
        }

        @Override
        public boolean hasPendingWork()
        {
            return false;
        }
    }

    /**
     * The in-memory client: one jmtcp context driven by its application thread, so every call is
     * inline; both phases bounded by count and time.
     */
    private static final class InlineClient
    {
        private final StackContext context;
        private final MtcpContext ctx;
        private final Options options;
        private final byte[] request;
        private final byte[] response;
        long completed;

        InlineClient(final StackContext context, final MtcpContext ctx, final Options options)
        {
            this.context = context;
            this.ctx = ctx;
            this.options = options;
            request = new byte[options.size()];
            new Random(3).nextBytes(request);
            response = new byte[options.size()];
        }

        /**
         * Short connections, one at a time, until the count or the deadline.
         *
         * @param count    how many.
         * @param deadline when to stop.
         * @return how the phase ended.
         */
        String shortConnections(final int count, final long deadline)
        {
            completed = 0;
            while (completed < count)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    return "short connections stopped by time";
                }
                final int socket = open();
                if (socket < 0)
                {
                    return "connect failed: " + Errno.name(-socket);
                }
                exchange(socket, deadline + SLACK.toNanos());
                if (Mtcp.close(ctx, socket) != 0)
                {
                    throw new IllegalStateException("close failed: " + Errno.name(ctx.errno()));
                }
                context.doWork();
                completed++;
            }
            return "short connections stopped by count";
        }

        /**
         * Round trips on one connection: the warm-up, then the measured ones, until the count or
         * the phase's time.
         *
         * @return the measured round trips.
         */
        TcpVethComparison.RoundTrips roundTrips()
        {
            final long phase = TimeUnit.SECONDS.toNanos(options.seconds());
            final int socket = openWhenAPortIsFree();
            if (socket < 0)
            {
                throw new IllegalStateException("connect failed: " + Errno.name(-socket));
            }
            final long warmupDeadline = System.nanoTime() + phase;
            for (int i = 0; i < options.warmup() && System.nanoTime() - warmupDeadline < 0; i++)
            {
                exchange(socket, warmupDeadline + SLACK.toNanos());
            }
            final long[] rtts = new long[options.roundTrips()];
            int measured = 0;
            final long measuredStart = System.nanoTime();
            final long deadline = measuredStart + phase;
            while (measured < rtts.length && System.nanoTime() - deadline < 0)
            {
                final long sent = System.nanoTime();
                exchange(socket, deadline + SLACK.toNanos());
                rtts[measured++] = System.nanoTime() - sent;
            }
            final long nanos = System.nanoTime() - measuredStart;
            Mtcp.close(ctx, socket);
            context.doWork();
            if (measured == 0)
            {
                throw new IllegalStateException("no measured round trip within " + options.seconds() + " s");
            }
            Arrays.sort(rtts, 0, measured);
            return new TcpVethComparison.RoundTrips(measured, percentile(rtts, measured, 0.50),
                percentile(rtts, measured, 0.99), percentile(rtts, measured, 0.999), rtts[measured - 1], nanos);
        }

        /**
         * {@link #open()}, retried while every ephemeral port is in TIME_WAIT: in bursts the
         * short-connection phase reaches tens of thousands of connections per second, so it can
         * use up the 16 384 ports within the client's 1 s TIME_WAIT (it then ends with
         * EADDRNOTAVAIL, which its result line says); the oldest records expire within that second.
         *
         * @return as {@link #open()}.
         */
        private int openWhenAPortIsFree()
        {
            final long deadline = System.nanoTime() + CLIENT_TIME_WAIT.toNanos() + SLACK.toNanos();
            int socket;
            while ((socket = open()) == -Errno.EADDRNOTAVAIL && System.nanoTime() - deadline < 0)
            {
                context.doWork();
            }
            return socket;
        }

        /** @return a connecting socket, or minus the errno of the call that failed (its socket closed). */
        private int open()
        {
            final int socket = Mtcp.socket(ctx, Mtcp.AF_INET, Mtcp.SOCK_STREAM, 0);
            if (socket < 0)
            {
                return -ctx.errno();
            }
            Mtcp.setsockopt(ctx, socket, Mtcp.IPPROTO_TCP, Mtcp.TCP_NODELAY, 1);
            if (Mtcp.connect(ctx, socket, SERVER_IP, PORT) != 0 && ctx.errno() != Errno.EINPROGRESS)
            {
                final int error = ctx.errno();
                Mtcp.close(ctx, socket);
                return -error;
            }
            return socket;
        }

        /** Write the request (once the handshake is done) and read the whole echo, driving the context. */
        private void exchange(final int socket, final long deadline)
        {
            boolean written = false;
            int got = 0;
            while (got < response.length)
            {
                context.doWork();
                if (!written)
                {
                    final int n = Mtcp.write(ctx, socket, request, 0, request.length);
                    if (n == request.length)
                    {
                        written = true;
                        context.doWork();
                    }
                    else if (n >= 0 || ctx.errno() != Errno.EAGAIN)
                    {
                        throw new IllegalStateException("write: " + n + " " + Errno.name(ctx.errno()));
                    }
                }
                else
                {
                    final int n = Mtcp.read(ctx, socket, response, got, response.length - got);
                    if (n > 0)
                    {
                        got += n;
                    }
                    else if (n == 0 || ctx.errno() != Errno.EAGAIN)
                    {
                        throw new IllegalStateException("read: " + (n == 0 ? "EOF" : Errno.name(ctx.errno())));
                    }
                }
                if (System.nanoTime() - deadline > 0)
                {
                    throw new IllegalStateException("an exchange took too long (" + got + " bytes back)");
                }
            }
            if (!Arrays.equals(request, response))
            {
                throw new IllegalStateException("the echo differs from the request");
            }
        }
    }

    private static long percentile(final long[] sorted, final int count, final double fraction)
    {
        final int rank = (int)Math.ceil(fraction * count);
        return sorted[Math.max(0, rank - 1)];
    }

    private static void printTable(final Options options, final List<Cell> cells, final PrintStream out)
    {
        out.println();
        out.println("Results (" + options.size() + " B each way; server on CPU " + options.stackCpu()
            + " (a second context on CPU " + options.peerCpu() + "), client on CPU " + options.peerCpu()
            + "; jmtcp contexts " + (options.park() ? "park when idle" : "busy-spin") + "):");
        out.println("| link | server | short connections/s | RR p50 µs | RR p99 µs | RR k/s |");
        out.println("|---|---|---|---|---|---|");
        for (final Cell cell : cells)
        {
            out.printf(Locale.ROOT, "| %s | %s | %.0f | %.1f | %.1f | %.1f |%n", cell.link(), cell.server(),
                cell.perSecond(), cell.rr().p50() / 1e3, cell.rr().p99() / 1e3, cell.rr().perSecond() / 1e3);
        }
    }

    private static long field(final String line, final String name)
    {
        for (final String word : line.trim().split("\\s+"))
        {
            if (word.startsWith(name + "="))
            {
                return Long.parseLong(word.substring(name.length() + 1));
            }
        }
        throw new IllegalStateException("no " + name + "= in: " + line);
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }
}
