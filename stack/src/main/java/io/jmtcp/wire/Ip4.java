package io.jmtcp.wire;

/**
 * IPv4 addresses held in an {@code int}, most significant byte first: {@code 192.0.2.1} is
 * {@code 0xC0000201}, the value {@link org.agrona.DirectBuffer#getInt(int, java.nio.ByteOrder)}
 * returns for the address bytes read in network byte order. Addresses are primitives so that
 * they can key primitive maps and travel without allocation.
 */
public final class Ip4
{
    /** Length of an address on the wire, in bytes. */
    public static final int LENGTH = 4;

    /** 0.0.0.0, "this host on this network" (RFC 1122 §3.2.1.3 (a)). */
    public static final int UNSPECIFIED = 0;

    /** 255.255.255.255, the limited broadcast address (RFC 1122 §3.2.1.3 (c)). */
    public static final int LIMITED_BROADCAST = 0xFFFF_FFFF;

    private static final int MAX_PREFIX_LENGTH = 32;

    private Ip4()
    {
    }

    /**
     * Parse a strict dotted quad: exactly four decimal numbers from 0 to 255 separated by dots,
     * with no sign, no spaces and no leading zeros (so that {@code 010} is not silently read as
     * octal 8, as {@code inet_aton} would, nor as decimal 10).
     *
     * @param text the address as text, for example {@code 198.18.0.1}.
     * @return the address.
     * @throws IllegalArgumentException naming {@code text} when it is not a strict dotted quad.
     */
    public static int parse(final String text)
    {
        if (text == null)
        {
            throw new IllegalArgumentException("not an IPv4 address (expected a.b.c.d): null");
        }
        final int length = text.length();
        int address = 0;
        int octets = 0;
        int index = 0;
        while (true)
        {
            final int start = index;
            int value = 0;
            while (index < length && index - start < 3)
            {
                final char c = text.charAt(index);
                if (c < '0' || c > '9')
                {
                    break;
                }
                value = value * 10 + (c - '0');
                index++;
            }
            final int digits = index - start;
            if (digits == 0 || value > 255 || (digits > 1 && text.charAt(start) == '0'))
            {
                throw new IllegalArgumentException("not an IPv4 address (expected a.b.c.d): " + text);
            }
            address = (address << 8) | value;
            octets++;
            if (octets == LENGTH)
            {
                break;
            }
            if (index >= length || text.charAt(index) != '.')
            {
                throw new IllegalArgumentException("not an IPv4 address (expected a.b.c.d): " + text);
            }
            index++;
        }
        if (index != length)
        {
            throw new IllegalArgumentException("not an IPv4 address (expected a.b.c.d): " + text);
        }
        return address;
    }

    /**
     * Format an address as a dotted quad.
     *
     * @param address the address.
     * @return the text form, for example {@code 198.18.0.1}.
     */
    public static String format(final int address)
    {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." +
            (address & 0xFF);
    }

    /**
     * The network mask of a prefix length: {@code mask(24)} is 255.255.255.0.
     *
     * @param prefixLength from 0 to 32.
     * @return the mask, 0 for a prefix length of 0.
     * @throws IllegalArgumentException if the prefix length is outside 0..32.
     */
    public static int mask(final int prefixLength)
    {
        if (prefixLength < 0 || prefixLength > MAX_PREFIX_LENGTH)
        {
            throw new IllegalArgumentException("prefix length must be 0..32: " + prefixLength);
        }
        // Java masks a shift distance to 5 bits, so -1 << 32 would be -1, not 0: handle /0 apart.
        return prefixLength == 0 ? 0 : -1 << (MAX_PREFIX_LENGTH - prefixLength);
    }

    /**
     * Whether two addresses are on the same subnet, the on-link test of RFC 1122 §3.3.1.1.
     *
     * @param a            one address.
     * @param b            the other address.
     * @param prefixLength of the subnet, from 0 to 32.
     * @return true when both addresses share the first {@code prefixLength} bits.
     * @throws IllegalArgumentException if the prefix length is outside 0..32.
     */
    public static boolean sameSubnet(final int a, final int b, final int prefixLength)
    {
        return ((a ^ b) & mask(prefixLength)) == 0;
    }

    /**
     * Whether an address is class D, 224.0.0.0/4 (RFC 5771).
     *
     * @param address the address.
     * @return true for multicast addresses.
     */
    public static boolean isMulticast(final int address)
    {
        return (address >>> 28) == 0xE;
    }

    /**
     * Whether an address is 255.255.255.255 (RFC 1122 §3.2.1.3 (c)).
     *
     * @param address the address.
     * @return true for the limited broadcast address.
     */
    public static boolean isLimitedBroadcast(final int address)
    {
        return address == LIMITED_BROADCAST;
    }

    /**
     * Whether an address is 0.0.0.0 (RFC 1122 §3.2.1.3 (a)): legal only as a source while a
     * host learns its own address.
     *
     * @param address the address.
     * @return true for 0.0.0.0.
     */
    public static boolean isUnspecified(final int address)
    {
        return address == UNSPECIFIED;
    }

    /**
     * Whether an address is in 127.0.0.0/8, which must never appear on a network
     * (RFC 1122 §3.2.1.3 (g)).
     *
     * @param address the address.
     * @return true for loopback addresses.
     */
    public static boolean isLoopback(final int address)
    {
        return (address >>> 24) == 127;
    }
}
