package io.jmtcp.tcp;

import io.jmtcp.testing.Allocations;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The per-segment paths of both buffers allocate nothing: out-of-order placement, merging, the
 * fill that delivers, SACK blocks, reads, writes, copies for (re)transmission and
 * acknowledgments, across the wrap of the rings and of sequence numbers.
 */
final class BufferNoAllocationTest
{
    private static final int WARM_UP_ROUNDS = 50_000;
    private static final int ROUNDS = 20_000;
    private static final int BATCHES = 5;
    private static final int CAPACITY = 4096;

    private final ReceiveBuffer receiver = new ReceiveBuffer(CAPACITY);
    private final SendBuffer sender = new SendBuffer(CAPACITY);
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[1460]);
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[CAPACITY]);
    private final int[] lefts = new int[4];
    private final int[] rights = new int[4];
    private long sink;

    @Test
    void segmentPathsDoNotAllocate()
    {
        // 2,300 bytes a round: sequence numbers wrap during the warm-up.
        receiver.startSequence(-1_000_000);
        sender.startSequence(-1_000_000);

        final long least = Allocations.leastBytesPerBatch(this::round, WARM_UP_ROUNDS, ROUNDS, BATCHES);
        assertEquals(0, least, "fewest bytes allocated by a batch of " + ROUNDS + " rounds (sink " + sink + ")");
    }

    private void round()
    {
        final int rcvNxt = receiver.rcvNxt();
        long sum = receiver.receive(rcvNxt + 1000, payload, 0, 500);
        sum += receiver.receive(rcvNxt + 1800, payload, 0, 500);
        sum += receiver.receive(rcvNxt + 1400, payload, 0, 500);
        sum += receiver.sackBlocks(lefts, rights, 3) + lefts[0];
        sum += receiver.receive(rcvNxt, payload, 0, 1000);
        sum += receiver.peek(out, 0, 100);
        sum += receiver.read(out, 0, CAPACITY);
        sum += receiver.window();

        sum += sender.write(payload, 0, 1460);
        sum += sender.write(payload, 0, 840);
        sum += sender.copyOut(sender.startSequence() + 100, out, 0, 1460);
        sum += sender.acknowledge(sender.startSequence() + 1000);
        sum += sender.acknowledge(sender.endSequence());
        sink += sum;
    }
}
