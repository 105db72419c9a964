package io.jmtcp.wire;

/**
 * Why a received frame was not accepted. Every reason has its own counter in the context that
 * saw it (see {@link io.jmtcp.stats.StackCounters}), so a malformed or unwanted frame is always
 * visible and never silently lost.
 *
 * <p>{@link #NONE} is not a drop: parsers return it when a header is valid, which keeps the
 * parse path free of exceptions and allocation.
 */
public enum DropReason
{
    /** The header is valid; nothing was dropped. */
    NONE("accepted"),

    /** Frame shorter than an Ethernet header (or than its 802.1Q tags). */
    ETH_TRUNCATED("ethernet frame truncated"),
    /** EtherType that the stack does not handle (IPv6, LLDP, ...). */
    ETH_UNSUPPORTED_ETHERTYPE("unsupported ethertype"),
    /** Destination MAC is neither ours, nor broadcast. */
    ETH_NOT_FOR_US("ethernet destination not ours"),

    /** A frame with 802.1Q/802.1ad tags: the stack owns an untagged port and is on no VLAN. */
    ETH_VLAN_TAGGED("ethernet frame vlan tagged"),

    /** ARP packet shorter than 28 bytes. */
    ARP_TRUNCATED("arp truncated"),
    /** ARP for something other than Ethernet/IPv4 (htype 1, ptype 0x0800, hlen 6, plen 4). */
    ARP_UNSUPPORTED("arp hardware or protocol type unsupported"),
    /** ARP operation other than request (1) or reply (2). */
    ARP_BAD_OPERATION("arp operation unknown"),
    /**
     * ARP request or reply whose target is not our address: we stay silent (a sender already in
     * the cache is still updated from it, RFC 826 "merge").
     */
    ARP_NOT_FOR_US("arp target not ours"),

    /**
     * ARP whose sender MAC is zero or a group address: no host owns it, and learning it would
     * send a neighbour's traffic nowhere or everywhere (RFC 1812 §3.3.2).
     */
    ARP_BAD_SENDER("arp sender mac invalid"),
    /** ARP whose sender address is ours: our own looped-back frame or a conflict (RFC 5227 §2.4). */
    ARP_SENDER_IS_US("arp sender address is ours"),

    /** Fewer than 20 bytes after the link header. */
    IPV4_TRUNCATED("ipv4 truncated"),
    /** Version field other than 4. */
    IPV4_BAD_VERSION("ipv4 version not 4"),
    /** IHL below 5 (RFC 791: minimum header is 5 words). */
    IPV4_IHL_TOO_SMALL("ipv4 ihl < 5"),
    /** IHL says the header is longer than the bytes we have. */
    IPV4_HEADER_EXCEEDS_FRAME("ipv4 header longer than frame"),
    /** Total length is smaller than the header itself. */
    IPV4_TOTAL_LENGTH_TOO_SHORT("ipv4 total length shorter than header"),
    /** Total length is larger than the bytes the frame carries. */
    IPV4_TOTAL_LENGTH_EXCEEDS_FRAME("ipv4 total length longer than frame"),
    /** Header checksum does not verify (RFC 791, RFC 1071). */
    IPV4_BAD_CHECKSUM("ipv4 header checksum bad"),
    /** First fragment of a fragmented datagram (MF set, offset 0): the stack does not reassemble. */
    IPV4_FRAGMENT("ipv4 fragment (no reassembly)"),
    /** Fragment with a non-zero offset: never parsed as a transport header. */
    IPV4_NON_FIRST_FRAGMENT("ipv4 non-first fragment"),
    /**
     * A datagram addressed to our unicast IP that arrived as a link-layer broadcast: RFC 1122
     * §3.3.6 says to discard it silently.
     */
    IPV4_LINK_BROADCAST("ipv4 unicast in link broadcast"),
    /** Source address that no host may use (multicast, broadcast, 0.0.0.0 for non-ARP). */
    IPV4_BAD_SOURCE("ipv4 source address invalid"),
    /** Destination is not our address. */
    IPV4_NOT_FOR_US("ipv4 destination not ours"),
    /** Protocol other than ICMP and TCP. */
    IPV4_UNSUPPORTED_PROTOCOL("ipv4 protocol unsupported"),

    /** ICMP message shorter than its 8-byte header. */
    ICMP_TRUNCATED("icmp truncated"),
    /** ICMP checksum does not verify (RFC 792). */
    ICMP_BAD_CHECKSUM("icmp checksum bad"),
    /** ICMP type the stack does not act on. */
    ICMP_UNSUPPORTED_TYPE("icmp type unsupported"),
    /** Error message whose quoted header is too short to name a flow (RFC 792, RFC 1812 §4.3.2.3). */
    ICMP_BAD_QUOTE("icmp error quotes too little"),

    /** An echo request whose reply would not fit our MTU (the peer's MTU is larger). */
    ICMP_ECHO_TOO_LONG("icmp echo too long to answer"),
    /** An ICMP error that quotes a datagram other than a TCP segment of ours: nobody to tell. */
    ICMP_ERROR_NOT_OURS("icmp error not about our tcp"),

    /** TCP segment shorter than its 20-byte header. */
    TCP_TRUNCATED("tcp truncated"),
    /** Data offset below 5 words (RFC 9293 §3.1). */
    TCP_DATA_OFFSET_TOO_SMALL("tcp data offset < 5"),
    /** Data offset beyond the end of the segment. */
    TCP_DATA_OFFSET_EXCEEDS_SEGMENT("tcp data offset past segment"),
    /** An option with a length byte of 0 or 1 (RFC 9293 §3.1: length counts kind and length). */
    TCP_OPTION_LENGTH_INVALID("tcp option length < 2"),
    /** An option running past the end of the TCP header. */
    TCP_OPTION_EXCEEDS_HEADER("tcp option past header"),
    /** TCP checksum over pseudo-header, header and data does not verify (RFC 9293 §3.1). */
    TCP_BAD_CHECKSUM("tcp checksum bad"),
    /**
     * A valid segment that no connection or listener takes: every segment of a context without
     * a TCP engine, and with one, a RST for a closed port (which is not answered) or a segment
     * to a closed port (answered by RST, RFC 9293 §3.10.7.1).
     */
    TCP_NO_SOCKET("tcp no socket"),

    /** No route: the destination is off-link and no gateway is configured. */
    IPV4_NO_ROUTE("ipv4 no route to destination"),
    /**
     * We were asked to send to an address no datagram of ours may go to: our own, 0.0.0.0,
     * loopback, a broadcast or a multicast address (RFC 1122 §3.2.1.3 in the sending direction).
     */
    IPV4_BAD_DESTINATION("ipv4 destination invalid for sending"),
    /**
     * No room to queue a frame while its next hop is being resolved: the pool is full, or the
     * neighbour already holds its share and its oldest waiting frame makes way for this one.
     */
    ARP_PENDING_QUEUE_FULL("arp pending queue full"),
    /** ARP resolution gave up after its retries; the frames waiting for it are dropped. */
    ARP_RESOLUTION_FAILED("arp resolution failed"),
    /** Frames that waited for an incomplete neighbour whose cache slot was taken for another one. */
    ARP_EVICTED("arp entry evicted with frames pending"),
    /** The port refused a frame on transmit (ring full or I/O error). */
    TX_PORT_REFUSED("transmit refused by port");

    private final String description;

    DropReason(final String description)
    {
        this.description = description;
    }

    /**
     * Short human-readable text, used as the counter label.
     *
     * @return the description of this reason.
     */
    public String description()
    {
        return description;
    }
}
