package io.jmtcp.wire;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Valid frames built with the writers, for tests that then break one field at a time. Each
 * frame sits at {@link #BASE} in a buffer exactly as long as it, so that a read past the frame
 * fails Agrona's bounds check instead of reading slack.
 */
final class Frames
{
    static final int BASE = 3;

    static final long CLIENT_MAC = Mac.parse("02:00:00:00:00:01");
    static final long SERVER_MAC = Mac.parse("02:00:00:00:00:02");
    static final int CLIENT_IP = Ip4.parse("198.18.0.1");
    static final int SERVER_IP = Ip4.parse("198.18.0.2");

    static final int IP_AT = BASE + EthernetHeader.HEADER_LENGTH;
    static final int L4_AT = IP_AT + Ipv4Header.MIN_HEADER_LENGTH;

    static final byte[] PAYLOAD = "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Options of a typical SYN: MSS, NOP, WS, SACK-permitted, timestamps, padded to 20 bytes. */
    static final int SYN_OPTIONS_LENGTH = 20;

    private Frames()
    {
    }

    /** An Ethernet/IPv4/TCP SYN with options and a payload, every checksum valid. */
    static UnsafeBuffer tcpSyn()
    {
        final int tcpLength = TcpHeader.MIN_HEADER_LENGTH + SYN_OPTIONS_LENGTH + PAYLOAD.length;
        final int frameLength = EthernetHeader.HEADER_LENGTH + Ipv4Header.MIN_HEADER_LENGTH + tcpLength;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[BASE + frameLength]);
        EthernetHeader.write(buffer, BASE, SERVER_MAC, CLIENT_MAC, EthernetHeader.ETHERTYPE_IPV4);
        Ipv4Header.write(buffer, IP_AT, tcpLength, 0x1234, true, 64, Ipv4Header.PROTOCOL_TCP, CLIENT_IP, SERVER_IP);
        TcpHeader.write(buffer, L4_AT, 40000, 80, 0xFFFF_FFF0, 0, TcpHeader.MIN_HEADER_LENGTH + SYN_OPTIONS_LENGTH,
            TcpHeader.SYN, 65535, 0);
        final int options = L4_AT + TcpHeader.MIN_HEADER_LENGTH;
        int n = TcpOptionsWriter.writeMss(buffer, options, 1460);
        n += TcpOptionsWriter.writeNop(buffer, options + n);
        n += TcpOptionsWriter.writeWindowScale(buffer, options + n, 7);
        n += TcpOptionsWriter.writeSackPermitted(buffer, options + n);
        n += TcpOptionsWriter.writeTimestamps(buffer, options + n, 0x01020304, 0);
        n = TcpOptionsWriter.padToWord(buffer, options, n);
        if (n != SYN_OPTIONS_LENGTH)
        {
            throw new IllegalStateException("options are " + n + " bytes");
        }
        buffer.putBytes(options + n, PAYLOAD);
        TcpHeader.writeChecksum(buffer, L4_AT, tcpLength, CLIENT_IP, SERVER_IP);
        return buffer;
    }

    /** An Ethernet/ARP request, unpadded (42 bytes). */
    static UnsafeBuffer arpRequest()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[BASE + EthernetHeader.HEADER_LENGTH + ArpPacket.LENGTH]);
        EthernetHeader.write(buffer, BASE, Mac.BROADCAST, CLIENT_MAC, EthernetHeader.ETHERTYPE_ARP);
        ArpPacket.write(buffer, IP_AT, ArpPacket.OP_REQUEST, CLIENT_MAC, CLIENT_IP, 0, SERVER_IP);
        return buffer;
    }

    /** An Ethernet/IPv4/ICMP echo request with a 32-byte payload. */
    static UnsafeBuffer icmpEcho()
    {
        final byte[] data = new byte[32];
        for (int i = 0; i < data.length; i++)
        {
            data[i] = (byte)('a' + i % 23);
        }
        final int icmpLength = IcmpHeader.HEADER_LENGTH + data.length;
        final UnsafeBuffer buffer = new UnsafeBuffer(
            new byte[BASE + EthernetHeader.HEADER_LENGTH + Ipv4Header.MIN_HEADER_LENGTH + icmpLength]);
        EthernetHeader.write(buffer, BASE, SERVER_MAC, CLIENT_MAC, EthernetHeader.ETHERTYPE_IPV4);
        Ipv4Header.write(buffer, IP_AT, icmpLength, 7, false, 64, Ipv4Header.PROTOCOL_ICMP, CLIENT_IP, SERVER_IP);
        IcmpHeader.writeEcho(buffer, L4_AT, IcmpHeader.ECHO_REQUEST, 0x4242, 1, new UnsafeBuffer(data), 0, data.length);
        return buffer;
    }

    /** Length of the frame in a buffer built here. */
    static int frameLength(final UnsafeBuffer buffer)
    {
        return buffer.capacity() - BASE;
    }

    /** Bytes from {@code offset} to the end of a buffer built here. */
    static int remaining(final UnsafeBuffer buffer, final int offset)
    {
        return buffer.capacity() - offset;
    }
}
