package io.jmtcp.wire;

import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * Writes TCP options into the options area of a header being built, one option per call, each
 * returning the bytes it wrote so that calls chain:
 *
 * <pre>
 *   int n = TcpOptionsWriter.writeMss(b, at, 1460);
 *   n += TcpOptionsWriter.writeNop(b, at + n);
 *   n += TcpOptionsWriter.writeWindowScale(b, at + n, 7);
 *   n += TcpOptionsWriter.writeSackPermitted(b, at + n);
 *   n += TcpOptionsWriter.writeTimestamps(b, at + n, tsVal, 0);
 *   n = TcpOptionsWriter.padToWord(b, at, n);     // header length = 20 + n
 * </pre>
 *
 * <p>Layouts are those of {@link TcpOptions}. Alignment is the caller's choice: RFC 7323
 * Appendix A suggests NOP, NOP before timestamps so that they sit on a 32-bit boundary.
 */
public final class TcpOptionsWriter
{
    private static final int KIND_OFFSET = 0;
    private static final int LENGTH_OFFSET = 1;
    private static final int VALUE_OFFSET = 2;
    private static final int WORD = 4;

    private TcpOptionsWriter()
    {
    }

    /**
     * Write a maximum segment size option (RFC 9293 §3.2).
     *
     * @param buffer to write into.
     * @param offset of the option's first byte.
     * @param mss    the largest segment this side can receive.
     * @return 4.
     */
    public static int writeMss(final MutableDirectBuffer buffer, final int offset, final int mss)
    {
        writeKindAndLength(buffer, offset, TcpOptions.KIND_MSS, TcpOptions.LENGTH_MSS);
        buffer.putShort(offset + VALUE_OFFSET, (short)mss, BIG_ENDIAN);
        return TcpOptions.LENGTH_MSS;
    }

    /**
     * Write a window scale option (RFC 7323 §2.2); only valid on a SYN.
     *
     * @param buffer to write into.
     * @param offset of the option's first byte.
     * @param shift  the shift count, 0..14 (RFC 7323 §2.3).
     * @return 3.
     */
    public static int writeWindowScale(final MutableDirectBuffer buffer, final int offset, final int shift)
    {
        writeKindAndLength(buffer, offset, TcpOptions.KIND_WINDOW_SCALE, TcpOptions.LENGTH_WINDOW_SCALE);
        buffer.putByte(offset + VALUE_OFFSET, (byte)shift);
        return TcpOptions.LENGTH_WINDOW_SCALE;
    }

    /**
     * Write a SACK-permitted option (RFC 2018 §2); only valid on a SYN.
     *
     * @param buffer to write into.
     * @param offset of the option's first byte.
     * @return 2.
     */
    public static int writeSackPermitted(final MutableDirectBuffer buffer, final int offset)
    {
        writeKindAndLength(buffer, offset, TcpOptions.KIND_SACK_PERMITTED, TcpOptions.LENGTH_SACK_PERMITTED);
        return TcpOptions.LENGTH_SACK_PERMITTED;
    }

    /**
     * Write a timestamps option (RFC 7323 §3.2).
     *
     * @param buffer to write into.
     * @param offset of the option's first byte.
     * @param tsVal  this side's timestamp clock.
     * @param tsEcr  the timestamp being echoed, 0 when none (RFC 7323 §3.2).
     * @return 10.
     */
    public static int writeTimestamps(final MutableDirectBuffer buffer, final int offset, final int tsVal, final int tsEcr)
    {
        writeKindAndLength(buffer, offset, TcpOptions.KIND_TIMESTAMPS, TcpOptions.LENGTH_TIMESTAMPS);
        buffer.putInt(offset + VALUE_OFFSET, tsVal, BIG_ENDIAN);
        buffer.putInt(offset + VALUE_OFFSET + 4, tsEcr, BIG_ENDIAN);
        return TcpOptions.LENGTH_TIMESTAMPS;
    }

    /**
     * Write a SACK option (RFC 2018 §3) with the first {@code count} blocks of the arrays, in
     * that order (RFC 2018 §4: the block holding the most recent segment first).
     *
     * @param buffer to write into.
     * @param offset of the option's first byte.
     * @param lefts  left edges.
     * @param rights right edges.
     * @param count  blocks to write, 1..4 (at most 3 fit beside timestamps).
     * @return 2 + 8 * {@code count}.
     * @throws IllegalArgumentException if {@code count} is outside 1..4.
     */
    public static int writeSackBlocks(
        final MutableDirectBuffer buffer, final int offset, final int[] lefts, final int[] rights, final int count)
    {
        if (count < 1 || count > TcpOptions.MAX_SACK_BLOCKS)
        {
            throw new IllegalArgumentException("SACK block count must be 1..4: " + count);
        }
        final int length = TcpOptions.LENGTH_SACK_BASE + count * TcpOptions.SACK_BLOCK_LENGTH;
        writeKindAndLength(buffer, offset, TcpOptions.KIND_SACK, length);
        for (int i = 0; i < count; i++)
        {
            final int at = offset + VALUE_OFFSET + i * TcpOptions.SACK_BLOCK_LENGTH;
            buffer.putInt(at, lefts[i], BIG_ENDIAN);
            buffer.putInt(at + 4, rights[i], BIG_ENDIAN);
        }
        return length;
    }

    /**
     * Write a no-operation option, used to align the next option (RFC 9293 §3.2).
     *
     * @param buffer to write into.
     * @param offset of the byte to write.
     * @return 1.
     */
    public static int writeNop(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putByte(offset, (byte)TcpOptions.KIND_NOP);
        return 1;
    }

    /**
     * Pad the options to a multiple of 4 bytes, so that the header length can be expressed in
     * 32-bit words. The padding is zero bytes: the first is an end-of-option-list and the rest
     * are the zero padding RFC 9293 §3.1 puts after it.
     *
     * @param buffer        to write into.
     * @param offset        of the first option byte (not of the padding).
     * @param lengthSoFar   bytes of options already written from {@code offset}.
     * @return the padded options length, a multiple of 4.
     */
    public static int padToWord(final MutableDirectBuffer buffer, final int offset, final int lengthSoFar)
    {
        final int padded = (lengthSoFar + WORD - 1) & -WORD;
        for (int i = lengthSoFar; i < padded; i++)
        {
            buffer.putByte(offset + i, (byte)TcpOptions.KIND_EOL);
        }
        return padded;
    }

    private static void writeKindAndLength(final MutableDirectBuffer buffer, final int offset, final int kind, final int length)
    {
        buffer.putByte(offset + KIND_OFFSET, (byte)kind);
        buffer.putByte(offset + LENGTH_OFFSET, (byte)length);
    }
}
