package io.jmtcp.port;

import org.agrona.concurrent.NanoClock;
import org.jctools.queues.atomic.SpscAtomicArrayQueue;

/**
 * The receiving half of an {@link ImpairmentStage}: moves published frames into a binary
 * min-heap keyed by delivery time and hands out the ones that are due. Touched only by the thread
 * that receives on the end this direction leads to.
 *
 * <p>A heap rather than a FIFO because a reordered frame is due later than frames published after
 * it. The heap holds at most the pool's buffers, so it is allocated once.
 */
final class LinkReceiver
{
    private final NanoClock clock;
    private final SpscAtomicArrayQueue<LinkFrame> inFlight;
    private final SpscAtomicArrayQueue<LinkFrame> free;
    private final LinkCounters counters;
    private final LinkFrame[] heap;
    private int heapSize;

    LinkReceiver(
        final NanoClock clock,
        final int capacity,
        final SpscAtomicArrayQueue<LinkFrame> inFlight,
        final SpscAtomicArrayQueue<LinkFrame> free,
        final LinkCounters counters)
    {
        this.clock = clock;
        this.inFlight = inFlight;
        this.free = free;
        this.counters = counters;
        this.heap = new LinkFrame[capacity];
    }

    int receive(final FrameHandler handler, final int limit)
    {
        drain();
        final long now = clock.nanoTime();
        int delivered = 0;
        try
        {
            while (delivered < limit && heapSize > 0 && heap[0].deliveryNanos - now <= 0)
            {
                final LinkFrame frame = pop();
                delivered++;
                try
                {
                    handler.onFrame(frame.buffer, 0, frame.length);
                }
                finally
                {
                    free.offer(frame);
                }
            }
        }
        finally
        {
            if (delivered > 0)
            {
                counters.onDelivered(delivered);
            }
        }
        return delivered;
    }

    long nextDeliveryNanos()
    {
        drain();
        return 0 == heapSize ? Long.MAX_VALUE : heap[0].deliveryNanos;
    }

    private void drain()
    {
        LinkFrame frame;
        while (null != (frame = inFlight.relaxedPoll()))
        {
            push(frame);
        }
    }

    private void push(final LinkFrame frame)
    {
        int child = heapSize++;
        while (child > 0)
        {
            final int parent = (child - 1) >>> 1;
            final LinkFrame above = heap[parent];
            if (!frame.deliversBefore(above))
            {
                break;
            }
            heap[child] = above;
            child = parent;
        }
        heap[child] = frame;
    }

    private LinkFrame pop()
    {
        final LinkFrame top = heap[0];
        final LinkFrame last = heap[--heapSize];
        heap[heapSize] = null;
        if (heapSize > 0)
        {
            int parent = 0;
            while (true)
            {
                int child = 2 * parent + 1;
                if (child >= heapSize)
                {
                    break;
                }
                if (child + 1 < heapSize && heap[child + 1].deliversBefore(heap[child]))
                {
                    child++;
                }
                if (!heap[child].deliversBefore(last))
                {
                    break;
                }
                heap[parent] = heap[child];
                parent = child;
            }
            heap[parent] = last;
        }
        return top;
    }
}
