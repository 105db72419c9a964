package io.jmtcp.net;

import io.jmtcp.core.ContextConfig;
import io.jmtcp.core.StackContext;
import io.jmtcp.stats.StackCounter;
import io.jmtcp.time.VirtualClock;
import io.jmtcp.wire.ArpPacket;
import io.jmtcp.wire.DropReason;
import io.jmtcp.wire.EthernetHeader;
import io.jmtcp.wire.IcmpHeader;
import io.jmtcp.wire.Ip4;
import io.jmtcp.wire.Ipv4Header;
import io.jmtcp.wire.Mac;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.jmtcp.net.StackFixture.PEER_IP;
import static io.jmtcp.net.StackFixture.PEER_MAC;
import static io.jmtcp.net.StackFixture.STACK_IP;
import static io.jmtcp.net.StackFixture.STACK_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArpTest
{
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private static ArpPacket arpOf(final byte[] frame)
    {
        final EthernetHeader ethernet = new EthernetHeader();
        assertEquals(DropReason.NONE, ethernet.wrap(new UnsafeBuffer(frame), 0, frame.length));
        assertEquals(EthernetHeader.ETHERTYPE_ARP, ethernet.etherType());
        final ArpPacket arp = new ArpPacket();
        assertEquals(DropReason.NONE, arp.wrap(new UnsafeBuffer(frame), ethernet.payloadOffset(),
            ethernet.payloadLength()));
        return arp;
    }

    private static int echoSequence(final byte[] frame)
    {
        return new UnsafeBuffer(frame).getShort(Frames.L4 + 6, ByteOrder.BIG_ENDIAN) & 0xFFFF;
    }

    private static long ethernetDestination(final byte[] frame)
    {
        return Mac.read(new UnsafeBuffer(frame), 0);
    }

    @Test
    void startAnnouncesOurAddressTwiceTwoSecondsApart()
    {
        final ScriptedPort port = new ScriptedPort(1514);
        final VirtualClock clock = new VirtualClock();
        final StackContext context = new StackContext(new ContextConfig()
            .iface(new InterfaceConfig(STACK_MAC, STACK_IP, 24, InterfaceConfig.NO_GATEWAY, 1500)), port, clock);
        context.doWork();
        final List<byte[]> first = port.takeSent();
        clock.advance(SECOND);
        context.doWork();
        assertTrue(port.takeSent().isEmpty());
        clock.advance(SECOND);
        context.doWork();
        final List<byte[]> second = port.takeSent();
        clock.advance(10 * SECOND);
        context.doWork();
        assertTrue(port.takeSent().isEmpty(), "RFC 5227 §2.3: ANNOUNCE_NUM is 2");

        for (final List<byte[]> sent : List.of(first, second))
        {
            assertEquals(1, sent.size());
            assertEquals(Mac.BROADCAST, ethernetDestination(sent.get(0)));
            final ArpPacket announcement = arpOf(sent.get(0));
            assertEquals(ArpPacket.OP_REQUEST, announcement.operation());
            assertEquals(STACK_IP, announcement.senderIp(), "RFC 5227 §2.3: sender and target are both ours");
            assertEquals(STACK_IP, announcement.targetIp());
            assertEquals(STACK_MAC, announcement.senderMac());
        }
        assertEquals(2, context.counters().get(StackCounter.ARP_ANNOUNCEMENTS_OUT));
    }

    @Test
    void requestForOurAddressIsAnsweredAndRequesterLearned()
    {
        final StackFixture fixture = new StackFixture();
        final List<byte[]> sent = fixture.exchange(fixture.frames.arpRequestForStack());

        assertEquals(1, sent.size());
        assertEquals(60, sent.get(0).length, "ARP frames are padded to the Ethernet minimum");
        assertEquals(PEER_MAC, ethernetDestination(sent.get(0)));
        final ArpPacket reply = arpOf(sent.get(0));
        assertEquals(ArpPacket.OP_REPLY, reply.operation());
        assertEquals(STACK_MAC, reply.senderMac());
        assertEquals(STACK_IP, reply.senderIp());
        assertEquals(PEER_MAC, reply.targetMac());
        assertEquals(PEER_IP, reply.targetIp());
        assertEquals(PEER_MAC, fixture.context.network().arp().lookup(PEER_IP, fixture.clock.nanoTime()));
        assertEquals(1, fixture.count(StackCounter.ARP_REQUESTS_IN));
        assertEquals(1, fixture.count(StackCounter.ARP_REPLIES_OUT));
    }

    @Test
    void requestForAnotherAddressGetsNoAnswer()
    {
        final StackFixture fixture = new StackFixture();
        final byte[] request = fixture.frames.arp(ArpPacket.OP_REQUEST, Mac.BROADCAST, 0L, Ip4.parse("198.18.0.9"));
        assertTrue(fixture.exchange(request).isEmpty());
        assertEquals(1, fixture.dropped(DropReason.ARP_NOT_FOR_US));
        assertEquals(ArpResolver.UNRESOLVED, fixture.context.network().arp().lookup(PEER_IP, fixture.clock.nanoTime()),
            "RFC 826: a host not in the table is not learned from a packet not for us");
    }

    @Test
    void unknownNextHopIsResolvedAndQueuedFramesSentInOrder()
    {
        final StackFixture fixture = new StackFixture();
        final long now = fixture.clock.nanoTime();
        final NetworkLayer network = fixture.context.network();
        network.sendEchoRequest(PEER_IP, 1, 1, 16, now);
        network.sendEchoRequest(PEER_IP, 1, 2, 16, now);
        final List<byte[]> sent = fixture.port.takeSent();
        assertEquals(1, sent.size(), "only the ARP request leaves before resolution");
        assertEquals(Mac.BROADCAST, ethernetDestination(sent.get(0)));
        assertEquals(PEER_IP, arpOf(sent.get(0)).targetIp());
        assertEquals(2, network.arp().pendingFrames());

        final List<byte[]> released = fixture.exchange(fixture.frames.arpReplyToStack());
        assertEquals(2, released.size());
        for (int i = 0; i < 2; i++)
        {
            assertEquals(PEER_MAC, ethernetDestination(released.get(i)));
            assertEquals(i + 1, new UnsafeBuffer(released.get(i)).getShort(Frames.L4 + 6,
                ByteOrder.BIG_ENDIAN), "queued frames keep their order");
        }
        assertEquals(0, network.arp().pendingFrames());
        assertEquals(2, fixture.count(StackCounter.ARP_PENDING_SENT));
        assertEquals(1, fixture.count(StackCounter.ARP_RESOLVED));
    }

    @Test
    void resolutionRetriesOncePerSecondThenFailsAndDropsQueuedFrames()
    {
        final StackFixture fixture = new StackFixture();
        fixture.context.network().sendEchoRequest(PEER_IP, 1, 1, 16, fixture.clock.nanoTime());
        assertEquals(1, fixture.port.takeSent().size());

        fixture.clock.advance(SECOND / 2);
        assertTrue(fixture.exchange().isEmpty(), "RFC 1122 §2.3.2.1: at most one request per second");
        fixture.clock.advance(SECOND / 2);
        assertEquals(1, fixture.exchange().size());
        fixture.clock.advance(SECOND);
        assertEquals(1, fixture.exchange().size());
        assertEquals(3, fixture.count(StackCounter.ARP_REQUESTS_OUT));

        fixture.clock.advance(SECOND);
        assertTrue(fixture.exchange().isEmpty());
        assertEquals(1, fixture.dropped(DropReason.ARP_RESOLUTION_FAILED));
        assertEquals(0, fixture.context.network().arp().pendingFrames());
        assertEquals(0, fixture.context.network().arp().size());
    }

    /**
     * A TCP segment that waited for a neighbour that never answered is, to its connection, an
     * ICMP host unreachable quoting it (so a connect ends with EHOSTUNREACH, as on Linux); other
     * frames that fail the same way (here an echo request) are only counted.
     */
    @Test
    void aTcpSegmentDroppedForAnAbsentNeighbourReachesTheTransportAsHostUnreachable()
    {
        final RecordingTransport transport = new RecordingTransport();
        final StackFixture fixture = StackFixture.withTransport(transport);
        final long now = fixture.clock.nanoTime();
        fixture.context.network().sendEchoRequest(PEER_IP, 1, 1, 16, now);
        final MutableDirectBuffer tx = fixture.context.network().txBuffer();
        tx.setMemory(NetworkLayer.L4_OFFSET, 20, (byte)0);
        tx.putShort(NetworkLayer.L4_OFFSET, (short)49152, ByteOrder.BIG_ENDIAN);
        tx.putShort(NetworkLayer.L4_OFFSET + 2, (short)80, ByteOrder.BIG_ENDIAN);
        tx.putInt(NetworkLayer.L4_OFFSET + 4, 0x12345678, ByteOrder.BIG_ENDIAN);
        tx.putByte(NetworkLayer.L4_OFFSET + 12, (byte)0x50);
        assertTrue(fixture.context.network().sendIpv4(PEER_IP, Ipv4Header.PROTOCOL_TCP, 20, true, now));
        for (int second = 0; second < 4; second++)
        {
            fixture.clock.advance(SECOND);
            fixture.exchange();
        }
        assertEquals(2, fixture.dropped(DropReason.ARP_RESOLUTION_FAILED));
        assertEquals(1, transport.icmpErrors, "the TCP segment only");
        assertEquals(IcmpHeader.DEST_UNREACHABLE, transport.lastIcmpType);
        assertEquals(IcmpHeader.CODE_HOST_UNREACHABLE, transport.lastIcmpCode);
        assertEquals(0, transport.lastIcmpMtu);
    }

    @Test
    void resolutionStillRetriesAfterANeighbourWasLearnedFromItsRequest()
    {
        final StackFixture fixture = new StackFixture();
        fixture.learnPeer();
        fixture.context.network().sendEchoRequest(Ip4.parse("198.18.0.61"), 1, 1, 16, fixture.clock.nanoTime());
        for (int second = 0; second < 4; second++)
        {
            fixture.clock.advance(SECOND);
            fixture.exchange();
        }
        assertEquals(3, fixture.count(StackCounter.ARP_REQUESTS_OUT));
        assertEquals(1, fixture.dropped(DropReason.ARP_RESOLUTION_FAILED));
        assertEquals(1, fixture.context.network().arp().size(), "the learned peer stays");
    }

    @Test
    void neighbourAtItsShareMakesRoomByDroppingItsOldestFrame()
    {
        final StackFixture fixture = new StackFixture(ArpSettings.DEFAULTS.withPendingPerNeighbour(2));
        final NetworkLayer network = fixture.context.network();
        final long now = fixture.clock.nanoTime();
        for (int sequence = 1; sequence <= 3; sequence++)
        {
            assertTrue(network.sendEchoRequest(PEER_IP, 1, sequence, 8, now));
        }
        assertEquals(1, fixture.dropped(DropReason.ARP_PENDING_QUEUE_FULL));
        assertEquals(2, network.arp().pendingFrames());
        fixture.port.takeSent();

        final List<byte[]> released = fixture.exchange(fixture.frames.arpReplyToStack());
        assertEquals(List.of(2, 3), released.stream().map(ArpTest::echoSequence).toList(),
            "RFC 1122 §2.3.2.2: the latest frames are the ones kept");
    }

    @Test
    void fullPoolMakesRoomFromTheNeighbourHoldingTheMost()
    {
        final StackFixture fixture = new StackFixture(ArpSettings.DEFAULTS.withPendingCapacity(4)
            .withPendingPerNeighbour(3));
        final NetworkLayer network = fixture.context.network();
        final long now = fixture.clock.nanoTime();
        final int busy = Ip4.parse("198.18.0.60");
        final int quiet = Ip4.parse("198.18.0.61");
        for (int sequence = 1; sequence <= 3; sequence++)
        {
            assertTrue(network.sendEchoRequest(busy, 1, sequence, 8, now));
        }
        assertTrue(network.sendEchoRequest(quiet, 1, 1, 8, now));
        assertTrue(network.sendEchoRequest(Ip4.parse("198.18.0.62"), 1, 1, 8, now),
            "RFC 1122 §2.3.2.2: a new destination keeps at least its latest frame");
        assertEquals(1, fixture.dropped(DropReason.ARP_PENDING_QUEUE_FULL));
        assertEquals(4, network.arp().pendingFrames());
        fixture.port.takeSent();

        final List<byte[]> released = fixture.exchange(new Frames(STACK_MAC, STACK_IP,
            Mac.parse("02:00:00:00:01:60"), busy).arpReplyToStack());
        assertEquals(List.of(2, 3), released.stream().map(ArpTest::echoSequence).toList(),
            "the busiest neighbour gave up its oldest frame");
    }

    @Test
    void anotherHostClaimingOurAddressIsAnsweredWithAnAnnouncementAtMostEveryTenSeconds()
    {
        final StackFixture fixture = new StackFixture();
        final byte[] claim = new Frames(STACK_MAC, STACK_IP, PEER_MAC, STACK_IP).arp(ArpPacket.OP_REQUEST,
            Mac.BROADCAST, 0L, STACK_IP);
        final long announcementsBefore = fixture.count(StackCounter.ARP_ANNOUNCEMENTS_OUT);
        final List<byte[]> defence = fixture.exchange(claim);
        assertEquals(1, defence.size());
        final ArpPacket announcement = arpOf(defence.get(0));
        assertEquals(STACK_IP, announcement.senderIp());
        assertEquals(STACK_IP, announcement.targetIp());
        assertEquals(STACK_MAC, announcement.senderMac());

        fixture.clock.advance(9 * SECOND);
        assertTrue(fixture.exchange(claim).isEmpty(), "RFC 5227 §2.4: one per DEFEND_INTERVAL");
        fixture.clock.advance(SECOND);
        assertEquals(1, fixture.exchange(claim).size());
        assertEquals(3, fixture.count(StackCounter.ARP_CONFLICTS));
        assertEquals(announcementsBefore + 2, fixture.count(StackCounter.ARP_ANNOUNCEMENTS_OUT));
    }

    @Test
    void framesForTwoNextHopsKeepTheirOrderPerNeighbour()
    {
        final StackFixture fixture = new StackFixture();
        final NetworkLayer network = fixture.context.network();
        final int other = Ip4.parse("198.18.0.70");
        final long now = fixture.clock.nanoTime();
        network.sendEchoRequest(PEER_IP, 1, 1, 8, now);
        network.sendEchoRequest(other, 1, 11, 8, now);
        network.sendEchoRequest(PEER_IP, 1, 2, 8, now);
        network.sendEchoRequest(other, 1, 12, 8, now);
        network.sendEchoRequest(PEER_IP, 1, 3, 8, now);
        fixture.port.takeSent();

        final List<byte[]> released = fixture.exchange(fixture.frames.arpReplyToStack());
        assertEquals(List.of(1, 2, 3), released.stream().map(ArpTest::echoSequence).toList());
        assertEquals(2, network.arp().pendingFrames(), "the other neighbour's frames still wait");
    }

    @Test
    void requestNotForUsCompletesAResolutionWeAreWaitingFor()
    {
        final StackFixture fixture = new StackFixture();
        fixture.context.network().sendEchoRequest(PEER_IP, 1, 1, 8, fixture.clock.nanoTime());
        fixture.port.takeSent();
        final byte[] requestForAnother = fixture.frames.arp(ArpPacket.OP_REQUEST, Mac.BROADCAST, 0L,
            Ip4.parse("198.18.0.9"));
        final List<byte[]> sent = fixture.exchange(requestForAnother);
        assertEquals(1, sent.size(), "RFC 826 merge: the waiting frame leaves, no reply is made");
        assertEquals(PEER_MAC, ethernetDestination(sent.get(0)));
        assertEquals(1, fixture.dropped(DropReason.ARP_NOT_FOR_US));
    }

    @Test
    void probeForOurAddressIsAnsweredButItsZeroSenderNotLearned()
    {
        final StackFixture fixture = new StackFixture();
        final byte[] probe = new Frames(STACK_MAC, STACK_IP, PEER_MAC, 0).arpRequestForStack();
        final List<byte[]> sent = fixture.exchange(probe);
        assertEquals(1, sent.size(), "RFC 5227 §2.1.1: we defend our address");
        assertEquals(0, arpOf(sent.get(0)).targetIp());
        assertEquals(0, fixture.context.network().arp().size());
    }

    @Test
    void resolutionRetriesAndFailsAcrossAClockThatWraps()
    {
        final StackFixture fixture = new StackFixture();
        fixture.clock.advanceTo(Long.MAX_VALUE - SECOND / 2);
        fixture.exchange();
        fixture.context.network().sendEchoRequest(PEER_IP, 1, 1, 8, fixture.clock.nanoTime());
        for (int second = 0; second < 3; second++)
        {
            fixture.clock.advance(SECOND);
            fixture.exchange();
        }
        assertEquals(3, fixture.count(StackCounter.ARP_REQUESTS_OUT), "one request a second, on time");
        assertEquals(1, fixture.dropped(DropReason.ARP_RESOLUTION_FAILED));
    }

    @Test
    void entryIsRefreshedByUnicastBeforeItExpiresAndForgottenAfter()
    {
        final StackFixture fixture = new StackFixture();
        fixture.learnPeer();
        final ArpResolver arp = fixture.context.network().arp();

        fixture.clock.advance(30 * SECOND);
        assertEquals(PEER_MAC, arp.lookup(PEER_IP, fixture.clock.nanoTime()));
        assertTrue(fixture.port.takeSent().isEmpty(), "no refresh early in the entry's life");

        fixture.clock.advance(20 * SECOND);
        assertEquals(PEER_MAC, arp.lookup(PEER_IP, fixture.clock.nanoTime()), "still used while refreshing");
        final List<byte[]> refresh = fixture.port.takeSent();
        assertEquals(1, refresh.size());
        assertEquals(PEER_MAC, ethernetDestination(refresh.get(0)), "RFC 1122 §2.3.2.1: unicast poll");

        fixture.clock.advance(11 * SECOND);
        assertEquals(ArpResolver.UNRESOLVED, arp.lookup(PEER_IP, fixture.clock.nanoTime()));
    }

    @Test
    void replyMergesIntoExistingEntry()
    {
        final StackFixture fixture = new StackFixture();
        fixture.learnPeer();
        final long movedMac = Mac.parse("02:00:00:00:00:99");
        final byte[] moved = new Frames(STACK_MAC, STACK_IP, movedMac, PEER_IP).arpReplyToStack();
        fixture.exchange(moved);
        assertEquals(movedMac, fixture.context.network().arp().lookup(PEER_IP, fixture.clock.nanoTime()));
    }

    @Test
    void learningFromARequestNeverEvictsAResolutionInProgress()
    {
        final StackFixture fixture = new StackFixture(ArpSettings.DEFAULTS.withCacheCapacity(1));
        fixture.context.network().sendEchoRequest(Ip4.parse("198.18.0.60"), 1, 1, 8, fixture.clock.nanoTime());
        fixture.port.takeSent();
        final List<byte[]> sent = fixture.exchange(fixture.frames.arpRequestForStack());
        assertEquals(1, sent.size(), "the request is still answered");
        assertEquals(ArpResolver.UNRESOLVED, fixture.context.network().arp().lookup(PEER_IP,
            fixture.clock.nanoTime()), "the sender is not learned");
        assertEquals(1, fixture.context.network().arp().pendingFrames(), "the frame for .60 still waits");
        assertEquals(0, fixture.dropped(DropReason.ARP_EVICTED));
    }

    @Test
    void fullCacheEvictsAResolvedEntryBeforeOneBeingResolved()
    {
        final StackFixture fixture = new StackFixture(ArpSettings.DEFAULTS.withCacheCapacity(2));
        final ArpResolver arp = fixture.context.network().arp();
        fixture.context.network().sendEchoRequest(Ip4.parse("198.18.0.60"), 1, 1, 8, fixture.clock.nanoTime());
        fixture.clock.advance(SECOND / 10);
        fixture.learnPeer();
        fixture.exchange(new Frames(STACK_MAC, STACK_IP, Mac.parse("02:00:00:00:01:07"), Ip4.parse("198.18.0.7"))
            .arpRequestForStack());
        assertEquals(ArpResolver.UNRESOLVED, arp.lookup(PEER_IP, fixture.clock.nanoTime()));
        assertEquals(1, arp.pendingFrames(), "the frame waiting for .60 survived");
        assertEquals(0, fixture.dropped(DropReason.ARP_EVICTED));
    }

    @Test
    void fullCacheEvictsTheEntryClosestToExpiry()
    {
        final StackFixture fixture = new StackFixture(ArpSettings.DEFAULTS.withCacheCapacity(2));
        final ArpResolver arp = fixture.context.network().arp();
        for (int host = 10; host < 13; host++)
        {
            final int address = Ip4.parse("198.18.0." + host);
            final long mac = Mac.parse("02:00:00:00:01:" + host);
            fixture.exchange(new Frames(STACK_MAC, STACK_IP, mac, address).arpRequestForStack());
            fixture.clock.advance(SECOND);
        }
        assertEquals(2, arp.size());
        final long now = fixture.clock.nanoTime();
        assertEquals(ArpResolver.UNRESOLVED, arp.lookup(Ip4.parse("198.18.0.10"), now));
        assertEquals(Mac.parse("02:00:00:00:01:12"), arp.lookup(Ip4.parse("198.18.0.12"), now));
    }

    @Test
    void offLinkDestinationGoesToTheGateway()
    {
        final StackFixture fixture = new StackFixture();
        fixture.context.network().sendEchoRequest(Ip4.parse("198.19.5.5"), 1, 1, 8, fixture.clock.nanoTime());
        final List<byte[]> sent = fixture.port.takeSent();
        assertEquals(1, sent.size());
        assertEquals(Ip4.parse("198.18.0.254"), arpOf(sent.get(0)).targetIp());
    }
}
