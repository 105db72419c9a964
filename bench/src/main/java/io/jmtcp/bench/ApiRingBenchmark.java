package io.jmtcp.bench;

import io.jmtcp.api.Errno;
import io.jmtcp.api.Mtcp;
import io.jmtcp.api.MtcpContext;
import io.jmtcp.api.SocketConfig;
import io.jmtcp.tcp.TcpConfig;
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

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The application-to-context rings, end to end, on one thread: {@link Mtcp#write} of SIZE bytes
 * into A's send ring, A's context moving them into its engine and onto the in-memory link, B's
 * context taking the segments into B's receive ring, and {@link Mtcp#read} draining it on B. Both
 * contexts are driven by the benchmark thread, so the API calls run inline (no request queue, no
 * wake-up): the figure is the per-call cost of the API path plus one trip through both engines,
 * with no cross-core cost in it.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar ApiRingBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = BenchFrames.FORK_OPENS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ApiRingBenchmark
{
    private static final int PORT = 5001;

    /** Duty cycles an operation may run without progress before it is declared stalled. */
    private static final int MAX_IDLE_STEPS = 1_000_000;

    /** Bytes per write (and read back in full on the other side). */
    @Param({"64", "16384"})
    public int size;

    private ApiPair pair;
    private MtcpContext a;
    private MtcpContext b;
    private int sender;
    private int receiver;
    private byte[] source;
    private final byte[] sink = new byte[64 * 1024];

    /** Build the stacks on the benchmark thread and connect. */
    @Setup(Level.Trial)
    public void setUp()
    {
        pair = new ApiPair(new TcpConfig().secret(1, 2), new SocketConfig());
        a = pair.a();
        b = pair.b();
        final int[] ends = pair.connect(PORT);
        sender = ends[0];
        receiver = ends[1];
        source = new byte[size];
        new Random(1).nextBytes(source);
    }

    /** Remove the stacks. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        pair.close();
    }

    /**
     * Write SIZE bytes on A and read them all on B.
     *
     * @return bytes read, consumed by JMH.
     */
    @Benchmark
    public int writeMoveRead()
    {
        int written = 0;
        int read = 0;
        int idle = 0;
        while (read < size)
        {
            int progress = 0;
            if (written < size)
            {
                final int n = Mtcp.write(a, sender, source, written, size - written);
                if (n > 0)
                {
                    written += n;
                    progress += n;
                }
                else if (a.errno() != Errno.EAGAIN)
                {
                    throw new IllegalStateException("write failed: " + Errno.name(a.errno()));
                }
            }
            progress += pair.step();
            final int n = Mtcp.read(b, receiver, sink, 0, sink.length);
            if (n > 0)
            {
                read += n;
                progress += n;
            }
            else if (n == 0 || b.errno() != Errno.EAGAIN)
            {
                throw new IllegalStateException("read failed: " + (n == 0 ? "EOF" : Errno.name(b.errno())));
            }
            idle = progress == 0 ? idle + 1 : 0;
            if (idle > MAX_IDLE_STEPS)
            {
                throw new IllegalStateException("the exchange stalled after " + read + " of " + size + " bytes");
            }
        }
        return read;
    }
}
