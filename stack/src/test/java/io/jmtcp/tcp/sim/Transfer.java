package io.jmtcp.tcp.sim;

import io.jmtcp.port.LinkImpairments;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.tcp.TcpEngine;
import io.jmtcp.tcp.TcpHandler;
import io.jmtcp.tcp.TcpListener;
import io.jmtcp.tcp.TcpState;

import java.util.concurrent.TimeUnit;

/**
 * One simulated transfer: B listens, A connects, each sends its stream and half-closes, both read
 * to EOF. The result says whether it finished, whether both streams arrived intact, how the
 * connections ended, and how long it took in virtual time.
 */
final class Transfer
{
    private static final int PORT = 5001;

    final long seed;
    final long bytesAToB;
    final long bytesBToA;
    boolean finished;
    boolean intact;
    long virtualNanos;
    long retransmitsA;
    long retransmitsB;
    TcpState stateA;
    TcpState stateB;
    int errorA;
    int errorB;
    int leakedA;
    int leakedB;
    String diagnosis = "";

    Transfer(final long seed, final long bytesAToB, final long bytesBToA)
    {
        this.seed = seed;
        this.bytesAToB = bytesAToB;
        this.bytesBToA = bytesBToA;
    }

    /**
     * @param aToB    impairments A to B.
     * @param bToA    impairments B to A.
     * @param config  both ends' TCP config (a fresh copy per end is made by the caller's supplier).
     * @param mtu     the MTU.
     * @param limit   virtual time allowed.
     * @return this, filled in.
     */
    Transfer run(final LinkImpairments aToB, final LinkImpairments bToA, final java.util.function.Supplier<TcpConfig> config,
        final int mtu, final long limit)
    {
        try (TwoStacks net = new TwoStacks(seed, aToB, bToA, config.get().secret(seed, 1), config.get().secret(seed, 2),
            mtu))
        {
            final StreamEndpoint client = new StreamEndpoint(bytesAToB, seed * 31 + 1);
            final StreamEndpoint[] server = new StreamEndpoint[1];
            final TcpEngine b = net.b().tcp();
            final TcpListener listener = b.listen(PORT, 8, new TcpHandler()
            {
                @Override
                public void onAcceptable(final TcpListener l)
                {
                    server[0] = new StreamEndpoint(bytesBToA, seed * 31 + 2);
                    server[0].start(b.accept(l));
                }
            });
            final long start = net.clock().nanoTime();
            net.a().tcp().connect(TwoStacks.B, PORT, 0, client, start);
            finished = net.runUntil(() -> client.closed() && server[0] != null && server[0].closed(), limit);
            virtualNanos = net.clock().nanoTime() - start;
            b.closeListener(listener);
            final StreamEndpoint s = server[0];
            if (finished)
            {
                intact = client.received() == bytesBToA && s.received() == bytesAToB &&
                    client.receivedSha256().equals(s.sentSha256()) && s.receivedSha256().equals(client.sentSha256());
                stateA = client.finalState();
                stateB = s.finalState();
                errorA = client.finalError();
                errorB = s.finalError();
                retransmitsA = net.a().counters().get(io.jmtcp.stats.StackCounter.TCP_RETRANSMITS);
                retransmitsB = net.b().counters().get(io.jmtcp.stats.StackCounter.TCP_RETRANSMITS);
            }
            // Let the last ACKs and FINs settle, then nothing may be held but TIME_WAIT records.
            net.runUntil(() -> false, TimeUnit.SECONDS.toNanos(1));
            leakedA = net.a().tcp().connectionCount();
            leakedB = net.b().tcp().connectionCount();
            diagnosis = "client sent " + client.sent() + " received " + client.received() +
                (s == null ? ", never accepted" : ", server sent " + s.sent() + " received " + s.received()) +
                ", client " + client.connection() + (s == null ? "" : ", server " + s.connection()) + '\n' +
                net.describe();
        }
        return this;
    }

    /**
     * @return goodput of the A-to-B stream in Mbit/s of virtual time.
     */
    double goodputMbps()
    {
        return bytesAToB * 8.0 / (virtualNanos / 1e9) / 1e6;
    }
}
