package io.jmtcp.port;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * One pooled frame buffer of an {@link ImpairmentStage} with the metadata the sender stamps on
 * it. It travels sender to receiver through the in-flight queue and back through the free queue;
 * the queues' release/acquire ordering makes the plain fields safe to read on the other side.
 */
final class LinkFrame
{
    final UnsafeBuffer buffer;
    int length;
    long deliveryNanos;
    long sequence;

    LinkFrame(final UnsafeBuffer buffer)
    {
        this.buffer = buffer;
    }

    /**
     * Delivery order: by due time (overflow-safe comparison), then by the order the sender
     * published the frames, so that equal times keep the sending order.
     */
    boolean deliversBefore(final LinkFrame other)
    {
        final long diff = deliveryNanos - other.deliveryNanos;
        return diff < 0 || (diff == 0 && sequence < other.sequence);
    }
}
