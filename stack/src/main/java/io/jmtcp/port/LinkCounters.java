package io.jmtcp.port;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What happened to the frames of one direction of a {@link MemoryLink} or an {@link ImpairedPort}.
 *
 * <p>Every counter has a single writer, the thread that sends or the thread that receives on that
 * direction, which publishes it with a release store; any thread may read it. Readings taken
 * while traffic flows are each exact at some instant but not a consistent snapshot of all of
 * them. Once the direction is idle: {@code sent - lost + duplicated == delivered + in flight}.
 */
public final class LinkCounters
{
    private static final int SENT = 0;
    private static final int LOST = 1;
    private static final int DUPLICATED = 2;
    private static final int REORDERED = 3;
    private static final int CORRUPTED = 4;
    private static final int REFUSED = 5;
    private static final int DELIVERED = 8;

    /*
     * Two arrays, one per writing thread, each padded to 128 bytes so that the sender's stores and
     * the receiver's stores do not land on the same cache line (false sharing would cost the
     * two-thread hand-off more than the counting itself).
     */
    private final AtomicLongArray transmitter = new AtomicLongArray(16);
    private final AtomicLongArray receiver = new AtomicLongArray(16);

    LinkCounters()
    {
    }

    /**
     * Frames the link accepted from {@code send} (lost ones included, refused ones not).
     *
     * @return the count.
     */
    public long sent()
    {
        return transmitter.getAcquire(SENT);
    }

    /**
     * Frames handed to a receiver's handler, duplicates included.
     *
     * @return the count.
     */
    public long delivered()
    {
        return receiver.getAcquire(DELIVERED);
    }

    /**
     * Frames accepted and then dropped by the loss impairment.
     *
     * @return the count.
     */
    public long lost()
    {
        return transmitter.getAcquire(LOST);
    }

    /**
     * Extra copies made by the duplication impairment.
     *
     * @return the count.
     */
    public long duplicated()
    {
        return transmitter.getAcquire(DUPLICATED);
    }

    /**
     * Frames held back by the reordering impairment.
     *
     * @return the count.
     */
    public long reordered()
    {
        return transmitter.getAcquire(REORDERED);
    }

    /**
     * Frames that had one bit flipped.
     *
     * @return the count.
     */
    public long corrupted()
    {
        return transmitter.getAcquire(CORRUPTED);
    }

    /**
     * Frames that {@code send} refused: too long, empty, no free buffer (queue full), or an end closed.
     *
     * @return the count.
     */
    public long refused()
    {
        return transmitter.getAcquire(REFUSED);
    }

    @Override
    public String toString()
    {
        return "LinkCounters{" +
            "sent=" + sent() +
            ", delivered=" + delivered() +
            ", lost=" + lost() +
            ", duplicated=" + duplicated() +
            ", reordered=" + reordered() +
            ", corrupted=" + corrupted() +
            ", refused=" + refused() +
            '}';
    }

    void onSent()
    {
        incrementTransmitter(SENT);
    }

    void onLost()
    {
        incrementTransmitter(LOST);
    }

    void onDuplicated()
    {
        incrementTransmitter(DUPLICATED);
    }

    void onReordered()
    {
        incrementTransmitter(REORDERED);
    }

    void onCorrupted()
    {
        incrementTransmitter(CORRUPTED);
    }

    void onRefused()
    {
        incrementTransmitter(REFUSED);
    }

    void onDelivered(final int frames)
    {
        receiver.setRelease(DELIVERED, receiver.getPlain(DELIVERED) + frames);
    }

    private void incrementTransmitter(final int index)
    {
        // Single writer: a plain read plus a release store is enough, no CAS needed.
        transmitter.setRelease(index, transmitter.getPlain(index) + 1);
    }
}
