package io.jmtcp.core;

import io.jmtcp.net.InterfaceConfig;
import io.jmtcp.net.TransportHandler;
import io.jmtcp.port.MemoryLink;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.tcp.TcpConfig;
import io.jmtcp.tcp.TcpConnection;
import io.jmtcp.tcp.TcpError;
import io.jmtcp.tcp.TcpHandler;
import io.jmtcp.tcp.TcpState;
import io.jmtcp.time.VirtualClock;
import io.jmtcp.wire.DropReason;
import io.jmtcp.wire.EthernetHeader;
import io.jmtcp.wire.IcmpHeader;
import io.jmtcp.wire.Ip4;
import io.jmtcp.wire.Ipv4Header;
import io.jmtcp.wire.Mac;
import io.jmtcp.wire.TcpHeader;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static java.nio.ByteOrder.BIG_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What context 0 does for the others: it receives ARP and publishes what it learns (another
 * context's own request is answered to context 0, and that context then sends), and it passes an
 * ICMP error quoting another context's flow to that context. And a TCP segment that reaches a
 * context not owning its flow is counted and dropped, never a flow or a RST.
 */
class ContextSharingTest
{
    private static final int A = Ip4.parse("198.18.0.1");
    private static final int B = Ip4.parse("198.18.0.2");
    private static final long MAC_A = Mac.parse("02:00:00:00:00:01");
    private static final long MAC_B = Mac.parse("02:00:00:00:00:02");
    private static final int PORT = 7001;

    private final VirtualClock clock = new VirtualClock();
    private final UnsafeBuffer frame = new UnsafeBuffer(ByteBuffer.allocateDirect(1514));

    @Test
    void otherContextResolvesThroughContextZeroAndGetsItsIcmpErrors()
    {
        final int[] syn = new int[3];
        final TransportHandler recorder = (ip, tcp, options, now) ->
        {
            syn[0] = tcp.sourcePort();
            syn[1] = tcp.sequenceNumber();
            syn[2]++;
            return DropReason.NONE;
        };
        try (MemoryLink link = MemoryLink.builder().clock(clock).build();
            ContextGroup group = ContextGroup.builder(new ContextConfig().name("a").iface(iface(MAC_A, A)), 2)
                .tcp(new TcpConfig().secret(1, 2)).clock(clock).manual().openShared(link.endA()))
        {
            final StackContext peer = new StackContext(new ContextConfig().name("b").iface(iface(MAC_B, B)),
                link.endB(), clock, recorder);
            final StackContext one = group.context(1);
            final TcpConnection connection = one.tcp().connect(B, PORT, 0, new TcpHandler()
            {
            }, clock.nanoTime());
            assertNotNull(connection);
            assertTrue(run(group, peer, () -> syn[2] > 0), "the SYN never left context 1");
            assertTrue(one.counters().get(StackCounter.ARP_REQUESTS_OUT) >= 1);
            assertEquals(0, one.counters().get(StackCounter.RX_FRAMES), "context 1 received ARP or ICMP");
            assertEquals(MAC_B, group.context(0).network().arp().lookup(B, clock.nanoTime()));
            assertTrue(group.context(0).counters().get(StackCounter.ARP_ANNOUNCEMENTS_OUT) >= 1);
            assertEquals(0, one.counters().get(StackCounter.ARP_ANNOUNCEMENTS_OUT));

            // RFC 1122 §4.2.3.9: port unreachable in SYN_SENT is a hard error, on the right context.
            final int length = icmpPortUnreachable(syn[0], PORT, syn[1]);
            assertTrue(link.endB().send(frame, 0, length));
            assertTrue(run(group, peer, () -> connection.state() == TcpState.CLOSED), "the error never arrived");
            assertEquals(TcpError.ECONNREFUSED, connection.error());
            assertEquals(1, group.context(0).counters().get(StackCounter.TCP_ICMP_FORWARDED));
            assertEquals(1, one.counters().get(StackCounter.TCP_ICMP_ERRORS));
            assertEquals(0, group.context(0).counters().get(StackCounter.TCP_ICMP_ERRORS));

            // Context 0's own flow: handled in place, its MAC already known.
            final TcpConnection own = group.context(0).tcp().connect(B, PORT, 0, new TcpHandler()
            {
            }, clock.nanoTime());
            final int before = syn[2];
            assertTrue(run(group, peer, () -> syn[2] > before));
            assertTrue(link.endB().send(frame, 0, icmpPortUnreachable(syn[0], PORT, syn[1])));
            assertTrue(run(group, peer, () -> own.state() == TcpState.CLOSED));
            assertEquals(1, group.context(0).counters().get(StackCounter.TCP_ICMP_FORWARDED));
            assertEquals(1, group.context(0).counters().get(StackCounter.TCP_ICMP_ERRORS));
            peer.counters().close();
        }
    }

    @Test
    void segmentOfAnotherContextsFlowIsCountedAndDropped()
    {
        try (MemoryLink link = MemoryLink.builder().clock(clock).build())
        {
            final ContextShares shares = new ContextShares(2, new PortSpace(49152, 65535), 64);
            final StackContext zero = new StackContext(new ContextConfig().name("a").iface(iface(MAC_A, A))
                .forContext(0, 2), link.endA(), clock, null, new TcpConfig(), shares);
            assertNotNull(zero.tcp().listen(PORT, 8, new TcpHandler()
            {
            }));
            int remotePort = 40000;
            while (FlowHash.contextOf(A, PORT, B, remotePort, 2) != 1)
            {
                remotePort++;
            }
            zero.doWork();
            final long sentBefore = zero.counters().get(StackCounter.TX_FRAMES);
            assertTrue(link.endB().send(frame, 0, tcpSyn(remotePort, PORT)));
            zero.doWork();
            assertEquals(1, zero.counters().get(StackCounter.TCP_MISROUTED));
            assertEquals(0, zero.tcp().connectionCount());
            assertEquals(sentBefore, zero.counters().get(StackCounter.TX_FRAMES), "it answered a foreign segment");
            assertEquals(0, zero.counters().totalDropped());
            assertNull(zero.lastError());
            zero.counters().close();
        }
    }

    private static InterfaceConfig iface(final long mac, final int address)
    {
        return new InterfaceConfig(mac, address, 24, InterfaceConfig.NO_GATEWAY, 1500);
    }

    private boolean run(final ContextGroup group, final StackContext peer, final BooleanSupplier done)
    {
        final long deadline = clock.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!done.getAsBoolean())
        {
            if (group.doWork() + peer.doWork() == 0)
            {
                clock.advance(TimeUnit.MILLISECONDS.toNanos(1));
            }
            if (clock.nanoTime() - deadline > 0)
            {
                return false;
            }
        }
        return true;
    }

    /** From B to A: port unreachable quoting our segment's IPv4 header and first 8 TCP bytes. */
    private int icmpPortUnreachable(final int localPort, final int remotePort, final int seq)
    {
        final UnsafeBuffer quote = new UnsafeBuffer(new byte[28]);
        Ipv4Header.write(quote, 0, 40, 1, true, 64, Ipv4Header.PROTOCOL_TCP, A, B);
        quote.putShort(20, (short)localPort, BIG_ENDIAN);
        quote.putShort(22, (short)remotePort, BIG_ENDIAN);
        quote.putInt(24, seq, BIG_ENDIAN);
        EthernetHeader.write(frame, 0, MAC_A, MAC_B, EthernetHeader.ETHERTYPE_IPV4);
        final int icmpLength = IcmpHeader.writeError(frame, 34, IcmpHeader.DEST_UNREACHABLE,
            IcmpHeader.CODE_PORT_UNREACHABLE, 0, quote, 0, quote.capacity());
        Ipv4Header.write(frame, 14, icmpLength, 2, false, 64, Ipv4Header.PROTOCOL_ICMP, B, A);
        return 34 + icmpLength;
    }

    private int tcpSyn(final int sourcePort, final int destinationPort)
    {
        EthernetHeader.write(frame, 0, MAC_A, MAC_B, EthernetHeader.ETHERTYPE_IPV4);
        Ipv4Header.write(frame, 14, TcpHeader.MIN_HEADER_LENGTH, 3, true, 64, Ipv4Header.PROTOCOL_TCP, B, A);
        TcpHeader.write(frame, 34, sourcePort, destinationPort, 12345, 0, TcpHeader.MIN_HEADER_LENGTH, TcpHeader.SYN,
            65535, 0);
        TcpHeader.writeChecksum(frame, 34, TcpHeader.MIN_HEADER_LENGTH, B, A);
        return 34 + TcpHeader.MIN_HEADER_LENGTH;
    }
}
