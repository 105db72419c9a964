package io.jmtcp.port;

import java.util.Objects;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * An Ethernet cable in memory: two ends, {@link #endA()} and {@link #endB()}, each a
 * {@link PacketPort}. What one end sends the other receives, after the
 * {@link LinkImpairments} of that direction have had their way with it.
 *
 * <pre>
 *            aToB impairments, counters: countersAToB()
 *   endA  ───────────────────────────────────────────▶  endB
 *         ◀───────────────────────────────────────────
 *            bToA impairments, counters: countersBToA()
 * </pre>
 *
 * <p><b>Time.</b> A frame becomes receivable at its delivery time as read from the link's clock:
 * {@link SystemNanoClock} by default, a {@code VirtualClock} in tests and simulations. A simulator
 * jumps its clock to {@link #nextDeliveryNanos()} instead of waiting.
 *
 * <p><b>Determinism.</b> Each direction has its own seeded generator, derived from
 * {@link Builder#seed(long)} and drawn from only by the sending side. Given the same seed, the
 * same sequence of calls and the same clock readings, the frames delivered (bytes, order and
 * times) are identical from run to run.
 *
 * <p><b>Threads.</b> Each end is used by one thread at a time; the two ends may be on different
 * threads. A direction hands frames from its sending thread to its receiving thread through a
 * single-producer single-consumer queue and returns the buffers through another, so the steady
 * state allocates nothing. Each direction owns {@link Builder#capacity(int)} buffers; when all of
 * them are in flight, {@link PacketPort#send} refuses and counts the frame. With a
 * {@code VirtualClock}, which is not thread-safe, both ends must be driven by the same thread.
 */
public final class MemoryLink implements AutoCloseable
{
    /** Default longest frame: a 1500-byte MTU plus the 14-byte Ethernet header. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 1514;

    /** Default number of frame buffers per direction. */
    public static final int DEFAULT_CAPACITY = 1024;

    /** Largest frame a link carries: the largest snaplen tcpdump writes, 256 KiB. */
    public static final int MAX_FRAME_LENGTH_LIMIT = 262_144;

    private static final long A_TO_B_SEED_SALT = 0x6A09E667F3BCC909L;
    private static final long B_TO_A_SEED_SALT = 0xBB67AE8584CAA73BL;

    private final End endA;
    private final End endB;
    private final LinkCounters countersAToB;
    private final LinkCounters countersBToA;

    private MemoryLink(final Builder builder)
    {
        final ImpairmentStage aToB = new ImpairmentStage(
            builder.clock, ImpairmentStage.generatorSeed(builder.seed, A_TO_B_SEED_SALT), builder.maxFrameLength,
            builder.capacity, builder.aToB);
        final ImpairmentStage bToA = new ImpairmentStage(
            builder.clock, ImpairmentStage.generatorSeed(builder.seed, B_TO_A_SEED_SALT), builder.maxFrameLength,
            builder.capacity, builder.bToA);
        countersAToB = aToB.counters();
        countersBToA = bToA.counters();

        endA = new End(builder.name + ":a", builder.maxFrameLength, aToB, bToA);
        endB = new End(builder.name + ":b", builder.maxFrameLength, bToA, aToB);
        endA.peer = endB;
        endB.peer = endA;
    }

    /**
     * Start describing a link.
     *
     * @return a builder with the defaults: system clock, seed 0, 1514-byte frames, 1024 buffers per
     *         direction, no impairments.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * The end whose transmissions go through the {@code aToB} impairments.
     *
     * @return end A.
     */
    public End endA()
    {
        return endA;
    }

    /**
     * The end whose transmissions go through the {@code bToA} impairments.
     *
     * @return end B.
     */
    public End endB()
    {
        return endB;
    }

    /**
     * Counters of the A to B direction.
     *
     * @return the live counters, readable from any thread.
     */
    public LinkCounters countersAToB()
    {
        return countersAToB;
    }

    /**
     * Counters of the B to A direction.
     *
     * @return the live counters, readable from any thread.
     */
    public LinkCounters countersBToA()
    {
        return countersBToA;
    }

    /**
     * The earliest time at which a frame becomes receivable at either end: the next instant a
     * simulator needs to jump its virtual clock to.
     *
     * <p>Only for a link whose two ends are driven by the calling thread (a simulation); with the
     * ends on two threads, use {@link End#nextDeliveryNanos()} on each receiving thread.
     *
     * @return the delivery time by the link's clock, or {@link Long#MAX_VALUE} if nothing is in flight.
     */
    public long nextDeliveryNanos()
    {
        final long a = endA.nextDeliveryNanos();
        final long b = endB.nextDeliveryNanos();
        if (Long.MAX_VALUE == a)
        {
            return b;
        }
        if (Long.MAX_VALUE == b)
        {
            return a;
        }
        return a - b <= 0 ? a : b;
    }

    /** Close both ends. Idempotent. */
    @Override
    public void close()
    {
        endA.close();
        endB.close();
    }

    /**
     * One end of the link. Its {@link #send} feeds the direction leaving this end, its
     * {@link #receive} drains the direction arriving at it.
     *
     * <p>{@link #send} publishes the frame at once, stamped with the clock reading of the call, so
     * {@link #flush()} has nothing to do. A frame sent while either end is closed is refused.
     */
    public static final class End implements PacketPort
    {
        private final String name;
        private final int maxFrameLength;
        private final ImpairmentStage outgoing;
        private final ImpairmentStage incoming;
        private End peer;
        private volatile boolean closed;

        private End(
            final String name,
            final int maxFrameLength,
            final ImpairmentStage outgoing,
            final ImpairmentStage incoming)
        {
            this.name = name;
            this.maxFrameLength = maxFrameLength;
            this.outgoing = outgoing;
            this.incoming = incoming;
        }

        /**
         * {@inheritDoc}
         *
         * <p>Delivers, in delivery-time order, the frames whose delivery time has come by the
         * link's clock, read once per call. Returns 0 once this end is closed.
         */
        @Override
        public int receive(final FrameHandler handler, final int limit)
        {
            if (closed || limit <= 0)
            {
                return 0;
            }
            return incoming.deliver(handler, limit);
        }

        /**
         * {@inheritDoc}
         *
         * <p>Refused (and counted in {@link LinkCounters#refused()}) when the frame is empty or
         * longer than {@link #maxFrameLength()}, when all of the direction's buffers are in flight,
         * or when either end is closed. A frame that the loss impairment drops still returns true:
         * the link took it.
         */
        @Override
        public boolean send(final DirectBuffer buffer, final int offset, final int length)
        {
            if (closed || peer.closed)
            {
                outgoing.refuse();
                return false;
            }
            return outgoing.offer(buffer, offset, length);
        }

        /**
         * {@inheritDoc}
         *
         * <p>Always 0: {@link #send} has already published the frame.
         */
        @Override
        public int flush()
        {
            return 0;
        }

        @Override
        public int maxFrameLength()
        {
            return maxFrameLength;
        }

        @Override
        public String name()
        {
            return name;
        }

        /**
         * The earliest delivery time among the frames travelling towards this end.
         *
         * <p>Must be called by the thread that receives on this end: it moves published frames
         * into that thread's delivery heap.
         *
         * @return the time by the link's clock, or {@link Long#MAX_VALUE} if none is in flight.
         */
        public long nextDeliveryNanos()
        {
            return incoming.nextDeliveryNanos();
        }

        /**
         * {@inheritDoc}
         *
         * <p>Frames in flight towards this end are abandoned; the peer's sends are refused from now on.
         */
        @Override
        public void close()
        {
            closed = true;
        }

        @Override
        public String toString()
        {
            return "MemoryLink.End{" + name + (closed ? ", closed" : "") + '}';
        }
    }

    /** Describes a {@link MemoryLink}; every setter validates its argument at once. */
    public static final class Builder
    {
        private NanoClock clock = SystemNanoClock.INSTANCE;
        private long seed;
        private int maxFrameLength = DEFAULT_MAX_FRAME_LENGTH;
        private int capacity = DEFAULT_CAPACITY;
        private LinkImpairments aToB = LinkImpairments.NONE;
        private LinkImpairments bToA = LinkImpairments.NONE;
        private String name = "memory";

        private Builder()
        {
        }

        /**
         * The clock that stamps and releases frames.
         *
         * @param clock a {@code VirtualClock} for simulations; {@link SystemNanoClock} by default.
         * @return this builder.
         */
        public Builder clock(final NanoClock clock)
        {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The seed from which both directions' generators are derived.
         *
         * @param seed any value; 0 by default.
         * @return this builder.
         */
        public Builder seed(final long seed)
        {
            this.seed = seed;
            return this;
        }

        /**
         * The longest frame the link carries, Ethernet header included.
         *
         * @param length in {@code [1, 262144]}; 1514 by default.
         * @return this builder.
         * @throws IllegalArgumentException if out of range.
         */
        public Builder maxFrameLength(final int length)
        {
            if (length < 1 || length > MAX_FRAME_LENGTH_LIMIT)
            {
                throw new IllegalArgumentException(
                    "maxFrameLength must be in [1, " + MAX_FRAME_LENGTH_LIMIT + "]: " + length);
            }
            this.maxFrameLength = length;
            return this;
        }

        /**
         * Frames that may be in flight per direction: sent and not yet received.
         *
         * @param frames at least 1; 1024 by default.
         * @return this builder.
         * @throws IllegalArgumentException if below 1.
         */
        public Builder capacity(final int frames)
        {
            if (frames < 1)
            {
                throw new IllegalArgumentException("capacity must be at least 1 frame: " + frames);
            }
            this.capacity = frames;
            return this;
        }

        /**
         * Impairments of frames sent by end A.
         *
         * @param impairments not null; {@link LinkImpairments#NONE} by default.
         * @return this builder.
         */
        public Builder aToB(final LinkImpairments impairments)
        {
            this.aToB = Objects.requireNonNull(impairments, "aToB");
            return this;
        }

        /**
         * Impairments of frames sent by end B.
         *
         * @param impairments not null; {@link LinkImpairments#NONE} by default.
         * @return this builder.
         */
        public Builder bToA(final LinkImpairments impairments)
        {
            this.bToA = Objects.requireNonNull(impairments, "bToA");
            return this;
        }

        /**
         * The link's name; the ends are named {@code name:a} and {@code name:b}.
         *
         * @param name not null; "memory" by default.
         * @return this builder.
         */
        public Builder name(final String name)
        {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Allocate the link: two pools of {@code capacity} buffers of {@code maxFrameLength} bytes.
         *
         * @return the link.
         * @throws IllegalArgumentException if one direction's buffers would exceed 2 GiB.
         */
        public MemoryLink build()
        {
            ImpairmentStage.checkPoolSize(capacity, maxFrameLength);
            return new MemoryLink(this);
        }
    }
}
