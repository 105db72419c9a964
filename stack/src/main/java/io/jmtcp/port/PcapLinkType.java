package io.jmtcp.port;

/**
 * Link-layer header types (the {@code LINKTYPE_*} values of the tcpdump.org registry) that the
 * stack and its tests meet in capture files. A capture file records one per file (pcap) or one per
 * interface (pcapng); {@link PcapFileReader} passes the value through unchanged.
 */
public final class PcapLinkType
{
    /** BSD loopback: a 4-byte host-order address family, then the packet. */
    public static final int NULL = 0;

    /** Ethernet II / IEEE 802.3 ({@code DLT_EN10MB}): what every {@link PacketPort} carries. */
    public static final int ETHERNET = 1;

    /** Raw IP: the packet starts with its IPv4 or IPv6 header. */
    public static final int RAW = 101;

    /** Linux "cooked" capture v1 ({@code any} device): a 16-byte pseudo-header, then the packet. */
    public static final int LINUX_SLL = 113;

    /** Linux "cooked" capture v2: a 20-byte pseudo-header, then the packet. */
    public static final int LINUX_SLL2 = 276;

    private PcapLinkType()
    {
    }
}
