package io.jmtcp.tcp;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * The receive side's bytes: data received in order and not yet read by the application, plus
 * out-of-order data already placed where it belongs, in one fixed ring with a bounded list of
 * out-of-order intervals.
 *
 * <pre>
 *   first unread byte            RCV.NXT                                    RCV.NXT + window()
 *        |                          |                                               |
 *   -----+--------------------------+------+#########+-----+#####+------------------+-----
 *        |  readable(), in order    | hole | interval| hole|int. |                  |
 *   -----+--------------------------+------+#########+-----+#####+------------------+-----
 *        <------------------------------------ capacity() ------------------------------>
 *                                   <------------------- window() ------------------>
 * </pre>
 *
 * <p>The window is the free space: {@code capacity() - readable()}. Out-of-order data sits inside
 * it, so the window's right edge, first unread byte + capacity, moves only when the application
 * reads and never moves left (RFC 9293 §3.8.6: a receiver SHOULD NOT shrink the window). Receiver
 * silly window syndrome avoidance (RFC 9293 §3.8.6.2.2) and the window scaling of what is
 * advertised are the engine's: this class reports the exact free space.
 *
 * <p>Intervals are half-open sequence ranges [start, end), all beyond RCV.NXT (an interval that
 * reaches RCV.NXT is delivered at once), kept sorted, disjoint and not adjacent: a segment that
 * overlaps or touches intervals merges with them. At most {@code maxIntervals} exist; a segment
 * that would need one more is dropped and counted ({@link #droppedSegments()}), and its sender's
 * retransmission brings it again. RFC 9293 §3.10.7.4 says segments beyond RCV.NXT SHOULD be
 * held for later processing (SHLD-31); the bound keeps the memory and the work per segment fixed.
 *
 * <p>Duplicate bytes: the first copy received wins. Bytes below RCV.NXT are trimmed, and a segment
 * overlapping an interval fills only the holes, never overwriting what is already placed.
 * RFC 9293 §3.10.7.4 processes only the new part of a segment that straddles RCV.NXT, and
 * leaves open which copy to keep where a segment overlaps out-of-order data already held; keeping
 * the first means a byte, once placed, is never rewritten, so what a SACK block reported is
 * exactly what the application reads. A segment's bytes outside
 * [RCV.NXT, RCV.NXT + window()) are trimmed: RFC 9293 §3.10.7.4 processes only the part of a
 * segment inside the receive window; whether an unacceptable segment also earns an ACK is the
 * engine's call, made before the data reaches this class.
 *
 * <p>The buffer holds data bytes only: the SYN and the FIN occupy sequence numbers (RFC 9293
 * §3.4) but no bytes here, so the engine holds a FIN until {@link #rcvNxt()} reaches it and then
 * acknowledges {@code rcvNxt() + 1} itself.
 *
 * <p>The byte with sequence number {@code s} lives at ring index {@code s & (capacity - 1)}; the
 * capacity is a power of two, so it divides 2<sup>32</sup> and the mapping holds across the wrap
 * of sequence numbers. Sequence arithmetic is modulo 2<sup>32</sup>, by difference, and sound
 * because the capacity is at most 2<sup>30</sup>. All storage is allocated in the constructor; no
 * other method allocates. Owned by one context thread; reusable for a new connection through
 * {@link #startSequence(int)}.
 */
public final class ReceiveBuffer
{
    /**
     * Largest capacity, 2<sup>30</sup>: no window exceeds it (RFC 7323 §2.3 caps a scaled window at
     * 65,535 x 2<sup>14</sup>), and it keeps every distance within the buffer well under
     * 2<sup>31</sup>, as comparison modulo 2<sup>32</sup> requires.
     */
    public static final int MAX_CAPACITY = 1 << 30;

    /** Out-of-order intervals held when the constructor is not told otherwise. */
    public static final int DEFAULT_MAX_INTERVALS = 16;

    private final UnsafeBuffer ring;
    private final int capacity;
    private final int mask;
    private final int maxIntervals;

    /** Interval edges as sequence numbers, sorted by their distance from RCV.NXT. */
    private final int[] intervalStart;
    private final int[] intervalEnd;
    /** When each interval last received a segment, from {@link #clock}; distinct per interval. */
    private final long[] intervalStamp;
    private int intervalCount;
    private long clock;

    private int rcvNxt;
    private int readable;
    private long droppedSegments;

    /**
     * A buffer holding up to {@link #DEFAULT_MAX_INTERVALS} out-of-order intervals.
     *
     * @param capacity bytes the ring holds: a power of two, at most {@link #MAX_CAPACITY}.
     * @throws IllegalArgumentException if the capacity is not a power of two in range.
     */
    public ReceiveBuffer(final int capacity)
    {
        this(capacity, DEFAULT_MAX_INTERVALS);
    }

    /**
     * @param capacity     bytes the ring holds: a power of two, at most {@link #MAX_CAPACITY}.
     * @param maxIntervals out-of-order intervals held at most, 0 or more (0 drops every
     *                     out-of-order segment).
     * @throws IllegalArgumentException if the capacity is not a power of two in range, or
     *                                  {@code maxIntervals} is negative.
     */
    public ReceiveBuffer(final int capacity, final int maxIntervals)
    {
        if (capacity <= 0 || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("capacity must be a power of two in 1.." + MAX_CAPACITY + ": " + capacity);
        }
        if (maxIntervals < 0)
        {
            throw new IllegalArgumentException("negative maxIntervals: " + maxIntervals);
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxIntervals = maxIntervals;
        this.ring = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity));
        this.intervalStart = new int[maxIntervals];
        this.intervalEnd = new int[maxIntervals];
        this.intervalStamp = new long[maxIntervals];
    }

    /**
     * Start a connection's stream: empty the buffer, forget every interval, zero
     * {@link #droppedSegments()}, and set RCV.NXT. The first data byte carries IRS + 1, because the
     * peer's SYN occupies IRS (RFC 9293 §3.4); the caller adds the one.
     *
     * @param firstSequence the sequence number of the first data byte (IRS + 1).
     */
    public void startSequence(final int firstSequence)
    {
        rcvNxt = firstSequence;
        readable = 0;
        intervalCount = 0;
        clock = 0;
        droppedSegments = 0;
    }

    /**
     * @return RCV.NXT as far as data goes: the sequence number of the next byte expected in order.
     */
    public int rcvNxt()
    {
        return rcvNxt;
    }

    /**
     * @return bytes received in order and not yet read.
     */
    public int readable()
    {
        return readable;
    }

    /**
     * @return free space, {@code capacity() - readable()}: the exact window to offer from
     *         {@link #rcvNxt()}, before SWS avoidance and scaling.
     */
    public int window()
    {
        return capacity - readable;
    }

    /**
     * @return bytes the ring holds when full.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * @return whether any out-of-order data is held beyond {@link #rcvNxt()}.
     */
    public boolean hasOutOfOrder()
    {
        return intervalCount > 0;
    }

    /**
     * @return out-of-order intervals held now.
     */
    public int intervalCount()
    {
        return intervalCount;
    }

    /**
     * @return out-of-order intervals held at most.
     */
    public int maxIntervals()
    {
        return maxIntervals;
    }

    /**
     * @return segments dropped since {@link #startSequence(int)} because they needed an interval
     *         and all were in use.
     */
    public long droppedSegments()
    {
        return droppedSegments;
    }

    /**
     * Take in a segment's data: trim it to [RCV.NXT, RCV.NXT + window()), place the bytes not held
     * yet, and advance RCV.NXT over whatever is now contiguous, including out-of-order intervals
     * the segment joins.
     *
     * <p>Out-of-order data needs an interval unless it overlaps or touches one already held; when
     * it would need one and none is free, the whole segment is dropped, counted in
     * {@link #droppedSegments()}, and 0 returned. A segment in order is never dropped for that.
     *
     * @param seq the sequence number of the segment's first data byte (SEG.SEQ, plus one when
     *            the segment carries a SYN).
     * @param src the segment's bytes.
     * @param off index in {@code src} of the first data byte.
     * @param len data bytes, at least 0.
     * @return bytes RCV.NXT advanced, which {@link #readable()} grew by too; 0 for a segment that
     *         was out of order, a duplicate, outside the window, or dropped.
     * @throws IllegalArgumentException if {@code len} is negative.
     */
    public int receive(final int seq, final DirectBuffer src, final int off, final int len)
    {
        if (len < 0)
        {
            throw new IllegalArgumentException("negative length: " + len);
        }
        // Offsets from RCV.NXT; long, so that an offset near 2^31 plus the length cannot overflow.
        final long segmentFrom = seq - rcvNxt;
        final int from = (int)Math.max(segmentFrom, 0);
        final int to = (int)Math.min(segmentFrom + len, capacity - readable);
        if (from >= to)
        {
            return 0;
        }

        // The run [first, last) of intervals the segment overlaps or touches: sorted, disjoint and
        // not adjacent, so they are consecutive.
        int first = 0;
        while (first < intervalCount && intervalEnd[first] - rcvNxt < from)
        {
            first++;
        }
        int last = first;
        while (last < intervalCount && intervalStart[last] - rcvNxt <= to)
        {
            last++;
        }
        if (first == last && from > 0 && intervalCount == maxIntervals)
        {
            droppedSegments++;
            return 0;
        }

        // Fill only the holes: bytes already in an interval stay as first received.
        int cursor = from;
        for (int i = first; i < last; i++)
        {
            final int holeEnd = intervalStart[i] - rcvNxt;
            if (holeEnd > cursor)
            {
                place(rcvNxt + cursor, src, off + (int)(cursor - segmentFrom), holeEnd - cursor);
            }
            cursor = Math.max(cursor, intervalEnd[i] - rcvNxt);
        }
        if (to > cursor)
        {
            place(rcvNxt + cursor, src, off + (int)(cursor - segmentFrom), to - cursor);
        }

        int mergedFrom = from;
        int mergedTo = to;
        if (first < last)
        {
            mergedFrom = Math.min(from, intervalStart[first] - rcvNxt);
            mergedTo = Math.max(to, intervalEnd[last - 1] - rcvNxt);
        }

        if (mergedFrom == 0)
        {
            removeIntervals(first, last);
            rcvNxt += mergedTo;
            readable += mergedTo;
            return mergedTo;
        }

        if (first == last)
        {
            insertInterval(first);
        }
        else
        {
            removeIntervals(first + 1, last);
        }
        intervalStart[first] = rcvNxt + mergedFrom;
        intervalEnd[first] = rcvNxt + mergedTo;
        intervalStamp[first] = ++clock;
        return 0;
    }

    /**
     * Move in-order bytes to the application, freeing their space (the window grows by as much).
     *
     * @param dst    where to copy.
     * @param off    index in {@code dst} of the first byte copied.
     * @param maxLen most bytes to read, at least 0.
     * @return bytes read: {@code min(maxLen, readable())}.
     * @throws IllegalArgumentException if {@code maxLen} is negative.
     */
    public int read(final MutableDirectBuffer dst, final int off, final int maxLen)
    {
        final int count = peek(dst, off, maxLen);
        readable -= count;
        return count;
    }

    /**
     * Copy in-order bytes without consuming them (for MSG_PEEK).
     *
     * @param dst    where to copy.
     * @param off    index in {@code dst} of the first byte copied.
     * @param maxLen most bytes to copy, at least 0.
     * @return bytes copied: {@code min(maxLen, readable())}.
     * @throws IllegalArgumentException if {@code maxLen} is negative.
     */
    public int peek(final MutableDirectBuffer dst, final int off, final int maxLen)
    {
        if (maxLen < 0)
        {
            throw new IllegalArgumentException("negative length: " + maxLen);
        }
        final int count = Math.min(maxLen, readable);
        if (count > 0)
        {
            final int index = (rcvNxt - readable) & mask;
            final int firstPart = Math.min(count, capacity - index);
            dst.putBytes(off, ring, index, firstPart);
            if (count > firstPart)
            {
                dst.putBytes(off + firstPart, ring, 0, count - firstPart);
            }
        }
        return count;
    }

    /**
     * Fill SACK blocks (RFC 2018 §3) from the out-of-order intervals, in the order RFC 2018 §4
     * asks for: first the interval holding the most recently received out-of-order segment ("the
     * segment which triggered this ACK", when that segment did not advance RCV.NXT), then the
     * other intervals from the most to the least recently changed, so the blocks reported most
     * recently are repeated first. Each interval appears once, as a whole, so no block is a subset
     * of another, and none covers a byte below RCV.NXT. Older blocks beyond {@code max} are left
     * out. D-SACK (RFC 2883) is not generated.
     *
     * @param lefts  receives the left edges (first sequence number of each block).
     * @param rights receives the right edges (sequence number just past each block).
     * @param max    blocks wanted at most: 3 beside timestamps, 4 without (RFC 2018 §3).
     * @return blocks filled, {@code min(max, intervalCount())}.
     * @throws IllegalArgumentException if {@code max} is negative or longer than either array.
     */
    public int sackBlocks(final int[] lefts, final int[] rights, final int max)
    {
        if (max < 0 || max > lefts.length || max > rights.length)
        {
            throw new IllegalArgumentException("max must be in 0..array length: " + max);
        }
        final int count = Math.min(max, intervalCount);
        // Stamps are distinct, so each pass picks the newest stamp older than the previous pick:
        // a selection that needs no marks and allocates nothing, for at most a few blocks.
        long below = Long.MAX_VALUE;
        for (int block = 0; block < count; block++)
        {
            int newest = -1;
            for (int i = 0; i < intervalCount; i++)
            {
                final long stamp = intervalStamp[i];
                if (stamp < below && (newest < 0 || stamp > intervalStamp[newest]))
                {
                    newest = i;
                }
            }
            lefts[block] = intervalStart[newest];
            rights[block] = intervalEnd[newest];
            below = intervalStamp[newest];
        }
        return count;
    }

    private void place(final int seq, final DirectBuffer src, final int srcOff, final int count)
    {
        final int index = seq & mask;
        final int firstPart = Math.min(count, capacity - index);
        ring.putBytes(index, src, srcOff, firstPart);
        if (count > firstPart)
        {
            ring.putBytes(0, src, srcOff + firstPart, count - firstPart);
        }
    }

    private void insertInterval(final int at)
    {
        final int tail = intervalCount - at;
        System.arraycopy(intervalStart, at, intervalStart, at + 1, tail);
        System.arraycopy(intervalEnd, at, intervalEnd, at + 1, tail);
        System.arraycopy(intervalStamp, at, intervalStamp, at + 1, tail);
        intervalCount++;
    }

    private void removeIntervals(final int from, final int to)
    {
        final int removed = to - from;
        if (removed > 0)
        {
            final int tail = intervalCount - to;
            System.arraycopy(intervalStart, to, intervalStart, from, tail);
            System.arraycopy(intervalEnd, to, intervalEnd, from, tail);
            System.arraycopy(intervalStamp, to, intervalStamp, from, tail);
            intervalCount -= removed;
        }
    }
}
