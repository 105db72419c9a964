package io.jmtcp.wire;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every writer's output read back by the matching flyweight: same values, valid checksums.
 * Random cases print their seed on failure; {@code -Dwire.seed=N} replays one.
 */
final class RoundTripTest
{
    private static final int AT = 3;
    private static final int ROUNDS = 2_000;

    private final EthernetHeader ethernet = new EthernetHeader();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Header ip = new Ipv4Header();
    private final Ipv4Header quoted = new Ipv4Header();
    private final IcmpHeader icmp = new IcmpHeader();
    private final TcpHeader tcp = new TcpHeader();
    private final TcpOptions options = new TcpOptions();

    private static long seed()
    {
        return Long.getLong("wire.seed", System.nanoTime());
    }

    @Test
    void ethernet()
    {
        final long seed = seed();
        final Random random = new Random(seed);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[AT + EthernetHeader.HEADER_LENGTH]);
        for (int i = 0; i < ROUNDS; i++)
        {
            final long destination = random.nextLong() & Mac.MASK;
            final long source = random.nextLong() & Mac.MASK;
            int etherType = random.nextInt(0x10000);
            while (EthernetHeader.isVlanTpid(etherType))
            {
                etherType = random.nextInt(0x10000);
            }
            assertEquals(14, EthernetHeader.write(buffer, AT, destination, source, etherType));
            assertEquals(DropReason.NONE, ethernet.wrap(buffer, AT, EthernetHeader.HEADER_LENGTH), "seed " + seed);
            assertEquals(destination, ethernet.destination(), "seed " + seed);
            assertEquals(source, ethernet.source(), "seed " + seed);
            assertEquals(etherType, ethernet.etherType(), "seed " + seed);
            assertEquals(0, ethernet.vlanCount());
            assertEquals(-1, ethernet.vlanId());
            assertEquals(14, ethernet.headerLength());
            assertEquals(AT + 14, ethernet.payloadOffset());
            assertEquals(0, ethernet.payloadLength());
        }
    }

    @Test
    void macUpperBitsAreIgnoredOnWrite()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[AT + 14]);
        EthernetHeader.write(buffer, AT, 0xABCD_0000_0000_0001L, Mac.BROADCAST, EthernetHeader.ETHERTYPE_ARP);
        ethernet.wrap(buffer, AT, 14);
        assertEquals(1, ethernet.destination());
        assertEquals(Mac.BROADCAST, ethernet.source());
    }

    @Test
    void vlanTags()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[AT + 30]);
        EthernetHeader.write(buffer, AT, Frames.SERVER_MAC, Frames.CLIENT_MAC, EthernetHeader.ETHERTYPE_VLAN);
        // PCP 5, DEI 1, VID 3136: only the VID is the VLAN ID.
        buffer.putShort(AT + 14, (short)((5 << 13) | (1 << 12) | 3136), ByteOrder.BIG_ENDIAN);
        buffer.putShort(AT + 16, (short)EthernetHeader.ETHERTYPE_IPV4, ByteOrder.BIG_ENDIAN);
        assertEquals(DropReason.NONE, ethernet.wrap(buffer, AT, 30));
        assertEquals(1, ethernet.vlanCount());
        assertEquals(3136, ethernet.vlanId());
        assertEquals(-1, ethernet.innerVlanId());
        assertEquals((5 << 13) | (1 << 12) | 3136, ethernet.tagControl(0));
        assertEquals(EthernetHeader.ETHERTYPE_IPV4, ethernet.etherType());
        assertEquals(18, ethernet.headerLength());
        assertEquals(AT + 18, ethernet.payloadOffset());
        assertEquals(12, ethernet.payloadLength());
        assertEquals(Frames.SERVER_MAC, ethernet.destination());

        for (final int outer : new int[] {EthernetHeader.ETHERTYPE_QINQ, EthernetHeader.ETHERTYPE_QINQ_LEGACY,
            EthernetHeader.ETHERTYPE_VLAN})
        {
            buffer.putShort(AT + 12, (short)outer, ByteOrder.BIG_ENDIAN);
            buffer.putShort(AT + 14, (short)100, ByteOrder.BIG_ENDIAN);
            buffer.putShort(AT + 16, (short)EthernetHeader.ETHERTYPE_VLAN, ByteOrder.BIG_ENDIAN);
            buffer.putShort(AT + 18, (short)4095, ByteOrder.BIG_ENDIAN);
            buffer.putShort(AT + 20, (short)EthernetHeader.ETHERTYPE_ARP, ByteOrder.BIG_ENDIAN);
            assertEquals(DropReason.NONE, ethernet.wrap(buffer, AT, 30));
            assertEquals(2, ethernet.vlanCount());
            assertEquals(100, ethernet.vlanId());
            assertEquals(4095, ethernet.innerVlanId());
            assertEquals(EthernetHeader.ETHERTYPE_ARP, ethernet.etherType());
            assertEquals(22, ethernet.headerLength());
            assertEquals(8, ethernet.payloadLength());
        }

        // A third tag is not unwrapped: the type reads as its TPID.
        buffer.putShort(AT + 20, (short)EthernetHeader.ETHERTYPE_VLAN, ByteOrder.BIG_ENDIAN);
        assertEquals(DropReason.NONE, ethernet.wrap(buffer, AT, 30));
        assertEquals(2, ethernet.vlanCount());
        assertEquals(EthernetHeader.ETHERTYPE_VLAN, ethernet.etherType());
    }

    @Test
    void arp()
    {
        final long seed = seed();
        final Random random = new Random(seed);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[AT + ArpPacket.LENGTH]);
        for (int i = 0; i < ROUNDS; i++)
        {
            final int operation = random.nextBoolean() ? ArpPacket.OP_REQUEST : ArpPacket.OP_REPLY;
            final long senderMac = random.nextLong() & Mac.MASK;
            final int senderIp = random.nextInt();
            final long targetMac = random.nextLong() & Mac.MASK;
            final int targetIp = random.nextInt();
            assertEquals(28, ArpPacket.write(buffer, AT, operation, senderMac, senderIp, targetMac, targetIp));
            assertEquals(DropReason.NONE, arp.wrap(buffer, AT, ArpPacket.LENGTH), "seed " + seed);
            assertEquals(ArpPacket.HTYPE_ETHERNET, arp.hardwareType());
            assertEquals(ArpPacket.PTYPE_IPV4, arp.protocolType());
            assertEquals(operation, arp.operation(), "seed " + seed);
            assertEquals(senderMac, arp.senderMac(), "seed " + seed);
            assertEquals(senderIp, arp.senderIp(), "seed " + seed);
            assertEquals(targetMac, arp.targetMac(), "seed " + seed);
            assertEquals(targetIp, arp.targetIp(), "seed " + seed);
        }
    }

    @Test
    void ipv4()
    {
        final long seed = seed();
        final Random random = new Random(seed);
        for (int i = 0; i < ROUNDS; i++)
        {
            final int payloadLength = random.nextInt(1500);
            final int identification = random.nextInt(0x10000);
            final boolean dontFragment = random.nextBoolean();
            final int ttl = random.nextInt(256);
            final int protocol = random.nextInt(256);
            final int source = random.nextInt();
            final int destination = random.nextInt();
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[AT + 20 + payloadLength]);
            assertEquals(20, Ipv4Header.write(buffer, AT, payloadLength, identification, dontFragment, ttl, protocol, source,
                destination));
            final String context = "seed " + seed + ", round " + i;
            assertEquals(DropReason.NONE, ip.wrap(buffer, AT, 20 + payloadLength), context);
            assertTrue(ip.checksumValid(), context);
            assertEquals(4, ip.version());
            assertEquals(20, ip.headerLength());
            assertEquals(0, ip.dscp());
            assertEquals(0, ip.ecn());
            assertEquals(20 + payloadLength, ip.totalLength(), context);
            assertEquals(identification, ip.identification(), context);
            assertEquals(dontFragment, ip.dontFragment(), context);
            assertEquals(dontFragment ? 2 : 0, ip.flags(), context);
            assertFalse(ip.moreFragments());
            assertFalse(ip.isFragment());
            assertEquals(0, ip.fragmentOffset());
            assertEquals(ttl, ip.ttl(), context);
            assertEquals(protocol, ip.protocol(), context);
            assertEquals(source, ip.source(), context);
            assertEquals(destination, ip.destination(), context);
            assertEquals(0, ip.optionsLength());
            assertEquals(AT + 20, ip.optionsOffset());
            assertEquals(AT + 20, ip.payloadOffset());
            assertEquals(payloadLength, ip.payloadLength(), context);
        }
    }

    @Test
    void ipv4ChecksumRewrittenAfterInPlaceChange()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[AT + 24]);
        Ipv4Header.write(buffer, AT, 0, 1, true, 64, Ipv4Header.PROTOCOL_ICMP, Frames.CLIENT_IP, Frames.SERVER_IP);
        // Grow the header by a 4-byte option (Router Alert, RFC 2113) and fix IHL, length, checksum.
        buffer.putByte(AT, (byte)0x46);
        buffer.putShort(AT + Ipv4Header.TOTAL_LENGTH_OFFSET, (short)24, ByteOrder.BIG_ENDIAN);
        buffer.putInt(AT + Ipv4Header.OPTIONS_OFFSET, 0x9404_0000, ByteOrder.BIG_ENDIAN);
        assertEquals(DropReason.NONE, ip.wrap(buffer, AT, 24));
        assertFalse(ip.checksumValid());
        Ipv4Header.writeChecksum(buffer, AT);
        assertTrue(ip.checksumValid());
        assertEquals(4, ip.optionsLength());
        assertEquals(AT + 24, ip.payloadOffset());

        // A TTL decrement patched with RFC 1624 stays valid.
        final int oldWord = buffer.getShort(AT + Ipv4Header.TTL_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final int newWord = oldWord - 0x0100;
        buffer.putShort(AT + Ipv4Header.TTL_OFFSET, (short)newWord, ByteOrder.BIG_ENDIAN);
        final int checksum = InternetChecksum.update16(ip.headerChecksum(), oldWord, newWord);
        buffer.putShort(AT + Ipv4Header.CHECKSUM_OFFSET, (short)checksum, ByteOrder.BIG_ENDIAN);
        assertEquals(63, ip.ttl());
        assertTrue(ip.checksumValid());
    }

    @Test
    void icmpEcho()
    {
        final long seed = seed();
        final Random random = new Random(seed);
        for (int i = 0; i < ROUNDS; i++)
        {
            final byte[] data = new byte[random.nextInt(200)];
            random.nextBytes(data);
            final int identifier = random.nextInt(0x10000);
            final int sequence = random.nextInt(0x10000);
            final int type = random.nextBoolean() ? IcmpHeader.ECHO_REQUEST : IcmpHeader.ECHO_REPLY;
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[AT + 8 + data.length]);
            final int length = IcmpHeader.writeEcho(buffer, AT, type, identifier, sequence, new UnsafeBuffer(data), 0,
                data.length);
            final String context = "seed " + seed + ", round " + i;
            assertEquals(8 + data.length, length, context);
            assertEquals(DropReason.NONE, icmp.wrap(buffer, AT, length), context);
            assertTrue(icmp.checksumValid(), context);
            assertEquals(type, icmp.type(), context);
            assertEquals(0, icmp.code(), context);
            assertEquals(identifier, icmp.identifier(), context);
            assertEquals(sequence, icmp.sequence(), context);
            assertEquals(AT + 8, icmp.quoteOffset());
            assertEquals(data.length, icmp.quoteLength(), context);
            final byte[] back = new byte[data.length];
            buffer.getBytes(icmp.quoteOffset(), back);
            assertArrayEquals(data, back, context);
        }
    }

    @Test
    void icmpEchoReplyBuiltInPlace()
    {
        final UnsafeBuffer frame = Frames.icmpEcho();
        final int at = Frames.L4_AT;
        final int length = Frames.remaining(frame, at);
        assertEquals(DropReason.NONE, icmp.wrap(frame, at, length));
        final byte[] payload = new byte[icmp.quoteLength()];
        frame.getBytes(icmp.quoteOffset(), payload);
        final int identifier = icmp.identifier();
        final int sequence = icmp.sequence();

        // RFC 792: the reply returns identifier, sequence and data unchanged.
        assertEquals(length, IcmpHeader.writeEcho(frame, at, IcmpHeader.ECHO_REPLY, identifier, sequence, frame,
            at + IcmpHeader.HEADER_LENGTH, payload.length));
        assertEquals(DropReason.NONE, icmp.wrap(frame, at, length));
        assertTrue(icmp.checksumValid());
        assertEquals(IcmpHeader.ECHO_REPLY, icmp.type());
        assertEquals(identifier, icmp.identifier());
        assertEquals(sequence, icmp.sequence());
        final byte[] back = new byte[payload.length];
        frame.getBytes(icmp.quoteOffset(), back);
        assertArrayEquals(payload, back);
    }

    @Test
    void icmpErrorsQuoteTheOffendingDatagram()
    {
        final UnsafeBuffer offending = Frames.tcpSyn();
        final int quoteLength = Ipv4Header.MIN_HEADER_LENGTH + 8;
        final int[][] cases = {
            {IcmpHeader.DEST_UNREACHABLE, IcmpHeader.CODE_NET_UNREACHABLE, 0},
            {IcmpHeader.DEST_UNREACHABLE, IcmpHeader.CODE_HOST_UNREACHABLE, 0},
            {IcmpHeader.DEST_UNREACHABLE, IcmpHeader.CODE_PROTOCOL_UNREACHABLE, 0},
            {IcmpHeader.DEST_UNREACHABLE, IcmpHeader.CODE_PORT_UNREACHABLE, 0},
            {IcmpHeader.DEST_UNREACHABLE, IcmpHeader.CODE_FRAGMENTATION_NEEDED, 1280},
            {IcmpHeader.TIME_EXCEEDED, IcmpHeader.CODE_TTL_EXCEEDED, 0},
            {IcmpHeader.TIME_EXCEEDED, IcmpHeader.CODE_REASSEMBLY_TIME_EXCEEDED, 0},
        };
        for (final int[] c : cases)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[AT + 8 + quoteLength]);
            final int length = IcmpHeader.writeError(buffer, AT, c[0], c[1], c[2], offending, Frames.IP_AT, quoteLength);
            assertEquals(8 + quoteLength, length);
            assertEquals(DropReason.NONE, icmp.wrap(buffer, AT, length));
            assertTrue(icmp.checksumValid());
            assertEquals(c[0], icmp.type());
            assertEquals(c[1], icmp.code());
            assertEquals(c[2], icmp.restOfHeader());
            assertEquals(c[2], icmp.nextHopMtu());

            // The quote names the flow: its IPv4 header and the TCP ports.
            assertEquals(DropReason.IPV4_TOTAL_LENGTH_EXCEEDS_FRAME,
                quoted.wrap(buffer, icmp.quoteOffset(), icmp.quoteLength()));
            assertEquals(Frames.CLIENT_IP, quoted.source());
            assertEquals(Frames.SERVER_IP, quoted.destination());
            assertEquals(Ipv4Header.PROTOCOL_TCP, quoted.protocol());
            assertEquals(8, quoted.payloadLength());
            assertEquals(40000, buffer.getShort(quoted.payloadOffset(), ByteOrder.BIG_ENDIAN) & 0xFFFF);
            assertEquals(80, buffer.getShort(quoted.payloadOffset() + 2, ByteOrder.BIG_ENDIAN) & 0xFFFF);
        }
    }

    @Test
    void tcpWithOptionsAndPayload()
    {
        final long seed = seed();
        final Random random = new Random(seed);
        for (int i = 0; i < ROUNDS; i++)
        {
            final String context = "seed " + seed + ", round " + i;
            final byte[] payload = new byte[random.nextInt(1460)];
            random.nextBytes(payload);
            final int sourceIp = random.nextInt();
            final int destinationIp = random.nextInt();
            final int sourcePort = random.nextInt(0x10000);
            final int destinationPort = random.nextInt(0x10000);
            final int sequence = random.nextInt();
            final int ack = random.nextInt();
            final int flags = random.nextInt(0x200);
            final int window = random.nextInt(0x10000);
            final int urgent = random.nextInt(0x10000);
            final int mss = random.nextInt(0x10000);
            final int shift = random.nextInt(15);
            final int tsVal = random.nextInt();
            final int tsEcr = random.nextInt();
            final int sackBlocks = random.nextInt(4);
            final int[] lefts = new int[3];
            final int[] rights = new int[3];
            for (int b = 0; b < 3; b++)
            {
                lefts[b] = random.nextInt();
                rights[b] = random.nextInt();
            }
            final boolean syn = random.nextBoolean();

            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[AT + 60 + payload.length]);
            final int optionsAt = AT + TcpHeader.MIN_HEADER_LENGTH;
            int n = 0;
            if (syn)
            {
                n += TcpOptionsWriter.writeMss(buffer, optionsAt, mss);
                n += TcpOptionsWriter.writeSackPermitted(buffer, optionsAt + n);
                n += TcpOptionsWriter.writeNop(buffer, optionsAt + n);
                n += TcpOptionsWriter.writeWindowScale(buffer, optionsAt + n, shift);
            }
            n += TcpOptionsWriter.writeNop(buffer, optionsAt + n);
            n += TcpOptionsWriter.writeNop(buffer, optionsAt + n);
            n += TcpOptionsWriter.writeTimestamps(buffer, optionsAt + n, tsVal, tsEcr);
            if (!syn && sackBlocks > 0)
            {
                n += TcpOptionsWriter.writeNop(buffer, optionsAt + n);
                n += TcpOptionsWriter.writeNop(buffer, optionsAt + n);
                n += TcpOptionsWriter.writeSackBlocks(buffer, optionsAt + n, lefts, rights, sackBlocks);
            }
            n = TcpOptionsWriter.padToWord(buffer, optionsAt, n);
            final int headerLength = TcpHeader.MIN_HEADER_LENGTH + n;
            final int segmentLength = headerLength + payload.length;
            assertEquals(20, TcpHeader.write(buffer, AT, sourcePort, destinationPort, sequence, ack, headerLength, flags,
                window, urgent));
            buffer.putBytes(AT + headerLength, payload);
            TcpHeader.writeChecksum(buffer, AT, segmentLength, sourceIp, destinationIp);

            assertEquals(DropReason.NONE, tcp.wrap(buffer, AT, segmentLength), context);
            assertTrue(tcp.checksumValid(sourceIp, destinationIp), context);
            assertEquals(sourcePort, tcp.sourcePort(), context);
            assertEquals(destinationPort, tcp.destinationPort(), context);
            assertEquals(sequence, tcp.sequenceNumber(), context);
            assertEquals(ack, tcp.ackNumber(), context);
            assertEquals(headerLength, tcp.headerLength(), context);
            assertEquals(headerLength / 4, tcp.dataOffset(), context);
            assertEquals(flags & 0xFF, tcp.flags(), context);
            assertEquals(flags >>> 8, tcp.reservedBits(), context);
            assertEquals(window, tcp.window(), context);
            assertEquals(urgent, tcp.urgentPointer(), context);
            assertEquals(n, tcp.optionsLength(), context);
            assertEquals(AT + 20, tcp.optionsOffset(), context);
            assertEquals(AT + headerLength, tcp.payloadOffset(), context);
            assertEquals(payload.length, tcp.payloadLength(), context);

            assertEquals(DropReason.NONE, options.parse(buffer, tcp.optionsOffset(), tcp.optionsLength()), context);
            assertEquals(syn, options.hasMss(), context);
            assertEquals(syn, options.sackPermitted(), context);
            assertEquals(syn, options.hasWindowScale(), context);
            if (syn)
            {
                assertEquals(mss, options.mss(), context);
                assertEquals(shift, options.windowScale(), context);
            }
            assertTrue(options.hasTimestamps(), context);
            assertEquals(tsVal, options.tsVal(), context);
            assertEquals(tsEcr, options.tsEcr(), context);
            assertEquals(syn ? 0 : sackBlocks, options.sackBlockCount(), context);
            for (int b = 0; b < options.sackBlockCount(); b++)
            {
                assertEquals(lefts[b], options.sackLeft(b), context);
                assertEquals(rights[b], options.sackRight(b), context);
            }
            assertEquals(0, options.malformedCount(), context);
            assertEquals(0, options.unknownCount(), context);
        }
    }

    @Test
    void tcpFlags()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[AT + 20]);
        final int[] all = {TcpHeader.FIN, TcpHeader.SYN, TcpHeader.RST, TcpHeader.PSH, TcpHeader.ACK, TcpHeader.URG,
            TcpHeader.ECE, TcpHeader.CWR};
        for (final int flag : all)
        {
            TcpHeader.write(buffer, AT, 1, 2, 3, 4, 20, flag, 5, 0);
            assertEquals(DropReason.NONE, tcp.wrap(buffer, AT, 20));
            assertEquals(flag, tcp.flags());
            for (final int other : all)
            {
                assertEquals(other == flag, tcp.hasFlag(other));
            }
            assertEquals(0, tcp.reservedBits());
        }
        TcpHeader.write(buffer, AT, 1, 2, 3, 4, 20, TcpHeader.SYN | TcpHeader.ACK | (TcpHeader.RESERVED_AE << 8), 5, 0);
        tcp.wrap(buffer, AT, 20);
        assertTrue(tcp.hasFlag(TcpHeader.SYN | TcpHeader.ACK));
        assertFalse(tcp.hasFlag(TcpHeader.SYN | TcpHeader.FIN));
        assertEquals(TcpHeader.RESERVED_AE, tcp.reservedBits());
        assertEquals(TcpHeader.SYN | TcpHeader.ACK, tcp.flags());
    }

    @Test
    void tcpWriteRejectsImpossibleHeaderLengths()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        for (final int headerLength : new int[] {0, 16, 21, 22, 23, 64})
        {
            assertThrows(IllegalArgumentException.class,
                () -> TcpHeader.write(buffer, 0, 1, 2, 3, 4, headerLength, TcpHeader.ACK, 5, 0), "length " + headerLength);
        }
    }

    @Test
    void wholeFrameThroughEveryLayer()
    {
        final UnsafeBuffer frame = Frames.tcpSyn();
        assertEquals(DropReason.NONE, ethernet.wrap(frame, Frames.BASE, Frames.frameLength(frame)));
        assertEquals(Frames.SERVER_MAC, ethernet.destination());
        assertEquals(Frames.CLIENT_MAC, ethernet.source());
        assertEquals(EthernetHeader.ETHERTYPE_IPV4, ethernet.etherType());
        assertEquals(DropReason.NONE, ip.wrap(frame, ethernet.payloadOffset(), ethernet.payloadLength()));
        assertTrue(ip.checksumValid());
        assertEquals(Ipv4Header.PROTOCOL_TCP, ip.protocol());
        assertEquals(DropReason.NONE, tcp.wrap(frame, ip.payloadOffset(), ip.payloadLength()));
        assertTrue(tcp.checksumValid(ip.source(), ip.destination()));
        assertEquals(0xFFFF_FFF0, tcp.sequenceNumber());
        assertEquals(DropReason.NONE, options.parse(frame, tcp.optionsOffset(), tcp.optionsLength()));
        assertEquals(1460, options.mss());
        assertEquals(7, options.windowScale());
        assertTrue(options.sackPermitted());
        assertEquals(0x01020304, options.tsVal());
        final byte[] payload = new byte[tcp.payloadLength()];
        frame.getBytes(tcp.payloadOffset(), payload);
        assertArrayEquals(Frames.PAYLOAD, payload);
    }
}
