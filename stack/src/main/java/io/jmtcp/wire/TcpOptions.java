package io.jmtcp.wire;

import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * The options of one TCP header, parsed into a reusable holder: one instance per context is
 * parsed into for every segment, so parsing allocates nothing.
 *
 * <pre>
 *  single-byte options:   +--------+
 *                         |  kind  |      0 end of option list, 1 no-operation
 *                         +--------+
 *  all other options:     +--------+--------+--------- - - - ----+
 *                         |  kind  | length |  length - 2 bytes   |
 *                         +--------+--------+--------- - - - ----+
 *
 *  kind  length  option                           value bytes
 *  ----  ------  -------------------------------  --------------------------------------
 *     2     4    maximum segment size             MSS (16)             RFC 9293 §3.2
 *     3     3    window scale                     shift count (8)      RFC 7323 §2.2
 *     4     2    SACK permitted                   -                    RFC 2018 §2
 *     5  2+8n    SACK, n = 1..4 blocks            n x (left, right)    RFC 2018 §3
 *     8    10    timestamps                       TSval (32) TSecr(32) RFC 7323 §3.2
 * </pre>
 *
 * <p>Parsing follows RFC 9293 §3.1: EOL ends the list, NOP is a single byte, every other
 * kind has a length byte that counts the kind and length bytes themselves. A structural error
 * (a length below 2, or an option running past the options area) leaves no way to find the
 * next option, so {@link #parse} reports it as a drop; RFC 9293 §3.1 (MUST-7) asks that an
 * illegal length be handled, and suggests resetting the connection, which is the engine's
 * call. Unknown kinds are skipped by their length and counted in {@link #unknownCount()}
 * (RFC 9293 §3.1, MUST-6: "ignore without error any TCP Option it does not implement"). A
 * known kind whose length differs from the one its definition fixes (RFC 9293 §3.2 for MSS,
 * RFC 7323 §2.2 and §3.2 for window scale and timestamps, RFC 2018 §2 and §3 for SACK) cannot
 * be interpreted, yet is still correctly delimited: it is ignored like an option the stack
 * does not implement, and counted in {@link #malformedCount()} rather than dropped. When a
 * kind appears twice, the last one wins.
 *
 * <p>Values are raw: the window scale is not clamped to 14 (RFC 7323 §2.3), the MSS is not
 * checked against anything, and SACK edges are sequence numbers to compare modulo
 * 2<sup>32</sup>. Those are the engine's decisions.
 */
public final class TcpOptions
{
    /** End of option list. */
    public static final int KIND_EOL = 0;
    /** No-operation. */
    public static final int KIND_NOP = 1;
    /** Maximum segment size. */
    public static final int KIND_MSS = 2;
    /** Window scale. */
    public static final int KIND_WINDOW_SCALE = 3;
    /** SACK permitted. */
    public static final int KIND_SACK_PERMITTED = 4;
    /** SACK blocks. */
    public static final int KIND_SACK = 5;
    /** Timestamps. */
    public static final int KIND_TIMESTAMPS = 8;

    /** Length of the MSS option. */
    public static final int LENGTH_MSS = 4;
    /** Length of the window scale option. */
    public static final int LENGTH_WINDOW_SCALE = 3;
    /** Length of the SACK-permitted option. */
    public static final int LENGTH_SACK_PERMITTED = 2;
    /** Length of the SACK option's kind and length bytes; each block adds {@link #SACK_BLOCK_LENGTH}. */
    public static final int LENGTH_SACK_BASE = 2;
    /** Length of one SACK block: left and right edges. */
    public static final int SACK_BLOCK_LENGTH = 8;
    /** Length of the timestamps option. */
    public static final int LENGTH_TIMESTAMPS = 10;
    /** The most SACK blocks that fit in 40 bytes of options (RFC 2018 §3). */
    public static final int MAX_SACK_BLOCKS = 4;

    private static final int KIND_OFFSET = 0;
    private static final int LENGTH_OFFSET = 1;
    private static final int VALUE_OFFSET = 2;

    private final int[] sackLefts = new int[MAX_SACK_BLOCKS];
    private final int[] sackRights = new int[MAX_SACK_BLOCKS];

    private boolean hasMss;
    private int mss;
    private boolean hasWindowScale;
    private int windowScale;
    private boolean sackPermitted;
    private boolean hasTimestamps;
    private int tsVal;
    private int tsEcr;
    private int sackBlockCount;
    private int malformedCount;
    private int unknownCount;

    /**
     * Parse an options area, replacing whatever the holder held.
     *
     * @param buffer holding the options.
     * @param offset of the first option byte ({@link TcpHeader#optionsOffset()}).
     * @param length of the options area ({@link TcpHeader#optionsLength()}), 0..40.
     * @return {@link DropReason#NONE} when the accessors may be used, else
     *         {@link DropReason#TCP_OPTION_EXCEEDS_HEADER} or
     *         {@link DropReason#TCP_OPTION_LENGTH_INVALID}; after an error the holder's values
     *         are those found before it and must not be acted upon.
     */
    public DropReason parse(final DirectBuffer buffer, final int offset, final int length)
    {
        reset();
        final int end = offset + length;
        int index = offset;
        while (index < end)
        {
            final int kind = buffer.getByte(index + KIND_OFFSET) & 0xFF;
            if (kind == KIND_EOL)
            {
                break;
            }
            if (kind == KIND_NOP)
            {
                index++;
                continue;
            }
            if (index + LENGTH_OFFSET >= end)
            {
                return DropReason.TCP_OPTION_EXCEEDS_HEADER;
            }
            final int optionLength = buffer.getByte(index + LENGTH_OFFSET) & 0xFF;
            if (optionLength < VALUE_OFFSET)
            {
                return DropReason.TCP_OPTION_LENGTH_INVALID;
            }
            if (optionLength > end - index)
            {
                return DropReason.TCP_OPTION_EXCEEDS_HEADER;
            }
            readOption(buffer, index, kind, optionLength);
            index += optionLength;
        }
        return DropReason.NONE;
    }

    private void readOption(final DirectBuffer buffer, final int index, final int kind, final int optionLength)
    {
        final int value = index + VALUE_OFFSET;
        switch (kind)
        {
            case KIND_MSS:
                if (optionLength == LENGTH_MSS)
                {
                    hasMss = true;
                    mss = buffer.getShort(value, BIG_ENDIAN) & 0xFFFF;
                }
                else
                {
                    malformedCount++;
                }
                break;

            case KIND_WINDOW_SCALE:
                if (optionLength == LENGTH_WINDOW_SCALE)
                {
                    hasWindowScale = true;
                    windowScale = buffer.getByte(value) & 0xFF;
                }
                else
                {
                    malformedCount++;
                }
                break;

            case KIND_SACK_PERMITTED:
                if (optionLength == LENGTH_SACK_PERMITTED)
                {
                    sackPermitted = true;
                }
                else
                {
                    malformedCount++;
                }
                break;

            case KIND_SACK:
                readSack(buffer, value, optionLength);
                break;

            case KIND_TIMESTAMPS:
                if (optionLength == LENGTH_TIMESTAMPS)
                {
                    hasTimestamps = true;
                    tsVal = buffer.getInt(value, BIG_ENDIAN);
                    tsEcr = buffer.getInt(value + 4, BIG_ENDIAN);
                }
                else
                {
                    malformedCount++;
                }
                break;

            default:
                unknownCount++;
                break;
        }
    }

    private void readSack(final DirectBuffer buffer, final int value, final int optionLength)
    {
        final int blocksLength = optionLength - LENGTH_SACK_BASE;
        final int blocks = blocksLength / SACK_BLOCK_LENGTH;
        // An empty SACK (length 2) carries nothing to act on: malformed, as tshark also calls it.
        if (blocksLength % SACK_BLOCK_LENGTH != 0 || blocks < 1 || blocks > MAX_SACK_BLOCKS)
        {
            malformedCount++;
            return;
        }
        for (int i = 0; i < blocks; i++)
        {
            sackLefts[i] = buffer.getInt(value + i * SACK_BLOCK_LENGTH, BIG_ENDIAN);
            sackRights[i] = buffer.getInt(value + i * SACK_BLOCK_LENGTH + 4, BIG_ENDIAN);
        }
        sackBlockCount = blocks;
    }

    /** Forget every option, as before a parse. */
    public void reset()
    {
        hasMss = false;
        mss = 0;
        hasWindowScale = false;
        windowScale = 0;
        sackPermitted = false;
        hasTimestamps = false;
        tsVal = 0;
        tsEcr = 0;
        sackBlockCount = 0;
        malformedCount = 0;
        unknownCount = 0;
    }

    /**
     * Whether a well-formed MSS option was present.
     *
     * @return true if {@link #mss()} holds a value.
     */
    public boolean hasMss()
    {
        return hasMss;
    }

    /**
     * Maximum segment size the sender can receive (RFC 9293 §3.7.1).
     *
     * @return 0..65535, meaningful only if {@link #hasMss()}.
     */
    public int mss()
    {
        return mss;
    }

    /**
     * Whether a well-formed window scale option was present.
     *
     * @return true if {@link #windowScale()} holds a value.
     */
    public boolean hasWindowScale()
    {
        return hasWindowScale;
    }

    /**
     * Window scale shift count as sent, not clamped (values above 14 are the engine's to
     * clamp, RFC 7323 §2.3).
     *
     * @return 0..255, meaningful only if {@link #hasWindowScale()}.
     */
    public int windowScale()
    {
        return windowScale;
    }

    /**
     * Whether a well-formed SACK-permitted option was present.
     *
     * @return true if the sender accepts SACK (RFC 2018 §2).
     */
    public boolean sackPermitted()
    {
        return sackPermitted;
    }

    /**
     * Whether a well-formed timestamps option was present.
     *
     * @return true if {@link #tsVal()} and {@link #tsEcr()} hold values.
     */
    public boolean hasTimestamps()
    {
        return hasTimestamps;
    }

    /**
     * Timestamp value (RFC 7323 §3.2).
     *
     * @return the 32-bit TSval, meaningful only if {@link #hasTimestamps()}.
     */
    public int tsVal()
    {
        return tsVal;
    }

    /**
     * Timestamp echo reply (RFC 7323 §3.2).
     *
     * @return the 32-bit TSecr, meaningful only if {@link #hasTimestamps()}.
     */
    public int tsEcr()
    {
        return tsEcr;
    }

    /**
     * Number of SACK blocks in a well-formed SACK option.
     *
     * @return 0..4.
     */
    public int sackBlockCount()
    {
        return sackBlockCount;
    }

    /**
     * Left edge of a SACK block: the first sequence number of the block (RFC 2018 §3).
     *
     * @param index 0 .. {@link #sackBlockCount()} - 1, in the order sent.
     * @return the 32-bit edge.
     */
    public int sackLeft(final int index)
    {
        return sackLefts[index];
    }

    /**
     * Right edge of a SACK block: the sequence number just after the block (RFC 2018 §3).
     *
     * @param index 0 .. {@link #sackBlockCount()} - 1, in the order sent.
     * @return the 32-bit edge.
     */
    public int sackRight(final int index)
    {
        return sackRights[index];
    }

    /**
     * Known options ignored for a wrong length, for example an empty SACK.
     *
     * @return the count in the last parse.
     */
    public int malformedCount()
    {
        return malformedCount;
    }

    /**
     * Options of kinds this parser does not know, skipped by their length.
     *
     * @return the count in the last parse.
     */
    public int unknownCount()
    {
        return unknownCount;
    }
}
