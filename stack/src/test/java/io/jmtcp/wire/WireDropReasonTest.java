package io.jmtcp.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;

import static io.jmtcp.wire.Frames.BASE;
import static io.jmtcp.wire.Frames.IP_AT;
import static io.jmtcp.wire.Frames.L4_AT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@link DropReason} the wire layer returns, each from a valid frame with one thing
 * broken. The reasons not here (not for us, unsupported type or protocol, bad checksum,
 * fragment, bad source, no socket, ARP and transmit troubles) are decisions of the layers
 * above, which read {@link Ipv4Header#checksumValid()}, {@link Ipv4Header#isFragment()} and
 * the addresses from these views.
 */
final class WireDropReasonTest
{
    private final EthernetHeader ethernet = new EthernetHeader();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Header ip = new Ipv4Header();
    private final IcmpHeader icmp = new IcmpHeader();
    private final TcpHeader tcp = new TcpHeader();
    private final TcpOptions options = new TcpOptions();

    @Test
    void validFramesWrapAtEveryLayer()
    {
        final UnsafeBuffer syn = Frames.tcpSyn();
        assertEquals(DropReason.NONE, ethernet.wrap(syn, BASE, Frames.frameLength(syn)));
        assertEquals(DropReason.NONE, ip.wrap(syn, ethernet.payloadOffset(), ethernet.payloadLength()));
        assertTrue(ip.checksumValid());
        assertEquals(DropReason.NONE, tcp.wrap(syn, ip.payloadOffset(), ip.payloadLength()));
        assertTrue(tcp.checksumValid(ip.source(), ip.destination()));
        assertEquals(DropReason.NONE, options.parse(syn, tcp.optionsOffset(), tcp.optionsLength()));

        final UnsafeBuffer request = Frames.arpRequest();
        assertEquals(DropReason.NONE, ethernet.wrap(request, BASE, Frames.frameLength(request)));
        assertEquals(DropReason.NONE, arp.wrap(request, ethernet.payloadOffset(), ethernet.payloadLength()));

        final UnsafeBuffer echo = Frames.icmpEcho();
        assertEquals(DropReason.NONE, ethernet.wrap(echo, BASE, Frames.frameLength(echo)));
        assertEquals(DropReason.NONE, ip.wrap(echo, ethernet.payloadOffset(), ethernet.payloadLength()));
        assertEquals(DropReason.NONE, icmp.wrap(echo, ip.payloadOffset(), ip.payloadLength()));
        assertTrue(icmp.checksumValid());
    }

    // Ethernet

    @Test
    void ethTruncatedBelowFourteenBytes()
    {
        final UnsafeBuffer frame = Frames.tcpSyn();
        assertEquals(DropReason.ETH_TRUNCATED, ethernet.wrap(frame, BASE, 13));
        assertEquals(DropReason.ETH_TRUNCATED, ethernet.wrap(frame, BASE, 0));
        assertEquals(DropReason.NONE, ethernet.wrap(frame, BASE, 14));
    }

    @Test
    void ethTruncatedWhenTagRunsPastFrame()
    {
        final UnsafeBuffer frame = Frames.tcpSyn();
        frame.putShort(BASE + EthernetHeader.ETHERTYPE_OFFSET, (short)EthernetHeader.ETHERTYPE_VLAN, ByteOrder.BIG_ENDIAN);
        assertEquals(DropReason.ETH_TRUNCATED, ethernet.wrap(frame, BASE, 14));
        assertEquals(DropReason.ETH_TRUNCATED, ethernet.wrap(frame, BASE, 17));
        assertEquals(DropReason.NONE, ethernet.wrap(frame, BASE, 18));
    }

    @Test
    void ethTruncatedWhenSecondTagRunsPastFrame()
    {
        final UnsafeBuffer frame = Frames.tcpSyn();
        frame.putShort(BASE + 12, (short)EthernetHeader.ETHERTYPE_QINQ, ByteOrder.BIG_ENDIAN);
        frame.putShort(BASE + 16, (short)EthernetHeader.ETHERTYPE_VLAN, ByteOrder.BIG_ENDIAN);
        assertEquals(DropReason.ETH_TRUNCATED, ethernet.wrap(frame, BASE, 18));
        assertEquals(DropReason.ETH_TRUNCATED, ethernet.wrap(frame, BASE, 21));
        assertEquals(DropReason.NONE, ethernet.wrap(frame, BASE, 22));
        assertEquals(2, ethernet.vlanCount());
    }

    // ARP

    @Test
    void arpTruncatedBelowTwentyEightBytes()
    {
        final UnsafeBuffer frame = Frames.arpRequest();
        assertEquals(DropReason.ARP_TRUNCATED, arp.wrap(frame, IP_AT, ArpPacket.LENGTH - 1));
        assertEquals(DropReason.NONE, arp.wrap(frame, IP_AT, ArpPacket.LENGTH));
    }

    @Test
    void arpUnsupportedHardwareType()
    {
        final UnsafeBuffer frame = Frames.arpRequest();
        frame.putShort(IP_AT + ArpPacket.HTYPE_OFFSET, (short)6, ByteOrder.BIG_ENDIAN);
        assertEquals(DropReason.ARP_UNSUPPORTED, arp.wrap(frame, IP_AT, ArpPacket.LENGTH));
    }

    @Test
    void arpUnsupportedProtocolType()
    {
        final UnsafeBuffer frame = Frames.arpRequest();
        frame.putShort(IP_AT + ArpPacket.PTYPE_OFFSET, (short)EthernetHeader.ETHERTYPE_IPV6, ByteOrder.BIG_ENDIAN);
        assertEquals(DropReason.ARP_UNSUPPORTED, arp.wrap(frame, IP_AT, ArpPacket.LENGTH));
    }

    @Test
    void arpUnsupportedHardwareLength()
    {
        final UnsafeBuffer frame = Frames.arpRequest();
        frame.putByte(IP_AT + ArpPacket.HLEN_OFFSET, (byte)8);
        assertEquals(DropReason.ARP_UNSUPPORTED, arp.wrap(frame, IP_AT, ArpPacket.LENGTH));
    }

    @Test
    void arpUnsupportedProtocolLength()
    {
        final UnsafeBuffer frame = Frames.arpRequest();
        frame.putByte(IP_AT + ArpPacket.PLEN_OFFSET, (byte)16);
        assertEquals(DropReason.ARP_UNSUPPORTED, arp.wrap(frame, IP_AT, ArpPacket.LENGTH));
    }

    @Test
    void arpBadOperation()
    {
        final UnsafeBuffer frame = Frames.arpRequest();
        for (final int operation : new int[] {0, 3, 4, 0xFFFF})
        {
            frame.putShort(IP_AT + ArpPacket.OPERATION_OFFSET, (short)operation, ByteOrder.BIG_ENDIAN);
            assertEquals(DropReason.ARP_BAD_OPERATION, arp.wrap(frame, IP_AT, ArpPacket.LENGTH), "operation " + operation);
        }
    }

    // IPv4, in the order wrap checks

    @Test
    void ipv4TruncatedBelowTwentyBytes()
    {
        final UnsafeBuffer frame = Frames.tcpSyn();
        assertEquals(DropReason.IPV4_TRUNCATED, ip.wrap(frame, IP_AT, 19));
        // Truncation is checked before the version, which cannot be read safely.
        frame.putByte(IP_AT, (byte)0x65);
        assertEquals(DropReason.IPV4_TRUNCATED, ip.wrap(frame, IP_AT, 19));
    }

    @Test
    void ipv4BadVersion()
    {
        final UnsafeBuffer frame = Frames.tcpSyn();
        for (final int version : new int[] {0, 5, 6, 15})
        {
            frame.putByte(IP_AT, (byte)((version << 4) | 5));
            assertEquals(DropReason.IPV4_BAD_VERSION, ip.wrap(frame, IP_AT, Frames.remaining(frame, IP_AT)), "version " + version);
        }
        // The version is checked before IHL.
        frame.putByte(IP_AT, (byte)0x63);
        assertEquals(DropReason.IPV4_BAD_VERSION, ip.wrap(frame, IP_AT, Frames.remaining(frame, IP_AT)));
    }

    @Test
    void ipv4IhlTooSmall()
    {
        final UnsafeBuffer frame = Frames.tcpSyn();
        for (int ihl = 0; ihl < 5; ihl++)
        {
            frame.putByte(IP_AT, (byte)(0x40 | ihl));
            assertEquals(DropReason.IPV4_IHL_TOO_SMALL, ip.wrap(frame, IP_AT, Frames.remaining(frame, IP_AT)), "ihl " + ihl);
        }
    }

    @Test
    void ipv4HeaderExceedsFrame()
    {
        final UnsafeBuffer frame = Frames.tcpSyn();
        frame.putByte(IP_AT, (byte)0x4F);
        assertEquals(DropReason.IPV4_HEADER_EXCEEDS_FRAME, ip.wrap(frame, IP_AT, 59));
        assertEquals(DropReason.IPV4_HEADER_EXCEEDS_FRAME, ip.wrap(frame, IP_AT, 20));
        frame.putByte(IP_AT, (byte)0x46);
        assertEquals(DropReason.IPV4_HEADER_EXCEEDS_FRAME, ip.wrap(frame, IP_AT, 23));
    }

    @Test
    void ipv4TotalLengthTooShort()
    {
        final UnsafeBuffer frame = Frames.tcpSyn();
        frame.putShort(IP_AT + Ipv4Header.TOTAL_LENGTH_OFFSET, (short)19, ByteOrder.BIG_ENDIAN);
        assertEquals(DropReason.IPV4_TOTAL_LENGTH_TOO_SHORT, ip.wrap(frame, IP_AT, Frames.remaining(frame, IP_AT)));
        // With options the header is longer: a total length of 20 is then short too.
        frame.putByte(IP_AT, (byte)0x46);
        frame.putShort(IP_AT + Ipv4Header.TOTAL_LENGTH_OFFSET, (short)20, ByteOrder.BIG_ENDIAN);
        assertEquals(DropReason.IPV4_TOTAL_LENGTH_TOO_SHORT, ip.wrap(frame, IP_AT, Frames.remaining(frame, IP_AT)));
        frame.putShort(IP_AT + Ipv4Header.TOTAL_LENGTH_OFFSET, (short)24, ByteOrder.BIG_ENDIAN);
        assertEquals(DropReason.NONE, ip.wrap(frame, IP_AT, Frames.remaining(frame, IP_AT)));
        assertEquals(0, ip.payloadLength());
    }

    @Test
    void ipv4TotalLengthExceedsFrame()
    {
        final UnsafeBuffer frame = Frames.tcpSyn();
        final int length = Frames.remaining(frame, IP_AT);
        assertEquals(DropReason.IPV4_TOTAL_LENGTH_EXCEEDS_FRAME, ip.wrap(frame, IP_AT, length - 1));
        // The header itself is present: a monitor may still read it, and the payload present.
        assertEquals(length, ip.totalLength());
        assertEquals(length - 1 - Ipv4Header.MIN_HEADER_LENGTH, ip.payloadLength());
        assertEquals(Frames.CLIENT_IP, ip.source());
        assertTrue(ip.checksumValid());
    }

    @Test
    void ipv4FrameLongerThanTotalLengthIsNotAnError()
    {
        // Ethernet pads to 60 bytes and captures may keep the FCS: the payload ends at total length.
        final UnsafeBuffer frame = Frames.tcpSyn();
        final int length = Frames.remaining(frame, IP_AT);
        frame.putShort(IP_AT + Ipv4Header.TOTAL_LENGTH_OFFSET, (short)(length - 4), ByteOrder.BIG_ENDIAN);
        assertEquals(DropReason.NONE, ip.wrap(frame, IP_AT, length));
        assertEquals(length - 4 - Ipv4Header.MIN_HEADER_LENGTH, ip.payloadLength());
    }

    @Test
    void ipv4BadChecksumIsNotAWrapError()
    {
        final UnsafeBuffer frame = Frames.tcpSyn();
        frame.putByte(IP_AT + Ipv4Header.TTL_OFFSET, (byte)63);
        assertEquals(DropReason.NONE, ip.wrap(frame, IP_AT, Frames.remaining(frame, IP_AT)));
        assertFalse(ip.checksumValid());
    }

    @Test
    void ipv4FragmentsAreNotAWrapError()
    {
        final UnsafeBuffer frame = Frames.tcpSyn();
        final int flagsAt = IP_AT + Ipv4Header.FLAGS_FRAGMENT_OFFSET;
        frame.putShort(flagsAt, (short)Ipv4Header.FLAG_MORE_FRAGMENTS, ByteOrder.BIG_ENDIAN);
        assertEquals(DropReason.NONE, ip.wrap(frame, IP_AT, Frames.remaining(frame, IP_AT)));
        assertTrue(ip.isFragment());
        assertTrue(ip.moreFragments());
        assertEquals(0, ip.fragmentOffsetBytes());

        frame.putShort(flagsAt, (short)185, ByteOrder.BIG_ENDIAN);
        assertEquals(DropReason.NONE, ip.wrap(frame, IP_AT, Frames.remaining(frame, IP_AT)));
        assertTrue(ip.isFragment());
        assertFalse(ip.moreFragments());
        assertEquals(1480, ip.fragmentOffsetBytes());

        frame.putShort(flagsAt, (short)Ipv4Header.FLAG_DONT_FRAGMENT, ByteOrder.BIG_ENDIAN);
        assertEquals(DropReason.NONE, ip.wrap(frame, IP_AT, Frames.remaining(frame, IP_AT)));
        assertFalse(ip.isFragment());
        assertTrue(ip.dontFragment());
    }

    // ICMP

    @Test
    void icmpTruncatedBelowEightBytes()
    {
        final UnsafeBuffer frame = Frames.icmpEcho();
        assertEquals(DropReason.ICMP_TRUNCATED, icmp.wrap(frame, L4_AT, 7));
        assertEquals(DropReason.NONE, icmp.wrap(frame, L4_AT, 8));
    }

    @Test
    void icmpBadChecksumIsNotAWrapError()
    {
        final UnsafeBuffer frame = Frames.icmpEcho();
        final int last = frame.capacity() - 1;
        frame.putByte(last, (byte)(frame.getByte(last) ^ 1));
        assertEquals(DropReason.NONE, icmp.wrap(frame, L4_AT, Frames.remaining(frame, L4_AT)));
        assertFalse(icmp.checksumValid());
    }

    // TCP

    @Test
    void tcpTruncatedBelowTwentyBytes()
    {
        final UnsafeBuffer frame = Frames.tcpSyn();
        assertEquals(DropReason.TCP_TRUNCATED, tcp.wrap(frame, L4_AT, 19));
        assertEquals(DropReason.TCP_TRUNCATED, tcp.wrap(frame, L4_AT, 0));
    }

    @Test
    void tcpDataOffsetTooSmall()
    {
        final UnsafeBuffer frame = Frames.tcpSyn();
        for (int dataOffset = 0; dataOffset < 5; dataOffset++)
        {
            frame.putByte(L4_AT + TcpHeader.DATA_OFFSET_OFFSET, (byte)(dataOffset << 4));
            assertEquals(DropReason.TCP_DATA_OFFSET_TOO_SMALL, tcp.wrap(frame, L4_AT, Frames.remaining(frame, L4_AT)),
                "data offset " + dataOffset);
        }
    }

    @Test
    void tcpDataOffsetExceedsSegment()
    {
        final UnsafeBuffer frame = Frames.tcpSyn();
        // The SYN's header is 40 bytes: 39 bytes of segment cannot hold it.
        assertEquals(DropReason.TCP_DATA_OFFSET_EXCEEDS_SEGMENT, tcp.wrap(frame, L4_AT, 39));
        assertEquals(DropReason.NONE, tcp.wrap(frame, L4_AT, 40));
        assertEquals(0, tcp.payloadLength());
        frame.putByte(L4_AT + TcpHeader.DATA_OFFSET_OFFSET, (byte)0xF0);
        assertEquals(DropReason.TCP_DATA_OFFSET_EXCEEDS_SEGMENT, tcp.wrap(frame, L4_AT, 59));
    }

    @Test
    void tcpBadChecksumIsNotAWrapError()
    {
        final UnsafeBuffer frame = Frames.tcpSyn();
        assertEquals(DropReason.NONE, tcp.wrap(frame, L4_AT, Frames.remaining(frame, L4_AT)));
        assertTrue(tcp.checksumValid(Frames.CLIENT_IP, Frames.SERVER_IP));
        // The pseudo-header counts: the same bytes from another address do not verify.
        assertFalse(tcp.checksumValid(Frames.CLIENT_IP + 1, Frames.SERVER_IP));
        frame.putInt(L4_AT + TcpHeader.SEQUENCE_OFFSET, 1, ByteOrder.BIG_ENDIAN);
        assertFalse(tcp.checksumValid(Frames.CLIENT_IP, Frames.SERVER_IP));
    }

    @Test
    void tcpOptionLengthInvalid()
    {
        final UnsafeBuffer frame = Frames.tcpSyn();
        final int optionsAt = L4_AT + TcpHeader.MIN_HEADER_LENGTH;
        for (final int length : new int[] {0, 1})
        {
            // The window scale option, after MSS and a NOP, gets a length of 0, then 1.
            frame.putByte(optionsAt + 6, (byte)length);
            assertEquals(DropReason.TCP_OPTION_LENGTH_INVALID, options.parse(frame, optionsAt, Frames.SYN_OPTIONS_LENGTH),
                "length " + length);
        }
    }

    @Test
    void tcpOptionExceedsHeader()
    {
        final UnsafeBuffer frame = Frames.tcpSyn();
        final int optionsAt = L4_AT + TcpHeader.MIN_HEADER_LENGTH;
        // The timestamps option starts at byte 10 and is 10 long: a 19-byte area cuts it.
        assertEquals(DropReason.TCP_OPTION_EXCEEDS_HEADER, options.parse(frame, optionsAt, 19));
        assertEquals(DropReason.NONE, options.parse(frame, optionsAt, 20));
        // Only the kind byte of the window scale option fits: its length byte is missing.
        assertEquals(DropReason.TCP_OPTION_EXCEEDS_HEADER, options.parse(frame, optionsAt, 6));
    }
}
