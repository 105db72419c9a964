package io.jmtcp.port;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.jmtcp.time.VirtualClock;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryLinkTest
{
    private static final int FRAMES = 20_000;
    private static final long SEED = 0x5EED_0001L;

    /** A frame as the receiver saw it: its bytes and the clock reading when it was handed over. */
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

    /** Frame {@code sequence}: the sequence number in its first 8 bytes, then a pattern derived from it. */
    private static UnsafeBuffer frame(final long sequence, final int length)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        fill(buffer, sequence, length);
        return buffer;
    }

    private static void fill(final UnsafeBuffer buffer, final long sequence, final int length)
    {
        buffer.putLong(0, sequence);
        for (int i = 8; i < length; i++)
        {
            buffer.putByte(i, (byte)(sequence * 31 + i));
        }
    }

    private static byte[] expectedBytes(final long sequence, final int length)
    {
        return frame(sequence, length).byteArray();
    }

    private static int lengthOf(final long sequence)
    {
        return 60 + (int)(sequence * 7919 % (1514 - 60 + 1));
    }

    private static List<Received> receiveAll(final VirtualClock clock, final MemoryLink.End end)
    {
        final List<Received> out = new ArrayList<>();
        end.receive((buffer, offset, length) -> out.add(copy(buffer, offset, length, clock.nanoTime())), 1 << 20);
        return out;
    }

    private static Received copy(final MutableDirectBuffer buffer, final int offset, final int length, final long at)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return new Received(bytes, at);
    }

    /** Jump the clock from delivery to delivery until nothing is in flight, collecting at end B. */
    private static List<Received> drainToB(final VirtualClock clock, final MemoryLink link)
    {
        final List<Received> out = new ArrayList<>();
        long next;
        while (Long.MAX_VALUE != (next = link.nextDeliveryNanos()))
        {
            clock.advanceTo(next);
            out.addAll(receiveAll(clock, link.endB()));
        }
        return out;
    }

    /**
     * Send {@code count} numbered frames from A, {@code spacingNanos} apart, and collect all at B,
     * receiving at each delivery time so that the recorded times are the exact delivery times.
     */
    private static List<Received> runAToB(
        final MemoryLink link, final VirtualClock clock, final int count, final long spacingNanos)
    {
        final List<Received> out = new ArrayList<>();
        for (long seq = 0; seq < count; seq++)
        {
            assertTrue(link.endA().send(frame(seq, lengthOf(seq)), 0, lengthOf(seq)), "send " + seq);
            final long nextSend = clock.nanoTime() + spacingNanos;
            long next;
            while ((next = link.nextDeliveryNanos()) - nextSend <= 0)
            {
                clock.advanceTo(next);
                out.addAll(receiveAll(clock, link.endB()));
            }
            clock.advanceTo(nextSend);
        }
        out.addAll(drainToB(clock, link));
        return out;
    }

    private static MemoryLink link(final VirtualClock clock, final long seed, final LinkImpairments aToB)
    {
        return MemoryLink.builder().clock(clock).seed(seed).capacity(4096).aToB(aToB).build();
    }

    @Test
    void noImpairmentsDeliversEverythingInOrderByteExact()
    {
        final VirtualClock clock = new VirtualClock();
        try (MemoryLink link = link(clock, SEED, LinkImpairments.NONE))
        {
            final List<Received> got = runAToB(link, clock, 2_000, 0);
            assertEquals(2_000, got.size());
            for (int i = 0; i < got.size(); i++)
            {
                assertArrayEquals(expectedBytes(i, lengthOf(i)), got.get(i).bytes, "frame " + i);
                assertEquals(0, got.get(i).atNanos, "no delay, no wait");
            }
            assertEquals(2_000, link.countersAToB().sent());
            assertEquals(2_000, link.countersAToB().delivered());
            assertEquals(0, link.countersBToA().sent());
        }
    }

    @Test
    void bothDirectionsAreIndependent()
    {
        final VirtualClock clock = new VirtualClock();
        try (MemoryLink link = MemoryLink.builder().clock(clock)
            .aToB(LinkImpairments.NONE.withDelayNanos(5))
            .bToA(LinkImpairments.NONE.withDelayNanos(7))
            .build())
        {
            assertTrue(link.endA().send(frame(1, 64), 0, 64));
            assertTrue(link.endB().send(frame(2, 64), 0, 64));
            assertEquals(5, link.nextDeliveryNanos());
            assertEquals(5, link.endB().nextDeliveryNanos());
            assertEquals(7, link.endA().nextDeliveryNanos());
            clock.advanceTo(7);
            assertEquals(2, receiveAll(clock, link.endA()).get(0).sequence());
            assertEquals(1, receiveAll(clock, link.endB()).get(0).sequence());
            assertEquals("memory:a", link.endA().name());
            assertEquals("memory:b", link.endB().name());
        }
    }

    @Test
    void lossDropsFramesAtItsRate()
    {
        final VirtualClock clock = new VirtualClock();
        try (MemoryLink link = link(clock, SEED, LinkImpairments.NONE.withLossRate(0.05)))
        {
            final List<Received> got = runAToB(link, clock, FRAMES, 1_000);
            final LinkCounters counters = link.countersAToB();
            assertBetween(800, 1_200, counters.lost(), "lost of 20000 at 5%, seed " + SEED);
            assertEquals(FRAMES - counters.lost(), got.size());
            assertEquals(got.size(), counters.delivered());
            long previous = -1;
            for (final Received r : got)
            {
                assertTrue(r.sequence() > previous, "loss alone keeps order");
                previous = r.sequence();
                assertArrayEquals(expectedBytes(r.sequence(), lengthOf(r.sequence())), r.bytes);
            }
        }
    }

    @Test
    void duplicationDeliversAnIdenticalCopyRightAfter()
    {
        final VirtualClock clock = new VirtualClock();
        try (MemoryLink link = link(clock, SEED, LinkImpairments.NONE.withDuplicateRate(0.05)))
        {
            final List<Received> got = runAToB(link, clock, FRAMES, 1_000);
            final long duplicated = link.countersAToB().duplicated();
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
    }

    @Test
    void corruptionFlipsExactlyOneBit()
    {
        final VirtualClock clock = new VirtualClock();
        try (MemoryLink link = link(clock, SEED, LinkImpairments.NONE.withCorruptRate(0.05)))
        {
            final List<Received> got = runAToB(link, clock, FRAMES, 1_000);
            assertEquals(FRAMES, got.size());
            int corrupted = 0;
            for (int i = 0; i < got.size(); i++)
            {
                final byte[] expected = expectedBytes(i, lengthOf(i));
                final byte[] actual = got.get(i).bytes;
                assertEquals(expected.length, actual.length);
                int flippedBits = 0;
                for (int j = 0; j < expected.length; j++)
                {
                    flippedBits += Integer.bitCount((expected[j] ^ actual[j]) & 0xFF);
                }
                assertTrue(flippedBits <= 1, "frame " + i + " has " + flippedBits + " flipped bits, seed " + SEED);
                corrupted += flippedBits;
            }
            assertEquals(link.countersAToB().corrupted(), corrupted);
            assertBetween(800, 1_200, corrupted, "corrupted of 20000 at 5%, seed " + SEED);
        }
    }

    @Test
    void reorderingLetsLaterFramesOvertake()
    {
        final VirtualClock clock = new VirtualClock();
        try (MemoryLink link = link(clock, SEED, LinkImpairments.NONE.withReorderRate(0.05)))
        {
            final List<Received> got = runAToB(link, clock, FRAMES, 1_000);
            assertEquals(FRAMES, got.size());
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
            final long reordered = link.countersAToB().reordered();
            assertBetween(800, 1_200, reordered, "reordered of 20000 at 5%, seed " + SEED);
            // Every held frame is overtaken except one held at the very end of the run, with no frame after it.
            assertBetween(reordered - 1, reordered, late, "held frames overtaken, seed " + SEED);
        }
    }

    @Test
    void reorderingWorksWithZeroDelayAndBackToBackFrames()
    {
        final VirtualClock clock = new VirtualClock();
        try (MemoryLink link = link(clock, SEED, LinkImpairments.NONE.withReorderRate(0.2)))
        {
            for (long seq = 0; seq < 100; seq++)
            {
                assertTrue(link.endA().send(frame(seq, 64), 0, 64));
            }
            final List<Received> now = receiveAll(clock, link.endB());
            final List<Received> all = new ArrayList<>(now);
            all.addAll(drainToB(clock, link));
            assertEquals(100, all.size());
            final long held = link.countersAToB().reordered();
            assertTrue(held > 0, "seed " + SEED);
            assertEquals(100 - held, now.size(), "held frames wait, the rest pass at once, seed " + SEED);
            assertTrue(all.get(all.size() - 1).sequence() < 99, "a held frame arrives after frame 99");
        }
    }

    @Test
    void aLoneReorderedFrameIsReleasedAfterTheHoldTime()
    {
        final VirtualClock clock = new VirtualClock(1_000);
        try (MemoryLink link = link(clock, SEED, LinkImpairments.NONE.withReorderRate(1.0).withReorderHoldNanos(500)))
        {
            assertTrue(link.endA().send(frame(7, 64), 0, 64));
            assertEquals(1_500, link.nextDeliveryNanos());
            assertEquals(0, receiveAll(clock, link.endB()).size());
            clock.advanceTo(1_499);
            assertEquals(0, receiveAll(clock, link.endB()).size());
            clock.advanceTo(1_500);
            assertEquals(7, receiveAll(clock, link.endB()).get(0).sequence());
            assertEquals(Long.MAX_VALUE, link.nextDeliveryNanos());
        }
    }

    @Test
    void delayHoldsEachFrameForItsDelay()
    {
        final VirtualClock clock = new VirtualClock(10);
        try (MemoryLink link = link(clock, SEED, LinkImpairments.NONE.withDelayNanos(2_000_000)))
        {
            assertTrue(link.endA().send(frame(0, 100), 0, 100));
            clock.advance(300);
            assertTrue(link.endA().send(frame(1, 100), 0, 100));
            assertEquals(2_000_010, link.nextDeliveryNanos());
            clock.advanceTo(2_000_009);
            assertEquals(0, receiveAll(clock, link.endB()).size());
            clock.advanceTo(2_000_010);
            assertEquals(1, receiveAll(clock, link.endB()).size());
            assertEquals(2_000_310, link.nextDeliveryNanos());
            clock.advanceTo(2_000_310);
            assertEquals(1, receiveAll(clock, link.endB()).get(0).sequence());
        }
    }

    @Test
    void jitterVariesTheDelayWithinItsBoundsAndKeepsOrder()
    {
        final VirtualClock clock = new VirtualClock();
        final long delay = 10_000_000;
        final long jitter = 2_000_000;
        final long spacing = 5_000_000;
        try (MemoryLink link = link(clock, SEED, LinkImpairments.NONE.withDelayNanos(delay).withJitterNanos(jitter)))
        {
            final List<Received> got = runAToB(link, clock, 10_000, spacing);
            assertEquals(10_000, got.size());
            long sum = 0;
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (int i = 0; i < got.size(); i++)
            {
                assertEquals(i, got.get(i).sequence(), "jitter alone does not reorder");
                final long latency = got.get(i).atNanos - i * spacing;
                assertBetween(delay - jitter, delay + jitter, latency, "latency of frame " + i + ", seed " + SEED);
                sum += latency;
                min = Math.min(min, latency);
                max = Math.max(max, latency);
            }
            assertBetween(delay - 50_000, delay + 50_000, sum / got.size(), "mean latency, seed " + SEED);
            assertTrue(min < delay - jitter + 50_000 && max > delay + jitter - 50_000, "jitter spans its range");
        }
    }

    @Test
    void jitterLargerThanTheSpacingNeverDeliversOutOfOrder()
    {
        final VirtualClock clock = new VirtualClock();
        try (MemoryLink link = link(clock, SEED, LinkImpairments.NONE.withDelayNanos(1_000).withJitterNanos(5_000)))
        {
            final List<Received> got = runAToB(link, clock, 5_000, 100);
            for (int i = 0; i < got.size(); i++)
            {
                assertEquals(i, got.get(i).sequence(), "seed " + SEED);
                assertTrue(got.get(i).atNanos >= i * 100L, "never before it was sent");
            }
        }
    }

    @Test
    void rateSerialisesFrames()
    {
        final VirtualClock clock = new VirtualClock();
        // 1250 bytes at 10 Mbit/s take exactly 1 ms on the wire.
        try (MemoryLink link = link(clock, SEED,
            LinkImpairments.NONE.withRateBitsPerSecond(10_000_000).withDelayNanos(100)))
        {
            for (long seq = 0; seq < 10; seq++)
            {
                assertTrue(link.endA().send(frame(seq, 1250), 0, 1250));
            }
            final List<Received> got = drainToB(clock, link);
            assertEquals(10, got.size());
            for (int i = 0; i < 10; i++)
            {
                assertEquals(i, got.get(i).sequence());
                assertEquals((i + 1) * 1_000_000L + 100, got.get(i).atNanos, "frame " + i);
            }
            // An idle link starts the next frame at once.
            clock.advance(50_000_000);
            final long sentAt = clock.nanoTime();
            assertTrue(link.endA().send(frame(10, 125), 0, 125));
            assertEquals(sentAt + 100_000 + 100, link.nextDeliveryNanos());
        }
    }

    @Test
    void rateRoundsPartialNanosecondsUp()
    {
        final VirtualClock clock = new VirtualClock();
        try (MemoryLink link = link(clock, SEED, LinkImpairments.NONE.withRateBitsPerSecond(3_000_000_000L)))
        {
            assertTrue(link.endA().send(frame(0, 100), 0, 100));
            // 800 bits at 3 Gbit/s = 266.67 ns
            assertEquals(267, link.nextDeliveryNanos());
        }
    }

    @Test
    void sameSeedSameCallsSameDeliveries()
    {
        final long first = scenarioHash(SEED);
        assertEquals(first, scenarioHash(SEED), "replay of seed " + SEED);
        assertNotEquals(first, scenarioHash(SEED + 1), "seeds " + SEED + " and " + (SEED + 1));
    }

    /**
     * Both ends talk at once through every impairment; the hash covers which end, the bytes,
     * the order and the time of every delivery.
     */
    private static long scenarioHash(final long seed)
    {
        final VirtualClock clock = new VirtualClock();
        final LinkImpairments everything = LinkImpairments.NONE
            .withLossRate(0.03).withDuplicateRate(0.02).withCorruptRate(0.02).withReorderRate(0.04)
            .withDelayNanos(200_000).withJitterNanos(50_000).withRateBitsPerSecond(1_000_000_000L)
            .withReorderHoldNanos(30_000);
        final long[] hash = {1125899906842597L};
        final FrameHandler atA = hasher(hash, clock, 'a');
        final FrameHandler atB = hasher(hash, clock, 'b');
        try (MemoryLink link = MemoryLink.builder().clock(clock).seed(seed).capacity(512)
            .aToB(everything).bToA(everything.withLossRate(0.05)).build())
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1514]);
            for (long seq = 0; seq < 5_000; seq++)
            {
                fill(buffer, seq, lengthOf(seq));
                link.endA().send(buffer, 0, lengthOf(seq));
                if (seq % 3 == 0)
                {
                    fill(buffer, -seq, 64);
                    link.endB().send(buffer, 0, 64);
                }
                link.endA().receive(atA, 16);
                link.endB().receive(atB, 16);
                clock.advance(seq % 7 == 0 ? 20_000 : 1_000);
            }
            long next;
            while (Long.MAX_VALUE != (next = link.nextDeliveryNanos()))
            {
                clock.advanceTo(next);
                link.endA().receive(atA, 16);
                link.endB().receive(atB, 16);
            }
            hash[0] = 31 * hash[0] + link.countersAToB().toString().hashCode();
            hash[0] = 31 * hash[0] + link.countersBToA().toString().hashCode();
        }
        return hash[0];
    }

    private static FrameHandler hasher(final long[] hash, final VirtualClock clock, final char end)
    {
        return (buffer, offset, length) ->
        {
            long h = hash[0] * 31 + end;
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
    void framesLongerThanMaxFrameLengthOrEmptyAreRefused()
    {
        final VirtualClock clock = new VirtualClock();
        try (MemoryLink link = MemoryLink.builder().clock(clock).maxFrameLength(100).build())
        {
            assertEquals(100, link.endA().maxFrameLength());
            assertFalse(link.endA().send(frame(0, 101), 0, 101));
            assertFalse(link.endA().send(frame(0, 10), 0, 0));
            assertTrue(link.endA().send(frame(0, 100), 0, 100));
            assertEquals(2, link.countersAToB().refused());
            assertEquals(1, link.countersAToB().sent());
            assertEquals(1, receiveAll(clock, link.endB()).size());
        }
    }

    @Test
    void fullQueueRefusesAndCounts()
    {
        final VirtualClock clock = new VirtualClock();
        try (MemoryLink link = MemoryLink.builder().clock(clock).capacity(8)
            .aToB(LinkImpairments.NONE.withDelayNanos(1_000)).build())
        {
            for (long seq = 0; seq < 8; seq++)
            {
                assertTrue(link.endA().send(frame(seq, 64), 0, 64), "frame " + seq);
            }
            assertFalse(link.endA().send(frame(8, 64), 0, 64));
            assertFalse(link.endA().send(frame(9, 64), 0, 64));
            assertEquals(2, link.countersAToB().refused());
            assertEquals(8, link.countersAToB().sent());
            clock.advance(1_000);
            assertEquals(8, receiveAll(clock, link.endB()).size());
            assertTrue(link.endA().send(frame(10, 64), 0, 64), "buffers come back after delivery");
        }
    }

    @Test
    void receiveHonoursItsLimit()
    {
        final VirtualClock clock = new VirtualClock();
        try (MemoryLink link = link(clock, SEED, LinkImpairments.NONE))
        {
            for (long seq = 0; seq < 10; seq++)
            {
                link.endA().send(frame(seq, 64), 0, 64);
            }
            final List<Received> got = new ArrayList<>();
            assertEquals(0, link.endB().receive((b, o, l) -> got.add(copy(b, o, l, 0)), 0));
            assertEquals(4, link.endB().receive((b, o, l) -> got.add(copy(b, o, l, 0)), 4));
            assertEquals(6, link.endB().receive((b, o, l) -> got.add(copy(b, o, l, 0)), 100));
            assertEquals(0, link.endB().receive((b, o, l) -> got.add(copy(b, o, l, 0)), 100));
            for (int i = 0; i < 10; i++)
            {
                assertEquals(i, got.get(i).sequence());
            }
        }
    }

    @Test
    void aThrowingHandlerLosesNoBuffer()
    {
        final VirtualClock clock = new VirtualClock();
        try (MemoryLink link = MemoryLink.builder().clock(clock).capacity(2).build())
        {
            for (int round = 0; round < 5; round++)
            {
                assertTrue(link.endA().send(frame(round, 64), 0, 64));
                assertThrows(IllegalStateException.class, () -> link.endB().receive((b, o, l) ->
                {
                    throw new IllegalStateException("handler bug");
                }, 10));
            }
            assertEquals(5, link.countersAToB().delivered());
        }
    }

    @Test
    void closedEndsRefuseAndReceiveNothing()
    {
        final VirtualClock clock = new VirtualClock();
        final MemoryLink link = link(clock, SEED, LinkImpairments.NONE);
        assertTrue(link.endA().send(frame(0, 64), 0, 64));
        link.endB().close();
        link.endB().close();
        assertEquals(0, receiveAll(clock, link.endB()).size());
        assertFalse(link.endA().send(frame(1, 64), 0, 64), "peer closed");
        assertFalse(link.endB().send(frame(2, 64), 0, 64), "self closed");
        assertEquals(1, link.countersAToB().refused());
        assertEquals(1, link.countersBToA().refused());
        link.close();
        assertEquals(0, link.endA().flush());
    }

    @Test
    void twoThreadsLoseNothingWithoutImpairments() throws Exception
    {
        final int total = 200_000;
        final MemoryLink link = MemoryLink.builder().capacity(1024).build();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong refusals = new AtomicLong();
        final long start = System.nanoTime();
        final Thread sender = new Thread(() ->
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1514]);
            for (long seq = 0; seq < total && null == failure.get(); seq++)
            {
                final int length = 60 + (int)(seq % 200);
                buffer.putLong(0, seq);
                buffer.putLong(length - 8, ~seq);
                while (!link.endA().send(buffer, 0, length))
                {
                    refusals.incrementAndGet();
                    Thread.onSpinWait();
                    if (null != failure.get() || Thread.currentThread().isInterrupted())
                    {
                        return;
                    }
                }
            }
        }, "memory-link-sender");
        final long[] expected = {0};
        final Thread receiver = new Thread(() ->
        {
            final FrameHandler check = (buffer, offset, length) ->
            {
                final long seq = buffer.getLong(offset);
                if (seq != expected[0] || length != 60 + (int)(seq % 200) || buffer.getLong(offset + length - 8) != ~seq)
                {
                    failure.compareAndSet(null, new AssertionError("expected frame " + expected[0] + ", got " + seq));
                }
                expected[0]++;
            };
            while (expected[0] < total && null == failure.get() && !Thread.currentThread().isInterrupted())
            {
                if (0 == link.endB().receive(check, 64))
                {
                    Thread.onSpinWait();
                }
            }
        }, "memory-link-receiver");
        sender.start();
        receiver.start();
        sender.join(TimeUnit.SECONDS.toMillis(20));
        receiver.join(TimeUnit.SECONDS.toMillis(20));
        final long elapsed = System.nanoTime() - start;
        sender.interrupt();
        receiver.interrupt();
        assertFalse(sender.isAlive() || receiver.isAlive(), "hand-off stalled: " + link.countersAToB());
        assertNull(failure.get());
        assertEquals(total, expected[0]);
        assertEquals(total, link.countersAToB().sent());
        assertEquals(total, link.countersAToB().delivered());
        assertEquals(refusals.get(), link.countersAToB().refused());
        System.out.printf("MemoryLink two threads: %d frames in %.1f ms = %.0f frames/s, %d refusals (queue full)%n",
            total, elapsed / 1e6, total * 1e9 / elapsed, refusals.get());
        link.close();
    }

    @Test
    void impairmentsAreValidated()
    {
        assertMessage("lossRate", () -> LinkImpairments.NONE.withLossRate(1.5));
        assertMessage("duplicateRate", () -> LinkImpairments.NONE.withDuplicateRate(-0.1));
        assertMessage("reorderRate", () -> LinkImpairments.NONE.withReorderRate(Double.NaN));
        assertMessage("corruptRate", () -> LinkImpairments.NONE.withCorruptRate(2));
        assertMessage("delayNanos", () -> LinkImpairments.NONE.withDelayNanos(-1));
        assertMessage("jitterNanos", () -> LinkImpairments.NONE.withJitterNanos(-1));
        assertMessage("rateBitsPerSecond", () -> LinkImpairments.NONE.withRateBitsPerSecond(-1));
        assertMessage("reorderHoldNanos", () -> LinkImpairments.NONE.withReorderHoldNanos(0));
        assertEquals(LinkImpairments.NONE.withLossRate(0.1), LinkImpairments.NONE.withLossRate(0.1));
        assertEquals(0.1, LinkImpairments.NONE.withLossRate(0.1).withDelayNanos(5).lossRate());
        assertEquals(0.0, LinkImpairments.NONE.lossRate(), "NONE is not changed by with*");
    }

    @Test
    void builderIsValidated()
    {
        assertMessage("maxFrameLength", () -> MemoryLink.builder().maxFrameLength(0));
        assertMessage("maxFrameLength", () -> MemoryLink.builder().maxFrameLength(262_145));
        assertMessage("capacity", () -> MemoryLink.builder().capacity(0));
        assertMessage("2 GiB", () -> MemoryLink.builder().maxFrameLength(262_144).capacity(10_000).build());
        assertThrows(NullPointerException.class, () -> MemoryLink.builder().clock(null));
    }

    private static void assertMessage(final String expected, final Runnable action)
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static void assertBetween(final long low, final long high, final long actual, final String what)
    {
        assertTrue(actual >= low && actual <= high, what + ": " + actual + " not in [" + low + ", " + high + "]");
    }
}
