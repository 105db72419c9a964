package io.jmtcp.wire;

import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * The Internet checksum of IPv4, ICMP and TCP: the 16-bit one's complement of the one's
 * complement sum of the data taken as 16-bit big-endian words (RFC 1071), and its incremental
 * update when a field changes (RFC 1624).
 *
 * <p>A checksum is built in three steps, so that a TCP segment's pseudo-header, header and
 * payload can be summed from different places without copying:
 *
 * <pre>
 *   int sum = InternetChecksum.pseudoHeaderSum(src, dst, Ipv4Header.PROTOCOL_TCP, length);
 *   sum = InternetChecksum.partialSum(buffer, offset, length, sum);
 *   int checksum = InternetChecksum.finish(sum);
 * </pre>
 *
 * <p>Intermediate sums are unsigned 32-bit values in an {@code int}. Because 2<sup>16</sup> is
 * congruent to 1 modulo 0xFFFF, any carry out of the low 16 bits may be added back at any
 * time (the "deferred carries" of RFC 1071 §2 (D)), so a partial sum only needs to be folded
 * to 16 bits once, in {@link #finish(int)}.
 */
public final class InternetChecksum
{
    private static final long LOW_32_BITS = 0xFFFF_FFFFL;

    private InternetChecksum()
    {
    }

    /**
     * Add a run of bytes to a running one's complement sum.
     *
     * <p>The bytes are taken as big-endian 16-bit words starting at {@code offset}. A final
     * odd byte is taken as the high-order byte of a word whose low byte is zero (the last
     * octet "is padded on the right with zeros", RFC 9293 §3.1). Therefore only the <em>last</em> run of a checksum may have an odd length: a run
     * that follows an odd-length run would be summed one byte out of phase. Sum the pieces of
     * a message in order, giving every piece but the last an even length.
     *
     * <p>The sum is computed eight bytes at a time: each 64-bit big-endian load is split into
     * two 32-bit halves that are added into a {@code long}, which cannot overflow for any
     * buffer a Java array or direct buffer can hold; the carries are folded back at the end.
     *
     * @param buffer  holding the bytes.
     * @param offset  of the first byte.
     * @param length  number of bytes, 0 or more.
     * @param initial a previous result of this method or of {@link #pseudoHeaderSum}, or 0;
     *                read as an unsigned 32-bit value.
     * @return the running sum as an unsigned 32-bit value, not yet folded to 16 bits.
     */
    public static int partialSum(final DirectBuffer buffer, final int offset, final int length, final int initial)
    {
        long sum = initial & LOW_32_BITS;
        int index = offset;
        final int end = offset + length;

        final int wideEnd = end - 32;
        while (index <= wideEnd)
        {
            final long a = buffer.getLong(index, BIG_ENDIAN);
            final long b = buffer.getLong(index + 8, BIG_ENDIAN);
            final long c = buffer.getLong(index + 16, BIG_ENDIAN);
            final long d = buffer.getLong(index + 24, BIG_ENDIAN);
            sum += (a >>> 32) + (a & LOW_32_BITS) + (b >>> 32) + (b & LOW_32_BITS) +
                (c >>> 32) + (c & LOW_32_BITS) + (d >>> 32) + (d & LOW_32_BITS);
            index += 32;
        }

        while (index <= end - 8)
        {
            final long word = buffer.getLong(index, BIG_ENDIAN);
            sum += (word >>> 32) + (word & LOW_32_BITS);
            index += 8;
        }

        if (index <= end - 4)
        {
            sum += buffer.getInt(index, BIG_ENDIAN) & LOW_32_BITS;
            index += 4;
        }

        if (index <= end - 2)
        {
            sum += buffer.getShort(index, BIG_ENDIAN) & 0xFFFF;
            index += 2;
        }

        if (index < end)
        {
            sum += (buffer.getByte(index) & 0xFF) << 8;
        }

        // 2^32 is congruent to 1 modulo 0xFFFF, so adding the high half to the low half keeps
        // the one's complement sum; twice is enough to bring any long below 2^32.
        sum = (sum & LOW_32_BITS) + (sum >>> 32);
        sum = (sum & LOW_32_BITS) + (sum >>> 32);
        return (int)sum;
    }

    /**
     * The sum of the IPv4 pseudo-header that TCP (RFC 9293 §3.1) and UDP prepend to their
     * checksum: source address, destination address, zero, protocol and the transport length.
     *
     * <pre>
     * +--------+--------+--------+--------+
     * |           Source Address          |
     * +--------+--------+--------+--------+
     * |         Destination Address       |
     * +--------+--------+--------+--------+
     * |  zero  |  PTCL  |    TCP Length   |
     * +--------+--------+--------+--------+
     * </pre>
     *
     * @param source      IPv4 source address.
     * @param destination IPv4 destination address.
     * @param protocol    IP protocol number, for example {@link Ipv4Header#PROTOCOL_TCP}.
     * @param l4Length    length of the transport header and data in bytes (0..65535).
     * @return a sum to pass as {@code initial} to {@link #partialSum}.
     */
    public static int pseudoHeaderSum(final int source, final int destination, final int protocol, final int l4Length)
    {
        return (source >>> 16) + (source & 0xFFFF) + (destination >>> 16) + (destination & 0xFFFF) +
            (protocol & 0xFF) + (l4Length & 0xFFFF);
    }

    /**
     * Fold a running sum to 16 bits with end-around carries and complement it.
     *
     * @param sum a running sum from {@link #partialSum} or {@link #pseudoHeaderSum}.
     * @return the checksum to store, 0..0xFFFF.
     */
    public static int finish(final int sum)
    {
        return ~fold(sum) & 0xFFFF;
    }

    /**
     * The checksum of one contiguous run of bytes.
     *
     * @param buffer holding the bytes.
     * @param offset of the first byte.
     * @param length number of bytes.
     * @return the checksum, 0..0xFFFF.
     */
    public static int checksum(final DirectBuffer buffer, final int offset, final int length)
    {
        return finish(partialSum(buffer, offset, length, 0));
    }

    /**
     * Verify data that contains its own checksum field: the one's complement sum over it, the
     * stored checksum included, is all ones (RFC 1071 §1, step (3)).
     *
     * @param buffer  holding the bytes.
     * @param offset  of the first byte.
     * @param length  number of bytes.
     * @param initial a pseudo-header sum, or 0 when there is none.
     * @return true if the checksum verifies.
     */
    public static boolean verify(final DirectBuffer buffer, final int offset, final int length, final int initial)
    {
        return fold(partialSum(buffer, offset, length, initial)) == 0xFFFF;
    }

    /**
     * Update a checksum after one aligned 16-bit word of the covered data changed, without
     * summing the data again: RFC 1624 §3, eqn. 3, HC' = ~(~HC + ~m + m'). Eqn. 3 rather than
     * RFC 1141's eqn. 2 so that the result never becomes the -0 value 0xFFFF that a full
     * recomputation would not produce (RFC 1624 §3).
     *
     * @param oldChecksum the checksum stored before the change (HC).
     * @param oldWord     the word's old value (m).
     * @param newWord     the word's new value (m').
     * @return the new checksum (HC').
     */
    public static int update16(final int oldChecksum, final int oldWord, final int newWord)
    {
        final int sum = (~oldChecksum & 0xFFFF) + (~oldWord & 0xFFFF) + (newWord & 0xFFFF);
        return ~fold(sum) & 0xFFFF;
    }

    /**
     * Update a checksum after an aligned 32-bit field (an address, a sequence number) changed:
     * RFC 1624 §3, eqn. 3, applied to both of its 16-bit halves at once.
     *
     * @param oldChecksum the checksum stored before the change.
     * @param oldValue    the field's old value.
     * @param newValue    the field's new value.
     * @return the new checksum.
     */
    public static int update32(final int oldChecksum, final int oldValue, final int newValue)
    {
        final int sum = (~oldChecksum & 0xFFFF) + (~oldValue >>> 16) + (~oldValue & 0xFFFF) +
            (newValue >>> 16) + (newValue & 0xFFFF);
        return ~fold(sum) & 0xFFFF;
    }

    private static int fold(final int sum)
    {
        int folded = (sum >>> 16) + (sum & 0xFFFF);
        folded = (folded >>> 16) + (folded & 0xFFFF);
        return folded;
    }
}
