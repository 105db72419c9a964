package io.jmtcp.bench;

import io.jmtcp.bed.HostTools;
import io.jmtcp.bed.VethPair;
import io.jmtcp.core.ContextConfig;
import io.jmtcp.port.PcapLibrary;
import io.jmtcp.port.PcapPort;
import io.jmtcp.port.PcapPortConfig;
import io.jmtcp.port.PortException;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Frames per second through {@link PcapPort} (pcap4j 1.8.2 on libpcap) over a veth pair this
 * benchmark creates ({@link VethPair}: both ends in the root namespace, no IPv4 address, IPv6
 * off, offloads off, hardened, a tc ingress drop behind the pcap taps), 64-byte and 1514-byte
 * frames of {@link BenchFrames#raw}: the local experimental EtherType 0x88B5, fixed MACs
 * 02:00:00:00:00:01 to 02:00:00:00:00:02, a sequence number. Nothing leaves the pair, and the
 * root kernel's protocol layers never see a frame.
 *
 * <ul>
 *   <li>{@link #sendAlone}: one frame per call, {@code PcapPort.send} ({@code pcap_sendpacket})
 *       on end A, with no pcap handle on end B; ops/s = frames/s sent. The veth delivers each
 *       frame to end B in the sender's own softirq, so this includes the kernel's receive
 *       side up to the (empty) packet taps.</li>
 *   <li>{@code twoThreads}: a sender thread ({@link #send}) on end A and a receiver thread
 *       ({@link #receive}, {@code PcapPort.receive}: {@code pcap_dispatch} of up to
 *       {@value #BATCH} frames, non-blocking, immediate mode, direction IN) on end B, pinned to
 *       the CPUs of {@code cpus}. Rates are the auxiliary counters
 *       {@code twoThreads:framesSent} and {@code twoThreads:framesReceived}; loss (sequence
 *       gaps the receiver saw, libpcap's ring drops, and sent minus received after a final
 *       drain) and each thread's allocation per frame are printed at the end of the trial.</li>
 * </ul>
 *
 * <p>Needs Linux and root (CAP_NET_ADMIN for the pair, CAP_NET_RAW for pcap); without root the
 * setup fails with a message that starts with {@code SKIPPED} and JMH moves on to the next
 * benchmark. Host tools are checked (and installed as root on Debian) with
 * {@code HostTools.ensure(HostTools.KERNEL_BED)}. The pair is removed at the end of the trial,
 * also after a failure, by a shutdown hook if the JVM exits early, and by the next run's stale
 * clean-up if the JVM is killed.
 *
 * <p>Run, with allocation per call:
 * <pre>
 * sudo java -jar bench/target/benchmarks.jar PcapVethBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = BenchFrames.FORK_OPENS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PcapVethBenchmark
{
    /** Frames per receive call: a context's default receive batch. */
    public static final int BATCH = ContextConfig.DEFAULT_RX_BATCH;

    /** The longest the final drain of the receiver's ring may take. */
    private static final long DRAIN_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** The drain ends once the ring has been empty this long. */
    private static final long DRAIN_QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private static final Path SYS_CLASS_NET = Path.of("/sys/class/net");

    /**
     * A veth pair with a pcap port on one or both ends.
     */
    abstract static class Bed
    {
        VethPair veth;
        PcapPort a;
        PcapPort b;
        UnsafeBuffer frame;

        void open(final int frameLength, final boolean receiver) throws PortException
        {
            requireRoot();
            PcapLibrary.ensureLoaded();
            frame = BenchFrames.raw(frameLength);
            veth = VethPair.create();
            try
            {
                a = PcapPort.open(PcapPortConfig.builder(veth.nameA()).direction(PcapPortConfig.Direction.IN).build());
                if (receiver)
                {
                    b = PcapPort.open(PcapPortConfig.builder(veth.nameB()).direction(PcapPortConfig.Direction.IN).build());
                }
            }
            catch (final PortException | RuntimeException e)
            {
                close();
                throw e;
            }
        }

        void close()
        {
            try
            {
                if (b != null)
                {
                    b.close();
                }
                if (a != null)
                {
                    a.close();
                }
            }
            finally
            {
                if (veth != null)
                {
                    veth.close();
                }
            }
        }

        String kernelView()
        {
            return "kernel: " + veth.nameA() + " tx_packets " + statistic(veth.nameA(), "tx_packets")
                + ", tx_dropped " + statistic(veth.nameA(), "tx_dropped")
                + "; " + veth.nameB() + " rx_packets " + statistic(veth.nameB(), "rx_packets")
                + ", rx_dropped " + statistic(veth.nameB(), "rx_dropped");
        }
    }

    /**
     * A pair with a sending port on end A only.
     */
    @State(Scope.Thread)
    public static class Sender extends Bed
    {
        /** Frame length in bytes, Ethernet header included. */
        @Param({"64", "1514"})
        public int frameLength;

        long nextSequence;

        /**
         * Create the pair and open end A.
         *
         * @throws PortException if the port cannot be opened.
         */
        @Setup(Level.Trial)
        public void setUp() throws PortException
        {
            open(frameLength, false);
        }

        /** Print what was sent, close the port, remove the pair. */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            try
            {
                System.out.println();
                System.out.println("pcap send alone, " + frameLength + " B: port tx " + a.txFrames() + ", tx errors " + a.txErrors()
                    + "; " + kernelView());
            }
            finally
            {
                close();
            }
        }
    }

    /**
     * Send one frame on end A, nobody capturing on end B.
     *
     * @param sender the pair and its port.
     * @return whether libpcap took the frame.
     */
    @Benchmark
    public boolean sendAlone(final Sender sender)
    {
        sender.frame.putLong(BenchFrames.SEQUENCE_OFFSET, sender.nextSequence++);
        return sender.a.send(sender.frame, 0, sender.frameLength);
    }

    /**
     * A pair with a sending port on end A and a receiving port on end B, shared by the group.
     */
    @State(Scope.Group)
    public static class Pair extends Bed
    {
        /** Frame length in bytes, Ethernet header included. */
        @Param({"64", "1514"})
        public int frameLength;

        /** {@code "<sender CPU>:<receiver CPU>"} or {@code none}; see {@link ThreadAffinity}. */
        @Param({"0:1"})
        public String cpus;

        final SequenceChecker checker = new SequenceChecker();
        final AllocationMeter senderAllocation = new AllocationMeter();
        final AllocationMeter receiverAllocation = new AllocationMeter();
        volatile int senderCpu = -1;
        volatile int receiverCpu = -1;

        /**
         * Create the pair and open both ends.
         *
         * @throws PortException if a port cannot be opened.
         */
        @Setup(Level.Trial)
        public void setUp() throws PortException
        {
            open(frameLength, true);
        }

        /**
         * Drain what is left in end B's ring (bounded), print the loss and each thread's
         * allocation, close the ports, remove the pair.
         *
         * @throws PortException if libpcap's statistics cannot be read.
         */
        @TearDown(Level.Trial)
        public void tearDown() throws PortException
        {
            try
            {
                final long receivedBeforeDrain = checker.frames();
                drain();
                final long sent = a.txFrames();
                final long received = checker.frames();
                final PcapPort.LibpcapStats stats = b.libpcapStats();
                System.out.println();
                System.out.printf("pcap two threads, %d B, cpus %s: sent %d, received %d (%d in the final drain), "
                        + "lost %d (%.3f %%); receiver: %d sequence numbers missing, %d late, %d foreign; "
                        + "libpcap on B: received %d, dropped %d, dropped by interface %d; send errors %d%n",
                    frameLength, cpus, sent, received, received - receivedBeforeDrain, sent - received,
                    sent == 0 ? 0.0 : 100.0 * (sent - received) / sent, checker.missing(), checker.late(), checker.foreign(),
                    stats.received(), stats.dropped(), stats.droppedByInterface(), a.txErrors());
                System.out.println(kernelView());
                System.out.println(senderAllocation.describe("sender") + "; " + receiverAllocation.describe("receiver")
                + "; last seen on CPUs " + senderCpu + " (sender) and " + receiverCpu + " (receiver)");
            }
            finally
            {
                close();
            }
        }

        private void drain()
        {
            final long start = System.nanoTime();
            long lastFrame = start;
            while (true)
            {
                final long now = System.nanoTime();
                if (now - start > DRAIN_LIMIT_NANOS || now - lastFrame > DRAIN_QUIET_NANOS)
                {
                    return;
                }
                if (b.receive(checker, BATCH) > 0)
                {
                    lastFrame = now;
                }
                else
                {
                    Thread.onSpinWait();
                }
            }
        }
    }

    /** The sender thread's counters; reported as rates, reset each iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class SenderCounters
    {
        /** Frames libpcap took. */
        public long framesSent;
        /** Frames libpcap refused. */
        public long sendFailed;

        long nextSequence;

        /**
         * Pin this thread, reset the counters, start the allocation meter.
         *
         * @param pair      the shared pair.
         * @param iteration injected by JMH.
         */
        @Setup(Level.Iteration)
        public void start(final Pair pair, final IterationParams iteration)
        {
            ThreadAffinity.pinCurrentThread(ThreadAffinity.cpuOf(pair.cpus, 0));
            framesSent = 0;
            sendFailed = 0;
            pair.senderAllocation.start(iteration);
        }

        /**
         * Stop the allocation meter.
         *
         * @param pair the shared pair.
         */
        @TearDown(Level.Iteration)
        public void stop(final Pair pair)
        {
            pair.senderAllocation.stop(framesSent);
            pair.senderCpu = ThreadAffinity.currentCpu();
        }
    }

    /** The receiver thread's counters; reported as rates, reset each iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class ReceiverCounters
    {
        /** Frames delivered to the receiver. */
        public long framesReceived;
        /** Receive calls that found no frame. */
        public long emptyPolls;

        /**
         * Pin this thread, reset the counters, start the allocation meter.
         *
         * @param pair      the shared pair.
         * @param iteration injected by JMH.
         */
        @Setup(Level.Iteration)
        public void start(final Pair pair, final IterationParams iteration)
        {
            ThreadAffinity.pinCurrentThread(ThreadAffinity.cpuOf(pair.cpus, 1));
            framesReceived = 0;
            emptyPolls = 0;
            pair.receiverAllocation.start(iteration);
        }

        /**
         * Stop the allocation meter.
         *
         * @param pair the shared pair.
         */
        @TearDown(Level.Iteration)
        public void stop(final Pair pair)
        {
            pair.receiverAllocation.stop(framesReceived);
            pair.receiverCpu = ThreadAffinity.currentCpu();
        }
    }

    /**
     * The sender: one frame per call on end A.
     *
     * @param pair     the shared pair.
     * @param counters this thread's counters.
     * @return whether libpcap took the frame.
     */
    @Benchmark
    @Group("twoThreads")
    @GroupThreads(1)
    public boolean send(final Pair pair, final SenderCounters counters)
    {
        final UnsafeBuffer frame = pair.frame;
        frame.putLong(BenchFrames.SEQUENCE_OFFSET, counters.nextSequence);
        if (pair.a.send(frame, 0, pair.frameLength))
        {
            counters.nextSequence++;
            counters.framesSent++;
            return true;
        }
        counters.sendFailed++;
        return false;
    }

    /**
     * The receiver: up to {@value #BATCH} frames per call from end B.
     *
     * @param pair     the shared pair.
     * @param counters this thread's counters.
     * @return frames received.
     */
    @Benchmark
    @Group("twoThreads")
    @GroupThreads(1)
    public int receive(final Pair pair, final ReceiverCounters counters)
    {
        final int frames = pair.b.receive(pair.checker, BATCH);
        counters.framesReceived += frames;
        if (frames == 0)
        {
            counters.emptyPolls++;
        }
        return frames;
    }

    /**
     * Fail the trial with a message that says it was skipped, unless this is root on Linux.
     *
     * @throws IllegalStateException starting with {@code SKIPPED} when not root.
     */
    static void requireRoot()
    {
        if (!HostTools.isLinux() || !HostTools.isRoot())
        {
            throw new IllegalStateException("SKIPPED: PcapVethBenchmark needs Linux and root (CAP_NET_ADMIN to create a veth"
                + " pair, CAP_NET_RAW for pcap); run it with sudo");
        }
        HostTools.ensure(HostTools.KERNEL_BED).orThrow();
    }

    private static String statistic(final String interfaceName, final String name)
    {
        try
        {
            return Files.readString(SYS_CLASS_NET.resolve(interfaceName).resolve("statistics").resolve(name),
                StandardCharsets.US_ASCII).trim();
        }
        catch (final IOException e)
        {
            return "?";
        }
    }
}
