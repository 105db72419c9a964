package io.jmtcp.bench;

import io.jmtcp.bed.HostTools;
import io.jmtcp.bed.NetnsBed;
import io.jmtcp.port.PortException;
import io.jmtcp.tcp.EchoHandler;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.tcp.TcpError;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * jmtcp against the Linux kernel's TCP on the same veth pair, in the same run: one bulk
 * connection each way and 64-byte request/response, with the kernel-to-kernel figures as the
 * reference. Needs Linux and root; every repetition makes its own {@link NetnsBed} and removes
 * it, after a failure too.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.jmtcp.bench.TcpVethComparison [--bytes N] [--seconds S]
 *     [--round-trips N] [--warmup N] [--size B] [--repeat R] [--cpus S:P] [--buffer B]
 * </pre>
 *
 * <p>Per repetition, with the kernel's end always a {@link KernelSocketPeer} in the bed's
 * namespace (198.18.0.2, offloads off, pinned to CPU P with {@code taskset}):
 * <ol>
 *   <li>kernel client to a jmtcp sink on the stack end (198.18.0.1), N bytes;</li>
 *   <li>a jmtcp client to a kernel sink in the namespace, N bytes;</li>
 *   <li>round trips of B bytes from the kernel client to a jmtcp echo server;</li>
 *   <li>then, with the stack stopped and the stack end handed to the root kernel
 *       ({@link KernelOnStackEnd}), the same kernel client to a kernel sink and a kernel echo
 *       server in the root namespace bound to 198.18.0.1, pinned to CPU S; bulk once more with
 *       both ends' offloads on.</li>
 * </ol>
 *
 * <p>jmtcp runs one context whose thread busy-spins, pinned to CPU S with
 * {@code sched_setaffinity}. On this project's 2-vCPU machine S:P is 0:1, so every exchange
 * crosses cores (PACKET-IO-NOTES.md pitfall 8): each wake-up of a blocked kernel socket costs
 * 25-30 µs, and the kernel server blocks while jmtcp's spins, which favours jmtcp in
 * request/response. Bulk rates are bytes over the time from the first write to the receiver's
 * EOF, which it sends only after reading every byte; round-trip times are the client's
 * {@link System#nanoTime()} around each write and read, after the warm-up.
 */
public final class TcpVethComparison
{
    private static final int BULK_PORT = 5001;
    private static final int ECHO_PORT = 5002;

    /** Added to --seconds for JVM start-up and the end of a transfer before a peer is given up. */
    private static final Duration SLACK = Duration.ofSeconds(20);

    /** How long a kernel server may take to start listening (a JVM start). */
    private static final Duration LISTEN_TIMEOUT = Duration.ofSeconds(15);

    private TcpVethComparison()
    {
    }

    /**
     * One bulk transfer.
     *
     * @param bytes bytes moved.
     * @param nanos from the first write to the receiver's EOF.
     */
    public record Bulk(long bytes, long nanos)
    {
        /**
         * @return the rate in Gbit/s.
         */
        public double gbps()
        {
            return bytes * 8.0 / nanos;
        }

        static Bulk parse(final String line)
        {
            return new Bulk(field(line, "bytes"), field(line, "nanos"));
        }
    }

    /**
     * Request/response over one connection.
     *
     * @param count round trips measured.
     * @param p50   median round-trip time, ns.
     * @param p99   99th percentile, ns.
     * @param p999  99.9th percentile, ns.
     * @param max   the longest, ns.
     * @param nanos the measured round trips' total time.
     */
    public record RoundTrips(long count, long p50, long p99, long p999, long max, long nanos)
    {
        /**
         * @return round trips per second.
         */
        public double perSecond()
        {
            return count * 1e9 / nanos;
        }

        static RoundTrips parse(final String line)
        {
            return new RoundTrips(field(line, "count"), field(line, "p50"), field(line, "p99"), field(line, "p999"),
                field(line, "max"), field(line, "nanos"));
        }
    }

    /**
     * The figures of one repetition.
     *
     * @param kernelToJmtcp         bulk, kernel client to the jmtcp sink.
     * @param jmtcpToKernel         bulk, jmtcp client to a kernel sink.
     * @param kernelToKernel        bulk, kernel to kernel, offloads off.
     * @param kernelToKernelOffload bulk, kernel to kernel, offloads on.
     * @param jmtcpEcho             round trips to the jmtcp echo server.
     * @param kernelEcho            round trips to a kernel echo server.
     */
    public record Repetition(Bulk kernelToJmtcp, Bulk jmtcpToKernel, Bulk kernelToKernel, Bulk kernelToKernelOffload,
        RoundTrips jmtcpEcho, RoundTrips kernelEcho)
    {
    }

    /**
     * What to run.
     *
     * @param bytes       bytes per bulk transfer.
     * @param seconds     the longest a transfer or a round-trip series may run.
     * @param roundTrips  measured round trips.
     * @param warmup      unmeasured round trips first.
     * @param size        request and response size.
     * @param repeat      repetitions, each on a fresh bed.
     * @param stackCpu    the CPU of jmtcp's context thread and of the kernel servers in the root namespace, or -1.
     * @param peerCpu     the CPU of the kernel peer in the namespace, or -1.
     * @param bufferBytes jmtcp's send and receive buffer per connection, a power of two.
     */
    public record Options(long bytes, int seconds, int roundTrips, int warmup, int size, int repeat, int stackCpu,
        int peerCpu, int bufferBytes)
    {
        /** 1 GiB, 20 s, 20 000 + 2 000 round trips of 64 B, once, CPUs 0:1, 1 MiB buffers. */
        public static final Options DEFAULT = new Options(1L << 30, 20, 20_000, 2_000, 64, 1, 0, 1, 1 << 20);

        /**
         * Validates the bounds.
         *
         * @param bytes       bytes per bulk transfer.
         * @param seconds     the longest a transfer or a round-trip series may run.
         * @param roundTrips  measured round trips.
         * @param warmup      unmeasured round trips first.
         * @param size        request and response size.
         * @param repeat      repetitions.
         * @param stackCpu    the stack's CPU, or -1.
         * @param peerCpu     the peer's CPU, or -1.
         * @param bufferBytes jmtcp's buffers.
         */
        public Options
        {
            require(bytes > 0 && bytes <= 1L << 36, "--bytes must be 1..2^36: " + bytes);
            require(seconds > 0 && seconds <= 300, "--seconds must be 1..300: " + seconds);
            require(roundTrips > 0 && roundTrips <= 10_000_000, "--round-trips must be 1..10^7: " + roundTrips);
            require(warmup >= 0 && warmup <= 10_000_000, "--warmup must be 0..10^7: " + warmup);
            require(size > 0 && size <= 65_536, "--size must be 1..65536: " + size);
            require(repeat > 0 && repeat <= 20, "--repeat must be 1..20: " + repeat);
            require(stackCpu >= -1 && stackCpu < 64 && peerCpu >= -1 && peerCpu < 64, "--cpus out of range");
            // TcpConfig.validate says which buffer sizes it takes.
            new TcpConfig().sendBufferBytes(bufferBytes).receiveBufferBytes(bufferBytes).validate();
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
            long bytes = DEFAULT.bytes;
            int seconds = DEFAULT.seconds;
            int roundTrips = DEFAULT.roundTrips;
            int warmup = DEFAULT.warmup;
            int size = DEFAULT.size;
            int repeat = DEFAULT.repeat;
            int stackCpu = DEFAULT.stackCpu;
            int peerCpu = DEFAULT.peerCpu;
            int bufferBytes = DEFAULT.bufferBytes;
            for (int i = 0; i < args.length; i++)
            {
                final String name = args[i];
                require(i + 1 < args.length, name + " needs a value");
                final String value = args[++i];
                switch (name)
                {
                    case "--bytes" -> bytes = Long.parseLong(value);
                    case "--seconds" -> seconds = Integer.parseInt(value);
                    case "--round-trips" -> roundTrips = Integer.parseInt(value);
                    case "--warmup" -> warmup = Integer.parseInt(value);
                    case "--size" -> size = Integer.parseInt(value);
                    case "--repeat" -> repeat = Integer.parseInt(value);
                    case "--buffer" -> bufferBytes = Integer.parseInt(value);
                    case "--cpus" ->
                    {
                        stackCpu = ThreadAffinity.cpuOf(value, 0);
                        peerCpu = ThreadAffinity.cpuOf(value, 1);
                    }
                    default -> throw new IllegalArgumentException("unknown option " + name);
                }
            }
            return new Options(bytes, seconds, roundTrips, warmup, size, repeat, stackCpu, peerCpu, bufferBytes);
        }

        private Duration peerTimeout()
        {
            return Duration.ofSeconds(seconds).plus(SLACK);
        }
    }

    /**
     * Run the comparison and print the table.
     *
     * @param args the options, see the class comment.
     * @throws Exception if a step fails; the beds are removed first.
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
            System.err.println("TcpVethComparison: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (!HostTools.isLinux() || !HostTools.isRoot())
        {
            System.err.println("TcpVethComparison needs Linux and root (network namespaces, veth, pcap)");
            System.exit(2);
            return;
        }
        run(options, System.out);
    }

    /**
     * Run every repetition, printing each step's figures and counters as it goes and the table
     * at the end.
     *
     * @param options what to run.
     * @param out     where to print.
     * @return each repetition's figures.
     * @throws Exception if a step fails; the bed is removed first.
     */
    public static List<Repetition> run(final Options options, final PrintStream out) throws Exception
    {
        out.println("TcpVethComparison: " + options);
        out.println("machine: " + Runtime.getRuntime().availableProcessors() + " CPUs available, load average "
            + loadAverage() + ", " + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", JDK "
            + Runtime.version());
        final List<Repetition> repetitions = new ArrayList<>();
        for (int i = 0; i < options.repeat(); i++)
        {
            out.println("repetition " + (i + 1) + " of " + options.repeat());
            repetitions.add(repetition(options, out));
        }
        out.println("load average at the end: " + loadAverage());
        printTable(options, repetitions, out);
        return repetitions;
    }

    private static Repetition repetition(final Options options, final PrintStream out) throws Exception
    {
        try (NetnsBed bed = NetnsBed.create())
        {
            out.println("  bed " + bed + ", MTU " + bed.mtu() + ", peer offloads off, stack end hardened");
            final Bulk kernelToJmtcp = kernelToJmtcp(bed, options, out);
            final Bulk jmtcpToKernel = jmtcpToKernel(bed, options, out);
            final RoundTrips jmtcpEcho = jmtcpEcho(bed, options, out);
            try (KernelOnStackEnd kernel = KernelOnStackEnd.assign(bed))
            {
                final Bulk kernelToKernel = kernelToKernel(bed, options, out, "offloads off");
                final RoundTrips kernelEcho = kernelEcho(bed, options, out);
                kernel.offloads(true);
                final Bulk kernelToKernelOffload = kernelToKernel(bed, options, out, "offloads on");
                return new Repetition(kernelToJmtcp, jmtcpToKernel, kernelToKernel, kernelToKernelOffload, jmtcpEcho,
                    kernelEcho);
            }
        }
    }

    private static Bulk kernelToJmtcp(final NetnsBed bed, final Options options, final PrintStream out)
        throws PortException, InterruptedException
    {
        try (JmtcpOnBed stack = JmtcpOnBed.start(bed, tcpConfig(options, false), options.stackCpu()))
        {
            final JmtcpOnBed.Sink sink = new JmtcpOnBed.Sink();
            stack.call(ctx -> JmtcpOnBed.listen(ctx.tcp(), BULK_PORT, sink));
            final Bulk bulk;
            try (PeerProcess client = PeerProcess.inNamespace(bed, options.peerCpu(), "send", bed.stackAddressText(),
                Integer.toString(BULK_PORT), Long.toString(options.bytes()), Integer.toString(options.seconds())))
            {
                bulk = Bulk.parse(client.awaitResult("bytes=", options.peerTimeout()));
            }
            final long received = sink.await(SLACK.toSeconds());
            check(received == bulk.bytes(), "the jmtcp sink read " + received + " bytes of " + bulk.bytes());
            out.printf(Locale.ROOT, "  bulk kernel -> jmtcp: %.2f Gbit/s (%d bytes in %.2f s); jmtcp on CPU %d: %s%n",
                bulk.gbps(), bulk.bytes(), bulk.nanos() / 1e9, stack.pinnedCpu(), stack.counterLine());
            return bulk;
        }
    }

    private static Bulk jmtcpToKernel(final NetnsBed bed, final Options options, final PrintStream out)
        throws PortException, InterruptedException
    {
        try (JmtcpOnBed stack = JmtcpOnBed.start(bed, tcpConfig(options, false), options.stackCpu());
            PeerProcess server = PeerProcess.inNamespace(bed, options.peerCpu(), "sink", bed.peerAddressText(),
                Integer.toString(BULK_PORT), Integer.toString(options.seconds())))
        {
            server.awaitLine(KernelSocketPeer.LISTENING, LISTEN_TIMEOUT);
            final JmtcpOnBed.Source source = new JmtcpOnBed.Source(options.bytes(),
                System.nanoTime() + Duration.ofSeconds(options.seconds()).toNanos());
            final int errno = stack.call(ctx -> ctx.tcp().connect(bed.peerAddress(), BULK_PORT, 0, source, ctx.now())
                == null ? ctx.tcp().lastError() : TcpError.NONE);
            check(errno == TcpError.NONE, "jmtcp connect failed: " + TcpError.name(errno));
            final Bulk bulk = source.await(options.peerTimeout().toSeconds());
            final long received = field(server.awaitResult("bytes=", SLACK), "bytes");
            check(received == bulk.bytes(), "the kernel sink read " + received + " bytes of " + bulk.bytes());
            out.printf(Locale.ROOT, "  bulk jmtcp -> kernel: %.2f Gbit/s (%d bytes in %.2f s); jmtcp on CPU %d: %s%n",
                bulk.gbps(), bulk.bytes(), bulk.nanos() / 1e9, stack.pinnedCpu(), stack.counterLine());
            return bulk;
        }
    }

    private static RoundTrips jmtcpEcho(final NetnsBed bed, final Options options, final PrintStream out)
        throws PortException, InterruptedException
    {
        try (JmtcpOnBed stack = JmtcpOnBed.start(bed, tcpConfig(options, true), options.stackCpu()))
        {
            stack.call(ctx -> JmtcpOnBed.listen(ctx.tcp(), ECHO_PORT, new EchoHandler()));
            final RoundTrips roundTrips;
            try (PeerProcess client = roundTripClient(bed, options))
            {
                roundTrips = RoundTrips.parse(client.awaitResult("count=", options.peerTimeout()));
            }
            out.println("  " + describe("jmtcp echo", options, roundTrips) + "; jmtcp on CPU " + stack.pinnedCpu()
                + ": " + stack.counterLine());
            return roundTrips;
        }
    }

    private static Bulk kernelToKernel(final NetnsBed bed, final Options options, final PrintStream out,
        final String offloads) throws IOException, InterruptedException
    {
        try (PeerProcess server = PeerProcess.inRoot(options.stackCpu(), "sink", bed.stackAddressText(),
            Integer.toString(BULK_PORT), Integer.toString(options.seconds())))
        {
            server.awaitLine(KernelSocketPeer.LISTENING, LISTEN_TIMEOUT);
            final Bulk bulk;
            try (PeerProcess client = PeerProcess.inNamespace(bed, options.peerCpu(), "send", bed.stackAddressText(),
                Integer.toString(BULK_PORT), Long.toString(options.bytes()), Integer.toString(options.seconds())))
            {
                bulk = Bulk.parse(client.awaitResult("bytes=", options.peerTimeout()));
            }
            final long received = field(server.awaitResult("bytes=", SLACK), "bytes");
            check(received == bulk.bytes(), "the kernel sink read " + received + " bytes of " + bulk.bytes());
            out.printf(Locale.ROOT, "  bulk kernel -> kernel, %s: %.2f Gbit/s (%d bytes in %.2f s)%n", offloads,
                bulk.gbps(), bulk.bytes(), bulk.nanos() / 1e9);
            return bulk;
        }
    }

    private static RoundTrips kernelEcho(final NetnsBed bed, final Options options, final PrintStream out)
        throws IOException, InterruptedException
    {
        try (PeerProcess server = PeerProcess.inRoot(options.stackCpu(), "echo", bed.stackAddressText(),
            Integer.toString(ECHO_PORT), Integer.toString(options.seconds())))
        {
            server.awaitLine(KernelSocketPeer.LISTENING, LISTEN_TIMEOUT);
            final RoundTrips roundTrips;
            try (PeerProcess client = roundTripClient(bed, options))
            {
                roundTrips = RoundTrips.parse(client.awaitResult("count=", options.peerTimeout()));
            }
            server.awaitResult("bytes=", SLACK);
            out.println("  " + describe("kernel echo", options, roundTrips));
            return roundTrips;
        }
    }

    private static PeerProcess roundTripClient(final NetnsBed bed, final Options options)
    {
        return PeerProcess.inNamespace(bed, options.peerCpu(), "rr", bed.stackAddressText(), Integer.toString(ECHO_PORT),
            Integer.toString(options.size()), Integer.toString(options.warmup()), Integer.toString(options.roundTrips()),
            Integer.toString(options.seconds()));
    }

    private static TcpConfig tcpConfig(final Options options, final boolean noDelay)
    {
        return new TcpConfig().sendBufferBytes(options.bufferBytes()).receiveBufferBytes(options.bufferBytes())
            .noDelay(noDelay);
    }

    private static String describe(final String server, final Options options, final RoundTrips r)
    {
        return String.format(Locale.ROOT, "%d B round trips to %s: p50 %.1f µs, p99 %.1f µs, p99.9 %.1f µs,"
            + " max %.1f µs, %.1f k/s (%d measured)", options.size(), server, r.p50() / 1e3, r.p99() / 1e3,
            r.p999() / 1e3, r.max() / 1e3, r.perSecond() / 1e3, r.count());
    }

    private static void printTable(final Options options, final List<Repetition> reps, final PrintStream out)
    {
        final String pinning = options.stackCpu() < 0 ? "unpinned"
            : "jmtcp context thread and root-namespace kernel servers on CPU " + options.stackCpu()
            + ", kernel peer in the namespace on CPU " + options.peerCpu();
        out.println();
        out.println("Results (" + reps.size() + " repetition(s); " + pinning + "; median of the repetitions last):");
        out.printf(Locale.ROOT, "| %-44s | %s |%n", "figure", "per repetition -> median");
        out.println("|---|---|");
        bulkRow(out, reps, "bulk kernel -> jmtcp, Gbit/s", Repetition::kernelToJmtcp);
        bulkRow(out, reps, "bulk jmtcp -> kernel, Gbit/s", Repetition::jmtcpToKernel);
        bulkRow(out, reps, "bulk kernel -> kernel, offloads off, Gbit/s", Repetition::kernelToKernel);
        bulkRow(out, reps, "bulk kernel -> kernel, offloads on, Gbit/s", Repetition::kernelToKernelOffload);
        row(out, reps, options.size() + " B RR jmtcp echo p50 / p99, µs",
            r -> r.jmtcpEcho().p50() / 1e3, r -> r.jmtcpEcho().p99() / 1e3);
        row(out, reps, options.size() + " B RR kernel echo p50 / p99, µs",
            r -> r.kernelEcho().p50() / 1e3, r -> r.kernelEcho().p99() / 1e3);
        row(out, reps, options.size() + " B RR jmtcp / kernel echo, k trans/s",
            r -> r.jmtcpEcho().perSecond() / 1e3, r -> r.kernelEcho().perSecond() / 1e3);
    }

    private static void bulkRow(final PrintStream out, final List<Repetition> reps, final String name,
        final Function<Repetition, Bulk> figure)
    {
        final double[] values = reps.stream().mapToDouble(r -> figure.apply(r).gbps()).toArray();
        out.printf(Locale.ROOT, "| %-44s | %s -> %.2f |%n", name, join(values), median(values));
    }

    private static void row(final PrintStream out, final List<Repetition> reps, final String name,
        final ToDoubleFunction<Repetition> first, final ToDoubleFunction<Repetition> second)
    {
        final double[] a = reps.stream().mapToDouble(first).toArray();
        final double[] b = reps.stream().mapToDouble(second).toArray();
        out.printf(Locale.ROOT, "| %-44s | %s / %s -> %.1f / %.1f |%n", name, join(a), join(b), median(a), median(b));
    }

    private static String join(final double[] values)
    {
        final StringBuilder text = new StringBuilder();
        for (final double value : values)
        {
            text.append(text.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.2f", value));
        }
        return text.toString();
    }

    private static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String loadAverage()
    {
        try
        {
            final String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        }
        catch (final IOException e)
        {
            return "unknown";
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

    private static void check(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalStateException(message);
        }
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }
}
