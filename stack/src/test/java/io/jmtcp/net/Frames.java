package io.jmtcp.net;

import io.jmtcp.wire.ArpPacket;
import io.jmtcp.wire.EthernetHeader;
import io.jmtcp.wire.IcmpHeader;
import io.jmtcp.wire.InternetChecksum;
import io.jmtcp.wire.Ipv4Header;
import io.jmtcp.wire.Mac;
import io.jmtcp.wire.TcpHeader;
import io.jmtcp.wire.TcpOptionsWriter;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;

/**
 * Builds valid frames from a peer to the stack, for tests to send as they are or to break one
 * field at a time. Offsets: Ethernet at 0, IPv4 at 14, transport at 34 (no IP options).
 */
final class Frames
{
    static final int IP = EthernetHeader.HEADER_LENGTH;
    static final int L4 = IP + Ipv4Header.MIN_HEADER_LENGTH;

    private final long stackMac;
    private final int stackIp;
    private final long peerMac;
    private final int peerIp;

    Frames(final long stackMac, final int stackIp, final long peerMac, final int peerIp)
    {
        this.stackMac = stackMac;
        this.stackIp = stackIp;
        this.peerMac = peerMac;
        this.peerIp = peerIp;
    }

    byte[] arp(final int op, final long ethDst, final long targetMac, final int targetIp)
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[60]);
        EthernetHeader.write(frame, 0, ethDst, peerMac, EthernetHeader.ETHERTYPE_ARP);
        ArpPacket.write(frame, IP, op, peerMac, peerIp, targetMac, targetIp);
        return frame.byteArray();
    }

    byte[] arpRequestForStack()
    {
        return arp(ArpPacket.OP_REQUEST, Mac.BROADCAST, 0L, stackIp);
    }

    byte[] arpReplyToStack()
    {
        return arp(ArpPacket.OP_REPLY, stackMac, stackMac, stackIp);
    }

    byte[] echoRequest(final int identifier, final int sequence, final int payloadLength)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[payloadLength]);
        for (int i = 0; i < payloadLength; i++)
        {
            payload.putByte(i, (byte)(i * 7 + 3));
        }
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[L4 + IcmpHeader.HEADER_LENGTH + payloadLength]);
        final int icmpLength = IcmpHeader.writeEcho(frame, L4, IcmpHeader.ECHO_REQUEST, identifier, sequence,
            payload, 0, payloadLength);
        return ipv4(frame, Ipv4Header.PROTOCOL_ICMP, icmpLength);
    }

    /** A TCP SYN with MSS, SACK-permitted, timestamps and window scale options. */
    byte[] tcpSyn()
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[L4 + 40]);
        TcpHeader.write(frame, L4, 40000, 80, 12345, 0, 40, TcpHeader.SYN, 65535, 0);
        int o = L4 + TcpHeader.MIN_HEADER_LENGTH;
        o += TcpOptionsWriter.writeMss(frame, o, 1460);
        o += TcpOptionsWriter.writeSackPermitted(frame, o);
        o += TcpOptionsWriter.writeTimestamps(frame, o, 1, 0);
        o += TcpOptionsWriter.writeNop(frame, o);
        o += TcpOptionsWriter.writeWindowScale(frame, o, 7);
        TcpHeader.writeChecksum(frame, L4, 40, peerIp, stackIp);
        return ipv4(frame, Ipv4Header.PROTOCOL_TCP, 40);
    }

    /** A datagram of another protocol (UDP) with 8 bytes of payload. */
    byte[] udp()
    {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[L4 + 8]);
        frame.putShort(L4, (short)5353, ByteOrder.BIG_ENDIAN);
        frame.putShort(L4 + 2, (short)53, ByteOrder.BIG_ENDIAN);
        frame.putShort(L4 + 4, (short)8, ByteOrder.BIG_ENDIAN);
        return ipv4(frame, Ipv4Header.PROTOCOL_UDP, 8);
    }

    /** An ICMP error from a router about a TCP segment the stack sent. */
    byte[] icmpErrorQuotingTcp(final int type, final int code, final int quoteLength)
    {
        final UnsafeBuffer quoted = new UnsafeBuffer(new byte[48]);
        Ipv4Header.write(quoted, 0, 28, 1, true, 64, Ipv4Header.PROTOCOL_TCP, stackIp, peerIp);
        TcpHeader.write(quoted, 20, 40000, 80, 1, 0, 20, TcpHeader.ACK, 100, 0);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[L4 + 8 + quoteLength]);
        final int icmpLength = IcmpHeader.writeError(frame, L4, type, code, 0, quoted, 0, quoteLength);
        return ipv4(frame, Ipv4Header.PROTOCOL_ICMP, icmpLength);
    }

    private byte[] ipv4(final UnsafeBuffer frame, final int protocol, final int l4Length)
    {
        EthernetHeader.write(frame, 0, stackMac, peerMac, EthernetHeader.ETHERTYPE_IPV4);
        Ipv4Header.write(frame, IP, l4Length, 7, false, 64, protocol, peerIp, stackIp);
        return frame.byteArray();
    }

    /** Recompute the IPv4 header checksum after a test changed a header field. */
    static void fixIpChecksum(final byte[] frame)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        final int headerLength = (frame[IP] & 0xF) * 4;
        buffer.putShort(IP + 10, (short)0);
        buffer.putShort(IP + 10, (short)InternetChecksum.checksum(buffer, IP, Math.min(headerLength,
            frame.length - IP)), ByteOrder.BIG_ENDIAN);
    }

    /** Recompute the TCP checksum (no IP options) after a test changed the segment. */
    static void fixTcpChecksum(final byte[] frame, final int srcIp, final int dstIp)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        final int totalLength = buffer.getShort(IP + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        TcpHeader.writeChecksum(buffer, L4, totalLength - Ipv4Header.MIN_HEADER_LENGTH, srcIp, dstIp);
    }

    /** Recompute the ICMP checksum after a test changed the message. */
    static void fixIcmpChecksum(final byte[] frame)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(frame);
        final int totalLength = buffer.getShort(IP + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        IcmpHeader.writeChecksum(buffer, L4, totalLength - Ipv4Header.MIN_HEADER_LENGTH);
    }
}
