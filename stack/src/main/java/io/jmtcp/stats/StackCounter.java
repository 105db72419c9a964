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
    /** TCP segments sent, retransmissions included. */
    TCP_SEGMENTS_OUT("tcp segments out"),
    /** Data bytes in sent segments, retransmissions included. */
    TCP_DATA_BYTES_OUT("tcp data bytes out"),
    /** New in-order data bytes taken into receive buffers. */
    TCP_DATA_BYTES_IN("tcp data bytes in"),
    /** Connections opened by us (SYN sent). */
    TCP_ACTIVE_OPENS("tcp active opens"),
    /** Connections a listener accepted into its queue (handshake complete). */
    TCP_PASSIVE_OPENS("tcp passive opens"),
    /** Connections that reached CLOSED or TIME_WAIT. */
    TCP_CONNECTIONS_CLOSED("tcp connections closed"),
    /** Opens refused because the configured maximum of connections was reached. */
    TCP_CONNECTIONS_EXHAUSTED("tcp connection limit reached"),
    /** RST segments sent. */
    TCP_RESETS_OUT("tcp resets out"),
    /** Segments to a port with no connection or listener, answered by RST (RFC 9293 §3.10.7.1). */
    TCP_RESETS_TO_CLOSED_PORTS("tcp resets to closed ports"),
    /** RSTs accepted (the connection was reset). */
    TCP_RESETS_IN("tcp resets in"),
    /** In-window RSTs with the wrong sequence number, answered by a challenge ACK (RFC 5961 §3.2). */
    TCP_RST_CHALLENGED("tcp rst challenged"),
    /** Challenge ACKs sent (RFC 5961 §3-5). */
    TCP_CHALLENGE_ACKS("tcp challenge acks"),
    /** Challenge ACKs not sent because of the rate limit (RFC 5961 §7). */
    TCP_CHALLENGE_ACKS_LIMITED("tcp challenge acks limited"),
    /** SYNs on an existing connection, answered by a challenge ACK (RFC 5961 §4). */
    TCP_SYN_IN_SYNCHRONIZED("tcp syn in synchronized state"),
    /** Repeated SYNs in SYN_RECEIVED, answered by our SYN-ACK again. */
    TCP_SYN_RETRANSMITS_IN("tcp syn retransmissions in"),
    /** SYNs crossing ours in SYN_SENT (RFC 9293 §3.5, Figure 8). */
    TCP_SIMULTANEOUS_OPENS("tcp simultaneous opens"),
    /** Segments in SYN_SENT whose ACK does not acknowledge our SYN. */
    TCP_BAD_ACK_IN_SYN_SENT("tcp bad ack in syn-sent"),
    /** Segments in SYN_RECEIVED whose ACK is outside our sequence space (answered by RST). */
    TCP_BAD_ACK_IN_SYN_RECEIVED("tcp bad ack in syn-received"),
    /** Segments acknowledging data never sent (RFC 9293 §3.10.7.4: ACK and drop). */
    TCP_ACK_OF_UNSENT("tcp ack of unsent data"),
    /** Segments acknowledging data before SND.UNA - MAX.SND.WND (RFC 5961 §5.2: challenge ACK). */
    TCP_ACK_TOO_OLD("tcp ack too old"),
    /** Segments in a synchronized state without ACK, dropped (RFC 9293 §3.10.7.4). */
    TCP_NO_ACK_DROPPED("tcp segments without ack"),
    /** Segments with an old timestamp, dropped (RFC 7323 §5.3). */
    TCP_PAWS_REJECTED("tcp paws rejected"),
    /** Segments outside the receive window (RFC 9293 §3.10.7.4, first check). */
    TCP_OUT_OF_WINDOW("tcp out of window"),
    /** Data segments that arrived beyond RCV.NXT. */
    TCP_OUT_OF_ORDER_SEGMENTS("tcp out-of-order segments"),
    /** In-order data segments that joined out-of-order data. */
    TCP_HOLES_FILLED("tcp holes filled"),
    /** Window updates that moved the peer's right edge left. */
    TCP_WINDOW_SHRUNK("tcp window shrunk by peer"),
    /** Duplicate ACKs received (RFC 5681 §2). */
    TCP_DUPLICATE_ACKS_IN("tcp duplicate acks in"),
    /** Loss recoveries started by duplicate ACKs or SACK (RFC 5681 §3.2, RFC 6675 §5). */
    TCP_FAST_RETRANSMITS("tcp fast retransmits"),
    /** Segments sent again. */
    TCP_RETRANSMITS("tcp retransmitted segments"),
    /** Expiries of the retransmission timer (RFC 6298 §5). */
    TCP_RETRANSMIT_TIMEOUTS("tcp retransmission timeouts"),
    /**
     * Connections ended with ETIMEDOUT after too many retransmissions or zero-window probes went
     * unanswered (RFC 9293 §3.8.3, §3.8.6.1).
     */
    TCP_RETRANSMIT_GIVE_UPS("tcp retransmission give-ups"),
    /** Opens that failed because SYN or SYN-ACK went unanswered. */
    TCP_HANDSHAKE_TIMEOUTS("tcp handshake timeouts"),
    /** Zero-window probes sent (RFC 9293 §3.8.6.1). */
    TCP_ZERO_WINDOW_PROBES("tcp zero window probes"),
    /** ACKs sent because the application's read opened the window. */
    TCP_WINDOW_UPDATES_OUT("tcp window updates out"),
    /** ACKs sent by the delayed-ACK timer. */
    TCP_DELAYED_ACKS("tcp delayed acks"),
    /** Keepalive probes sent (RFC 9293 §3.8.4). */
    TCP_KEEPALIVE_PROBES("tcp keepalive probes"),
    /** Connections ended because keepalive probes went unanswered. */
    TCP_KEEPALIVE_TIMEOUTS("tcp keepalive timeouts"),
    /** Closed connections dropped after waiting too long for the peer's FIN. */
    TCP_FIN_WAIT_2_TIMEOUTS("tcp fin-wait-2 timeouts"),
    /** Connections reset because data arrived after the application closed (RFC 2525 §2.17). */
    TCP_DATA_AFTER_CLOSE_RESETS("tcp data after close resets"),
    /** Closes that reset because received data was unread (RFC 9293 §3.10.4). */
    TCP_UNREAD_DATA_RESETS("tcp unread data resets"),
    /** Handshakes or SYNs dropped because an accept queue was full. */
    TCP_ACCEPT_QUEUE_OVERFLOWS("tcp accept queue overflows"),
    /** SYNs dropped because a SYN queue was full and SYN cookies are off. */
    TCP_SYN_QUEUE_DROPS("tcp syn queue drops"),
    /** SYN-ACKs sent with a SYN cookie (the SYN queue was full). */
    TCP_SYN_COOKIES_SENT("tcp syn cookies sent"),
    /** Connections opened from a valid SYN cookie. */
    TCP_SYN_COOKIES_ACCEPTED("tcp syn cookies accepted"),
    /** ACKs to a listener with an invalid or stale cookie (answered by RST). */
    TCP_SYN_COOKIES_REJECTED("tcp syn cookies rejected"),
    /** Connections kept as TIME_WAIT records. */
    TCP_TIME_WAIT_ENTERED("tcp time-wait entered"),
    /** Segments that matched a TIME_WAIT record. */
    TCP_TIME_WAIT_SEGMENTS("tcp time-wait segments"),
    /** TIME_WAIT records ended by an acceptable new SYN (RFC 6191). */
    TCP_TIME_WAIT_REOPENED("tcp time-wait reopened"),
    /** ICMP errors matched to a connection (soft errors, RFC 1122 §4.2.3.9). */
    TCP_ICMP_ERRORS("tcp icmp errors"),
    /** Send MSS lowered by ICMP fragmentation-needed (RFC 1191). */
    TCP_PMTU_DECREASES("tcp path mtu decreases"),
    /**
     * TCP segments that reached a context whose {@code FlowHash} does not own them (a filter or
     * dispatch bug, or frames injected behind the stack's back): dropped, never a flow there.
     */
    TCP_MISROUTED("tcp segments for another context"),
    /** ICMP errors quoting a TCP flow of another context, passed to it by context 0. */
    TCP_ICMP_FORWARDED("tcp icmp errors forwarded"),
    /** ICMP errors for another context dropped because its mailbox was full. */
    TCP_ICMP_FORWARD_OVERFLOWS("tcp icmp errors forward overflows"),
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
