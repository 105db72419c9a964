package io.jmtcp.net;

import io.jmtcp.stats.StackCounter;
import io.jmtcp.wire.ArpPacket;
import io.jmtcp.wire.DropReason;
import io.jmtcp.wire.Ip4;
import io.jmtcp.wire.Mac;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static io.jmtcp.net.StackFixture.PEER_IP;
import static io.jmtcp.net.StackFixture.STACK_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every {@link DropReason} is triggered through a whole context, counted exactly once, throws
 * nothing out of the duty cycle, and leaves the stack answering pings.
 */
class MalformedFrameSuiteTest
{
    private static final int IP = Frames.IP;
    private static final int L4 = Frames.L4;

    record Case(DropReason reason, String label, Supplier<StackFixture> fixture, Consumer<StackFixture> trigger)
    {
        @Override
        public String toString()
        {
            return reason.name() + (label.isEmpty() ? "" : " (" + label + ")");
        }
    }

    static List<Case> cases()
    {
        final List<Case> cases = new ArrayList<>();
        frame(cases, DropReason.ETH_TRUNCATED, f -> Arrays.copyOf(f.echoRequest(1, 1, 8), 10));
        frame(cases, DropReason.ETH_UNSUPPORTED_ETHERTYPE, f -> put16(f.echoRequest(1, 1, 8), 12, 0x86DD));
        frame(cases, DropReason.ETH_VLAN_TAGGED, f ->
        {
            final byte[] plain = f.echoRequest(1, 1, 8);
            final byte[] tagged = new byte[plain.length + 4];
            System.arraycopy(plain, 0, tagged, 0, 12);
            put16(tagged, 12, 0x8100);
            put16(tagged, 14, 100);
            System.arraycopy(plain, 12, tagged, 16, plain.length - 12);
            return tagged;
        });
        frame(cases, DropReason.ETH_NOT_FOR_US, f ->
        {
            final byte[] frame = f.echoRequest(1, 1, 8);
            Mac.write(new UnsafeBuffer(frame), 0, Mac.parse("02:00:00:00:00:77"));
            return frame;
        });
        frame(cases, DropReason.ARP_TRUNCATED, f -> Arrays.copyOf(f.arpRequestForStack(), IP + 20));
        frame(cases, DropReason.ARP_UNSUPPORTED, f -> put8(f.arpRequestForStack(), IP + 4, 8));
        frame(cases, DropReason.ARP_BAD_OPERATION, f -> put16(f.arpRequestForStack(), IP + 6, 3));
        frame(cases, DropReason.ARP_NOT_FOR_US, f ->
            f.arp(ArpPacket.OP_REQUEST, Mac.BROADCAST, 0L, Ip4.parse("198.18.0.50")));
        frame(cases, DropReason.ARP_BAD_SENDER, "zero mac", f -> putMac(f.arpRequestForStack(), IP + 8, 0L));
        frame(cases, DropReason.ARP_BAD_SENDER, "group mac", f ->
            putMac(f.arpRequestForStack(), IP + 8, Mac.parse("01:00:5e:00:00:01")));
        frame(cases, DropReason.ARP_SENDER_IS_US, f -> put32(f.arpRequestForStack(), IP + 14, STACK_IP));
        frame(cases, DropReason.IPV4_TRUNCATED, f -> Arrays.copyOf(f.echoRequest(1, 1, 8), IP + 10));
        frame(cases, DropReason.IPV4_BAD_VERSION, f -> put8(f.echoRequest(1, 1, 8), IP, 0x65));
        frame(cases, DropReason.IPV4_IHL_TOO_SMALL, f -> put8(f.echoRequest(1, 1, 8), IP, 0x44));
        frame(cases, DropReason.IPV4_HEADER_EXCEEDS_FRAME, f -> put8(f.echoRequest(1, 1, 0), IP, 0x4F));
        frame(cases, DropReason.IPV4_TOTAL_LENGTH_TOO_SHORT, f -> ipFixed(put16(f.echoRequest(1, 1, 8), IP + 2, 12)));
        frame(cases, DropReason.IPV4_TOTAL_LENGTH_EXCEEDS_FRAME, f ->
            ipFixed(put16(f.echoRequest(1, 1, 8), IP + 2, 20 + 16 + 100)));
        frame(cases, DropReason.IPV4_BAD_CHECKSUM, f -> put16(f.echoRequest(1, 1, 8), IP + 10, 0x1234));
        frame(cases, DropReason.IPV4_FRAGMENT, f -> ipFixed(put16(f.echoRequest(1, 1, 8), IP + 6, 0x2000)));
        frame(cases, DropReason.IPV4_NON_FIRST_FRAGMENT, f -> ipFixed(put16(f.echoRequest(1, 1, 8), IP + 6, 0x0001)));
        for (final String source : new String[]{ "224.0.0.1", "255.255.255.255", "0.0.0.0", "127.0.0.1",
            "198.18.0.255", "198.18.0.1" })
        {
            frame(cases, DropReason.IPV4_BAD_SOURCE, source, f -> ipFixed(put32(f.echoRequest(1, 1, 8), IP + 12,
                Ip4.parse(source))));
        }
        frame(cases, DropReason.IPV4_LINK_BROADCAST, f ->
        {
            final byte[] frame = f.echoRequest(1, 1, 8);
            Mac.write(new UnsafeBuffer(frame), 0, Mac.BROADCAST);
            return frame;
        });
        frame(cases, DropReason.IPV4_NOT_FOR_US, f -> ipFixed(put32(f.echoRequest(1, 1, 8), IP + 16,
            Ip4.parse("198.18.0.77"))));
        frame(cases, DropReason.IPV4_UNSUPPORTED_PROTOCOL, Frames::udp);
        frame(cases, DropReason.ICMP_TRUNCATED, f -> ipFixed(put16(Arrays.copyOf(f.echoRequest(1, 1, 0), L4 + 4),
            IP + 2, 24)));
        frame(cases, DropReason.ICMP_BAD_CHECKSUM, f -> put16(f.echoRequest(1, 1, 8), L4 + 2, 0x4321));
        frame(cases, DropReason.ICMP_UNSUPPORTED_TYPE, f -> icmpFixed(put8(f.echoRequest(1, 1, 8), L4, 13)));
        frame(cases, DropReason.ICMP_BAD_QUOTE, "short quote", f -> f.icmpErrorQuotingTcp(11, 0, 24));
        frame(cases, DropReason.ICMP_BAD_QUOTE, "quoted version 6", f ->
            icmpFixed(put8(f.icmpErrorQuotingTcp(11, 0, 28), L4 + 8, 0x65)));
        frame(cases, DropReason.ICMP_BAD_QUOTE, "quoted ihl 4", f ->
            icmpFixed(put8(f.icmpErrorQuotingTcp(11, 0, 28), L4 + 8, 0x44)));
        frame(cases, DropReason.ICMP_BAD_QUOTE, "quote shorter than ihl + 8", f ->
            icmpFixed(put8(f.icmpErrorQuotingTcp(11, 0, 28), L4 + 8, 0x46)));
        frame(cases, DropReason.ICMP_ERROR_NOT_OURS, "quotes udp", f ->
            icmpFixed(put8(f.icmpErrorQuotingTcp(3, 3, 28), L4 + 8 + 9, 17)));
        frame(cases, DropReason.ICMP_ERROR_NOT_OURS, "quotes another source", f ->
            icmpFixed(put32(f.icmpErrorQuotingTcp(3, 1, 28), L4 + 8 + 12, Ip4.parse("198.18.0.9"))));
        frame(cases, DropReason.ICMP_ECHO_TOO_LONG, f -> f.echoRequest(1, 1, 1473));
        frame(cases, DropReason.TCP_TRUNCATED, f -> ipFixed(put16(Arrays.copyOf(f.tcpSyn(), L4 + 12), IP + 2, 32)));
        frame(cases, DropReason.TCP_DATA_OFFSET_TOO_SMALL, f -> tcpFixed(put8(f.tcpSyn(), L4 + 12, 0x40)));
        frame(cases, DropReason.TCP_DATA_OFFSET_EXCEEDS_SEGMENT, f -> tcpFixed(put8(f.tcpSyn(), L4 + 12, 0xF0)));
        frame(cases, DropReason.TCP_OPTION_LENGTH_INVALID, f -> tcpFixed(put8(f.tcpSyn(), L4 + 21, 0)));
        frame(cases, DropReason.TCP_OPTION_EXCEEDS_HEADER, f -> tcpFixed(put8(f.tcpSyn(), L4 + 21, 40)));
        frame(cases, DropReason.TCP_BAD_CHECKSUM, f -> put16(f.tcpSyn(), L4 + 16, 0xBEEF));
        frame(cases, DropReason.TCP_NO_SOCKET, "segment", Frames::tcpSyn);
        frame(cases, DropReason.TCP_NO_SOCKET, "icmp error about our tcp", f -> f.icmpErrorQuotingTcp(3, 4, 28));

        for (final String destination : new String[]{ "198.18.0.1", "0.0.0.0", "255.255.255.255", "224.0.0.5",
            "127.0.0.1", "198.18.0.255" })
        {
            cases.add(new Case(DropReason.IPV4_BAD_DESTINATION, destination, StackFixture::new, f ->
                f.context.network().sendEchoRequest(Ip4.parse(destination), 1, 1, 8, f.clock.nanoTime())));
        }
        cases.add(new Case(DropReason.ARP_EVICTED, "", () -> new StackFixture(ArpSettings.DEFAULTS.withCacheCapacity(1)),
            f ->
            {
                f.context.network().sendEchoRequest(Ip4.parse("198.18.0.60"), 1, 1, 8, f.clock.nanoTime());
                f.context.network().sendEchoRequest(Ip4.parse("198.18.0.61"), 1, 1, 8, f.clock.nanoTime());
            }));
        cases.add(new Case(DropReason.IPV4_NO_ROUTE, "", StackFixture::withoutGateway, f ->
            f.context.network().sendEchoRequest(Ip4.parse("198.19.1.1"), 1, 1, 8, f.clock.nanoTime())));
        cases.add(new Case(DropReason.ARP_PENDING_QUEUE_FULL, "pool",
            () -> new StackFixture(ArpSettings.DEFAULTS.withPendingCapacity(2)), f ->
            {
                f.context.network().sendEchoRequest(Ip4.parse("198.18.0.60"), 1, 1, 8, f.clock.nanoTime());
                f.context.network().sendEchoRequest(Ip4.parse("198.18.0.60"), 1, 2, 8, f.clock.nanoTime());
                f.context.network().sendEchoRequest(Ip4.parse("198.18.0.61"), 1, 1, 8, f.clock.nanoTime());
            }));
        cases.add(new Case(DropReason.ARP_PENDING_QUEUE_FULL, "neighbour share",
            () -> new StackFixture(ArpSettings.DEFAULTS.withPendingPerNeighbour(1)), f ->
            {
                f.context.network().sendEchoRequest(Ip4.parse("198.18.0.60"), 1, 1, 8, f.clock.nanoTime());
                f.context.network().sendEchoRequest(Ip4.parse("198.18.0.60"), 1, 2, 8, f.clock.nanoTime());
            }));
        cases.add(new Case(DropReason.ARP_RESOLUTION_FAILED, "", StackFixture::new, f ->
        {
            f.context.network().sendEchoRequest(Ip4.parse("198.18.0.61"), 1, 1, 8, f.clock.nanoTime());
            for (int second = 0; second < 4; second++)
            {
                f.clock.advance(TimeUnit.SECONDS.toNanos(1));
                f.exchange();
            }
        }));
        cases.add(new Case(DropReason.TX_PORT_REFUSED, "", StackFixture::new, f ->
        {
            f.port.refuseSends(true);
            f.exchange(f.frames.echoRequest(1, 1, 8));
            f.port.refuseSends(false);
        }));
        return cases;
    }

    @Test
    void everyDropReasonHasACase()
    {
        final Set<DropReason> covered = cases().stream().map(Case::reason).collect(Collectors.toSet());
        final Set<DropReason> all = EnumSet.complementOf(EnumSet.of(DropReason.NONE));
        all.removeAll(covered);
        assertEquals(Set.of(), all, "drop reasons without a test case");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void dropIsCountedOnceAndStackKeepsAnswering(final Case dropCase)
    {
        final StackFixture fixture = dropCase.fixture().get();
        fixture.learnPeer();
        fixture.port.takeSent();
        final long droppedBefore = fixture.context.counters().totalDropped();

        dropCase.trigger().accept(fixture);
        fixture.context.doWork();
        fixture.port.takeSent();

        assertEquals(1, fixture.dropped(dropCase.reason()), dropCase.reason().description());
        assertEquals(droppedBefore + 1, fixture.context.counters().totalDropped(), "exactly one drop");
        assertEquals(0, fixture.count(StackCounter.INTERNAL_ERRORS));
        assertStillAnswersPing(fixture);
    }

    @Test
    void randomlyDamagedFramesNeverEscapeTheDutyCycle()
    {
        final long seed = Long.getLong("jmtcp.seed", System.nanoTime());
        final Random random = new Random(seed);
        final StackFixture fixture = new StackFixture();
        fixture.learnPeer();
        final List<byte[]> templates = List.of(fixture.frames.arpRequestForStack(), fixture.frames.echoRequest(5, 5, 40),
            fixture.frames.tcpSyn(), fixture.frames.udp(), fixture.frames.icmpErrorQuotingTcp(3, 4, 28));
        for (int i = 0; i < 20_000; i++)
        {
            byte[] frame = templates.get(random.nextInt(templates.size())).clone();
            final int flips = 1 + random.nextInt(3);
            for (int flip = 0; flip < flips; flip++)
            {
                frame[random.nextInt(frame.length)] ^= (byte)(1 << random.nextInt(8));
            }
            if (random.nextInt(4) == 0)
            {
                frame = Arrays.copyOf(frame, random.nextInt(frame.length + 40));
            }
            fixture.port.inject(frame);
            if (i % 64 == 0)
            {
                fixture.context.doWork();
                fixture.port.takeSent();
            }
        }
        fixture.context.doWork();
        fixture.port.takeSent();
        assertEquals(0, fixture.count(StackCounter.INTERNAL_ERRORS), "replay with -Djmtcp.seed=" + seed + ": " +
            fixture.context.lastError());
        fixture.learnPeer();
        assertStillAnswersPing(fixture);
    }

    private static void assertStillAnswersPing(final StackFixture fixture)
    {
        final long repliesBefore = fixture.count(StackCounter.ICMP_ECHO_REPLIES_OUT);
        final List<byte[]> sent = fixture.exchange(fixture.frames.echoRequest(42, 42, 16));
        assertEquals(1, sent.size(), "the stack must still answer a ping");
        assertEquals(repliesBefore + 1, fixture.count(StackCounter.ICMP_ECHO_REPLIES_OUT));
    }

    private static void frame(final List<Case> cases, final DropReason reason,
        final Function<Frames, byte[]> build)
    {
        frame(cases, reason, "", build);
    }

    private static void frame(final List<Case> cases, final DropReason reason, final String label,
        final Function<Frames, byte[]> build)
    {
        cases.add(new Case(reason, label, StackFixture::new, f -> f.port.inject(build.apply(f.frames))));
    }

    private static byte[] putMac(final byte[] frame, final int offset, final long mac)
    {
        Mac.write(new UnsafeBuffer(frame), offset, mac);
        return frame;
    }

    private static byte[] put8(final byte[] frame, final int offset, final int value)
    {
        frame[offset] = (byte)value;
        return frame;
    }

    private static byte[] put16(final byte[] frame, final int offset, final int value)
    {
        new UnsafeBuffer(frame).putShort(offset, (short)value, ByteOrder.BIG_ENDIAN);
        return frame;
    }

    private static byte[] put32(final byte[] frame, final int offset, final int value)
    {
        new UnsafeBuffer(frame).putInt(offset, value, ByteOrder.BIG_ENDIAN);
        return frame;
    }

    private static byte[] ipFixed(final byte[] frame)
    {
        Frames.fixIpChecksum(frame);
        return frame;
    }

    private static byte[] icmpFixed(final byte[] frame)
    {
        Frames.fixIcmpChecksum(frame);
        return frame;
    }

    private static byte[] tcpFixed(final byte[] frame)
    {
        Frames.fixTcpChecksum(frame, PEER_IP, STACK_IP);
        return frame;
    }

}
