package io.jmtcp.bench;

import io.jmtcp.core.ContextConfig;
import io.jmtcp.port.LinkImpairments;
import io.jmtcp.port.MemoryLink;
import org.agrona.concurrent.SystemNanoClock;
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
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;

import java.util.concurrent.TimeUnit;

/**
 * Frames per second through the in-memory link ({@link MemoryLink}, {@link LinkImpairments#NONE},
 * {@link SystemNanoClock}), 64-byte and 1514-byte frames of {@link BenchFrames#raw}, each
 * carrying a sequence number that the receiver ({@link SequenceChecker}) reads and checks.
 *
 * <ul>
 *   <li>{@link #oneThread}: one thread sends a batch of {@value #BATCH} frames on end A and
 *       receives them on end B, the way one context would drive both ends of a simulation.
 *       The score (ops/s) is frames/s: each invocation counts {@value #BATCH} operations.</li>
 *   <li>{@code twoThreads}: a JMH group of one sender thread ({@link #send}, one frame per
 *       call) and one receiver thread ({@link #receive}, up to {@value #BATCH} frames per
 *       call), pinned to the CPUs of the {@code cpus} parameter. Read the frame rates from the
 *       secondary results {@code twoThreads:framesSent} and {@code twoThreads:framesReceived}
 *       (JMH auxiliary counters, ops/s = frames/s); {@code sendRefused} counts sends refused
 *       because all the link's buffers were in flight (the receiver is behind), and
 *       {@code emptyPolls} the receiver's calls that found nothing. The primary score
 *       {@code twoThreads} is the sum of both methods' call rates and means little. Each
 *       thread's allocation per frame is printed at the end of the trial.</li>
 * </ul>
 *
 * <p>Run, with allocation per frame:
 * <pre>
 * java -jar bench/target/benchmarks.jar MemoryLinkBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = BenchFrames.FORK_OPENS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MemoryLinkBenchmark
{
    /** Frames per batch: a context's default receive batch. */
    public static final int BATCH = ContextConfig.DEFAULT_RX_BATCH;

    /**
     * A link whose two ends one thread drives.
     */
    @State(Scope.Thread)
    public static class OneThread
    {
        /** Frame length in bytes, Ethernet header included. */
        @Param({"64", "1514"})
        public int frameLength;

        MemoryLink link;
        MemoryLink.End a;
        MemoryLink.End b;
        UnsafeBuffer frame;
        final SequenceChecker checker = new SequenceChecker();
        long nextSequence;
        long refused;

        /** Build the link and the frame. */
        @Setup(Level.Trial)
        public void setUp()
        {
            link = newLink("bench-1t");
            a = link.endA();
            b = link.endB();
            frame = BenchFrames.raw(frameLength);
        }

        /** Close the link and say if anything went missing. */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            link.close();
            if (refused != 0 || checker.missing() != 0 || checker.late() != 0 || checker.frames() != nextSequence)
            {
                System.out.println("memory link, one thread, " + frameLength + " B: sent " + nextSequence + ", refused " + refused
                    + ", " + checker);
            }
        }
    }

    /**
     * Send a batch on end A, then receive it on end B.
     *
     * @param state the link.
     * @return frames received (all of them, unless the link refused some).
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int oneThread(final OneThread state)
    {
        final MemoryLink.End a = state.a;
        final UnsafeBuffer frame = state.frame;
        final int length = state.frameLength;
        for (int i = 0; i < BATCH; i++)
        {
            frame.putLong(BenchFrames.SEQUENCE_OFFSET, state.nextSequence++);
            if (!a.send(frame, 0, length))
            {
                state.refused++;
            }
        }
        return state.b.receive(state.checker, BATCH);
    }

    /**
     * A link shared by a sender thread and a receiver thread.
     */
    @State(Scope.Group)
    public static class Pair
    {
        /** Frame length in bytes, Ethernet header included. */
        @Param({"64", "1514"})
        public int frameLength;

        /** {@code "<sender CPU>:<receiver CPU>"} or {@code none}; see {@link ThreadAffinity}. */
        @Param({"0:1"})
        public String cpus;

        MemoryLink link;
        MemoryLink.End a;
        MemoryLink.End b;
        UnsafeBuffer frame;
        final SequenceChecker checker = new SequenceChecker();
        final AllocationMeter senderAllocation = new AllocationMeter();
        final AllocationMeter receiverAllocation = new AllocationMeter();
        volatile int senderCpu = -1;
        volatile int receiverCpu = -1;
        long sent;
        long refused;

        /** Build the link and the frame. */
        @Setup(Level.Trial)
        public void setUp()
        {
            link = newLink("bench-2t");
            a = link.endA();
            b = link.endB();
            frame = BenchFrames.raw(frameLength);
        }

        /** Close the link; print what the receiver saw and each thread's allocation. */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            link.close();
            System.out.println();
            System.out.println("memory link, two threads, " + frameLength + " B, cpus " + cpus + ": sent " + sent
                + ", refused (link full) " + refused + ", " + checker + "; " + link.countersAToB());
            System.out.println(senderAllocation.describe("sender") + "; " + receiverAllocation.describe("receiver")
                + "; last seen on CPUs " + senderCpu + " (sender) and " + receiverCpu + " (receiver)");
        }
    }

    /** The sender thread's counters; reported as rates, reset each iteration. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class SenderCounters
    {
        /** Frames the link accepted. */
        public long framesSent;
        /** Frames the link refused because all its buffers were in flight. */
        public long sendRefused;

        long nextSequence;

        /**
         * Pin this thread, reset the counters, start the allocation meter.
         *
         * @param pair      the shared link.
         * @param iteration injected by JMH.
         */
        @Setup(Level.Iteration)
        public void start(final Pair pair, final IterationParams iteration)
        {
            ThreadAffinity.pinCurrentThread(ThreadAffinity.cpuOf(pair.cpus, 0));
            framesSent = 0;
            sendRefused = 0;
            pair.senderAllocation.start(iteration);
        }

        /**
         * Stop the meter and add this iteration to the totals.
         *
         * @param pair the shared link.
         */
        @TearDown(Level.Iteration)
        public void stop(final Pair pair)
        {
            pair.senderAllocation.stop(framesSent);
            pair.senderCpu = ThreadAffinity.currentCpu();
            pair.sent += framesSent;
            pair.refused += sendRefused;
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
         * @param pair      the shared link.
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
         * Stop the meter.
         *
         * @param pair the shared link.
         */
        @TearDown(Level.Iteration)
        public void stop(final Pair pair)
        {
            pair.receiverAllocation.stop(framesReceived);
            pair.receiverCpu = ThreadAffinity.currentCpu();
        }
    }

    /**
     * The sender: one frame per call, stamped with the next sequence number.
     *
     * @param pair     the shared link.
     * @param counters this thread's counters.
     * @return whether the link took the frame.
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
        counters.sendRefused++;
        return false;
    }

    /**
     * The receiver: up to {@value #BATCH} frames per call.
     *
     * @param pair     the shared link.
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

    static MemoryLink newLink(final String name)
    {
        return MemoryLink.builder()
            .name(name)
            .clock(SystemNanoClock.INSTANCE)
            .aToB(LinkImpairments.NONE)
            .bToA(LinkImpairments.NONE)
            .maxFrameLength(MemoryLink.DEFAULT_MAX_FRAME_LENGTH)
            .capacity(MemoryLink.DEFAULT_CAPACITY)
            .build();
    }
}
