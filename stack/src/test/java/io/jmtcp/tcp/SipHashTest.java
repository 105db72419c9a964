package io.jmtcp.tcp;

import io.jmtcp.testing.Allocations;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * SipHash-2-4 against the reference vectors of its authors: key {@code 00 01 .. 0f}, message
 * {@code 00 01 .. (n-1)} for n = 0..63, from {@code vectors.h} ({@code vectors_sip64}) in the
 * reference implementation, https://github.com/veorq/SipHash (the same table as the 2012
 * {@code siphash24.c} that accompanied the paper). That file lists each output as 8 bytes,
 * little-endian; the values below are those bytes read as a {@code long}.
 */
final class SipHashTest
{
    private static final long KEY0 = 0x0706050403020100L;
    private static final long KEY1 = 0x0f0e0d0c0b0a0908L;

    /** vectors_sip64[0..15]: every tail length 0..7 with no full block and with one full block. */
    private static final long[] VECTORS_0_TO_15 =
    {
        0x726fdb47dd0e0e31L, 0x74f839c593dc67fdL, 0x0d6c8009d9a94f5aL, 0x85676696d7fb7e2dL,
        0xcf2794e0277187b7L, 0x18765564cd99a68dL, 0xcbc9466e58fee3ceL, 0xab0200f58b01d137L,
        0x93f5f5799a932462L, 0x9e0082df0ba9e4b0L, 0x7a5dbbc594ddb9f3L, 0xf4b32f46226bada7L,
        0x751e8fbc860ee5fbL, 0x14ea5627c0843d90L, 0xf723ca908e7af2eeL, 0xa129ca6149be45e5L,
    };
    /** vectors_sip64[16]: two full blocks and an empty final block. */
    private static final long VECTOR_16 = 0x3f2acc7f57c29bdbL;
    /** vectors_sip64[63]: seven full blocks and a 7-byte final block. */
    private static final long VECTOR_63 = 0x958a324ceb064572L;

    private static UnsafeBuffer message(final int offset, final int length)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[offset + length]);
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(offset + i, (byte)i);
        }
        return buffer;
    }

    @Test
    void referenceVectorsForLengths0To15()
    {
        for (int length = 0; length < VECTORS_0_TO_15.length; length++)
        {
            assertEquals(VECTORS_0_TO_15[length], SipHash.hash(KEY0, KEY1, message(0, length), 0, length),
                "length " + length);
        }
    }

    @Test
    void referenceVectorsForLongerMessages()
    {
        assertEquals(VECTOR_16, SipHash.hash(KEY0, KEY1, message(0, 16), 0, 16));
        assertEquals(VECTOR_63, SipHash.hash(KEY0, KEY1, message(0, 63), 0, 63));
    }

    @Test
    void outputBytesAreTheVectorsBytesLittleEndian()
    {
        // vectors_sip64[0] as printed in vectors.h: 31 0e 0e dd 47 db 6f 72.
        final byte[] expected = {0x31, 0x0e, 0x0e, (byte)0xdd, 0x47, (byte)0xdb, 0x6f, 0x72};
        final UnsafeBuffer out = new UnsafeBuffer(new byte[8]);
        out.putLong(0, SipHash.hash(KEY0, KEY1, message(0, 0), 0, 0), ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < expected.length; i++)
        {
            assertEquals(expected[i], out.getByte(i), "byte " + i);
        }
    }

    @Test
    void messageAtAnOffsetHashesTheSame()
    {
        for (final int length : new int[] {0, 1, 7, 8, 12, 15})
        {
            assertEquals(VECTORS_0_TO_15[length], SipHash.hash(KEY0, KEY1, message(5, length), 5, length),
                "length " + length);
        }
    }

    @Test
    void hashingAllocatesNothing()
    {
        final UnsafeBuffer buffer = message(0, 15);
        final long[] sink = new long[1];
        final long bytes = Allocations.leastBytesPerBatch(
            () -> sink[0] += SipHash.hash(KEY0, KEY1, buffer, 0, 15), 20_000, 1_000, 20);
        assertEquals(0, bytes);
    }
}
