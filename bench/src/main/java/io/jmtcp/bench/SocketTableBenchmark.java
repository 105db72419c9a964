package io.jmtcp.bench;

import io.jmtcp.api.Mtcp;
import io.jmtcp.api.MtcpContext;
import io.jmtcp.api.SockAddr;
import io.jmtcp.api.SocketConfig;
import io.jmtcp.tcp.TcpConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The socket table of {@code io.jmtcp.api}, through the public API on the context's own thread
 * (calls inline, as an application on the context's core):
 * <ul>
 *   <li>{@link #allocateFree}: {@link Mtcp#socket} then {@link Mtcp#close} of that never-connected
 *       socket, the application-side allocation and release of an id (a free-list pop and push
 *       plus the slot's reset; no request reaches the engine);</li>
 *   <li>{@link #resolve}: {@link Mtcp#getsockname} on a live id, i.e. id to slot resolution
 *       (range, generation and owner checks) plus a two-field copy.</li>
 * </ul>
 * With {@code -prof gc} both show 0 B/op: ids are ints and the {@link SockAddr} is reused.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar SocketTableBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = BenchFrames.FORK_OPENS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SocketTableBenchmark
{
    private ApiPair pair;
    private MtcpContext ctx;
    private int socket;
    private final SockAddr addr = new SockAddr();

    /** Build the stacks on the benchmark thread (so it is the context thread) and open one socket. */
    @Setup(Level.Trial)
    public void setUp()
    {
        pair = new ApiPair(new TcpConfig().secret(1, 2), new SocketConfig());
        ctx = pair.a();
        socket = Mtcp.socket(ctx, Mtcp.AF_INET, Mtcp.SOCK_STREAM, 0);
        if (socket < 0 || Mtcp.bind(ctx, socket, ApiPair.A, 5001) != 0)
        {
            throw new IllegalStateException("socket/bind failed: errno " + ctx.errno());
        }
    }

    /** Remove the stacks. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        pair.close();
    }

    /**
     * Allocate an id and free it.
     *
     * @return the id, which must be consumed so the pair is not elided.
     */
    @Benchmark
    public int allocateFree()
    {
        final int id = Mtcp.socket(ctx, Mtcp.AF_INET, Mtcp.SOCK_STREAM, 0);
        if (Mtcp.close(ctx, id) != 0)
        {
            throw new IllegalStateException("close failed: errno " + ctx.errno());
        }
        return id;
    }

    /**
     * Resolve a live id and read its local address.
     *
     * @return the port read, to be consumed.
     */
    @Benchmark
    public int resolve()
    {
        Mtcp.getsockname(ctx, socket, addr);
        return addr.port();
    }
}
