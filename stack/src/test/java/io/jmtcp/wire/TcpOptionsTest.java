package io.jmtcp.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Option areas written byte by byte: the structural errors that drop a segment, and the
 * options that are skipped and counted instead (RFC 9293 §3.1, MUST-6 and MUST-7).
 */
final class TcpOptionsTest
{
    private static final int AT = 5;

    private final TcpOptions options = new TcpOptions();

    /** Options bytes at {@link #AT} in a buffer that ends with them. */
    private static UnsafeBuffer area(final int... bytes)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[AT + bytes.length]);
        for (int i = 0; i < bytes.length; i++)
        {
            buffer.putByte(AT + i, (byte)bytes[i]);
        }
        return buffer;
    }

    private DropReason parse(final UnsafeBuffer buffer)
    {
        return options.parse(buffer, AT, buffer.capacity() - AT);
    }

    @Test
    void emptyAreaHasNoOptions()
    {
        assertEquals(DropReason.NONE, parse(area()));
        assertNothing();
    }

    @Test
    void eolEndsParsingAndGarbageAfterItIsIgnored()
    {
        // MSS 1460, EOL, then bytes that would be errors if read: length 0, a runaway length.
        final UnsafeBuffer buffer = area(2, 4, 0x05, 0xB4, 0, 3, 0, 99, 200, 0xFF, 0xFF, 0xFF);
        assertEquals(DropReason.NONE, parse(buffer));
        assertTrue(options.hasMss());
        assertEquals(1460, options.mss());
        assertFalse(options.hasWindowScale());
        assertEquals(0, options.unknownCount());
        assertEquals(0, options.malformedCount());
    }

    @Test
    void eolFirstMeansNoOptions()
    {
        assertEquals(DropReason.NONE, parse(area(0, 2, 4, 0x05, 0xB4)));
        assertNothing();
    }

    @Test
    void nopRunsAreSingleBytes()
    {
        final int[] nops = new int[40];
        Arrays.fill(nops, 1);
        assertEquals(DropReason.NONE, parse(area(nops)));
        assertNothing();

        assertEquals(DropReason.NONE, parse(area(1, 1, 1, 3, 3, 9, 1, 1, 1, 1, 4, 2, 1)));
        assertTrue(options.hasWindowScale());
        assertEquals(9, options.windowScale());
        assertTrue(options.sackPermitted());
    }

    @Test
    void lengthZeroIsInvalid()
    {
        assertEquals(DropReason.TCP_OPTION_LENGTH_INVALID, parse(area(1, 1, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
        // An unknown kind with length 0 would loop forever if skipped by its length.
        assertEquals(DropReason.TCP_OPTION_LENGTH_INVALID, parse(area(77, 0, 1, 1)));
    }

    @Test
    void lengthOneIsInvalid()
    {
        assertEquals(DropReason.TCP_OPTION_LENGTH_INVALID, parse(area(2, 1, 0x05, 0xB4)));
        assertEquals(DropReason.TCP_OPTION_LENGTH_INVALID, parse(area(77, 1, 1, 1)));
    }

    @Test
    void lengthPastHeaderExceeds()
    {
        // Timestamps need 10 bytes; 8 are left.
        assertEquals(DropReason.TCP_OPTION_EXCEEDS_HEADER, parse(area(8, 10, 0, 0, 0, 1, 0, 0)));
        // An unknown option whose length runs one byte past the area.
        assertEquals(DropReason.TCP_OPTION_EXCEEDS_HEADER, parse(area(1, 1, 99, 7, 0, 0, 0, 0)));
        // A length of 255 in a 40-byte area.
        final int[] bytes = new int[40];
        bytes[0] = 30;
        bytes[1] = 255;
        assertEquals(DropReason.TCP_OPTION_EXCEEDS_HEADER, parse(area(bytes)));
    }

    @Test
    void lengthExactlyToTheEndIsFine()
    {
        assertEquals(DropReason.NONE, parse(area(1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2)));
        assertTrue(options.hasTimestamps());
        assertEquals(1, options.tsVal());
        assertEquals(2, options.tsEcr());
    }

    @Test
    void truncatedLengthByteExceeds()
    {
        assertEquals(DropReason.TCP_OPTION_EXCEEDS_HEADER, parse(area(1, 1, 1, 2)));
        assertEquals(DropReason.TCP_OPTION_EXCEEDS_HEADER, parse(area(99)));
    }

    @Test
    void knownKindsWithWrongLengthsAreIgnoredAndCounted()
    {
        final UnsafeBuffer buffer = area(
            2, 3, 0x05,                         // MSS, length 3
            3, 4, 7, 0,                         // window scale, length 4
            4, 3, 0,                            // SACK-permitted, length 3
            8, 6, 0, 0, 0, 1,                   // timestamps, length 6
            5, 2,                               // SACK with no block: the empty SACK of the captures
            5, 11, 0, 0, 0, 1, 0, 0, 0, 2, 0,   // SACK, length 11: not 2 + 8n
            2, 4, 0x02, 0x18);                  // and a well-formed MSS after them all
        assertEquals(DropReason.NONE, parse(buffer));
        assertEquals(6, options.malformedCount());
        assertEquals(0, options.unknownCount());
        assertTrue(options.hasMss());
        assertEquals(536, options.mss());
        assertFalse(options.hasWindowScale());
        assertFalse(options.sackPermitted());
        assertFalse(options.hasTimestamps());
        assertEquals(0, options.sackBlockCount());
    }

    @Test
    void unknownKindsAreSkippedAndCounted()
    {
        final UnsafeBuffer buffer = area(
            30, 4, 0x10, 0x01,                  // MPTCP (RFC 8684)
            34, 2,                              // TCP Fast Open cookie request (RFC 7413)
            254, 6, 0xF9, 0x89, 0, 0,           // experimental (RFC 6994)
            3, 3, 14);
        assertEquals(DropReason.NONE, parse(buffer));
        assertEquals(3, options.unknownCount());
        assertEquals(0, options.malformedCount());
        assertTrue(options.hasWindowScale());
        assertEquals(14, options.windowScale());
    }

    @Test
    void fourSackBlocks()
    {
        final UnsafeBuffer buffer = area(
            1, 1, 5, 34,
            0xFF, 0xFF, 0xFF, 0xF0, 0x00, 0x00, 0x00, 0x10,   // a block across the wrap of 2^32
            0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00,
            0x80, 0x00, 0x00, 0x00, 0x80, 0x00, 0x05, 0xB4,
            0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x5C, 0x2C,
            1, 1);
        assertEquals(DropReason.NONE, parse(buffer));
        assertEquals(4, options.sackBlockCount());
        assertEquals(0xFFFF_FFF0, options.sackLeft(0));
        assertEquals(0x10, options.sackRight(0));
        assertEquals(0x100, options.sackLeft(1));
        assertEquals(0x200, options.sackRight(1));
        assertEquals(0x8000_0000, options.sackLeft(2));
        assertEquals(0x8000_05B4, options.sackRight(2));
        assertEquals(0x1234_5678, options.sackLeft(3));
        assertEquals(0x1234_5C2C, options.sackRight(3));
        assertEquals(0, options.malformedCount());
    }

    @Test
    void fiveSackBlocksAreMalformed()
    {
        final int[] bytes = new int[44];
        bytes[0] = 5;
        bytes[1] = 42;
        assertEquals(DropReason.NONE, parse(area(bytes)));
        assertEquals(0, options.sackBlockCount());
        assertEquals(1, options.malformedCount());
    }

    @Test
    void windowScaleIsRawNotClamped()
    {
        assertEquals(DropReason.NONE, parse(area(3, 3, 200)));
        assertEquals(200, options.windowScale());
    }

    @Test
    void lastOfARepeatedOptionWins()
    {
        assertEquals(DropReason.NONE, parse(area(2, 4, 0x05, 0xB4, 2, 4, 0x02, 0x18)));
        assertEquals(536, options.mss());
    }

    @Test
    void eachParseForgetsThePrevious()
    {
        assertEquals(DropReason.NONE, parse(area(2, 4, 0x05, 0xB4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 99, 2, 5, 2)));
        assertTrue(options.hasMss());
        assertEquals(1, options.unknownCount());
        assertEquals(1, options.malformedCount());
        assertEquals(DropReason.NONE, parse(area(1, 1, 1, 0)));
        assertNothing();

        assertEquals(DropReason.NONE, parse(area(5, 10, 0, 0, 0, 1, 0, 0, 0, 2)));
        assertEquals(1, options.sackBlockCount());
        options.reset();
        assertNothing();
    }

    @Test
    void writerOutputParsesBack()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[AT + 40]);
        int n = TcpOptionsWriter.writeNop(buffer, AT);
        n += TcpOptionsWriter.writeNop(buffer, AT + n);
        n += TcpOptionsWriter.writeTimestamps(buffer, AT + n, 0xCAFE_BABE, 0x8000_0001);
        n += TcpOptionsWriter.writeSackBlocks(buffer, AT + n, new int[] {10, 30, 50}, new int[] {20, 40, 60}, 3);
        assertEquals(38, n);
        n = TcpOptionsWriter.padToWord(buffer, AT, n);
        assertEquals(40, n);
        assertEquals(TcpOptions.KIND_EOL, buffer.getByte(AT + 38));
        assertEquals(DropReason.NONE, options.parse(buffer, AT, n));
        assertTrue(options.hasTimestamps());
        assertEquals(0xCAFE_BABE, options.tsVal());
        assertEquals(0x8000_0001, options.tsEcr());
        assertEquals(3, options.sackBlockCount());
        for (int i = 0; i < 3; i++)
        {
            assertEquals(10 + 20 * i, options.sackLeft(i));
            assertEquals(20 + 20 * i, options.sackRight(i));
        }
    }

    @Test
    void writerWritesFourSackBlocks()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[AT + 36]);
        final int[] lefts = {1, 3, 5, 7};
        final int[] rights = {2, 4, 6, 8};
        int n = TcpOptionsWriter.writeNop(buffer, AT);
        n += TcpOptionsWriter.writeNop(buffer, AT + n);
        n += TcpOptionsWriter.writeSackBlocks(buffer, AT + n, lefts, rights, 4);
        assertEquals(36, TcpOptionsWriter.padToWord(buffer, AT, n));
        assertEquals(DropReason.NONE, options.parse(buffer, AT, 36));
        assertEquals(4, options.sackBlockCount());
        assertEquals(8, options.sackRight(3));
    }

    @Test
    void writerRejectsImpossibleSackCounts()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        assertThrows(IllegalArgumentException.class,
            () -> TcpOptionsWriter.writeSackBlocks(buffer, 0, new int[5], new int[5], 0));
        assertThrows(IllegalArgumentException.class,
            () -> TcpOptionsWriter.writeSackBlocks(buffer, 0, new int[5], new int[5], 5));
    }

    @Test
    void padToWordLeavesAlignedLengthsAlone()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[AT + 8]);
        buffer.setMemory(0, buffer.capacity(), (byte)0x77);
        assertEquals(0, TcpOptionsWriter.padToWord(buffer, AT, 0));
        assertEquals(4, TcpOptionsWriter.padToWord(buffer, AT, 4));
        assertEquals(0x77, buffer.getByte(AT + 4));
        assertEquals(8, TcpOptionsWriter.padToWord(buffer, AT, 5));
        for (int i = 5; i < 8; i++)
        {
            assertEquals(0, buffer.getByte(AT + i));
        }
    }

    private void assertNothing()
    {
        assertFalse(options.hasMss());
        assertFalse(options.hasWindowScale());
        assertFalse(options.sackPermitted());
        assertFalse(options.hasTimestamps());
        assertEquals(0, options.sackBlockCount());
        assertEquals(0, options.malformedCount());
        assertEquals(0, options.unknownCount());
    }
}
