package io.jmtcp.port;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.jctools.queues.atomic.SpscAtomicArrayQueue;

/**
 * The sending half of an {@link ImpairmentStage}: applies the {@link LinkImpairments}, stamps each
 * frame with its delivery time and publishes it. Touched only by the thread that offers frames to
 * the stage; it alone draws from the direction's generator, which is what makes a run reproducible
 * from its seed.
 */
final class LinkTransmitter
{
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final double DOUBLE_UNIT = 0x1.0p-53;
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final NanoClock clock;
    private final int maxFrameLength;
    private final SpscAtomicArrayQueue<LinkFrame> inFlight;
    private final SpscAtomicArrayQueue<LinkFrame> free;
    private final LinkCounters counters;

    private final double lossRate;
    private final double duplicateRate;
    private final double corruptRate;
    private final double reorderRate;
    private final long delayNanos;
    private final long jitterNanos;
    private final long rateBitsPerSecond;
    private final long reorderHoldNanos;

    private long rngState;
    private long linkFreeAtNanos;
    private long lastDeliveryNanos;
    private long nextSequence;
    /** A buffer taken from the free queue but not used (lost frame, failed duplicate): reused next. */
    private LinkFrame spare;

    LinkTransmitter(
        final NanoClock clock,
        final long seed,
        final int maxFrameLength,
        final LinkImpairments impairments,
        final SpscAtomicArrayQueue<LinkFrame> inFlight,
        final SpscAtomicArrayQueue<LinkFrame> free,
        final LinkCounters counters)
    {
        this.clock = clock;
        this.rngState = seed;
        this.maxFrameLength = maxFrameLength;
        this.inFlight = inFlight;
        this.free = free;
        this.counters = counters;
        this.lossRate = impairments.lossRate();
        this.duplicateRate = impairments.duplicateRate();
        this.corruptRate = impairments.corruptRate();
        this.reorderRate = impairments.reorderRate();
        this.delayNanos = impairments.delayNanos();
        this.jitterNanos = impairments.jitterNanos();
        this.rateBitsPerSecond = impairments.rateBitsPerSecond();
        this.reorderHoldNanos = impairments.reorderHoldNanos();
        final long now = clock.nanoTime();
        this.linkFreeAtNanos = now;
        this.lastDeliveryNanos = now;
    }

    boolean send(final DirectBuffer source, final int offset, final int length)
    {
        if (length <= 0 || length > maxFrameLength)
        {
            counters.onRefused();
            return false;
        }
        final LinkFrame frame = takeFree();
        if (null == frame)
        {
            counters.onRefused();
            return false;
        }

        final long now = clock.nanoTime();
        final boolean lose = nextDouble() < lossRate;
        final boolean duplicate = nextDouble() < duplicateRate;
        final boolean corrupt = nextDouble() < corruptRate;
        final boolean reorder = nextDouble() < reorderRate;
        final long jitterDraw = nextLong();
        final long bitDraw = nextLong();
        counters.onSent();

        if (lose)
        {
            spare = frame;
            counters.onLost();
            return true;
        }

        final long start = linkFreeAtNanos - now > 0 ? linkFreeAtNanos : now;
        final long end = start + serialisationNanos(length);
        linkFreeAtNanos = end;

        long due = end + latencyNanos(jitterDraw);
        if (lastDeliveryNanos - due > 0)
        {
            due = lastDeliveryNanos;
        }
        lastDeliveryNanos = due;

        frame.buffer.putBytes(0, source, offset, length);
        frame.length = length;

        LinkFrame copy = null;
        if (duplicate)
        {
            copy = takeFree();
            if (null != copy)
            {
                copy.buffer.putBytes(0, frame.buffer, 0, length);
                copy.length = length;
                copy.deliveryNanos = due;
                counters.onDuplicated();
            }
        }

        if (corrupt)
        {
            final int bit = (int)(((bitDraw >>> 32) * (length * 8L)) >>> 32);
            final int index = bit >>> 3;
            frame.buffer.putByte(index, (byte)(frame.buffer.getByte(index) ^ (1 << (bit & 7))));
            counters.onCorrupted();
        }

        frame.deliveryNanos = due;
        if (reorder)
        {
            frame.deliveryNanos = due + reorderHoldNanos;
            counters.onReordered();
        }

        publish(frame);
        if (null != copy)
        {
            publish(copy);
        }
        return true;
    }

    void refuse()
    {
        counters.onRefused();
    }

    private LinkFrame takeFree()
    {
        final LinkFrame frame = spare;
        if (null != frame)
        {
            spare = null;
            return frame;
        }
        return free.relaxedPoll();
    }

    private void publish(final LinkFrame frame)
    {
        frame.sequence = nextSequence++;
        // Cannot fail: the queue's capacity is at least the number of buffers in the pool.
        inFlight.offer(frame);
    }

    private long serialisationNanos(final int length)
    {
        if (0 == rateBitsPerSecond)
        {
            return 0;
        }
        final long scaledBits = length * 8L * NANOS_PER_SECOND;
        final long nanos = scaledBits / rateBitsPerSecond;
        return nanos * rateBitsPerSecond < scaledBits ? nanos + 1 : nanos;
    }

    private long latencyNanos(final long jitterDraw)
    {
        if (0 == jitterNanos)
        {
            return delayNanos;
        }
        final long span = 2 * jitterNanos + 1;
        final long latency = delayNanos + Long.remainderUnsigned(jitterDraw, span) - jitterNanos;
        return Math.max(0, latency);
    }

    /** SplitMix64 (Steele, Lea, Flood 2014): tiny state, no allocation, same stream on every JDK. */
    private long nextLong()
    {
        long z = (rngState += GOLDEN_GAMMA);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private double nextDouble()
    {
        return (nextLong() >>> 11) * DOUBLE_UNIT;
    }
}
