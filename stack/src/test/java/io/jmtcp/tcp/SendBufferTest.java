package io.jmtcp.tcp;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The send buffer's rules, one per test: backpressure, acknowledgment (whole, partial, old,
 * beyond what is held), copies for (re)transmission at any held sequence number, and the wrap of
 * the ring and of sequence numbers.
 */
final class SendBufferTest
{
    private static final int CAPACITY = 16;
    private static final int ISS_PLUS_ONE = 1001;

    private final SendBuffer buffer = new SendBuffer(CAPACITY);
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[64]);

    SendBufferTest()
    {
        buffer.startSequence(ISS_PLUS_ONE);
    }

    @Test
    void startSequenceSetsFirstByteAndEmpties()
    {
        buffer.write(bytes(0, 5), 0, 5);
        buffer.startSequence(77);

        assertEquals(77, buffer.startSequence());
        assertEquals(77, buffer.endSequence());
        assertEquals(0, buffer.length());
        assertEquals(CAPACITY, buffer.free());
    }

    @Test
    void writeAcceptsWhatFits()
    {
        assertEquals(10, buffer.write(bytes(0, 10), 0, 10));
        assertEquals(10, buffer.length());
        assertEquals(CAPACITY - 10, buffer.free());
        assertEquals(ISS_PLUS_ONE + 10, buffer.endSequence());
    }

    @Test
    void writeWhenFullAcceptsNothing()
    {
        assertEquals(CAPACITY, buffer.write(bytes(0, 20), 0, 20), "only capacity fits");
        assertEquals(0, buffer.free());

        assertEquals(0, buffer.write(bytes(0, 5), 0, 5), "backpressure");
        assertEquals(CAPACITY, buffer.length());
    }

    @Test
    void acknowledgeReleasesAllHeldBytes()
    {
        buffer.write(bytes(0, 10), 0, 10);

        assertEquals(10, buffer.acknowledge(ISS_PLUS_ONE + 10));
        assertEquals(0, buffer.length());
        assertEquals(ISS_PLUS_ONE + 10, buffer.startSequence());
        assertEquals(CAPACITY, buffer.free());
    }

    @Test
    void partialAcknowledgeReleasesOnlyCoveredBytes()
    {
        buffer.write(bytes(0, 10), 0, 10);

        assertEquals(4, buffer.acknowledge(ISS_PLUS_ONE + 4));
        assertEquals(6, buffer.length());
        assertEquals(ISS_PLUS_ONE + 4, buffer.startSequence());
        assertEquals(6, buffer.copyOut(ISS_PLUS_ONE + 4, out, 0, 64));
        assertArrayEquals(range(4, 6), copied(6));
    }

    @Test
    void acknowledgeOfOldOrDuplicateAckIsNoOp()
    {
        buffer.write(bytes(0, 10), 0, 10);
        buffer.acknowledge(ISS_PLUS_ONE + 4);

        assertEquals(0, buffer.acknowledge(ISS_PLUS_ONE + 4), "duplicate");
        assertEquals(0, buffer.acknowledge(ISS_PLUS_ONE + 2), "old");
        assertEquals(6, buffer.length());
        assertEquals(ISS_PLUS_ONE + 4, buffer.startSequence());
    }

    @Test
    void acknowledgeBeyondHeldDataReportsAckOfUnsentData()
    {
        buffer.write(bytes(0, 10), 0, 10);

        assertEquals(SendBuffer.ACK_OF_UNSENT_DATA, buffer.acknowledge(ISS_PLUS_ONE + 11));
        assertEquals(10, buffer.length(), "nothing released");
        assertEquals(ISS_PLUS_ONE, buffer.startSequence());
    }

    @Test
    void copyOutFromArbitraryHeldSequence()
    {
        buffer.write(bytes(0, 12), 0, 12);

        assertEquals(5, buffer.copyOut(ISS_PLUS_ONE + 3, out, 7, 5));
        assertArrayEquals(range(3, 5), copied(7, 5));
        assertEquals(12, buffer.length(), "copying releases nothing");
    }

    @Test
    void copyOutIsLimitedToHeldBytes()
    {
        buffer.write(bytes(0, 12), 0, 12);

        assertEquals(2, buffer.copyOut(ISS_PLUS_ONE + 10, out, 0, 64));
        assertArrayEquals(range(10, 2), copied(2));
    }

    @Test
    void copyOutBeyondHeldReturnsZero()
    {
        buffer.write(bytes(0, 12), 0, 12);

        assertEquals(0, buffer.copyOut(ISS_PLUS_ONE + 12, out, 0, 64));
        assertEquals(0, buffer.copyOut(ISS_PLUS_ONE + 100, out, 0, 64));
    }

    @Test
    void copyOutOfAcknowledgedBytesReturnsZero()
    {
        buffer.write(bytes(0, 12), 0, 12);
        buffer.acknowledge(ISS_PLUS_ONE + 5);

        assertEquals(0, buffer.copyOut(ISS_PLUS_ONE + 4, out, 0, 64));
    }

    @Test
    void ringWrapsAcrossCapacity()
    {
        buffer.write(bytes(0, 12), 0, 12);
        buffer.acknowledge(ISS_PLUS_ONE + 12);

        assertEquals(14, buffer.write(bytes(12, 14), 0, 14), "wraps the ring's end");
        assertEquals(14, buffer.copyOut(ISS_PLUS_ONE + 12, out, 0, 64));
        assertArrayEquals(range(12, 14), copied(14));
    }

    @Test
    void sequenceNumbersWrapAround()
    {
        final int nearTop = -10;
        buffer.startSequence(nearTop);
        buffer.write(bytes(0, 16), 0, 16);

        assertEquals(6, buffer.endSequence(), "2^32 - 10 + 16 wraps to 6");
        assertEquals(8, buffer.copyOut(nearTop + 8, out, 0, 64), "copy across the wrap of sequence numbers");
        assertArrayEquals(range(8, 8), copied(8));
        assertEquals(12, buffer.acknowledge(2));
        assertEquals(2, buffer.startSequence());
        assertEquals(0, buffer.acknowledge(nearTop + 5), "an ack from before the wrap is old");
        assertEquals(SendBuffer.ACK_OF_UNSENT_DATA, buffer.acknowledge(7));
    }

    @Test
    void capacityMustBePowerOfTwo()
    {
        assertThrows(IllegalArgumentException.class, () -> new SendBuffer(0));
        assertThrows(IllegalArgumentException.class, () -> new SendBuffer(24));
        assertThrows(IllegalArgumentException.class, () -> new SendBuffer(Integer.MIN_VALUE));
    }

    private static UnsafeBuffer bytes(final int from, final int count)
    {
        return new UnsafeBuffer(range(from, count));
    }

    private static byte[] range(final int from, final int count)
    {
        final byte[] bytes = new byte[count];
        for (int i = 0; i < count; i++)
        {
            bytes[i] = (byte)(from + i);
        }
        return bytes;
    }

    private byte[] copied(final int count)
    {
        return copied(0, count);
    }

    private byte[] copied(final int offset, final int count)
    {
        final byte[] bytes = new byte[count];
        out.getBytes(offset, bytes);
        return bytes;
    }
}
