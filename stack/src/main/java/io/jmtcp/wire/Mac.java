package io.jmtcp.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * IEEE 802 MAC-48 addresses held in the low 48 bits of a {@code long}, so that an address is a
 * primitive: it can key a primitive map, be compared with {@code ==} and be passed around
 * without allocation.
 *
 * <pre>
 *  byte   0    1    2    3    4    5
 *       +----+----+----+----+----+----+
 *       | aa | bb | cc | dd | ee | ff |   on the wire, first byte first (IEEE 802-2014 clause 8)
 *       +----+----+----+----+----+----+
 *  long  0x0000_aabb_ccdd_eeff
 * </pre>
 *
 * <p>The first byte on the wire is the most significant byte of the 48-bit value, so the I/G
 * (group) bit, the least significant bit of the first byte, is bit 40 of the {@code long}.
 */
public final class Mac
{
    /** The all-ones broadcast address ff:ff:ff:ff:ff:ff. */
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    /** Length of an address on the wire, in bytes. */
    public static final int LENGTH = 6;

    /** Mask of the 48 address bits in a {@code long}. */
    public static final long MASK = 0xFFFF_FFFF_FFFFL;

    /** The I/G bit: set for group (multicast and broadcast) addresses (IEEE 802-2014 clause 8). */
    private static final long GROUP_BIT = 0x0100_0000_0000L;

    private static final int FORMATTED_LENGTH = 17;
    private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();

    private Mac()
    {
    }

    /**
     * Read an address from the wire.
     *
     * @param buffer holding the address.
     * @param offset of its first byte.
     * @return the address in the low 48 bits.
     */
    public static long read(final DirectBuffer buffer, final int offset)
    {
        final long high = buffer.getShort(offset, BIG_ENDIAN) & 0xFFFFL;
        final long low = buffer.getInt(offset + 2, BIG_ENDIAN) & 0xFFFF_FFFFL;
        return (high << 32) | low;
    }

    /**
     * Write an address to the wire.
     *
     * @param buffer to write into.
     * @param offset of the first byte.
     * @param mac    the address in the low 48 bits; the upper 16 bits are ignored.
     */
    public static void write(final MutableDirectBuffer buffer, final int offset, final long mac)
    {
        buffer.putShort(offset, (short)(mac >>> 32), BIG_ENDIAN);
        buffer.putInt(offset + 2, (int)mac, BIG_ENDIAN);
    }

    /**
     * Whether an address is a group address (multicast or broadcast): the I/G bit of the first
     * byte on the wire is set.
     *
     * @param mac the address.
     * @return true for multicast and broadcast addresses.
     */
    public static boolean isGroup(final long mac)
    {
        return (mac & GROUP_BIT) != 0;
    }

    /**
     * Parse the usual text form: six groups of exactly two hexadecimal digits separated by
     * colons, such as {@code 00:1b:21:3a:4f:5e} (either letter case).
     *
     * @param text the address as text.
     * @return the address in the low 48 bits.
     * @throws IllegalArgumentException naming {@code text} when it is not in that form.
     */
    public static long parse(final String text)
    {
        if (text == null || text.length() != FORMATTED_LENGTH)
        {
            throw new IllegalArgumentException("not a MAC address (expected aa:bb:cc:dd:ee:ff): " + text);
        }
        long mac = 0;
        for (int group = 0; group < LENGTH; group++)
        {
            final int at = group * 3;
            if (group > 0 && text.charAt(at - 1) != ':')
            {
                throw new IllegalArgumentException("not a MAC address (expected aa:bb:cc:dd:ee:ff): " + text);
            }
            final int high = Character.digit(text.charAt(at), 16);
            final int low = Character.digit(text.charAt(at + 1), 16);
            if (high < 0 || low < 0)
            {
                throw new IllegalArgumentException("not a MAC address (expected aa:bb:cc:dd:ee:ff): " + text);
            }
            mac = (mac << 8) | (high << 4) | low;
        }
        return mac;
    }

    /**
     * Format an address as six lower-case hexadecimal pairs separated by colons.
     *
     * @param mac the address in the low 48 bits.
     * @return the text form, for example {@code 00:1b:21:3a:4f:5e}.
     */
    public static String format(final long mac)
    {
        final char[] text = new char[FORMATTED_LENGTH];
        for (int group = 0; group < LENGTH; group++)
        {
            final int value = (int)(mac >>> (40 - 8 * group)) & 0xFF;
            final int at = group * 3;
            text[at] = HEX_DIGITS[value >>> 4];
            text[at + 1] = HEX_DIGITS[value & 0xF];
            if (group < LENGTH - 1)
            {
                text[at + 2] = ':';
            }
        }
        return new String(text);
    }
}
