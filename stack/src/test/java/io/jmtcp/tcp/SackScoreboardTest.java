package io.jmtcp.tcp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scoreboard's rules, one per test: merging, blocks outside the window, the two D-SACK forms
 * of RFC 2883 §4, the cumulative ACK, IsLost by ranges and by bytes, NextSeg rules (1), (3) and
 * (4), SetPipe on a worked example, the bound on ranges, the return of onAck, and the wrap of
 * sequence numbers.
 *
 * <p>Tests speak in offsets from {@code base}, the first SND.UNA: 20 segments of {@link #MSS}
 * octets, offsets 0 to 2000, are outstanding unless a test says otherwise.
 */
final class SackScoreboardTest
{
    private static final int MSS = 100;
    private static final int MAX_RANGES = 8;
    private static final long NONE = SackScoreboard.NO_SEGMENT;

    private final SackScoreboard board = new SackScoreboard(MAX_RANGES);
    private final int[] lefts = new int[8];
    private final int[] rights = new int[8];
    private int base;
    private int sndUna;
    private int sndNxt;

    SackScoreboardTest()
    {
        start(10_000);
    }

    @Test
    void mergesOverlappingAndAdjacentBlocks()
    {
        ack(0, 200, 300);
        ack(0, 250, 400);
        assertRanges(200, 400);

        ack(0, 400, 500);
        ack(0, 100, 200);
        assertRanges(100, 500);

        ack(0, 700, 800);
        assertRanges(100, 500, 700, 800);

        ack(0, 450, 750);
        assertRanges(100, 800);
        assertEquals(700, board.sackedBytes());
    }

    @Test
    void blocksOutsideTheWindowAreIgnoredAndCounted()
    {
        assertTrue(ack(0, 500, 600, -100, 100, 1900, 2100, 700, 700, 900, 800));
        assertFalse(ack(0, 2100, 2200, 500, 600, Integer.MIN_VALUE, Integer.MIN_VALUE + 10));

        assertRanges(500, 600);
        assertEquals(6, board.invalidBlocks());
        assertEquals(0, board.dsackBlocks());
    }

    @Test
    void dsackFirstBlockBelowTheAckIsCountedNotUsed()
    {
        ack(0, 300, 400, 600, 700);

        // RFC 2883 §4: the ACK covers 0..500; a first block starting below it reports a duplicate.
        assertFalse(ack(500, 100, 200, 600, 700), "nothing new SACKed");
        assertFalse(ack(500, 400, 550, 600, 700), "a D-SACK straddling the ACK is not used either");

        assertEquals(2, board.dsackBlocks());
        assertEquals(0, board.invalidBlocks());
        assertRanges(600, 700);
        assertFalse(board.isSacked(seq(520)));
    }

    @Test
    void dsackContainedInTheSecondBlockIsCountedNotUsed()
    {
        ack(0, 900, 1000);

        // RFC 2883 §4: a first block inside the second reports a duplicate above the ACK.
        assertTrue(ack(0, 300, 400, 200, 500, 900, 1000), "the second block is new");

        assertEquals(1, board.dsackBlocks());
        assertRanges(200, 500, 900, 1000);
    }

    @Test
    void cumulativeAckTrimsAndDropsRanges()
    {
        ack(0, 200, 300, 400, 500, 600, 700);

        ack(450);
        assertRanges(450, 500, 600, 700);
        assertEquals(150, board.sackedBytes());
        assertFalse(board.isSacked(seq(449)));
        assertTrue(board.isSacked(seq(450)));

        ack(700);
        assertRanges();
        assertEquals(0, board.sackedBytes());
        assertEquals(seq(700), board.highestSacked(), "SND.UNA when nothing is SACKed");
    }

    @Test
    void ackNotAdvancingSndUnaStillUsesItsBlocks()
    {
        ack(300);

        assertTrue(ack(100, 500, 600), "an old ACK reordered in the network still reports what arrived");
        assertFalse(ack(2500), "an ACK of data never sent moves nothing");

        assertEquals(300, sndUna);
        assertRanges(500, 600);
    }

    @Test
    void lostWhenDupThreshDiscontiguousRangesLieAbove()
    {
        // RFC 6675 §4 IsLost: three ranges of 10 octets, far fewer than 2 * SMSS octets.
        ack(0, 100, 110, 200, 210, 300, 310);

        assertTrue(board.isLost(seq(0), MSS));
        assertTrue(board.isLost(seq(99), MSS));
        assertFalse(board.isLost(seq(105), MSS), "SACKed octets are not lost");
        assertFalse(board.isLost(seq(110), MSS), "two ranges above");
        assertFalse(board.isLost(seq(150), MSS), "two ranges above");
    }

    @Test
    void lostWhenMoreThanTwoSegmentsOfOctetsAreSackedAbove()
    {
        // RFC 6675 §4 IsLost: more than (DupThresh - 1) * SMSS = 200 octets SACKed above.
        ack(0, 300, 501);
        assertTrue(board.isLost(seq(299), MSS), "201 octets above");
        assertTrue(board.isLost(seq(0), MSS));

        start(10_000);
        ack(0, 300, 500);
        assertFalse(board.isLost(seq(299), MSS), "exactly 200 octets above is not more than 200");

        start(10_000);
        ack(0, 100, 200, 300, 450);
        assertFalse(board.isLost(seq(250), MSS), "150 octets above");
        assertTrue(board.isLost(seq(99), MSS), "250 octets in two ranges above");
    }

    @Test
    void notLostOtherwise()
    {
        for (int offset = -10; offset < 2010; offset += 7)
        {
            assertFalse(board.isLost(seq(offset), MSS), "nothing SACKed");
        }

        ack(0, 100, 200, 300, 400);
        assertFalse(board.isLost(seq(0), MSS), "two ranges, 200 octets above");
        assertFalse(board.isLost(seq(250), MSS));
        assertFalse(board.isLost(seq(1500), MSS));
        assertFalse(board.isLost(seq(-1), MSS), "below SND.UNA: acknowledged");
    }

    @Test
    void nextSegRuleOneRetransmitsTheLowestLostHole()
    {
        ack(0, 100, 400, 500, 800);

        // RFC 6675 §4 rule (1): holes [0, 100) and [400, 500) are both lost.
        assertEquals(at(0), nextSeg(0));
        assertEquals(MSS, board.nextSegLength(seq(0), MSS, seq(sndNxt)));
        assertEquals(at(400), nextSeg(100), "(1.a): above HighRxt");
        assertEquals(at(450), nextSeg(450), "the rest of a hole partly retransmitted");
        assertEquals(50, board.nextSegLength(seq(450), MSS, seq(sndNxt)));
        assertEquals(at(400), board.nextSeg(seq(sndUna), seq(sndNxt), seq(100), MSS, true),
            "rule (1) comes before new data");
    }

    @Test
    void nextSegRuleThreeRetransmitsAHoleNotLostWhenNoNewDataMaySend()
    {
        ack(0, 100, 200);
        assertFalse(board.isLost(seq(0), MSS));

        // RFC 6675 §4 rule (3): the hole [0, 100) meets (1.a) and (1.b) but not (1.c).
        assertEquals(at(0), nextSeg(0));
        assertEquals(at(0), board.nextSeg(seq(sndUna), seq(sndNxt), seq(0), MSS, false));
        assertEquals(NONE, board.nextSeg(seq(sndUna), seq(sndNxt), seq(0), MSS, true), "rule (2): new data first");
    }

    @Test
    void nextSegNoneWithoutAHoleBelowASackedRange()
    {
        assertEquals(NONE, nextSeg(0), "nothing SACKed: (1.b) fails");

        ack(0, 100, 200);
        assertEquals(NONE, nextSeg(100), "the only hole below a SACK is retransmitted");
        assertEquals(NONE, nextSeg(1500));

        ack(0, 0, 2000);
        assertEquals(NONE, nextSeg(0), "everything SACKed");
    }

    @Test
    void nextSegLengthStopsAtSackedRangeSegmentSizeAndSndNxt()
    {
        ack(0, 150, 200, 400, 500);

        assertEquals(100, board.nextSegLength(seq(0), MSS, seq(sndNxt)));
        assertEquals(50, board.nextSegLength(seq(100), MSS, seq(sndNxt)), "stops before [150, 200)");
        assertEquals(100, board.nextSegLength(seq(200), MSS, seq(sndNxt)));
        assertEquals(30, board.nextSegLength(seq(1970), MSS, seq(sndNxt)), "stops at SND.NXT");
        assertEquals(0, board.nextSegLength(seq(160), MSS, seq(sndNxt)), "SACKed");
        assertEquals(0, board.nextSegLength(seq(-1), MSS, seq(sndNxt)), "acknowledged");
        assertEquals(0, board.nextSegLength(seq(2000), MSS, seq(sndNxt)), "not sent");
    }

    @Test
    void rescueSegEndsWithTheHighestUnsackedOctet()
    {
        assertEquals(at(1900), board.rescueSeg(seq(sndUna), seq(sndNxt), MSS), "nothing SACKed: the last segment");

        ack(0, 100, 200, 1900, 2000);
        assertEquals(at(1800), board.rescueSeg(seq(sndUna), seq(sndNxt), MSS), "below the top range");
        assertEquals(MSS, board.nextSegLength(seq(1800), MSS, seq(sndNxt)));

        ack(0, 200, 1850);
        assertEquals(at(1850), board.rescueSeg(seq(sndUna), seq(sndNxt), MSS), "all of a hole shorter than SMSS");
        assertEquals(50, board.nextSegLength(seq(1850), MSS, seq(sndNxt)));

        ack(0, 1850, 1900);
        assertEquals(at(0), board.rescueSeg(seq(sndUna), seq(sndNxt), MSS), "the hole [0, 100)");

        ack(0, 0, 100);
        assertEquals(NONE, board.rescueSeg(seq(sndUna), seq(sndNxt), MSS), "everything SACKed");
    }

    @Test
    void pipeOfAWorkedExample()
    {
        // 20 segments sent; the receiver SACKs segments 2-4, 6 and 8 (offsets from 0, SMSS 100).
        ack(0, 100, 400, 500, 600, 700, 800);

        // RFC 6675 §4 IsLost: [0, 100) has 500 octets and 3 ranges above it: lost. [400, 500) has
        // 200 octets and 2 ranges above: not more than 2 * SMSS, not lost; [600, 700) and
        // [800, 2000) are not lost either.
        assertTrue(board.isLost(seq(0), MSS));
        assertFalse(board.isLost(seq(400), MSS));

        // RFC 6675 §4 SetPipe: (a) counts the unSACKed octets not lost: 100 + 100 + 1200.
        assertEquals(1400, pipe(0));
        // (b) counts [0, 100) again once retransmitted (HighRxt past it).
        assertEquals(at(0), nextSeg(0));
        assertEquals(1500, pipe(100));
        // Rule (3): next is [400, 500), not lost; once retransmitted it counts twice.
        assertEquals(at(400), nextSeg(100));
        assertEquals(1600, pipe(500));

        // Segment 7 is SACKed: [400, 500) now has 300 octets above it and is lost; [600, 700) is gone.
        ack(0, 600, 700);
        assertTrue(board.isLost(seq(400), MSS));
        assertEquals(1200 + 100 + 100, pipe(500), "[800, 2000) in flight, [0, 100) and [400, 500) resent");

        // The ACK of the retransmission of segment 1 moves SND.UNA to 400.
        ack(400);
        assertEquals(100 + 1200, pipe(500));
    }

    @Test
    void sequenceNumbersWrapAroundZero()
    {
        start(0xFFFFFF00);
        ack(0, 200, 400, 500, 600, 700, 800);

        assertTrue(board.isSacked(0), "offset 256, past the wrap");
        assertTrue(board.isSacked(0xFFFFFFC8), "offset 200");
        assertFalse(board.isSacked(0xFFFFFFC7));
        assertTrue(board.isLost(0xFFFFFF00, MSS));
        assertEquals(0xFFFFFF00L, nextSeg(0), "returned as a non-negative long");
        assertEquals(seq(800), board.highestSacked());
        assertEquals(2000 - 400 - 200, pipe(0), "the hole [0, 200) is lost");

        ack(300);
        assertRanges(300, 400, 500, 600, 700, 800);
        assertEquals(seq(300), board.rangeLeft(0));
        assertEquals(300, board.sackedBytes());
        assertFalse(board.isLost(seq(450), MSS), "two ranges, 200 octets above");
        ack(300, 900, 1000);
        assertTrue(board.isLost(seq(450), MSS), "three ranges above");
    }

    @Test
    void rangesBeyondTheBoundForgetTheHighest()
    {
        final SackScoreboard small = new SackScoreboard(4);
        small.reset(base);
        for (int i = 1; i <= 6; i++)
        {
            lefts[0] = seq(100 * i);
            rights[0] = seq(100 * i + 10);
            assertEquals(i <= 4, small.onAck(seq(0), seq(0), seq(2000), lefts, rights, 1), "block " + i);
        }
        assertEquals(4, small.rangeCount());
        assertEquals(seq(410), small.highestSacked(), "blocks 5 and 6 refused");
        assertEquals(2, small.droppedRanges());

        lefts[0] = seq(50);
        rights[0] = seq(60);
        assertTrue(small.onAck(seq(0), seq(0), seq(2000), lefts, rights, 1));
        assertEquals(seq(310), small.highestSacked(), "the highest range forgotten for a lower block");
        assertEquals(40, small.sackedBytes());
        assertFalse(small.isSacked(seq(400)));

        lefts[0] = seq(60);
        rights[0] = seq(100);
        assertTrue(small.onAck(seq(0), seq(0), seq(2000), lefts, rights, 1), "a block that merges always fits");
        assertEquals(3, small.rangeCount());
        assertEquals(3, small.droppedRanges());
    }

    @Test
    void onAckReturnsWhetherItSackedNewOctets()
    {
        assertTrue(ack(0, 300, 400), "new");
        assertFalse(ack(0, 300, 400), "repeated");
        assertFalse(ack(0, 320, 380), "a subset");
        assertTrue(ack(0, 300, 401), "one more octet");
        assertFalse(ack(100), "a cumulative ACK alone");
        assertFalse(ack(100, 50, 60), "only a D-SACK");
        assertFalse(ack(100, 600, 3000), "only an invalid block");
        assertTrue(ack(100, 300, 401, 600, 700), "new in the second block");
    }

    @Test
    void resetEmptiesAndKeepsCounters()
    {
        ack(0, 2100, 2200, 300, 400, 500, 600);
        ack(0, 900, 950, 800, 1000);

        board.reset(seq(50));

        assertEquals(0, board.rangeCount());
        assertEquals(0, board.sackedBytes());
        assertEquals(seq(50), board.highestSacked());
        assertFalse(board.isSacked(seq(300)));
        assertEquals(1, board.invalidBlocks());
        assertEquals(1, board.dsackBlocks());

        board.resetCounters();
        assertEquals(0, board.invalidBlocks());
        assertEquals(0, board.dsackBlocks());
        assertEquals(0, board.droppedRanges());
    }

    @Test
    void rejectsArgumentsNoCorrectCallerPasses()
    {
        assertThrows(IllegalArgumentException.class, () -> new SackScoreboard(0));
        assertThrows(IllegalArgumentException.class,
            () -> board.onAck(seq(0), seq(0), seq(2000), lefts, new int[2], 3));
        assertThrows(IllegalArgumentException.class, () -> board.onAck(seq(0), seq(0), seq(2000), lefts, rights, -1));
        assertThrows(IllegalArgumentException.class, () -> board.onAck(seq(0), seq(10), seq(0), lefts, rights, 0));
        assertThrows(IllegalArgumentException.class, () -> board.isLost(seq(0), 0));
        assertThrows(IllegalArgumentException.class, () -> board.pipe(seq(10), seq(0), seq(10), MSS));
        assertThrows(IndexOutOfBoundsException.class, () -> board.rangeLeft(0));
    }

    private void start(final int firstSequence)
    {
        base = firstSequence;
        sndUna = 0;
        sndNxt = 2000;
        board.reset(base);
    }

    /** An ACK of {@code ackOffset} carrying the blocks given as pairs of offsets. */
    private boolean ack(final int ackOffset, final int... edges)
    {
        final int count = edges.length / 2;
        for (int i = 0; i < count; i++)
        {
            lefts[i] = seq(edges[2 * i]);
            rights[i] = seq(edges[2 * i + 1]);
        }
        final boolean result = board.onAck(seq(ackOffset), seq(sndUna), seq(sndNxt), lefts, rights, count);
        if (ackOffset > sndUna && ackOffset <= sndNxt)
        {
            sndUna = ackOffset;
        }
        return result;
    }

    private long nextSeg(final int highRxtOffset)
    {
        return board.nextSeg(seq(sndUna), seq(sndNxt), seq(highRxtOffset), MSS);
    }

    private int pipe(final int highRxtOffset)
    {
        return board.pipe(seq(sndUna), seq(sndNxt), seq(highRxtOffset), MSS);
    }

    /** @return the sequence number at {@code offset} as nextSeg and rescueSeg return it. */
    private long at(final int offset)
    {
        return Integer.toUnsignedLong(base + offset);
    }

    private int seq(final int offset)
    {
        return base + offset;
    }

    private void assertRanges(final int... edges)
    {
        assertEquals(edges.length / 2, board.rangeCount(), "ranges");
        int sacked = 0;
        for (int i = 0; i < edges.length / 2; i++)
        {
            assertEquals(edges[2 * i], board.rangeLeft(i) - base, "left edge of range " + i);
            assertEquals(edges[2 * i + 1], board.rangeRight(i) - base, "right edge of range " + i);
            sacked += edges[2 * i + 1] - edges[2 * i];
        }
        assertEquals(sacked, board.sackedBytes(), "SACKed bytes");
    }
}
