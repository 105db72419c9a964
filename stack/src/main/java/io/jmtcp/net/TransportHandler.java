package io.jmtcp.net;

import io.jmtcp.wire.DropReason;
import io.jmtcp.wire.Ipv4Header;
import io.jmtcp.wire.TcpHeader;
import io.jmtcp.wire.TcpOptions;
import org.agrona.DirectBuffer;

/**
 * What the network layer hands up: TCP segments that passed every IPv4 and TCP check, and ICMP
 * errors that quote a TCP segment of ours. The TCP engine implements it; until one is attached,
 * {@link #NONE} drops segments as {@link DropReason#TCP_NO_SOCKET}.
 *
 * <p>The flyweights are valid only during the call.
 */
public interface TransportHandler
{
    /** No transport: every segment is dropped and counted as {@link DropReason#TCP_NO_SOCKET}. */
    TransportHandler NONE = (ip, tcp, options, now) -> DropReason.TCP_NO_SOCKET;

    /**
     * A valid TCP segment addressed to us: checksum verified, data offset and options checked.
     *
     * @param ip      its IPv4 header.
     * @param tcp     its TCP header; the payload is at {@link TcpHeader#payloadOffset()}.
     * @param options its parsed options.
     * @param now     the context's time.
     * @return {@link DropReason#NONE} if taken, else why it was dropped (the caller counts it).
     */
    DropReason onTcpSegment(Ipv4Header ip, TcpHeader tcp, TcpOptions options, long now);

    /**
     * An ICMP destination-unreachable or time-exceeded message quoting a TCP segment (RFC 9293
     * §3.10.7.4 treats them as soft errors; code 4 of type 3 carries the path MTU, RFC 1191).
     *
     * @param type        ICMP type.
     * @param code        ICMP code.
     * @param nextHopMtu  the MTU from a fragmentation-needed message, else 0.
     * @param quote       buffer holding the quoted IPv4 datagram.
     * @param quoteOffset where the quoted IPv4 header starts.
     * @param quoteLength how many quoted bytes there are (at least the IP header plus 8).
     * @param now         the context's time.
     * @return {@link DropReason#NONE} if a connection took it, else why not (the caller counts it);
     *         without a transport, {@link DropReason#TCP_NO_SOCKET}.
     */
    default DropReason onIcmpError(final int type, final int code, final int nextHopMtu, final DirectBuffer quote,
        final int quoteOffset, final int quoteLength, final long now)
    {
        return DropReason.TCP_NO_SOCKET;
    }
}
