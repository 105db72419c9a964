package io.jmtcp.port;

import java.nio.ByteBuffer;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.jctools.queues.atomic.SpscAtomicArrayQueue;

/**
 * One direction of impaired frame delivery: a pool of preallocated frame buffers, the
 * {@link LinkTransmitter} that copies a frame in, applies the {@link LinkImpairments} and stamps its
 * delivery time, and the {@link LinkReceiver} that hands frames out once they are due. A
 * {@link MemoryLink} has one per direction of its cable; an {@link ImpairedPort} has one per
 * direction through the port.
 *
 * <p>The offering side and the delivering side may be two threads (the two ends of a memory link)
 * or the same thread (an impaired port): they meet only in single-producer single-consumer queues.
 * The stage holds at most {@code capacity} frames between {@link #offer} and {@link #deliver}; an
 * offer that finds every buffer in use is refused and counted, and nothing is allocated after
 * construction.
 */
final class ImpairmentStage
{
    private final LinkTransmitter transmitter;
    private final LinkReceiver receiver;
    private final LinkCounters counters;

    /**
     * @param clock          stamps and releases frames.
     * @param generatorSeed  the state of this direction's generator, already mixed by {@link #generatorSeed}.
     * @param maxFrameLength longest frame accepted, also the size of each buffer.
     * @param capacity       buffers in the pool: frames held at once.
     * @param impairments    what happens to each frame.
     */
    ImpairmentStage(
        final NanoClock clock,
        final long generatorSeed,
        final int maxFrameLength,
        final int capacity,
        final LinkImpairments impairments)
    {
        counters = new LinkCounters();
        final SpscAtomicArrayQueue<LinkFrame> inFlight = new SpscAtomicArrayQueue<>(capacity);
        final SpscAtomicArrayQueue<LinkFrame> free = pool(capacity, maxFrameLength);
        transmitter = new LinkTransmitter(clock, generatorSeed, maxFrameLength, impairments, inFlight, free, counters);
        receiver = new LinkReceiver(clock, capacity, inFlight, free, counters);
    }

    /**
     * The generator state of one direction: the SplitMix64 finaliser of the user's seed salted by
     * the direction, so that related seeds (s, s + 1) and the two directions of one seed give
     * unrelated streams.
     *
     * @param seed the seed the user chose.
     * @param salt a constant distinct per direction.
     * @return the generator state.
     */
    static long generatorSeed(final long seed, final long salt)
    {
        long z = seed ^ salt;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Reject a pool that would not fit in one direct buffer, before anything is allocated.
     *
     * @param capacity       buffers per direction.
     * @param maxFrameLength bytes per buffer before alignment.
     * @throws IllegalArgumentException if the pool would exceed 2 GiB.
     */
    static void checkPoolSize(final int capacity, final int maxFrameLength)
    {
        final long bytes = (long)BitUtil.align(maxFrameLength, BitUtil.CACHE_LINE_LENGTH) * capacity;
        if (bytes > Integer.MAX_VALUE - BitUtil.CACHE_LINE_LENGTH)
        {
            throw new IllegalArgumentException(
                "capacity " + capacity + " x maxFrameLength " + maxFrameLength +
                " needs more than 2 GiB of buffers per direction");
        }
    }

    /**
     * Copy a frame in and impair it; called by the offering side only.
     *
     * @return true if taken (lost ones included), false if refused: empty, too long or no free buffer.
     */
    boolean offer(final DirectBuffer buffer, final int offset, final int length)
    {
        return transmitter.send(buffer, offset, length);
    }

    /** Count a frame refused for a reason of the caller's (an end closed). */
    void refuse()
    {
        transmitter.refuse();
    }

    /**
     * Hand up to {@code limit} due frames to {@code handler}, in delivery-time order; called by the
     * delivering side only.
     *
     * @return the number of frames handed over.
     */
    int deliver(final FrameHandler handler, final int limit)
    {
        return receiver.receive(handler, limit);
    }

    /**
     * The earliest delivery time held; called by the delivering side only.
     *
     * @return the time by the stage's clock, or {@link Long#MAX_VALUE} if the stage is empty.
     */
    long nextDeliveryNanos()
    {
        return receiver.nextDeliveryNanos();
    }

    LinkCounters counters()
    {
        return counters;
    }

    private static SpscAtomicArrayQueue<LinkFrame> pool(final int capacity, final int maxFrameLength)
    {
        // One direct allocation sliced into cache-line aligned frame buffers, rather than one
        // allocation per buffer: fewer native allocations and neighbouring frames stay apart.
        final int stride = BitUtil.align(maxFrameLength, BitUtil.CACHE_LINE_LENGTH);
        final ByteBuffer memory = ByteBuffer.allocateDirect(stride * capacity + BitUtil.CACHE_LINE_LENGTH);
        final long address = new UnsafeBuffer(memory).addressOffset();
        final int first = (int)(BitUtil.align(address, BitUtil.CACHE_LINE_LENGTH) - address);
        final SpscAtomicArrayQueue<LinkFrame> free = new SpscAtomicArrayQueue<>(capacity);
        for (int i = 0; i < capacity; i++)
        {
            free.offer(new LinkFrame(new UnsafeBuffer(memory, first + i * stride, maxFrameLength)));
        }
        return free;
    }
}
