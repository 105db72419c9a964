package io.jmtcp.bench;

import io.jmtcp.core.FlowHash;
import io.jmtcp.port.LinkImpairments;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.tcp.TcpConnection;
import io.jmtcp.tcp.TcpEngine;
import io.jmtcp.tcp.TcpHandler;
import io.jmtcp.tcp.TcpListener;
import io.jmtcp.tcp.TcpState;
import io.jmtcp.tcp.sim.TwoStacks;
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
 * Flow lookup: the listening engine's {@link TcpEngine#find} over N established connections
 * (the per-segment demultiplexing step), and {@link FlowHash#contextOf}, the per-frame choice of a
 * context. Each call looks up the next of the N flows in turn, so with large N the table does not
 * sit in L1 and the figure includes the cache misses a busy server sees.
 *
 * <p>The N connections are made once per trial through the real handshake between two stacks on
 * the in-memory link (virtual clock), then left idle.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar FlowLookupBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = BenchFrames.FORK_OPENS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FlowLookupBenchmark
{
    private static final int PORT = 5001;

    /** Established connections; a power of two (the index wraps with a mask). */
    @Param({"16", "1024", "8192"})
    public int connections;

    private TwoStacks net;
    private TcpEngine server;
    private int[] remotePorts;
    private int mask;
    private int next;

    /**
     * Open the connections and check every one is found.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final TcpConfig config = new TcpConfig().maxConnections(2 * connections + 16)
            .sendBufferBytes(4096).receiveBufferBytes(4096);
        net = new TwoStacks(1, LinkImpairments.NONE, LinkImpairments.NONE, config.secret(1, 2),
            new TcpConfig().maxConnections(2 * connections + 16).sendBufferBytes(4096).receiveBufferBytes(4096)
                .secret(3, 4), 1500);
        server = net.b().tcp();
        final int[] accepted = new int[1];
        server.listen(PORT, 4096, new TcpHandler()
        {
            @Override
            public void onAcceptable(final TcpListener listener)
            {
                while (server.accept(listener) != null)
                {
                    accepted[0]++;
                }
            }
        });
        final TcpEngine client = net.a().tcp();
        remotePorts = new int[connections];
        final TcpHandler idle = new TcpHandler()
        {
        };
        for (int i = 0; i < connections; i++)
        {
            final TcpConnection opened = client.connect(TwoStacks.B, PORT, 0, idle, net.clock().nanoTime());
            if (opened == null)
            {
                throw new IllegalStateException("connect " + i + " failed: " + client.lastError());
            }
            remotePorts[i] = opened.localPort();
            if ((i & 63) == 63)
            {
                // A few at a time, so the link's 4096-frame queue never overflows.
                net.runUntil(() -> false, TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        if (!net.runUntil(() -> accepted[0] == connections, TimeUnit.SECONDS.toNanos(60)))
        {
            throw new IllegalStateException(accepted[0] + " of " + connections + " accepted: " + net.describe());
        }
        for (final int port : remotePorts)
        {
            final TcpConnection found = server.find(TwoStacks.A, port, PORT);
            if (found == null || found.state() != TcpState.ESTABLISHED)
            {
                throw new IllegalStateException("flow from port " + port + " not established on the server");
            }
        }
        mask = connections - 1;
    }

    /** Remove the stacks. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        net.close();
    }

    /**
     * Find the next established flow.
     *
     * @return the connection, consumed by JMH.
     */
    @Benchmark
    public TcpConnection find()
    {
        next = (next + 1) & mask;
        return server.find(TwoStacks.A, remotePorts[next], PORT);
    }

    /**
     * The owning context of the next flow among 2.
     *
     * @return the index, consumed by JMH.
     */
    @Benchmark
    public int contextOf()
    {
        next = (next + 1) & mask;
        return FlowHash.contextOf(TwoStacks.B, PORT, TwoStacks.A, remotePorts[next], 2);
    }
}
