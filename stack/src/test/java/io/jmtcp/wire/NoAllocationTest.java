package io.jmtcp.wire;

import io.jmtcp.testing.Allocations;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The parse, accessor, checksum and write paths allocate nothing: the thread's allocation
 * counter does not move while they run over real and built frames.
 */
final class NoAllocationTest
{
    private static final int WARM_UP_ROUNDS = 50_000;
    private static final int ROUNDS = 20_000;
    private static final int BATCHES = 5;

    private final EthernetHeader ethernet = new EthernetHeader();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Header ip = new Ipv4Header();
    private final IcmpHeader icmp = new IcmpHeader();
    private final TcpHeader tcp = new TcpHeader();
    private final TcpOptions options = new TcpOptions();
    private final int[] lefts = {1, 3, 5, 7};
    private final int[] rights = {2, 4, 6, 8};
    private long sink;

    @Test
    void hotPathsDoNotAllocate()
    {
        final UnsafeBuffer syn = Frames.tcpSyn();
        final UnsafeBuffer request = Frames.arpRequest();
        final UnsafeBuffer echo = Frames.icmpEcho();
        final UnsafeBuffer out = new UnsafeBuffer(new byte[1600]);

        final long least = Allocations.leastBytesPerBatch(() -> exercise(syn, request, echo, out), WARM_UP_ROUNDS,
            ROUNDS, BATCHES);
        assertEquals(0, least, "fewest bytes allocated by a batch of " + ROUNDS + " rounds (sink " + sink + ")");
    }

    private void exercise(final UnsafeBuffer syn, final UnsafeBuffer request, final UnsafeBuffer echo, final UnsafeBuffer out)
    {
        long sum = 0;
        ethernet.wrap(syn, Frames.BASE, Frames.frameLength(syn));
        sum += ethernet.destination() + ethernet.source() + ethernet.etherType() + ethernet.vlanId();
        ip.wrap(syn, ethernet.payloadOffset(), ethernet.payloadLength());
        sum += ip.checksumValid() ? 1 : 0;
        sum += ip.source() + ip.destination() + ip.totalLength() + ip.identification() + ip.ttl() + ip.protocol();
        sum += ip.isFragment() ? 1 : 0;
        tcp.wrap(syn, ip.payloadOffset(), ip.payloadLength());
        sum += tcp.checksumValid(ip.source(), ip.destination()) ? 1 : 0;
        sum += tcp.sourcePort() + tcp.destinationPort() + tcp.sequenceNumber() + tcp.ackNumber() + tcp.flags() + tcp.window();
        options.parse(syn, tcp.optionsOffset(), tcp.optionsLength());
        sum += options.mss() + options.windowScale() + options.tsVal() + options.tsEcr() + options.sackBlockCount();

        ethernet.wrap(request, Frames.BASE, Frames.frameLength(request));
        arp.wrap(request, ethernet.payloadOffset(), ethernet.payloadLength());
        sum += arp.operation() + arp.senderMac() + arp.senderIp() + arp.targetMac() + arp.targetIp();

        ethernet.wrap(echo, Frames.BASE, Frames.frameLength(echo));
        ip.wrap(echo, ethernet.payloadOffset(), ethernet.payloadLength());
        icmp.wrap(echo, ip.payloadOffset(), ip.payloadLength());
        sum += icmp.checksumValid() ? 1 : 0;
        sum += icmp.type() + icmp.identifier() + icmp.sequence();

        int n = EthernetHeader.write(out, 0, Mac.BROADCAST, Frames.CLIENT_MAC, EthernetHeader.ETHERTYPE_IPV4);
        n += Ipv4Header.write(out, n, 60, 1, true, 64, Ipv4Header.PROTOCOL_TCP, Frames.CLIENT_IP, Frames.SERVER_IP);
        final int tcpAt = n;
        n += TcpHeader.write(out, tcpAt, 1, 2, 3, 4, 60, TcpHeader.ACK, 5, 0);
        int o = TcpOptionsWriter.writeNop(out, n);
        o += TcpOptionsWriter.writeNop(out, n + o);
        o += TcpOptionsWriter.writeSackBlocks(out, n + o, lefts, rights, 4);
        o = TcpOptionsWriter.padToWord(out, n, o);
        TcpHeader.writeChecksum(out, tcpAt, 20 + o, Frames.CLIENT_IP, Frames.SERVER_IP);
        sum += IcmpHeader.writeEcho(out, 200, IcmpHeader.ECHO_REPLY, 1, 2, echo, Frames.L4_AT + 8, 32);
        sum += IcmpHeader.writeError(out, 300, IcmpHeader.DEST_UNREACHABLE, IcmpHeader.CODE_PORT_UNREACHABLE, 0, syn,
            Frames.IP_AT, 28);
        sum += ArpPacket.write(out, 400, ArpPacket.OP_REPLY, Frames.SERVER_MAC, Frames.SERVER_IP, Frames.CLIENT_MAC,
            Frames.CLIENT_IP);
        sum += InternetChecksum.update32(InternetChecksum.checksum(out, 0, 1500), 1, 2);
        sink += sum;
    }
}
