package io.jmtcp.net;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.stats.StackCounters;
import io.jmtcp.wire.ArpPacket;
import io.jmtcp.wire.DropReason;
import io.jmtcp.wire.EthernetHeader;
import io.jmtcp.wire.IcmpHeader;
import io.jmtcp.wire.Ip4;
import io.jmtcp.wire.Ipv4Header;
import io.jmtcp.wire.Mac;
import io.jmtcp.wire.TcpHeader;
import io.jmtcp.wire.TcpOptions;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * Ethernet, ARP, IPv4 and ICMP for one interface: validates every received frame layer by
 * layer, answers ARP and ICMP echo, hands valid TCP segments to the {@link TransportHandler},
 * and sends IPv4 datagrams that upper layers build in {@link #txBuffer()}.
 *
 * <p>Every frame that is not taken is counted under exactly one {@link DropReason}. Nothing here
 * throws for bad input. Owned by one context thread; allocates nothing per frame.
 */
public final class NetworkLayer
{
    /** Where an upper layer writes its transport header in {@link #txBuffer()}. */
    public static final int L4_OFFSET = EthernetHeader.HEADER_LENGTH + Ipv4Header.MIN_HEADER_LENGTH;

    /** TTL of datagrams we originate (RFC 1700 / Linux default). */
    private static final int DEFAULT_TTL = 64;
    /** Bytes of the offending datagram's payload an ICMP error quotes (RFC 792: 64 bits). */
    private static final int ICMP_QUOTE_PAYLOAD = 8;
    /** Bytes at the start of an echo payload that carry our send time, for the RTT. */
    private static final int ECHO_TIMESTAMP_LENGTH = Long.BYTES;
    /** Token bucket for ICMP errors we send (RFC 1812 §4.3.2.8): burst and refill per second. */
    private static final int ICMP_ERROR_BURST = 10;
    private static final long ICMP_ERROR_REFILL_NANOS = TimeUnit.SECONDS.toNanos(1) / 100;

    private final InterfaceConfig iface;
    private final FrameOutput output;
    private final StackCounters counters;
    private final ArpResolver arp;
    private final TransportHandler transport;
    private EchoListener echoListener;

    private final EthernetHeader ethernet = new EthernetHeader();
    private final ArpPacket arpPacket = new ArpPacket();
    private final Ipv4Header ipv4 = new Ipv4Header();
    private final IcmpHeader icmp = new IcmpHeader();
    private final Ipv4Header quotedIpv4 = new Ipv4Header();
    private final TcpHeader tcp = new TcpHeader();
    private final TcpOptions tcpOptions = new TcpOptions();
    private final UnsafeBuffer tx;

    private int nextIdentification;
    private int icmpErrorTokens = ICMP_ERROR_BURST;
    private long icmpErrorLastRefill;

    /**
     * @param iface     our addresses.
     * @param output    where frames go out.
     * @param counters  where events and drops are counted.
     * @param arp       ARP tunables.
     * @param transport who receives TCP segments.
     */
    public NetworkLayer(final InterfaceConfig iface, final FrameOutput output, final StackCounters counters,
        final ArpSettings arp, final TransportHandler transport)
    {
        this(iface, output, counters, arp, transport, null, false);
    }

    /**
     * The network layer of one of several contexts sharing an interface: ARP resolutions come
     * from, or (for the context that receives ARP) go to, a table the contexts share
     * ({@link ArpResolver#ArpResolver(InterfaceConfig, FrameOutput, StackCounters, ArpSettings,
     * NeighbourTable, boolean, ArpResolver.Unresolvable)}).
     *
     * @param iface      our addresses.
     * @param output     where frames go out.
     * @param counters   where events and drops are counted.
     * @param arp        ARP tunables.
     * @param transport  who receives TCP segments.
     * @param neighbours the stack's shared neighbour table, or null for a context alone.
     * @param publisher  true for the context that receives ARP and publishes into {@code neighbours}.
     */
    public NetworkLayer(final InterfaceConfig iface, final FrameOutput output, final StackCounters counters,
        final ArpSettings arp, final TransportHandler transport, final NeighbourTable neighbours,
        final boolean publisher)
    {
        if (output.maxFrameLength() < EthernetHeader.HEADER_LENGTH + InterfaceConfig.MIN_MTU)
        {
            throw new IllegalArgumentException("port frames too small: " + output.maxFrameLength());
        }
        this.iface = iface;
        this.output = output;
        this.counters = counters;
        this.arp = new ArpResolver(iface, output, counters, arp, neighbours, publisher, this::onUnresolvable);
        this.transport = transport;
        this.tx = new UnsafeBuffer(ByteBuffer.allocateDirect(output.maxFrameLength()));
    }

    /**
     * Start of life: announce our address (RFC 5227 §2.3).
     *
     * @param now the context's time.
     */
    public void start(final long now)
    {
        icmpErrorLastRefill = now;
        arp.start(now);
    }

    /**
     * Process one received frame.
     *
     * @param buffer holding the frame.
     * @param offset of its Ethernet header.
     * @param length of the frame.
     * @param now    the context's time.
     */
    public void onFrame(final MutableDirectBuffer buffer, final int offset, final int length, final long now)
    {
        counters.increment(StackCounter.RX_FRAMES);
        counters.add(StackCounter.RX_BYTES, length);

        final DropReason ethernetResult = ethernet.wrap(buffer, offset, length);
        if (ethernetResult != DropReason.NONE)
        {
            counters.drop(ethernetResult);
            return;
        }
        final long destination = ethernet.destination();
        if (destination != iface.mac() && destination != Mac.BROADCAST)
        {
            counters.drop(DropReason.ETH_NOT_FOR_US);
            return;
        }
        if (ethernet.vlanCount() != 0)
        {
            // The stack owns an untagged port; a tagged frame belongs to a VLAN we are not on.
            counters.drop(DropReason.ETH_VLAN_TAGGED);
            return;
        }

        final int etherType = ethernet.etherType();
        if (etherType == EthernetHeader.ETHERTYPE_IPV4)
        {
            onIpv4(buffer, ethernet.payloadOffset(), ethernet.payloadLength(), destination == Mac.BROADCAST, now);
        }
        else if (etherType == EthernetHeader.ETHERTYPE_ARP)
        {
            final DropReason arpResult = arpPacket.wrap(buffer, ethernet.payloadOffset(), ethernet.payloadLength());
            if (arpResult != DropReason.NONE)
            {
                counters.drop(arpResult);
                return;
            }
            arp.onArp(arpPacket, now);
        }
        else
        {
            counters.drop(DropReason.ETH_UNSUPPORTED_ETHERTYPE);
        }
    }

    /**
     * Run ARP retries and timeouts.
     *
     * @param now the context's time.
     * @return actions taken.
     */
    public int onTimers(final long now)
    {
        return arp.onTimers(now);
    }

    /**
     * The buffer in which an upper layer builds an outgoing datagram: its transport header goes
     * at {@link #L4_OFFSET}; {@link #sendIpv4} fills in the IPv4 and Ethernet headers. Valid
     * until the next call that sends.
     *
     * @return the transmit buffer.
     */
    public MutableDirectBuffer txBuffer()
    {
        return tx;
    }

    /**
     * @return the most transport bytes one datagram carries (MTU less the IPv4 header, bounded
     *         by the port's frame size).
     */
    public int maxL4Length()
    {
        return Math.min(iface.mtu(), output.maxFrameLength() - EthernetHeader.HEADER_LENGTH) -
            Ipv4Header.MIN_HEADER_LENGTH;
    }

    /**
     * Send the datagram whose transport part was written at {@link #L4_OFFSET} of
     * {@link #txBuffer()}, resolving the next hop with ARP if needed.
     *
     * @param destination  IPv4 destination.
     * @param protocol     IP protocol number.
     * @param l4Length     bytes written at {@link #L4_OFFSET}.
     * @param dontFragment set DF (TCP does, for path MTU discovery, RFC 1191).
     * @param now          the context's time.
     * @return true if sent or queued for ARP; false if dropped (counted).
     */
    public boolean sendIpv4(final int destination, final int protocol, final int l4Length,
        final boolean dontFragment, final long now)
    {
        if (l4Length < 0 || l4Length > maxL4Length())
        {
            throw new IllegalArgumentException("transport length out of range: " + l4Length);
        }
        if (!isUnicastPeer(destination))
        {
            counters.drop(DropReason.IPV4_BAD_DESTINATION);
            return false;
        }
        final int nextHop = iface.nextHop(destination);
        if (nextHop == InterfaceConfig.NO_GATEWAY)
        {
            counters.drop(DropReason.IPV4_NO_ROUTE);
            return false;
        }
        EthernetHeader.write(tx, 0, 0L, iface.mac(), EthernetHeader.ETHERTYPE_IPV4);
        Ipv4Header.write(tx, EthernetHeader.HEADER_LENGTH, l4Length, nextIdentification(), dontFragment,
            DEFAULT_TTL, protocol, iface.address(), destination);
        return arp.send(nextHop, tx, L4_OFFSET + l4Length, now);
    }

    /**
     * Send an ICMP echo request from the stack itself (a pinger). The first 8 payload bytes carry
     * the send time so that the reply yields the round-trip time.
     *
     * @param destination   whom to ping.
     * @param identifier    echo identifier.
     * @param sequence      echo sequence number.
     * @param payloadLength payload bytes, at least 8 for an RTT.
     * @param now           the context's time.
     * @return true if sent or queued for ARP.
     */
    public boolean sendEchoRequest(final int destination, final int identifier, final int sequence,
        final int payloadLength, final long now)
    {
        if (payloadLength < 0 || payloadLength > maxL4Length() - IcmpHeader.HEADER_LENGTH)
        {
            throw new IllegalArgumentException("echo payload length out of range: " + payloadLength);
        }
        final int payloadOffset = L4_OFFSET + IcmpHeader.HEADER_LENGTH;
        for (int i = 0; i < payloadLength; i++)
        {
            tx.putByte(payloadOffset + i, (byte)i);
        }
        if (payloadLength >= ECHO_TIMESTAMP_LENGTH)
        {
            tx.putLong(payloadOffset, now, ByteOrder.BIG_ENDIAN);
        }
        final int length = IcmpHeader.writeEcho(tx, L4_OFFSET, IcmpHeader.ECHO_REQUEST, identifier, sequence,
            tx, payloadOffset, payloadLength);
        final boolean sent = sendIpv4(destination, Ipv4Header.PROTOCOL_ICMP, length, false, now);
        if (sent)
        {
            counters.increment(StackCounter.ICMP_ECHO_REQUESTS_OUT);
        }
        return sent;
    }

    /**
     * Who is told of echo replies to {@link #sendEchoRequest}.
     *
     * @param listener the listener, or null for none.
     */
    public void echoListener(final EchoListener listener)
    {
        this.echoListener = listener;
    }

    /**
     * @return the ARP resolver (cache, pending frames).
     */
    public ArpResolver arp()
    {
        return arp;
    }

    /**
     * @return our interface configuration.
     */
    public InterfaceConfig iface()
    {
        return iface;
    }

    private void onIpv4(final MutableDirectBuffer buffer, final int offset, final int length,
        final boolean linkBroadcast, final long now)
    {
        final DropReason result = ipv4.wrap(buffer, offset, length);
        if (result != DropReason.NONE)
        {
            counters.drop(result);
            return;
        }
        if (!ipv4.checksumValid())
        {
            counters.drop(DropReason.IPV4_BAD_CHECKSUM);
            return;
        }
        if (ipv4.destination() != iface.address())
        {
            counters.drop(DropReason.IPV4_NOT_FOR_US);
            return;
        }
        if (linkBroadcast)
        {
            // RFC 1122 §3.3.6: a unicast datagram in a link-layer broadcast is discarded silently
            // (and §3.2.2: no ICMP error for it), or a broadcast would make every host answer.
            counters.drop(DropReason.IPV4_LINK_BROADCAST);
            return;
        }
        // RFC 1122 §3.2.1.3: a datagram from a broadcast, multicast, unspecified or loopback
        // source, or claiming to come from us, is silently discarded (a reply would go to a group,
        // to nobody, or to ourselves).
        if (!isUnicastPeer(ipv4.source()))
        {
            counters.drop(DropReason.IPV4_BAD_SOURCE);
            return;
        }
        if (ipv4.fragmentOffsetBytes() != 0)
        {
            counters.drop(DropReason.IPV4_NON_FIRST_FRAGMENT);
            return;
        }
        if (ipv4.moreFragments())
        {
            // We do not reassemble (TCP sets DF and sizes segments by MSS, RFC 9293 §3.7.1).
            counters.drop(DropReason.IPV4_FRAGMENT);
            return;
        }
        counters.increment(StackCounter.IPV4_IN);

        final int protocol = ipv4.protocol();
        if (protocol == Ipv4Header.PROTOCOL_TCP)
        {
            onTcp(buffer, now);
        }
        else if (protocol == Ipv4Header.PROTOCOL_ICMP)
        {
            onIcmp(buffer, now);
        }
        else
        {
            counters.drop(DropReason.IPV4_UNSUPPORTED_PROTOCOL);
            // RFC 1122 §3.2.2.1: a host SHOULD say protocol unreachable.
            sendIcmpError(buffer, IcmpHeader.DEST_UNREACHABLE, IcmpHeader.CODE_PROTOCOL_UNREACHABLE, now);
        }
    }

    private void onTcp(final MutableDirectBuffer buffer, final long now)
    {
        final DropReason result = tcp.wrap(buffer, ipv4.payloadOffset(), ipv4.payloadLength());
        if (result != DropReason.NONE)
        {
            counters.drop(result);
            return;
        }
        if (!tcp.checksumValid(ipv4.source(), ipv4.destination()))
        {
            counters.drop(DropReason.TCP_BAD_CHECKSUM);
            return;
        }
        final DropReason optionsResult = tcpOptions.parse(buffer, tcp.optionsOffset(), tcp.optionsLength());
        if (optionsResult != DropReason.NONE)
        {
            counters.drop(optionsResult);
            return;
        }
        counters.increment(StackCounter.TCP_SEGMENTS_IN);
        counters.drop(transport.onTcpSegment(ipv4, tcp, tcpOptions, now));
    }

    private void onIcmp(final MutableDirectBuffer buffer, final long now)
    {
        final DropReason result = icmp.wrap(buffer, ipv4.payloadOffset(), ipv4.payloadLength());
        if (result != DropReason.NONE)
        {
            counters.drop(result);
            return;
        }
        if (!icmp.checksumValid())
        {
            counters.drop(DropReason.ICMP_BAD_CHECKSUM);
            return;
        }
        switch (icmp.type())
        {
            case IcmpHeader.ECHO_REQUEST:
                onEchoRequest(buffer, now);
                break;

            case IcmpHeader.ECHO_REPLY:
                onEchoReply(buffer, now);
                break;

            case IcmpHeader.DEST_UNREACHABLE:
            case IcmpHeader.TIME_EXCEEDED:
                onIcmpError(buffer, now);
                break;

            default:
                counters.drop(DropReason.ICMP_UNSUPPORTED_TYPE);
        }
    }

    private void onEchoRequest(final MutableDirectBuffer buffer, final long now)
    {
        counters.increment(StackCounter.ICMP_ECHO_REQUESTS_IN);
        final int payloadOffset = icmp.quoteOffset();
        final int payloadLength = icmp.quoteLength();
        if (payloadLength > maxL4Length() - IcmpHeader.HEADER_LENGTH)
        {
            counters.drop(DropReason.ICMP_ECHO_TOO_LONG);
            return;
        }
        // RFC 1122 §3.2.2.6: the reply carries the request's identifier, sequence and all its data.
        final int length = IcmpHeader.writeEcho(tx, L4_OFFSET, IcmpHeader.ECHO_REPLY, icmp.identifier(),
            icmp.sequence(), buffer, payloadOffset, payloadLength);
        if (sendIpv4(ipv4.source(), Ipv4Header.PROTOCOL_ICMP, length, false, now))
        {
            counters.increment(StackCounter.ICMP_ECHO_REPLIES_OUT);
        }
    }

    private void onEchoReply(final MutableDirectBuffer buffer, final long now)
    {
        counters.increment(StackCounter.ICMP_ECHO_REPLIES_IN);
        final EchoListener listener = echoListener;
        if (listener != null)
        {
            final int payloadLength = icmp.quoteLength();
            final long rtt = payloadLength >= ECHO_TIMESTAMP_LENGTH ?
                now - buffer.getLong(icmp.quoteOffset(), ByteOrder.BIG_ENDIAN) : -1;
            listener.onEchoReply(ipv4.source(), icmp.identifier(), icmp.sequence(), payloadLength, rtt);
        }
    }

    private void onIcmpError(final MutableDirectBuffer buffer, final long now)
    {
        counters.increment(StackCounter.ICMP_ERRORS_IN);
        // The quote must name a flow: a whole IPv4 header plus the first 8 bytes of its payload
        // (RFC 792; RFC 1812 §4.3.2.3 allows more). Its total length may exceed what is quoted,
        // which is the one structural complaint a quote may have.
        final DropReason quote = quotedIpv4.wrap(buffer, icmp.quoteOffset(), icmp.quoteLength());
        if ((quote != DropReason.NONE && quote != DropReason.IPV4_TOTAL_LENGTH_EXCEEDS_FRAME) ||
            quotedIpv4.payloadLength() < ICMP_QUOTE_PAYLOAD)
        {
            counters.drop(DropReason.ICMP_BAD_QUOTE);
            return;
        }
        if (quotedIpv4.source() != iface.address() || quotedIpv4.protocol() != Ipv4Header.PROTOCOL_TCP)
        {
            counters.drop(DropReason.ICMP_ERROR_NOT_OURS);
            return;
        }
        final int mtu = icmp.type() == IcmpHeader.DEST_UNREACHABLE &&
            icmp.code() == IcmpHeader.CODE_FRAGMENTATION_NEEDED ? icmp.nextHopMtu() : 0;
        counters.drop(transport.onIcmpError(icmp.type(), icmp.code(), mtu, buffer, icmp.quoteOffset(),
            icmp.quoteLength(), now));
    }

    /**
     * A TCP segment dropped because its next hop never answered ARP is, to its connection, an
     * ICMP host unreachable: a soft error, reported only if the connection then times out
     * (RFC 1122 §4.2.3.9 and RFC 9293 §3.10.7.4). Linux does the same (a failed neighbour sends
     * the host unreachable to the local socket: {@code arp_error_report}), so a connect to a
     * neighbour that is not there ends with EHOSTUNREACH, not ETIMEDOUT.
     */
    private void onUnresolvable(final DirectBuffer frame, final int length, final long now)
    {
        final int ip = EthernetHeader.HEADER_LENGTH;
        if (length < ip + Ipv4Header.MIN_HEADER_LENGTH + ICMP_QUOTE_PAYLOAD ||
            (frame.getShort(EthernetHeader.ETHERTYPE_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF) != EthernetHeader.ETHERTYPE_IPV4 ||
            frame.getByte(ip + Ipv4Header.PROTOCOL_OFFSET) != Ipv4Header.PROTOCOL_TCP)
        {
            return;
        }
        final int headerLength = (frame.getByte(ip + Ipv4Header.VERSION_IHL_OFFSET) & 0x0F) * 4;
        // The frame was counted as ARP_RESOLUTION_FAILED; what TCP makes of the quote is its own.
        transport.onIcmpError(IcmpHeader.DEST_UNREACHABLE, IcmpHeader.CODE_HOST_UNREACHABLE, 0, frame, ip,
            Math.min(length - ip, headerLength + ICMP_QUOTE_PAYLOAD), now);
    }

    /**
     * Send an ICMP error about the datagram currently wrapped in {@link #ipv4}, quoting its
     * header and first 8 payload bytes (RFC 792), within the rate limit (RFC 1812 §4.3.2.8).
     */
    private void sendIcmpError(final MutableDirectBuffer buffer, final int type, final int code, final long now)
    {
        if (!takeIcmpErrorToken(now))
        {
            counters.increment(StackCounter.ICMP_ERRORS_RATE_LIMITED);
            return;
        }
        final int quoteLength = Math.min(ipv4.totalLength(), ipv4.headerLength() + ICMP_QUOTE_PAYLOAD);
        final int length = IcmpHeader.writeError(tx, L4_OFFSET, type, code, 0, buffer, ipv4.payloadOffset() -
            ipv4.headerLength(), quoteLength);
        if (sendIpv4(ipv4.source(), Ipv4Header.PROTOCOL_ICMP, length, false, now))
        {
            counters.increment(StackCounter.ICMP_ERRORS_OUT);
        }
    }

    private boolean takeIcmpErrorToken(final long now)
    {
        final long elapsed = now - icmpErrorLastRefill;
        if (elapsed >= ICMP_ERROR_REFILL_NANOS)
        {
            final long refills = elapsed / ICMP_ERROR_REFILL_NANOS;
            icmpErrorTokens = (int)Math.min(ICMP_ERROR_BURST, icmpErrorTokens + refills);
            icmpErrorLastRefill = icmpErrorTokens == ICMP_ERROR_BURST ?
                now : icmpErrorLastRefill + refills * ICMP_ERROR_REFILL_NANOS;
        }
        if (icmpErrorTokens == 0)
        {
            return false;
        }
        icmpErrorTokens--;
        return true;
    }

    /** Another host's unicast address: where a datagram of ours may go and one to us may come from. */
    private boolean isUnicastPeer(final int address)
    {
        return address != iface.address() && !Ip4.isMulticast(address) && !Ip4.isLimitedBroadcast(address) &&
            !Ip4.isUnspecified(address) && !Ip4.isLoopback(address) && !isSubnetBroadcast(address);
    }

    private boolean isSubnetBroadcast(final int address)
    {
        final int hostMask = ~Ip4.mask(iface.prefixLength());
        return iface.prefixLength() <= 30 && (address & hostMask) == hostMask &&
            Ip4.sameSubnet(address, iface.address(), iface.prefixLength());
    }

    private int nextIdentification()
    {
        nextIdentification = (nextIdentification + 1) & 0xFFFF;
        return nextIdentification;
    }
}
