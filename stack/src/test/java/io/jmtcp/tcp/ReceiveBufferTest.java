package io.jmtcp.tcp;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The receive buffer's rules, one per test: in-order delivery, out-of-order placement and the
 * fill that delivers it, first copy wins, trimming to the window, the interval bound, merging,
 * the SACK block order of RFC 2018 §4, and the wrap of the ring and of sequence numbers.
 *
 * <p>Stream byte {@code i} (sequence number {@code FIRST + i}) has the value {@code i}, so a read
 * shows where every byte came from.
 */
final class ReceiveBufferTest
{
    private static final int CAPACITY = 64;
    private static final int MAX_INTERVALS = 4;
    private static final int FIRST = 5001;

    private final ReceiveBuffer buffer = new ReceiveBuffer(CAPACITY, MAX_INTERVALS);
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[256]);
    private final int[] lefts = new int[8];
    private final int[] rights = new int[8];
    private int first = FIRST;

    ReceiveBufferTest()
    {
        buffer.startSequence(FIRST);
    }

    @Test
    void startSequenceSetsRcvNxtAndEmpties()
    {
        segment(0, 10);
        segment(20, 5);
        buffer.startSequence(42);

        assertEquals(42, buffer.rcvNxt());
        assertEquals(0, buffer.readable());
        assertEquals(CAPACITY, buffer.window());
        assertFalse(buffer.hasOutOfOrder());
    }

    @Test
    void inOrderSegmentAdvancesRcvNxt()
    {
        assertEquals(10, segment(0, 10));
        assertEquals(5, segment(10, 5));

        assertEquals(FIRST + 15, buffer.rcvNxt());
        assertEquals(15, buffer.readable());
        assertArrayEquals(stream(0, 15), read(64));
    }

    @Test
    void windowIsFreeSpaceAndReadReopensIt()
    {
        segment(0, 40);
        assertEquals(CAPACITY - 40, buffer.window());

        read(30);
        assertEquals(CAPACITY - 10, buffer.window());
        assertEquals(10, buffer.readable());
    }

    @Test
    void peekDoesNotConsume()
    {
        segment(0, 10);

        assertEquals(4, buffer.peek(out, 0, 4));
        assertEquals(10, buffer.readable());
        assertArrayEquals(stream(0, 10), read(64));
    }

    @Test
    void outOfOrderSegmentIsHeldNotDelivered()
    {
        assertEquals(0, segment(10, 5));

        assertEquals(FIRST, buffer.rcvNxt());
        assertEquals(0, buffer.readable());
        assertTrue(buffer.hasOutOfOrder());
        assertEquals(CAPACITY, buffer.window(), "held data sits inside the window, which stays put");
    }

    @Test
    void fillingTheHoleDeliversOutOfOrderData()
    {
        segment(10, 5);
        segment(20, 5);

        assertEquals(15, segment(0, 10), "its 10 bytes and the 5 of [10, 15) it joins");
        assertEquals(FIRST + 15, buffer.rcvNxt());
        assertEquals(10, segment(15, 5), "its 5 bytes and the 5 of [20, 25)");
        assertFalse(buffer.hasOutOfOrder());
        assertArrayEquals(stream(0, 25), read(64));
    }

    @Test
    void retransmissionBelowRcvNxtIsTrimmed()
    {
        segment(0, 10);

        assertEquals(5, segment(5, 10), "only the new five bytes advance RCV.NXT");
        assertEquals(0, segment(0, 10), "a full duplicate advances nothing");
        assertArrayEquals(stream(0, 15), read(64));
    }

    @Test
    void overlappingRetransmissionWithDifferentBytesFirstCopyWins()
    {
        segment(10, 10);
        buffer.receive(FIRST + 5, filled(20, (byte)0x7F), 0, 20);
        segment(0, 5);

        final byte[] expected = stream(0, 25);
        Arrays.fill(expected, 5, 10, (byte)0x7F);
        Arrays.fill(expected, 20, 25, (byte)0x7F);
        assertArrayEquals(expected, read(64), "bytes 10..19 stay as first received; only the holes take the new copy");
    }

    @Test
    void inOrderRetransmissionOverHeldDataFirstCopyWins()
    {
        segment(3, 4);
        buffer.receive(FIRST, filled(10, (byte)0x55), 0, 10);

        final byte[] expected = new byte[10];
        Arrays.fill(expected, (byte)0x55);
        System.arraycopy(stream(3, 4), 0, expected, 3, 4);
        assertArrayEquals(expected, read(64));
    }

    @Test
    void dataBeyondWindowIsTrimmed()
    {
        segment(0, 40);

        assertEquals(24, segment(40, 30), "window is 24: the last 6 bytes are dropped");
        assertEquals(0, buffer.window());
        assertEquals(0, segment(64, 5), "a segment wholly beyond the window adds nothing");
        assertArrayEquals(stream(0, 64), read(64));
    }

    @Test
    void outOfOrderDataBeyondWindowIsTrimmed()
    {
        segment(0, 60);
        segment(62, 10);

        assertEquals(1, intervals());
        assertEquals(FIRST + 62, lefts[0]);
        assertEquals(FIRST + 64, rights[0], "right edge clipped to RCV.NXT + window");
    }

    @Test
    void intervalLimitDropsSegmentAndCountsIt()
    {
        segment(10, 2);
        segment(20, 2);
        segment(30, 2);
        segment(40, 2);

        assertEquals(0, segment(50, 2), "a fifth interval has no slot");
        assertEquals(1, buffer.droppedSegments());
        assertEquals(MAX_INTERVALS, buffer.intervalCount());
        assertEquals(0, segment(12, 2), "extending a held interval needs no slot");
        assertEquals(1, buffer.droppedSegments());
        assertEquals(5, segment(0, 5), "in-order data is never dropped for want of a slot");
    }

    @Test
    void adjacentSegmentsMergeIntoOneInterval()
    {
        segment(10, 5);
        segment(15, 5);
        segment(5, 5);

        assertEquals(1, intervals());
        assertEquals(FIRST + 5, lefts[0]);
        assertEquals(FIRST + 20, rights[0]);
    }

    @Test
    void overlappingSegmentsMergeIntoOneInterval()
    {
        segment(10, 10);
        segment(15, 10);
        segment(8, 4);

        assertEquals(1, intervals());
        assertEquals(FIRST + 8, lefts[0]);
        assertEquals(FIRST + 25, rights[0]);
    }

    @Test
    void segmentBridgingIntervalsMergesThem()
    {
        segment(10, 2);
        segment(20, 2);
        segment(30, 2);
        segment(40, 2);

        segment(11, 25);

        assertEquals(2, intervals());
        assertEquals(FIRST + 10, lefts[0]);
        assertEquals(FIRST + 36, rights[0]);
        assertEquals(FIRST + 40, lefts[1]);
        assertEquals(FIRST + 42, rights[1]);
        assertEquals(36, segment(0, 10), "delivers up to the hole at 36");
        assertArrayEquals(stream(0, 36), read(64));
    }

    @Test
    void segmentEndingInsideLastIntervalKeepsItsTail()
    {
        segment(10, 2);
        segment(20, 10);

        segment(11, 14);

        assertEquals(1, intervals());
        assertEquals(FIRST + 10, lefts[0]);
        assertEquals(FIRST + 30, rights[0], "bytes 25..29, already held, stay held");
    }

    @Test
    void sackFirstBlockHoldsMostRecentSegment()
    {
        segment(30, 2);
        segment(10, 2);
        segment(20, 2);
        segment(12, 2);

        intervals();
        assertEquals(FIRST + 10, lefts[0], "the segment at 12 extended [10, 12)");
        assertEquals(FIRST + 14, rights[0]);
    }

    @Test
    void sackFirstBlockHoldsMostRecentDuplicateSegment()
    {
        segment(10, 4);
        segment(20, 2);
        segment(11, 2);

        intervals();
        assertEquals(FIRST + 10, lefts[0], "RFC 2018 §4: the block containing the segment that triggered this ACK");
    }

    @Test
    void sackOtherBlocksMostRecentlyChangedFirst()
    {
        segment(40, 2);
        segment(10, 2);
        segment(30, 2);
        segment(20, 2);
        segment(42, 2);

        assertEquals(4, intervals());
        assertArrayEquals(new int[] {FIRST + 40, FIRST + 20, FIRST + 30, FIRST + 10}, Arrays.copyOf(lefts, 4));
        assertArrayEquals(new int[] {FIRST + 44, FIRST + 22, FIRST + 32, FIRST + 12}, Arrays.copyOf(rights, 4));
    }

    @Test
    void sackBlocksListedOnceAndLimitedToMax()
    {
        segment(10, 2);
        segment(20, 2);
        segment(30, 2);
        segment(40, 2);

        assertEquals(3, buffer.sackBlocks(lefts, rights, 3), "3 blocks beside timestamps");
        assertArrayEquals(new int[] {FIRST + 40, FIRST + 30, FIRST + 20}, Arrays.copyOf(lefts, 3));
        assertEquals(4, buffer.sackBlocks(lefts, rights, 4));
        assertEquals(4, Arrays.stream(lefts, 0, 4).distinct().count());
    }

    @Test
    void sackBlocksNeverCoverBytesBelowRcvNxt()
    {
        segment(10, 5);
        segment(30, 5);
        segment(0, 12);

        assertEquals(1, intervals(), "[10, 15) was delivered with the hole's fill");
        assertEquals(FIRST + 30, lefts[0]);
        assertTrue(lefts[0] - buffer.rcvNxt() > 0);
    }

    @Test
    void noSackBlocksWithoutOutOfOrderData()
    {
        segment(0, 10);

        assertEquals(0, buffer.sackBlocks(lefts, rights, 4));
    }

    @Test
    void ringWrapsAcrossCapacity()
    {
        segment(0, 50);
        read(50);
        segment(60, 30);

        assertEquals(40, segment(50, 10), "its 10 bytes and the 30 it joins");
        assertEquals(40, buffer.readable());
        assertArrayEquals(stream(50, 40), read(64), "the tail wrapped past the ring's end");
    }

    @Test
    void sequenceNumbersWrapAround()
    {
        first = -10;
        buffer.startSequence(first);

        segment(15, 5);
        assertEquals(1, intervals());
        assertEquals(5, lefts[0], "2^32 - 10 + 15 wraps to 5");
        assertEquals(20, segment(0, 15), "fills across the wrap and joins [5, 10)");
        assertEquals(20, buffer.rcvNxt() - first);
        assertEquals(0, segment(-20, 15), "data from before RCV.NXT, across the wrap, is old");
        assertArrayEquals(stream(0, 20), read(64));
    }

    @Test
    void invalidArgumentsAreRejected()
    {
        assertThrows(IllegalArgumentException.class, () -> new ReceiveBuffer(100));
        assertThrows(IllegalArgumentException.class, () -> new ReceiveBuffer(64, -1));
        assertThrows(IllegalArgumentException.class, () -> buffer.sackBlocks(lefts, rights, 9));
    }

    private int segment(final int from, final int count)
    {
        return buffer.receive(first + from, new UnsafeBuffer(stream(from, count)), 0, count);
    }

    private int intervals()
    {
        return buffer.sackBlocks(lefts, rights, 4);
    }

    private byte[] read(final int maxLen)
    {
        final int count = buffer.read(out, 0, maxLen);
        final byte[] bytes = new byte[count];
        out.getBytes(0, bytes);
        return bytes;
    }

    private static byte[] stream(final int from, final int count)
    {
        final byte[] bytes = new byte[count];
        for (int i = 0; i < count; i++)
        {
            bytes[i] = (byte)(from + i);
        }
        return bytes;
    }

    private static UnsafeBuffer filled(final int count, final byte value)
    {
        final byte[] bytes = new byte[count];
        Arrays.fill(bytes, value);
        return new UnsafeBuffer(bytes);
    }
}
