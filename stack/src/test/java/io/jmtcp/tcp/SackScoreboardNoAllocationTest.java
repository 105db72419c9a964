package io.jmtcp.tcp;

import io.jmtcp.testing.Allocations;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The scoreboard allocates nothing per ACK: taking in blocks (merging, D-SACK, invalid blocks,
 * the bound on ranges), the cumulative ACK, IsLost, NextSeg, SetPipe and the rescue segment,
 * across the wrap of sequence numbers.
 */
final class SackScoreboardNoAllocationTest
{
    private static final int WARM_UP_ROUNDS = 50_000;
    private static final int ROUNDS = 20_000;
    private static final int BATCHES = 5;
    private static final int MSS = 100;

    private final SackScoreboard board = new SackScoreboard(4);
    private final int[] lefts = new int[4];
    private final int[] rights = new int[4];
    private int sndUna = -1_000_000;
    private long sink;

    @Test
    void ackPathsDoNotAllocate()
    {
        // 1,000 octets a round: sequence numbers wrap during the warm-up.
        board.reset(sndUna);

        final long least = Allocations.leastBytesPerBatch(this::round, WARM_UP_ROUNDS, ROUNDS, BATCHES);
        assertEquals(0, least, "fewest bytes allocated by a batch of " + ROUNDS + " rounds (sink " + sink + ")");
    }

    private void round()
    {
        final int sndNxt = sndUna + 2000;
        long sum = 0;
        // Four ranges fill the bound; the next ACK evicts one, is refused two and merges two.
        for (int i = 0; i < 4; i++)
        {
            block(i, 100 + 200 * i, 150 + 200 * i);
        }
        sum += board.onAck(sndUna, sndUna, sndNxt, lefts, rights, 4) ? 1 : 0;
        block(0, 50, 60);
        block(1, 1500, 1600);
        block(2, 1700, 1800);
        block(3, 150, 300);
        sum += board.onAck(sndUna, sndUna, sndNxt, lefts, rights, 4) ? 1 : 0;
        // A D-SACK below the ACK and a block beyond SND.NXT.
        block(0, -100, -50);
        block(1, 1900, 2100);
        sum += board.onAck(sndUna + 1000, sndUna, sndNxt, lefts, rights, 2) ? 1 : 0;
        sndUna += 1000;

        sum += board.isLost(sndUna, MSS) ? 1 : 0;
        sum += board.isSacked(sndUna + 10) ? 1 : 0;
        sum += board.pipe(sndUna, sndNxt, sndUna + 100, MSS);
        sum += board.nextSeg(sndUna, sndNxt, sndUna, MSS);
        sum += board.nextSeg(sndUna, sndNxt, sndUna, MSS, true);
        sum += board.rescueSeg(sndUna, sndNxt, MSS);
        sum += board.nextSegLength(sndUna, MSS, sndNxt);
        sum += board.highestSacked() + board.sackedBytes() + board.rangeCount();
        sink += sum;
        board.reset(sndUna);
    }

    private void block(final int index, final int left, final int right)
    {
        lefts[index] = sndUna + left;
        rights[index] = sndUna + right;
    }
}
