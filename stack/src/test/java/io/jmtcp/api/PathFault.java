package io.jmtcp.api;

import io.jmtcp.port.FrameHandler;
import io.jmtcp.port.PacketPort;
import io.jmtcp.wire.EthernetHeader;
import io.jmtcp.wire.IcmpHeader;
import io.jmtcp.wire.Ip4;
import io.jmtcp.wire.Ipv4Header;
import io.jmtcp.wire.TcpHeader;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static java.nio.ByteOrder.BIG_ENDIAN;

/**
 * The path between A and B, on B's end of the in-memory link: B's context sends and receives
 * through it. Its {@link Mode} may change at any time, from any thread, so that a connection can
 * be established first and lose its peer afterwards. ARP always passes, so A's next hop resolves
 * and A's segments really leave A; only TCP is cut.
 */
final class PathFault implements PacketPort, FrameHandler
{
    /** The address of the router that reports the path broken. */
    static final int ROUTER = Ip4.parse("198.18.0.254");

    private static final int IP = EthernetHeader.HEADER_LENGTH;

    /** What happens to TCP between A and B. */
    enum Mode
    {
        /** Every frame passes. */
        OPEN,
        /** The peer vanished: no TCP segment reaches B, none of B's leaves, nothing answers. */
        BLACKHOLE,
        /**
         * As {@link #BLACKHOLE}, and a router answers each of A's segments with an ICMP
         * destination unreachable, host unreachable (RFC 792; RFC 1812 §5.2.7.1), quoting the
         * segment's IP header and first 8 bytes.
         */
        UNREACHABLE
    }

    private final PacketPort inner;
    private final UnsafeBuffer reply = new UnsafeBuffer(new byte[IP + 2 * Ipv4Header.MAX_HEADER_LENGTH + 16]);
    private volatile Mode mode = Mode.OPEN;
    private volatile int synsDropped;
    private volatile int segmentsDropped;
    private FrameHandler handler;

    PathFault(final PacketPort inner)
    {
        this.inner = inner;
    }

    void mode(final Mode newMode)
    {
        mode = newMode;
    }

    /** @return A's SYNs (without ACK) that did not reach B. */
    int synsDropped()
    {
        return synsDropped;
    }

    /** @return A's TCP segments that did not reach B. */
    int segmentsDropped()
    {
        return segmentsDropped;
    }

    @Override
    public int receive(final FrameHandler frameHandler, final int limit)
    {
        handler = frameHandler;
        return inner.receive(this, limit);
    }

    @Override
    public void onFrame(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final Mode now = mode;
        if (now == Mode.OPEN || !isTcp(buffer, offset, length))
        {
            handler.onFrame(buffer, offset, length);
            return;
        }
        // One thread (B's context) writes the counters; the test thread reads them.
        segmentsDropped = segmentsDropped + 1;
        final int tcp = offset + IP + ipHeaderLength(buffer, offset);
        final int flags = buffer.getByte(tcp + TcpHeader.FLAGS_OFFSET) & (TcpHeader.SYN | TcpHeader.ACK);
        if (flags == TcpHeader.SYN)
        {
            synsDropped = synsDropped + 1;
        }
        if (now == Mode.UNREACHABLE)
        {
            sendHostUnreachable(buffer, offset);
        }
    }

    @Override
    public boolean send(final DirectBuffer buffer, final int offset, final int length)
    {
        if (mode != Mode.OPEN && isTcp(buffer, offset, length))
        {
            return true;
        }
        return inner.send(buffer, offset, length);
    }

    private void sendHostUnreachable(final DirectBuffer frame, final int offset)
    {
        final int quoteLength = ipHeaderLength(frame, offset) + 8;
        reply.putBytes(EthernetHeader.DESTINATION_OFFSET, frame, offset + EthernetHeader.SOURCE_OFFSET, 6);
        reply.putBytes(EthernetHeader.SOURCE_OFFSET, frame, offset + EthernetHeader.DESTINATION_OFFSET, 6);
        reply.putShort(EthernetHeader.ETHERTYPE_OFFSET, (short)EthernetHeader.ETHERTYPE_IPV4, BIG_ENDIAN);
        final int icmpAt = IP + Ipv4Header.MIN_HEADER_LENGTH;
        final int icmpLength = IcmpHeader.writeError(reply, icmpAt, IcmpHeader.DEST_UNREACHABLE,
            IcmpHeader.CODE_HOST_UNREACHABLE, 0, frame, offset + IP, quoteLength);
        final int source = frame.getInt(offset + IP + Ipv4Header.SOURCE_OFFSET, BIG_ENDIAN);
        Ipv4Header.write(reply, IP, icmpLength, 1, false, 64, Ipv4Header.PROTOCOL_ICMP, ROUTER, source);
        inner.send(reply, 0, icmpAt + icmpLength);
    }

    private static boolean isTcp(final DirectBuffer frame, final int offset, final int length)
    {
        return length >= IP + Ipv4Header.MIN_HEADER_LENGTH + TcpHeader.MIN_HEADER_LENGTH &&
            (frame.getShort(offset + EthernetHeader.ETHERTYPE_OFFSET, BIG_ENDIAN) & 0xFFFF) ==
                EthernetHeader.ETHERTYPE_IPV4 &&
            (frame.getByte(offset + IP + Ipv4Header.PROTOCOL_OFFSET) & 0xFF) == Ipv4Header.PROTOCOL_TCP;
    }

    private static int ipHeaderLength(final DirectBuffer frame, final int offset)
    {
        return (frame.getByte(offset + IP + Ipv4Header.VERSION_IHL_OFFSET) & 0x0F) * 4;
    }

    @Override
    public int flush()
    {
        return inner.flush();
    }

    @Override
    public int maxFrameLength()
    {
        return inner.maxFrameLength();
    }

    @Override
    public String name()
    {
        return inner.name();
    }

    @Override
    public void close()
    {
        inner.close();
    }
}
