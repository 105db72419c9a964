package io.jmtcp.tcp;

import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012): a keyed
 * pseudorandom function with a 128-bit key and a 64-bit output, fast on the short inputs a stack
 * hashes (a 4-tuple is 12 bytes). Two compression rounds per 8-byte block, four finalization
 * rounds.
 *
 * <p>The key and the message are read little-endian, as the paper specifies: the key bytes
 * {@code 00 01 .. 0f} are {@code key0 = 0x0706050403020100L}, {@code key1 = 0x0f0e0d0c0b0a0908L},
 * and the reference vectors' output bytes are the returned {@code long} stored little-endian.
 *
 * <p>Allocation-free and stateless: all state is in locals, so one method may be called from
 * any thread.
 */
public final class SipHash
{
    /** The initialization constants, "somepseudorandomlygeneratedbytes" in ASCII (paper §2, "Initialization"). */
    private static final long V0_INIT = 0x736f6d6570736575L;
    private static final long V1_INIT = 0x646f72616e646f6dL;
    private static final long V2_INIT = 0x6c7967656e657261L;
    private static final long V3_INIT = 0x7465646279746573L;

    private static final int COMPRESSION_ROUNDS = 2;
    private static final int FINALIZATION_ROUNDS = 4;

    private SipHash()
    {
    }

    /**
     * SipHash-2-4 of a run of bytes.
     *
     * @param key0   the first 8 key bytes, read little-endian.
     * @param key1   the last 8 key bytes, read little-endian.
     * @param buffer holding the message.
     * @param offset of the message's first byte.
     * @param length of the message in bytes, 0 or more.
     * @return the 64-bit output.
     */
    public static long hash(final long key0, final long key1, final DirectBuffer buffer, final int offset,
        final int length)
    {
        long v0 = key0 ^ V0_INIT;
        long v1 = key1 ^ V1_INIT;
        long v2 = key0 ^ V2_INIT;
        long v3 = key1 ^ V3_INIT;

        final int fullBlocks = length >>> 3;
        final int tailOffset = offset + (fullBlocks << 3);

        // The final block holds the 0..7 bytes left over, and the message length modulo 256 in
        // its most significant byte (paper §2, "Compression").
        long lastBlock = (long)length << 56;
        for (int i = 0, tailLength = length & 7; i < tailLength; i++)
        {
            lastBlock |= (buffer.getByte(tailOffset + i) & 0xFFL) << (i << 3);
        }

        // One pass per message block (the full blocks, then the final block), then one more for
        // finalization: v2 ^= 0xff and four rounds (paper §2, "Finalization"). Finalization
        // injects no block, so its m is 0 and the two xors with m leave the state as it was.
        for (int step = 0; step <= fullBlocks + 1; step++)
        {
            final boolean finalization = step == fullBlocks + 1;
            final long m;
            if (step < fullBlocks)
            {
                m = buffer.getLong(offset + (step << 3), LITTLE_ENDIAN);
            }
            else
            {
                m = finalization ? 0 : lastBlock;
            }

            v3 ^= m;
            if (finalization)
            {
                v2 ^= 0xFF;
            }
            for (int round = 0, rounds = finalization ? FINALIZATION_ROUNDS : COMPRESSION_ROUNDS; round < rounds;
                round++)
            {
                // SipRound (paper §2, figure 2.1).
                v0 += v1;
                v1 = Long.rotateLeft(v1, 13);
                v1 ^= v0;
                v0 = Long.rotateLeft(v0, 32);
                v2 += v3;
                v3 = Long.rotateLeft(v3, 16);
                v3 ^= v2;
                v0 += v3;
                v3 = Long.rotateLeft(v3, 21);
                v3 ^= v0;
                v2 += v1;
                v1 = Long.rotateLeft(v1, 17);
                v1 ^= v2;
                v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }

        return v0 ^ v1 ^ v2 ^ v3;
    }
}
