package io.jmtcp.net;

import io.jmtcp.wire.Ip4;
import io.jmtcp.wire.Mac;

/**
 * The addresses of one stack interface: its MAC, its IPv4 address and prefix, an optional
 * default gateway and the MTU. Immutable and validated when built, so that every layer can
 * trust it.
 */
public final class InterfaceConfig
{
    /** The smallest MTU every IPv4 host must accept (RFC 791 §3.1: 68 octets). */
    public static final int MIN_MTU = 68;
    /** The largest MTU we build frames for (jumbo frames). */
    public static final int MAX_MTU = 9000;
    /** The Ethernet default MTU. */
    public static final int DEFAULT_MTU = 1500;
    /** Gateway value meaning "no gateway": only on-link destinations are reachable. */
    public static final int NO_GATEWAY = 0;

    private final long mac;
    private final int address;
    private final int prefixLength;
    private final int gateway;
    private final int mtu;

    /**
     * A validated interface configuration.
     *
     * @param mac          the interface MAC (low 48 bits); must be unicast and non-zero.
     * @param address      our IPv4 address; must be a usable unicast host address.
     * @param prefixLength the on-link prefix, 1..32.
     * @param gateway      the default gateway, on-link, or {@link #NO_GATEWAY}.
     * @param mtu          the IP MTU, {@link #MIN_MTU}..{@link #MAX_MTU}.
     * @throws IllegalArgumentException naming the first value that is wrong.
     */
    public InterfaceConfig(final long mac, final int address, final int prefixLength, final int gateway, final int mtu)
    {
        if (mac == 0 || (mac & ~0xFFFF_FFFF_FFFFL) != 0 || (mac & 0x0100_0000_0000L) != 0)
        {
            throw new IllegalArgumentException("MAC must be a non-zero unicast address: " + Mac.format(mac));
        }
        if (prefixLength < 1 || prefixLength > 32)
        {
            throw new IllegalArgumentException("prefix length must be 1..32: " + prefixLength);
        }
        if (Ip4.isUnspecified(address) || Ip4.isMulticast(address) || Ip4.isLimitedBroadcast(address) ||
            Ip4.isLoopback(address))
        {
            throw new IllegalArgumentException("not a usable host address: " + Ip4.format(address));
        }
        if (prefixLength <= 30 && (address & ~Ip4.mask(prefixLength)) == ~Ip4.mask(prefixLength))
        {
            throw new IllegalArgumentException(
                "address is the subnet broadcast address: " + Ip4.format(address) + "/" + prefixLength);
        }
        if (gateway != NO_GATEWAY && (gateway == address || !Ip4.sameSubnet(gateway, address, prefixLength)))
        {
            throw new IllegalArgumentException("gateway " + Ip4.format(gateway) + " is not another host on " +
                Ip4.format(address) + "/" + prefixLength);
        }
        if (mtu < MIN_MTU || mtu > MAX_MTU)
        {
            throw new IllegalArgumentException("MTU must be " + MIN_MTU + ".." + MAX_MTU + ": " + mtu);
        }
        this.mac = mac;
        this.address = address;
        this.prefixLength = prefixLength;
        this.gateway = gateway;
        this.mtu = mtu;
    }

    /**
     * Parse the textual form the command line uses.
     *
     * @param mac         {@code aa:bb:cc:dd:ee:ff}.
     * @param cidr        {@code a.b.c.d/n}.
     * @param gateway     {@code a.b.c.d}, or null for none.
     * @param mtu         the IP MTU.
     * @return the validated configuration.
     * @throws IllegalArgumentException naming the value that is wrong.
     */
    public static InterfaceConfig parse(final String mac, final String cidr, final String gateway, final int mtu)
    {
        final int slash = cidr.indexOf('/');
        if (slash < 0)
        {
            throw new IllegalArgumentException("address must be a.b.c.d/prefix: " + cidr);
        }
        final int prefix;
        try
        {
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("prefix length is not a number: " + cidr, ex);
        }
        return new InterfaceConfig(
            Mac.parse(mac),
            Ip4.parse(cidr.substring(0, slash)),
            prefix,
            gateway == null ? NO_GATEWAY : Ip4.parse(gateway),
            mtu);
    }

    /**
     * The next hop for a destination: the destination itself when on-link, else the gateway.
     *
     * @param destination an IPv4 address.
     * @return the address to resolve with ARP, or {@link #NO_GATEWAY} when unreachable.
     */
    public int nextHop(final int destination)
    {
        return Ip4.sameSubnet(destination, address, prefixLength) ? destination : gateway;
    }

    /**
     * @return the interface MAC.
     */
    public long mac()
    {
        return mac;
    }

    /**
     * @return our IPv4 address.
     */
    public int address()
    {
        return address;
    }

    /**
     * @return the on-link prefix length.
     */
    public int prefixLength()
    {
        return prefixLength;
    }

    /**
     * @return the gateway, or {@link #NO_GATEWAY}.
     */
    public int gateway()
    {
        return gateway;
    }

    /**
     * @return the IP MTU.
     */
    public int mtu()
    {
        return mtu;
    }

    @Override
    public String toString()
    {
        return "mac=" + Mac.format(mac) + " ip=" + Ip4.format(address) + "/" + prefixLength +
            (gateway == NO_GATEWAY ? "" : " gateway=" + Ip4.format(gateway)) + " mtu=" + mtu;
    }
}
