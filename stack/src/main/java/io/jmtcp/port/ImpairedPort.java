package io.jmtcp.port;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * A {@link PacketPort} that puts a seeded, netem-like impairment stage in both directions of
 * another port: what the wire delivers is impaired before the stack sees it (inbound), and what the
 * stack sends is impaired before it reaches the wire (outbound). It stands in for
 * {@code tc qdisc ... netem} on a kernel without netem: wrapped around the stack's end of a veth
 * pair, the kernel peer sees loss, reordering and delay exactly as if they happened on the link.
 *
 * <pre>
 *                   outbound impairments, outboundCounters()
 *   stack  ── send ─────────────────────────────────────────▶ inner.send ──▶ wire
 *          ◀─ handler ◀─────────────────────────────────────── inner.receive ◀── wire
 *                   inbound impairments, inboundCounters()
 * </pre>
 *
 * <p>Each direction applies its own {@link LinkImpairments} with the semantics documented there
 * (loss, bandwidth, delay and jitter, duplication, one-bit corruption, reordering by holding a frame
 * back), through the same {@link ImpairmentStage} that {@link MemoryLink} uses. Delays are one-way:
 * a netem qdisc also delays only the direction it is attached to, so {@code netem delay 10ms} on one
 * side of a link adds 10 ms to the round trip. {@link #TCP_TEST_PROFILE} applied to both directions
 * adds the same 10 ms to the round trip, as 5 ms each way, and loses 2% of the frames in each
 * direction:
 *
 * <pre>{@code
 * PacketPort port = ImpairedPort.builder(stackEndOfTheVeth)
 *     .seed(seed)                                     // log it: the run replays from it
 *     .bothWays(ImpairedPort.TCP_TEST_PROFILE)        // 2% loss, 2% reordering, 5 ms each way
 *     .build();
 *
 * // 10 ms each way instead (20 ms added to the round trip), 1% loss only on what the stack sends:
 * ImpairedPort.builder(inner)
 *     .inbound(ImpairedPort.netemLike(0.0, 0.02, 10_000_000L))
 *     .outbound(ImpairedPort.netemLike(0.01, 0.02, 10_000_000L))
 *     .build();
 * }</pre>
 *
 * <p><b>Time.</b> Frames are stamped and released by the port's clock: {@link SystemNanoClock} by
 * default for real traffic, a {@code VirtualClock} in tests. No thread of its own moves frames: a
 * held frame leaves at the first {@link #receive}, {@link #send} or {@link #flush} call at or after
 * its due time. A stack context calls receive and flush every duty cycle, so a frame is late by at
 * most one duty cycle (including the idle strategy's longest sleep).
 *
 * <p><b>Capacity.</b> Each direction holds at most {@link Builder#capacity(int)} frames, in buffers
 * allocated once of {@code inner.maxFrameLength()} bytes each; the steady state allocates nothing.
 * A frame that finds its direction full is dropped and counted in {@link LinkCounters#refused()}:
 * an inbound one silently (as a full netem queue drops), an outbound one by {@link #send} returning
 * false. An inbound frame longer than {@code inner.maxFrameLength()} is dropped and counted the
 * same way.
 *
 * <p><b>Counters.</b> Per direction, in {@link #inboundCounters()} and {@link #outboundCounters()}:
 * frames in = {@code sent() + refused()}; dropped by the loss impairment = {@code lost()};
 * {@code duplicated()}, {@code reordered()}, {@code corrupted()}; overflowed = {@code refused()};
 * delivered (to the handler inbound, to {@code inner.send} outbound) = {@code delivered()}.
 * Outbound frames the inner port then refuses are counted in {@link #innerRefused()}.
 *
 * <p><b>Determinism.</b> Each direction draws from its own generator derived from
 * {@link Builder#seed(long)}, so given the same seed, the same frames from the inner port and the
 * stack, and the same clock readings at each call, the frames delivered each way (bytes, order and
 * release times) are identical from run to run. With a real clock only the decisions per frame
 * (which one is lost, duplicated, corrupted, held) replay; the timing does not.
 *
 * <p><b>Threads.</b> Like any port, used by one thread at a time; the counters are readable from
 * any thread.
 */
public final class ImpairedPort implements PacketPort
{
    /** Default number of frames each direction holds. */
    public static final int DEFAULT_CAPACITY = 1024;

    /**
     * The impairments of one direction for the TCP tests' "2% loss, reordering, 10 ms delay": 2%
     * loss, 2% of the frames reordered, 5 ms one-way delay. Applied with {@link Builder#bothWays}
     * it adds 10 ms to the round trip and loses about 4% of round trips.
     */
    public static final LinkImpairments TCP_TEST_PROFILE = netemLike(0.02, 0.02, 5_000_000L);

    // Distinct from MemoryLink's salts so that an impaired port over a memory link with the same
    // seed does not repeat the link's decisions.
    private static final long INBOUND_SEED_SALT = 0x3C6EF372FE94F82BL;
    private static final long OUTBOUND_SEED_SALT = 0xA54FF53A5F1D36F1L;

    private final PacketPort inner;
    private final NanoClock clock;
    private final ImpairmentStage inbound;
    private final ImpairmentStage outbound;
    private final FrameHandler intoInbound = this::onInnerFrame;
    private final FrameHandler toInner = this::onOutboundDue;
    private final AtomicLong innerRefused = new AtomicLong();
    private boolean closed;

    private ImpairedPort(final Builder builder)
    {
        inner = builder.inner;
        clock = builder.clock;
        final int maxFrameLength = inner.maxFrameLength();
        inbound = new ImpairmentStage(
            builder.clock, ImpairmentStage.generatorSeed(builder.seed, INBOUND_SEED_SALT), maxFrameLength,
            builder.capacity, builder.inbound);
        outbound = new ImpairmentStage(
            builder.clock, ImpairmentStage.generatorSeed(builder.seed, OUTBOUND_SEED_SALT), maxFrameLength,
            builder.capacity, builder.outbound);
    }

    /**
     * Start describing an impaired port.
     *
     * @param inner the port to wrap; closed when the impaired port is closed.
     * @return a builder with the defaults: system clock, seed 0, {@link #DEFAULT_CAPACITY} frames
     *         per direction, no impairments.
     */
    public static Builder builder(final PacketPort inner)
    {
        return new Builder(Objects.requireNonNull(inner, "inner"));
    }

    /**
     * Impairments of one direction in the terms of a netem qdisc {@code netem delay D loss L reorder R}.
     *
     * <p>netem reorders by sending a frame at once while the others wait out the delay, so that it
     * jumps ahead of the frames sent in the previous {@code D}. A {@link LinkImpairments} can only
     * hold a frame back, so here a reordered frame is held for {@code D} past its due time and the
     * frames sent in the next {@code D} overtake it: the same displacement, seen from the other
     * frame. The hold is at least {@link LinkImpairments#DEFAULT_REORDER_HOLD_NANOS}, so that with
     * no delay frames are still overtaken. Unlike netem, a reordered frame arrives later than the
     * delay, not earlier.
     *
     * @param lossRate    probability that a frame is lost, in {@code [0, 1]}.
     * @param reorderRate probability that a frame is overtaken, in {@code [0, 1]}.
     * @param delayNanos  one-way delay, at least 0.
     * @return the impairments.
     * @throws IllegalArgumentException if a rate is not a probability or the delay is negative.
     */
    public static LinkImpairments netemLike(final double lossRate, final double reorderRate, final long delayNanos)
    {
        return LinkImpairments.NONE
            .withLossRate(lossRate)
            .withReorderRate(reorderRate)
            .withDelayNanos(delayNanos)
            .withReorderHoldNanos(Math.max(delayNanos, LinkImpairments.DEFAULT_REORDER_HOLD_NANOS));
    }

    /**
     * {@inheritDoc}
     *
     * <p>One call does at most {@code 3 * limit} frames of work: it hands up to {@code limit} due
     * outbound frames to the inner port, pulls up to {@code limit} frames from the inner port into
     * the inbound stage, then delivers up to {@code limit} due inbound frames to {@code handler}.
     * Pulling before delivering lets a frame with no delay through in the same call. The returned
     * count is only of the frames delivered to {@code handler}. Returns 0 once closed.
     */
    @Override
    public int receive(final FrameHandler handler, final int limit)
    {
        if (closed || limit <= 0)
        {
            return 0;
        }
        releaseOutbound(limit);
        inner.receive(intoInbound, limit);
        return inbound.deliver(handler, limit);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The frame enters the outbound stage, then every outbound frame due by now, this one too
     * if it has no delay, goes to the inner port. Refused (and counted in the outbound
     * {@link LinkCounters#refused()}) when the outbound direction is full, when the frame is empty
     * or longer than {@link #maxFrameLength()}, or once closed. A frame that the loss impairment
     * drops, or that the inner port later refuses, still returns true: the port took it.
     */
    @Override
    public boolean send(final DirectBuffer buffer, final int offset, final int length)
    {
        if (closed)
        {
            outbound.refuse();
            return false;
        }
        final boolean taken = outbound.offer(buffer, offset, length);
        releaseOutbound(Integer.MAX_VALUE);
        return taken;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Hands every outbound frame due by now to the inner port, then flushes the inner port.
     *
     * @return the frames handed to the inner port plus what the inner port's flush reports; 0 once closed.
     */
    @Override
    public int flush()
    {
        if (closed)
        {
            return 0;
        }
        final int released = releaseOutbound(Integer.MAX_VALUE);
        return released + inner.flush();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Waits in the inner port, no longer than until the next held frame is due, so a frame
     * the inner port receives, or one of ours coming due, ends the wait.
     */
    @Override
    public boolean awaitFrames(final long maxNanos)
    {
        final long due = nextDeliveryNanos();
        final long wait = due == Long.MAX_VALUE ? maxNanos : Math.min(maxNanos, Math.max(0L, due - clock.nanoTime()));
        return inner.awaitFrames(wait);
    }

    @Override
    public boolean wakeUp()
    {
        return inner.wakeUp();
    }

    /**
     * {@inheritDoc}
     *
     * @return the inner port's maximum, which also sizes the stages' buffers.
     */
    @Override
    public int maxFrameLength()
    {
        return inner.maxFrameLength();
    }

    /**
     * {@inheritDoc}
     *
     * @return the inner port's name, so that logs and counters name the interface.
     */
    @Override
    public String name()
    {
        return inner.name();
    }

    /**
     * The earliest time at which a held frame becomes due in either direction: where a simulation
     * jumps its virtual clock to. Frames still waiting inside the inner port are not counted.
     *
     * @return the time by the port's clock, or {@link Long#MAX_VALUE} if no frame is held.
     */
    public long nextDeliveryNanos()
    {
        final long in = inbound.nextDeliveryNanos();
        final long out = outbound.nextDeliveryNanos();
        if (Long.MAX_VALUE == in)
        {
            return out;
        }
        if (Long.MAX_VALUE == out)
        {
            return in;
        }
        return in - out <= 0 ? in : out;
    }

    /**
     * What happened to the frames from the inner port on their way to the receive handler.
     *
     * @return the live counters, readable from any thread.
     */
    public LinkCounters inboundCounters()
    {
        return inbound.counters();
    }

    /**
     * What happened to the frames passed to {@link #send} on their way to the inner port.
     *
     * @return the live counters, readable from any thread.
     */
    public LinkCounters outboundCounters()
    {
        return outbound.counters();
    }

    /**
     * Outbound frames that came out of the stage (counted in the outbound
     * {@link LinkCounters#delivered()}) but that the inner port refused.
     *
     * @return the count, readable from any thread.
     */
    public long innerRefused()
    {
        return innerRefused.getAcquire();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Closes the inner port; frames still held in either direction are abandoned, as when a
     * cable is pulled.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        inner.close();
    }

    @Override
    public String toString()
    {
        return "ImpairedPort{" + inner + ", inbound=" + inbound.counters() + ", outbound=" + outbound.counters() +
            ", innerRefused=" + innerRefused() + (closed ? ", closed" : "") + '}';
    }

    private int releaseOutbound(final int limit)
    {
        return outbound.deliver(toInner, limit);
    }

    private void onInnerFrame(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        // A refusal here is an overflow (or an over-long frame); the stage has counted it.
        inbound.offer(buffer, offset, length);
    }

    private void onOutboundDue(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        if (!inner.send(buffer, offset, length))
        {
            // Single writer: a plain read plus a release store is enough.
            innerRefused.setRelease(innerRefused.getPlain() + 1);
        }
    }

    /** Describes an {@link ImpairedPort}; every setter validates its argument at once. */
    public static final class Builder
    {
        private final PacketPort inner;
        private NanoClock clock = SystemNanoClock.INSTANCE;
        private long seed;
        private int capacity = DEFAULT_CAPACITY;
        private LinkImpairments inbound = LinkImpairments.NONE;
        private LinkImpairments outbound = LinkImpairments.NONE;

        private Builder(final PacketPort inner)
        {
            this.inner = inner;
        }

        /**
         * The clock that stamps and releases frames.
         *
         * @param clock {@link SystemNanoClock} by default for real traffic; a {@code VirtualClock} in tests.
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
         * Frames each direction holds at most (delayed, held for reordering, or waiting to be
         * received); a frame beyond that is dropped and counted.
         *
         * @param frames at least 1; {@link #DEFAULT_CAPACITY} by default.
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
         * Impairments of the frames received from the inner port, before the handler sees them.
         *
         * @param impairments not null; {@link LinkImpairments#NONE} by default.
         * @return this builder.
         */
        public Builder inbound(final LinkImpairments impairments)
        {
            this.inbound = Objects.requireNonNull(impairments, "inbound");
            return this;
        }

        /**
         * Impairments of the frames passed to {@code send}, before the inner port sends them.
         *
         * @param impairments not null; {@link LinkImpairments#NONE} by default.
         * @return this builder.
         */
        public Builder outbound(final LinkImpairments impairments)
        {
            this.outbound = Objects.requireNonNull(impairments, "outbound");
            return this;
        }

        /**
         * The same impairments in each direction (each draws from its own generator, so the two
         * directions lose different frames).
         *
         * @param impairments not null.
         * @return this builder.
         */
        public Builder bothWays(final LinkImpairments impairments)
        {
            Objects.requireNonNull(impairments, "impairments");
            this.inbound = impairments;
            this.outbound = impairments;
            return this;
        }

        /**
         * Allocate the port: two pools of {@code capacity} buffers of {@code inner.maxFrameLength()} bytes.
         *
         * @return the port.
         * @throws IllegalArgumentException if one direction's buffers would exceed 2 GiB.
         */
        public ImpairedPort build()
        {
            ImpairmentStage.checkPoolSize(capacity, inner.maxFrameLength());
            return new ImpairedPort(this);
        }
    }
}
