package io.jmtcp.stats;

/**
 * The event counters every context keeps, beside one counter per
 * {@link io.jmtcp.wire.DropReason}. Each constant is one Agrona counter whose label is
 * {@code "<context>: <description>"}.
 */
public enum StackCounter
{
    /** Frames handed to the stack by its port. */
    RX_FRAMES("rx frames"),
    /** Bytes of those frames. */
    RX_BYTES("rx bytes"),
    /** Frames the port accepted for transmission. */
    TX_FRAMES("tx frames"),
    /** Bytes of those frames. */
    TX_BYTES("tx bytes"),
    /** Valid IPv4 datagrams addressed to us. */
    IPV4_IN("ipv4 datagrams in"),
    /** ARP requests received for our address. */
    ARP_REQUESTS_IN("arp requests in"),
    /** ARP replies received (for any resolution of ours or unsolicited). */
    ARP_REPLIES_IN("arp replies in"),
    /** ARP requests sent while resolving a next hop, including refreshes. */
    ARP_REQUESTS_OUT("arp requests out"),
    /** ARP replies sent for our address. */
    ARP_REPLIES_OUT("arp replies out"),
    /** Gratuitous ARP announcements sent (RFC 5227 §2.3). */
    ARP_ANNOUNCEMENTS_OUT("arp announcements out"),
    /** ARP packets from another host claiming our address (RFC 5227 §2.4). */
    ARP_CONFLICTS("arp address conflicts"),
    /** Next hops resolved (a pending entry became complete). */
    ARP_RESOLVED("arp resolutions"),
    /** Frames that waited for ARP and were sent once the next hop resolved. */
    ARP_PENDING_SENT("arp pending frames sent"),
    /** ICMP echo requests received. */
    ICMP_ECHO_REQUESTS_IN("icmp echo requests in"),
    /** ICMP echo replies sent. */
    ICMP_ECHO_REPLIES_OUT("icmp echo replies out"),
    /** ICMP echo requests sent by the stack's own pinger. */
    ICMP_ECHO_REQUESTS_OUT("icmp echo requests out"),
    /** ICMP echo replies received (the echo listener, if any, is told of each). */
    ICMP_ECHO_REPLIES_IN("icmp echo replies in"),
    /** ICMP destination-unreachable and time-exceeded messages received. */
    ICMP_ERRORS_IN("icmp errors in"),
    /** ICMP errors the stack sent (protocol unreachable). */
    ICMP_ERRORS_OUT("icmp errors out"),
    /** ICMP errors not sent because of the rate limit (RFC 1812 §4.3.2.8). */
    ICMP_ERRORS_RATE_LIMITED("icmp errors rate limited"),
    /** Valid TCP segments handed to the transport. */
    TCP_SEGMENTS_IN("tcp segments in"),
    /**
     * Exceptions caught at the duty-cycle boundary. Always a bug: the frame that caused it was
     * dropped and the context went on.
     */
    INTERNAL_ERRORS("internal errors");

    private final String description;

    StackCounter(final String description)
    {
        this.description = description;
    }

    /**
     * Short human-readable text, used as the counter label.
     *
     * @return the description.
     */
    public String description()
    {
        return description;
    }
}
