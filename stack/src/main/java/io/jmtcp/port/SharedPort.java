package io.jmtcp.port;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One single-threaded {@link PacketPort} (an in-memory link's end) shared by several contexts,
 * each through a {@link #lane(int) lane} of its own that any thread may drive: the in-memory
 * twin of one pcap handle per context with a kernel filter.
 *
 * <p>A lane's {@link PacketPort#send} copies the frame into one many-to-one ring (Agrona
 * {@link ManyToOneRingBuffer}: lock-free, any lane's thread). Whichever lane calls
 * {@link PacketPort#receive} or {@link PacketPort#flush} first takes the pump (a compare-and-set
 * flag; a lane that finds it taken simply goes on with its own ring): it sends what the ring
 * holds on the shared port, and receives a batch from the shared port, copying each frame into
 * the one-to-one ring of the lane the {@link Classifier} names. The flag hands the shared port,
 * and the producer side of the lanes' receive rings, from thread to thread with a happens-before
 * edge, so they are only ever touched by one thread at a time. Then the lane delivers from its
 * own ring. The steady state allocates nothing.
 *
 * <p>Driven from one thread (a test calling each context's duty cycle in turn on a virtual
 * clock), the run is deterministic. On several threads, a frame may wait in a ring until the
 * next duty cycle of any lane; an idle context sleeps at most its idle strategy's park time.
 */
public final class SharedPort implements AutoCloseable
{
    /** Default bytes of each ring: about 680 frames of 1514 bytes. */
    public static final int DEFAULT_RING_BYTES = 1 << 20;

    /** Which lane a received frame belongs to. */
    @FunctionalInterface
    public interface Classifier
    {
        /**
         * @param buffer holding the frame.
         * @param offset of its Ethernet header.
         * @param length of the frame.
         * @return the lane, 0..lanes-1.
         */
        int laneOf(DirectBuffer buffer, int offset, int length);
    }

    private static final int FRAME_TYPE = 1;

    private final PacketPort port;
    private final Classifier classifier;
    private final ManyToOneRingBuffer outbound;
    private final OneToOneRingBuffer[] inbound;
    private final Lane[] lanes;
    private final AtomicInteger pump = new AtomicInteger();
    /** Per lane: frames it could not take because its ring was full; then frames it could not send. */
    private final AtomicLongArray drops;
    private final MessageHandler transmit = this::transmit;
    private final FrameHandler dispatch = this::dispatch;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param port       the port to share; this object owns it from now on.
     * @param lanes      how many lanes, at least 1.
     * @param classifier names the lane of each received frame.
     * @param ringBytes  bytes of each lane's receive ring and of the shared send ring, a power of
     *                   two holding at least 8 frames of {@link PacketPort#maxFrameLength()}.
     */
    public SharedPort(final PacketPort port, final int lanes, final Classifier classifier, final int ringBytes)
    {
        if (lanes < 1)
        {
            throw new IllegalArgumentException("lanes must be at least 1: " + lanes);
        }
        if (!BitUtil.isPowerOfTwo(ringBytes) || ringBytes / 8 < port.maxFrameLength() + 8)
        {
            throw new IllegalArgumentException("ringBytes must be a power of two of at least 8 frames of " +
                port.maxFrameLength() + " bytes: " + ringBytes);
        }
        this.port = port;
        this.classifier = classifier;
        this.outbound = new ManyToOneRingBuffer(ring(ringBytes));
        this.inbound = new OneToOneRingBuffer[lanes];
        this.lanes = new Lane[lanes];
        this.drops = new AtomicLongArray(2 * lanes);
        for (int i = 0; i < lanes; i++)
        {
            inbound[i] = new OneToOneRingBuffer(ring(ringBytes));
            this.lanes[i] = new Lane(i);
        }
    }

    /**
     * @param index the lane, 0..lanes-1.
     * @return its port; closing it closes only the lane.
     */
    public PacketPort lane(final int index)
    {
        return lanes[index];
    }

    /**
     * @return how many lanes.
     */
    public int lanes()
    {
        return lanes.length;
    }

    /**
     * @param index a lane.
     * @return frames received for it that its full ring could not take.
     */
    public long receiveDrops(final int index)
    {
        return drops.get(2 * index);
    }

    /**
     * @param index a lane.
     * @return frames it sent that the shared ring could not take (refused by its send).
     */
    public long sendDrops(final int index)
    {
        return drops.get(2 * index + 1);
    }

    /**
     * Close the shared port; every lane then receives nothing and refuses frames. Waits for a
     * pump in progress on another thread (microseconds) and keeps the pump from then on.
     * Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        while (!pump.compareAndSet(0, 1))
        {
            Thread.onSpinWait();
        }
        port.close();
    }

    /**
     * Send up to {@code sendLimit} frames from the shared ring and receive up to
     * {@code receiveLimit} into the lanes' rings, if no other lane is doing it now.
     *
     * @return frames moved.
     */
    private int pump(final int sendLimit, final int receiveLimit)
    {
        if (!pump.compareAndSet(0, 1))
        {
            return 0;
        }
        try
        {
            int moved = outbound.read(transmit, sendLimit);
            moved += port.flush();
            if (receiveLimit > 0)
            {
                moved += port.receive(dispatch, receiveLimit);
            }
            return moved;
        }
        finally
        {
            pump.set(0);
        }
    }

    private void transmit(final int type, final MutableDirectBuffer buffer, final int index, final int length)
    {
        port.send(buffer, index, length);
    }

    private void dispatch(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final int lane = classifier.laneOf(buffer, offset, length);
        if (!inbound[lane].write(FRAME_TYPE, buffer, offset, length))
        {
            drops.incrementAndGet(2 * lane);
        }
    }

    private static UnsafeBuffer ring(final int bytes)
    {
        return new UnsafeBuffer(ByteBuffer.allocateDirect(bytes + RingBufferDescriptor.TRAILER_LENGTH));
    }

    /** One context's view of the shared port. */
    private final class Lane implements PacketPort
    {
        private final int index;
        private final MessageHandler deliver = this::deliver;
        private FrameHandler handler;
        private boolean laneClosed;

        private Lane(final int index)
        {
            this.index = index;
        }

        @Override
        public int receive(final FrameHandler handler, final int limit)
        {
            if (laneClosed || closed.get() || limit <= 0)
            {
                return 0;
            }
            pump(limit, limit);
            this.handler = handler;
            return inbound[index].read(deliver, limit);
        }

        private void deliver(final int type, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            handler.onFrame(buffer, offset, length);
        }

        @Override
        public boolean send(final DirectBuffer buffer, final int offset, final int length)
        {
            if (laneClosed || closed.get() || length <= 0 || length > port.maxFrameLength() ||
                !outbound.write(FRAME_TYPE, buffer, offset, length))
            {
                drops.incrementAndGet(2 * index + 1);
                return false;
            }
            return true;
        }

        @Override
        public int flush()
        {
            return laneClosed || closed.get() ? 0 : pump(Integer.MAX_VALUE, 0);
        }

        @Override
        public int maxFrameLength()
        {
            return port.maxFrameLength();
        }

        @Override
        public String name()
        {
            return port.name() + "#" + index;
        }

        @Override
        public void close()
        {
            laneClosed = true;
        }
    }
}
