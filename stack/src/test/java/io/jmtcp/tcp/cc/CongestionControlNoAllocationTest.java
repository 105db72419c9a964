package io.jmtcp.tcp.cc;

import io.jmtcp.testing.Allocations;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The per-ACK and per-loss paths of both algorithms allocate nothing: slow start, congestion
 * avoidance (CUBIC's cube roots included), fast recovery with the sender's inflation, recovery
 * exit, timeouts and idle restarts.
 */
final class CongestionControlNoAllocationTest
{
    private static final int WARM_UP_ROUNDS = 50_000;
    private static final int ROUNDS = 20_000;
    private static final int BATCHES = 5;
    private static final int MSS = 1460;
    private static final long MS = 1_000_000L;

    private long now;
    private int round;
    private long sink;

    @Test
    void newRenoDoesNotAllocate()
    {
        assertNoAllocation(new NewReno());
    }

    @Test
    void cubicDoesNotAllocate()
    {
        assertNoAllocation(new Cubic());
    }

    private void assertNoAllocation(final CongestionControl cc)
    {
        cc.reset(MSS, now);
        final long least = Allocations.leastBytesPerBatch(() -> round(cc), WARM_UP_ROUNDS, ROUNDS, BATCHES);
        assertEquals(0, least, "fewest bytes allocated by a batch of " + ROUNDS + " rounds (sink " + sink + ")");
    }

    private void round(final CongestionControl cc)
    {
        now += 10 * MS;
        for (int i = 0; i < 8; i++)
        {
            cc.onAck(MSS, cc.cwnd(), 20 * MS, now + i * MS);
        }
        cc.onAck(MSS, 0, 20 * MS, now);
        if ((++round & 7) == 0)
        {
            cc.onFastRecovery(cc.cwnd(), now);
            cc.cwnd(cc.cwnd() + 3 * MSS);
            cc.onRecoveryExit(cc.cwnd() / 2, now);
        }
        if ((round & 1023) == 0)
        {
            cc.onRetransmitTimeout(cc.cwnd(), now);
            cc.onIdleRestart(now);
        }
        sink += cc.cwnd() + cc.ssthresh();
    }
}
