package io.jmtcp.bench;

import io.jmtcp.port.LinkImpairments;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.tcp.TcpConnection;
import io.jmtcp.tcp.TcpEngine;
import io.jmtcp.tcp.TcpHandler;
import io.jmtcp.tcp.TcpListener;
import io.jmtcp.tcp.sim.TwoStacks;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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

import java.util.concurrent.TimeUnit;

/**
 * Bulk throughput of one TCP connection between two stacks over the in-memory link, one thread
 * driving both (the cost of the whole path: segment building, checksums both ways, the link,
 * parsing, ACK processing, reassembly into the receive buffer and the application's copies).
 * The link adds no delay, so the figure is CPU-bound: what one core moves through two stacks.
 *
 * <p>Each operation is one MiB delivered to the receiving application: the score in ops/s is
 * MiB/s; Gbit/s = score * 8 * 1.048576 / 1000. With {@code -prof gc}, the allocation rate per
 * operation shows the data path's garbage (the allocation test holds it to zero).
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar TcpMemoryLinkBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = BenchFrames.FORK_OPENS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class TcpMemoryLinkBenchmark
{
    /** One MiB: an operation's worth of delivered bytes. */
    public static final int MIB = 1 << 20;
    private static final int PORT = 5001;

    /** Two stacks, a connection, a source and a sink. */
    @State(Scope.Thread)
    public static class Bulk
    {
        /** Both interfaces' MTU. */
        @Param({"1500", "9000"})
        public int mtu;

        TwoStacks net;
        final Source source = new Source();
        final Sink sink = new Sink();
        TcpListener listener;

        /** Connect and start the stream. */
        @Setup(Level.Trial)
        public void setUp()
        {
            final TcpConfig config = new TcpConfig().sendBufferBytes(1 << 21).receiveBufferBytes(1 << 21).noDelay(true);
            net = new TwoStacks(1, LinkImpairments.NONE, LinkImpairments.NONE, config.secret(1, 2),
                new TcpConfig().sendBufferBytes(1 << 21).receiveBufferBytes(1 << 21).secret(3, 4), mtu);
            final TcpEngine b = net.b().tcp();
            listener = b.listen(PORT, 4, new TcpHandler()
            {
                @Override
                public void onAcceptable(final TcpListener l)
                {
                    final TcpConnection accepted = b.accept(l);
                    accepted.handler(sink);
                    sink.onReadable(accepted);
                }
            });
            net.a().tcp().connect(TwoStacks.B, PORT, 0, source, net.clock().nanoTime());
            if (!net.runUntil(() -> sink.received > 0, TimeUnit.SECONDS.toNanos(10)))
            {
                throw new IllegalStateException("the benchmark connection did not start: " + net.describe());
            }
        }

        /** Close everything. */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            net.close();
        }
    }

    /**
     * Run both stacks until one more MiB reached the receiving application.
     *
     * @param state the stacks.
     * @return bytes received so far.
     */
    @Benchmark
    public long bulk(final Bulk state)
    {
        final Sink sink = state.sink;
        final long target = sink.received + MIB;
        int idle = 0;
        while (sink.received < target)
        {
            idle = state.net.step() == 0 ? idle + 1 : 0;
            if (idle > 1_000_000)
            {
                throw new IllegalStateException("the stream stalled: " + state.net.describe());
            }
        }
        return sink.received;
    }

    /** Keeps the send buffer full with the same bytes. */
    static final class Source implements TcpHandler
    {
        private final UnsafeBuffer chunk = BenchFrames.randomBytes(64 * 1024);

        @Override
        public void onConnected(final TcpConnection connection)
        {
            onWritable(connection);
        }

        @Override
        public void onWritable(final TcpConnection connection)
        {
            int accepted;
            do
            {
                accepted = connection.send(chunk, 0, chunk.capacity());
            }
            while (accepted > 0);
        }
    }

    /** Reads everything, keeping a count. */
    static final class Sink implements TcpHandler
    {
        private final UnsafeBuffer chunk = new UnsafeBuffer(new byte[64 * 1024]);
        long received;

        @Override
        public void onReadable(final TcpConnection connection)
        {
            int n;
            while ((n = connection.receive(chunk, 0, chunk.capacity())) > 0)
            {
                received += n;
            }
        }
    }
}
