package io.jmtcp.net;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.wire.DropReason;
import io.jmtcp.wire.EthernetHeader;
import io.jmtcp.wire.IcmpHeader;
import io.jmtcp.wire.Ipv4Header;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.jmtcp.net.StackFixture.PEER_IP;
import static io.jmtcp.net.StackFixture.PEER_MAC;
import static io.jmtcp.net.StackFixture.STACK_IP;
import static io.jmtcp.net.StackFixture.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IcmpTest
{
    @Test
    void echoRequestIsAnsweredWithItsIdentifierSequenceAndData()
    {
        final StackFixture fixture = new StackFixture();
        fixture.learnPeer();
        final byte[] request = fixture.frames.echoRequest(0x1234, 7, 56);
        final List<byte[]> sent = fixture.exchange(request);

        assertEquals(1, sent.size());
        final UnsafeBuffer reply = new UnsafeBuffer(sent.get(0));
        final EthernetHeader ethernet = new EthernetHeader();
        assertEquals(DropReason.NONE, ethernet.wrap(reply, 0, reply.capacity()));
        assertEquals(PEER_MAC, ethernet.destination());
        assertEquals(STACK_MAC, ethernet.source());
        final Ipv4Header ip = new Ipv4Header();
        assertEquals(DropReason.NONE, ip.wrap(reply, ethernet.payloadOffset(), ethernet.payloadLength()));
        assertTrue(ip.checksumValid());
        assertEquals(STACK_IP, ip.source());
        assertEquals(PEER_IP, ip.destination());
        assertEquals(Ipv4Header.PROTOCOL_ICMP, ip.protocol());
        assertEquals(64, ip.ttl());
        final IcmpHeader icmp = new IcmpHeader();
        assertEquals(DropReason.NONE, icmp.wrap(reply, ip.payloadOffset(), ip.payloadLength()));
        assertTrue(icmp.checksumValid());
        assertEquals(IcmpHeader.ECHO_REPLY, icmp.type());
        assertEquals(0x1234, icmp.identifier());
        assertEquals(7, icmp.sequence());
        // RFC 1122 §3.2.2.6: the data of the request is returned entirely.
        assertArrayEquals(Arrays.copyOfRange(request, Frames.L4 + 8, request.length),
            Arrays.copyOfRange(sent.get(0), icmp.quoteOffset(), icmp.quoteOffset() + icmp.quoteLength()));
        assertEquals(1, fixture.count(StackCounter.ICMP_ECHO_REQUESTS_IN));
        assertEquals(1, fixture.count(StackCounter.ICMP_ECHO_REPLIES_OUT));
    }

    @Test
    void echoReplyToOurPingerReportsRoundTripTime()
    {
        final StackFixture fixture = new StackFixture();
        fixture.learnPeer();
        final List<long[]> replies = new ArrayList<>();
        fixture.context.network().echoListener((source, id, seq, length, rtt) ->
            replies.add(new long[]{ source, id, seq, length, rtt }));
        fixture.context.network().sendEchoRequest(PEER_IP, 9, 3, 32, fixture.clock.nanoTime());
        final byte[] request = fixture.port.takeSent().get(0);

        // The peer answers: same frame with addresses swapped and type 0.
        final byte[] reply = request.clone();
        final UnsafeBuffer buffer = new UnsafeBuffer(reply);
        EthernetHeader.write(buffer, 0, STACK_MAC, PEER_MAC, EthernetHeader.ETHERTYPE_IPV4);
        buffer.putInt(Frames.IP + 12, PEER_IP, java.nio.ByteOrder.BIG_ENDIAN);
        buffer.putInt(Frames.IP + 16, STACK_IP, java.nio.ByteOrder.BIG_ENDIAN);
        Frames.fixIpChecksum(reply);
        buffer.putByte(Frames.L4, (byte)IcmpHeader.ECHO_REPLY);
        Frames.fixIcmpChecksum(reply);

        fixture.clock.advance(TimeUnit.MICROSECONDS.toNanos(250));
        fixture.exchange(reply);
        assertEquals(1, replies.size());
        assertArrayEquals(new long[]{ PEER_IP, 9, 3, 32, TimeUnit.MICROSECONDS.toNanos(250) }, replies.get(0));
    }

    @Test
    void unsupportedProtocolGetsRateLimitedProtocolUnreachable()
    {
        final StackFixture fixture = new StackFixture();
        fixture.learnPeer();
        final byte[] udp = fixture.frames.udp();
        int answered = 0;
        for (int i = 0; i < 30; i++)
        {
            final List<byte[]> sent = fixture.exchange(udp);
            for (final byte[] frame : sent)
            {
                final UnsafeBuffer buffer = new UnsafeBuffer(frame);
                final IcmpHeader icmp = new IcmpHeader();
                assertEquals(DropReason.NONE, icmp.wrap(buffer, Frames.L4, frame.length - Frames.L4));
                assertEquals(IcmpHeader.DEST_UNREACHABLE, icmp.type());
                assertEquals(IcmpHeader.CODE_PROTOCOL_UNREACHABLE, icmp.code());
                assertTrue(icmp.checksumValid());
                // RFC 792: the quote is the offending IP header and its first 8 payload bytes.
                assertArrayEquals(Arrays.copyOfRange(udp, Frames.IP, Frames.L4 + 8),
                    Arrays.copyOfRange(frame, icmp.quoteOffset(), icmp.quoteOffset() + icmp.quoteLength()));
                answered++;
            }
        }
        assertEquals(10, answered, "RFC 1812 §4.3.2.8: a burst of 10, then rate limited");
        assertEquals(20, fixture.count(StackCounter.ICMP_ERRORS_RATE_LIMITED));
        assertEquals(30, fixture.dropped(DropReason.IPV4_UNSUPPORTED_PROTOCOL));

        fixture.clock.advance(TimeUnit.MILLISECONDS.toNanos(30));
        assertEquals(1, fixture.exchange(udp).size(), "tokens refill at 100 per second");
    }

    @Test
    void fragmentationNeededQuotingOurTcpSegmentReachesTheTransportWithItsMtu()
    {
        final RecordingTransport transport = new RecordingTransport();
        final StackFixture fixture = StackFixture.withTransport(transport);
        final byte[] error = fixture.frames.icmpErrorQuotingTcp(IcmpHeader.DEST_UNREACHABLE,
            IcmpHeader.CODE_FRAGMENTATION_NEEDED, 28);
        new UnsafeBuffer(error).putShort(Frames.L4 + 6, (short)1400, java.nio.ByteOrder.BIG_ENDIAN);
        Frames.fixIcmpChecksum(error);
        fixture.exchange(error);

        assertEquals(1, transport.icmpErrors);
        assertEquals(IcmpHeader.DEST_UNREACHABLE, transport.lastIcmpType);
        assertEquals(IcmpHeader.CODE_FRAGMENTATION_NEEDED, transport.lastIcmpCode);
        assertEquals(1400, transport.lastIcmpMtu, "RFC 1191: next-hop MTU in the second half of the header");
        assertEquals(1, fixture.count(StackCounter.ICMP_ERRORS_IN));
    }

    @Test
    void icmpErrorQuotingTooLittleIsDropped()
    {
        final RecordingTransport transport = new RecordingTransport();
        final StackFixture fixture = StackFixture.withTransport(transport);
        fixture.exchange(fixture.frames.icmpErrorQuotingTcp(IcmpHeader.TIME_EXCEEDED, 0, 24));
        assertEquals(0, transport.icmpErrors);
        assertEquals(1, fixture.dropped(DropReason.ICMP_BAD_QUOTE));
    }

    @Test
    void validTcpSegmentIsHandedToTheTransport()
    {
        final RecordingTransport transport = new RecordingTransport();
        final StackFixture fixture = StackFixture.withTransport(transport);
        fixture.exchange(fixture.frames.tcpSyn());
        assertEquals(1, transport.segments);
        assertEquals(1460, transport.lastMss);
        assertEquals(7, transport.lastWindowScale);
        assertEquals(1, fixture.count(StackCounter.TCP_SEGMENTS_IN));
        assertEquals(0, fixture.context.counters().totalDropped());
    }
}
