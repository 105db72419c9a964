package io.jmtcp.port;

import java.util.ArrayList;
import java.util.List;

import io.jmtcp.testing.Allocations;
import io.jmtcp.time.VirtualClock;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The impaired port over one end of an unimpaired memory link: the test plays the wire's far side
 * (the kernel, in real use) on the other end, and the stack on the impaired port.
 */
class ImpairedPortTest
{
    private static final long SEED = 0x1A9_0001L;
    private static final int FRAMES = 20_000;

    /** A frame as one side saw it: its bytes and the clock reading when it was handed over. */
    private static final class Received
    {
        final byte[] bytes;
        final long atNanos;

        Received(final byte[] bytes, final long atNanos)
        {
            this.bytes = bytes;
            this.atNanos = atNanos;
        }

        long sequence()
        {
            return new UnsafeBuffer(bytes).getLong(0);
        }
    }

    /** The impaired port, the memory link under it, and the clock both run on. */
    private static final class Bench implements AutoCloseable
    {
        final VirtualClock clock;
        final MemoryLink link;
        final ImpairedPort port;

        static Bench of(final long seed, final LinkImpairments inbound, final LinkImpairments outbound)
        {
            return of(seed, ImpairedPort.DEFAULT_CAPACITY, inbound, outbound);
        }

        static Bench of(final long seed, final int capacity, final LinkImpairments inbound,
            final LinkImpairments outbound)
        {
            final VirtualClock clock = new VirtualClock();
            final MemoryLink link = MemoryLink.builder().clock(clock).capacity(4096).build();
            return new Bench(clock, link, ImpairedPort.builder(link.endA()).clock(clock).seed(seed)
                .capacity(capacity).inbound(inbound).outbound(outbound).build());
        }

        private Bench(final VirtualClock clock, final MemoryLink link, final ImpairedPort port)
        {
            this.clock = clock;
            this.link = link;
            this.port = port;
        }

        MemoryLink.End wire()
        {
            return link.endB();
        }

        /** What the stack receives now. */
        List<Received> atStack()
        {
            final List<Received> out = new ArrayList<>();
            port.receive(into(out), 1 << 20);
            return out;
        }

        /** What the wire's far side receives now, after the stack's port has flushed. */
        List<Received> atWire()
        {
            port.flush();
            final List<Received> out = new ArrayList<>();
            wire().receive(into(out), 1 << 20);
            return out;
        }

        /** A handler that copies each frame into {@code out}, stamped with the clock's reading. */
        FrameHandler into(final List<Received> out)
        {
            return (buffer, offset, length) -> out.add(copy(buffer, offset, length, clock.nanoTime()));
        }

        @Override
        public void close()
        {
            port.close();
            link.close();
        }
    }

    /** A scripted inner port: hands out queued frames, records what it is sent, refuses on demand. */
    private static final class ScriptedPort implements PacketPort
    {
        final List<byte[]> toReceive = new ArrayList<>();
        final List<byte[]> sent = new ArrayList<>();
        boolean refuseSends;
        int flushes;
        int closes;

        @Override
        public int receive(final FrameHandler handler, final int limit)
        {
            int n = 0;
            while (n < limit && !toReceive.isEmpty())
            {
                final byte[] bytes = toReceive.remove(0);
                handler.onFrame(new UnsafeBuffer(bytes), 0, bytes.length);
                n++;
            }
            return n;
        }

        @Override
        public boolean send(final DirectBuffer buffer, final int offset, final int length)
        {
            if (refuseSends)
            {
                return false;
            }
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            sent.add(bytes);
            return true;
        }

        @Override
        public int flush()
        {
            flushes++;
            return 0;
        }

        @Override
        public int maxFrameLength()
        {
            return 200;
        }

        @Override
        public String name()
        {
            return "scripted";
        }

        @Override
        public void close()
        {
            closes++;
        }
    }

    /** Frame {@code sequence}: the sequence number in its first 8 bytes, then a pattern derived from it. */
    private static UnsafeBuffer frame(final long sequence, final int length)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        fill(buffer, sequence, length);
        return buffer;
    }

    private static void fill(final MutableDirectBuffer buffer, final long sequence, final int length)
    {
        buffer.putLong(0, sequence);
        for (int i = 8; i < length; i++)
        {
            buffer.putByte(i, (byte)(sequence * 31 + i));
        }
    }

    private static byte[] expectedBytes(final long sequence)
    {
        return frame(sequence, lengthOf(sequence)).byteArray();
    }

    private static int lengthOf(final long sequence)
    {
        return 60 + (int)(sequence * 7919 % (1514 - 60 + 1));
    }

    private static Received copy(final MutableDirectBuffer buffer, final int offset, final int length, final long at)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return new Received(bytes, at);
    }

    /** The wire sends frame {@code seq} towards the stack. */
    private static void fromWire(final Bench bench, final long seq)
    {
        assertTrue(bench.wire().send(frame(seq, lengthOf(seq)), 0, lengthOf(seq)), "wire send " + seq);
    }

    /** The stack sends frame {@code seq} towards the wire. */
    private static boolean fromStack(final Bench bench, final long seq)
    {
        return bench.port.send(frame(seq, lengthOf(seq)), 0, lengthOf(seq));
    }

    /**
     * Send {@code count} numbered frames each way, {@code spacingNanos} apart, receiving on both
     * sides at every due time in between so that recorded times are exact; then drain.
     */
    private static void run(final Bench bench, final int count, final long spacingNanos,
        final List<Received> atStack, final List<Received> atWire)
    {
        for (long seq = 0; seq < count; seq++)
        {
            fromWire(bench, seq);
            assertTrue(fromStack(bench, seq), "stack send " + seq);
            atStack.addAll(bench.atStack());
            atWire.addAll(bench.atWire());
            final long nextSend = bench.clock.nanoTime() + spacingNanos;
            long next;
            while ((next = bench.port.nextDeliveryNanos()) - nextSend < 0)
            {
                bench.clock.advanceTo(next);
                atStack.addAll(bench.atStack());
                atWire.addAll(bench.atWire());
            }
            bench.clock.advanceTo(nextSend);
        }
        long next;
        atStack.addAll(bench.atStack());
        atWire.addAll(bench.atWire());
        while (Long.MAX_VALUE != (next = bench.port.nextDeliveryNanos()))
        {
            bench.clock.advanceTo(next);
            atStack.addAll(bench.atStack());
            atWire.addAll(bench.atWire());
        }
    }

    @Test
    void withoutImpairmentsFramesPassStraightThroughInOrderAndByteExact()
    {
        try (Bench bench = Bench.of(SEED, LinkImpairments.NONE, LinkImpairments.NONE))
        {
            for (long seq = 0; seq < 500; seq++)
            {
                fromWire(bench, seq);
            }
            final List<Received> atStack = bench.atStack();
            for (long seq = 0; seq < 500; seq++)
            {
                assertTrue(fromStack(bench, seq));
            }
            // Straight through: the frames reach the wire in send() itself, before any flush.
            final List<Received> atWire = new ArrayList<>();
            bench.wire().receive((b, o, l) -> atWire.add(copy(b, o, l, 0)), 1 << 20);
            for (final List<Received> side : List.of(atStack, atWire))
            {
                assertEquals(500, side.size());
                for (int i = 0; i < 500; i++)
                {
                    assertArrayEquals(expectedBytes(i), side.get(i).bytes, "frame " + i);
                }
            }
            for (final LinkCounters counters : List.of(bench.port.inboundCounters(), bench.port.outboundCounters()))
            {
                assertEquals(500, counters.sent());
                assertEquals(500, counters.delivered());
                assertEquals(0, counters.lost() + counters.duplicated() + counters.reordered() + counters.corrupted() +
                    counters.refused());
            }
            assertEquals(Long.MAX_VALUE, bench.port.nextDeliveryNanos());
            assertEquals(bench.link.endA().name(), bench.port.name());
            assertEquals(bench.link.endA().maxFrameLength(), bench.port.maxFrameLength());
        }
    }

    @Test
    void lossRateIsWithinStatisticalBoundsOver100kFramesEachWay()
    {
        final long seed = Long.getLong("jmtcp.seed", System.nanoTime());
        System.out.println("ImpairedPortTest loss: seed " + seed + " (replay with -Djmtcp.seed=" + seed + ")");
        final String replay = "seed " + seed + " (replay with -Djmtcp.seed=" + seed + ")";
        final int frames = 100_000;
        final LinkImpairments loss = LinkImpairments.NONE.withLossRate(0.02);
        try (Bench bench = Bench.of(seed, loss, loss))
        {
            final List<Received> atStack = new ArrayList<>();
            final List<Received> atWire = new ArrayList<>();
            run(bench, frames, 0, atStack, atWire);
            // 2% of 100000: mean 2000, standard deviation 44.3; 5 deviations either way.
            assertBetween(1_779, 2_221, bench.port.inboundCounters().lost(), "inbound lost, " + replay);
            assertBetween(1_779, 2_221, bench.port.outboundCounters().lost(), "outbound lost, " + replay);
            assertEquals(frames - bench.port.inboundCounters().lost(), atStack.size(), replay);
            assertEquals(frames - bench.port.outboundCounters().lost(), atWire.size(), replay);
            for (final List<Received> side : List.of(atStack, atWire))
            {
                long previous = -1;
                for (final Received r : side)
                {
                    assertTrue(r.sequence() > previous, "loss alone keeps order, " + replay);
                    previous = r.sequence();
                }
            }
        }
    }

    /**
     * An idle wait goes to the inner port (a pcap port wakes at its next frame), cut short to
     * when the next held frame is due, and a wake-up goes through.
     */
    @Test
    void idleWaitsGoToTheInnerPortNoLongerThanTheNextHeldFrame()
    {
        final VirtualClock clock = new VirtualClock();
        final MemoryLink link = MemoryLink.builder().clock(clock).capacity(4096).build();
        final WaitRecordingPort inner = new WaitRecordingPort(link.endA());
        try (ImpairedPort port = ImpairedPort.builder(inner).clock(clock).seed(SEED)
            .outbound(LinkImpairments.NONE.withDelayNanos(5_000)).build())
        {
            assertTrue(port.awaitFrames(1_000_000));
            assertEquals(1_000_000, inner.waitedFor, "nothing held: the whole wait");
            clock.advanceTo(100);
            assertTrue(port.send(new UnsafeBuffer(new byte[60]), 0, 60));
            assertTrue(port.awaitFrames(1_000_000));
            assertEquals(5_000, inner.waitedFor, "until the held frame is due");
            clock.advanceTo(10_000);
            assertTrue(port.awaitFrames(1_000_000));
            assertEquals(0, inner.waitedFor, "overdue: no wait");
            assertTrue(port.wakeUp());
            assertEquals(1, inner.wakeUps);
        }
    }

    @Test
    void delayHoldsFramesUntilTheClockReachesTheirTime()
    {
        final long delay = 10_000_000;
        try (Bench bench = Bench.of(SEED, LinkImpairments.NONE.withDelayNanos(delay),
            LinkImpairments.NONE.withDelayNanos(delay)))
        {
            bench.clock.advanceTo(1_000);
            fromWire(bench, 0);
            assertTrue(fromStack(bench, 1));
            assertEquals(0, bench.atStack().size(), "pulled from the wire, but held");
            assertEquals(0, bench.atWire().size(), "taken from the stack, but held");
            assertEquals(1_000 + delay, bench.port.nextDeliveryNanos());

            bench.clock.advanceTo(1_000 + delay - 1);
            assertEquals(0, bench.atStack().size());
            assertEquals(0, bench.atWire().size());

            bench.clock.advanceTo(1_000 + delay);
            final List<Received> atStack = bench.atStack();
            assertEquals(1, atStack.size());
            assertEquals(0, atStack.get(0).sequence());
            final List<Received> atWire = bench.atWire();
            assertEquals(1, atWire.size());
            assertEquals(1, atWire.get(0).sequence());
            assertEquals(Long.MAX_VALUE, bench.port.nextDeliveryNanos());
        }
    }

    @Test
    void dueOutboundFramesLeaveOnReceiveTooWithinTheLimit()
    {
        try (Bench bench = Bench.of(SEED, LinkImpairments.NONE, LinkImpairments.NONE.withDelayNanos(100)))
        {
            for (long seq = 0; seq < 5; seq++)
            {
                assertTrue(fromStack(bench, seq));
            }
            bench.clock.advance(100);
            assertEquals(0, bench.port.receive((b, o, l) -> { }, 3), "nothing inbound");
            final List<Received> atWire = new ArrayList<>();
            bench.wire().receive((b, o, l) -> atWire.add(copy(b, o, l, 0)), 100);
            assertEquals(3, atWire.size(), "receive hands at most limit due frames to the inner port");
            assertEquals(2, bench.port.flush(), "flush hands over the rest");
        }
    }

    @Test
    void receiveDeliversAtMostLimitAndKeepsTheRest()
    {
        try (Bench bench = Bench.of(SEED, LinkImpairments.NONE, LinkImpairments.NONE))
        {
            for (long seq = 0; seq < 10; seq++)
            {
                fromWire(bench, seq);
            }
            final List<Received> got = new ArrayList<>();
            assertEquals(0, bench.port.receive((b, o, l) -> got.add(copy(b, o, l, 0)), 0));
            assertEquals(4, bench.port.receive((b, o, l) -> got.add(copy(b, o, l, 0)), 4));
            assertEquals(4, bench.port.receive((b, o, l) -> got.add(copy(b, o, l, 0)), 4));
            assertEquals(2, bench.port.receive((b, o, l) -> got.add(copy(b, o, l, 0)), 4));
            for (int i = 0; i < 10; i++)
            {
                assertEquals(i, got.get(i).sequence());
            }
        }
    }

    @Test
    void reorderingDeliversOutOfOrderButLosesNothing()
    {
        final LinkImpairments reorder = ImpairedPort.netemLike(0.0, 0.05, 1_000_000);
        try (Bench bench = Bench.of(SEED, reorder, reorder))
        {
            final List<Received> atStack = new ArrayList<>();
            final List<Received> atWire = new ArrayList<>();
            run(bench, FRAMES, 100_000, atStack, atWire);
            for (final LinkCounters counters : List.of(bench.port.inboundCounters(), bench.port.outboundCounters()))
            {
                assertBetween(800, 1_200, counters.reordered(), "reordered of 20000 at 5%, seed " + SEED);
            }
            assertEveryFrameOnceSomeLate(atStack, bench.port.inboundCounters().reordered());
            assertEveryFrameOnceSomeLate(atWire, bench.port.outboundCounters().reordered());
        }
    }

    private static void assertEveryFrameOnceSomeLate(final List<Received> got, final long reordered)
    {
        assertEquals(FRAMES, got.size(), "no loss");
        final boolean[] seen = new boolean[FRAMES];
        long highest = -1;
        int late = 0;
        for (final Received r : got)
        {
            final int seq = (int)r.sequence();
            assertFalse(seen[seq], "delivered twice: " + seq);
            seen[seq] = true;
            if (seq < highest)
            {
                late++;
            }
            highest = Math.max(highest, seq);
        }
        // With 100 µs spacing and a 1 ms hold, every held frame is overtaken except one held at the very end.
        assertBetween(reordered - 1, reordered, late, "held frames overtaken, seed " + SEED);
    }

    @Test
    void duplicationDeliversAnIdenticalCopyRightAfter()
    {
        final LinkImpairments duplicate = LinkImpairments.NONE.withDuplicateRate(0.05).withDelayNanos(500);
        try (Bench bench = Bench.of(SEED, duplicate, duplicate))
        {
            final List<Received> atStack = new ArrayList<>();
            final List<Received> atWire = new ArrayList<>();
            run(bench, FRAMES, 1_000, atStack, atWire);
            assertCopies(atStack, bench.port.inboundCounters().duplicated());
            assertCopies(atWire, bench.port.outboundCounters().duplicated());
            assertEquals(FRAMES + bench.port.inboundCounters().duplicated(), bench.port.inboundCounters().delivered());
        }
    }

    private static void assertCopies(final List<Received> got, final long duplicated)
    {
        assertBetween(800, 1_200, duplicated, "duplicated of 20000 at 5%, seed " + SEED);
        assertEquals(FRAMES + duplicated, got.size());
        int copies = 0;
        for (int i = 1; i < got.size(); i++)
        {
            if (got.get(i).sequence() == got.get(i - 1).sequence())
            {
                assertArrayEquals(got.get(i - 1).bytes, got.get(i).bytes);
                assertEquals(got.get(i - 1).atNanos, got.get(i).atNanos);
                copies++;
            }
        }
        assertEquals(duplicated, copies);
    }

    @Test
    void corruptionFlipsOneBitOfSomeFrames()
    {
        final LinkImpairments corrupt = LinkImpairments.NONE.withCorruptRate(0.05);
        try (Bench bench = Bench.of(SEED, corrupt, corrupt))
        {
            final List<Received> atStack = new ArrayList<>();
            final List<Received> atWire = new ArrayList<>();
            run(bench, FRAMES, 1_000, atStack, atWire);
            assertOneBitFlips(atStack, bench.port.inboundCounters().corrupted());
            assertOneBitFlips(atWire, bench.port.outboundCounters().corrupted());
        }
    }

    private static void assertOneBitFlips(final List<Received> got, final long corrupted)
    {
        assertEquals(FRAMES, got.size());
        int flipped = 0;
        for (int i = 0; i < got.size(); i++)
        {
            final byte[] expected = expectedBytes(i);
            final byte[] actual = got.get(i).bytes;
            assertEquals(expected.length, actual.length);
            int bits = 0;
            for (int j = 0; j < expected.length; j++)
            {
                bits += Integer.bitCount((expected[j] ^ actual[j]) & 0xFF);
            }
            assertTrue(bits <= 1, "frame " + i + " has " + bits + " flipped bits, seed " + SEED);
            flipped += bits;
        }
        assertEquals(corrupted, flipped);
        assertBetween(800, 1_200, flipped, "corrupted of 20000 at 5%, seed " + SEED);
    }

    @Test
    void overflowDropsAndCountsInBothDirections()
    {
        final LinkImpairments delay = LinkImpairments.NONE.withDelayNanos(1_000);
        try (Bench bench = Bench.of(SEED, 8, delay, delay))
        {
            for (long seq = 0; seq < 10; seq++)
            {
                fromWire(bench, seq);
                assertEquals(seq < 8, fromStack(bench, seq), "stack send " + seq);
            }
            assertEquals(0, bench.atStack().size());
            assertEquals(2, bench.port.inboundCounters().refused(), "inbound overflow dropped");
            assertEquals(8, bench.port.inboundCounters().sent());
            assertEquals(2, bench.port.outboundCounters().refused(), "outbound overflow refused");
            assertEquals(8, bench.port.outboundCounters().sent());

            bench.clock.advance(1_000);
            final List<Received> atStack = bench.atStack();
            final List<Received> atWire = bench.atWire();
            assertEquals(8, atStack.size());
            assertEquals(8, atWire.size());
            assertEquals(7, atStack.get(7).sequence(), "the first 8 were kept");
            assertTrue(fromStack(bench, 10), "room again once frames have left");
        }
    }

    @Test
    void sameSeedSameOutputs()
    {
        final long first = scenarioHash(SEED);
        assertEquals(first, scenarioHash(SEED), "replay of seed " + SEED);
        assertNotEquals(first, scenarioHash(SEED + 1), "seeds " + SEED + " and " + (SEED + 1));
    }

    /**
     * Both directions at once through every impairment, the test profile plus jitter, duplication,
     * corruption and a bandwidth limit; the hash covers the side, bytes, order and time of every
     * delivery, and the counters.
     */
    private static long scenarioHash(final long seed)
    {
        final LinkImpairments everything = ImpairedPort.TCP_TEST_PROFILE
            .withDuplicateRate(0.02).withCorruptRate(0.02).withJitterNanos(1_000_000)
            .withRateBitsPerSecond(100_000_000L);
        final long[] hash = {1125899906842597L};
        try (Bench bench = Bench.of(seed, 256, everything, everything.withLossRate(0.05)))
        {
            final FrameHandler atStack = hasher(hash, bench.clock, 's');
            final FrameHandler atWire = hasher(hash, bench.clock, 'w');
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1514]);
            for (long seq = 0; seq < 5_000; seq++)
            {
                fill(buffer, seq, lengthOf(seq));
                bench.wire().send(buffer, 0, lengthOf(seq));
                if (seq % 3 == 0)
                {
                    fill(buffer, -seq, 64);
                    bench.port.send(buffer, 0, 64);
                }
                bench.port.receive(atStack, 16);
                bench.port.flush();
                bench.wire().receive(atWire, 16);
                bench.clock.advance(seq % 7 == 0 ? 200_000 : 50_000);
            }
            long next;
            while (Long.MAX_VALUE != (next = bench.port.nextDeliveryNanos()))
            {
                bench.clock.advanceTo(next);
                bench.port.receive(atStack, 16);
                bench.port.flush();
                bench.wire().receive(atWire, 16);
            }
            hash[0] = 31 * hash[0] + bench.port.inboundCounters().toString().hashCode();
            hash[0] = 31 * hash[0] + bench.port.outboundCounters().toString().hashCode();
        }
        return hash[0];
    }

    private static FrameHandler hasher(final long[] hash, final VirtualClock clock, final char side)
    {
        return (buffer, offset, length) ->
        {
            long h = hash[0] * 31 + side;
            h = h * 31 + clock.nanoTime();
            h = h * 31 + length;
            for (int i = 0; i < length; i++)
            {
                h = h * 31 + buffer.getByte(offset + i);
            }
            hash[0] = h;
        };
    }

    @Test
    void steadyStateAllocatesNothing()
    {
        try (Bench bench = Bench.of(SEED, ImpairedPort.TCP_TEST_PROFILE.withDuplicateRate(0.01).withCorruptRate(0.01),
            ImpairedPort.TCP_TEST_PROFILE))
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1514]);
            final long[] seen = new long[2];
            final FrameHandler atStack = (b, o, l) -> seen[0] += l;
            final FrameHandler atWire = (b, o, l) -> seen[1] += l;
            final long[] sequence = {0};
            final Runnable round = () ->
            {
                final long seq = sequence[0]++;
                final int length = 60 + (int)(seq % 1000);
                buffer.putLong(0, seq);
                bench.wire().send(buffer, 0, length);
                bench.port.receive(atStack, 32);
                bench.port.send(buffer, 0, length);
                bench.port.flush();
                bench.wire().receive(atWire, 32);
                bench.clock.advance(100_000);
            };

            final long least = Allocations.leastBytesPerBatch(round, 50_000, 20_000, 5);

            assertEquals(0, least, "fewest bytes allocated by a batch of 20000 rounds through both directions");
            assertTrue(seen[0] > 0 && seen[1] > 0);
            assertTrue(bench.port.inboundCounters().lost() > 0 && bench.port.outboundCounters().reordered() > 0,
                "the impairments were at work: " + bench.port);
            assertEquals(0, bench.port.inboundCounters().refused() + bench.port.outboundCounters().refused(),
                "capacity holds 5 ms at one frame per 100 us");
        }
    }

    @Test
    void framesTheInnerPortRefusesAreCountedAndFlushReachesIt()
    {
        final ScriptedPort inner = new ScriptedPort();
        final VirtualClock clock = new VirtualClock();
        final ImpairedPort port = ImpairedPort.builder(inner).clock(clock).build();
        assertEquals("scripted", port.name());
        assertEquals(200, port.maxFrameLength());

        assertTrue(port.send(frame(1, 100), 0, 100));
        inner.refuseSends = true;
        assertTrue(port.send(frame(2, 100), 0, 100), "taken by the stage; the inner port refuses later");
        assertEquals(1, port.innerRefused());
        assertEquals(2, port.outboundCounters().delivered());
        assertFalse(port.send(frame(3, 201), 0, 201), "longer than the inner port carries");
        assertEquals(1, port.outboundCounters().refused());
        assertEquals(1, inner.sent.size());

        assertEquals(0, port.flush());
        assertEquals(1, inner.flushes, "flush reaches the inner port");

        inner.toReceive.add(new byte[250]);
        inner.toReceive.add(frame(4, 80).byteArray());
        final List<Received> got = new ArrayList<>();
        assertEquals(1, port.receive((b, o, l) -> got.add(copy(b, o, l, 0)), 10));
        assertEquals(4, got.get(0).sequence());
        assertEquals(1, port.inboundCounters().refused(), "an over-long inbound frame is dropped and counted");
        port.close();
    }

    @Test
    void closeClosesTheInnerPortOnceAndStopsTraffic()
    {
        final ScriptedPort inner = new ScriptedPort();
        final ImpairedPort port = ImpairedPort.builder(inner).clock(new VirtualClock()).build();
        inner.toReceive.add(frame(1, 80).byteArray());
        port.close();
        port.close();
        assertEquals(1, inner.closes);
        assertEquals(0, port.receive((b, o, l) -> { }, 10));
        assertFalse(port.send(frame(2, 80), 0, 80));
        assertEquals(1, port.outboundCounters().refused());
        assertEquals(0, port.flush());
        assertEquals(0, inner.flushes);
        assertTrue(port.toString().contains("closed"), port.toString());
    }

    @Test
    void theTestProfileIsTwoPercentLossReorderingAndFiveMillisecondsEachWay()
    {
        final LinkImpairments profile = ImpairedPort.TCP_TEST_PROFILE;
        assertEquals(0.02, profile.lossRate());
        assertEquals(0.02, profile.reorderRate());
        assertEquals(5_000_000L, profile.delayNanos());
        assertEquals(5_000_000L, profile.reorderHoldNanos());
        assertEquals(0.0, profile.duplicateRate() + profile.corruptRate());
        assertEquals(LinkImpairments.DEFAULT_REORDER_HOLD_NANOS,
            ImpairedPort.netemLike(0.0, 0.1, 0).reorderHoldNanos(), "a reordered frame is held even with no delay");
    }

    @Test
    void builderIsValidated()
    {
        final ScriptedPort inner = new ScriptedPort();
        assertThrows(NullPointerException.class, () -> ImpairedPort.builder(null));
        assertThrows(NullPointerException.class, () -> ImpairedPort.builder(inner).clock(null));
        assertThrows(NullPointerException.class, () -> ImpairedPort.builder(inner).inbound(null));
        assertThrows(NullPointerException.class, () -> ImpairedPort.builder(inner).outbound(null));
        assertThrows(NullPointerException.class, () -> ImpairedPort.builder(inner).bothWays(null));
        final IllegalArgumentException capacity =
            assertThrows(IllegalArgumentException.class, () -> ImpairedPort.builder(inner).capacity(0));
        assertTrue(capacity.getMessage().contains("capacity"), capacity.getMessage());
        final IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
            () -> ImpairedPort.builder(inner).capacity(20_000_000).build());
        assertTrue(size.getMessage().contains("2 GiB"), size.getMessage());
    }

    private static void assertBetween(final long low, final long high, final long actual, final String what)
    {
        assertTrue(actual >= low && actual <= high, what + ": " + actual + " not in [" + low + ", " + high + "]");
    }
}
