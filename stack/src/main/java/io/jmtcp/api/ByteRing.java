package io.jmtcp.api;

import org.agrona.BitUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A single-producer, single-consumer byte ring between an application thread and its context
 * (DESIGN.md §3): a {@code write} is a copy into the ring and never takes a lock.
 *
 * <p>Positions only grow; {@code tail - head} is the content. The producer publishes bytes by
 * an ordered write of the tail after copying them in, the consumer frees space by an ordered
 * write of the head after copying them out, so each side sees the other's bytes complete. The
 * producer and the consumer may each be any one thread at a time; the context side uses the
 * zero-copy region calls ({@link #writeOffset()}/{@link #commitWrite(int)} and the reading
 * twins) to move bytes straight between the ring and the TCP engine's buffers.
 *
 * <p>A soft {@link #limit()} (SO_SNDBUF, SO_RCVBUF) caps how much the producer may queue, up to
 * the fixed capacity the ring was made with; the memory is allocated once, on first need, and
 * pooled by the socket table for the next socket that needs a ring.
 */
final class ByteRing
{
    private final UnsafeBuffer buffer;
    private final int capacity;
    private final int mask;
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong tail = new AtomicLong();
    private volatile int limit;

    /**
     * @param capacity bytes, a power of two.
     */
    ByteRing(final int capacity)
    {
        if (!BitUtil.isPowerOfTwo(capacity))
        {
            throw new IllegalArgumentException("ring capacity must be a power of two: " + capacity);
        }
        this.buffer = new UnsafeBuffer(new byte[capacity]);
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.limit = capacity;
    }

    /** @return the most bytes the producer may queue. */
    int limit()
    {
        return limit;
    }

    /** @param bytes the most bytes the producer may queue, 1..capacity. */
    void limit(final int bytes)
    {
        limit = Math.max(1, Math.min(capacity, bytes));
    }

    /** @return bytes the consumer can take. */
    int available()
    {
        return (int)(tail.get() - head.get());
    }

    /** @return bytes the producer can add. */
    int free()
    {
        return Math.max(0, limit - available());
    }

    /** Empty the ring and restore the full limit; only when neither side is using it. */
    void clear()
    {
        head.set(0);
        tail.set(0);
        limit = capacity;
    }

    /** Drop everything queued; consumer side. */
    void discard()
    {
        head.lazySet(tail.get());
    }

    /**
     * Copy bytes in; producer side.
     *
     * @param src bytes.
     * @param off first byte.
     * @param len bytes offered.
     * @return bytes taken, up to {@link #free()}.
     */
    int write(final byte[] src, final int off, final int len)
    {
        final long t = tail.get();
        final int n = Math.min(len, Math.max(0, limit - (int)(t - head.get())));
        final int at = (int)t & mask;
        final int first = Math.min(n, capacity - at);
        buffer.putBytes(at, src, off, first);
        buffer.putBytes(0, src, off + first, n - first);
        tail.lazySet(t + n);
        return n;
    }

    /**
     * Copy bytes in from a buffer's position, advancing it; producer side.
     *
     * @param src bytes between position and limit.
     * @return bytes taken.
     */
    int write(final ByteBuffer src)
    {
        final long t = tail.get();
        final int n = Math.min(src.remaining(), Math.max(0, limit - (int)(t - head.get())));
        final int at = (int)t & mask;
        final int first = Math.min(n, capacity - at);
        final int position = src.position();
        buffer.putBytes(at, src, position, first);
        buffer.putBytes(0, src, position + first, n - first);
        src.position(position + n);
        tail.lazySet(t + n);
        return n;
    }

    /**
     * Copy bytes out; consumer side.
     *
     * @param dst  where to.
     * @param off  first index.
     * @param len  most bytes.
     * @param peek leave the bytes in the ring (MSG_PEEK).
     * @return bytes copied.
     */
    int read(final byte[] dst, final int off, final int len, final boolean peek)
    {
        final long h = head.get();
        final int n = Math.min(len, (int)(tail.get() - h));
        final int at = (int)h & mask;
        final int first = Math.min(n, capacity - at);
        buffer.getBytes(at, dst, off, first);
        buffer.getBytes(0, dst, off + first, n - first);
        if (!peek)
        {
            head.lazySet(h + n);
        }
        return n;
    }

    /**
     * Copy bytes out into a buffer's position, advancing it; consumer side.
     *
     * @param dst  room between position and limit.
     * @param peek leave the bytes in the ring.
     * @return bytes copied.
     */
    int read(final ByteBuffer dst, final boolean peek)
    {
        final long h = head.get();
        final int n = Math.min(dst.remaining(), (int)(tail.get() - h));
        final int at = (int)h & mask;
        final int first = Math.min(n, capacity - at);
        final int position = dst.position();
        buffer.getBytes(at, dst, position, first);
        buffer.getBytes(0, dst, position + first, n - first);
        dst.position(position + n);
        if (!peek)
        {
            head.lazySet(h + n);
        }
        return n;
    }

    /** @return the buffer behind the ring, for the zero-copy region calls. */
    MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /** @return where the producer's next contiguous region starts. */
    int writeOffset()
    {
        return (int)tail.get() & mask;
    }

    /** @return bytes the producer may write at {@link #writeOffset()} without wrapping. */
    int contiguousFree()
    {
        return Math.min(free(), capacity - writeOffset());
    }

    /** @param bytes publish bytes written at {@link #writeOffset()}. */
    void commitWrite(final int bytes)
    {
        tail.lazySet(tail.get() + bytes);
    }

    /** @return where the consumer's next contiguous region starts. */
    int readOffset()
    {
        return (int)head.get() & mask;
    }

    /** @return bytes the consumer may read at {@link #readOffset()} without wrapping. */
    int contiguousAvailable()
    {
        return Math.min(available(), capacity - readOffset());
    }

    /** @param bytes free bytes read at {@link #readOffset()}. */
    void commitRead(final int bytes)
    {
        head.lazySet(head.get() + bytes);
    }
}
